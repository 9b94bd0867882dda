"""The inbound SMTP listener: an aiosmtpd server that stores every message it accepts.

``start(config, open_registry)`` starts it in a thread of its own on
``config.smtp_listen_interface``:``config.smtp_listen_port`` (nothing when the port
is 0) and returns the running :class:`Listener` (``stop()`` ends it);
``open_registry()`` gives the registry of the database to deliver to, read again
for every message (an install replaces it).  ``server.py mail-listen -d DB`` runs
one in the foreground.

Each message is answered ``250`` once it is stored (committed) in the inbox, even
when processing it failed afterwards: the failure is ours to fix, the sender must
not retry or bounce.  When it cannot be stored (the database is down), the answer
is ``451``, a temporary failure, and the sending server tries again later.
Recipients outside the catchall domain (``mail.catchall.domain``, when set) are
refused at ``RCPT TO`` with ``550``: the listener is no relay.
"""
import asyncio
import logging

from aiosmtpd.controller import Controller

from core.api import SUPERUSER_ID, Environment

from .. import tools

_logger = logging.getLogger(__name__)

#: the largest message accepted, in bytes (aiosmtpd refuses bigger ones with 552)
MAX_SIZE = 32 * 1024 * 1024


class Handler:
    """aiosmtpd handler: ``RCPT`` checks the domain, ``DATA`` stores and processes."""

    def __init__(self, open_registry):
        self.open_registry = open_registry

    def _domain(self):
        registry = self.open_registry()
        with registry.cursor() as cr:
            return tools.catchall(Environment(cr, SUPERUSER_ID, {}))[1]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            domain = await asyncio.get_running_loop().run_in_executor(None, self._domain)
        except Exception:
            _logger.exception("SMTP listener: cannot read the catchall domain")
            return "451 4.3.0 Temporary failure, please try again later"
        if domain and address.rpartition("@")[2].lower() != domain.lower():
            return f"550 5.7.1 Relaying denied: {address} is not in the domain {domain}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def _deliver(self, raw, mail_from, rcpt_tos):
        from ..models.mail_inbox import deliver
        return deliver(self.open_registry(), raw, "smtp", envelope_from=mail_from or "<>",
                       envelope_to=", ".join(rcpt_tos))

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content if isinstance(envelope.original_content, bytes) else envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                None, self._deliver, raw, envelope.mail_from, list(envelope.rcpt_tos))
        except Exception:
            _logger.exception("SMTP listener: a message from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Temporary failure, please try again later"
        _logger.info("SMTP listener: message from %s stored as mail.inbox %s (%s)",
                     envelope.mail_from, result["id"], result["status"])
        return f"250 2.0.0 Stored as {result['id']}"


class Listener:
    """A running SMTP listener (aiosmtpd's threaded controller)."""

    def __init__(self, open_registry, interface, port):
        self.interface, self.port = interface, int(port)
        self.controller = Controller(Handler(open_registry), hostname=interface, port=self.port,
                                     data_size_limit=MAX_SIZE, ready_timeout=10)

    def start(self):
        self.controller.start()
        _logger.info("SMTP listener on %s:%s", self.interface, self.port)
        return self

    def stop(self):
        self.controller.stop()


def start(config, open_registry, interface=None, port=None):
    """Start the listener of ``config`` (see the module docstring); None when its port is 0."""
    port = port if port is not None else config.smtp_listen_port
    if not port:
        return None
    return Listener(open_registry, interface or config.smtp_listen_interface or "127.0.0.1", port).start()
