"""Message subtypes: what kind of event a message is (a discussion, a note, a stage
change…), so that followers can choose what they are told about."""
from core import api, fields, models


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

    # ------------------------------------------------------------ lookups
    def _is_internal_id(self, subtype_id):
        """Is the subtype of id ``subtype_id`` internal?  (Cached for the transaction.)"""
        return bool(self._subtype_flags().get(subtype_id, {}).get("internal"))

    def _subtype_flags(self):
        """``{id: {"internal", "default", "res_model", "hidden"}}`` of every subtype, read once
        per transaction (the table holds a handful of rows)."""
        flags = self.env.transaction.flags
        known = flags.get("mail.subtypes")
        if known is None:
            rows = self.sudo().with_context(active_test=False).search_read(
                [], ["internal", "default", "res_model", "hidden"], load=None)
            known = flags["mail.subtypes"] = {row["id"]: row for row in rows}
        return known

    def _default_for(self, model_name, internal=True):
        """Ids of the subtypes new followers of ``model_name`` get: the default ones of that
        model or of every model; without ``internal``, the internal ones are left out
        (customers are never told about notes)."""
        return [sid for sid, row in self._subtype_flags().items()
                if row["default"] and row["res_model"] in (False, None, model_name)
                and (internal or not row["internal"])]

    def _id_of(self, xmlid):
        """The id of the subtype ``xmlid`` (``mail.mt_comment``); ValueError naming it if unknown."""
        res_id = self.env["ir.model.data"]._xmlid_to_res_id(xmlid)
        if not res_id:
            raise ValueError(f"Unknown message subtype {xmlid!r}: no such external id")
        return res_id

    @api.model_create_multi
    def create(self, vals_list):
        self.env.transaction.flags.pop("mail.subtypes", None)
        return super().create(vals_list)

    def write(self, vals):
        self.env.transaction.flags.pop("mail.subtypes", None)
        return super().write(vals)

    def unlink(self):
        self.env.transaction.flags.pop("mail.subtypes", None)
        return super().unlink()
