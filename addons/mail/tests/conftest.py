"""Fixtures of the mail addon's tests.

- ``mail_registry``: a fresh database with mail and the test addon ``test_mail``
  (``test.mail.ticket``: chatter, tracked fields, activities) and base's demo data,
  with a filestore of its own; ``env`` is its superuser environment in one
  transaction that is rolled back at the end.
- ``smtp_sink``: a real SMTP server (aiosmtpd) on loopback that keeps what it
  receives; ``smtp_sink.messages`` are the parsed ``EmailMessage`` objects.
"""
import email
import email.policy
import os
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from core.api import SUPERUSER_ID, Environment
from tests.plugin import installed_copy, opened_registry
from tests.support.sql import statements_of

TEST_ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")
MAIL_ADDONS = ("mail", "test_mail")


@pytest.fixture
def mail_db_uri(tmp_path, installed_template):
    with installed_copy(tmp_path, installed_template, MAIL_ADDONS, (TEST_ADDONS,)) as uri:
        yield uri


@pytest.fixture
def mail_registry(mail_db_uri, tmp_path):
    with opened_registry(mail_db_uri, tmp_path, (TEST_ADDONS,)) as registry:
        yield registry


@pytest.fixture
def count_statements(mail_registry):
    """``count_statements(call)``: the SQL statements ``call()`` runs (a list)."""
    def count(call):
        with statements_of(mail_registry.engine) as statements:
            call()
        return statements
    return count


@pytest.fixture
def env(mail_registry):
    cr = mail_registry.cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.close()


class SmtpSink:
    """What a real SMTP server on loopback received: envelopes and parsed messages."""

    def __init__(self):
        self.envelopes = []
        self.received = threading.Event()
        self.reject = None          # (code, text) to refuse the next messages with

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return "%d %s" % self.reject
        self.envelopes.append(envelope)
        self.received.set()
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port():
    """A TCP port on loopback that nobody listens on now (aiosmtpd needs one up front)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.host, sink.port = "127.0.0.1", free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def mail_server(env, smtp_sink):
    """An outgoing mail server (``ir.mail_server``) that delivers to ``smtp_sink``, plain SMTP."""
    return env["ir.mail_server"].create({
        "name": "Loopback sink", "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port,
        "smtp_encryption": "none"})
