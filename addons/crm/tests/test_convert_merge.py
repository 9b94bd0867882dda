"""Qualification: converting leads (and their customer), merging duplicates."""
import base64

import pytest

from core import Command
from core.exceptions import UserError


@pytest.fixture
def lead(env):
    return env["crm.lead"].create({
        "name": "Website request: 40 chairs", "type": "lead", "partner_name": "Berg GmbH",
        "contact_name": "Anna Berg", "email_from": "Anna.Berg@convert.test", "phone": "+49 30 1",
        "city": "Berlin", "function": "Buyer"})


def test_convert_creates_the_company_and_the_contact_once(env, lead):
    partners_before = env["res.partner"].search_count([])
    lead._handle_partner_assignment(create_missing=True)
    lead.convert_opportunity(lead.partner_id)
    contact = lead.partner_id
    assert (contact.name, contact.parent_id.name, contact.email, contact.function) == \
        ("Anna Berg", "Berg GmbH", "Anna.Berg@convert.test", "Buyer")
    assert contact.parent_id.is_company and contact.city == "Berlin"
    assert env["res.partner"].search_count([]) == partners_before + 2
    assert lead.type == "opportunity" and lead.date_conversion
    assert lead.stage_id == env.ref("crm.stage_lead1")
    lead._handle_partner_assignment(create_missing=True)          # again: nothing new
    assert env["res.partner"].search_count([]) == partners_before + 2


def test_convert_links_the_partner_found_by_email(env, lead):
    anna = env["res.partner"].create({"name": "A. Berg", "email": "anna.berg@CONVERT.test"})
    partners_before = env["res.partner"].search_count([])
    wizard = env["crm.lead2opportunity.partner"].with_context(active_model="crm.lead",
                                                                active_ids=lead.ids).create({})
    assert wizard.partner_id == anna and wizard.action == "exist"
    wizard.action_apply()
    assert lead.partner_id == anna and lead.type == "opportunity"
    assert env["res.partner"].search_count([]) == partners_before


def test_convert_without_customer_when_asked(env, lead):
    wizard = env["crm.lead2opportunity.partner"].with_context(active_model="crm.lead", active_ids=lead.ids) \
        .create({"action": "nothing"})
    wizard.action_apply()
    assert lead.type == "opportunity" and not lead.partner_id


def test_link_to_an_existing_customer_needs_one(env, lead):
    wizard = env["crm.lead2opportunity.partner"].with_context(active_model="crm.lead", active_ids=lead.ids) \
        .create({"action": "exist", "partner_id": False})
    with pytest.raises(UserError, match="existing customer"):
        wizard.action_apply()


def test_convert_assigns_salespeople_in_turn(env):
    users = env["res.users"].search([], limit=2)
    leads = env["crm.lead"].create([{"name": f"L{i}", "type": "lead"} for i in range(4)])
    leads.convert_opportunity(False, user_ids=users.ids)
    assert [lead.user_id.id for lead in leads] == [users[0].id, users[1].id, users[0].id, users[1].id]


def attach(env, lead, name):
    return env["ir.attachment"].create({"name": name, "res_model": "crm.lead", "res_id": lead.id,
                                        "datas": base64.b64encode(b"content of " + name.encode())})


def test_merge_keeps_the_most_advanced_and_moves_everything(env, lead):
    Lead = env["crm.lead"]
    tag_a, tag_b = env["crm.tag"].create([{"name": "chairs"}, {"name": "urgent"}])
    opportunity = Lead.create({"name": "Chairs for Berg", "type": "opportunity", "email_from": "anna.berg@convert.test",
                               "stage_id": env.ref("crm.stage_lead3").id, "tag_ids": [Command.set(tag_a.ids)],
                               "description": "<p>first talk</p>"})
    lead.write({"tag_ids": [Command.set(tag_b.ids)], "description": "<p>web form</p>", "expected_revenue": 900})
    messages = env["mail.message"].create([
        {"model": "crm.lead", "res_id": lead.id, "body": "<p>from the lead</p>", "message_type": "comment"},
        {"model": "crm.lead", "res_id": opportunity.id, "body": "<p>from the opportunity</p>",
         "message_type": "comment"}])
    files = attach(env, lead, "brief.pdf") | attach(env, opportunity, "offer.pdf")
    activity = lead.activity_schedule("mail.mail_activity_data_call", summary="Call back Anna")
    call = env["crm.phonecall"].create({"name": "First call", "opportunity_id": lead.id, "state": "done"})
    follower = env["res.partner"].create({"name": "Watcher", "email": "watcher@convert.test"})
    lead.message_subscribe(partner_ids=follower.ids)

    survivor = (lead | opportunity).merge_opportunity()

    assert survivor == opportunity and not lead.exists()
    assert survivor.partner_name == "Berg GmbH" and survivor.contact_name == "Anna Berg"
    assert survivor.expected_revenue == 900
    assert set(survivor.tag_ids.ids) == {tag_a.id, tag_b.id}
    assert "first talk" in survivor.description and "web form" in survivor.description
    assert all((m.model, m.res_id) == ("crm.lead", survivor.id) for m in messages)
    assert set(files.mapped("res_id")) == {survivor.id}
    assert (activity.res_model, activity.res_id) == ("crm.lead", survivor.id)
    assert call.opportunity_id == survivor
    assert follower in survivor.message_partner_ids
    followers = env["mail.followers"].search([("res_model", "=", "crm.lead"), ("res_id", "=", survivor.id)])
    assert len(followers) == len(set(followers.mapped("partner_id").ids)), "no follower twice"


def test_merge_needs_two(env, lead):
    with pytest.raises(UserError, match="at least two"):
        lead.merge_opportunity()


def test_convert_wizard_proposes_merging_open_duplicates(env, lead):
    older = env["crm.lead"].create({"name": "Older request", "type": "opportunity",
                                    "email_from": "anna.berg@convert.test"})
    wizard = env["crm.lead2opportunity.partner"].with_context(active_model="crm.lead",
                                                                active_ids=lead.ids).create({})
    assert wizard.name == "merge" and set(wizard.duplicated_lead_ids.ids) == {lead.id, older.id}
    result = wizard.action_apply()
    assert result["res_id"] == older.id and not lead.exists()
    assert older.type == "opportunity" and older.partner_id.name == "Anna Berg"
