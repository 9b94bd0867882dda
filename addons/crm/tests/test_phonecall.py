"""Phone calls: held / not held / scheduled, the next call, conversion, the counters."""
from datetime import timedelta

import pytest

from core import fields
from core.exceptions import AccessError, UserError


@pytest.fixture
def customer(env):
    return env["res.partner"].create({"name": "Berg GmbH", "is_company": True, "phone": "+49 30 1"})


def test_marking_held_stamps_the_close_and_the_duration(env, customer):
    call = env["crm.phonecall"].create({"name": "Offer follow-up", "partner_id": customer.id,
                                        "date": fields.Datetime.now() - timedelta(minutes=12)})
    assert call.state == "open" and call.partner_phone == "+49 30 1" and call.is_overdue
    call.action_held()
    assert call.state == "done" and call.date_closed and not call.is_overdue
    assert 11.5 <= call.duration <= 13


def test_a_typed_duration_is_kept(env, customer):
    call = env["crm.phonecall"].create({"name": "Quick", "partner_id": customer.id, "duration": 3.0})
    call.action_held()
    assert call.duration == 3.0


def test_schedule_another_call(env, customer):
    lead = env["crm.lead"].create({"name": "Chairs", "type": "opportunity", "partner_id": customer.id})
    call = env["crm.phonecall"].create({"name": "First", "opportunity_id": lead.id, "state": "done"})
    assert call.partner_id == customer, "the call takes the lead's customer"
    tomorrow = fields.Datetime.now() + timedelta(days=1)
    nxt = call.schedule_another_phonecall(schedule_time=tomorrow, call_summary="Second")
    assert (nxt.name, nxt.state, nxt.opportunity_id, nxt.partner_id) == ("Second", "open", lead, customer)
    logged = call.schedule_another_phonecall(action="log")
    assert logged.state == "done" and logged.date_closed
    assert lead.phonecall_count == 3 and customer.phonecall_count == 3


def test_convert_a_call_to_an_opportunity(env, customer):
    call = env["crm.phonecall"].create({"name": "Wants 40 chairs", "partner_id": customer.id,
                                        "direction": "in", "description": "call back Monday"})
    action = call.action_button_convert2opportunity()
    lead = env["crm.lead"].browse(action["res_id"])
    assert (lead.type, lead.name, lead.partner_id) == ("opportunity", "Wants 40 chairs", customer)
    assert call.opportunity_id == lead
    with pytest.raises(UserError, match="already belongs"):
        call.action_button_convert2opportunity()


def test_overdue_search(env):
    Call = env["crm.phonecall"]
    late = Call.create({"name": "late", "date": fields.Datetime.now() - timedelta(hours=2)})
    later = Call.create({"name": "later", "date": fields.Datetime.now() + timedelta(hours=2)})
    held = Call.create({"name": "held", "date": fields.Datetime.now() - timedelta(hours=2), "state": "done"})
    mine = [("id", "in", (late | later | held).ids)]
    assert Call.search(mine + [("is_overdue", "=", True)]) == late
    assert set(Call.search(mine + [("is_overdue", "=", False)]).mapped("name")) == {"later", "held"}


def test_log_a_call_from_a_lead_opens_a_held_call_on_it(env, customer):
    lead = env["crm.lead"].create({"name": "Chairs", "type": "opportunity", "partner_id": customer.id})
    action = lead.action_log_call()
    call = env["crm.phonecall"].with_context(**action["context"]).create({"name": "Called"})
    assert (call.opportunity_id, call.partner_id, call.state) == (lead, customer, "done")
    action = customer.action_log_call()
    assert action["context"]["default_partner_id"] == customer.id


def test_salespeople_see_their_own_calls(env, sales_users):
    salesman, other = sales_users[0], sales_users[1]
    Call = env["crm.phonecall"]
    mine = Call.create({"name": "mine", "user_id": salesman.id})
    theirs = Call.create({"name": "theirs", "user_id": other.id})
    assert Call.with_user(salesman).search([("id", "in", [mine.id, theirs.id])]) == mine
    with pytest.raises(AccessError):
        theirs.with_user(salesman).write({"name": "x"})
