"""Languages: which are installed (``active``) and how each writes dates and numbers.

``code`` is the locale code (``de_DE``) used everywhere a language is named: the
``lang`` of a partner or a user, the ``lang`` key of the context, the keys of
translated values.  English (``en_US``) is the source language and always stays.
Date and time formats are ``strftime`` patterns; the number format is a decimal
point, a thousands separator and a grouping (``[3,0]``: groups of three).
"""
import json
import re

from core import api, fields, models
from core.exceptions import UserError, ValidationError

#: strftime directives a format may use: the portable ones, the same on every platform
ALLOWED_DIRECTIVES = set("aAbBcdHIjmMpSUwWxXyY%")


class Lang(models.Model):
    _name = "res.lang"
    _description = "Languages"
    _order = "active desc, name"
    _rec_names_search = ["name", "code"]

    name = fields.Char(required=True)
    code = fields.Char(string="Locale Code", required=True, help="The locale code, e.g. en_US, de_DE")
    iso_code = fields.Char(string="ISO code", help="The name of the .po files: de, fr, pt_BR")
    url_code = fields.Char(string="URL Code", help="The language in URLs: en, de")
    active = fields.Boolean()
    direction = fields.Selection([("ltr", "Left-to-Right"), ("rtl", "Right-to-Left")],
                                 required=True, default="ltr")
    date_format = fields.Char(required=True, default="%m/%d/%Y")
    time_format = fields.Char(required=True, default="%H:%M:%S")
    week_start = fields.Selection([("1", "Monday"), ("2", "Tuesday"), ("3", "Wednesday"),
                                   ("4", "Thursday"), ("5", "Friday"), ("6", "Saturday"),
                                   ("7", "Sunday")], string="First Day of Week",
                                  required=True, default="7")
    grouping = fields.Char(string="Separator Format", required=True, default="[3,0]",
                           help="Sizes of the digit groups from the right: [3,0] writes "
                                "1,000,000; [3,2,-1] writes 10,00,000; 0 repeats the last "
                                "size, -1 stops grouping")
    decimal_point = fields.Char(string="Decimal Separator", required=True, default=".", trim=False)
    thousands_sep = fields.Char(string="Thousands Separator", default=",", trim=False)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of the language must be unique!"),
        ("name_uniq", "unique(name)", "The name of the language must be unique!"),
    ]

    # ------------------------------------------------------------ lookups
    @api.model
    def _lang_get(self, code):
        """The active language of ``code``, or an empty recordset."""
        return self.with_context(active_test=True).search([("code", "=", code)], limit=1)

    @api.model
    def get_installed(self):
        """``[(code, name)]`` of the active languages, by name."""
        langs = self.with_context(active_test=True).search([], order="name")
        return [(lang.code, lang.name) for lang in langs]

    @api.model
    def _activate_lang(self, code):
        """Activate the language of ``code`` (already present, maybe archived) and return it."""
        lang = self.with_context(active_test=False).search([("code", "=", code)], limit=1)
        if not lang:
            raise UserError(f"There is no language with the code {code!r} to activate.")
        if not lang.active:
            lang.write({"active": True})
        return lang

    # ------------------------------------------------------------ checks
    @api.constrains("date_format", "time_format")
    def _check_format(self):
        for lang in self:
            for name in ("date_format", "time_format"):
                pattern = lang[name] or ""
                bad = sorted({d for d in re.findall(r"%(.)", pattern) if d not in ALLOWED_DIRECTIVES})
                if bad or pattern.endswith("%") and not pattern.endswith("%%"):
                    raise ValidationError(
                        f"The {name} {pattern!r} of the language {lang.code} uses the directive(s) "
                        f"{', '.join('%' + d for d in bad) or 'a lone %'}; allowed: "
                        f"{', '.join('%' + d for d in sorted(ALLOWED_DIRECTIVES))}.")

    @api.constrains("grouping")
    def _check_grouping(self):
        for lang in self:
            try:
                sizes = json.loads(lang.grouping)
                valid = isinstance(sizes, list) and all(isinstance(s, int) for s in sizes)
            except ValueError:
                valid = False
            if not valid:
                raise ValidationError(
                    f"The separator format {lang.grouping!r} of the language {lang.code} is not "
                    f"a list of group sizes such as [3,0].")

    @api.constrains("active")
    def _check_active(self):
        if not self.search_count([("active", "=", True)]):
            raise ValidationError("At least one language must be active.")

    def _used_by(self):
        """A message if users or contacts use one of these languages, else None."""
        codes = self.mapped("code")
        if "res.users" in self.env and self.env["res.users"].sudo().search_count([("lang", "in", codes)]):
            return "Cannot deactivate a language that is currently used by users."
        if self.env["res.partner"].sudo().search_count([("lang", "in", codes)]):
            return "Cannot deactivate a language that is currently used by contacts."
        return None

    # ------------------------------------------------------------ writes
    def write(self, vals):
        if "code" in vals and any(lang.code != vals["code"] for lang in self):
            raise UserError("Language code cannot be modified.")
        if "active" in vals and not vals["active"]:
            used = self.filtered("active")._used_by()
            if used:
                raise UserError(used)
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_except_default_lang(self):
        for lang in self:
            if lang.code == "en_US":
                raise UserError("Base Language 'en_US' can not be deleted.")
            if lang.code == self.env.context.get("lang"):
                raise UserError("You cannot delete the language which is the user's preferred language.")
            if lang.active:
                raise UserError("You cannot delete the language which is Active!\n"
                                "Please de-activate the language first.")
