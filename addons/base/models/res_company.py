"""Companies: the legal entities a database works for.

A company is backed by a partner (``partner_id``, a partner with ``is_company``): its
name, address and contact details are the partner's, so that a company can be
invoiced, written to and shown on documents like any other partner.  Writing the
address on the company writes it on its partner.  Companies form a hierarchy
(``parent_id``: branches of a company); currency rates are shared along it.
"""
from core import api, fields, models
from core.exceptions import ValidationError


def current_company(env):
    """``env.company``, or no company while the base addon installs and no user exists yet."""
    if env.context.get("allowed_company_ids"):
        return env.company
    if "res.users" in env and env.user.exists():
        return env.user.company_id
    return env["res.company"]


class Company(models.Model):
    _name = "res.company"
    _description = "Companies"
    _order = "sequence, name"
    _parent_store = True

    name = fields.Char(related="partner_id.name", string="Company Name", required=True,
                       readonly=False, store=True)
    partner_id = fields.Many2one("res.partner", string="Partner", required=True, ondelete="restrict")
    sequence = fields.Integer(default=10, help="Order of the companies in the company switcher")
    currency_id = fields.Many2one("res.currency", string="Currency", required=True,
                                  default=lambda self: self._default_currency_id())
    parent_id = fields.Many2one("res.company", string="Parent Company", index=True)
    child_ids = fields.One2many("res.company", "parent_id", string="Branches")
    root_id = fields.Many2one("res.company", string="Root Company", compute="_compute_root_id")
    active = fields.Boolean(default=True)

    # the partner's address and contact details, written through to it
    street = fields.Char(related="partner_id.street", readonly=False)
    street2 = fields.Char(related="partner_id.street2", readonly=False)
    zip = fields.Char(related="partner_id.zip", readonly=False)
    city = fields.Char(related="partner_id.city", readonly=False)
    state_id = fields.Many2one(related="partner_id.state_id", readonly=False)
    country_id = fields.Many2one(related="partner_id.country_id", readonly=False)
    email = fields.Char(related="partner_id.email", readonly=False)
    phone = fields.Char(related="partner_id.phone", readonly=False)
    mobile = fields.Char(related="partner_id.mobile", readonly=False)
    website = fields.Char(related="partner_id.website", readonly=False)
    vat = fields.Char(related="partner_id.vat", string="Tax ID", readonly=False)
    company_registry = fields.Char(related="partner_id.company_registry", readonly=False)

    _sql_constraints = [("name_uniq", "unique(name)", "The company name must be unique!")]

    def _default_currency_id(self):
        """The current company's currency; before any company exists, the first active one."""
        company = current_company(self.env)
        if company:
            return company.currency_id.id
        return self.env["res.currency"].search([], limit=1).id or False

    @api.depends("parent_path")
    def _compute_root_id(self):
        for company in self:
            path = company.parent_path
            company.root_id = int(path.split("/")[0]) if path else company

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("partner_id") and not vals.get("name"):
                vals["name"] = self.env["res.partner"].browse(vals["partner_id"]).name
        without_partner = [vals for vals in vals_list if not vals.get("partner_id")]
        if without_partner:
            for vals in without_partner:
                if not vals.get("name"):
                    raise ValidationError("A company needs a name (or an existing partner_id).")
            partners = self.env["res.partner"].create([
                {"name": vals["name"], "is_company": True} for vals in without_partner])
            for vals, partner in zip(without_partner, partners):
                vals["partner_id"] = partner.id
        companies = super().create(vals_list)
        # the company's name is its partner's: a name given with an existing partner renames it
        for company, vals in zip(companies, vals_list):
            if vals.get("name") and company.partner_id.name != company.name:
                company.partner_id.write({"name": company.name})
        companies._activate_currencies()
        return companies

    def write(self, vals):
        if "name" in vals:
            # stored related fields are not yet written through by the ORM
            self.mapped("partner_id").write({"name": vals["name"]})
        result = super().write(vals)
        if vals.get("currency_id"):
            self._activate_currencies()
        return result

    def _activate_currencies(self):
        """A company's currency is always active."""
        inactive = self.mapped("currency_id").filtered(lambda c: not c.active)
        if inactive:
            inactive.sudo().write({"active": True})
