"""The chatter in a real Chromium: message, note, files, followers, activities, tracking."""
import re

import pytest

from tests.support.browser import login, screenshot

from .conftest import MAIL_ADDONS, TEST_ADDONS

TICKET = "test.mail.ticket"


@pytest.fixture
def server(start_web_server):
    return start_web_server(addons=MAIL_ADDONS, addons_paths=(TEST_ADDONS,))


@pytest.fixture
def ticket(server):
    with server.env() as env:
        customer = env["res.partner"].create({"name": "Carla Customer", "email": "carla@example.com"})
        env["res.partner"].create({"name": "Quentin Quill", "email": "quentin@example.com"})
        record = env[TICKET].create({"name": "Printer on fire", "partner_id": customer.id})
        record.message_subscribe(partner_ids=customer.ids)
        return record.id


def panel(page, name):
    return page.locator(f'.o-chatter-panel[data-panel="{name}"]')


def open_panel(page, name):
    panel(page, name).locator("summary").click()
    return panel(page, name)


def messages(page):
    return page.locator(".o-chatter-messages .o-message")


def test_message_note_and_files_from_the_chatter(server, ticket, page):
    login(page, server)
    page.goto(f"{server.url}/web/model/{TICKET}/{ticket}")
    page.wait_for_selector("#o-chatter")

    # send a message: the followers are named, the message shows, a mail is queued for Carla
    composer = open_panel(page, "message")
    assert "Carla Customer" in composer.locator(".o-composer-recipients").inner_text()
    composer.get_by_label("Message").fill("We are on it, Carla.")
    with page.expect_navigation():
        composer.get_by_role("button", name="Send").click()
    first = messages(page).first
    assert "We are on it, Carla." in first.inner_text()
    with server.env() as env:
        mails = env["mail.mail"].search([("model", "=", TICKET), ("res_id", "=", ticket)])
        assert mails.mapped("recipient_ids.name") == ["Carla Customer"]

    # log a note with a file: marked as a note, the file linked, the count follows
    note = open_panel(page, "note")
    # opening one panel closes the other (script)
    assert panel(page, "message").get_attribute("open") is None
    note.get_by_label("Note").fill("Internal: the toner is empty")
    note.get_by_label("Attach files").set_input_files(
        files=[{"name": "toner.txt", "mimeType": "text/plain", "buffer": b"toner order 42"}])
    with page.expect_navigation():
        note.get_by_role("button", name="Log").click()
    first = messages(page).first
    assert "o-message-note" in first.get_attribute("class")
    assert "Internal: the toner is empty" in first.inner_text() and "Note" in first.inner_text()
    link = first.get_by_role("link", name="toner.txt")
    href = link.get_attribute("href")
    assert page.request.get(server.url + href).body() == b"toner order 42"
    assert page.locator(".o-chatter-attachment-count").inner_text() == "1"

    # attach a file to the record from the attachments panel
    files = open_panel(page, "attachments")
    files.get_by_label("Attach files").set_input_files(
        files=[{"name": "photo.txt", "mimeType": "text/plain", "buffer": b"not really a photo"}])
    with page.expect_navigation():
        files.get_by_role("button", name="Upload").click()
    assert page.locator(".o-chatter-attachment-count").inner_text() == "2"

    # an empty message: refused with the reason, nothing posted
    count = messages(page).count()
    composer = open_panel(page, "message")
    with page.expect_navigation():
        composer.get_by_role("button", name="Send").click()
    assert "Write a message or attach a file first." in page.locator(".o-chatter-error").inner_text()
    assert messages(page).count() == count
    screenshot(page, "chatter-messages")


def test_followers_activities_and_tracking(server, ticket, page):
    login(page, server)
    page.goto(f"{server.url}/web/model/{TICKET}/{ticket}")
    page.wait_for_selector("#o-chatter")

    # follow, then unfollow
    with page.expect_navigation():
        page.get_by_role("button", name="Follow", exact=True).click()
    assert page.locator(".o-chatter-following").is_visible()
    with server.env() as env:
        assert "Administrator" in env[TICKET].browse(ticket).message_partner_ids.mapped("name")
    with page.expect_navigation():
        page.locator(".o-chatter-following").click()
    assert page.get_by_role("button", name="Follow", exact=True).is_visible()

    # add a follower with the autocomplete (keyboard: arrow down, Enter)
    followers = open_panel(page, "followers")
    box = followers.get_by_label("Add a follower")
    box.press_sequentially("Quent")
    page.wait_for_selector("#o-follower-options [role=option]")
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "Quentin Quill"
    with page.expect_navigation():
        followers.get_by_role("button", name="Add").click()
    assert "Quentin Quill" in panel(page, "followers").inner_text()     # the panel stays open
    with server.env() as env:
        count = len(env[TICKET].browse(ticket).message_partner_ids)
    assert page.locator(".o-chatter-follower-count").inner_text() == str(count)

    # schedule an activity, overdue: red; then mark it done with feedback
    activity_form = open_panel(page, "activity")
    activity_form.get_by_label("Summary").fill("Call Carla back")
    activity_form.get_by_label("Due date").fill("2001-02-03")
    with page.expect_navigation():
        activity_form.get_by_role("button", name="Schedule").click()
    item = page.locator(".o-activity").first
    assert "o-activity-overdue" in item.get_attribute("class")
    with server.env() as env:
        admin_name = env.ref("base.user_admin").name
    assert "Call Carla back" in item.inner_text() and admin_name in item.inner_text()
    item.locator("summary", has_text="Mark done").click()
    item.get_by_label("Feedback (optional)").fill("She is happy now")
    with page.expect_navigation():
        item.get_by_role("button", name="Done").click()
    assert page.locator(".o-activity").count() == 0
    assert "She is happy now" in page.locator(".o-chatter-messages").inner_text()
    with server.env() as env:
        done = env["mail.activity"].search([("res_model", "=", TICKET), ("res_id", "=", ticket)])
        assert done.state == "done"

    # change the stage with the statusbar: the tracking line shows old → new
    with page.expect_navigation():
        page.get_by_role("button", name="In Progress").click()
    tracking = page.locator(".o-message-tracking").first.inner_text()
    assert re.search(r"Stage:\s*New\s*→\s*In Progress", tracking), tracking
    screenshot(page, "chatter-activities")
