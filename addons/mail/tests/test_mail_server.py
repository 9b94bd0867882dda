"""Outgoing mail servers: connecting (plain, STARTTLS, SSL, login), the test button, choosing a server.

The TLS tests run aiosmtpd with a self-signed certificate made at test time with the
``openssl`` command; the client trusts it through the server's ``smtp_ca_file``.
"""
import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from core.exceptions import UserError, ValidationError

from .conftest import SmtpSink, free_port


@pytest.fixture
def certificate(tmp_path):
    """``(cert.pem, key.pem)``: a self-signed certificate for 127.0.0.1."""
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a test certificate (cryptography is not installed)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


def _server_context(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def start_sink():
    """``start_sink(**smtp_options)`` -> a running SmtpSink with ``.port``; stopped at the end."""
    controllers = []

    def start(**options):
        sink = SmtpSink()
        sink.host, sink.port = "127.0.0.1", free_port()
        controller = Controller(sink, hostname=sink.host, port=sink.port, **options)
        controller.start()
        controllers.append(controller)
        return sink

    yield start
    for controller in controllers:
        controller.stop()


def server(env, sink, **values):
    return env["ir.mail_server"].create({"name": "Test server", "smtp_host": "127.0.0.1",
                                         "smtp_port": sink.port, **values})


def send_one(env, server_record):
    mail = env["mail.mail"].create({"subject": "Secure", "body_html": "<p>x</p>", "email_from": "a@example.com",
                                    "email_to": "b@example.com", "auto_delete": False,
                                    "mail_server_id": server_record.id})
    mail.send()
    return mail


def test_starttls_with_a_trusted_certificate(env, start_sink, certificate):
    sink = start_sink(tls_context=_server_context(certificate), require_starttls=True)
    secure = server(env, sink, smtp_encryption="starttls", smtp_ca_file=certificate[0])
    mail = send_one(env, secure)
    assert mail.state == "sent", mail.failure_reason
    assert sink.messages[0]["Subject"] == "Secure"


def test_starttls_refuses_an_untrusted_certificate(env, start_sink, certificate):
    sink = start_sink(tls_context=_server_context(certificate), require_starttls=True)
    mail = send_one(env, server(env, sink, smtp_encryption="starttls"))
    assert mail.state == "exception" and mail.failure_type == "mail_connection"
    assert "CERTIFICATE_VERIFY_FAILED" in mail.failure_reason and mail.next_try
    assert not sink.envelopes


def test_plain_connection_to_a_server_requiring_starttls_fails_with_its_answer(env, start_sink, certificate):
    sink = start_sink(tls_context=_server_context(certificate), require_starttls=True)
    mail = send_one(env, server(env, sink, smtp_encryption="none"))
    assert mail.state == "exception" and "530" in mail.failure_reason and "STARTTLS" in mail.failure_reason


def test_ssl_connection(env, start_sink, certificate):
    sink = start_sink(ssl_context=_server_context(certificate))
    mail = send_one(env, server(env, sink, smtp_encryption="ssl", smtp_ca_file=certificate[0]))
    assert mail.state == "sent", mail.failure_reason
    assert len(sink.envelopes) == 1


def _authenticator(server, session, envelope, mechanism, auth_data):
    # handled=False: aiosmtpd answers a refusal itself (535)
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"desk", b"s3cret"), handled=False)


def test_login(env, start_sink):
    sink = start_sink(authenticator=_authenticator, auth_require_tls=False)
    good = server(env, sink, smtp_user="desk", smtp_pass="s3cret")
    assert send_one(env, good).state == "sent"
    good.test_smtp_connection()
    assert "connection succeeded (250" in good.last_test
    bad = server(env, sink, name="Wrong password", smtp_user="desk", smtp_pass="wrong")
    with pytest.raises(UserError, match="“Wrong password” failed: the server answered 535"):
        bad.test_smtp_connection()
    mail = send_one(env, bad)
    assert mail.state == "exception" and "535" in mail.failure_reason


def test_connection_button_reports_an_unreachable_server(env):
    down = env["ir.mail_server"].create({"name": "Down", "smtp_host": "127.0.0.1", "smtp_port": free_port()})
    with pytest.raises(UserError, match="Connection test of “Down” failed: .*(refused|111)"):
        down.test_smtp_connection()
    assert not down.last_test


def test_port_must_be_valid(env):
    with pytest.raises(ValidationError, match="between 1 and 65535"):
        env["ir.mail_server"].create({"name": "Bad", "smtp_host": "x", "smtp_port": 70000})


def test_server_chosen_by_from_filter_then_sequence(env, start_sink):
    first, second = start_sink(), start_sink()
    general = server(env, first, name="General", sequence=1)
    server(env, second, name="Example", sequence=5, from_filter="example.com, news@example.org")
    Server = env["ir.mail_server"]
    assert Server._find_for_sender("desk@example.com").name == "Example"
    assert Server._find_for_sender("news@example.org").name == "Example"
    assert Server._find_for_sender("other@example.org") == general
    for sender in ("desk@example.com", "other@example.org"):
        env["mail.mail"].create({"subject": sender, "email_from": sender, "email_to": "b@example.net"})
    env["mail.mail"].process_email_queue()
    assert [m["Subject"] for m in first.messages] == ["other@example.org"]
    assert [m["Subject"] for m in second.messages] == ["desk@example.com"]
    # only filtered servers left: the first one sends what no filter accepts
    general.active = False
    assert Server._find_for_sender("other@example.org").name == "Example"
