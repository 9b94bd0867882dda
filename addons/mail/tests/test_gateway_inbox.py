"""The inbox: store then process; parsing of real messages, detection, routing, aliases, retries.

Messages are delivered with ``mail_inbox.deliver`` (what the mailgate command and the
SMTP listener call) on a database whose transactions commit; the other ways in are in
test_gateway_smtp.py, test_gateway_mailgate.py and test_gateway_fetchmail.py.
"""
import base64

import pytest

from core.exceptions import AccessError, ValidationError

from addons.mail import tools

from .messages import DOMAIN, compose, gateway, load  # noqa: F401 (gateway: fixture)

TICKET = "test.mail.ticket"


def _ticket(env, ticket_id):
    return env[TICKET].browse(ticket_id)


def _email_messages(env, ticket_id):
    return env["mail.message"].search([("model", "=", TICKET), ("res_id", "=", ticket_id),
                                       ("message_type", "=", "email")], order="id")


def _post_from_employee(gateway, ticket_id):
    """A discussion message the thread sends out; its Message-ID."""
    return gateway.run(lambda env: _ticket(env, ticket_id).message_post(
        body="We are on it.", message_type="comment", subtype_xmlid="mail.mt_comment").message_id)


# ---------------------------------------------------------------- new records through an alias
def test_alias_with_defaults_creates_a_ticket_from_multipart_alternative(gateway):
    gateway.alias("support", "{'stage': 'open', 'priority': 3}")
    raw = load("multipart_alternative")
    result = gateway.deliver(raw, "mailgate")
    assert result["status"] == "processed", result["error"]
    assert result["res_model"] == TICKET
    row = gateway.row(result["id"])
    assert row["route"] == "alias" and row["attempts"] == 1
    assert row["message_id"] == "<alt-0001@mail.example.com>"
    assert row["sender"] == "anna.becker@example.com"

    def check(env):
        stored = env["mail.inbox"].browse(result["id"]).raw
        assert base64.b64decode(stored) == raw           # byte for byte
        ticket = _ticket(env, result["res_id"])
        assert ticket.name == "Printer on floor 3 is jammed"
        assert (ticket.stage, ticket.priority) == ("open", 3)
        assert ticket.partner_id.email_normalized == "anna.becker@example.com"
        assert ticket.partner_id.name == "Anna Becker"
        (message,) = _email_messages(env, ticket.id)
        assert message.message_id == "<alt-0001@mail.example.com>"
        assert message.author_id == ticket.partner_id
        assert message.subtype_id == env.ref("mail.mt_comment")
        body = str(message.body)
        assert "<b>jammed</b>" in body and "Plain version" not in body   # the HTML part was chosen
        assert "<script" not in body and "alert" not in body and "javascript:" not in body
        assert "<style" not in body
        # the customer follows the ticket the mail opened: replies will reach them
        assert ticket.partner_id in ticket.message_partner_ids
    gateway.run(check)


def test_sender_is_matched_to_an_existing_partner_case_insensitively(gateway):
    gateway.alias("support")
    partner_id = gateway.run(lambda env: env["res.partner"].create(
        {"name": "Anna B.", "email": "Anna.Becker@EXAMPLE.com"}).id)
    before = gateway.count("res.partner")
    result = gateway.deliver(load("multipart_alternative"))
    assert result["status"] == "processed", result["error"]
    assert gateway.count("res.partner") == before
    assert gateway.run(lambda env: _ticket(env, result["res_id"]).partner_id.id) == partner_id


def test_alias_owner_creates_the_record_under_their_rights(gateway):
    owner_id = gateway.run(lambda env: env.ref("base.user_demo").id)
    gateway.alias("support", alias_user_id=owner_id)
    result = gateway.deliver(load("html_only"))
    assert result["status"] == "processed", result["error"]
    assert gateway.run(lambda env: _ticket(env, result["res_id"]).create_uid.id) == owner_id


def test_alias_for_known_partners_refuses_strangers_and_keeps_the_message(gateway):
    gateway.alias("support", alias_contact="partners")
    partners = gateway.count("res.partner")
    result = gateway.deliver(load("html_only"))
    assert result["status"] == "failed"
    assert "support" in result["error"] and "carl@example.org" in result["error"]
    assert gateway.count("res.partner") == partners and gateway.count(TICKET) == 0
    # once the sender is a known contact, the kept message goes through
    gateway.run(lambda env: env["res.partner"].create({"name": "Carl", "email": "carl@example.org"}))
    assert gateway.run(lambda env: env["mail.inbox"].retry_failed([result["id"]])) == {"processed": 1}


def test_alias_values_are_checked(gateway):
    with pytest.raises(ValidationError, match="dict literal"):
        gateway.alias("broken", "{'stage': ")
    with pytest.raises(ValidationError, match="no_such_field"):
        gateway.alias("broken", "{'no_such_field': 1}")
    with pytest.raises(ValidationError, match="not a valid address"):
        gateway.alias("two words")
    assert gateway.run(lambda env: env["mail.alias"].browse(gateway.alias("Sales")).alias_email) \
        == f"sales@{DOMAIN}"


# ---------------------------------------------------------------- contents
def test_attachments_and_inline_image_become_attachments_of_the_ticket(gateway):
    gateway.alias("support")
    files = gateway.deliver(load("attachments"))
    inline = gateway.deliver(load("inline_image"))
    assert files["status"] == inline["status"] == "processed", (files["error"], inline["error"])

    def check(env):
        attachments = env["ir.attachment"].search([("res_model", "=", TICKET), ("res_id", "=", files["res_id"])],
                                                  order="id")
        by_name = {a.name: a for a in attachments}
        assert set(by_name) == {"invoice 42.pdf", "Nötes.txt"}
        pdf = base64.b64decode(by_name["invoice 42.pdf"].datas)
        assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(bytes(range(256)))
        assert by_name["invoice 42.pdf"].mimetype == "application/pdf"
        assert base64.b64decode(by_name["Nötes.txt"].datas) == "Line one\nZürich\n".encode()
        (message,) = _email_messages(env, files["res_id"])
        assert set(message.attachment_ids.ids) == set(attachments.ids)
        assert "Please find the invoice attached." in str(message.body)

        (image,) = env["ir.attachment"].search([("res_model", "=", TICKET), ("res_id", "=", inline["res_id"])])
        assert image.name == "screenshot.png" and image.mimetype == "image/png"
        assert base64.b64decode(image.datas).startswith(b"\x89PNG")
        assert image.description == "cid:shot1@example.com"
        # the image shows inline: its cid: reference points at the attachment
        (shown,) = _email_messages(env, inline["res_id"])
        assert f'<img src="/mail/attachment/{image.id}"' in str(shown.body) and "cid:" not in str(shown.body)
    gateway.run(check)


def test_forwarded_message_is_kept_whole_as_eml(gateway):
    gateway.alias("support")
    result = gateway.deliver(load("forwarded"))
    assert result["status"] == "processed", result["error"]

    def check(env):
        (eml,) = env["ir.attachment"].search([("res_model", "=", TICKET), ("res_id", "=", result["res_id"])])
        assert eml.name == "Delivery delayed.eml" and eml.mimetype == "message/rfc822"
        content = base64.b64decode(eml.datas)
        assert b"Message-ID: <carrier-77@carrier.example>" in content
        assert b"Your parcel 123 is delayed by two days." in content
        assert _ticket(env, result["res_id"]).name == "Fwd: Delivery delayed"
    gateway.run(check)


def test_encoded_words_charsets_and_mislabelled_windows_1252(gateway):
    gateway.alias("support")
    german = gateway.deliver(load("german_subject"))
    cp1252 = gateway.deliver(load("cp1252_mislabelled"))

    def check(env):
        ticket = _ticket(env, german["res_id"])
        assert ticket.name == "Grüße aus München- Straße"
        assert ticket.partner_id.name == "Jürgen Müller"
        assert ticket.partner_id.email_normalized == "juergen.mueller@example.de"
        assert "Schöne Grüße aus München!" in str(_email_messages(env, ticket.id).body)
        body = str(_email_messages(env, cp1252["res_id"]).body)
        assert "The “special” offer costs 20 € – is that right? Café." in body
    gateway.run(check)
    assert gateway.row(german["id"])["subject"] == "Grüße aus München- Straße"


# ---------------------------------------------------------------- replies
def test_reply_by_in_reply_to_to_a_message_the_thread_posted(gateway):
    gateway.alias("support")
    first = gateway.deliver(load("multipart_alternative"))
    ours = _post_from_employee(gateway, first["res_id"])
    assert ours and ours.startswith("<")
    reply = compose("Re: Printer on floor 3 is jammed", "Still jammed.", "anna.becker@example.com",
                    to=f"someone-else@{DOMAIN}", message_id="<reply-1@example.com>", in_reply_to=ours)
    result = gateway.deliver(reply)
    assert result["status"] == "processed", result["error"]
    assert (result["res_model"], result["res_id"]) == (TICKET, first["res_id"])
    assert gateway.row(result["id"])["route"] == "in-reply-to"
    assert gateway.count(TICKET) == 1

    def check(env):
        reply_message = _email_messages(env, first["res_id"])[-1]
        assert reply_message.parent_id.message_id == ours
        assert "Still jammed." in str(reply_message.body)
    gateway.run(check)


def test_reply_by_references_only(gateway):
    gateway.alias("support")
    first = gateway.deliver(load("html_only"))
    ours = _post_from_employee(gateway, first["res_id"])
    reply = compose("Something else entirely", "By references.", "carl@example.org",
                    to=f"support@{DOMAIN}", message_id="<reply-2@example.org>",
                    references=f"<unknown-1@elsewhere> {ours}")
    result = gateway.deliver(reply)
    assert result["status"] == "processed", result["error"]
    assert result["res_id"] == first["res_id"] and gateway.row(result["id"])["route"] == "references"
    assert gateway.count(TICKET) == 1


def test_reply_by_the_signed_token_address(gateway):
    ticket_id = gateway.run(lambda env: env[TICKET].create({"name": "Token"}).id)
    address = gateway.run(lambda env: tools.reply_address(env, TICKET, ticket_id))
    assert address.startswith("catchall+test.mail.ticket-") and address.endswith(f"@{DOMAIN}")
    result = gateway.deliver(compose("No headers", "Found by the token.", to=address))
    assert result["status"] == "processed", result["error"]
    assert (result["res_id"], gateway.row(result["id"])["route"]) == (ticket_id, "token")
    # a guessed token leads nowhere: kept, failed, with the reason
    forged = address.replace(address.split("-")[-1].split("@")[0], "0" * tools.TOKEN_LENGTH)
    result = gateway.deliver(compose("Forged", "Guessing.", to=forged))
    assert result["status"] == "failed" and "No record or alias matches" in result["error"]
    assert gateway.count(TICKET) == 1


def test_reply_by_a_reference_in_the_subject_from_a_known_sender(gateway, monkeypatch):
    # a test-only convention for test.mail.ticket: "[TCK-<id>]" in the subject
    monkeypatch.setattr(gateway.registry.models[TICKET], "_mail_subject_reference", r"\[TCK-(?P<id>\d+)\]")
    gateway.alias("support")
    ticket_id = gateway.run(lambda env: env[TICKET].create({"name": "Ref", "email_from": "kim@example.com"}).id)
    result = gateway.deliver(compose(f"About [TCK-{ticket_id}] again", "By reference.", "Kim <KIM@example.com>"))
    assert result["status"] == "processed", result["error"]
    assert (result["res_id"], gateway.row(result["id"])["route"]) == (ticket_id, "subject reference")
    # a stranger quoting the reference does not get onto the ticket: the alias makes a new one
    result = gateway.deliver(compose(f"About [TCK-{ticket_id}]", "Guess.", "mallory@example.net"))
    assert result["status"] == "processed" and result["res_id"] != ticket_id
    assert gateway.row(result["id"])["route"] == "alias"


def test_same_subject_and_sender_is_the_last_resort(gateway):
    gateway.alias("support")
    first = gateway.deliver(load("multipart_alternative"))
    again = gateway.deliver(compose("AW: WG: Re: Printer on floor 3 is jammed", "No headers at all.",
                                    "Anna <anna.becker@example.com>"))
    assert again["res_id"] == first["res_id"] and gateway.row(again["id"])["route"] == "subject and sender"
    other = gateway.deliver(compose("Re: Printer on floor 3 is jammed", "Someone else.", "olaf@example.com"))
    assert other["res_id"] != first["res_id"] and gateway.row(other["id"])["route"] == "alias"


# ---------------------------------------------------------------- ignored
def test_duplicate_delivery_makes_one_record(gateway):
    gateway.alias("support")
    raw = load("multipart_alternative")
    first, second = gateway.deliver(raw), gateway.deliver(raw, "smtp")
    assert first["status"] == "processed"
    assert (second["status"], second["ignored_reason"]) == ("ignored", "duplicate")
    assert gateway.count(TICKET) == 1 and gateway.count("mail.inbox") == 2
    # processing the ignored row again does not change its mind
    gateway.run(lambda env: env["mail.inbox"].browse(second["id"]).process())
    assert gateway.row(second["id"])["status"] == "ignored" and gateway.count(TICKET) == 1


def test_bounce_and_auto_reply_never_create_anything_nor_answer(gateway):
    gateway.alias("support")
    partners, mails = gateway.count("res.partner"), gateway.count("mail.mail")
    bounce, auto = gateway.deliver(load("bounce")), gateway.deliver(load("auto_reply"))
    assert (bounce["status"], bounce["ignored_reason"]) == ("ignored", "bounce")
    assert (auto["status"], auto["ignored_reason"]) == ("ignored", "auto-reply")
    null_sender = gateway.deliver(compose("Hi", "x", "someone@example.com"), "smtp", envelope_from="<>")
    assert null_sender["ignored_reason"] == "bounce"
    precedence = gateway.deliver(compose("List", "x", "list@example.com", headers={"Precedence": "bulk"}))
    assert precedence["ignored_reason"] == "auto-reply"
    human = gateway.deliver(compose("Human", "x", "human@example.com", headers={"Auto-Submitted": "no"}))
    assert human["status"] == "processed"
    assert gateway.count(TICKET) == 1
    assert gateway.count("res.partner") == partners + 1              # the human only
    assert gateway.count("mail.mail") == mails                       # nobody was answered


def test_loop_rate_limit_per_sender(gateway):
    gateway.alias("support")
    gateway.run(lambda env: env["ir.config_parameter"].set_param("mail.gateway.loop_threshold", "3"))
    results = [gateway.deliver(compose(f"Message {n}", "x", "robot@example.com", message_id=f"<loop-{n}@x>"))
               for n in range(5)]
    assert [r["status"] for r in results] == ["processed"] * 3 + ["ignored"] * 2
    assert results[-1]["ignored_reason"] == "loop"
    assert gateway.deliver(compose("Other", "x", "human@example.com"))["status"] == "processed"
    assert gateway.count(TICKET) == 4


# ---------------------------------------------------------------- failures
def test_broken_mime_message_is_stored_failed_and_retriable(gateway):
    gateway.alias("support")
    raw = load("broken_mime")
    result = gateway.deliver(raw, "mailgate")
    assert result["status"] == "failed"
    assert "NoBoundaryInMultipartDefect" in result["error"] and "multipart/mixed" in result["error"]
    row = gateway.row(result["id"])
    assert (row["subject"], row["message_id"], row["attempts"]) == \
        ("Broken attachment", "<broken-0001@example.com>", 1)
    assert gateway.run(lambda env: base64.b64decode(env["mail.inbox"].browse(result["id"]).raw)) == raw
    assert gateway.count(TICKET) == 0
    assert gateway.run(lambda env: env["mail.inbox"].retry_failed()) == {"failed": 1}
    assert gateway.row(result["id"])["attempts"] == 2


def test_failure_undoes_the_half_made_record_and_a_retry_succeeds(gateway):
    alias_id = gateway.alias("support", "{'amount': 'not a number'}")
    partners = gateway.count("res.partner")
    result = gateway.deliver(load("html_only"))
    assert result["status"] == "failed" and "amount" in result["error"]
    assert gateway.count(TICKET) == 0 and gateway.count("res.partner") == partners
    assert gateway.count("mail.message", [("message_type", "=", "email")]) == 0
    gateway.run(lambda env: env["mail.alias"].browse(alias_id).write({"alias_defaults": "{'amount': 12.5}"}))
    gateway.run(lambda env: env["mail.inbox"].browse(result["id"]).action_process())
    row = gateway.row(result["id"])
    assert (row["status"], row["attempts"], row["error"]) == ("processed", 2, False)
    assert gateway.run(lambda env: _ticket(env, row["res_id"]).amount) == 12.5


def test_no_route_fails_with_a_clear_error_then_the_fallback_model_works(gateway):
    result = gateway.deliver(load("html_only"))
    assert result["status"] == "failed"
    assert "No record or alias matches" in result["error"] and f"support@{DOMAIN}" in result["error"]
    fallback = gateway.deliver(compose("Fallback", "x", "fb@example.com"), model=TICKET)
    assert fallback["status"] == "processed" and gateway.row(fallback["id"])["route"] == "fallback model"


# ---------------------------------------------------------------- the API
def test_message_process_for_odoo_clients(gateway):
    raw = compose("Over RPC", "x", "rpc@example.com", message_id="<rpc-1@example.com>")

    def process(env):
        return env["mail.thread"].message_process(TICKET, raw.decode())
    ticket_id = gateway.run(process)
    assert ticket_id and gateway.run(lambda env: _ticket(env, ticket_id).name) == "Over RPC"
    assert gateway.run(process) is False        # the duplicate: ignored
    row = gateway.run(lambda env: env["mail.inbox"].search([], limit=1).read(["source"])[0])
    assert row["source"] == "rpc"


def test_only_administrators_may_deliver_or_process(gateway):
    def as_demo(env):
        demo = env.ref("base.user_demo")
        with pytest.raises(AccessError):
            env["mail.inbox"].with_user(demo).deliver(compose("x", "x"), "rpc")
        with pytest.raises(AccessError):
            env["mail.inbox"].with_user(demo).search([])
    gateway.run(as_demo)
    assert gateway.count("mail.inbox") == 0
