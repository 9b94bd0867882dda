"""The stages of the board: ordered, some folded by default (as CRM's "Lost")."""
from core import fields, models


class Stage(models.Model):
    _name = "test.kanban.stage"
    _description = "Kanban Stage"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban")
