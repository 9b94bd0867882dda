"""What the sales analyses measure on each lead, stored so that graph and pivot views
group and sum them in the database:

- ``conversion_rate`` / ``won_rate``: 100 when converted to an opportunity / won, else
  0; averaged (the views' default), they are the conversion and win rates in percent;
- ``date_first_contact`` and ``days_to_first_contact``: the first held call or the
  first email a salesperson sent about the lead;
- ``days_to_close``: from creation to won or lost;
- ``message_received_count`` / ``message_sent_count``: emails that came in through the
  gateway, and messages salespeople sent to the customer.
"""
from core import api, fields, models

DAY = 86400.0


class CrmLeadAnalysis(models.Model):
    _inherit = "crm.lead"

    conversion_rate = fields.Float(string="Conversion Rate (%)", compute="_compute_rates", store=True,
                                   group_operator="avg", help="100 once the lead became an opportunity")
    won_rate = fields.Float(string="Win Rate (%)", compute="_compute_rates", store=True, group_operator="avg",
                            help="100 when won, 0 otherwise")
    date_first_contact = fields.Datetime(string="First Contact", readonly=True, copy=False,
                                         help="The first held call or email sent by a salesperson")
    days_to_first_contact = fields.Float(string="Days to First Contact", compute="_compute_delays", store=True,
                                         group_operator="avg")
    days_to_close = fields.Float(string="Days to Close", compute="_compute_delays", store=True,
                                 group_operator="avg")
    message_received_count = fields.Integer(string="Emails Received", readonly=True, copy=False, default=0)
    message_sent_count = fields.Integer(string="Emails Sent", readonly=True, copy=False, default=0)

    @api.depends("date_conversion", "type", "won_status")
    def _compute_rates(self):
        for lead in self:
            lead.conversion_rate = 100.0 if (lead.type == "opportunity" or lead.date_conversion) else 0.0
            lead.won_rate = 100.0 if lead.won_status == "won" else 0.0

    @api.depends("create_date", "date_first_contact", "date_closed")
    def _compute_delays(self):
        for lead in self:
            start = lead.create_date
            lead.days_to_first_contact = round((lead.date_first_contact - start).total_seconds() / DAY, 2) \
                if start and lead.date_first_contact else 0.0
            lead.days_to_close = round((lead.date_closed - start).total_seconds() / DAY, 2) \
                if start and lead.date_closed else 0.0

    def message_post(self, body="", subject=None, message_type="notification", subtype_xmlid=None, **kwargs):
        message = super().message_post(body=body, subject=subject, message_type=message_type,
                                       subtype_xmlid=subtype_xmlid, **kwargs)
        if message_type == "email":
            self._add_to_counter("message_received_count")
        elif message_type == "comment" and subtype_xmlid == "mail.mt_comment" and message.author_id.user_ids \
                and not message.author_id.user_ids[:1].share:
            self._add_to_counter("message_sent_count")
            self._first_contact(message.date)
        return message

    def _add_to_counter(self, name):
        for lead in self.sudo():
            lead[name] = (lead[name] or 0) + 1

    def _first_contact(self, moment):
        for lead in self.sudo().filtered(lambda lead: not lead.date_first_contact):
            lead.date_first_contact = moment or fields.Datetime.now()


class CrmPhonecallAnalysis(models.Model):
    _inherit = "crm.phonecall"

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._note_first_contact()
        return calls

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "done" or "opportunity_id" in vals:
            self._note_first_contact()
        return result

    def _note_first_contact(self):
        for call in self.filtered(lambda c: c.state == "done" and c.opportunity_id):
            call.opportunity_id._first_contact(call.date)


class UtmCampaignRevenue(models.Model):
    _inherit = "utm.campaign"

    crm_lead_count = fields.Integer(string="Leads", compute="_compute_crm_revenue")
    crm_won_revenue = fields.Monetary(string="Won Revenue", compute="_compute_crm_revenue",
                                      currency_field="company_currency",
                                      help="Expected revenue of the won opportunities of the campaign")
    company_currency = fields.Many2one("res.currency", related="company_id.currency_id")

    def _compute_crm_revenue(self):
        counts, revenue = {}, {}
        ids = [i for i in self.ids if isinstance(i, int)]
        if ids:
            Lead = self.env["crm.lead"].with_context(active_test=False)
            for group in Lead.read_group([("campaign_id", "in", ids)], ["campaign_id"], ["campaign_id"]):
                counts[group["campaign_id"][0]] = group["campaign_id_count"]
            for group in Lead.read_group([("campaign_id", "in", ids), ("won_status", "=", "won")],
                                         ["campaign_id", "expected_revenue:sum"], ["campaign_id"]):
                revenue[group["campaign_id"][0]] = group["expected_revenue"]
        for campaign in self:
            campaign.crm_lead_count = counts.get(campaign.id, 0)
            campaign.crm_won_revenue = revenue.get(campaign.id, 0.0)
