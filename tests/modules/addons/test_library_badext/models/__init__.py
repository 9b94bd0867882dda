from core import fields, models


class Book(models.Model):
    _inherit = "library.book"

    pages = fields.Integer()
