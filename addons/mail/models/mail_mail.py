"""The outgoing mail queue: one ``mail.mail`` row per email to send, sent over SMTP.

Whoever wants an email sent creates a row (state ``outgoing``); the scheduler's job
"Mail: send the queue" calls :meth:`MailMail.process_email_queue`, or a caller sends
at once with :meth:`MailMail.send`.

Building the message
--------------------
:meth:`MailMail._prepare_message` turns a row into an RFC 5322 message with the
standard ``email`` package: From, To (``email_to`` plus the recipient partners), Cc,
Reply-To, Subject (encoded words when not ASCII), Date, a Message-ID on every
message (made and stored when the row has none, so that replies find their thread),
References / In-Reply-To, the extra ``headers``, a multipart/alternative body (plain
text derived from the HTML, and the HTML) and the attachments.

Outcomes
--------
Sent: state ``sent`` and ``date_sent`` (the row is deleted when ``auto_delete``).
Failed: state ``exception``, ``failure_type`` and ``failure_reason`` (the server's
answer), ``retry_count`` + 1.  A transient failure (server unreachable, a 4xx answer)
gets a ``next_try`` 1, 5, 25, 125 then 360 minutes later, until ``mail.queue.max_tries``
(system parameter, default 5) tries were made; a permanent one (a 5xx answer, a
malformed or missing address) gets none: it waits for a person's "Retry".

Not sending a mail twice
------------------------
The queue *claims* the due rows before sending them: one statement moves their
``next_try`` a lease ahead (``LEASE``) and returns their ids.  On PostgreSQL it
locks the rows it picks with ``FOR UPDATE SKIP LOCKED``, so two workers pick
different rows; on SQLite the statement holds the database's write lock, so workers
claim one after the other.  A claimed row is due again only when the lease is over,
i.e. when its worker died while sending it.

The scheduler runs a job in one transaction; if the queue were sent in it, a failure
after sending (at commit, say) would undo the record of what was sent and the next
run would send it again.  So the scheduled job (``isolated=True``) only registers
the work to run once the job's transaction has committed: each batch is claimed in a
short transaction of its own, then every mail's outcome is committed as soon as the
server has answered, on a fresh connection (``registry.cursor()``).  Called without
``isolated`` (tests, a caller that wants the mails sent with its own changes), the
queue is sent in the caller's transaction.
"""
import email.policy
import email.utils
import json
import logging
import re
import smtplib
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage

import sqlalchemy as sa
from lxml import etree
from lxml import html as lxml_html

from core import _, api, fields, models
from core.api import SUPERUSER_ID, Environment
from core.exceptions import UserError, ValidationError

from ..tools import make_message_id

_logger = logging.getLogger(__name__)

STATES = [
    ("outgoing", "Outgoing"),
    ("sent", "Sent"),
    ("exception", "Delivery Failed"),
    ("cancel", "Cancelled"),
]
FAILURE_TYPES = [
    ("mail_email_invalid", "Invalid email address"),
    ("mail_email_missing", "Missing email address"),
    ("mail_from_invalid", "Invalid sender address"),
    ("mail_from_missing", "Missing sender address"),
    ("mail_smtp", "Refused by the mail server"),
    ("mail_connection", "Mail server unreachable"),
    ("unknown", "Unknown error"),
]
#: how long a claimed mail is kept from other workers (its worker may have died)
LEASE = timedelta(minutes=15)
DEFAULT_MAX_TRIES = 5
BACKOFF_CAP_MINUTES = 360
#: headers a row's ``headers`` may not set: the row's own fields say them
RESERVED_HEADERS = frozenset({"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version",
                              "content-type", "content-transfer-encoding", "reply-to"})
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")


def backoff(tries):
    """The wait before try ``tries + 1`` after ``tries`` failed ones: 1, 5, 25, 125 minutes, then 6 hours."""
    return timedelta(minutes=min(5 ** max(tries - 1, 0), BACKOFF_CAP_MINUTES))


class DeliveryFailure(Exception):
    """Why one mail was not sent: ``failure_type``, the ``reason`` people read, retried or not."""

    def __init__(self, failure_type, reason, permanent, connection_lost=False):
        super().__init__(reason)
        self.failure_type = failure_type
        self.reason = reason
        self.permanent = permanent
        self.connection_lost = connection_lost


# ---------------------------------------------------------------- addresses and text
def parse_addresses(text, what):
    """``[(name, address)]`` of the comma-separated ``text``; DeliveryFailure naming ``what`` if malformed."""
    if not text or not text.strip():
        return []
    if "\n" in text or "\r" in text:
        raise DeliveryFailure("mail_email_invalid", _("%(what)s contains a line break: %(text)r",
                                                      what=what, text=text), permanent=True)
    pairs = email.utils.getaddresses([text])
    result = []
    for name, address in pairs:
        if not _ADDRESS.match(address or ""):
            raise DeliveryFailure("mail_email_invalid", _("%(what)s holds a malformed address: %(text)r",
                                                          what=what, text=text), permanent=True)
        result.append((name, address))
    return result


_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr",
                     "blockquote", "pre", "section", "article", "header", "footer", "hr", "address"})
_DROPPED = frozenset({"script", "style", "head", "title", "template"})


def html_to_text(html):
    """A readable plain text of ``html`` for the text/plain part: blocks and <br> as line
    breaks, list items as "* ", links followed by their address."""
    if not html or not html.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html
    parts = []

    def text_of(value, pre):
        return value if pre else re.sub(r"\s+", " ", value)

    def walk(node, pre=False):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROPPED:
            return
        pre = pre or tag == "pre"
        if tag == "br":
            parts.append("\n")
        elif tag == "li":
            parts.append("\n* ")
        elif tag in _BLOCKS:
            parts.append("\n\n")
        if node.text and tag:
            parts.append(text_of(node.text, pre))
        start = len(parts)
        for child in node:
            walk(child, pre)
            if child.tail:
                parts.append(text_of(child.tail, pre))
        if tag == "a":
            href = node.get("href") or ""
            label = "".join(parts[start:]) + (node.text or "")
            if href and not href.startswith(("#", "mailto:")) and href not in label:
                parts.append(f" [{href}]")
        elif tag in _BLOCKS:
            parts.append("\n\n")

    walk(root)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in "".join(parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _answer(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _one_line(value):
    return re.sub(r"[\r\n]+\s*", " ", value or "").strip()


# ---------------------------------------------------------------- the queue
class MailMail(models.Model):
    _name = "mail.mail"
    _description = "Outgoing Mail"
    _order = "id desc"
    _rec_name = "subject"

    mail_message_id = fields.Many2one("mail.message", string="Message", index="btree_not_null",
                                      ondelete="set null")
    subject = fields.Char()
    body_html = fields.Html(string="Body")
    email_from = fields.Char(string="From", help="The sender, as the From header shows it")
    email_to = fields.Text(string="To", help="Comma-separated addresses of the recipients")
    email_cc = fields.Char(string="Cc", help="Comma-separated addresses of the carbon-copy recipients")
    recipient_ids = fields.Many2many("res.partner", "mail_mail_res_partner_rel", "mail_mail_id",
                                     "res_partner_id", string="To (Partners)")
    reply_to = fields.Char(string="Reply-To")
    message_id = fields.Char(string="Message-Id", index=True, copy=False,
                             help="The RFC 5322 Message-ID; made when the mail is sent if empty")
    references = fields.Text(help="Message-IDs of the thread this mail answers, space-separated")
    headers = fields.Text(help="Extra headers as a JSON object, e.g. {\"X-Campaign\": \"spring\"}")
    attachment_ids = fields.Many2many("ir.attachment", "mail_mail_ir_attachment_rel", "mail_mail_id",
                                      "attachment_id", string="Attachments")
    model = fields.Char(string="Related Document Model")
    res_id = fields.Integer(string="Related Document ID")
    state = fields.Selection(STATES, string="Status", required=True, default="outgoing", index=True,
                             copy=False, readonly=True)
    failure_type = fields.Selection(FAILURE_TYPES, readonly=True, copy=False)
    failure_reason = fields.Text(readonly=True, copy=False,
                                 help="Why the last try failed: the mail server's answer or the error")
    retry_count = fields.Integer(string="Tries Failed", readonly=True, copy=False)
    next_try = fields.Datetime(string="Next Try", index=True, copy=False,
                               default=lambda self: fields.Datetime.now(),
                               help="When the queue sends (or tries again); empty: not any more")
    date_sent = fields.Datetime(string="Sent On", readonly=True, copy=False)
    mail_server_id = fields.Many2one("ir.mail_server", string="Outgoing Mail Server", ondelete="set null",
                                     help="Empty: the first server that accepts the sender")
    auto_delete = fields.Boolean(default=True, help="Delete the mail once sent (failed mails stay)")

    @api.constrains("headers")
    def _check_headers(self):
        for mail in self:
            if not mail.headers:
                continue
            try:
                headers = json.loads(mail.headers)
            except ValueError as exc:
                raise ValidationError(_("The headers of mail “%(subject)s” are not valid JSON: %(error)s",
                                        subject=mail.subject or mail.id, error=exc)) from None
            if not isinstance(headers, dict) or not all(isinstance(k, str) for k in headers):
                raise ValidationError(_("The headers of mail “%(subject)s” must be a JSON object "
                                        "of header names and values.", subject=mail.subject or mail.id))

    # ------------------------------------------------------------ buttons
    def action_retry(self):
        """Put failed or cancelled mails back in the queue, with a full set of tries."""
        self.filtered(lambda m: m.state in ("exception", "cancel")).write({
            "state": "outgoing", "next_try": fields.Datetime.now(), "retry_count": 0,
            "failure_type": False, "failure_reason": False})
        return True

    def action_send_now(self):
        """Send the selected outgoing or failed mails at once; the outcome shows on each."""
        self.filtered(lambda m: m.state in ("outgoing", "exception")).send()
        return True

    def action_cancel(self):
        """Take mails not sent yet out of the queue."""
        self.filtered(lambda m: m.state in ("outgoing", "exception")).write({"state": "cancel", "next_try": False})
        return True

    # ------------------------------------------------------------ the queue
    @api.model
    def process_email_queue(self, limit=100, isolated=False):
        """Send up to ``limit`` due mails, oldest first; the number of mails tried.

        ``isolated`` (what the scheduled job passes): send after the caller's
        transaction commits, committing each mail's outcome at once (see the module's
        docstring); returns 0 then, as nothing is sent yet.
        """
        limit = int(limit)
        if limit <= 0:
            raise UserError(_("The mail queue sends a positive number of mails at a time, got %s.", limit))
        if isolated:
            registry = self.env.registry
            self.env.cr.after_commit(lambda: send_queue_isolated(registry, limit))
            return 0
        mails = self.browse(self._claim_due(limit))
        mails._send()
        return len(mails)

    @api.model
    def _claim_due(self, limit):
        """Claim up to ``limit`` due mails for this transaction (their ``next_try`` moves a
        lease ahead) and return their ids, oldest first."""
        self.env.cr.flush()
        now = fields.Datetime.now()
        table = self.env.registry.tables[self._name]
        due = sa.or_(
            sa.and_(table.c.state == "outgoing", sa.or_(table.c.next_try.is_(None), table.c.next_try <= now)),
            sa.and_(table.c.state == "exception", table.c.next_try.is_not(None), table.c.next_try <= now))
        pick = sa.select(table.c.id).where(due).order_by(table.c.id).limit(limit)
        if self.env.cr.dialect == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        claim = (sa.update(table).where(table.c.id.in_(pick.scalar_subquery()))
                 .values(next_try=now + LEASE).returning(table.c.id))
        ids = sorted(row[0] for row in self.env.cr.execute(claim))
        self.invalidate_model(["next_try"])
        return ids

    @api.model
    def _max_tries(self):
        value = self.env["ir.config_parameter"].sudo().get_param("mail.queue.max_tries")
        try:
            return max(int(value), 1) if value else DEFAULT_MAX_TRIES
        except ValueError:
            _logger.warning("system parameter mail.queue.max_tries=%r is not a number: %d tries",
                            value, DEFAULT_MAX_TRIES)
            return DEFAULT_MAX_TRIES

    # ------------------------------------------------------------ sending
    def send(self, raise_exception=False):
        """Send these mails now, one SMTP session per server; each records its outcome.

        Mails already sent or cancelled are left alone.  With ``raise_exception`` a
        failure raises a UserError (after every mail was tried) naming the first failure.
        """
        failures = self._send()
        if raise_exception and failures:
            mail, failure = failures[0]
            raise UserError(_("The mail “%(subject)s” could not be sent: %(reason)s",
                              subject=mail.subject or mail.id, reason=failure.reason))
        return True

    def _send(self, commit=None):
        """Send, recording every outcome (``commit()`` after each when given); the ``[(mail, failure)]``."""
        mails = self.filtered(lambda m: m.state in ("outgoing", "exception"))
        if not mails:
            return []
        Server = self.env["ir.mail_server"].sudo()
        servers = Server.search([("active", "=", True)])
        groups = {}
        for mail in mails:
            server = mail.mail_server_id.sudo() or Server._find_for_sender(mail._sender_address(), servers)
            groups.setdefault(server.id or 0, (server, []))[1].append(mail)
        max_tries = self._max_tries()
        failures = []
        for server, group in groups.values():
            params = server._smtp_params() if server else Server._config_params()
            smtp, lost = None, None
            try:
                for mail in group:
                    failure = None
                    try:
                        message, sender, recipients = mail._prepare_message()
                        if lost is not None:
                            raise lost
                        if params is None:
                            raise DeliveryFailure("mail_connection", _(
                                "No outgoing mail server: create one in Settings > Technical > Email "
                                "> Outgoing Mail Servers, or set smtp_server in the configuration."),
                                permanent=False)
                        if smtp is None:
                            smtp = _open(params)
                        refused = _deliver(smtp, message, sender, recipients)
                    except DeliveryFailure as exc:
                        failure = exc
                        if exc.connection_lost:
                            # the server is gone: the rest of the batch fails alike, without waiting again
                            lost, smtp = exc, _close(smtp)
                    except Exception as exc:  # a defect, not the server: keep the mail, say what happened
                        _logger.exception("mail.mail %s: cannot be sent", mail.id)
                        failure = DeliveryFailure("unknown", f"{type(exc).__name__}: {exc}", permanent=True)
                    if failure is None:
                        mail._record_sent(server, refused)
                    else:
                        mail._record_failure(failure, max_tries)
                        failures.append((mail, failure))
                    if commit is not None:
                        commit()
            finally:
                _close(smtp, quit=True)
        return failures

    def _record_sent(self, server, refused):
        now = fields.Datetime.now()
        if self.auto_delete:
            self.unlink()
            return
        reason = "; ".join(f"{address}: {code} {_answer(text)}" for address, (code, text) in refused.items())
        self.write({"state": "sent", "date_sent": now, "next_try": False, "mail_server_id": server.id or False,
                    "failure_type": False,
                    "failure_reason": _("Refused recipients: %s", reason) if reason else False})

    def _record_failure(self, failure, max_tries):
        tries = self.retry_count + 1
        retry = not failure.permanent and tries < max_tries
        _logger.info("mail.mail %s not sent (try %d, %s): %s", self.id, tries,
                     "retried" if retry else "not retried", failure.reason)
        self.write({"state": "exception", "failure_type": failure.failure_type,
                    "failure_reason": failure.reason, "retry_count": tries,
                    "next_try": fields.Datetime.now() + backoff(tries) if retry else False})

    def _sender_address(self):
        pairs = email.utils.getaddresses([self.email_from or ""])
        return pairs[0][1].lower() if pairs else ""

    # ------------------------------------------------------------ the message
    def _prepare_message(self):
        """``(EmailMessage, envelope sender, [envelope recipients])``; DeliveryFailure for bad addresses.

        Stores the Message-ID it makes when the mail has none.
        """
        self.ensure_one()
        # sudo: the queue reads what the mail carries (its attachments, its partners' addresses)
        # whoever sends it; who may create a mail is checked when it is created
        mail = self.sudo()
        email_from = mail.email_from or self.env["ir.mail_server"]._default_from()
        if not email_from:
            raise DeliveryFailure("mail_from_missing", _(
                "The mail has no sender: set its From, or email_from in the configuration, or the "
                "system parameter mail.catchall.domain."), permanent=True)
        try:
            senders = parse_addresses(email_from, _("The sender"))
        except DeliveryFailure as exc:
            raise DeliveryFailure("mail_from_invalid", exc.reason, permanent=True) from None
        if len(senders) != 1:
            raise DeliveryFailure("mail_from_invalid", _("The sender must be one address, got %r.", email_from),
                                  permanent=True)
        to = parse_addresses(mail.email_to, _("The recipients (To)"))
        seen = {address.lower() for _name, address in to}
        for partner in mail.recipient_ids:
            if not partner.email:
                continue
            for name, address in parse_addresses(partner.email_formatted,
                                                 _("The address of contact “%s”", partner.display_name)):
                if address.lower() not in seen:
                    seen.add(address.lower())
                    to.append((name, address))
        cc = parse_addresses(mail.email_cc, _("The carbon-copy recipients (Cc)"))
        if not to and not cc:
            raise DeliveryFailure("mail_email_missing", _("The mail has no recipient with an email address."),
                                  permanent=True)
        reply_to = parse_addresses(mail.reply_to, _("The Reply-To address"))
        if not mail.message_id:
            mail.message_id = make_message_id(mail.model, mail.res_id)

        message = EmailMessage(policy=email.policy.SMTP)
        try:
            message["From"] = _header_addresses(senders)
            if to:
                message["To"] = _header_addresses(to)
            if cc:
                message["Cc"] = _header_addresses(cc)
            if reply_to:
                message["Reply-To"] = _header_addresses(reply_to)
        except ValueError as exc:   # headerregistry refuses what our check let through
            raise DeliveryFailure("mail_email_invalid", str(exc), permanent=True) from None
        message["Subject"] = _one_line(mail.subject)
        message["Date"] = email.utils.format_datetime(datetime.now(timezone.utc))
        message["Message-ID"] = _one_line(mail.message_id)
        references = _one_line(mail.references)
        if references:
            message["References"] = references
            message["In-Reply-To"] = references.split()[-1]
        for name, value in (json.loads(mail.headers) if mail.headers else {}).items():
            name = _one_line(name)
            if name.lower() in RESERVED_HEADERS or not re.fullmatch(r"[!-9;-~]+", name):
                continue
            del message[name]
            message[name] = _one_line(str(value))
        body = mail.body_html or ""
        message.set_content(html_to_text(body) or "\n")
        if body.strip():
            message.add_alternative(body, subtype="html")
        for attachment in mail.attachment_ids:
            maintype, _slash, subtype = (attachment.mimetype or "application/octet-stream").partition("/")
            message.add_attachment(attachment.raw or b"", maintype=maintype, subtype=subtype or "octet-stream",
                                   filename=attachment.name)
        envelope_to = list(dict.fromkeys(address for _name, address in to + cc))
        return message, senders[0][1], envelope_to


def _header_addresses(pairs):
    return [Address(display_name=_one_line(name), addr_spec=address) for name, address in pairs]


def _open(params):
    """An SMTP session on ``params``; DeliveryFailure (transient, connection lost) when it cannot be had."""
    try:
        return params.connect()
    except smtplib.SMTPResponseException as exc:
        reason = _("%(server)s answered %(code)s %(answer)s", server=params["label"], code=exc.smtp_code,
                   answer=_answer(exc.smtp_error))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        reason = _("Cannot connect to %(server)s: %(error)s", server=params["label"],
                   error=str(exc) or type(exc).__name__)
    raise DeliveryFailure("mail_connection", reason, permanent=False, connection_lost=True)


def _deliver(smtp, message, sender, recipients):
    """Hand ``message`` to the server; the recipients it refused while taking the rest."""
    try:
        return smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        permanent = all(code >= 500 for code, _text in exc.recipients.values())
        reason = "; ".join(f"{address}: {code} {_answer(text)}" for address, (code, text) in exc.recipients.items())
        raise DeliveryFailure("mail_email_invalid" if permanent else "mail_smtp",
                              _("The server refused every recipient: %s", reason), permanent) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise DeliveryFailure("mail_connection", _("The server closed the connection: %s", exc),
                              permanent=False, connection_lost=True) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailure("mail_smtp", f"{exc.smtp_code} {_answer(exc.smtp_error)}",
                              permanent=exc.smtp_code >= 500) from None
    except OSError as exc:
        raise DeliveryFailure("mail_connection", _("The connection to the server failed: %s", exc),
                              permanent=False, connection_lost=True) from None


def _close(smtp, quit=False):
    if smtp is not None:
        try:
            smtp.quit() if quit else smtp.close()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return None


def send_queue_isolated(registry, limit, batch=50):
    """Send up to ``limit`` due mails of ``registry``'s database outside any caller's transaction:
    each batch claimed in a transaction of its own, each mail's outcome committed at once."""
    remaining = limit
    while remaining > 0:
        size = min(batch, remaining)
        ids = registry.run(lambda cr: Environment(cr, SUPERUSER_ID, {})["mail.mail"]._claim_due(size))
        if not ids:
            return
        with registry.cursor() as cr:
            Environment(cr, SUPERUSER_ID, {})["mail.mail"].browse(ids)._send(commit=cr.commit)
        remaining -= len(ids)
