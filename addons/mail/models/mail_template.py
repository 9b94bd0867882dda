"""Mail templates: Jinja2 texts rendered for a record, in its recipient's language.

Every text field of a template (subject, body, addresses, ``partner_to``, ``lang``) is
a Jinja2 template rendered by :class:`TemplateSandbox`, Jinja's sandbox narrowed
further for records: a template reads *fields* of the records it is given
(``object.partner_id.name``) and may call ``mapped`` / ``filtered`` / ``sorted`` on
them, nothing else — no ``env``, ``sudo``, ``write``, ``unlink``, ``browse``,
``search``, no attribute starting with "_".  Records are read with the rights of the
user who renders, so a template shows nobody what they could not read anyway.

Variables: ``object`` (the record), ``user`` (the current user), ``ctx`` (a copy of
the context), ``format_date(value, format="medium")``,
``format_datetime(value, tz=None, format="medium")`` and
``format_amount(amount, currency=None)`` in the language being rendered.

Language: when ``lang`` is set (e.g. ``{{ object.partner_id.lang }}``) it is rendered
first, per record; the other fields are then read in that language (``subject`` and
``body_html`` are translated fields) and rendered with it as the context's ``lang``.
"""
import traceback
from functools import lru_cache

from jinja2 import TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from core import _, api, fields, i18n, models
from core.exceptions import UserError, ValidationError
from core.models.base import BaseModel

from .. import tools

#: the fields of a template that are rendered, in the order send_mail renders them
RENDERED_FIELDS = ("subject", "body_html", "email_from", "email_to", "email_cc", "reply_to", "partner_to", "lang")
#: what a template may read on a recordset besides its fields
SAFE_RECORD_ATTRIBUTES = frozenset({"id", "ids", "display_name", "mapped", "filtered", "sorted"})


class TemplateSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with records reduced to their fields and a few read-only methods."""

    def is_safe_attribute(self, obj, attr, value):
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, BaseModel):
            return attr in obj._fields or attr in SAFE_RECORD_ATTRIBUTES
        # environments, cursors and registries are never handed to templates; refuse them if reached
        return not type(obj).__module__.startswith("core.")

    def unsafe_undefined(self, obj, attribute):
        # refuse loudly: the sandbox's default renders an empty text, hiding the template's mistake
        owner = obj._name if isinstance(obj, BaseModel) else type(obj).__name__
        raise SecurityError(f"{owner}.{attribute} may not be used in a template")

    def is_safe_callable(self, obj):
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, BaseModel) and getattr(obj, "__name__", "") not in SAFE_RECORD_ATTRIBUTES:
            return False
        return super().is_safe_callable(obj)


def _finalize(value):
    # an empty field reads False (or None): show nothing rather than "False"
    return "" if value is None or value is False else value


_SANDBOXES = {
    autoescape: TemplateSandbox(autoescape=autoescape, finalize=_finalize, undefined=Undefined,
                                keep_trailing_newline=True)
    for autoescape in (False, True)
}


@lru_cache(maxsize=256)
def compile_template(source, autoescape, label):
    """The compiled Jinja template of ``source``; its tracebacks name ``label`` as the file."""
    sandbox = _SANDBOXES[autoescape]
    code = sandbox.compile(source, name=label, filename=label)
    return sandbox.template_class.from_code(sandbox, code, sandbox.make_globals(None), None)


def _error_line(exc, label):
    """The template line at which ``exc`` was raised while rendering ``label``, or None."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == label]
    return lines[-1] if lines else None


class MailTemplate(models.Model):
    _name = "mail.template"
    _description = "Email Template"
    _order = "name, id"

    name = fields.Char(required=True)
    model = fields.Char(string="Applies To", required=True, help="The technical name of the model, e.g. res.partner")
    subject = fields.Char(translate=True, help="Rendered with Jinja2, e.g. Order {{ object.name }}")
    body_html = fields.Html(string="Body", translate=True,
                            help="HTML rendered with Jinja2; values are escaped unless marked safe")
    email_from = fields.Char(string="From", help="Sender; empty: the current user's address")
    email_to = fields.Char(string="To (Emails)", help="Comma-separated addresses")
    email_cc = fields.Char(string="Cc")
    partner_to = fields.Char(string="To (Partners)",
                             help="Comma-separated ids of contacts, e.g. {{ object.partner_id.id }}")
    reply_to = fields.Char(string="Reply-To", help="Empty: the record's reply address when there is one")
    lang = fields.Char(string="Language",
                       help="The language to render in, e.g. {{ object.partner_id.lang }}; empty: the current one")
    auto_delete = fields.Boolean(default=True, help="Delete the mails sent from this template once sent")
    mail_server_id = fields.Many2one("ir.mail_server", string="Outgoing Mail Server", ondelete="set null")

    @api.constrains("model")
    def _check_model(self):
        for template in self:
            if template.model not in self.env:
                raise ValidationError(_("Template “%(name)s” applies to an unknown model %(model)r.",
                                        name=template.name, model=template.model))

    # ------------------------------------------------------------ rendering
    def render_field(self, field, res_ids):
        """``{res_id: text}``: field ``field`` of this template rendered for each record."""
        self.ensure_one()
        if field not in RENDERED_FIELDS:
            raise UserError(_("Template “%(name)s”: %(field)r is not a rendered field (one of %(fields)s).",
                              name=self.name, field=field, fields=", ".join(RENDERED_FIELDS)))
        records = self._records(res_ids)
        if field == "lang" or not self.lang:
            return self._render(field, records)
        result = {}
        for lang, group in self._records_by_lang(records).items():
            result.update(self.with_context(lang=lang)._render(field, group.with_context(lang=lang)))
        return result

    def _records(self, res_ids):
        if self.model not in self.env:
            raise UserError(_("Template “%(name)s” applies to an unknown model %(model)r.",
                              name=self.name, model=self.model))
        if isinstance(res_ids, int):
            res_ids = [res_ids]
        records = self.env[self.model].browse(res_ids)
        missing = records - records.exists()
        if missing:
            raise UserError(_("Template “%(name)s”: there is no %(model)s with id %(ids)s.",
                              name=self.name, model=self.model, ids=", ".join(map(str, missing.ids))))
        return records

    def _records_by_lang(self, records):
        """``{lang: records}`` after rendering ``lang`` for each record (empty: the current language)."""
        langs = self._render("lang", records)
        groups = {}
        for record in records:
            lang = (langs[record.id] or "").strip() or self.env.lang
            groups.setdefault(lang, []).append(record.id)
        return {lang: records.browse(ids) for lang, ids in groups.items()}

    def _render(self, field, records):
        source = self[field] or ""
        if not source:
            return {record.id: "" for record in records}
        label = f"mail.template {self.name!r} ({self.id}), field {field}"
        try:
            template = compile_template(source, field == "body_html", label)
        except TemplateSyntaxError as exc:
            raise self._render_error(field, exc, label) from None
        lang = self.env.lang
        values = self._render_variables(lang)
        result = {}
        for record in records:
            try:
                result[record.id] = template.render(object=record, **values)
            except (UserError, SecurityError, UndefinedError, ArithmeticError, LookupError, TypeError,
                    ValueError, AttributeError) as exc:
                raise self._render_error(field, exc, label) from None
        return result

    def _render_error(self, field, exc, label):
        line = _error_line(exc, label)
        error = exc.message if isinstance(exc, (TemplateSyntaxError, SecurityError)) and exc.message else str(exc)
        if isinstance(exc, SecurityError):
            error = _("access refused by the sandbox: %s", error)
        return UserError(_("Template “%(name)s”, field %(field)s, line %(line)s: %(error)s",
                           name=self.name, field=field, line=line or "?", error=error))

    def _render_variables(self, lang):
        env = self.env
        # not env.user: that record reads as superuser, the template reads with the user's rights
        user = env["res.users"].browse(env.uid)
        tz = env.context.get("tz")

        def format_date(value, format="medium"):
            return i18n.format_date(value, lang, format=format)

        def format_datetime(value, tz=tz, format="medium"):
            return i18n.format_datetime(value, lang, tz=tz or None, format=format)

        def format_amount(amount, currency=None):
            if isinstance(currency, BaseModel):
                return i18n.format_amount(amount, currency.name, lang, digits=currency.decimal_places)
            if not currency:
                company_currency = env.company.currency_id
                return i18n.format_amount(amount, company_currency.name, lang,
                                          digits=company_currency.decimal_places)
            return i18n.format_amount(amount, str(currency), lang)

        return {"user": user, "ctx": dict(env.context), "format_date": format_date,
                "format_datetime": format_datetime, "format_amount": format_amount}

    # ------------------------------------------------------------ sending
    def send_mail(self, res_id, force_send=False, email_values=None):
        """Queue (and with ``force_send`` send at once) this template rendered for record ``res_id``;
        the id of the ``mail.mail`` made.  ``email_values`` override the rendered values."""
        self.ensure_one()
        values = self._mail_values(int(res_id))
        values.update(email_values or {})
        # sudo: the queue is for administrators; anybody who may read this template and the
        # record (checked in _mail_values) may queue mail from it
        mail = self.env["mail.mail"].sudo().create(values)
        if force_send:
            mail.send()
        return mail.id

    def _mail_values(self, res_id):
        record = self._records([res_id])
        record.check_access_rights("read")
        record.check_access_rule("read")
        rendered = {name: self.render_field(name, [res_id])[res_id]
                    for name in RENDERED_FIELDS if name != "lang"}
        partner_ids = []
        for token in (rendered["partner_to"] or "").replace(";", ",").split(","):
            token = token.strip()
            if not token:
                continue
            if not token.isdigit():
                raise UserError(_("Template “%(name)s”: “To (Partners)” must render contact ids, got %(value)r.",
                                  name=self.name, value=rendered["partner_to"]))
            partner_ids.append(int(token))
        partners = self.env["res.partner"].browse(partner_ids).exists()
        email_from = rendered["email_from"].strip() or self.env.user.partner_id.email_formatted or False
        reply_to = rendered["reply_to"].strip() or tools.reply_address(self.env, self.model, res_id) or False
        return {
            "subject": " ".join(rendered["subject"].split()),
            "body_html": rendered["body_html"],
            "email_from": email_from,
            "email_to": rendered["email_to"].strip() or False,
            "email_cc": rendered["email_cc"].strip() or False,
            "reply_to": reply_to,
            "recipient_ids": [(6, 0, partners.ids)],
            "model": self.model,
            "res_id": res_id,
            "auto_delete": self.auto_delete,
            "mail_server_id": self.mail_server_id.id or False,
        }
