"""Leads and opportunities: one model, one table, ``type`` tells which.

A lead is a request not yet qualified (contact details typed in, no customer yet);
converting it makes it an opportunity of a customer that moves through the
pipeline's stages until it is won or lost.

Probability: each stage stands for a probability (``crm.stage.probability``; 100 on
a won stage). ``automated_probability`` follows the stage; ``probability`` follows
it too while ``is_automated_probability`` is set. Writing a probability by hand that
differs from the automated one clears the flag, so a stage change no longer touches
it; writing the automated value back sets it again.

Won and lost, whatever the path (buttons, the kanban, RPC):
- won: the lead moves to a won stage (``action_set_won`` picks the team's first),
  probability 100, ``date_closed`` stamped;
- lost: ``action_set_lost(lost_reason_id=…)`` archives it with probability 0 and the
  reason. Moving it to a stage flagged ``is_lost`` is the same and needs the reason
  in the same write; without one the write fails with an error that says so.
- restoring (``action_restore``) brings a lost one back to the pipeline.
"""
import re

from core import _, api, fields, models
from core.exceptions import RedirectWarning, UserError

from addons.base.models.res_partner import email_normalize

PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]


def phone_sanitize(number):
    """Digits of a phone number with a leading '+' kept (``"+49 (30) 123-4"`` → ``"+49301234"``)."""
    if not number:
        return False
    digits = re.sub(r"[^\d]", "", number)
    if not digits:
        return False
    return ("+" + digits) if number.strip().startswith("+") else digits


class CrmLead(models.Model):
    _name = "crm.lead"
    _description = "Lead/Opportunity"
    _inherit = ["mail.thread", "mail.activity.mixin", "utm.mixin"]
    _order = "priority desc, id desc"

    name = fields.Char(string="Opportunity", required=True, index=True, tracking=True)
    type = fields.Selection([("lead", "Lead"), ("opportunity", "Opportunity")], required=True,
                            index=True, default=lambda self: self._default_type(), tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True, tracking=True,
                              default=lambda self: self.env.user)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True, tracking=True,
                              ondelete="set null", compute="_compute_team_id", store=True, readonly=False)
    company_id = fields.Many2one("res.company", string="Company", index=True,
                                 default=lambda self: self.env.company)
    stage_id = fields.Many2one("crm.stage", string="Stage", index=True, tracking=True, ondelete="restrict",
                               compute="_compute_stage_id", store=True, readonly=False,
                               group_expand="_read_group_stage_ids")
    priority = fields.Selection(PRIORITIES, string="Priority", index=True, default="0")
    tag_ids = fields.Many2many("crm.tag", "crm_tag_rel", "lead_id", "tag_id", string="Tags")
    color = fields.Integer(string="Color Index")
    description = fields.Html(string="Notes")

    # revenue and probability
    company_currency = fields.Many2one("res.currency", string="Currency", related="company_id.currency_id")
    expected_revenue = fields.Monetary(string="Expected Revenue", currency_field="company_currency",
                                       tracking=True)
    prorated_revenue = fields.Monetary(string="Prorated Revenue", currency_field="company_currency",
                                       compute="_compute_prorated_revenue", store=True)
    probability = fields.Float(string="Probability", group_operator="avg", copy=False,
                               compute="_compute_probability", store=True, readonly=False)
    automated_probability = fields.Float(string="Automated Probability",
                                         compute="_compute_automated_probability", store=True)
    is_automated_probability = fields.Boolean(default=True, copy=False,
                                              help="The probability follows the stage (until set by hand)")

    # dates
    date_deadline = fields.Date(string="Expected Closing", index=True)
    date_open = fields.Datetime(string="Assignment Date", compute="_compute_date_open", store=True,
                                readonly=True)
    date_closed = fields.Datetime(string="Closed Date", readonly=True, copy=False, index=True)
    date_conversion = fields.Datetime(string="Conversion Date", readonly=True, copy=False)
    date_last_stage_update = fields.Datetime(string="Last Stage Update", index=True,
                                             compute="_compute_date_last_stage_update", store=True)

    # customer, and the contact details typed in before there is one
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, tracking=True,
                                 ondelete="set null")
    partner_name = fields.Char(string="Company Name", compute="_compute_partner_name",
                               store=True, readonly=False)
    contact_name = fields.Char(string="Contact Name", compute="_compute_contact_name",
                               store=True, readonly=False)
    function = fields.Char(string="Job Position")
    email_from = fields.Char(string="Email", index=True, compute="_compute_email_from",
                             store=True, readonly=False)
    email_normalized = fields.Char(string="Normalized Email", index=True,
                                   compute="_compute_email_normalized", store=True)
    phone = fields.Char(compute="_compute_phone", store=True, readonly=False)
    mobile = fields.Char()
    phone_sanitized = fields.Char(string="Sanitized Number", index=True,
                                  compute="_compute_phone_sanitized", store=True)
    website = fields.Char(string="Website")
    street = fields.Char()
    street2 = fields.Char()
    zip = fields.Char(string="Zip")
    city = fields.Char()
    state_id = fields.Many2one("res.country.state", string="State", ondelete="restrict")
    country_id = fields.Many2one("res.country", string="Country", ondelete="restrict")

    # won / lost
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost Reason", index=True,
                                     ondelete="restrict", tracking=True)
    won_status = fields.Selection([("won", "Won"), ("lost", "Lost"), ("pending", "Pending")],
                                  string="Is Won", compute="_compute_won_status", store=True, index=True)
    duplicate_lead_ids = fields.Many2many("crm.lead", compute="_compute_duplicate_lead_ids",
                                          string="Similar Leads", context={"active_test": False})
    duplicate_lead_count = fields.Integer(compute="_compute_duplicate_lead_ids", string="Similar Leads Count")

    _sql_constraints = [
        ("check_probability", "CHECK(probability >= 0 AND probability <= 100)",
         "The probability of closing the deal should be between 0% and 100%!"),
    ]

    # ------------------------------------------------------------ defaults
    @api.model
    def _default_type(self):
        if "default_type" in self.env.context:
            return self.env.context["default_type"]
        return "lead" if self.env.user.has_group("crm.group_use_lead") else "opportunity"

    def _stages_of(self, team):
        """The stages of ``team``'s pipeline (its own and the shared ones), in order."""
        domain = [("team_id", "in", [team.id, False])] if team else [("team_id", "=", False)]
        return self.env["crm.stage"].search(domain)

    def _read_group_stage_ids(self, stages, domain):
        """Every stage of the team in context (or all stages) is a column of the pipeline."""
        team_id = self.env.context.get("default_team_id")
        if team_id:
            return stages.search(["|", ("id", "in", stages.ids), ("team_id", "in", [team_id, False])],
                                 order=stages._order)
        return stages.search([], order=stages._order)

    # ------------------------------------------------------------ computes
    @api.depends("user_id")
    def _compute_team_id(self):
        teams = {}      # the default team of each salesperson, searched once per batch
        for lead in self:
            if not lead.user_id:
                continue
            user = lead.user_id
            if lead.team_id and (user == lead.team_id.user_id or user in lead.team_id.member_ids):
                continue
            if user.id not in teams:
                teams[user.id] = self.env["crm.team"]._default_team(user)
            if teams[user.id]:
                lead.team_id = teams[user.id]

    @api.depends("team_id", "type")
    def _compute_stage_id(self):
        first = {}      # the first open stage of each team, searched once per batch
        for lead in self:
            if not lead.stage_id or (lead.team_id and lead.stage_id.team_id
                                     and lead.stage_id.team_id != lead.team_id):
                team = lead.team_id
                if team.id not in first:
                    first[team.id] = self._stages_of(team).filtered(
                        lambda s: not s.is_won and not s.is_lost)[:1]
                lead.stage_id = first[team.id]

    @api.depends("stage_id")
    def _compute_automated_probability(self):
        for lead in self:
            stage = lead.stage_id
            lead.automated_probability = 100.0 if stage.is_won else (stage.probability or 0.0)

    @api.depends("automated_probability")
    def _compute_probability(self):
        for lead in self:
            if lead.is_automated_probability and lead.active:
                lead.probability = lead.automated_probability

    @api.depends("expected_revenue", "probability")
    def _compute_prorated_revenue(self):
        for lead in self:
            lead.prorated_revenue = (lead.expected_revenue or 0.0) * (lead.probability or 0.0) / 100.0

    @api.depends("user_id")
    def _compute_date_open(self):
        for lead in self:
            lead.date_open = fields.Datetime.now() if lead.user_id else False

    @api.depends("stage_id")
    def _compute_date_last_stage_update(self):
        for lead in self:
            lead.date_last_stage_update = fields.Datetime.now()

    @api.depends("active", "probability", "stage_id.is_won")
    def _compute_won_status(self):
        for lead in self:
            if lead.active and lead.stage_id.is_won:
                lead.won_status = "won"
            elif not lead.active and not lead.probability:
                lead.won_status = "lost"
            else:
                lead.won_status = "pending"

    @api.depends("partner_id")
    def _compute_partner_name(self):
        for lead in self:
            partner = lead.partner_id
            if partner:
                company = partner if partner.is_company else partner.parent_id
                if company:
                    lead.partner_name = company.name

    @api.depends("partner_id")
    def _compute_contact_name(self):
        for lead in self:
            partner = lead.partner_id
            if partner and not partner.is_company:
                lead.contact_name = partner.name

    @api.depends("partner_id")
    def _compute_email_from(self):
        for lead in self:
            if lead.partner_id.email:
                lead.email_from = lead.partner_id.email

    @api.depends("partner_id")
    def _compute_phone(self):
        for lead in self:
            if lead.partner_id.phone:
                lead.phone = lead.partner_id.phone

    @api.depends("email_from")
    def _compute_email_normalized(self):
        for lead in self:
            lead.email_normalized = email_normalize(lead.email_from) or False

    @api.depends("phone", "mobile")
    def _compute_phone_sanitized(self):
        for lead in self:
            lead.phone_sanitized = phone_sanitize(lead.phone) or phone_sanitize(lead.mobile)

    @api.depends("email_normalized", "phone_sanitized", "partner_id")
    def _compute_duplicate_lead_ids(self):
        """Other leads (archived ones too) with the same normalised email or phone number."""
        Lead = self.with_context(active_test=False)
        for lead in self:
            clauses = []
            if lead.email_normalized:
                clauses.append([("email_normalized", "=", lead.email_normalized)])
            if lead.phone_sanitized:
                clauses.append([("phone_sanitized", "=", lead.phone_sanitized)])
            if not clauses:
                lead.duplicate_lead_ids = Lead.browse()
                lead.duplicate_lead_count = 0
                continue
            domain = clauses[0] if len(clauses) == 1 else ["|"] + clauses[0] + clauses[1]
            if isinstance(lead.id, int):
                domain = [("id", "!=", lead.id)] + domain
            found = Lead.search(domain, limit=50)
            lead.duplicate_lead_ids = found
            lead.duplicate_lead_count = len(found)

    # ------------------------------------------------------------ writes
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]      # the caller's dicts stay as they are
        for vals in vals_list:
            self._check_lost_stage(vals)
            self._lost_values(vals)
            if vals.get("type") == "opportunity" and "date_conversion" not in vals:
                vals["date_conversion"] = fields.Datetime.now()
        leads = super().create(vals_list)
        for lead, vals in zip(leads, vals_list):
            if "probability" in vals and "is_automated_probability" not in vals:
                lead._mark_manual_probability()
        return leads

    def write(self, vals):
        vals = dict(vals)                                    # the caller's dict stays as it is
        if vals.get("stage_id"):
            self._check_lost_stage(vals, self)
            self._lost_values(vals)
            stage = self.env["crm.stage"].browse(vals["stage_id"])
            if stage.is_won:
                vals.setdefault("probability", 100.0)
                vals.setdefault("date_closed", fields.Datetime.now())
            elif not stage.is_lost and "date_closed" not in vals and "active" not in vals:
                vals["date_closed"] = False
        if vals.get("type") == "opportunity" and "date_conversion" not in vals:
            vals["date_conversion"] = fields.Datetime.now()
        result = super().write(vals)
        if "probability" in vals and "is_automated_probability" not in vals:
            self._mark_manual_probability()
        return result

    def _mark_manual_probability(self):
        """``is_automated_probability`` from the probability just written: set back to the
        automated value it follows the stage again, any other value is kept by hand."""
        for automated in (True, False):
            leads = self.filtered(lambda lead: (round(lead.probability or 0, 2)
                                                == round(lead.automated_probability or 0, 2)) == automated
                                  and lead.is_automated_probability != automated)
            if leads:
                super(CrmLead, leads).write({"is_automated_probability": automated})

    def _check_lost_stage(self, vals, records=None):
        """A move to a lost stage needs a lost reason, in ``vals`` or already on every record."""
        stage = self.env["crm.stage"].browse(vals.get("stage_id")) if vals.get("stage_id") else None
        if not stage or not stage.is_lost:
            return
        if vals.get("lost_reason_id"):
            return
        if records is not None and records and all(lead.lost_reason_id for lead in records):
            return
        message = _("Marking an opportunity lost needs a lost reason: choose why it was lost "
                    "(stage “%s”).") % stage.name
        dialog = self.env.ref("crm.crm_lead_lost_action", raise_if_not_found=False)
        if records and dialog:
            # the client may offer the "Mark Lost" dialog for these leads right away
            raise RedirectWarning(message, dialog.id, _("Mark Lost"),
                                  {"active_model": "crm.lead", "active_ids": records.ids,
                                   "active_id": records.ids[0]})
        raise UserError(message)

    def _lost_values(self, vals):
        """A move to a lost stage archives with probability 0 and a closing date."""
        stage = self.env["crm.stage"].browse(vals.get("stage_id")) if vals.get("stage_id") else None
        if stage and stage.is_lost:
            vals.setdefault("active", False)
            vals.setdefault("probability", 0.0)
            vals.setdefault("date_closed", fields.Datetime.now())

    # ------------------------------------------------------------ actions
    def _won_stage(self):
        stages = self._stages_of(self.team_id).filtered("is_won")
        if not stages:
            raise UserError(_("The pipeline of team “%s” has no won stage.") % (self.team_id.name or "—"))
        return stages[:1]

    def action_set_won(self):
        """Won: the team's first won stage, probability 100, closing date now."""
        for lead in self:
            lead.write({"stage_id": lead._won_stage().id, "probability": 100.0, "active": True,
                        "lost_reason_id": False, "date_closed": fields.Datetime.now()})
        return True

    def action_set_lost(self, lost_reason_id=None, lost_feedback=None, **kwargs):
        """Lost, with a reason (required): archived, probability 0, closing date now.

        ``lost_feedback`` is logged as a note on each lead's chatter.
        """
        if not lost_reason_id:
            raise UserError(_("Marking an opportunity lost needs a lost reason: choose why it was lost."))
        reason = self.env["crm.lost.reason"].browse(int(lost_reason_id)).exists()
        if not reason:
            raise UserError(_("The lost reason %s does not exist.") % lost_reason_id)
        values = {"lost_reason_id": reason.id, "active": False, "probability": 0.0,
                  "date_closed": fields.Datetime.now()}
        for team, leads in self._by_team().items():
            lost = self._stages_of(team).filtered("is_lost")[:1]
            leads.write(dict(values, stage_id=lost.id) if lost else values)
        if lost_feedback:
            for lead in self:
                lead.message_post(body=lost_feedback, subtype_xmlid="mail.mt_note")
        return True

    def action_restore(self):
        """Back to the pipeline: active, no lost reason, probability from the stage again."""
        for team, leads in self.with_context(active_test=False)._by_team().items():
            values = {"active": True, "lost_reason_id": False, "date_closed": False}
            first = self._stages_of(team).filtered(lambda s: not s.is_won and not s.is_lost)[:1]
            for lead in leads:
                vals = dict(values)
                if lead.stage_id.is_lost and first:
                    vals["stage_id"] = first.id
                stage = self.env["crm.stage"].browse(vals.get("stage_id")) or lead.stage_id
                vals["probability"] = 100.0 if stage.is_won else stage.probability
                lead.write(vals)
        return True

    def _by_team(self):
        groups = {}
        for lead in self:
            groups.setdefault(lead.team_id, self.browse())
            groups[lead.team_id] |= lead
        return groups
