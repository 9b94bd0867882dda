"""The stages of the test deals: a many2one with an order of its own (sequence, not name)."""
from core import fields, models


class DealStage(models.Model):
    _name = "test.deal.stage"
    _description = "Deal Stage"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
