"""UTM trackers (named after the utm_* parameters of web links): the campaign, the
source (a newsletter, a search engine, a trade fair) and the medium (email, phone,
banner) a lead, an order or an invoice came through. Revenue per campaign is read
from the documents that carry the mixin."""
from core import fields, models


class UtmMedium(models.Model):
    _name = "utm.medium"
    _description = "UTM Medium"
    _order = "name"

    name = fields.Char(string="Medium Name", required=True, translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("unique_name", "UNIQUE(name)", "A medium of this name already exists.")]


class UtmSource(models.Model):
    _name = "utm.source"
    _description = "UTM Source"
    _order = "name"

    name = fields.Char(string="Source Name", required=True, translate=True)

    _sql_constraints = [("unique_name", "UNIQUE(name)", "A source of this name already exists.")]


class UtmCampaign(models.Model):
    _name = "utm.campaign"
    _description = "UTM Campaign"
    _order = "name"

    name = fields.Char(string="Campaign Name", required=True, translate=True)
    user_id = fields.Many2one("res.users", string="Responsible", default=lambda self: self.env.user)
    date_start = fields.Date(string="Start Date")
    date_end = fields.Date(string="End Date")
    color = fields.Integer(string="Color Index")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", string="Company", default=lambda self: self.env.company)

    _sql_constraints = [("unique_name", "UNIQUE(name)", "A campaign of this name already exists.")]


class UtmMixin(models.AbstractModel):
    """Where the record came from: campaign, source and medium."""
    _name = "utm.mixin"
    _description = "UTM Mixin"

    campaign_id = fields.Many2one("utm.campaign", string="Campaign", index="btree_not_null",
                                  ondelete="set null", help="The marketing campaign that brought it")
    source_id = fields.Many2one("utm.source", string="Source", index="btree_not_null", ondelete="set null",
                                help="Where it came from: a search engine, a mailing list, a fair…")
    medium_id = fields.Many2one("utm.medium", string="Medium", index="btree_not_null", ondelete="set null",
                                help="The channel: email, phone, banner, web form…")
