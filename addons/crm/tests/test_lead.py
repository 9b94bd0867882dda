"""crm.lead: stages and probability, won / lost / restore, duplicates, teams."""
import pytest

from core.exceptions import UserError
from tests.support.sql import statements_of


def stage(env, xmlid):
    return env.ref(f"crm.{xmlid}")


@pytest.fixture
def lead(env):
    return env["crm.lead"].create({"name": "Office chairs", "type": "opportunity",
                                   "expected_revenue": 12000.0})


def test_new_opportunity_starts_in_the_first_stage_with_its_probability(env, lead):
    assert lead.stage_id == stage(env, "stage_lead1")
    assert lead.probability == 10.0 and lead.automated_probability == 10.0
    assert lead.is_automated_probability
    assert lead.prorated_revenue == pytest.approx(1200.0)
    assert lead.won_status == "pending"
    assert lead.date_conversion


def test_probability_follows_the_stage_until_set_by_hand(env, lead):
    lead.stage_id = stage(env, "stage_lead3")
    assert lead.probability == 70.0 and lead.prorated_revenue == pytest.approx(8400.0)
    lead.probability = 55.0
    assert not lead.is_automated_probability
    lead.stage_id = stage(env, "stage_lead2")
    assert lead.probability == 55.0, "a probability set by hand stays when the stage changes"
    assert lead.automated_probability == 30.0
    lead.probability = 30.0                      # back to the automated value: follows again
    lead.stage_id = stage(env, "stage_lead3")
    assert lead.probability == 70.0


def test_stage_change_stamps_the_date(env, lead):
    env.cr.execute_sql = None if False else None
    before = lead.date_last_stage_update
    lead.write({"date_last_stage_update": "2020-01-01 00:00:00"})
    lead.stage_id = stage(env, "stage_lead2")
    assert lead.date_last_stage_update > before.replace(year=2020)


def test_won(env, lead):
    lead.action_set_won()
    assert lead.stage_id == stage(env, "stage_lead4")
    assert lead.probability == 100.0 and lead.won_status == "won" and lead.date_closed
    assert lead.prorated_revenue == pytest.approx(12000.0)


def test_lost_needs_a_reason(env, lead):
    with pytest.raises(UserError, match="lost reason"):
        lead.action_set_lost()
    assert lead.active and lead.probability == 10.0


def test_lost_with_a_reason_archives_and_restore_brings_it_back(env, lead):
    reason = env.ref("crm.lost_reason_too_expensive")
    lead.action_set_lost(lost_reason_id=reason.id, lost_feedback="<p>Chose the cheaper offer</p>")
    assert not lead.active and lead.probability == 0.0 and lead.lost_reason_id == reason
    assert lead.won_status == "lost" and lead.date_closed
    assert lead.stage_id == stage(env, "stage_lead5")
    assert lead in env["crm.lead"].search([("won_status", "=", "lost"), ("active", "=", False)])
    lead.action_restore()
    assert lead.active and not lead.lost_reason_id and not lead.date_closed
    assert lead.stage_id == stage(env, "stage_lead1") and lead.probability == 10.0
    assert lead.won_status == "pending"


def test_moving_to_the_lost_stage_needs_a_reason_in_the_same_write(env, lead):
    lost = stage(env, "stage_lead5")
    with pytest.raises(UserError, match="lost reason"):
        lead.write({"stage_id": lost.id})
    lead.invalidate_recordset()
    assert lead.stage_id == stage(env, "stage_lead1") and lead.active
    reason = env.ref("crm.lost_reason_no_answer")
    lead.write({"stage_id": lost.id, "lost_reason_id": reason.id})
    assert not lead.active and lead.probability == 0.0 and lead.won_status == "lost"


def test_creating_in_the_lost_stage_needs_a_reason(env):
    with pytest.raises(UserError, match="lost reason"):
        env["crm.lead"].create({"name": "x", "type": "opportunity", "stage_id": stage(env, "stage_lead5").id})


def test_lost_wizard_requires_the_reason_and_applies_it(env, lead):
    wizard = env["crm.lead.lost"].with_context(active_model="crm.lead", active_ids=lead.ids).create(
        {"lost_reason_id": env.ref("crm.lost_reason_competitor").id})
    assert wizard.lead_ids == lead
    wizard.action_lost_reason_apply()
    assert lead.won_status == "lost"


def test_duplicates_by_normalised_email_and_phone(env):
    Lead = env["crm.lead"]
    first = Lead.create({"name": "A", "email_from": "Anna Berg <ANNA@Example.com>", "phone": "+49 30 1234-56"})
    by_email = Lead.create({"name": "B", "email_from": "anna@example.com"})
    by_phone = Lead.create({"name": "C", "phone": "+49 (30) 123456"})
    other = Lead.create({"name": "D", "email_from": "bob@example.com", "phone": "0301234"})
    assert first.email_normalized == "anna@example.com" and first.phone_sanitized == "+4930123456"
    assert set(first.duplicate_lead_ids.ids) == {by_email.id, by_phone.id}
    assert first.duplicate_lead_count == 2
    assert by_email.duplicate_lead_ids == first
    assert not other.duplicate_lead_ids


def test_partner_fills_the_contact_fields(env):
    company = env["res.partner"].create({"name": "Berg GmbH", "is_company": True})
    contact = env["res.partner"].create({"name": "Anna Berg", "parent_id": company.id,
                                         "email": "anna@berg.example", "phone": "+49 30 1"})
    lead = env["crm.lead"].create({"name": "Chairs", "partner_id": contact.id})
    assert (lead.partner_name, lead.contact_name, lead.email_from, lead.phone) == \
        ("Berg GmbH", "Anna Berg", "anna@berg.example", "+49 30 1")
    assert contact.opportunity_count == (1 if lead.type == "opportunity" else 0)


def test_team_follows_the_salesperson(env, sales_users):
    salesman, other, leader, manager, team = sales_users
    lead = env["crm.lead"].create({"name": "Desk", "user_id": salesman.id})
    assert lead.team_id == team
    assert lead.date_open


def test_default_type_is_lead_for_users_who_use_leads(env):
    assert env["crm.lead"].create({"name": "x"}).type == "lead"
    assert env["crm.lead"].with_context(default_type="opportunity").create({"name": "y"}).type == "opportunity"


def test_creating_many_leads_costs_no_query_per_lead(env):
    """Team and stage defaults are searched once per batch, not once per lead."""
    admin = env.ref("base.user_admin")
    Lead = env["crm.lead"].with_user(admin)

    def statements(count):
        with statements_of(env.registry.engine) as seen:
            Lead.create([{"name": f"L{i}", "type": "opportunity", "email_from": f"c{i}@bulk.test",
                          "expected_revenue": 10.0 * i, "user_id": admin.id} for i in range(count)])
            env.flush_all()
        return len(seen)

    statements(3)
    assert statements(100) <= statements(10) + 2


def test_the_callers_values_are_left_untouched(env, lead):
    values = {"stage_id": env.ref("crm.stage_lead4").id}
    lead.write(values)
    assert values == {"stage_id": env.ref("crm.stage_lead4").id}, "no probability or date added to it"
    new = {"name": "Fresh", "type": "opportunity"}
    env["crm.lead"].create([new])
    assert new == {"name": "Fresh", "type": "opportunity"}
