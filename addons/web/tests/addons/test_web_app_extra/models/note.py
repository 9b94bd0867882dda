from core import fields, models


class Note(models.Model):
    _inherit = "test.web.app.note"

    priority = fields.Integer(default=0)
    tag_id = fields.Many2one("test.web.app.tag", ondelete="set null")
