"""Incoming mail servers: IMAP and POP3 mailboxes fetched into the inbox.

Each fetch reads at most ``mail.fetchmail.batch`` (50) messages of a mailbox, stores
each one as a ``mail.inbox`` row and processes it (each in a savepoint, as the inbox
does), all in the fetching transaction.  The messages are deleted on the server
(IMAP: flagged ``\\Deleted`` and expunged; POP3: ``DELE`` then ``QUIT``) only once
that transaction has committed; when it fails, they stay on the server and the next
fetch reads them again — the inbox's duplicate check keeps a message that was
already processed from making a second record.

The scheduled action "Mail: fetch the incoming mail servers" runs every five
minutes; the form has "Fetch now" and "Test" buttons.
"""
import imaplib
import logging
import poplib
import socket

from core import _, api, fields, models
from core.exceptions import UserError

_logger = logging.getLogger(__name__)

TIMEOUT = 60
NETWORK_ERRORS = (OSError, imaplib.IMAP4.error, poplib.error_proto, socket.timeout, EOFError)


class FetchmailServer(models.Model):
    _name = "fetchmail.server"
    _description = "Incoming Mail Server"
    _order = "priority, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    server_type = fields.Selection([("imap", "IMAP Server"), ("pop3", "POP3 Server")], string="Server Type",
                                   required=True, default="imap")
    server = fields.Char(string="Server Name", required=True, help="Host name or IP address")
    port = fields.Integer(help="Empty: 993/143 for IMAP, 995/110 for POP3 (with/without SSL)")
    is_ssl = fields.Boolean(string="SSL/TLS", default=True, help="Connect over SSL/TLS (IMAPS, POP3S)")
    user = fields.Char(string="Username")
    password = fields.Char()
    folder = fields.Char(default="INBOX", help="IMAP folder to read")
    model_id = fields.Many2one("ir.model", string="Create a New Record", ondelete="set null",
                               help="Model of the records made from messages that no route matches")
    priority = fields.Integer(string="Server Priority", default=5)
    date = fields.Datetime(string="Last Fetch Date", readonly=True)
    error = fields.Text(string="Last Error", readonly=True)
    message_count = fields.Integer(string="Messages Fetched", readonly=True,
                                   help="Messages read by the last fetch")

    def _port(self):
        if self.port:
            return self.port
        if self.server_type == "imap":
            return 993 if self.is_ssl else 143
        return 995 if self.is_ssl else 110

    # ------------------------------------------------------------ connections
    def _connect(self):
        """A logged-in connection (``imaplib.IMAP4`` with the folder selected, or ``poplib.POP3``)."""
        self.ensure_one()
        if self.server_type == "imap":
            cls = imaplib.IMAP4_SSL if self.is_ssl else imaplib.IMAP4
            connection = cls(self.server, self._port(), timeout=TIMEOUT)
            connection.login(self.user or "", self.password or "")
            status, data = connection.select(self.folder or "INBOX")
            if status != "OK":
                connection.logout()
                raise imaplib.IMAP4.error(f"cannot open the folder {self.folder!r}: {data}")
            return connection
        cls = poplib.POP3_SSL if self.is_ssl else poplib.POP3
        connection = cls(self.server, self._port(), timeout=TIMEOUT)
        connection.user(self.user or "")
        connection.pass_(self.password or "")
        return connection

    def _read(self, connection, limit):
        """``[(key, raw bytes)]`` of up to ``limit`` messages; key: IMAP UID or POP3 number."""
        messages = []
        if self.server_type == "imap":
            status, data = connection.uid("search", None, "ALL")
            if status != "OK":
                raise imaplib.IMAP4.error(f"search failed: {data}")
            for uid in (data[0] or b"").split()[:limit]:
                status, parts = connection.uid("fetch", uid, "(RFC822)")
                raw = next((p[1] for p in parts or () if isinstance(p, tuple)), None)
                if status == "OK" and raw:
                    messages.append((uid, raw))
            return messages
        count, _size = connection.stat()
        for number in range(1, min(count, limit) + 1):
            _response, lines, _octets = connection.retr(number)
            messages.append((number, b"\r\n".join(lines) + b"\r\n"))
        return messages

    @staticmethod
    def _delete_and_close(server_type, name, connection, keys):
        """Delete ``keys`` on the server and log out (after the commit: no database here)."""
        try:
            if server_type == "imap":
                for uid in keys:
                    connection.uid("store", uid, "+FLAGS", "(\\Deleted)")
                if keys:
                    connection.expunge()
                connection.logout()
            else:
                for number in keys:
                    connection.dele(number)
                connection.quit()       # POP3 deletes at QUIT only
        except NETWORK_ERRORS:
            _logger.warning("mailbox %s: the fetched messages could not be deleted; the next fetch "
                            "reads them again (duplicates are ignored)", name, exc_info=True)

    @staticmethod
    def _close(connection):
        """Close without deleting anything (the transaction failed)."""
        try:
            sock = getattr(connection, "sock", None)
            if sock is not None:
                sock.close()
        except OSError:
            pass

    # ------------------------------------------------------------ actions
    def button_confirm_login(self):
        """The "Test" button: log in and out; raises with the server's answer when it fails."""
        for server in self:
            try:
                connection = server._connect()
            except NETWORK_ERRORS as exc:
                server.write({"error": str(exc) or type(exc).__name__})
                raise UserError(_("Connection to %(server)s failed: %(error)s",
                                  server=server.name, error=str(exc) or type(exc).__name__)) from None
            try:
                connection.logout() if server.server_type == "imap" else connection.quit()
            except NETWORK_ERRORS:
                pass
            server.write({"error": False})
        return True

    def fetch_mail(self):
        """The "Fetch now" button: fetch these mailboxes now; returns how many messages were read."""
        self._check_access("write")
        limit = int(self.env["ir.config_parameter"].sudo().get_param("mail.fetchmail.batch") or 50)
        total = 0
        for server in self.sudo():
            total += server._fetch(limit)
        return total

    def _fetch(self, limit):
        self.ensure_one()
        try:
            connection = self._connect()
            messages = self._read(connection, limit)
        except NETWORK_ERRORS as exc:
            _logger.warning("mailbox %s: fetch failed: %s", self.name, exc)
            self.write({"error": f"{type(exc).__name__}: {exc}", "date": fields.Datetime.now()})
            return 0
        inbox = self.env["mail.inbox"]
        rows = inbox.browse()
        for _key, raw in messages:
            rows |= inbox.store(raw, self.server_type, fetchmail_server_id=self.id,
                                fallback_model=self.model_id.model or None)
        rows.process()
        keys = [key for key, _raw in messages]
        cr = self.env.cr
        done = []
        server_type, name = self.server_type, self.name
        cr.after_commit(lambda: (done.append(True), self._delete_and_close(server_type, name, connection, keys)))
        cr.after_transaction(lambda: done or self._close(connection))
        self.write({"error": False, "date": fields.Datetime.now(), "message_count": len(messages)})
        return len(messages)

    @api.model
    def _fetch_mails(self):
        """The scheduled action: fetch every active mailbox."""
        return self.search([("active", "=", True)]).fetch_mail()
