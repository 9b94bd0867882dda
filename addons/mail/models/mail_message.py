"""Messages of the chatter: emails, comments, notes and tracking notifications,
each attached to one record (``model`` / ``res_id``).

Access
------
A message is as visible as the document it is attached to, which a record rule
(a domain on ``mail.message``) cannot say: the document may be of any model, under
that model's own rules.  So the check lives here, in the ORM paths every reader
goes through:

- ``_rules_expression`` (folded into every search, read and fetch) adds
  :func:`document_access_clause`: the message's document is one the user may read —
  its model's access rights allow reading, and its id passes the model's read rules
  (a sub-select) — or the user's partner wrote the message or is among its
  recipients;
- a user outside the employees (portal, public) never sees internal messages
  (``is_internal``: notes, tracking);
- ``_check_access`` checks the same for records named by id (``read``), and for
  ``write`` / ``unlink`` asks for write access to the document unless the user wrote
  the message; a new message needs the access its model asks for posting
  (``_mail_post_access``, write by default).

Superuser mode (``sudo()``) skips all of it, as everywhere.
"""
import html as html_lib
import re
import weakref

import sqlalchemy as sa

from addons.web.html_sanitize import sanitize_html
from core import _, api, fields, models
from core.exceptions import AccessError

from ..tools import make_message_id

MESSAGE_TYPES = [
    ("email", "Incoming Email"),
    ("comment", "Comment"),
    ("notification", "System notification"),
    ("auto_comment", "Automated Targeted Notification"),
    ("user_notification", "User Specific Notification"),
]
PREVIEW_LENGTH = 120
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")

_thread_models = weakref.WeakKeyDictionary()   # registry -> names of the models with a chatter


def thread_model_names(registry):
    """The names of the models that inherit ``mail.thread`` (stored ones, sorted)."""
    cached = _thread_models.get(registry)
    # the registry rebuilds its ``models`` dict when addons are installed: check it is the same
    if cached is None or cached[0] is not registry.models:
        bases = tuple(registry.definitions.get("mail.thread", ()))
        names = tuple(sorted(
            name for name, cls in registry.models.items()
            if name != "mail.thread" and not cls._abstract and name in registry.tables
            and any(base in bases for base in cls.__mro__)))
        cached = _thread_models[registry] = (registry.models, names)
    return cached[1]


def ids_to_check(records):
    """The stored ids of ``records`` whose access their documents decide (the pending
    computations flushed first), or [] when there is nothing to check: superuser, no
    access checker (a bare registry), new records only."""
    if not records._ids or records.env.su or records.env.registry.access_checker is None:
        return []
    ids = [i for i in dict.fromkeys(records._ids) if isinstance(i, int)]
    if ids:
        records.env.transaction.flush(records.env)
    return ids


def refused_ids(records, ids, clause):
    """The ids among ``ids`` (existing records of ``records``' model) that the SQL
    ``clause`` over the model's table does not let through, sorted."""
    table = records._sql_table
    allowed = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        allowed.update(records.env.cr.execute(
            sa.select(table.c.id).where(sa.and_(records._id_in(table.c.id, chunk), clause))).scalars())
    refused = sorted(set(ids) - allowed)
    # a record deleted meanwhile is not refused: it is missing, which reading says
    return sorted(records.sudo().browse(refused).exists()._ids) if refused else []


def html_preview(body, length=PREVIEW_LENGTH):
    """The text of an HTML body on one line, cut at ``length`` characters."""
    text = _SPACES.sub(" ", html_lib.unescape(_TAGS.sub(" ", body or ""))).strip()
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def sanitize_body(body):
    """The body as stored: sanitised HTML (plain text with nothing to escape kept as is)."""
    if not body:
        return ""
    body = str(body)
    if "<" not in body and "&" not in body and ">" not in body:
        return body
    return str(sanitize_html(body))


def is_employee(env):
    """Is the user an internal user (``base.group_user``)?  True in superuser mode."""
    if env.su or env.registry.group_checker is None:
        return True
    return env.registry.group_checker(env, "base.group_user")


def document_access_clause(env, model_column, res_id_column, mode="read"):
    """An SQL condition: the document named by ``model_column`` / ``res_id_column`` is one
    the user of ``env`` may access (access rights of its model and its record rules).

    ``mode`` is an operation (``read``, ``write``…) or a function of a model name
    giving one.  Only models with a chatter are considered: a row naming another
    model is refused (callers add their own exceptions, such as a message's author).
    """
    from core.security import rule_expression
    clauses = []
    for name in thread_model_names(env.registry):
        model = env[name]
        operation = mode(name) if callable(mode) else mode
        if not model.check_access_rights(operation, raise_exception=False):
            continue
        alias = env.registry.tables[name].alias()
        rules = model._rules_expression(alias) if operation == "read" \
            else rule_expression(model, alias, operation)
        if rules is None:
            clauses.append(model_column == name)
        else:
            clauses.append(sa.and_(model_column == name,
                                   res_id_column.in_(sa.select(alias.c.id).where(rules))))
    return sa.or_(*clauses) if clauses else sa.false()


class MailMessage(models.Model):
    _name = "mail.message"
    _description = "Message"
    _order = "id desc"
    _rec_name = "record_name"

    subject = fields.Char()
    body = fields.Html(default="")
    preview = fields.Char(help="The body as short plain text, for lists and notifications")
    date = fields.Datetime(default=fields.Datetime.now, index=True)
    author_id = fields.Many2one("res.partner", string="Author", index=True, ondelete="set null")
    email_from = fields.Char(string="From", help="Email address of the sender, as written in the message")
    message_type = fields.Selection(MESSAGE_TYPES, string="Type", required=True, default="comment")
    subtype_id = fields.Many2one("mail.message.subtype", string="Subtype", ondelete="set null", index=True)
    is_internal = fields.Boolean(string="Employee Only", help="Hidden from portal users and never mailed out")
    model = fields.Char(string="Related Document Model", index=True)
    res_id = fields.Integer(string="Related Document ID", index=True)
    record_name = fields.Char(string="Message Record Name")
    parent_id = fields.Many2one("mail.message", string="Parent Message", index="btree_not_null",
                                ondelete="set null")
    child_ids = fields.One2many("mail.message", "parent_id", string="Child Messages")
    partner_ids = fields.Many2many("res.partner", "mail_message_res_partner_rel", "mail_message_id",
                                   "res_partner_id", string="Recipients")
    attachment_ids = fields.Many2many("ir.attachment", "message_attachment_rel", "message_id",
                                      "attachment_id", string="Attachments")
    tracking_value_ids = fields.One2many("mail.tracking.value", "mail_message_id", string="Tracking Values")
    message_id = fields.Char(string="Message-Id", index=True, copy=False,
                             help="The RFC 5322 Message-ID of the email, unique per message")
    reply_to = fields.Char(string="Reply-To")

    # ------------------------------------------------------------ create / write
    @api.model_create_multi
    def create(self, vals_list):
        prepared, clean = [], {}     # a batch often holds one body many times: clean it once
        for vals in vals_list:
            vals = dict(vals)
            body = vals.get("body") or ""
            if body not in clean:
                sanitized = sanitize_body(body)
                clean[body] = (sanitized, html_preview(sanitized) or False)
            vals["body"], preview = clean[body]
            if "preview" not in vals:
                vals["preview"] = preview
            if not vals.get("message_id"):
                vals["message_id"] = make_message_id(vals.get("model"), vals.get("res_id"))
            if "is_internal" not in vals and vals.get("subtype_id"):
                vals["is_internal"] = self.env["mail.message.subtype"]._is_internal_id(vals["subtype_id"])
            prepared.append(vals)
        return super().create(prepared)

    def write(self, vals):
        if "body" in vals:
            vals = dict(vals, body=sanitize_body(vals["body"]))
            vals.setdefault("preview", html_preview(vals["body"]) or False)
        return super().write(vals)

    def _compute_display_name(self):
        for message in self:
            message.display_name = message.subject or message.record_name or message.preview \
                or _("Message %s", message.id)

    # ------------------------------------------------------------ access
    def _rules_expression(self, table):
        rules = super()._rules_expression(table)
        if self.env.su or self.env.registry.rule_builder is None:
            return rules
        visible = self._visibility_clause(table)
        return visible if rules is None else sa.and_(rules, visible)

    def _visibility_clause(self, table):
        """Who may see a message (see the module docstring), as SQL over ``table``."""
        env = self.env
        partner_id = env.user.partner_id.id
        recipients = env.registry.tables["mail_message_res_partner_rel"]
        clause = sa.or_(
            table.c.author_id == partner_id,
            table.c.id.in_(sa.select(recipients.c.mail_message_id)
                           .where(recipients.c.res_partner_id == partner_id)),
            sa.and_(table.c.model.is_not(None), table.c.res_id.is_not(None),
                    document_access_clause(env, table.c.model, table.c.res_id)),
        )
        if not is_employee(env):
            clause = sa.and_(clause, sa.or_(table.c.is_internal.is_(None),
                                            table.c.is_internal == sa.false()))
        return clause

    def _check_access(self, operation):
        super()._check_access(operation)
        ids = ids_to_check(self)
        if not ids:
            return
        table = self._sql_table
        clause = self._visibility_clause(table) if operation == "read" \
            else self._modification_clause(table, operation)
        refused = refused_ids(self, ids, clause)
        if refused:
            raise AccessError(_(
                "You may not %(operation)s the messages %(ids)s: they belong to documents you "
                "cannot access (user %(user)s).",
                operation=operation, ids=refused, user=self.env.user.login))

    def _modification_clause(self, table, operation):
        """Who may create, change or delete a message, as SQL over ``table``."""
        env = self.env
        clauses = []
        if operation == "create":
            # a message attached to no document belongs to its author and recipients
            clauses.append(table.c.model.is_(None))
            mode = lambda name: env[name]._mail_post_access  # noqa: E731
        else:
            clauses.append(table.c.author_id == env.user.partner_id.id)
            mode = "write"
        clauses.append(sa.and_(table.c.model.is_not(None), table.c.res_id.is_not(None),
                               document_access_clause(env, table.c.model, table.c.res_id, mode)))
        return sa.or_(*clauses)
