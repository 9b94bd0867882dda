"""Partners: the companies and people a business deals with, and their tags.

Partners form a hierarchy: a company (``is_company``) has contacts and addresses as
children (``parent_id`` / ``child_ids``).  What makes the hierarchy useful is kept in
step by :meth:`Partner._fields_sync`, as Odoo does:

- the *commercial partner* (``commercial_partner_id``) of a partner is the company at
  the top of its branch, or the partner itself; invoices and tax IDs belong to it;
- *commercial fields* (tax ID, credit limit, company registry) are the commercial
  partner's, copied down to its contacts when they join it or when they change;
- a contact of type ``contact`` lives at its company's address: it takes the address
  when it joins the company, and follows when the company's address changes.  Invoice,
  delivery and other addresses keep their own.

The display name of a contact names its company first: "Müller GmbH, Jürgen Müller".
``email_normalized`` keeps the bare, lowercased address for finding duplicates.
"""
import email.utils
from urllib.parse import urlsplit

from core import api, fields, models
from core.exceptions import ValidationError

from .res_country import DEFAULT_ADDRESS_FORMAT

ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_id", "country_id")
COMPLETE_NAME_TYPES = ("invoice", "delivery", "other")  # named by their type when nameless


def email_split(text):
    """The email addresses in ``text`` ("Ann <ann@x.org>, bob@y.org"), without names."""
    if not text:
        return []
    return [address for _name, address in email.utils.getaddresses([text])
            if address and "@" in address]


def email_normalize(text):
    """The one address in ``text``, lowercased, for comparing; False if there is not exactly one.

    The local part keeps its case when it is not ASCII (internationalised mailboxes may be
    case-sensitive); the domain is always lowercased.
    """
    addresses = email_split(text)
    if len(addresses) != 1:
        return False
    local, _at, domain = addresses[0].rpartition("@")
    if local.isascii():
        local = local.lower()
    return f"{local}@{domain.lower()}"


def format_address(name, address):
    """``"Name" <address>`` for an email header; quotes and backslashes in the name escaped."""
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


class PartnerCategory(models.Model):
    _name = "res.partner.category"
    _description = "Partner Tags"
    _order = "name"
    _parent_store = True

    name = fields.Char(string="Tag Name", required=True, translate=True)
    color = fields.Integer(string="Color Index")
    parent_id = fields.Many2one("res.partner.category", string="Parent Category", ondelete="cascade",
                                index=True)
    child_ids = fields.One2many("res.partner.category", "parent_id", string="Child Tags")
    active = fields.Boolean(default=True, help="Archived tags are hidden, but stay on their partners")
    partner_ids = fields.Many2many("res.partner", column1="category_id", column2="partner_id",
                                   relation="res_partner_res_partner_category_rel", string="Partners")

    @api.depends("name", "parent_id.display_name")
    def _compute_display_name(self):
        """A tag under another shows its path: "Parent / Child"."""
        for category in self:
            names, current = [], category
            while current:
                names.append(current.name or "")
                current = current.parent_id
            category.display_name = " / ".join(reversed(names))


class Partner(models.Model):
    _name = "res.partner"
    _description = "Contact"
    _order = "complete_name, id"
    _rec_names_search = ["complete_name", "email", "ref", "vat", "company_registry"]

    name = fields.Char(index=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, index=True)
    parent_id = fields.Many2one("res.partner", string="Related Company", index="btree_not_null")
    parent_name = fields.Char(related="parent_id.name", string="Parent name")
    child_ids = fields.One2many("res.partner", "parent_id", string="Contact")
    is_company = fields.Boolean(string="Is a Company", default=False,
                                help="Check if the contact is a company, otherwise it is a person")
    company_type = fields.Selection([("person", "Individual"), ("company", "Company")],
                                    string="Company Type", compute="_compute_company_type",
                                    inverse="_write_company_type")
    company_name = fields.Char(string="Company Name",
                               help="The company of a person not yet linked to a company partner")
    commercial_partner_id = fields.Many2one("res.partner", string="Commercial Entity",
                                            compute="_compute_commercial_partner",
                                            store=True, index=True, recursive=True)
    commercial_company_name = fields.Char(string="Company Name Entity",
                                          compute="_compute_commercial_company_name", store=True)
    type = fields.Selection([("contact", "Contact"), ("invoice", "Invoice Address"),
                             ("delivery", "Delivery Address"), ("other", "Other Address")],
                            string="Address Type", default="contact",
                            help="A contact lives at its company's address; other types keep their own")
    function = fields.Char(string="Job Position")
    ref = fields.Char(string="Reference", index=True)
    vat = fields.Char(string="Tax ID", index=True, help="The tax identification number (VAT, USt-IdNr.)")
    company_registry = fields.Char(help="The registration number at the trade register (HRB …)")
    user_id = fields.Many2one("res.users", string="Salesperson",
                              help="The internal user in charge of this contact")
    user_ids = fields.One2many("res.users", "partner_id", string="Users")

    # communication
    email = fields.Char()
    email_normalized = fields.Char(string="Normalized Email", compute="_compute_email_normalized",
                                   store=True, index=True,
                                   help="The bare address, lowercased: finds duplicates")
    email_formatted = fields.Char(compute="_compute_email_formatted",
                                  help='"Name" <address>, for the headers of outgoing mail')
    phone = fields.Char()
    mobile = fields.Char()
    website = fields.Char(string="Website Link")

    # address
    street = fields.Char()
    street2 = fields.Char()
    zip = fields.Char(string="Zip")
    city = fields.Char()
    state_id = fields.Many2one("res.country.state", string="State", ondelete="restrict")
    country_id = fields.Many2one("res.country", string="Country", ondelete="restrict")
    contact_address = fields.Char(string="Complete Address", compute="_compute_contact_address")

    category_id = fields.Many2many("res.partner.category", column1="partner_id", column2="category_id",
                                   relation="res_partner_res_partner_category_rel", string="Tags")
    lang = fields.Char(string="Language", default=lambda self: self.env.lang,
                       help="The language of documents and mail sent to this contact")
    tz = fields.Char(string="Timezone")
    active = fields.Boolean(default=True)
    credit_limit = fields.Float(string="Credit Limit")
    comment = fields.Html(string="Notes")
    company_id = fields.Many2one("res.company", string="Company", index=True)
    color = fields.Integer(string="Color Index")

    _sql_constraints = [
        ("check_name", "check((type = 'contact' AND name IS NOT NULL) OR type != 'contact')",
         "Contacts require a name"),
    ]

    # ------------------------------------------------------------ computed fields
    @api.depends("is_company", "name", "parent_id.name", "type", "company_name", "commercial_company_name")
    def _compute_complete_name(self):
        for partner in self:
            partner.complete_name = partner._get_complete_name() or False

    def _get_complete_name(self):
        """The name with its company first ("Company, Contact"); a nameless address by its type."""
        name = self.name or ""
        if self.company_name or self.parent_id:
            if not name and self.type in COMPLETE_NAME_TYPES:
                name = dict(self._fields["type"].selection)[self.type]
            if not self.is_company:
                name = f"{self.commercial_company_name or self.sudo().parent_id.name}, {name}"
        return name.strip()

    @api.depends("complete_name")
    def _compute_display_name(self):
        for partner in self:
            partner.display_name = partner.complete_name or False

    @api.depends("is_company")
    def _compute_company_type(self):
        for partner in self:
            partner.company_type = "company" if partner.is_company else "person"

    def _write_company_type(self):
        for partner in self:
            partner.is_company = partner.company_type == "company"

    @api.depends("is_company", "parent_id.commercial_partner_id")
    def _compute_commercial_partner(self):
        for partner in self:
            if partner.is_company or not partner.parent_id:
                partner.commercial_partner_id = partner
            else:
                partner.commercial_partner_id = partner.parent_id.commercial_partner_id

    @api.depends("company_name", "parent_id.is_company", "commercial_partner_id.name",
                 "commercial_partner_id.is_company")
    def _compute_commercial_company_name(self):
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.commercial_company_name = (commercial.is_company and commercial.name
                                               or partner.company_name or False)

    @api.depends("email")
    def _compute_email_normalized(self):
        for partner in self:
            partner.email_normalized = email_normalize(partner.email)

    @api.depends("name", "email")
    def _compute_email_formatted(self):
        for partner in self:
            addresses = email_split(partner.email)
            partner.email_formatted = ", ".join(format_address(partner.name, a) for a in addresses) \
                or partner.email or False

    @api.depends("street", "street2", "zip", "city", "state_id", "country_id", "commercial_company_name")
    def _compute_contact_address(self):
        for partner in self:
            partner.contact_address = partner._display_address()

    def _display_address(self, without_company=False):
        """The postal address, one line per line, in the layout of the partner's country."""
        self.ensure_one()
        layout = self.country_id.address_format or DEFAULT_ADDRESS_FORMAT
        values = {name: self[name] or "" for name in ("street", "street2", "zip", "city")}
        values.update(
            state_code=self.state_id.code or "", state_name=self.state_id.name or "",
            country_code=self.country_id.code or "", country_name=self.country_id.name or "",
            company_name=self.commercial_company_name or "")
        if not without_company and self.commercial_company_name and not self.is_company:
            layout = "%(company_name)s\n" + layout
        lines = (" ".join(line.split()).strip(" ,") for line in (layout % values).splitlines())
        return "\n".join(line for line in lines if line)

    # ------------------------------------------------------------ checks
    def _check_parent_id(self, parent_id):
        """Refuse ``parent_id`` as the parent of these partners if it is one of them or below.

        Checked before the write: a cycle would send the recomputation of the commercial
        partner, which climbs the hierarchy, round in circles.
        """
        ancestor = self.browse(parent_id)
        seen = set()
        while ancestor and ancestor.id not in seen:
            if ancestor.id in self._ids:
                raise ValidationError("You cannot create recursive Partner hierarchies.")
            seen.add(ancestor.id)
            ancestor = ancestor.parent_id

    @api.constrains("lang")
    def _check_lang(self):
        codes = {code for code in self.mapped("lang") if code}
        if not codes:
            return
        active = set(self.env["res.lang"].sudo().search([("active", "=", True)]).mapped("code"))
        # no active language yet: the base addon is still loading its data
        unknown = codes - active if active else set()
        if unknown:
            raise ValidationError(
                f"The language {sorted(unknown)[0]!r} of a contact is not an active language "
                f"(active: {', '.join(sorted(active))}); activate it first.")

    # ------------------------------------------------------------ create / write
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._clean_vals(vals) for vals in vals_list]
        partners = super().create(vals_list)
        if not self.env.context.get("_partners_skip_fields_sync"):
            for partner, vals in zip(partners, vals_list):
                partner._fields_sync(vals)
        return partners

    def write(self, vals):
        vals = self._clean_vals(vals)
        if vals.get("active") is False and "res.users" in self.env:
            users = self.env["res.users"].sudo().search([("partner_id", "in", self.ids)])
            if users:
                raise ValidationError(
                    f"You cannot archive contacts linked to an active user "
                    f"({', '.join(users.mapped('login'))}): archive the user first.")
        if vals.get("parent_id"):
            parent = vals["parent_id"]
            self._check_parent_id(parent if isinstance(parent, int) else parent.id)
        result = super().write(vals)
        for partner in self:
            partner._fields_sync(vals)
        return result

    def _clean_vals(self, vals):
        vals = dict(vals)
        if vals.get("website"):
            vals["website"] = self._clean_website(vals["website"])
        if vals.get("parent_id"):
            vals["company_name"] = False
        return vals

    @api.model
    def _clean_website(self, website):
        """A link with a scheme: "www.example.org" -> "http://www.example.org"."""
        website = website.strip()
        if website and not urlsplit(website).scheme:
            website = "http://" + website
        return website

    # ------------------------------------------------------------ hierarchy sync
    @api.model
    def _address_fields(self):
        """The fields of a postal address, which contacts share with their company."""
        return list(ADDRESS_FIELDS)

    @api.model
    def _commercial_fields(self):
        """The fields that belong to the commercial entity and are the same on its contacts."""
        return ["vat", "company_registry", "credit_limit"]

    def _values_of(self, names):
        """``{name: value}`` of this partner in the form ``write`` takes."""
        self.ensure_one()
        return {name: self._fields[name].convert_to_write(self[name], self) for name in names}

    def _parent_address(self):
        """The parent's address for a contact, or {} when the parent has none."""
        parent = self.parent_id
        if parent and any(parent[name] for name in self._address_fields()):
            return parent._values_of(self._address_fields())
        return {}

    def _differing(self, values):
        """The partners of this set on which writing ``values`` would change something."""
        def differs(partner):
            for name, value in values.items():
                field = self._fields[name]
                current = field.convert_to_write(partner[name], partner)
                if field.convert_to_cache(current, partner) != field.convert_to_cache(value, partner):
                    return True
            return False
        return self.filtered(differs)

    def _update_address(self, vals):
        """Write the address part of ``vals`` without syncing again."""
        address = {key: vals[key] for key in self._address_fields() if key in vals}
        targets = self._differing(address) if address else self.browse()
        if targets:
            super(Partner, targets).write(address)

    def _fields_sync(self, vals):
        """After a create or write: take from the company, then give to the contacts."""
        self.ensure_one()
        if vals.get("parent_id") or vals.get("type") == "contact":
            if vals.get("parent_id"):
                self._commercial_sync_from_company()
            if self.parent_id and self.type == "contact":
                self._update_address(self._parent_address())
        self._children_sync(vals)

    def _children_sync(self, vals):
        if not self.child_ids:
            return
        if self.commercial_partner_id == self:
            if any(name in vals for name in self._commercial_fields()):
                self.sudo()._commercial_sync_to_children()
        for child in self.child_ids.filtered(lambda c: not c.is_company):
            if child.commercial_partner_id != self.commercial_partner_id:
                self._commercial_sync_to_children()
                break
        if any(name in vals for name in self._address_fields()):
            contacts = self.child_ids.filtered(lambda c: c.type == "contact")
            address = {name: vals[name] for name in self._address_fields() if name in vals}
            contacts._update_address(address)

    def _commercial_sync_from_company(self):
        commercial = self.commercial_partner_id
        if commercial != self:
            values = commercial._values_of(self._commercial_fields())
            if self._differing(values):
                self.write(values)
            self._commercial_sync_to_children()

    def _commercial_sync_to_children(self):
        values = self.commercial_partner_id._values_of(self._commercial_fields())
        children = self.child_ids.filtered(lambda c: not c.is_company)
        for child in children:
            child._commercial_sync_to_children()
        children._differing(values).write(values)

    # ------------------------------------------------------------ onchange
    @api.onchange("parent_id")
    def _onchange_parent_id(self):
        """A contact moved under a company takes its address in the form, as on save."""
        if self.parent_id and self.type == "contact":
            for name, value in self._parent_address().items():
                self[name] = value

    @api.onchange("country_id")
    def _onchange_country_id(self):
        if self.country_id and self.state_id and self.state_id.country_id != self.country_id:
            self.state_id = False

    @api.onchange("state_id")
    def _onchange_state(self):
        if self.state_id.country_id and self.country_id != self.state_id.country_id:
            self.country_id = self.state_id.country_id

    # ------------------------------------------------------------ lookups
    def address_get(self, adr_pref=None):
        """``{type: partner id}`` for the address types ``adr_pref`` (and ``contact``).

        Looks through the descendants, depth first, without entering other companies,
        then through the ancestors up to the commercial entity; a missing type falls
        back to the ``contact``, then to the partner itself.
        """
        wanted = set(adr_pref or []) | {"contact"}
        result, visited = {}, set()
        for partner in self:
            current = partner
            while current:
                to_scan = [current]
                while to_scan:
                    record = to_scan.pop(0)
                    visited.add(record.id)
                    if record.type in wanted and not result.get(record.type):
                        result[record.type] = record.id
                    if len(result) == len(wanted):
                        return result
                    to_scan = [c for c in record.child_ids
                               if c.id not in visited and not c.is_company] + to_scan
                if current.is_company or not current.parent_id:
                    break
                current = current.parent_id
        default = result.get("contact", self.id if len(self) == 1 else False)
        return {kind: result.get(kind) or default for kind in wanted}

    @api.model
    def name_create(self, name):
        """Create a contact from "Name <email>", "email" or a plain name."""
        display, address = email.utils.parseaddr(name or "")
        address = email_normalize(address) if "@" in (address or "") else False
        vals = {"name": (display.strip() if address else name) or address}
        if address:
            vals["email"] = address
        partner = self.create(vals)
        return (partner.id, partner.display_name)

    @api.model
    def find_or_create(self, text, assert_valid_email=False):
        """The partner of the email address in ``text``, created if there is none."""
        address = email_normalize(text)
        if not address:
            if assert_valid_email:
                raise ValidationError(f"{text!r} does not contain exactly one valid email address.")
            return self.browse()
        partner = self.search([("email_normalized", "=", address)], limit=1)
        if partner:
            return partner
        return self.browse(self.name_create(text)[0])
