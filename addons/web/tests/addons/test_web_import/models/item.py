"""The item of the import's tests: one field of each kind a CSV file may fill."""
from core import api, fields, models
from core.exceptions import ValidationError


class Item(models.Model):
    _name = "test.import.item"
    _description = "Import Item"
    _order = "id"

    name = fields.Char(required=True)
    code = fields.Char(string="Code")
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    country_id = fields.Many2one("res.country", string="Country")
    parent_id = fields.Many2one("test.import.item", string="Parent Item")
    tag_ids = fields.Many2many("test.import.tag", string="Tags")
    state = fields.Selection([("draft", "Draft"), ("confirmed", "Confirmed"), ("done", "Done")],
                             string="Status", default="draft", required=True)
    quantity = fields.Integer(string="Quantity")
    price = fields.Float(string="Unit Price", digits=(16, 2))
    urgent = fields.Boolean(string="Urgent")
    date_due = fields.Date(string="Due Date")
    meeting = fields.Datetime(string="Meeting")
    line_ids = fields.One2many("test.import.item.line", "item_id", string="Lines")
    secret = fields.Char(string="Secret", groups="base.group_system")
    attachment = fields.Binary()

    @api.constrains("price")
    def _check_price(self):
        for item in self:
            if item.price < 0:
                raise ValidationError(f"Unit Price: a price cannot be negative ({item.name}).")
