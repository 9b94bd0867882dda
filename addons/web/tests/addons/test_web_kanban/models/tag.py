from core import fields, models


class Tag(models.Model):
    _name = "test.kanban.tag"
    _description = "Kanban Tag"
    _order = "name"

    name = fields.Char(required=True)
    color = fields.Integer()
