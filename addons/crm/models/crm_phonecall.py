"""Phone calls: logged (held, not held) and scheduled ones, on a lead or a customer.

State values are Odoo's (``open`` scheduled, ``done`` held, ``pending`` not held,
``cancel`` cancelled). Marking a call held stamps ``date_closed`` and, when no
duration was typed, takes the minutes since the call's start (capped to a day).
"""
from datetime import timedelta

from core import _, api, fields, models
from core.exceptions import UserError

STATES = [("open", "Scheduled"), ("done", "Held"), ("pending", "Not Held"), ("cancel", "Cancelled")]


class CrmPhonecall(models.Model):
    _name = "crm.phonecall"
    _description = "Phone Call"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(string="Call Summary", required=True)
    date = fields.Datetime(required=True, index=True, default=fields.Datetime.now)
    duration = fields.Float(help="Duration in minutes")
    direction = fields.Selection([("in", "Inbound"), ("out", "Outbound")], required=True, default="out")
    state = fields.Selection(STATES, string="Status", required=True, default="open", index=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Responsible", index=True, default=lambda self: self.env.user)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True,
                              default=lambda self: self.env["crm.team"]._default_team())
    partner_id = fields.Many2one("res.partner", string="Contact", index=True)
    partner_phone = fields.Char(string="Phone", compute="_compute_partner_phone", store=True, readonly=False)
    opportunity_id = fields.Many2one("crm.lead", string="Lead/Opportunity", index=True, ondelete="cascade")
    description = fields.Text(string="Note")
    priority = fields.Selection([("0", "Low"), ("1", "Normal"), ("2", "High")], default="1")
    company_id = fields.Many2one("res.company", string="Company", default=lambda self: self.env.company)
    date_closed = fields.Datetime(string="Closed", readonly=True, copy=False)
    active = fields.Boolean(default=True)
    is_overdue = fields.Boolean(string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue",
                                help="Scheduled, and its time has passed")

    @api.depends("partner_id")
    def _compute_partner_phone(self):
        for call in self:
            if call.partner_id and not call.partner_phone:
                call.partner_phone = call.partner_id.phone or call.partner_id.mobile or False

    @api.depends("state", "date")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for call in self:
            call.is_overdue = call.state == "open" and bool(call.date) and call.date < now

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Overdue calls are searched with = or != only."))
        overdue = [("state", "=", "open"), ("date", "<", fields.Datetime.now())]
        wanted = (operator == "=") == bool(value)
        return overdue if wanted else ["|", ("state", "!=", "open"), ("date", ">=", fields.Datetime.now())]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._stamp(vals)
            if vals.get("opportunity_id") and not vals.get("partner_id"):
                lead = self.env["crm.lead"].browse(vals["opportunity_id"])
                vals["partner_id"] = lead.partner_id.id or False
                vals.setdefault("partner_phone", lead.phone or lead.mobile or False)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("state") == "done" and "duration" not in vals:
            for call in self.filtered(lambda c: not c.duration and c.date and c.state != "done"):
                super(CrmPhonecall, call).write({"duration": self._minutes_since(call.date)})
        return super().write(self._stamp(vals))

    @staticmethod
    def _stamp(vals):
        if vals.get("state") in ("done", "pending", "cancel"):
            vals.setdefault("date_closed", fields.Datetime.now())
        elif vals.get("state") == "open":
            vals.setdefault("date_closed", False)
        return vals

    @staticmethod
    def _minutes_since(start):
        minutes = (fields.Datetime.now() - start).total_seconds() / 60.0
        return round(min(max(minutes, 0.0), 24 * 60.0), 2)

    # ------------------------------------------------------------ buttons
    def action_held(self):
        self.write({"state": "done"})
        return True

    def action_not_held(self):
        self.write({"state": "pending"})
        return True

    def action_cancel(self):
        self.write({"state": "cancel"})
        return True

    def schedule_another_phonecall(self, schedule_time=None, call_summary=None, user_id=False, team_id=False,
                                   action="schedule"):
        """Another call after each of these: scheduled (``action='schedule'``) or logged as held
        (``'log'``); returns the new calls."""
        new_calls = self.browse()
        for call in self:
            new_calls |= self.create({
                "name": call_summary or call.name,
                "date": schedule_time or (fields.Datetime.now() + timedelta(days=1)),
                "user_id": user_id or call.user_id.id,
                "team_id": team_id or call.team_id.id,
                "partner_id": call.partner_id.id,
                "partner_phone": call.partner_phone,
                "opportunity_id": call.opportunity_id.id,
                "direction": call.direction,
                "state": "done" if action == "log" else "open",
            })
        return new_calls

    def action_schedule_next(self):
        """The button: a call like this one, tomorrow, opened to be completed."""
        self.ensure_one()
        call = self.schedule_another_phonecall()
        return {"type": "ir.actions.act_window", "res_model": "crm.phonecall", "res_id": call.id,
                "view_mode": "form", "name": call.name}

    def action_button_convert2opportunity(self):
        """An opportunity from this call (for its contact), linked to it; opened."""
        self.ensure_one()
        if self.opportunity_id:
            raise UserError(_("This call already belongs to “%s”.") % self.opportunity_id.name)
        lead = self.env["crm.lead"].create({
            "name": self.name, "type": "opportunity", "partner_id": self.partner_id.id or False,
            "phone": self.partner_phone or False, "user_id": self.user_id.id or False,
            "team_id": self.team_id.id or False, "description": self.description or False,
        })
        self.opportunity_id = lead
        return {"type": "ir.actions.act_window", "res_model": "crm.lead", "res_id": lead.id,
                "view_mode": "form", "name": lead.name}


class CrmLeadCalls(models.Model):
    _inherit = "crm.lead"

    phonecall_ids = fields.One2many("crm.phonecall", "opportunity_id", string="Phone Calls")
    phonecall_count = fields.Integer(string="Calls", compute="_compute_phonecall_count")

    @api.depends("phonecall_ids")
    def _compute_phonecall_count(self):
        counts = _count(self.env["crm.phonecall"], "opportunity_id", self.ids)
        for lead in self:
            lead.phonecall_count = counts.get(lead.id, 0)

    def action_log_call(self):
        """Log a call: the call form, held now, on this lead and its customer."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "crm.phonecall", "view_mode": "form",
                "name": _("Log a Call"),
                "context": {"default_opportunity_id": self.id, "default_partner_id": self.partner_id.id or False,
                            "default_state": "done", "default_name": self.name,
                            "default_partner_phone": self.phone or self.mobile or False}}


class ResPartnerCalls(models.Model):
    _inherit = "res.partner"

    phonecall_count = fields.Integer(string="Calls", compute="_compute_phonecall_count",
                                     groups="crm.group_sale_salesman")

    def _compute_phonecall_count(self):
        counts = _count(self.env["crm.phonecall"], "partner_id", self.ids)
        for partner in self:
            partner.phonecall_count = counts.get(partner.id, 0)

    def action_log_call(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "crm.phonecall", "view_mode": "form",
                "name": _("Log a Call"),
                "context": {"default_partner_id": self.id, "default_state": "done",
                            "default_partner_phone": self.phone or self.mobile or False}}


def _count(Calls, field, ids):
    """``{id: number of calls}`` for the records ``ids`` (one grouped query)."""
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return {}
    groups = Calls.read_group([(field, "in", ids)], [field], [field])
    return {group[field][0]: group[f"{field}_count"] for group in groups}
