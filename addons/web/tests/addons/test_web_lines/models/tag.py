from core import fields, models


class Tag(models.Model):
    _name = "test.order.tag"
    _description = "Order Tag"
    _order = "name"

    name = fields.Char(required=True)
    color = fields.Integer()
