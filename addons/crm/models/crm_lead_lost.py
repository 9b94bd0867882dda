"""The "Mark Lost" dialog: a lost reason is required, feedback optional."""
from core import fields, models


class CrmLeadLost(models.TransientModel):
    _name = "crm.lead.lost"
    _description = "Get Lost Reason"

    lead_ids = fields.Many2many("crm.lead", string="Leads",
                                default=lambda self: self._default_leads())
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost Reason", required=True)
    lost_feedback = fields.Html(string="Closing Note")

    def _default_leads(self):
        context = self.env.context
        if context.get("active_model") == "crm.lead":
            return [(6, 0, context.get("active_ids") or [context.get("active_id")])]
        return False

    def action_lost_reason_apply(self):
        self.ensure_one()
        self.lead_ids.action_set_lost(lost_reason_id=self.lost_reason_id.id,
                                      lost_feedback=self.lost_feedback)
        return {"type": "ir.actions.act_window_close"}
