from core import fields, models


class Thing(models.Model):
    _name = "test.web.app.broken"
    _description = "Broken Thing"

    name = fields.Char(required=True)
    partner_id = fields.Many2one("res.partner")
