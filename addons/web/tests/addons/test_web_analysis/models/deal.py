"""The deal the graph and pivot views measure: a date to bucket, a many2one, a selection,
an integer, a float summed and a float averaged, and a salesperson for the record rule."""
from core import fields, models


class Deal(models.Model):
    _name = "test.deal"
    _description = "Deal"
    _order = "date desc, id desc"

    name = fields.Char(required=True)
    date = fields.Date(string="Deal Date")
    stage_id = fields.Many2one("test.deal.stage", string="Stage", index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    kind = fields.Selection([("new", "New Business"), ("upsell", "Upsell"), ("renewal", "Renewal")],
                            string="Kind", default="new")
    quantity = fields.Integer(string="Seats")
    amount = fields.Float(string="Amount", digits=(16, 2))
    probability = fields.Float(string="Probability (%)", aggregator="avg")
    note = fields.Text()
