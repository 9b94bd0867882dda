"""Messages of the chatter: emails, comments, notes and tracking notifications,
each attached to one record (``model`` / ``res_id``)."""
from core import fields, models

MESSAGE_TYPES = [
    ("email", "Incoming Email"),
    ("comment", "Comment"),
    ("notification", "System notification"),
    ("auto_comment", "Automated Targeted Notification"),
    ("user_notification", "User Specific Notification"),
]


class MailMessage(models.Model):
    _name = "mail.message"
    _description = "Message"
    _order = "id desc"
    _rec_name = "record_name"

    subject = fields.Char()
    body = fields.Html(default="")
    preview = fields.Char(help="The body as short plain text, for lists and notifications")
    date = fields.Datetime(default=fields.Datetime.now, index=True)
    author_id = fields.Many2one("res.partner", string="Author", index=True, ondelete="set null")
    email_from = fields.Char(string="From", help="Email address of the sender, as written in the message")
    message_type = fields.Selection(MESSAGE_TYPES, string="Type", required=True, default="comment")
    subtype_id = fields.Many2one("mail.message.subtype", string="Subtype", ondelete="set null", index=True)
    is_internal = fields.Boolean(string="Employee Only", help="Hidden from portal users and never mailed out")
    model = fields.Char(string="Related Document Model", index=True)
    res_id = fields.Integer(string="Related Document ID", index=True)
    record_name = fields.Char(string="Message Record Name")
    parent_id = fields.Many2one("mail.message", string="Parent Message", index="btree_not_null",
                                ondelete="set null")
    child_ids = fields.One2many("mail.message", "parent_id", string="Child Messages")
    partner_ids = fields.Many2many("res.partner", "mail_message_res_partner_rel", "mail_message_id",
                                   "res_partner_id", string="Recipients")
    attachment_ids = fields.Many2many("ir.attachment", "message_attachment_rel", "message_id",
                                      "attachment_id", string="Attachments")
    tracking_value_ids = fields.One2many("mail.tracking.value", "mail_message_id", string="Tracking Values")
    message_id = fields.Char(string="Message-Id", index=True, copy=False,
                             help="The RFC 5322 Message-ID of the email, unique per message")
    reply_to = fields.Char(string="Reply-To")
