from core import fields, models


class Note(models.Model):
    _name = "test.web.app.note"
    _description = "Test Note"
    _order = "name"

    name = fields.Char(required=True)
    body = fields.Text()
