"""Record rules: which records of a model a user may read, write, create or delete.

``domain_force`` is a domain expression evaluated for the current user (``user``,
``company_id``, ``company_ids``, ``time``, ``ref``; see ``core.security.eval_domain``).
Global rules (no groups) are ANDed, the rules of the user's groups are ORed, and the
two are combined with AND; the ORM folds the result into its queries.
"""
from core import api, fields, models, security
from core.exceptions import ValidationError


class IrRule(models.Model):
    _name = "ir.rule"
    _description = "Record Rule"
    _order = "model_id DESC, id"

    name = fields.Char(index=True)
    active = fields.Boolean(default=True, help="Inactive rules restrict nothing")
    model_id = fields.Many2one("ir.model", string="Model", index=True, required=True, ondelete="cascade")
    groups = fields.Many2many("res.groups", "rule_group_rel", "rule_group_id", "group_id",
                              help="Empty: a global rule, for every user")
    domain_force = fields.Text(string="Domain", help="A domain expression, e.g. "
                                                     "['|', ('company_id', '=', False), "
                                                     "('company_id', 'in', company_ids)]")
    perm_read = fields.Boolean(string="Apply for Read", default=True)
    perm_write = fields.Boolean(string="Apply for Write", default=True)
    perm_create = fields.Boolean(string="Apply for Create", default=True)
    perm_unlink = fields.Boolean(string="Apply for Delete", default=True)
    global_ = fields.Boolean(string="Global", compute="_compute_global", store=True,
                             help="A rule without groups applies to everyone")

    _sql_constraints = [
        ("no_access_rights", "CHECK (perm_read OR perm_write OR perm_create OR perm_unlink)",
         "A rule must apply to at least one operation: set one of its Apply for checkboxes."),
    ]

    @api.depends("groups")
    def _compute_global(self):
        for rule in self:
            rule.global_ = not rule.groups

    @api.constrains("model_id", "domain_force")
    def _check_domain(self):
        for rule in self.sudo():
            model_name = rule.model_id.model
            if model_name == "ir.rule":
                raise ValidationError("Record rules cannot apply to ir.rule itself.")
            if model_name not in self.env:
                continue
            try:
                security.parse_domain_expression(rule.domain_force)
                if self.env["res.users"].sudo().browse(self.env.uid).exists():
                    domain = security.eval_domain(rule.domain_force, security.eval_context(self.env))
                    self.env[model_name].sudo().search_count(domain, limit=1)
            except ValueError as exc:
                raise ValidationError(f"Invalid domain in record rule {rule.name!r} on {model_name}: "
                                      f"{rule.domain_force!r}: {exc}") from None

    @api.model
    def _compute_domain(self, model_name, mode="read"):
        """The combined domain of the rules of ``mode`` for the env's user; [] if none."""
        domain, _applied = security.rule_domain(self.env, model_name, mode)
        return domain or []

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._rules_changed()
        return records

    def write(self, vals):
        result = super().write(vals)
        self._rules_changed()
        return result

    def unlink(self):
        result = super().unlink()
        self._rules_changed()
        return result

    def _rules_changed(self):
        self.env["res.groups"].invalidate_model(["rule_groups"])
        security.invalidate(self.env)
