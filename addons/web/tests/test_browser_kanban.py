"""The kanban board in Chromium: drag a card to another column and see it saved, a drag
that a record rule refuses (the message shown, the card back in its column), quick create,
"load more", the stars, and the board at phone width with the "Move to" menu."""
import re

import pytest

from tests.support.browser import login, screenshot

from .test_kanban import ADDONS

pytestmark = pytest.mark.browser


@pytest.fixture
def board(start_web_server):
    server = start_web_server(addons=("web", "test_web_kanban"), addons_paths=[ADDONS])
    with server.env() as env:
        action = env.ref("test_web_kanban.action_tasks").id
        stages = {stage.name: stage.id for stage in env["test.kanban.stage"].search([])}
        tag = env["test.kanban.tag"].create({"name": "Hot", "color": 1})
        tasks = env["test.kanban.task"]
        ids = {}
        for name, stage, values in [
                ("Website redesign", "New", {"amount": 12000, "priority": "2", "color": 4,
                                             "user_id": env.ref("base.user_demo").id, "tag_ids": [(6, 0, [tag.id])]}),
                ("Locked deal", "New", {"locked": True, "priority": "1"}),
                ("Office chairs", "New", {"amount": 800}),
                ("Server upgrade", "Qualified", {"amount": 5000, "color": 2}),
                ("Training", "Qualified", {"priority": "1"}),
                ("Old lead", "Lost", {})]:
            ids[name] = tasks.create(dict(values, name=name, stage_id=stages[stage])).id
    return server, action, stages, ids


def column(page, stages, name):
    return page.locator(f'.o-kanban-column[data-key="{stages[name]}"]')


def drag(page, source, target):
    """Drag ``source`` onto ``target`` with the mouse, through pointer events."""
    start = source.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 20, start["y"] + 30, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 10, steps=12)
    page.mouse.up()


def stage_of(server, task_id):
    with server.env() as env:
        return env["test.kanban.task"].browse(task_id).stage_id.name


def test_drag_a_card_to_another_column_saves_it(board, page):
    server, action, stages, ids = board
    login(page, server)
    page.goto(f"{server.url}/web/action/{action}")
    card = page.locator(f'.o-kanban-card[data-id="{ids["Office chairs"]}"]')
    qualified = column(page, stages, "Qualified")
    assert qualified.locator(".o-kanban-count").inner_text() == "2"
    screenshot(page, "kanban-board")
    drag(page, card, qualified.locator(".o-kanban-cards"))
    qualified.locator('.o-kanban-count:text-is("3")').wait_for()
    assert column(page, stages, "New").locator(".o-kanban-count").inner_text() == "2"
    assert qualified.locator(f'.o-kanban-card[data-id="{ids["Office chairs"]}"]').count() == 1
    assert stage_of(server, ids["Office chairs"]) == "Qualified"
    # the sum of the column follows
    assert "5,800.00" in qualified.locator(".o-kanban-sum").inner_text()
    # a click on a card opens its form (a drag did not)
    page.locator(f'.o-kanban-card[data-id="{ids["Training"]}"] .o-kanban-open').click()
    page.wait_for_url(re.compile(rf"/web/action/{action}/{ids['Training']}\?"))


def test_a_forbidden_drag_shows_the_message_and_the_card_returns(board, page):
    server, action, stages, ids = board
    login(page, server, "demo", "demo")
    page.goto(f"{server.url}/web/action/{action}")
    locked = page.locator(f'.o-kanban-card[data-id="{ids["Locked deal"]}"]')
    drag(page, locked, column(page, stages, "Qualified").locator(".o-kanban-cards"))
    alert = page.locator(".o-kanban-message")
    alert.wait_for()
    assert alert.inner_text().strip()
    assert column(page, stages, "New").locator(f'.o-kanban-card[data-id="{ids["Locked deal"]}"]').count() == 1
    assert column(page, stages, "Qualified").locator(".o-kanban-count").inner_text() == "2"
    assert stage_of(server, ids["Locked deal"]) == "New"
    # a constraint too: Won needs an amount
    training = page.locator(f'.o-kanban-card[data-id="{ids["Training"]}"]')
    drag(page, training, column(page, stages, "Won").locator(".o-kanban-cards"))
    page.locator(".o-kanban-message", has_text="cannot be won without an expected amount").wait_for()
    assert column(page, stages, "Qualified").locator(f'.o-kanban-card[data-id="{ids["Training"]}"]').count() == 1
    assert stage_of(server, ids["Training"]) == "Qualified"
    screenshot(page, "kanban-refused")


def test_quick_create_load_more_and_stars(board, page):
    server, action, stages, ids = board
    login(page, server)
    page.goto(f"{server.url}/web/action/{action}")
    won = column(page, stages, "Qualified")
    won.locator(".o-kanban-add").click()
    won.get_by_label("Name").fill("Fresh lead")
    won.get_by_label("Name").press("Enter")
    won.locator(".o-kanban-card", has_text="Fresh lead").wait_for()
    assert won.locator(".o-kanban-count").inner_text() == "3"
    assert won.get_by_label("Name").input_value() == ""
    with server.env() as env:
        fresh = env["test.kanban.task"].search([("name", "=", "Fresh lead")])
        assert fresh.stage_id.id == stages["Qualified"] and fresh.description == "Created on the board"
    # New (on_create="quick_create") opens the first column's quick create
    page.locator(".o-kanban-new").click()
    assert page.locator(".o-kanban-column").first.get_by_label("Name").evaluate("e => e === document.activeElement")
    # a fourth card in New: the column shows three (limit="3"), "load more" the rest
    with server.env() as env:
        env["test.kanban.task"].create({"name": "Fourth", "stage_id": stages["New"]})
    page.reload()
    new = column(page, stages, "New")
    assert new.locator(".o-kanban-card").count() == 3
    new.locator(".o-kanban-more").click()
    new.locator(".o-kanban-card", has_text="Fourth").wait_for()
    assert new.locator(".o-kanban-more").count() == 0
    # the stars of a card set its priority
    card = page.locator(f'.o-kanban-card[data-id="{ids["Office chairs"]}"]')
    card.get_by_role("button", name="Priority: Excellent").click()
    page.locator(f'.o-kanban-card[data-id="{ids["Office chairs"]}"] .o-star.o-on >> nth=2').wait_for()
    with server.env() as env:
        assert env["test.kanban.task"].browse(ids["Office chairs"]).priority == "3"


def test_phone_width_and_the_move_menu(board, phone_page):
    server, action, stages, ids = board
    page = phone_page
    login(page, server)
    page.goto(f"{server.url}/web/action/{action}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "kanban-phone")
    card = page.locator(f'.o-kanban-card[data-id="{ids["Website redesign"]}"]')
    card.locator(".o-kanban-move summary").click()
    card.get_by_role("button", name="Won").click()
    column(page, stages, "Won").locator('.o-kanban-count:text-is("1")').wait_for()
    assert column(page, stages, "Won").locator(f'.o-kanban-card[data-id="{ids["Website redesign"]}"]').count() == 1
    assert stage_of(server, ids["Website redesign"]) == "Won"
    screenshot(page, "kanban-phone-moved")
