"""Notifications: posting tells the followers by queued mail.mail rows with the right
headers, delivered by the queue to a real SMTP server; and who may read which message."""
import pytest

from core.exceptions import AccessError

from ..tools import parse_reply_address


@pytest.fixture
def catchall(env):
    params = env["ir.config_parameter"].sudo()
    params.set_param("mail.catchall.domain", "tickets.example.com")
    params.set_param("mail.catchall.alias", "catchall")
    return "tickets.example.com"


@pytest.fixture
def people(env):
    Partner = env["res.partner"]
    return {
        "ann": Partner.create({"name": "Ann", "email": "ann@example.com"}),
        "bob": Partner.create({"name": "Bob", "email": "bob@example.com"}),
        "mute": Partner.create({"name": "No Address"}),
        "author": Partner.create({"name": "Writer", "email": "writer@example.com"}),
    }


def _mails(env, message):
    return env["mail.mail"].search([("mail_message_id", "=", message.id)], order="id")


def test_comment_mails_followers_but_not_the_author(env, catchall, people):
    ticket = env["test.mail.ticket"].create({"name": "Noisy"})
    ticket.message_subscribe([people["ann"].id, people["bob"].id, people["mute"].id, people["author"].id])
    parent = ticket.message_ids
    message = ticket.message_post(body="<p>Status update</p>", subject="Update", message_type="comment",
                                  subtype_xmlid="mail.mt_comment", author_id=people["author"].id,
                                  parent_id=parent.id, attachments=[("notes.txt", b"n")])
    mails = _mails(env, message)
    # the admin (creator) follows too and has an address when he has one
    admin_mail = env.user.partner_id.email
    expected = {"ann@example.com", "bob@example.com"} | ({admin_mail} if admin_mail else set())
    assert {m.recipient_ids.email for m in mails} == expected
    for mail in mails:
        assert mail.state == "outgoing"
        assert mail.subject == "Update"
        assert mail.body_html == "<p>Status update</p>"
        assert mail.email_from == '"Writer" <writer@example.com>'
        assert mail.email_to == mail.recipient_ids.email_formatted
        assert mail.message_id == message.message_id
        assert mail.references == parent.message_id
        assert (mail.model, mail.res_id) == ("test.mail.ticket", ticket.id)
        assert mail.attachment_ids == message.attachment_ids
        assert parse_reply_address(env, mail.reply_to) == ("test.mail.ticket", ticket.id)
        assert mail.reply_to.endswith("@" + catchall)


def test_note_mails_only_the_partners_named(env, people):
    ticket = env["test.mail.ticket"].create({"name": "Internal"})
    ticket.message_subscribe([people["ann"].id])
    note = ticket.message_post(body="between us", subtype_xmlid="mail.mt_note")
    assert not _mails(env, note)
    named = ticket.message_post(body="for Bob", subtype_xmlid="mail.mt_note", partner_ids=[people["bob"].id])
    assert _mails(env, named).recipient_ids == people["bob"]


def test_followers_only_get_their_subtypes(env, people):
    ticket = env["test.mail.ticket"].create({"name": "Picky"})
    ticket.message_subscribe([people["ann"].id], subtype_ids=[env.ref("mail.mt_note").id])
    ticket.message_subscribe([people["bob"].id])
    message = ticket.message_post(body="hello", message_type="comment", subtype_xmlid="mail.mt_comment")
    assert _mails(env, message).recipient_ids.mapped("name") == ["Bob"]


def test_tracking_is_not_mailed(env, people):
    ticket = env["test.mail.ticket"].create({"name": "Tracked"})
    ticket.message_subscribe([people["ann"].id])
    ticket.write({"stage": "done"})
    assert not env["mail.mail"].search([("model", "=", ticket._name), ("res_id", "=", ticket.id)])


def test_a_change_with_its_own_subtype_is_mailed_with_its_values(env, people, monkeypatch):
    # what a model such as crm.lead does: a stage change is a discussion-level event
    Ticket = type(env["test.mail.ticket"])
    monkeypatch.setattr(Ticket, "_track_subtype",
                        lambda self, init_values: "mail.mt_comment" if "stage" in init_values else False)
    ticket = env["test.mail.ticket"].create({"name": "Staged"})
    ticket.message_subscribe([people["ann"].id])
    ticket.write({"stage": "done", "amount": 3.0})
    message = ticket.message_ids.filtered(lambda m: m.tracking_value_ids)
    assert message.subtype_id == env.ref("mail.mt_comment") and not message.is_internal
    mail = _mails(env, message).filtered(lambda m: m.recipient_ids == people["ann"])
    assert "Stage: New → Done" in mail.body_html and "Amount: 0.00 → 3.00" in mail.body_html
    ticket.write({"amount": 4.0})          # no stage: a plain note again, nobody mailed
    assert not env["mail.mail"].search([("mail_message_id", "=", ticket.message_ids[0].id)])


def test_posting_subscribes_the_author_of_a_comment(env, people):
    ticket = env["test.mail.ticket"].with_context(mail_create_nosubscribe=True).create({"name": "Auto"})
    ticket.message_post(body="note", author_id=people["ann"].id)
    assert people["ann"] not in ticket.message_partner_ids
    ticket.message_post(body="comment", message_type="comment", subtype_xmlid="mail.mt_comment",
                        author_id=people["ann"].id)
    assert people["ann"] in ticket.message_partner_ids


def test_the_queue_delivers_the_notification_over_smtp(env, catchall, people, mail_server, smtp_sink):
    ticket = env["test.mail.ticket"].with_context(mail_create_nosubscribe=True).create({"name": "Deliver"})
    ticket.message_subscribe([people["ann"].id])
    message = ticket.message_post(body="<p>Parcel shipped</p>", subject="Shipped", message_type="comment",
                                  subtype_xmlid="mail.mt_comment", author_id=people["author"].id,
                                  attachments=[("label.txt", b"TRACK-42")])
    sent = env["mail.mail"].process_email_queue(limit=10)
    assert sent == 1
    assert len(smtp_sink.messages) == 1
    received = smtp_sink.messages[0]
    assert received["Message-ID"] == message.message_id
    assert received["Subject"] == "Shipped"
    assert received["To"] == '"Ann" <ann@example.com>' or received["To"] == "Ann <ann@example.com>"
    assert "writer@example.com" in received["From"]
    assert parse_reply_address(env, received["Reply-To"]) == ("test.mail.ticket", ticket.id)
    files = {part.get_filename(): part.get_content() for part in received.iter_attachments()}
    assert files["label.txt"] in ("TRACK-42", b"TRACK-42")
    assert smtp_sink.envelopes[0].rcpt_tos == ["ann@example.com"]


# ---------------------------------------------------------------- who reads what
@pytest.fixture
def restricted(env):
    """Two tickets; the demo user may read only the first (a record rule made here)."""
    Ticket = env["test.mail.ticket"]
    mine = Ticket.create({"name": "Demo's ticket"})
    secret = Ticket.create({"name": "Secret ticket"})
    env["ir.rule"].create({
        "name": "demo reads his ticket only",
        "model_id": env["ir.model"].search([("model", "=", Ticket._name)]).id,
        "domain_force": f"[('id', '!=', {secret.id})]",
        "groups": [(6, 0, [env.ref("base.group_user").id])]})
    mine.write({"stage": "open"})
    secret.write({"stage": "open"})
    mine.message_post(body="visible", message_type="comment", subtype_xmlid="mail.mt_comment")
    secret.message_post(body="hidden", message_type="comment", subtype_xmlid="mail.mt_comment")
    return mine, secret, env.ref("base.user_demo")


def test_messages_of_unreadable_documents_are_filtered(env, restricted):
    mine, secret, demo = restricted
    Message = env["mail.message"].with_user(demo)
    found = Message.search([("model", "=", "test.mail.ticket"), ("res_id", "in", [mine.id, secret.id])])
    assert found and set(found.mapped("res_id")) == {mine.id}
    assert Message.search_count([("res_id", "=", secret.id), ("model", "=", "test.mail.ticket")]) == 0
    assert mine.with_user(demo).message_ids == found
    with pytest.raises(AccessError):
        secret.message_ids.with_user(demo).read(["body"])
    # the mixin's field is filtered the same way (the transaction's cache is not per user:
    # forget what the superuser computed above)
    env.invalidate_all()
    assert not secret.with_user(demo).message_ids


def test_tracking_values_follow_their_message(env, restricted):
    mine, secret, demo = restricted
    Tracking = env["mail.tracking.value"].with_user(demo)
    visible = Tracking.search([("field_name", "=", "stage")])
    assert set(visible.mapped("mail_message_id.res_id")) == {mine.id}
    hidden = env["mail.tracking.value"].search([("mail_message_id.res_id", "=", secret.id),
                                                ("mail_message_id.model", "=", "test.mail.ticket")])
    assert hidden
    with pytest.raises(AccessError):
        hidden.with_user(demo).read(["new_value_char"])


def test_authors_and_recipients_see_their_own_messages(env, restricted):
    _mine, secret, demo = restricted
    own = secret.message_post(body="by demo", author_id=demo.partner_id.id)
    addressed = secret.message_post(body="to demo", partner_ids=[demo.partner_id.id])
    found = env["mail.message"].with_user(demo).search([("res_id", "=", secret.id),
                                                       ("model", "=", "test.mail.ticket")])
    assert found == own | addressed


def test_demo_user_cannot_post_or_edit_on_unreadable_records(env, restricted):
    mine, secret, demo = restricted
    with pytest.raises(AccessError):
        secret.with_user(demo).message_post(body="let me in")
    with pytest.raises(AccessError):
        env["mail.message"].with_user(demo).create(
            {"model": "test.mail.ticket", "res_id": secret.id, "body": "sneaky", "message_type": "comment"})
    posted = mine.with_user(demo).message_post(body="mine", message_type="comment",
                                                subtype_xmlid="mail.mt_comment")
    assert posted.author_id == demo.partner_id
    hidden = secret.message_ids[:1]
    with pytest.raises(AccessError):
        hidden.with_user(demo).write({"body": "changed"})


def test_portal_users_never_see_internal_messages(env):
    portal = env.ref("base.demo_user0")
    ticket = env["test.mail.ticket"].create({"name": "Portal"})
    public = ticket.message_post(body="for you", message_type="comment", subtype_xmlid="mail.mt_comment",
                                 partner_ids=[portal.partner_id.id])
    note = ticket.message_post(body="about you", partner_ids=[portal.partner_id.id])
    found = env["mail.message"].with_user(portal).search([("res_id", "=", ticket.id),
                                                         ("model", "=", "test.mail.ticket")])
    assert found == public
    with pytest.raises(AccessError):
        note.with_user(portal).read(["body"])
