"""Access rights: which groups may read, write, create or delete records of a model.

Rights add up over the rows of a model; a row without group applies to everyone; a
model without rows is reserved to the superuser.  The check itself is
``core.security.check_model_access``; rows usually come from ``ir.model.access.csv``.
"""
from core import api, fields, models, security


class ModelAccess(models.Model):
    _name = "ir.model.access"
    _description = "Model Access"
    _order = "model_id, group_id, name, id"

    name = fields.Char(required=True, index=True)
    active = fields.Boolean(default=True, help="Inactive rows grant nothing")
    model_id = fields.Many2one("ir.model", string="Model", required=True, index=True, ondelete="cascade")
    group_id = fields.Many2one("res.groups", string="Group", ondelete="restrict", index=True,
                               help="Empty: the row applies to every user")
    perm_read = fields.Boolean(string="Read Access")
    perm_write = fields.Boolean(string="Write Access")
    perm_create = fields.Boolean(string="Create Access")
    perm_unlink = fields.Boolean(string="Delete Access")

    @api.model
    def check(self, model, mode="read", raise_exception=True):
        """May the env's user do ``mode`` on ``model`` (a model name)?"""
        return security.check_model_access(self.env, model, mode, raise_exception)

    @api.model
    def group_names_with_access(self, model_name, access_mode):
        """Names of the groups whose rows grant ``access_mode`` on ``model_name``."""
        rows = self.sudo().search([("model_id.model", "=", model_name), (f"perm_{access_mode}", "=", True),
                                   ("group_id", "!=", False)])
        return sorted(set(rows.mapped("group_id.name")))

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        security.invalidate(self.env)
        return records

    def write(self, vals):
        result = super().write(vals)
        security.invalidate(self.env)
        return result

    def unlink(self):
        result = super().unlink()
        security.invalidate(self.env)
        return result
