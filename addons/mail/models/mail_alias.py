"""Mail aliases: an address local part (``support@…``) that turns incoming mail into records.

Mail to an alias creates a record of ``alias_model_id`` through its ``message_new``,
with ``alias_defaults`` (a Python dict literal, read with ``ast.literal_eval``, never
executed) as default values, created as the alias owner ``alias_user_id``; with
``alias_force_thread_id`` every message is posted on that one record instead.
``alias_contact`` says who may write: everyone, known partners, or the followers of
the forced record.  The routing itself is in ``addons/mail/gateway/route.py``.
"""
import ast
import re

from core import _, api, fields, models
from core.exceptions import ValidationError

from .. import tools

_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*/=?^_`{|}~-]+)*$")


def parse_defaults(text, where=""):
    """The dict of an ``alias_defaults`` literal; ValueError naming ``where`` otherwise."""
    try:
        value = ast.literal_eval((text or "").strip() or "{}")
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"{where}: default values must be a Python dict literal such as "
                         f"{{'stage': 'open'}}: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise ValueError(f"{where}: default values must be a dict with field names as keys, "
                         f"got {text!r}")
    return value


class MailAlias(models.Model):
    _name = "mail.alias"
    _description = "Email Alias"
    _order = "alias_name"
    _rec_name = "alias_name"

    alias_name = fields.Char(string="Alias Name", required=True, index=True,
                             help="The local part of the address, before the @ (lower case)")
    alias_model_id = fields.Many2one("ir.model", string="Aliased Model", required=True, ondelete="cascade",
                                     help="The model of the records this alias creates or updates")
    alias_model_name = fields.Char(string="Model Name", related="alias_model_id.model", store=True)
    alias_defaults = fields.Text(string="Default Values", default="{}", required=True,
                                 help="A Python dict literal of default values for the new records, "
                                      "e.g. {'stage': 'open', 'priority': 2}")
    alias_force_thread_id = fields.Integer(string="Record Thread ID",
                                           help="Post every message on this record instead of "
                                                "creating records")
    alias_user_id = fields.Many2one("res.users", string="Owner", ondelete="set null",
                                    help="Records are created as this user (the superuser when empty)")
    alias_contact = fields.Selection(
        [("everyone", "Everyone"), ("partners", "Authenticated Partners"), ("followers", "Followers only")],
        string="Alias Contact Security", default="everyone", required=True,
        help="Who may write to the alias: anybody, senders known as partners, or the followers "
             "of the record the alias posts on")
    alias_email = fields.Char(string="Email Address", compute="_compute_alias_email",
                              help="The whole address, with the catchall domain")
    active = fields.Boolean(default=True)

    _sql_constraints = [("alias_name_unique", "unique(alias_name)",
                         "Another alias already uses this name: an address must lead to one place.")]

    @api.depends("alias_name")
    def _compute_alias_email(self):
        _alias, domain = tools.catchall(self.env)
        for alias in self:
            alias.alias_email = f"{alias.alias_name}@{domain}" if alias.alias_name and domain else False

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            self._normalise_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        vals = dict(vals)
        self._normalise_vals(vals)
        return super().write(vals)

    def _normalise_vals(self, vals):
        if vals.get("alias_name"):
            vals["alias_name"] = vals["alias_name"].strip().lower()
        if isinstance(vals.get("alias_model_id"), str):   # a model name is accepted as well
            model = self.env["ir.model"].sudo().search([("model", "=", vals["alias_model_id"])], limit=1)
            if not model:
                raise ValidationError(_("The alias names an unknown model “%s”.") % vals["alias_model_id"])
            vals["alias_model_id"] = model.id

    @api.constrains("alias_name")
    def _check_alias_name(self):
        for alias in self:
            if not _LOCAL_PART.match(alias.alias_name or ""):
                raise ValidationError(_(
                    "The alias name “%s” is not a valid address local part: use letters, digits "
                    "and . - _ only, without @ or spaces.") % alias.alias_name)

    @api.constrains("alias_defaults", "alias_model_id")
    def _check_alias_defaults(self):
        for alias in self:
            try:
                defaults = parse_defaults(alias.alias_defaults, _("alias %s") % alias.alias_name)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
            model_name = alias.alias_model_id.model
            if model_name in self.env:
                unknown = sorted(set(defaults) - set(self.env[model_name]._fields))
                if unknown:
                    raise ValidationError(_("Alias %(alias)s: the default values name fields that "
                                            "%(model)s does not have: %(fields)s",
                                            alias=alias.alias_name, model=model_name,
                                            fields=", ".join(unknown)))

    def _defaults(self):
        self.ensure_one()
        return parse_defaults(self.alias_defaults, f"alias {self.alias_name}")
