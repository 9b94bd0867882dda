from core import fields, models


class Partner(models.Model):
    _inherit = "res.partner"

    library_card = fields.Char(string="Library Card")
    book_ids = fields.One2many("library.book", "author_id", string="Books")
