from core import fields, models


class Loan(models.Model):
    _name = "library.loan"
    _description = "Loan"

    book_id = fields.Many2one("library.book", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True)


class Book(models.Model):
    _inherit = "library.book"

    loan_ids = fields.One2many("library.loan", "book_id")
    on_loan = fields.Boolean()
