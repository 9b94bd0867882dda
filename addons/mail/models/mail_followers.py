"""Followers: the partners told about the messages of one record, per subtype."""
from core import fields, models


class MailFollowers(models.Model):
    _name = "mail.followers"
    _description = "Document Followers"
    _rec_name = "partner_id"

    res_model = fields.Char(string="Related Document Model Name", required=True, index=True)
    res_id = fields.Integer(string="Related Document ID", index=True)
    partner_id = fields.Many2one("res.partner", string="Related Partner", required=True,
                                 index=True, ondelete="cascade")
    subtype_ids = fields.Many2many("mail.message.subtype", string="Subtype",
                                   help="The kinds of messages the follower is told about")
    name = fields.Char(related="partner_id.name", string="Name")
    email = fields.Char(related="partner_id.email", string="Email")
