"""The CRM in the web client, over real HTTP: the pipeline board (columns, sums, its
cost in SQL statements), marking lost through the dialog, a drag into the Lost
column refused without a reason, the analyses."""
import re
import urllib.parse

import pytest
from lxml import html as lxml_html

from addons.web.tests.test_list_support import count_queries


@pytest.fixture
def crm_web(start_web_server):
    server = start_web_server(addons=("crm",))
    with server.env() as env:
        server.pipeline = env.ref("crm.crm_lead_action_pipeline").id
        server.stages = {stage.name: stage.id for stage in env["crm.stage"].search([])}
        server.reason = env.ref("crm.lost_reason_too_expensive").id
    return server


def make_opportunity(server, **values):
    with server.env() as env:
        values = dict({"name": "Chairs for the canteen", "type": "opportunity", "expected_revenue": 4000.0,
                       "user_id": env.ref("base.user_admin").id}, **values)
        return env["crm.lead"].create(values).id


def test_the_pipeline_board_shows_every_stage_with_its_sum(crm_web):
    client = crm_web.login_client()
    reply = client.get(f"/web/action/{crm_web.pipeline}")
    assert reply.status == 200, reply.text[:2000]
    doc = lxml_html.fromstring(reply.text)
    labels = [a.text_content().strip() for a in doc.xpath('//section[contains(@class, "o-kanban-column")]'
                                                         '//a[contains(@class, "o-kanban-toggle")]')]
    assert labels == ["New", "Qualified", "Proposition", "Won", "Lost"]
    sums = [s.text_content().strip() for s in doc.xpath('//span[@class="o-kanban-sum"]')]
    assert sums and all(re.search(r"\d", s) for s in sums)
    assert doc.xpath('//article[@class="o-kanban-card"]'), "the demo pipeline has cards"


def test_the_pipeline_board_costs_a_bounded_number_of_statements(crm_web):
    client = crm_web.login_client()
    url = f"/web/action/{crm_web.pipeline}"
    client.get(url)                                   # warm: registry, session, caches
    with count_queries(crm_web) as statements:
        reply = client.get(url)
    assert reply.status == 200
    few = len(statements)
    for index in range(40):                            # 40 more cards, spread over the stages
        make_opportunity(crm_web, name=f"Extra {index}",
                         stage_id=list(crm_web.stages.values())[index % 3])
    with count_queries(crm_web) as statements:
        reply = client.get(url)
    assert reply.status == 200
    assert len(statements) <= few + 2, statements[few:]
    assert len(statements) <= 45, len(statements)      # per unfolded column, not per card


def test_mark_lost_through_the_dialog_needs_a_reason(crm_web):
    lead_id = make_opportunity(crm_web)
    client = crm_web.login_client()
    page = client.get(f"/web/action/{crm_web.pipeline}/{lead_id}")
    doc = lxml_html.fromstring(page.text)
    button = doc.xpath('//button[normalize-space()="Mark Lost"]')[0]
    token = doc.xpath('//input[@name="csrf_token"]/@value')[0]
    reply = client.post(button.get("formaction"), {"csrf_token": token, "_button": button.get("value")})
    assert reply.status == 303
    dialog_url = reply.headers["Location"]
    dialog = client.get(dialog_url)
    if dialog.status == 303:
        dialog_url = dialog.headers["Location"]
        dialog = client.get(dialog_url)
    assert dialog.status == 200, dialog.text[:2000]
    doc = lxml_html.fromstring(dialog.text)
    cancel = doc.xpath('//a[contains(@class, "o-button-cancel")]/@href')
    assert cancel and f"/{lead_id}" in urllib.parse.unquote(cancel[0]), "Cancel leads back to the lead"
    token = doc.xpath('//form[@id="o-form"]//input[@name="csrf_token"]/@value')[0]
    apply_button = doc.xpath('//button[normalize-space()="Mark as Lost"]')[0]
    # without a reason: refused, the lead stays
    target = apply_button.get("formaction")
    reply = client.post(target, {"csrf_token": token, "_mode": "edit", "_button": apply_button.get("value"),
                                 "lost_reason_id": ""})
    assert reply.status in (200, 400, 422)
    with crm_web.env() as env:
        assert env["crm.lead"].browse(lead_id).active
    # with a reason: lost, and back on the lead
    reply = client.post(target, {"csrf_token": token, "_mode": "edit", "_button": apply_button.get("value"),
                                 "lost_reason_id": str(crm_web.reason), "lost_feedback": "Cheaper elsewhere"})
    assert reply.status == 303, reply.text[:2000]
    assert urllib.parse.unquote(reply.headers["Location"]).endswith(f"/{lead_id}"), "back on the lead"
    with crm_web.env() as env:
        lead = env["crm.lead"].with_context(active_test=False).browse(lead_id)
        assert not lead.active and lead.lost_reason_id.id == crm_web.reason and lead.won_status == "lost"


def test_a_drag_into_the_lost_column_is_refused_without_a_reason(crm_web):
    lead_id = make_opportunity(crm_web)
    client = crm_web.login_client()
    url = f"/web/action/{crm_web.pipeline}/kanban/json/move"
    reply = client.json(url, {"id": lead_id, "key": str(crm_web.stages["Lost"]), "query": ""})
    assert reply.status == 200
    answer = reply.json()
    assert "error" in answer and "lost reason" in answer["error"]["data"]["message"]
    with crm_web.env() as env:
        lead = env["crm.lead"].browse(lead_id)
        assert lead.active and lead.stage_id.name == "New"


@pytest.mark.parametrize("xmlid", ["crm.crm_lead_action_report", "crm.crm_lead_action_analysis",
                                   "crm.crm_lead_action_forecast", "crm.crm_phonecall_action_report"])
def test_the_analyses_render(crm_web, xmlid):
    with crm_web.env() as env:
        action = env.ref(xmlid).id
    client = crm_web.login_client()
    reply = client.get(f"/web/action/{action}")
    assert reply.status == 200, reply.text[:2000]
    assert "<svg" in reply.text or "o-pivot" in reply.text


@pytest.mark.parametrize("view_type", ["list", "calendar", "pivot", "graph"])
def test_every_view_of_the_pipeline_renders(crm_web, view_type):
    make_opportunity(crm_web, date_deadline="2030-05-14", name="Closing in May")
    client = crm_web.login_client()
    reply = client.get(f"/web/action/{crm_web.pipeline}?view_type={view_type}")
    assert reply.status == 200, reply.text[:2000]
    if view_type == "list":
        assert "Closing in May" in reply.text


def test_the_calendar_shows_the_expected_closings(crm_web):
    make_opportunity(crm_web, date_deadline="2030-05-14", name="Closing in May")
    client = crm_web.login_client()
    reply = client.get(f"/web/action/{crm_web.pipeline}?view_type=calendar&date=2030-05-14")
    assert reply.status == 200 and "Closing in May" in reply.text


def test_the_refused_drag_offers_the_lost_dialog(crm_web):
    lead_id = make_opportunity(crm_web)
    client = crm_web.login_client()
    answer = client.json(f"/web/action/{crm_web.pipeline}/kanban/json/move",
                         {"id": lead_id, "key": str(crm_web.stages["Lost"]), "query": ""}).json()
    data = answer["error"]["data"]
    assert data["name"] == "odoo.exceptions.RedirectWarning"
    message, action_id, label, context = data["arguments"]
    with crm_web.env() as env:
        assert action_id == env.ref("crm.crm_lead_lost_action").id
    assert label == "Mark Lost" and context["active_ids"] == [lead_id]


def test_a_card_shows_the_state_of_its_next_activity(crm_web):
    import datetime
    lead_id = make_opportunity(crm_web, name="With a late call")
    with crm_web.env() as env:
        env["crm.lead"].browse(lead_id).activity_schedule(
            "mail.mail_activity_data_call", summary="Call back",
            date_deadline=datetime.date.today() - datetime.timedelta(days=3))
    doc = lxml_html.fromstring(crm_web.login_client().get(f"/web/action/{crm_web.pipeline}").text)
    card = doc.xpath(f'//article[@data-id="{lead_id}"]')[0]
    dot = card.xpath('.//span[contains(@class, "o-activity-state")]')[0]
    assert "o-activity-overdue" in dot.get("class") and dot.get("title") == "Overdue"
