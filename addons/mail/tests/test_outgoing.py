"""The outgoing queue (mail.mail) against a real SMTP server on loopback (aiosmtpd)."""
import json
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from core import config as tessera_config
from core import cron
from core.api import SUPERUSER_ID, Environment
from core.exceptions import AccessError, UserError, ValidationError
from core.fields import Datetime

from ..models.mail_mail import backoff, html_to_text
from .conftest import SmtpSink, free_port


def queue(env, **values):
    values = {"subject": "Hello", "body_html": "<p>Hello</p>", "email_from": "Desk <desk@example.com>",
              "email_to": "ann@example.org", "auto_delete": False, **values}
    return env["mail.mail"].create(values)


# ------------------------------------------------------------------ the message
def test_queued_mail_arrives_with_headers_parts_and_attachments(env, mail_server, smtp_sink):
    partner = env["res.partner"].create({"name": "Jürgen Weiß", "email": "juergen@example.de"})
    attachment = env["ir.attachment"].create({"name": "offer.pdf", "raw": b"%PDF-1.4 offer"})
    mail = queue(env, subject="Grüße aus Köln", email_to='"Ann Other" <ann@example.org>',
                 recipient_ids=[(6, 0, [partner.id])], email_cc="cc@example.net",
                 reply_to="reply@example.com", references="<first@example.com> <second@example.com>",
                 headers=json.dumps({"X-Tessera-Campaign": "spring"}),
                 body_html='<p>Dear Ann,</p><p>see <a href="https://example.com/o/1">your offer</a>.</p>',
                 attachment_ids=[(6, 0, [attachment.id])], model="res.partner", res_id=partner.id)

    assert env["mail.mail"].process_email_queue() == 1

    assert (mail.state, mail.failure_reason, mail.retry_count) == ("sent", False, 0)
    assert mail.date_sent and mail.message_id.startswith("<") and f"-res.partner-{partner.id}@" in mail.message_id
    [envelope] = smtp_sink.envelopes
    assert envelope.mail_from == "desk@example.com"
    assert sorted(envelope.rcpt_tos) == ["ann@example.org", "cc@example.net", "juergen@example.de"]
    raw = envelope.content.decode("ascii")
    assert "Subject: =?utf-8?" in raw     # encoded words: the umlauts never travel raw
    [message] = smtp_sink.messages
    assert message["Subject"] == "Grüße aus Köln"
    assert message["From"] == "Desk <desk@example.com>"
    assert [a.addr_spec for a in message["To"].addresses] == ["ann@example.org", "juergen@example.de"]
    assert message["To"].addresses[1].display_name == "Jürgen Weiß"
    assert message["Cc"] == "cc@example.net" and message["Reply-To"] == "reply@example.com"
    assert message["Message-ID"] == mail.message_id
    assert message["References"] == "<first@example.com> <second@example.com>"
    assert message["In-Reply-To"] == "<second@example.com>"
    assert message["X-Tessera-Campaign"] == "spring" and message["Date"]
    assert message.get_content_type() == "multipart/mixed"
    body, attached = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    plain, html = body.iter_parts()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content().replace("\r\n", "\n") == "Dear Ann,\n\nsee your offer [https://example.com/o/1].\n"
    assert 'href="https://example.com/o/1"' in html.get_content()
    assert attached.get_filename() == "offer.pdf" and attached.get_content_type() == "application/pdf"
    assert attached.get_content() == b"%PDF-1.4 offer"


def test_given_message_id_is_kept(env, mail_server, smtp_sink):
    mail = queue(env, message_id="<thread-1@example.com>")
    mail.send()
    assert mail.message_id == "<thread-1@example.com>"
    assert smtp_sink.messages[0]["Message-ID"] == "<thread-1@example.com>"


def test_auto_delete_removes_the_sent_mail_only(env, mail_server, smtp_sink):
    sent = queue(env, auto_delete=True)
    failed = queue(env, auto_delete=True, email_to="not an address")
    env["mail.mail"].process_email_queue()
    assert not sent.exists() and len(smtp_sink.envelopes) == 1
    assert failed.exists() and failed.state == "exception"


def test_reserved_and_malformed_extra_headers_are_ignored(env, mail_server, smtp_sink):
    queue(env, headers=json.dumps({"Subject": "forged", "Bad Name": "x", "X-Ok": "line\r\nBcc: evil@x"})).send()
    [message] = smtp_sink.messages
    assert message["Subject"] == "Hello" and message["Bad Name"] is None
    assert message["X-Ok"] == "line Bcc: evil@x" and message["Bcc"] is None


def test_headers_must_be_a_json_object(env):
    with pytest.raises(ValidationError, match="not valid JSON"):
        queue(env, headers="{X-A: 1")
    with pytest.raises(ValidationError, match="JSON object"):
        queue(env, headers="[1, 2]")


def test_html_to_text():
    assert html_to_text("<h1>Title</h1><p>One\n   two<br/>three</p><ul><li>a</li><li>b</li></ul>"
                        "<script>alert(1)</script><p><a href='mailto:x@y.z'>x@y.z</a></p>") \
        == "Title\n\nOne two\nthree\n\n* a\n* b\n\nx@y.z\n"
    assert html_to_text("") == ""


# ------------------------------------------------------------------ failures and retries
def test_permanent_refusal_is_recorded_and_not_retried(env, mail_server, smtp_sink):
    smtp_sink.reject = (550, "5.1.1 Mailbox unknown")
    mail = queue(env)
    env["mail.mail"].process_email_queue()
    assert mail.state == "exception" and mail.failure_type == "mail_smtp"
    assert "550" in mail.failure_reason and "Mailbox unknown" in mail.failure_reason
    assert mail.retry_count == 1 and not mail.next_try
    smtp_sink.reject = None
    assert env["mail.mail"].process_email_queue() == 0 and not smtp_sink.envelopes


def test_transient_refusal_is_retried_with_backoff_then_sent(env, mail_server, smtp_sink):
    smtp_sink.reject = (451, "4.3.0 Try again later")
    mail = queue(env)
    before = Datetime.now()
    env["mail.mail"].process_email_queue()
    assert (mail.state, mail.failure_type, mail.retry_count) == ("exception", "mail_smtp", 1)
    assert "451" in mail.failure_reason
    assert before + timedelta(seconds=59) <= mail.next_try <= Datetime.now() + timedelta(minutes=1)
    # not due yet: the queue leaves it alone
    smtp_sink.reject = None
    assert env["mail.mail"].process_email_queue() == 0
    mail.next_try = Datetime.now() - timedelta(seconds=1)     # the minute has passed
    assert env["mail.mail"].process_email_queue() == 1
    assert mail.state == "sent" and len(smtp_sink.envelopes) == 1
    assert not mail.failure_reason and not mail.failure_type


def test_backoff_grows_and_stops_after_the_configured_tries(env, mail_server, smtp_sink):
    assert [backoff(n) for n in (1, 2, 3, 4, 5, 9)] == [timedelta(minutes=m) for m in (1, 5, 25, 125, 360, 360)]
    env["ir.config_parameter"].set_param("mail.queue.max_tries", "3")
    smtp_sink.reject = (421, "4.7.0 Busy")
    mail = queue(env)
    waits = []
    for _try in range(3):
        mail.next_try = Datetime.now() - timedelta(seconds=1)
        start = Datetime.now()
        assert env["mail.mail"].process_email_queue() == 1
        waits.append(mail.next_try and round((mail.next_try - start).total_seconds() / 60))
    assert waits == [1, 5, False]
    assert (mail.state, mail.retry_count) == ("exception", 3)
    assert env["mail.mail"].process_email_queue() == 0


def test_unreachable_server_fails_the_batch_and_is_retried(env, smtp_sink):
    server = env["ir.mail_server"].create({"name": "Down", "smtp_host": "127.0.0.1", "smtp_port": free_port()})
    mails = queue(env) | queue(env, subject="Second")
    env["mail.mail"].process_email_queue()
    for mail in mails:
        assert (mail.state, mail.failure_type, mail.retry_count) == ("exception", "mail_connection", 1)
        assert "Cannot connect to mail server “Down”" in mail.failure_reason and mail.next_try
    server.smtp_port = smtp_sink.port
    mails.write({"next_try": Datetime.now() - timedelta(seconds=1)})
    assert env["mail.mail"].process_email_queue() == 2
    assert mails.mapped("state") == ["sent", "sent"] and len(smtp_sink.envelopes) == 2


def test_bad_addresses_fail_alone_and_are_not_retried(env, mail_server, smtp_sink):
    invalid = queue(env, email_to="ann@example.org, not an address")
    missing = queue(env, email_to=False)
    no_sender = queue(env, email_from="nobody")
    good = queue(env, subject="Good")
    env["mail.mail"].process_email_queue()
    assert (invalid.state, invalid.failure_type, invalid.next_try) == ("exception", "mail_email_invalid", False)
    assert "not an address" in invalid.failure_reason
    assert (missing.failure_type, missing.next_try) == ("mail_email_missing", False)
    assert (no_sender.failure_type, no_sender.next_try) == ("mail_from_invalid", False)
    assert good.state == "sent"
    assert [m["Subject"] for m in smtp_sink.messages] == ["Good"]


def test_one_connection_per_batch(env):
    sessions = []

    class CountingSink(SmtpSink):
        async def handle_DATA(self, server, session, envelope):
            sessions.append(id(session))
            return await super().handle_DATA(server, session, envelope)

    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env["ir.mail_server"].create({"name": "Counting", "smtp_host": "127.0.0.1", "smtp_port": port})
        for number in range(5):
            queue(env, subject=f"Mail {number}")
        assert env["mail.mail"].process_email_queue() == 5
    finally:
        controller.stop()
    assert len(sink.envelopes) == 5 and len(set(sessions)) == 1


def test_configuration_server_is_the_fallback(env, smtp_sink, monkeypatch):
    mail = queue(env, email_from=False)
    env["mail.mail"].process_email_queue()
    assert mail.state == "exception" and mail.failure_type == "mail_from_missing"
    monkeypatch.setattr(tessera_config, "_active", tessera_config.Config(email_from="noreply@example.com"))
    mail.action_retry()
    env["mail.mail"].process_email_queue()
    assert mail.failure_type == "mail_connection" and "No outgoing mail server" in mail.failure_reason
    monkeypatch.setattr(tessera_config, "_active", tessera_config.Config(
        smtp_server="127.0.0.1", smtp_port=smtp_sink.port, email_from="noreply@example.com"))
    mail.action_retry()
    assert env["mail.mail"].process_email_queue() == 1
    assert mail.state == "sent" and smtp_sink.messages[0]["From"] == "noreply@example.com"


def test_active_configuration_is_what_load_gave(monkeypatch):
    monkeypatch.setattr(tessera_config, "_active", None)
    assert tessera_config.active() == tessera_config.Config()
    loaded = tessera_config.load(environ={"TESSERA_SMTP_SERVER": "relay.example.com"})
    assert tessera_config.active() is loaded and loaded.smtp_server == "relay.example.com"


# ------------------------------------------------------------------ buttons and rights
def test_buttons_retry_cancel_send_now(env, mail_server, smtp_sink):
    smtp_sink.reject = (550, "no")
    mail = queue(env)
    mail.action_send_now()
    assert mail.state == "exception" and mail.retry_count == 1
    smtp_sink.reject = None
    mail.action_retry()
    assert (mail.state, mail.retry_count, mail.failure_reason) == ("outgoing", 0, False)
    mail.action_cancel()
    assert mail.state == "cancel" and env["mail.mail"].process_email_queue() == 0
    mail.action_retry()
    mail.action_send_now()
    assert mail.state == "sent" and len(smtp_sink.envelopes) == 1
    mail.action_send_now()          # sent mails are never sent again
    mail.action_cancel()
    assert mail.state == "sent" and len(smtp_sink.envelopes) == 1


def test_send_raise_exception_names_the_failure(env, mail_server, smtp_sink):
    smtp_sink.reject = (554, "5.7.1 Spam")
    mail = queue(env, subject="Offer")
    with pytest.raises(UserError, match="“Offer” could not be sent: 554 5.7.1 Spam"):
        mail.send(raise_exception=True)


def test_only_administrators_see_the_queue(env):
    queue(env)
    demo = env(user=env.ref("base.user_demo").id)
    with pytest.raises(AccessError):
        demo["mail.mail"].search([])
    with pytest.raises(AccessError):
        demo["mail.mail"].create({"subject": "x", "email_to": "a@b.c"})
    with pytest.raises(AccessError):
        demo["ir.mail_server"].search([])


# ------------------------------------------------------------------ the scheduled job
def _committed(registry, function):
    return registry.run(lambda cr: function(Environment(cr, SUPERUSER_ID, {})))


def test_scheduled_job_commits_each_outcome_after_its_transaction(mail_registry, smtp_sink):
    def setup(env):
        env["ir.mail_server"].create({"name": "Sink", "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})
        ids = [queue(env, subject=f"Mail {n}").id for n in range(3)]
        ids.append(queue(env, email_to="broken").id)
        return env.ref("mail.ir_cron_mail_scheduler_action").id, ids

    cron_id, ids = _committed(mail_registry, setup)
    run = cron.run_job(mail_registry, cron_id, Datetime.now() + timedelta(minutes=1))
    assert run is not None and run.succeeded

    def outcome(env):
        mails = env["mail.mail"].browse(ids)
        return mails.mapped("state"), env["ir.cron"].browse(cron_id).failure_count

    states, failures = _committed(mail_registry, outcome)
    assert states == ["sent", "sent", "sent", "exception"] and failures == 0
    assert sorted(m["Subject"] for m in smtp_sink.messages) == ["Mail 0", "Mail 1", "Mail 2"]


def test_a_claimed_mail_is_not_sent_by_another_worker(mail_registry, smtp_sink):
    def setup(env):
        env["ir.mail_server"].create({"name": "Sink", "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})
        return [queue(env, subject=f"Mail {n}").id for n in range(3)]

    ids = _committed(mail_registry, setup)
    # worker A claims two mails and (say) dies before sending them
    claimed = _committed(mail_registry, lambda env: env["mail.mail"]._claim_due(2))
    assert claimed == ids[:2]
    # worker B only gets the third one
    assert _committed(mail_registry, lambda env: env["mail.mail"].process_email_queue()) == 1
    assert [m["Subject"] for m in smtp_sink.messages] == ["Mail 2"]
    assert _committed(mail_registry, lambda env: env["mail.mail"].process_email_queue()) == 0

    # once A's lease is over, the mails are due again
    def expire(env):
        env["mail.mail"].browse(claimed).write({"next_try": Datetime.now() - timedelta(seconds=1)})
        return env["mail.mail"].process_email_queue()

    assert _committed(mail_registry, expire) == 2
    assert sorted(m["Subject"] for m in smtp_sink.messages) == ["Mail 0", "Mail 1", "Mail 2"]


def test_queue_limit_must_be_positive(env):
    with pytest.raises(UserError, match="positive number"):
        env["mail.mail"].process_email_queue(limit=0)


# ------------------------------------------------------------------ the screens
def test_queue_screens_show_failures_and_their_buttons_work(start_web_server, smtp_sink):
    import re
    from .conftest import MAIL_ADDONS, TEST_ADDONS

    web = start_web_server(addons=MAIL_ADDONS, addons_paths=(TEST_ADDONS,))
    with web.env() as env:
        server = env["ir.mail_server"].create({"name": "Relay", "smtp_host": "127.0.0.1", "smtp_port": free_port()})
        mail = queue(env, subject="Invoice 7")
        env["mail.mail"].process_email_queue()
        assert mail.state == "exception"
        mail_id, server_id = mail.id, server.id
        queue_action = env.ref("mail.action_view_mail_mail").id
        server_action = env.ref("mail.action_ir_mail_server_list").id
    client = web.login_client()

    def press(url, button):
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)
        return client.post(url + "/button", {"csrf_token": token, "_button": button})

    listing = client.get(f"/web/action/{queue_action}")
    assert listing.status == 200 and "Invoice 7" in listing.text and "Cannot connect to mail server" in listing.text
    form = client.get(f"/web/action/{queue_action}/{mail_id}")
    assert "Cannot connect to mail server “Relay”" in form.text and "Retry" in form.text
    reply = press(f"/web/action/{queue_action}/{server_id}".replace(str(queue_action), str(server_action)),
                  "object:test_smtp_connection")
    assert reply.status == 400 and "Connection test of “Relay” failed" in reply.text
    with web.env() as env:
        env["ir.mail_server"].browse(server_id).smtp_port = smtp_sink.port
    assert press(f"/web/action/{queue_action}/{mail_id}", "object:action_retry").status == 303
    with web.env() as env:
        assert env["mail.mail"].browse(mail_id).state == "outgoing"
    assert press(f"/web/action/{queue_action}/{mail_id}", "object:action_send_now").status == 303
    with web.env() as env:
        assert env["mail.mail"].browse(mail_id).state == "sent"
    assert [m["Subject"] for m in smtp_sink.messages] == ["Invoice 7"]
