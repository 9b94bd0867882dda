"""Tracked changes: one row per field changed by a write, old and new value, on the
notification message that logs the write."""
from core import fields, models


class MailTrackingValue(models.Model):
    _name = "mail.tracking.value"
    _description = "Mail Tracking Value"
    _order = "id"

    field_name = fields.Char(required=True)
    field_desc = fields.Char(string="Field Description", required=True)
    field_type = fields.Char()
    old_value_char = fields.Char()
    new_value_char = fields.Char()
    old_value_integer = fields.Integer()
    new_value_integer = fields.Integer()
    old_value_float = fields.Float()
    new_value_float = fields.Float()
    old_value_datetime = fields.Datetime()
    new_value_datetime = fields.Datetime()
    mail_message_id = fields.Many2one("mail.message", string="Message", required=True,
                                      index=True, ondelete="cascade")
