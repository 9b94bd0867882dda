"""Tags of leads and the reasons why opportunities are lost."""
from core import fields, models


class CrmTag(models.Model):
    _name = "crm.tag"
    _description = "CRM Tag"
    _order = "name"

    name = fields.Char(string="Tag Name", required=True, translate=True)
    color = fields.Integer(string="Color Index")

    _sql_constraints = [("name_uniq", "UNIQUE(name)", "A tag of this name already exists.")]


class CrmLostReason(models.Model):
    _name = "crm.lost.reason"
    _description = "Opp. Lost Reason"
    _order = "name"

    name = fields.Char(string="Description", required=True, translate=True)
    active = fields.Boolean(default=True)
