"""What the public contact form received, per client address: its rate limit."""
from datetime import timedelta

from core import api, fields, models

#: submissions from one address within WINDOW before the form refuses (system parameter
#: ``crm.contact_form_limit`` overrides it)
LIMIT = 5
WINDOW = timedelta(hours=1)


class CrmWebSubmission(models.Model):
    _name = "crm.web.submission"
    _description = "Contact form submission (rate limit)"
    _order = "id desc"

    address = fields.Char(required=True, index=True, help="Client address (IPv6: its /64 network)")
    lead_id = fields.Many2one("crm.lead", ondelete="set null")

    @api.model
    def _limit(self):
        value = self.env["ir.config_parameter"].sudo().get_param("crm.contact_form_limit")
        try:
            return int(value) if value else LIMIT
        except ValueError:
            return LIMIT

    @api.model
    def _allowed(self, address):
        """May ``address`` submit the form now? Old rows are forgotten on the way."""
        since = fields.Datetime.now() - WINDOW
        self.search([("create_date", "<", since)]).unlink()
        return self.search_count([("address", "=", address), ("create_date", ">=", since)]) < self._limit()
