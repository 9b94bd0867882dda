"""The customer's opportunities, counted on the contact form."""
from core import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # only for salespeople: others may not read leads at all
    opportunity_ids = fields.One2many("crm.lead", "partner_id", string="Opportunities",
                                      domain=[("type", "=", "opportunity")], groups="crm.group_sale_salesman")
    opportunity_count = fields.Integer(string="Opportunity Count", compute="_compute_opportunity_count",
                                       groups="crm.group_sale_salesman")

    @api.depends("opportunity_ids")
    def _compute_opportunity_count(self):
        counts = {}
        if self.ids:
            groups = self.env["crm.lead"].read_group(
                [("partner_id", "in", self.ids), ("type", "=", "opportunity")], ["partner_id"], ["partner_id"])
            counts = {g["partner_id"][0]: g["partner_id_count"] for g in groups}
        for partner in self:
            partner.opportunity_count = counts.get(partner.id, 0)
