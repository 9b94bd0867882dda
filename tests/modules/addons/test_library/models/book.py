from core import api, fields, models


class Book(models.Model):
    _name = "library.book"
    _description = "Book"
    _order = "name"

    name = fields.Char(required=True)
    isbn = fields.Char(index=True)
    author_id = fields.Many2one("res.partner", ondelete="restrict")
    copies = fields.Integer(default=1)
    state = fields.Selection([("draft", "Draft"), ("available", "Available")], default="draft")
    tag_ids = fields.Many2many("res.partner.category", string="Tags")

    _sql_constraints = [("isbn_unique", "unique(isbn)", "Two books cannot share an ISBN.")]

    @api.model
    def mark_available(self, names):
        self.search([("name", "in", names)]).write({"state": "available"})
