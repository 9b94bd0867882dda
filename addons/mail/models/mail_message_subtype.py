"""Message subtypes: what kind of event a message is (a discussion, a note, a stage
change…), so that followers can choose what they are told about."""
from core import fields, models


class MailMessageSubtype(models.Model):
    _name = "mail.message.subtype"
    _description = "Message subtypes"
    _order = "sequence, id"

    name = fields.Char(string="Message Type", required=True, translate=True)
    description = fields.Text(translate=True, help="Shown in the message instead of an empty body")
    internal = fields.Boolean(help="Messages of an internal subtype are seen by employees only "
                                   "(and never mailed to customers)")
    res_model = fields.Char(string="Model", help="The model this subtype is for; empty: all models")
    default = fields.Boolean(string="Default", default=True,
                             help="New followers are subscribed to this subtype")
    sequence = fields.Integer(default=1)
    hidden = fields.Boolean(help="Not offered in the followers' subscription choices")
    track_recipients = fields.Boolean(help="Show the recipients of messages of this subtype")
