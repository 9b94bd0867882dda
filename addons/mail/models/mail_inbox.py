"""The inbox of the mail gateway: every incoming message, kept raw, then processed.

Nothing a customer sends may be lost, so the gateway works in two steps:

1. **store**: the raw bytes, exactly as received, become a ``mail.inbox`` row
   (status ``new``) in a transaction that commits at once;
2. **process**: in another transaction, the row is parsed (``gateway/parse.py``),
   checked for bounces, auto-replies, duplicates and loops (``ignored`` with the
   reason), routed (``gateway/route.py``) and turned into a record or a reply on
   one (``processed``, with where it went).  Any error undoes the half-made record
   (savepoint) and leaves the row ``failed`` with the error text, to be processed
   again from the list (button "Process again") or ``server.py mail-retry``.

:meth:`MailInbox.deliver` does both, whatever the caller's transaction (the
mailgate command, the SMTP listener, ``message_process`` over RPC).  Mailboxes
fetched by ``fetchmail.server`` store their messages in the fetching transaction
and delete them on the server only after it committed.

Processing runs as superuser: mail from outside has no user, and which record a
message may reach is decided by the routing (stored Message-IDs, signed tokens,
aliases).  New records of an alias with an owner are created as that owner, so
that the owner's access rights apply to them.
"""
import base64
import contextlib
import email.parser
import email.policy
import hashlib
import logging
import traceback
from datetime import timedelta

from core import _, api, fields, models
from core.api import SUPERUSER_ID, Environment
from core.db.engine import is_retryable

from ..gateway import detect, parse, route

_logger = logging.getLogger(__name__)

SOURCES = [("mailgate", "Mail gateway (MTA pipe)"), ("smtp", "SMTP listener"), ("imap", "IMAP mailbox"),
           ("pop3", "POP3 mailbox"), ("rpc", "External API")]
STATUSES = [("new", "New"), ("processed", "Processed"), ("failed", "Failed"), ("ignored", "Ignored")]
IGNORED_REASONS = [("bounce", "Bounce"), ("auto-reply", "Auto-reply"), ("loop", "Mail loop (rate limit)"),
                   ("duplicate", "Duplicate")]
#: defaults of the system parameters that tune the detection
LOOP_THRESHOLD, LOOP_MINUTES = 20, 120


def _peek_headers(raw):
    """``(message_id, email_from, sender, subject)`` from the headers only, never raising."""
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(bytes(raw))
        message_id = (parse.message_ids(parse.header(headers, "Message-ID")) or [""])[0]
        email_from = parse.header(headers, "From") or parse.header(headers, "Sender")
        return message_id, email_from, parse.bare_address(email_from), parse.header(headers, "Subject")
    except Exception:       # the row must be stored whatever the bytes are
        _logger.warning("cannot read the headers of an incoming message", exc_info=True)
        return "", "", "", ""


class MailInbox(models.Model):
    _name = "mail.inbox"
    _description = "Incoming Message"
    _order = "id desc"
    _rec_name = "subject"

    raw = fields.Binary(string="Raw Message", attachment=False, required=True,
                        help="The message exactly as it was received (RFC 5322 bytes)")
    raw_size = fields.Integer(string="Size (bytes)", readonly=True)
    message_id = fields.Char(string="Message-ID", index=True, readonly=True)
    email_from = fields.Char(string="From", readonly=True, help="The From header, as written")
    sender = fields.Char(index=True, readonly=True, help="The sender's bare address, lower case")
    subject = fields.Char(readonly=True)
    received = fields.Datetime(default=fields.Datetime.now, required=True, index=True, readonly=True)
    source = fields.Selection(SOURCES, required=True, default="rpc", readonly=True)
    envelope_from = fields.Char(readonly=True, help="SMTP envelope sender ('<>' for the null sender)")
    envelope_to = fields.Char(readonly=True, help="SMTP envelope recipients")
    fallback_model = fields.Char(readonly=True,
                                 help="Model of the new record when no route is found (mailgate --model)")
    fallback_thread_id = fields.Integer(readonly=True)
    custom_values = fields.Json(readonly=True, help="Values given by the caller for a new record")
    fetchmail_server_id = fields.Many2one("fetchmail.server", string="Mailbox", ondelete="set null",
                                          readonly=True)
    status = fields.Selection(STATUSES, required=True, default="new", index=True, readonly=True)
    ignored_reason = fields.Selection(IGNORED_REASONS, string="Reason Ignored", readonly=True)
    error = fields.Text(readonly=True, help="Why the last processing failed")
    attempts = fields.Integer(readonly=True, help="How many times processing was tried")
    processed_date = fields.Datetime(string="Processed On", readonly=True)
    route = fields.Char(string="Routed By", readonly=True, help="Which rule found the record")
    res_model = fields.Char(string="Model", readonly=True, help="Where the message went")
    res_id = fields.Integer(string="Record ID", readonly=True)
    mail_message_id = fields.Many2one("mail.message", string="Message", ondelete="set null", readonly=True)
    raw_source = fields.Text(string="Source", compute="_compute_raw_source",
                             help="The raw message as text, for reading")

    @api.depends("raw")
    def _compute_raw_source(self):
        for row in self:
            data = row.with_context(bin_size=False).raw
            row.raw_source = parse.decode_text(base64.b64decode(data), "utf-8") if data else ""

    # ------------------------------------------------------------ storing
    @api.model
    def store(self, raw, source="rpc", **values):
        """A new row (status ``new``) for the bytes ``raw``, in the current transaction.

        ``values`` may give envelope_from, envelope_to, fallback_model, fallback_thread_id,
        custom_values, fetchmail_server_id.
        """
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if not isinstance(raw, (bytes, bytearray)) or not raw:
            raise ValueError(_("An incoming message must be non-empty bytes."))
        raw = bytes(raw)
        message_id, email_from, sender, subject = _peek_headers(raw)
        vals = {"raw": base64.b64encode(raw), "raw_size": len(raw), "source": source,
                "message_id": message_id or False, "email_from": email_from or False,
                "sender": sender or False, "subject": subject or False}
        vals.update({key: value for key, value in values.items() if value not in (None, "")})
        return self.create(vals)

    @api.model
    def deliver(self, raw, source="rpc", model=None, thread_id=None, custom_values=None,
                envelope_from=None, envelope_to=None):
        """Store ``raw`` and commit, then process it in a transaction of its own; the row's id.

        Both run on connections of their own, so the message is safe once this returns
        (or once the first step did, if the second fails).  The caller needs the right
        to create inbox rows; the work itself runs as superuser (see the module docstring).
        Callers on SQLite must not hold uncommitted writes (the database allows one writer).
        """
        return self._deliver(raw, source, model=model, thread_id=thread_id, custom_values=custom_values,
                             envelope_from=envelope_from, envelope_to=envelope_to)["id"]

    def _deliver(self, raw, source, **values):
        """:meth:`deliver`, returning the row's ``{id, status, ignored_reason, error, res_model, res_id}``
        as its processing left it."""
        self.browse()._check_access("create")
        return deliver(self.env.registry, raw, source, **values)

    # ------------------------------------------------------------ processing
    def process(self):
        """Process these rows (new, failed or ignored; processed ones are left alone).

        Each row runs in a savepoint: a failure undoes what that row made and marks it
        failed with the error, the others go on.  The "Process again" button.
        """
        self._check_access("write")
        for row in self.sudo().filtered(lambda r: r.status != "processed"):
            row._process_one()
        return True

    def action_process(self):
        """The "Process again" button: :meth:`process`, then show the rows again."""
        self.process()
        return True

    @api.model
    def retry_failed(self, ids=None):
        """Process the failed rows (all, or those of ``ids``) and the new ones left behind by
        a crash (older than five minutes); returns ``{status: count}``."""
        if ids:
            rows = self.browse([int(i) for i in ids]).exists()
        else:
            stale = fields.Datetime.now() - timedelta(minutes=5)
            rows = self.search(["|", ("status", "=", "failed"), "&", ("status", "=", "new"),
                                ("received", "<", stale)], order="id")
        rows.process()
        counts = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    def _process_one(self):
        self.ensure_one()
        env = self.env
        attempts = self.attempts + 1
        try:
            with env.cr.savepoint():
                result = self._route_and_post()
        except Exception as exc:
            if is_retryable(exc):
                raise           # a conflict: the whole transaction is tried again
            _logger.info("incoming message %s (mail.inbox %s) failed: %s", self.message_id, self.id, exc)
            detail = str(exc) if isinstance(exc, (ValueError, parse.BrokenMessage)) \
                else f"{type(exc).__name__}: {exc}\n\n{''.join(traceback.format_exception(exc))}"
            self.write({"status": "failed", "error": detail or type(exc).__name__, "attempts": attempts,
                        "processed_date": fields.Datetime.now()})
            return
        result.update(attempts=attempts, processed_date=fields.Datetime.now())
        self.write(result)

    def _route_and_post(self):
        """Parse, detect, route, post; the values to write on the row."""
        env = self.env
        raw = base64.b64decode(self.with_context(bin_size=False).raw)
        message = parse.read_message(raw)
        msg_dict = parse.parse(message)
        msg_dict["envelope_to"] = self.envelope_to or ""
        reason = self._ignored_reason(message, msg_dict)
        if reason:
            return {"status": "ignored", "ignored_reason": reason, "error": False}
        # superuser: the sender has no user; matching by normalised address, case-insensitive
        partners = env["res.partner"].sudo()
        author = partners._find_or_create_from_email(msg_dict["email_from"], create=False)
        msg_dict["author_id"] = author.id or False
        found = route.find_route(env, msg_dict, message, model=self.fallback_model or None,
                                 thread_id=self.fallback_thread_id or None,
                                 custom_values=self.custom_values or None)
        if not author and msg_dict["from_address"]:
            # the sender becomes a contact once the message is accepted: the history has a name
            author = partners._find_or_create_from_email(msg_dict["email_from"], create=True)
            msg_dict["author_id"] = author.id or False
        msg_dict["parent_id"] = found.parent_id or False
        record, message_record = self._post(found, msg_dict)
        return {"status": "processed", "ignored_reason": False, "error": False, "route": found.how,
                "res_model": record._name, "res_id": record.id, "mail_message_id": message_record.id}

    def _post(self, found, msg_dict):
        """Create or update the record of route ``found`` and post the email on it."""
        env = self.env
        if found.res_id:
            record = env[found.model].sudo().browse(found.res_id)
            record.message_update(msg_dict)
        else:
            # an alias with an owner creates as that user, under the owner's access rights
            model = env[found.model].with_user(found.user_id) if found.user_id else env[found.model].sudo()
            record = model.message_new(msg_dict, dict(found.custom_values or {}))
        # the owner posts what the alias created; on an existing thread the route itself
        # (stored Message-ID, signed token) is the authority: superuser
        poster = record if found.user_id and not found.res_id else record.sudo()
        extra = {"date": msg_dict["date"]} if msg_dict.get("date") else {}
        message_record = poster.message_post(
            body=msg_dict["body"], subject=msg_dict["subject"] or None, message_type="email",
            subtype_xmlid="mail.mt_comment", author_id=msg_dict["author_id"] or False,
            email_from=msg_dict["email_from"] or False, parent_id=msg_dict["parent_id"] or None,
            message_id=msg_dict["message_id"] or None, attachments=msg_dict["attachments"], **extra)
        return record, message_record

    # ------------------------------------------------------------ detection
    def _ignored_reason(self, message, msg_dict):
        """``bounce``, ``auto-reply``, ``duplicate``, ``loop`` or None (see gateway/detect.py)."""
        if detect.is_bounce(message, (self.envelope_from or None) if self.source == "smtp" else None):
            return "bounce"
        if detect.is_auto_reply(message):
            return "auto-reply"
        if self._is_duplicate(msg_dict["message_id"]):
            return "duplicate"
        if self._is_loop():
            return "loop"
        return None

    def _is_duplicate(self, message_id):
        """A Message-ID already processed, or already on a stored message (ours or received)."""
        if not message_id:
            return False
        if self.search_count([("message_id", "=", message_id), ("status", "=", "processed"),
                              ("id", "!=", self.id)], limit=1):
            return True
        return bool(self.env["mail.message"].sudo().search_count([("message_id", "=", message_id)], limit=1))

    def _is_loop(self):
        """More than ``mail.gateway.loop_threshold`` messages from this sender came before this one
        in the last ``mail.gateway.loop_minutes`` minutes."""
        if not self.sender:
            return False
        params = self.env["ir.config_parameter"].sudo()
        threshold = int(params.get_param("mail.gateway.loop_threshold") or LOOP_THRESHOLD)
        minutes = int(params.get_param("mail.gateway.loop_minutes") or LOOP_MINUTES)
        since = (self.received or fields.Datetime.now()) - timedelta(minutes=minutes)
        earlier = self.search_count([("sender", "=", self.sender), ("received", ">=", since),
                                     ("id", "<", self.id)], limit=threshold)
        return earlier >= threshold


# ---------------------------------------------------------------- outside any caller's transaction
def deliver(registry, raw, source, model=None, thread_id=None, custom_values=None,
            envelope_from=None, envelope_to=None):
    """Store ``raw`` in a transaction that commits, then process it in another one; the row's
    ``{id, status, ignored_reason, error, res_model, res_id}``.

    For the ways in that have no user (the mailgate command, the SMTP listener): raises
    only when the message could not be stored.
    """
    values = {"fallback_model": model or None, "fallback_thread_id": thread_id or None,
              "custom_values": custom_values or None, "envelope_from": envelope_from,
              "envelope_to": envelope_to}
    inbox_id = registry.run(
        lambda cr: Environment(cr, SUPERUSER_ID, {})["mail.inbox"].store(raw, source, **values).id)
    return process_stored(registry, inbox_id)


def process_stored(registry, inbox_id):
    """Process the stored row ``inbox_id`` in a transaction of its own (retried on conflicts);
    the row's ``{id, status, ignored_reason, error, res_model, res_id}`` afterwards.

    An error that escapes processing (the database went away) is logged, not raised:
    the row is stored and stays ``new``, for ``mail-retry``.

    On PostgreSQL, messages with the same Message-ID are processed one at a time (an
    advisory lock taken before the transaction starts, so that its snapshot sees the
    other's commit): a duplicate delivered twice at once never makes two records.
    """
    def run(cr):
        row = Environment(cr, SUPERUSER_ID, {})["mail.inbox"].browse(inbox_id)
        row.process()
        return {"id": row.id, "status": row.status, "ignored_reason": row.ignored_reason, "error": row.error,
                "res_model": row.res_model, "res_id": row.res_id}

    try:
        with _message_id_lock(registry, _message_id_of(registry, inbox_id)):
            return registry.run(run)
    except Exception as exc:
        _logger.exception("incoming message (mail.inbox %s) stored but not processed", inbox_id)
        return {"id": inbox_id, "status": "new", "ignored_reason": False, "error": str(exc),
                "res_model": False, "res_id": False}


def _message_id_of(registry, inbox_id):
    if registry.dialect != "postgresql":
        return None
    with registry.cursor() as cr:
        return Environment(cr, SUPERUSER_ID, {})["mail.inbox"].browse(inbox_id).message_id or None


@contextlib.contextmanager
def _message_id_lock(registry, message_id):
    if registry.dialect != "postgresql" or not message_id:
        yield
        return
    import sqlalchemy as sa
    key = int.from_bytes(hashlib.sha256(message_id.encode()).digest()[:8], "big", signed=True)
    with registry.engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()
