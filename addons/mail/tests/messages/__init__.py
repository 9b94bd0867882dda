"""Real RFC 5322 messages for the gateway's tests (the ``.eml`` files beside this module,
kept byte for byte), and small helpers shared by the ``test_gateway_*`` modules.

``gateway`` is a fixture: the registry of a fresh database with mail and test_mail
whose catchall domain is ``tessera.test``; unlike ``env`` (one transaction rolled
back), everything runs in transactions that commit, as the gateway itself does.
"""
import os
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

from core.api import SUPERUSER_ID, Environment

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = "tessera.test"


def load(name):
    """The bytes of ``<name>.eml``, exactly as stored."""
    with open(os.path.join(HERE, f"{name}.eml"), "rb") as file:
        return file.read()


def compose(subject="Hello", body="Text", sender="Kim <kim@example.com>", to=f"support@{DOMAIN}",
            message_id=None, in_reply_to=None, references=None, headers=None):
    """A simple text message as bytes (CRLF line ends, as SMTP carries them)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body)
    return message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class Gateway:
    """The database of a test, reached the way the gateway reaches it: committed transactions."""

    def __init__(self, registry):
        self.registry = registry

    def run(self, function):
        """``function(env)`` in a transaction of its own (superuser), committed."""
        with self.registry.cursor() as cr:
            return function(Environment(cr, SUPERUSER_ID, {}))

    def deliver(self, raw, source="rpc", **values):
        from addons.mail.models.mail_inbox import deliver
        return deliver(self.registry, raw, source, **values)

    def row(self, inbox_id):
        """The inbox row ``inbox_id`` as a dict of its main values."""
        return self.run(lambda env: env["mail.inbox"].browse(inbox_id).read(
            ["status", "ignored_reason", "error", "res_model", "res_id", "attempts", "route", "message_id",
             "sender", "subject", "source", "mail_message_id"])[0])

    def count(self, model, domain=()):
        return self.run(lambda env: env[model].search_count(list(domain)))

    def alias(self, name="support", defaults="{}", **values):
        def create(env):
            return env["mail.alias"].create(dict(
                alias_name=name, alias_model_id=env["ir.model"].search([("model", "=", "test.mail.ticket")]).id,
                alias_defaults=defaults, **values)).id
        return self.run(create)


@pytest.fixture
def gateway(mail_registry):
    gateway = Gateway(mail_registry)
    gateway.run(lambda env: env["ir.config_parameter"].set_param("mail.catchall.domain", DOMAIN))
    return gateway
