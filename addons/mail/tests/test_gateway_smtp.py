"""The inbound SMTP listener: real messages sent with smtplib to a real aiosmtpd server.

``listener.start`` (what the server process runs) is tested in-process; the
``server.py mail-listen`` command in a process of its own.
"""
import os
import smtplib
import subprocess
import sys
from types import SimpleNamespace

import pytest

from addons.mail.gateway import listener

from .conftest import TEST_ADDONS, free_port
from .messages import DOMAIN, compose, gateway, load  # noqa: F401 (gateway: fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TICKET = "test.mail.ticket"


@pytest.fixture
def smtp_listener(gateway):
    config = SimpleNamespace(smtp_listen_port=free_port(), smtp_listen_interface="127.0.0.1")
    running = listener.start(config, lambda: gateway.registry)
    try:
        yield running
    finally:
        running.stop()


def send(port, raw, sender="sender@example.com", recipients=(f"support@{DOMAIN}",)):
    """Send ``raw`` as SMTP carries it: CRLF line ends (smtplib leaves bytes as they are)."""
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.sendmail(sender, list(recipients), raw)


def test_start_is_off_without_a_port(gateway):
    assert listener.start(SimpleNamespace(smtp_listen_port=0, smtp_listen_interface="127.0.0.1"),
                          lambda: gateway.registry) is None


def test_messages_over_smtp_are_stored_then_processed(gateway, smtp_listener):
    gateway.alias("support", "{'priority': 1}")
    for name in ("multipart_alternative", "html_only", "attachments", "inline_image", "forwarded",
                 "german_subject", "cp1252_mislabelled"):
        assert send(smtp_listener.port, load(name)) == {}
    rows = gateway.run(lambda env: env["mail.inbox"].search([], order="id").read(
        ["status", "source", "envelope_from", "envelope_to", "error", "res_id"]))
    assert [r["status"] for r in rows] == ["processed"] * 7, [r["error"] for r in rows]
    assert {r["source"] for r in rows} == {"smtp"}
    assert rows[0]["envelope_from"] == "sender@example.com" and rows[0]["envelope_to"] == f"support@{DOMAIN}"
    assert gateway.count(TICKET, [("priority", "=", 1)]) == 7
    names = gateway.run(lambda env: env[TICKET].search([], order="id").mapped("name"))
    assert "Grüße aus München- Straße" in names
    attachment_names = gateway.run(lambda env: set(env["ir.attachment"].search(
        [("res_model", "=", TICKET)]).mapped("name")))
    assert {"invoice 42.pdf", "Nötes.txt", "screenshot.png", "Delivery delayed.eml"} <= attachment_names


def test_smtp_bounce_null_sender_duplicate_and_broken(gateway, smtp_listener):
    gateway.alias("support")
    send(smtp_listener.port, load("bounce"), sender="")
    send(smtp_listener.port, load("auto_reply"))
    send(smtp_listener.port, load("html_only"))
    send(smtp_listener.port, load("html_only"))                     # delivered twice
    # a broken message is accepted (250): it is ours now, kept for a person to look at
    send(smtp_listener.port, load("broken_mime"))
    rows = gateway.run(lambda env: env["mail.inbox"].search([], order="id").read(
        ["status", "ignored_reason", "envelope_from"]))
    assert [(r["status"], r["ignored_reason"]) for r in rows] == [
        ("ignored", "bounce"), ("ignored", "auto-reply"), ("processed", False), ("ignored", "duplicate"),
        ("failed", False)]
    assert rows[0]["envelope_from"] == "<>"
    assert gateway.count(TICKET) == 1


def test_reply_over_smtp_threads_on_the_ticket(gateway, smtp_listener):
    gateway.alias("support")
    send(smtp_listener.port, load("html_only"))
    ticket_id = gateway.run(lambda env: env[TICKET].search([]).id)
    ours = gateway.run(lambda env: env[TICKET].browse(ticket_id).message_post(
        body="Answer", message_type="comment", subtype_xmlid="mail.mt_comment").message_id)
    send(smtp_listener.port, compose("Re: HTML only", "Thanks!", "carl@example.org", in_reply_to=ours,
                                     message_id="<smtp-reply@example.org>"))
    assert gateway.count(TICKET) == 1
    assert gateway.count("mail.message", [("model", "=", TICKET), ("res_id", "=", ticket_id),
                                          ("message_type", "=", "email")]) == 2


def test_recipients_outside_the_catchall_domain_are_refused(gateway, smtp_listener):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(smtp_listener.port, load("html_only"), recipients=["someone@elsewhere.example"])
    code, text = refused.value.recipients["someone@elsewhere.example"]
    assert code == 550 and b"Relaying denied" in text
    assert gateway.count("mail.inbox") == 0


def test_mail_listen_command(gateway, mail_db_uri, tmp_path):
    gateway.alias("support")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "server.py"), "mail-listen", "--db-uri", mail_db_uri,
         "--addons-path", TEST_ADDONS, "--data-dir", str(tmp_path / "data"), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = process.stdout.readline().decode()
        assert f"SMTP listener on 127.0.0.1:{port}" in line, process.stderr.read().decode() if not line else line
        assert send(port, load("german_subject")) == {}
        assert gateway.run(lambda env: env[TICKET].search([]).name) == "Grüße aus München- Straße"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert "mail-listen: stopped" in out.decode()
