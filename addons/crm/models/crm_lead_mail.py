"""Leads from email: the mail gateway creates a lead from a message to the sales
alias (``message_new``), and replies land on it (``message_update``)."""
import email.utils

from core import _, api, models


class CrmLeadMail(models.Model):
    _inherit = "crm.lead"

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A lead: the subject as its name, the sender as contact (linked to the partner of
        that address when there is one), the body as its notes, medium Email."""
        display, address = email.utils.parseaddr(msg_dict.get("email_from") or "")
        values = {
            "name": msg_dict.get("subject") or _("No Subject"),
            "email_from": msg_dict.get("email_from") or False,
            "contact_name": display or False,
            "partner_id": msg_dict.get("author_id") or False,
            "description": msg_dict.get("body") or False,
            "user_id": False,
            "team_id": self.env["crm.team"].search([], limit=1).id or False,
        }
        medium = self.env.ref("utm.utm_medium_email", raise_if_not_found=False)
        if medium:
            values["medium_id"] = medium.id
        values.update(custom_values or {})
        return super().message_new(msg_dict, custom_values=values)

    def message_update(self, msg_dict, update_vals=None):
        """A reply: fills the contact details still missing (the sender's address)."""
        values = dict(update_vals or {})
        for lead in self:
            if not lead.email_from and msg_dict.get("email_from"):
                lead.email_from = msg_dict["email_from"]
        return super().message_update(msg_dict, update_vals=values)
