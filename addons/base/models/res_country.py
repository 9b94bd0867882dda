"""Countries and their states (federal states, provinces, cantons).

A country carries what addresses and documents need: its ISO code, its calling code,
its currency and the layout of a postal address (``address_format``, Python
%-placeholders, one line of the address per line of the format).  The seed data of the
base addon lists the countries and the states of the main federal countries.
"""
import re

from core import api, fields, models
from core.exceptions import ValidationError

#: a postal address as most of the world writes it; Europe mostly puts the zip first
DEFAULT_ADDRESS_FORMAT = "%(street)s\n%(street2)s\n%(city)s %(state_code)s %(zip)s\n%(country_name)s"
ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_code", "state_name",
                  "country_code", "country_name", "company_name")


class Country(models.Model):
    _name = "res.country"
    _description = "Country"
    _order = "name"
    _rec_names_search = ["name", "code"]

    name = fields.Char(string="Country Name", required=True, translate=True)
    code = fields.Char(string="Country Code", size=2, required=True,
                       help="ISO 3166-1 alpha-2 code, e.g. DE, US")
    phone_code = fields.Integer(string="Country Calling Code")
    currency_id = fields.Many2one("res.currency", string="Currency")
    state_ids = fields.One2many("res.country.state", "country_id", string="States")
    address_format = fields.Text(default=DEFAULT_ADDRESS_FORMAT,
                                 help="Layout of a postal address; placeholders: "
                                      + ", ".join(f"%({name})s" for name in ADDRESS_FIELDS))
    vat_label = fields.Char(string="Vat Label", help="What a tax ID is called here (USt-IdNr., TVA…)")
    state_required = fields.Boolean(default=False)
    zip_required = fields.Boolean(default=True)

    _sql_constraints = [("code_uniq", "unique(code)", "The code of the country must be unique!")]

    @api.constrains("address_format")
    def _check_address_format(self):
        for country in self:
            if not country.address_format:
                continue
            unknown = set(re.findall(r"%\((\w+)\)s", country.address_format)) - set(ADDRESS_FIELDS)
            if unknown:
                raise ValidationError(
                    f"The address format of {country.name} uses unknown placeholder(s) "
                    f"{', '.join(sorted(unknown))}; allowed: {', '.join(ADDRESS_FIELDS)}.")
            try:
                country.address_format % dict.fromkeys(ADDRESS_FIELDS, "")
            except (ValueError, TypeError, KeyError) as exc:
                raise ValidationError(
                    f"The address format of {country.name} is not a valid layout ({exc}): write "
                    f"placeholders as %(street)s and a literal percent sign as %%.") from None

    @api.constrains("code")
    def _check_code(self):
        for country in self:
            if not re.fullmatch(r"[A-Z]{2}", country.code or ""):
                raise ValidationError(f"The country code {country.code!r} is not two letters (ISO 3166-1).")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if isinstance(vals.get("code"), str):
                vals["code"] = vals["code"].upper()
        return super().create(vals_list)

    def write(self, vals):
        if isinstance(vals.get("code"), str):
            vals = dict(vals, code=vals["code"].upper())
        return super().write(vals)


class CountryState(models.Model):
    _name = "res.country.state"
    _description = "Country state"
    _order = "code"
    _rec_names_search = ["name", "code"]

    country_id = fields.Many2one("res.country", string="Country", required=True, ondelete="cascade",
                                 index=True)
    name = fields.Char(string="State Name", required=True)
    code = fields.Char(string="State Code", required=True, help="The state code, e.g. BY, CA, NSW")

    _sql_constraints = [("name_code_uniq", "unique(country_id, code)",
                         "The code of the state must be unique by country!")]

    @api.depends("name", "country_id.code")
    def _compute_display_name(self):
        for state in self:
            code = state.country_id.code
            state.display_name = f"{state.name} ({code})" if code else state.name
