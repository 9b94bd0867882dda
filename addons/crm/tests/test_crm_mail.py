"""Leads by email, and the won / lost rules over the external API."""
import xmlrpc.client

import pytest

from addons.mail.tests.messages import DOMAIN, Gateway, compose
from core.api import SUPERUSER_ID, Environment

from .conftest import make_user  # noqa: F401


@pytest.fixture
def gateway(crm_registry):
    gateway = Gateway(crm_registry)
    gateway.run(lambda env: env["ir.config_parameter"].set_param("mail.catchall.domain", DOMAIN))
    return gateway


def test_mail_to_the_sales_alias_creates_a_lead_and_the_reply_lands_on_it(gateway):
    raw = compose(subject="Angebot für 40 Bürostühle", body="Guten Tag,\nbitte ein Angebot.",
                  sender="Jana Roth <jana.roth@kunde.example>", to=f"sales@{DOMAIN}",
                  message_id="<first-request@kunde.example>")
    row = gateway.row(gateway.deliver(raw)["id"])
    assert row["status"] == "processed", row["error"]
    assert row["res_model"] == "crm.lead"
    lead_id = row["res_id"]

    def check(env):
        lead = env["crm.lead"].browse(lead_id)
        assert (lead.name, lead.type, lead.contact_name) == ("Angebot für 40 Bürostühle", "lead", "Jana Roth")
        assert lead.email_normalized == "jana.roth@kunde.example" and not lead.user_id
        assert lead.team_id == env.ref("crm.team_sales_department")
        assert lead.medium_id == env.ref("utm.utm_medium_email")
        assert "bitte ein Angebot" in lead.description
        assert lead.message_received_count == 1
        return lead.message_ids.filtered(lambda m: m.message_type == "email").message_id
    first_message_id = gateway.run(check)
    assert first_message_id == "<first-request@kunde.example>"

    reply = compose(subject="Re: Angebot für 40 Bürostühle", body="Noch eine Frage zur Lieferzeit.",
                    sender="Jana Roth <jana.roth@kunde.example>", to=f"sales@{DOMAIN}",
                    in_reply_to=first_message_id, message_id="<second@kunde.example>")
    row = gateway.row(gateway.deliver(reply)["id"])
    assert row["status"] == "processed" and (row["res_model"], row["res_id"]) == ("crm.lead", lead_id)
    assert gateway.count("crm.lead", [("email_normalized", "=", "jana.roth@kunde.example")]) == 1
    assert gateway.run(lambda env: env["crm.lead"].browse(lead_id).message_received_count) == 2


def test_a_salesperson_writing_to_the_customer_counts_as_first_contact(env):
    lead = env["crm.lead"].create({"name": "Chairs", "type": "opportunity", "email_from": "c@kunde.example"})
    assert not lead.date_first_contact
    lead.with_user(env.ref("base.user_admin")).message_post(body="Hello", message_type="comment",
                                                           subtype_xmlid="mail.mt_comment")
    assert lead.message_sent_count == 1 and lead.date_first_contact
    assert lead.days_to_first_contact >= 0.0
    lead.message_post(body="note", message_type="comment", subtype_xmlid="mail.mt_note")
    assert lead.message_sent_count == 1, "internal notes are not sent to the customer"


def test_campaign_revenue_from_won_opportunities(env):
    campaign = env["utm.campaign"].create({"name": "Fair 2027"})
    Lead = env["crm.lead"].with_context(default_type="opportunity")
    won = Lead.create({"name": "A", "campaign_id": campaign.id, "expected_revenue": 1000})
    Lead.create({"name": "B", "campaign_id": campaign.id, "expected_revenue": 5000})
    won.action_set_won()
    assert campaign.crm_lead_count == 2 and campaign.crm_won_revenue == 1000


def test_tracking_of_stage_salesperson_and_revenue(env):
    lead = env["crm.lead"].create({"name": "Desks", "type": "opportunity", "expected_revenue": 100})
    lead.write({"stage_id": env.ref("crm.stage_lead2").id, "expected_revenue": 250})
    last = lead.message_ids.filtered(lambda m: m.tracking_value_ids)[:1]
    changed = set(last.tracking_value_ids.mapped("field_name"))
    assert {"stage_id", "expected_revenue"} <= changed


@pytest.fixture
def rpc_crm(start_web_server):
    server = start_web_server(addons=("crm",))
    with server.env() as env:
        lead = env["crm.lead"].create({"name": "RPC deal", "type": "opportunity"})
        server.lead_id = lead.id
        server.lost_stage = env.ref("crm.stage_lead5").id
        server.reason = env.ref("crm.lost_reason_no_need").id
    return server


def test_lost_over_xmlrpc_needs_a_reason_too(rpc_crm):
    from tests.support.web import ADMIN_PASSWORD
    common = xmlrpc.client.ServerProxy(f"{rpc_crm.url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{rpc_crm.url}/xmlrpc/2/object")
    db = rpc_crm.manager.db_name
    uid = common.authenticate(db, "admin", ADMIN_PASSWORD, {})
    call = lambda method, *args, **kw: models.execute_kw(db, uid, ADMIN_PASSWORD, "crm.lead", method,  # noqa: E731
                                                         list(args), kw)
    with pytest.raises(xmlrpc.client.Fault, match="lost reason"):
        call("action_set_lost", [rpc_crm.lead_id])
    with pytest.raises(xmlrpc.client.Fault, match="lost reason"):
        call("write", [rpc_crm.lead_id], {"stage_id": rpc_crm.lost_stage})
    assert call("read", [rpc_crm.lead_id], fields=["active"])[0]["active"] is True
    assert call("action_set_lost", [rpc_crm.lead_id], lost_reason_id=rpc_crm.reason) is True
    lead = call("read", [rpc_crm.lead_id], fields=["active", "won_status", "lost_reason_id"])[0]
    assert lead["active"] is False and lead["won_status"] == "lost" and lead["lost_reason_id"][0] == rpc_crm.reason
