from core import fields, models


class Tag(models.Model):
    _name = "test.web.app.tag"
    _description = "Test Note Tag"

    name = fields.Char(required=True)
