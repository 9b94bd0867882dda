"""The CRM in Chromium, as people use it: a visitor writes through the contact form; a
salesperson converts the lead, drags it along the pipeline, fails to drop it into Lost
without a reason, marks it lost through the dialog (a reason is required), logs a call;
a manager opens the analysis graph."""
import re

import pytest

from addons.web.tests.test_browser_kanban import drag
from tests.support.browser import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def crm_server(start_web_server):
    server = start_web_server(addons=("crm",))
    with server.env() as env:
        server.actions = {name: env.ref(f"crm.{name}").id for name in (
            "crm_lead_action_pipeline", "crm_lead_all_leads", "crm_lead_action_analysis")}
        server.stages = {stage.name: stage.id for stage in env["crm.stage"].search([])}
    return server


def lead_of(server, email):
    with server.env() as env:
        lead = env["crm.lead"].with_context(active_test=False).search([("email_normalized", "=", email)])
        return {"id": lead.id, "type": lead.type, "stage": lead.stage_id.name, "active": lead.active,
                "partner": lead.partner_id.name, "reason": lead.lost_reason_id.name,
                "calls": lead.phonecall_ids.mapped("name"), "user": lead.user_id.login}


def test_from_the_contact_form_to_lost(crm_server, page):
    server, email = crm_server, "lena.kraus@browser.test"
    # a visitor, not logged in
    page.goto(f"{server.url}/contactus")
    page.get_by_label("Your name").fill("Lena Kraus")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Company").fill("Kraus Architekten")
    page.get_by_label("Subject").fill("Furniture for our new studio")
    page.get_by_label("Your question").fill("We need 12 desks by June.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    assert "Thank you" in page.locator("h1").inner_text()
    lead = lead_of(server, email)
    assert lead["type"] == "lead" and lead["partner"] == "Lena Kraus"

    # the salesperson converts it
    login(page, server)
    page.goto(f"{server.url}/web/action/{server.actions['crm_lead_all_leads']}/{lead['id']}")
    with page.expect_navigation():
        page.get_by_role("button", name="Convert to Opportunity").click()
    screenshot(page, "crm-convert-dialog")
    with page.expect_navigation():
        page.get_by_role("button", name="Create Opportunity").click()
    lead = lead_of(server, email)
    assert lead["type"] == "opportunity" and lead["stage"] == "New" and lead["user"] == "admin"

    # drags it along the pipeline
    page.goto(f"{server.url}/web/action/{server.actions['crm_lead_action_pipeline']}")
    card = page.locator(f'.o-kanban-card[data-id="{lead["id"]}"]')
    qualified = page.locator(f'.o-kanban-column[data-key="{server.stages["Qualified"]}"]')
    before = int(qualified.locator(".o-kanban-count").inner_text())
    drag(page, card, qualified.locator(".o-kanban-cards"))
    qualified.locator(f'.o-kanban-count:text-is("{before + 1}")').wait_for()
    assert lead_of(server, email)["stage"] == "Qualified"
    screenshot(page, "crm-pipeline")

    # logs a call on it
    page.goto(f"{server.url}/web/action/{server.actions['crm_lead_action_pipeline']}/{lead['id']}")
    with page.expect_navigation():
        page.get_by_role("button", name="Log a Call").click()
    page.get_by_role("textbox", name="Call Summary").fill("Discussed the desks")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert lead_of(server, email)["calls"] == ["Discussed the desks"]

    # a drop into Lost needs a reason: refused, the card goes back, the message offers the dialog
    board_url = f"{server.url}/web/action/{server.actions['crm_lead_action_pipeline']}"
    page.goto(board_url)
    lost = page.locator(f'.o-kanban-column[data-key="{server.stages["Lost"]}"]')
    drag(page, page.locator(f'.o-kanban-card[data-id="{lead["id"]}"]'), lost)
    page.locator(".o-kanban-message", has_text="lost reason").wait_for()
    assert lead_of(server, email)["active"] is True
    assert page.locator(f'.o-kanban-column[data-key="{server.stages["Qualified"]}"] '
                        f'.o-kanban-card[data-id="{lead["id"]}"]').count() == 1
    with page.expect_navigation():
        page.locator(".o-kanban-message-action", has_text="Mark Lost").click()

    # the dialog insists on a reason
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as Lost").click()
    assert page.locator(".o-form-message, .o-field-error, [aria-invalid=true]").count() > 0
    assert lead_of(server, email)["active"] is True
    reason = page.get_by_role("combobox", name="Lost Reason")
    reason.fill("Too exp")
    page.get_by_role("option", name="Too expensive", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as Lost").click()
    page.wait_for_url(re.compile(rf"/web/action/{server.actions['crm_lead_action_pipeline']}(\?|$)"))
    lead = lead_of(server, email)
    assert lead["active"] is False and lead["reason"] == "Too expensive"
    assert page.locator(f'.o-kanban-card[data-id="{lead["id"]}"]').count() == 0, "off the pipeline"
    screenshot(page, "crm-lost")


def test_the_analysis_graph_shows(crm_server, page):
    login(page, crm_server)
    page.goto(f"{crm_server.url}/web/action/{crm_server.actions['crm_lead_action_analysis']}")
    chart = page.locator("svg").first
    chart.wait_for()
    assert chart.locator("path, rect, polyline").count() > 0
    screenshot(page, "crm-analysis")
