from core import api, fields, models
from core.exceptions import ValidationError


class ItemLine(models.Model):
    _name = "test.import.item.line"
    _description = "Import Item Line"
    _order = "id"

    item_id = fields.Many2one("test.import.item", string="Item", required=True, ondelete="cascade", index=True)
    product = fields.Char(string="Product", required=True)
    qty = fields.Float(string="Quantity", default=1.0)

    @api.constrains("qty")
    def _check_qty(self):
        for line in self:
            if line.qty < 0:
                raise ValidationError(f"Quantity: a line cannot have a negative quantity ({line.product}).")
