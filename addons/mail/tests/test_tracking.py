"""Field tracking: old → new values of fields declared ``tracking=True`` in one message
per record and write, typed values, batches at a bounded number of statements."""
import datetime

import pytest


@pytest.fixture
def ticket(env):
    return env["test.mail.ticket"].create({"name": "Tracked", "amount": 10.0})


def _tracking_messages(record):
    return record.message_ids.filtered(lambda m: m.tracking_value_ids)


def _only_value(record, field_name):
    message = _tracking_messages(record)
    assert len(message) == 1
    value = message.tracking_value_ids
    assert len(value) == 1 and value.field_name == field_name
    return message, value


def test_char(env, ticket):
    ticket.write({"name": "Renamed"})
    message, value = _only_value(ticket, "name")
    assert message.message_type == "notification" and message.is_internal
    assert message.subtype_id == env.ref("mail.mt_note")
    assert message.author_id == env.user.partner_id
    assert (value.field_desc, value.field_type) == ("Name", "char")
    assert (value.old_value_char, value.new_value_char) == ("Tracked", "Renamed")


def test_many2one_keeps_id_and_display_name(env, ticket):
    anna = env["res.partner"].create({"name": "Anna"})
    bert = env["res.partner"].create({"name": "Bert"})
    ticket.write({"partner_id": anna.id})
    ticket.write({"partner_id": bert.id})
    ticket.write({"partner_id": False})
    values = _tracking_messages(ticket).sorted("id").mapped("tracking_value_ids")
    assert [(v.old_value_integer, v.old_value_char, v.new_value_integer, v.new_value_char) for v in values] == [
        (0, False, anna.id, "Anna"), (anna.id, "Anna", bert.id, "Bert"), (bert.id, "Bert", 0, False)]
    assert values[0].field_type == "many2one" and values[0].field_desc == "Customer"
    # the name at the time of the change stays when the partner is renamed later
    anna.name = "Anna Renamed"
    assert values[0].new_value_char == "Anna"


def test_many2one_to_users(env, ticket):
    demo = env.ref("base.user_demo")
    ticket.write({"user_id": demo.id})
    _message, value = _only_value(ticket, "user_id")
    assert (value.new_value_integer, value.new_value_char) == (demo.id, demo.display_name)


def test_selection_logs_labels(env, ticket):
    ticket.write({"stage": "open"})
    _message, value = _only_value(ticket, "stage")
    assert (value.old_value_char, value.new_value_char) == ("New", "In Progress")


def test_float(env, ticket):
    ticket.write({"amount": 12.5})
    _message, value = _only_value(ticket, "amount")
    assert (value.old_value_float, value.new_value_float) == (10.0, 12.5)
    assert value._format_values()[0]["new"] == "12.50"


def test_date(env, ticket):
    ticket.write({"deadline": datetime.date(2024, 5, 17)})
    _message, value = _only_value(ticket, "deadline")
    assert not value.old_value_datetime
    assert value.new_value_datetime == datetime.datetime(2024, 5, 17)
    assert value._format_values()[0] == {
        "id": value.id, "field_name": "deadline", "field_desc": "Deadline", "field_type": "date",
        "old": "", "new": "2024-05-17"}


def test_one_message_per_write_with_every_changed_field(env, ticket):
    partner = env["res.partner"].create({"name": "Carla"})
    ticket.write({"name": "Both", "stage": "done", "partner_id": partner.id, "amount": 10.0,
                  "priority": 5})
    message = _tracking_messages(ticket)
    assert len(message) == 1
    # amount did not change and priority is not tracked
    assert sorted(message.tracking_value_ids.mapped("field_name")) == ["name", "partner_id", "stage"]


def test_nothing_is_logged_for_untracked_or_unchanged_fields(env, ticket):
    before = len(ticket.message_ids)
    ticket.write({"priority": 3, "description": "longer text"})
    ticket.write({"name": "Tracked", "amount": 10.0})
    assert len(ticket.message_ids) == before


def test_mail_notrack_and_tracking_disable(env, ticket):
    before = len(ticket.message_ids)
    ticket.with_context(mail_notrack=True).write({"name": "silent 1"})
    ticket.with_context(tracking_disable=True).write({"name": "silent 2"})
    assert len(ticket.message_ids) == before
    assert ticket.name == "silent 2"


def test_batch_write_on_100_records(env, count_statements):
    Ticket = env["test.mail.ticket"]
    anna = env["res.partner"].create({"name": "Anna"})
    small = Ticket.create([{"name": f"s{i}", "amount": i} for i in range(10)])
    large = Ticket.create([{"name": f"l{i}", "amount": i} for i in range(100)])
    env.invalidate_all()   # the old values must be read from the database, in one pass
    vals = {"stage": "open", "partner_id": anna.id, "amount": 1000.0}
    statements_small = count_statements(lambda: small.write(vals))
    env.invalidate_all()
    statements_large = count_statements(lambda: large.write(vals))
    assert len(statements_large) == len(statements_small), (statements_small, statements_large)
    assert len(statements_large) <= 12, statements_large
    messages = env["mail.message"].search([("model", "=", Ticket._name), ("res_id", "in", large.ids),
                                           ("tracking_value_ids", "!=", False)])
    assert len(messages) == 100
    assert sorted(messages.mapped("res_id")) == sorted(large.ids)
    values = messages.mapped("tracking_value_ids")
    assert len(values) == 300
    amounts = {v.mail_message_id.res_id: v.old_value_float for v in values if v.field_name == "amount"}
    assert amounts == {ticket.id: float(i) for i, ticket in enumerate(large)}


def test_a_refused_write_logs_nothing(env, ticket):
    from core.exceptions import ValidationError
    before = len(ticket.message_ids)
    with pytest.raises(ValidationError):
        ticket.write({"name": False})      # required
    assert len(ticket.message_ids) == before
