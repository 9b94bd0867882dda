from core import fields, models


class Tag(models.Model):
    _name = "test.import.tag"
    _description = "Import Tag"
    _order = "name"

    name = fields.Char(required=True)
