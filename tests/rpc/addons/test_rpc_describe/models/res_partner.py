from core import fields, models


class Partner(models.Model):
    _inherit = "res.partner"

    rpc_secret = fields.Char(string="RPC Secret", groups="base.group_system",
                             help="Only administrators see this field")
