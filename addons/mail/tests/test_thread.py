"""mail.thread: the creation log, message_post, attachments, message_new / message_update,
the mixin's fields and the unlink cascade (SQLite or PostgreSQL, real database)."""
import re

import pytest

from core import Command
from core.exceptions import ValidationError


def _messages(env, record):
    return env["mail.message"].search([("model", "=", record._name), ("res_id", "=", record.id)])


# ---------------------------------------------------------------- create
def test_create_logs_a_note_and_subscribes_the_creator(env):
    ticket = env["test.mail.ticket"].create({"name": "Printer on fire"})
    message = _messages(env, ticket)
    assert len(message) == 1
    assert message.message_type == "notification"
    assert message.subtype_id == env.ref("mail.mt_note")
    assert message.is_internal is True
    assert "Test Ticket created" in message.body
    assert message.author_id == env.user.partner_id
    assert message.record_name == "Printer on fire"
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", message.message_id)
    assert ticket.message_ids == message
    assert ticket.has_message is True
    assert ticket.message_partner_ids == env.user.partner_id
    assert ticket.message_is_follower is True
    follower = ticket.message_follower_ids
    assert follower.partner_id == env.user.partner_id
    assert env.ref("mail.mt_comment") in follower.subtype_ids


@pytest.mark.parametrize("context, messages, followers", [
    ({"tracking_disable": True}, 0, 0),
    ({"mail_create_nolog": True}, 0, 1),
    ({"mail_create_nosubscribe": True}, 1, 0),
])
def test_create_context_keys(env, context, messages, followers):
    ticket = env["test.mail.ticket"].with_context(**context).create({"name": "Quiet"})
    assert len(_messages(env, ticket)) == messages
    assert len(ticket.message_follower_ids) == followers
    assert ticket.has_message is bool(messages)


def test_batch_create_costs_the_same_statements_for_10_or_100_records(env, count_statements):
    Ticket = env["test.mail.ticket"]
    Ticket.create([{"name": "warm-up"}])
    small = len(count_statements(lambda: Ticket.create([{"name": f"t{i}"} for i in range(10)])))
    created = []
    large = len(count_statements(lambda: created.append(Ticket.create([{"name": f"T{i}"} for i in range(100)]))))
    assert large == small, (small, large)
    assert large <= 10, large
    tickets = created[0]
    assert env["mail.message"].search_count([("model", "=", Ticket._name), ("res_id", "in", tickets.ids)]) == 100
    assert env["mail.followers"].search_count([("res_model", "=", Ticket._name),
                                               ("res_id", "in", tickets.ids)]) == 100
    # every follower got the default subtypes, and every message its own Message-ID
    followers = tickets.mapped("message_follower_ids")
    assert len(followers) == 100 and all(f.subtype_ids for f in followers)
    assert len(set(tickets.mapped("message_ids").mapped("message_id"))) == 100


# ---------------------------------------------------------------- message_post
def test_message_post_comment(env):
    ticket = env["test.mail.ticket"].create({"name": "Lost parcel"})
    customer = env["res.partner"].create({"name": "Ann Customer", "email": "ann@example.com"})
    parent = ticket.message_ids
    message = ticket.message_post(body="<p>Where is <b>it</b>?<script>alert(1)</script></p>",
                                  subject="Parcel", message_type="comment",
                                  subtype_xmlid="mail.mt_comment", partner_ids=[customer.id],
                                  parent_id=parent.id)
    assert message.model == "test.mail.ticket" and message.res_id == ticket.id
    assert message.subject == "Parcel"
    assert message.body == "<p>Where is <b>it</b>?</p>"
    assert message.preview == "Where is it ?"
    assert message.subtype_id == env.ref("mail.mt_comment") and not message.is_internal
    assert message.partner_ids == customer
    assert message.parent_id == parent
    assert message.author_id == env.user.partner_id
    assert message.email_from == env.user.partner_id.email_formatted
    assert message.message_id.startswith("<") and message.message_id.endswith(">")
    assert ticket.message_ids[0] == message        # newest first
    assert len(ticket.message_ids) == 2


def test_message_post_defaults_to_a_note_and_keeps_a_given_message_id(env):
    ticket = env["test.mail.ticket"].create({"name": "Note"})
    message = ticket.message_post(body="internal", message_id="<given@example.com>")
    assert message.subtype_id == env.ref("mail.mt_note") and message.is_internal
    assert message.message_type == "notification"
    assert message.message_id == "<given@example.com>"


def test_message_post_without_author_keeps_the_sender_as_written(env):
    ticket = env["test.mail.ticket"].create({"name": "From outside"})
    message = ticket.message_post(body="hello", message_type="email", author_id=False,
                                  email_from="Zoë Stranger <zoe@example.org>",
                                  subtype_xmlid="mail.mt_comment",
                                  to="support@example.com", in_reply_to=False)   # gateway keys: ignored
    assert not message.author_id
    assert message.email_from == "Zoë Stranger <zoe@example.org>"


def test_message_post_refuses_bad_arguments(env):
    ticket = env["test.mail.ticket"].create({"name": "Bad"})
    with pytest.raises(ValueError, match="unknown argument 'colour'"):
        ticket.message_post(body="x", colour="red")
    with pytest.raises(ValueError, match="unknown message_type 'letter'"):
        ticket.message_post(body="x", message_type="letter")
    with pytest.raises(ValueError, match="Unknown message subtype 'mail.mt_nothing'"):
        ticket.message_post(body="x", subtype_xmlid="mail.mt_nothing")
    with pytest.raises(ValueError, match="an attachment is"):
        ticket.message_post(body="x", attachments=["just a name"])


def test_message_post_attachments(env):
    ticket = env["test.mail.ticket"].create({"name": "With files"})
    loose = env["ir.attachment"].create({"name": "loose.txt", "raw": b"loose"})
    message = ticket.message_post(
        body="see attached", attachment_ids=[loose.id],
        attachments=[("report.txt", b"numbers"),
                     ("logo.png", b"\x89PNG\r\n\x1a\nxxxx", {"mimetype": "image/png", "cid": "logo@x"})])
    attachments = message.attachment_ids
    assert sorted(attachments.mapped("name")) == ["logo.png", "loose.txt", "report.txt"]
    assert set(attachments.mapped("res_model")) == {"test.mail.ticket"}
    assert set(attachments.mapped("res_id")) == {ticket.id}
    report = attachments.filtered(lambda a: a.name == "report.txt")
    logo = attachments.filtered(lambda a: a.name == "logo.png")
    assert report.raw == b"numbers"
    assert logo.mimetype == "image/png" and logo.description == "cid:logo@x"
    assert ticket.message_attachment_count == 3


# ---------------------------------------------------------------- gateway entry points
def test_message_new_and_message_update(env):
    partner = env["res.partner"].create({"name": "Sender", "email": "sender@example.com"})
    msg_dict = {"subject": "Broken screen", "email_from": "Sender <sender@example.com>",
                "author_id": partner.id, "body": "<p>it broke</p>"}
    ticket = env["test.mail.ticket"].message_new(msg_dict, custom_values={"priority": 3})
    assert ticket.name == "Broken screen"
    assert ticket.email_from == "Sender <sender@example.com>"
    assert ticket.partner_id == partner
    assert ticket.priority == 3
    no_subject = env["test.mail.ticket"].message_new({"email_from": "x@example.com", "author_id": False})
    assert no_subject.name == "No Subject" and not no_subject.partner_id
    assert ticket.message_update(msg_dict, update_vals={"stage": "open"}) is True
    assert ticket.stage == "open"


# ---------------------------------------------------------------- mixin fields
def test_searching_through_the_mixin_fields(env):
    Ticket = env["test.mail.ticket"]
    chatty = Ticket.create({"name": "chatty"})
    silent = Ticket.with_context(tracking_disable=True).create({"name": "silent"})
    partner = env["res.partner"].create({"name": "Follower", "email": "f@example.com"})
    chatty.message_subscribe([partner.id])
    mine = [("id", "in", [chatty.id, silent.id])]
    assert Ticket.search(mine + [("has_message", "=", True)]) == chatty
    assert Ticket.search(mine + [("has_message", "=", False)]) == silent
    assert Ticket.search(mine + [("message_partner_ids", "in", [partner.id])]) == chatty
    assert Ticket.search(mine + [("message_is_follower", "=", True)]) == chatty
    assert Ticket.search(mine + [("message_ids", "in", chatty.message_ids.ids)]) == chatty
    assert silent.message_attachment_count == 0 and not silent.message_ids


# ---------------------------------------------------------------- unlink
def test_unlink_removes_messages_followers_tracking_and_attachments(env):
    ticket = env["test.mail.ticket"].create({"name": "Doomed"})
    other = env["test.mail.ticket"].create({"name": "Survivor"})
    ticket.write({"stage": "open"})
    ticket.message_post(body="bye", attachments=[("a.txt", b"a")])
    message_ids = ticket.message_ids.ids
    tracking = env["mail.tracking.value"].search([("mail_message_id", "in", message_ids)])
    assert tracking and len(message_ids) == 3
    ticket.unlink()
    assert not env["mail.message"].browse(message_ids).exists()
    assert not tracking.exists()
    assert not env["mail.followers"].search([("res_model", "=", "test.mail.ticket"), ("res_id", "=", ticket.id)])
    assert not env["ir.attachment"].search([("res_model", "=", "test.mail.ticket"), ("res_id", "=", ticket.id)])
    assert len(other.message_ids) == 1 and other.message_follower_ids


def test_message_body_is_sanitised_on_write_too(env):
    ticket = env["test.mail.ticket"].create({"name": "Edit"})
    message = ticket.message_post(body="first")
    message.write({"body": '<p onclick="steal()">second<iframe src="x"></iframe></p>'})
    assert message.body == "<p>second</p>"
    assert message.preview == "second"


def test_duplicate_follower_is_refused_by_the_database(env):
    ticket = env["test.mail.ticket"].create({"name": "Once"})
    with pytest.raises(ValidationError):
        env["mail.followers"].create({"res_model": ticket._name, "res_id": ticket.id,
                                      "partner_id": env.user.partner_id.id,
                                      "subtype_ids": [Command.set([env.ref("mail.mt_comment").id])]})
