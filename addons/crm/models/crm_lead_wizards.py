"""The dialogs of qualification: convert a lead (optionally merging its duplicates)
and merge opportunities. Each only gathers choices; the services are crm.lead's."""
from core import Command, _, api, fields, models
from core.exceptions import UserError


def _active_leads(env):
    context = env.context
    if context.get("active_model") != "crm.lead":
        return env["crm.lead"]
    ids = context.get("active_ids") or ([context["active_id"]] if context.get("active_id") else [])
    return env["crm.lead"].browse(ids).exists()


class Lead2Opportunity(models.TransientModel):
    _name = "crm.lead2opportunity.partner"
    _description = "Convert Lead to Opportunity"

    name = fields.Selection([("convert", "Convert to opportunity"), ("merge", "Merge with existing opportunities")],
                            string="Conversion Action", required=True, default="convert")
    action = fields.Selection([("create", "Create a new customer"), ("exist", "Link to an existing customer"),
                               ("nothing", "Do not link to a customer")],
                              string="Related Customer", required=True, default="create")
    lead_id = fields.Many2one("crm.lead", string="Lead", required=True, ondelete="cascade",
                              default=lambda self: _active_leads(self.env)[:1].id)
    partner_id = fields.Many2one("res.partner", string="Customer")
    user_id = fields.Many2one("res.users", string="Salesperson")
    team_id = fields.Many2one("crm.team", string="Sales Team")
    duplicated_lead_ids = fields.Many2many("crm.lead", "crm_convert_lead_duplicate_rel", "wizard_id", "lead_id",
                                           string="Opportunities to merge")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        lead = _active_leads(self.env)[:1]
        if lead:
            partner = lead._find_matching_partner()
            duplicates = lead._open_duplicates(partner)
            proposed = {"partner_id": partner.id or False, "action": "exist" if partner else "create",
                        "user_id": lead.user_id.id or self.env.uid, "team_id": lead.team_id.id or False}
            if duplicates:
                proposed.update(name="merge", duplicated_lead_ids=[Command.set((lead | duplicates).ids)])
            for name, value in proposed.items():
                if f"default_{name}" not in self.env.context:     # what the caller asks for wins
                    values[name] = value
        return values

    def action_apply(self):
        """Convert (after merging, when asked); opens the resulting opportunity."""
        self.ensure_one()
        lead = self.lead_id
        if self.name == "merge":
            leads = self.duplicated_lead_ids | lead
            if len(leads) > 1:
                lead = leads.merge_opportunity(user_id=self.user_id.id, team_id=self.team_id.id)
        if self.action == "exist" and not self.partner_id:
            raise UserError(_("Choose the existing customer to link the opportunity to."))
        if self.action == "exist":
            lead._handle_partner_assignment(force_partner_id=self.partner_id.id)
        elif self.action == "create":
            lead._handle_partner_assignment(create_missing=True)
        lead.convert_opportunity(lead.partner_id, user_ids=self.user_id.ids, team_id=self.team_id.id)
        return {"type": "ir.actions.act_window", "res_model": "crm.lead", "res_id": lead.id,
                "view_mode": "form", "name": lead.name}


class MergeOpportunity(models.TransientModel):
    _name = "crm.merge.opportunity"
    _description = "Merge Opportunities"

    opportunity_ids = fields.Many2many("crm.lead", "merge_opportunity_rel", "merge_id", "opportunity_id",
                                       string="Leads/Opportunities",
                                       default=lambda self: [Command.set(_active_leads(self.env).ids)])
    user_id = fields.Many2one("res.users", string="Salesperson")
    team_id = fields.Many2one("crm.team", string="Sales Team")

    def action_merge(self):
        self.ensure_one()
        survivor = self.opportunity_ids.merge_opportunity(user_id=self.user_id.id, team_id=self.team_id.id)
        return {"type": "ir.actions.act_window", "res_model": "crm.lead", "res_id": survivor.id,
                "view_mode": "form", "name": survivor.name}
