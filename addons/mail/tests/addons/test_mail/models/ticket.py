"""test.mail.ticket: a small record with a chatter, tracked fields and activities."""
from core import fields, models


class Ticket(models.Model):
    _name = "test.mail.ticket"
    _description = "Test Ticket"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id"

    name = fields.Char(required=True, tracking=True)
    description = fields.Text()
    email_from = fields.Char()
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True)
    user_id = fields.Many2one("res.users", string="Responsible", tracking=True)
    stage = fields.Selection([("new", "New"), ("open", "In Progress"), ("done", "Done")],
                             default="new", tracking=True)
    amount = fields.Float(tracking=True)
    deadline = fields.Date(tracking=True)
    active = fields.Boolean(default=True)
    priority = fields.Integer()     # not tracked
