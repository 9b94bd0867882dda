from core import api, fields, models
from core.exceptions import ValidationError


class OrderLine(models.Model):
    _name = "test.order.line"
    _description = "Order Line"
    _order = "sequence, id"

    order_id = fields.Many2one("test.order", string="Order", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    product = fields.Char(string="Product", required=True)
    quantity = fields.Float(default=1.0)
    price_unit = fields.Float(string="Unit Price", digits=(16, 2))
    subtotal = fields.Float(compute="_compute_subtotal", store=True, digits=(16, 2))

    @api.depends("quantity", "price_unit")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = (line.quantity or 0.0) * (line.price_unit or 0.0)

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity < 0:
                raise ValidationError(f"Quantity: a line cannot have a negative quantity ({line.product}).")
