"""Partners: hierarchy, commercial entity, address and commercial fields sync, display
names, email normalisation, tags, lookups, and the demo partners."""
import pytest

from addons.base.models.res_partner import email_normalize, email_split, format_address
from core.exceptions import ValidationError
from core.fields import Command


@pytest.fixture
def env(installed_env):
    return installed_env


@pytest.fixture
def acme(env):
    """A German company with an address, a tax ID and a credit limit."""
    return env["res.partner"].create({
        "name": "Ächme Werkzeuge GmbH", "is_company": True, "street": "Lindenstraße 3",
        "zip": "80331", "city": "München", "state_id": env.ref("base.state_de_by").id,
        "country_id": env.ref("base.de").id, "vat": "DE111111111", "credit_limit": 1000.0,
        "company_registry": "HRB 1",
    })


# ------------------------------------------------------------------ names
def test_display_name_puts_the_company_first(env, acme):
    jane = env["res.partner"].create({"name": "Jane Roe", "parent_id": acme.id})
    assert jane.display_name == "Ächme Werkzeuge GmbH, Jane Roe"
    assert jane.complete_name == "Ächme Werkzeuge GmbH, Jane Roe"
    assert acme.display_name == "Ächme Werkzeuge GmbH"
    # a contact of a contact still names the company, not the whole chain
    assistant = env["res.partner"].create({"name": "Max Muster", "parent_id": jane.id})
    assert assistant.display_name == "Ächme Werkzeuge GmbH, Max Muster"
    # renaming the company renames its contacts
    acme.name = "Ächme AG"
    assert jane.display_name == "Ächme AG, Jane Roe"
    assert assistant.display_name == "Ächme AG, Max Muster"
    assert env["res.partner"].search([("complete_name", "=", "Ächme AG, Jane Roe")]) == jane


def test_display_name_of_addresses_and_loose_persons(env, acme):
    Partner = env["res.partner"]
    invoice = Partner.create({"type": "invoice", "parent_id": acme.id})
    assert invoice.display_name == "Ächme Werkzeuge GmbH, Invoice Address"
    delivery = Partner.create({"type": "delivery", "name": "Lager Nord", "parent_id": acme.id})
    assert delivery.display_name == "Ächme Werkzeuge GmbH, Lager Nord"
    freelancer = Partner.create({"name": "Jörg Weiß", "company_name": "Weiß Design"})
    assert freelancer.display_name == "Weiß Design, Jörg Weiß"
    # joining a company partner replaces the loose company name
    freelancer.parent_id = acme
    assert freelancer.company_name is False
    assert freelancer.display_name == "Ächme Werkzeuge GmbH, Jörg Weiß"


def test_contacts_require_a_name(env, acme):
    with pytest.raises(ValidationError, match="Contacts require a name"), env.cr.savepoint():
        env["res.partner"].create({"email": "anonymous@example.com"})
    assert env["res.partner"].create({"type": "other", "parent_id": acme.id}).name is False


def test_company_type_is_writable(env):
    partner = env["res.partner"].create({"name": "Solo"})
    assert partner.company_type == "person"
    partner.company_type = "company"
    assert partner.is_company is True
    assert partner.company_type == "company"


# ------------------------------------------------------------------ hierarchy
def test_commercial_partner_is_the_company_at_the_top(env, acme):
    Partner = env["res.partner"]
    jane = Partner.create({"name": "Jane Roe", "parent_id": acme.id})
    assistant = Partner.create({"name": "Max Muster", "parent_id": jane.id})
    loner = Partner.create({"name": "Loner"})
    assert jane.commercial_partner_id == acme
    assert assistant.commercial_partner_id == acme
    assert acme.commercial_partner_id == acme
    assert loner.commercial_partner_id == loner
    assert acme.child_ids == jane and jane.child_ids == assistant
    # a subsidiary (a company under a company) is its own commercial entity
    subsidiary = Partner.create({"name": "Ächme Service GmbH", "is_company": True, "parent_id": acme.id})
    assert subsidiary.commercial_partner_id == subsidiary
    # moving a contact moves its branch
    other = Partner.create({"name": "Andere GmbH", "is_company": True})
    jane.parent_id = other
    assert jane.commercial_partner_id == other
    assert assistant.commercial_partner_id == other
    assert jane.commercial_company_name == "Andere GmbH"
    assert Partner.search([("id", "child_of", other.id)]) == other | jane | assistant


def test_hierarchy_cannot_be_recursive(env, acme):
    jane = env["res.partner"].create({"name": "Jane Roe", "parent_id": acme.id})
    with pytest.raises(ValidationError, match="recursive"), env.cr.savepoint():
        acme.parent_id = jane
    with pytest.raises(ValidationError, match="recursive"), env.cr.savepoint():
        jane.parent_id = jane
    assert not acme.parent_id


# ------------------------------------------------------------------ address sync
ADDRESS = ("street", "street2", "zip", "city", "state_id", "country_id")


def address_of(partner):
    return tuple(partner[name] for name in ADDRESS)


def test_contact_takes_its_company_address(env, acme):
    jane = env["res.partner"].create({"name": "Jane Roe", "parent_id": acme.id,
                                      "street": "Elsewhere 1", "city": "Köln"})
    assert address_of(jane) == address_of(acme)       # a contact lives at its company
    # an invoice address keeps its own
    invoice = env["res.partner"].create({"name": "Buchhaltung", "type": "invoice", "parent_id": acme.id,
                                         "street": "Postfach 12", "city": "München"})
    assert (invoice.street, invoice.city) == ("Postfach 12", "München")
    # becoming a contact, it moves in with the company
    invoice.type = "contact"
    assert address_of(invoice) == address_of(acme)


def test_company_address_change_reaches_its_contacts(env, acme):
    Partner = env["res.partner"]
    jane = Partner.create({"name": "Jane Roe", "parent_id": acme.id})
    delivery = Partner.create({"name": "Lager", "type": "delivery", "parent_id": acme.id,
                               "street": "Hafenweg 9", "city": "Hamburg",
                               "state_id": env.ref("base.state_de_hh").id})
    acme.write({"street": "Neue Mitte 1", "zip": "10117", "city": "Berlin",
                "state_id": env.ref("base.state_de_be").id})
    assert (jane.street, jane.zip, jane.city, jane.state_id.code) == ("Neue Mitte 1", "10117", "Berlin", "BE")
    assert jane.country_id == acme.country_id
    assert (delivery.street, delivery.city, delivery.state_id.code) == ("Hafenweg 9", "Hamburg", "HH")
    # a change of something else leaves the contacts' addresses alone
    jane.write({"street2": "Hinterhaus"})
    acme.write({"phone": "+49 89 1"})
    assert jane.street2 == "Hinterhaus"


def test_contact_under_a_company_without_address_keeps_its_own(env):
    company = env["res.partner"].create({"name": "Ohne Adresse GmbH", "is_company": True})
    jane = env["res.partner"].create({"name": "Jane Roe", "parent_id": company.id, "city": "Bonn"})
    assert jane.city == "Bonn"


def test_onchange_shows_the_sync_in_the_form(env, acme):
    Partner = env["res.partner"]
    result = Partner.onchange({"name": "Neu", "type": "contact", "parent_id": acme.id},
                              ["parent_id"], ["street", "city", "country_id"])
    assert result["value"]["street"] == "Lindenstraße 3"
    assert result["value"]["city"] == "München"
    assert result["value"]["country_id"][0] == env.ref("base.de").id
    result = Partner.onchange({"name": "Neu", "state_id": env.ref("base.state_us_ca").id},
                              ["state_id"], ["country_id"])
    assert result["value"]["country_id"][0] == env.ref("base.us").id
    result = Partner.onchange({"name": "Neu", "state_id": env.ref("base.state_us_ca").id,
                               "country_id": env.ref("base.de").id}, ["country_id"], ["state_id"])
    assert result["value"]["state_id"] is False


# ------------------------------------------------------------------ commercial fields
def test_commercial_fields_follow_the_commercial_partner(env, acme):
    Partner = env["res.partner"]
    jane = Partner.create({"name": "Jane Roe", "parent_id": acme.id, "vat": "XX0"})
    assistant = Partner.create({"name": "Max Muster", "parent_id": jane.id})
    assert (jane.vat, jane.credit_limit, jane.company_registry) == ("DE111111111", 1000.0, "HRB 1")
    assert assistant.vat == "DE111111111"
    acme.write({"vat": "DE222222222", "credit_limit": 5000.0})
    assert (jane.vat, jane.credit_limit) == ("DE222222222", 5000.0)
    assert assistant.vat == "DE222222222"
    # a contact that leaves takes the new company's tax ID
    other = Partner.create({"name": "Andere GmbH", "is_company": True, "vat": "DE333333333"})
    jane.parent_id = other
    assert jane.vat == "DE333333333"
    assert assistant.vat == "DE333333333"
    # a subsidiary keeps its own
    subsidiary = Partner.create({"name": "Tochter", "is_company": True, "parent_id": acme.id,
                                 "vat": "DE444444444"})
    acme.vat = "DE555555555"
    assert subsidiary.vat == "DE444444444"


# ------------------------------------------------------------------ email
@pytest.mark.parametrize("text, normalized", [
    ("info@example.com", "info@example.com"),
    ("Info@Example.COM", "info@example.com"),
    ("  info@example.com  ", "info@example.com"),
    ("Jürgen Müller <J.Mueller@Example.de>", "j.mueller@example.de"),
    ('"Müller, Jürgen" <j.mueller@example.de>', "j.mueller@example.de"),
    ("Jörg@Bücher.example", "Jörg@bücher.example"),         # a non-ASCII mailbox keeps its case
    ("no address here", False),
    ("", False),
    (False, False),
    ("a@example.com, b@example.com", False),               # not one address
])
def test_email_normalize(text, normalized):
    assert email_normalize(text) == normalized


def test_email_split_and_format():
    assert email_split("Ann <ann@x.org>, bob@y.org, nobody") == ["ann@x.org", "bob@y.org"]
    assert format_address("Jürgen Müller", "j@x.org") == '"Jürgen Müller" <j@x.org>'
    assert format_address('Say "Hi"', "j@x.org") == '"Say \\"Hi\\"" <j@x.org>'
    assert format_address(False, "j@x.org") == "j@x.org"


def test_email_normalized_is_stored_and_searchable(env):
    Partner = env["res.partner"]
    partner = Partner.create({"name": "Jörg", "email": "Jörg Grün <Joerg.Gruen@Example.DE>"})
    assert partner.email_normalized == "joerg.gruen@example.de"
    assert partner.email_formatted == '"Jörg" <Joerg.Gruen@Example.DE>'
    partner.email = "JOERG@EXAMPLE.DE"
    assert Partner.search([("email_normalized", "=", "joerg@example.de")]) == partner
    partner.email = False
    assert partner.email_normalized is False and partner.email_formatted is False


def test_find_or_create_and_name_create(env):
    Partner = env["res.partner"]
    pid, name = Partner.name_create("Jane Doe <Jane.Doe@Example.com>")
    jane = Partner.browse(pid)
    assert (jane.name, jane.email, name) == ("Jane Doe", "jane.doe@example.com", "Jane Doe")
    assert Partner.find_or_create("JANE.DOE@example.com") == jane
    new = Partner.find_or_create("Neu Kunde <neu@example.com>")
    assert new != jane and new.email_normalized == "neu@example.com" and new.name == "Neu Kunde"
    assert Partner.find_or_create("not an email") == Partner.browse()
    with pytest.raises(ValidationError):
        Partner.find_or_create("not an email", assert_valid_email=True)
    pid, _ = Partner.name_create("Just A Name")
    assert Partner.browse(pid).name == "Just A Name" and not Partner.browse(pid).email


# ------------------------------------------------------------------ other fields
def test_website_gets_a_scheme(env):
    partner = env["res.partner"].create({"name": "Web", "website": "www.example.com"})
    assert partner.website == "http://www.example.com"
    partner.website = "https://example.org/shop"
    assert partner.website == "https://example.org/shop"


def test_language_must_be_active(env):
    Partner = env["res.partner"]
    assert Partner.create({"name": "Default"}).lang == "en_US"
    assert Partner.create({"name": "Deutsch", "lang": "de_DE"}).lang == "de_DE"
    with pytest.raises(ValidationError, match="fr_FR"), env.cr.savepoint():
        Partner.create({"name": "Français", "lang": "fr_FR"})
    with pytest.raises(ValidationError, match="xx_XX"), env.cr.savepoint():
        Partner.create({"name": "Unknown", "lang": "xx_XX"})
    env["res.lang"]._activate_lang("fr_FR")
    assert Partner.create({"name": "Français", "lang": "fr_FR"}).lang == "fr_FR"


def test_tags(env, acme):
    Category = env["res.partner.category"]
    industry = Category.create({"name": "Branche"})
    metal = Category.create({"name": "Metall", "parent_id": industry.id})
    acme.category_id = [Command.link(metal.id)]
    assert metal.display_name == "Branche / Metall"
    assert acme.category_id == metal
    env.invalidate_all()  # the ORM does not yet refresh the other side of a many2many on write
    assert metal.partner_ids == acme
    assert env["res.partner"].search([("category_id", "child_of", industry.id)]) == acme
    with pytest.raises(ValidationError, match="[Rr]ecursi"), env.cr.savepoint():
        industry.parent_id = metal


def test_partner_of_a_user_cannot_be_archived(env):
    admin = env.ref("base.user_admin")
    with pytest.raises(ValidationError, match="active user"), env.cr.savepoint():
        admin.partner_id.active = False


def test_contact_address_uses_the_country_layout(env, acme):
    assert acme.contact_address == "Lindenstraße 3\n80331 München\nGermany"
    jane = env["res.partner"].create({"name": "Jane Roe", "parent_id": acme.id})
    assert jane.contact_address == "Ächme Werkzeuge GmbH\nLindenstraße 3\n80331 München\nGermany"
    us = env["res.partner"].create({
        "name": "Ann Lee", "street": "1 Main St", "street2": "Apt 2", "city": "Springfield",
        "zip": "62701", "state_id": env.ref("base.state_us_il").id, "country_id": env.ref("base.us").id})
    assert us.contact_address == "1 Main St\nApt 2\nSpringfield, IL 62701\nUnited States"
    assert env["res.partner"].create({"name": "Nowhere"}).contact_address == ""


def test_address_get(env, acme):
    Partner = env["res.partner"]
    jane = Partner.create({"name": "Jane Roe", "parent_id": acme.id})
    invoice = Partner.create({"name": "Rechnungen", "type": "invoice", "parent_id": acme.id})
    delivery = Partner.create({"name": "Lager", "type": "delivery", "parent_id": jane.id})
    assert acme.address_get(["invoice", "delivery"]) == {
        "contact": acme.id, "invoice": invoice.id, "delivery": delivery.id}
    # from a contact, the search climbs to the company
    assert jane.address_get(["invoice"]) == {"contact": jane.id, "invoice": invoice.id}
    loner = Partner.create({"name": "Loner"})
    assert loner.address_get(["invoice", "delivery"]) == {
        "contact": loner.id, "invoice": loner.id, "delivery": loner.id}


def test_name_search(env, acme):
    Partner = env["res.partner"]
    jane = Partner.create({"name": "Jane Roe", "parent_id": acme.id, "email": "jane@aechme.example"})
    assert set(dict(Partner.name_search("Ächme"))) >= {acme.id, jane.id}
    assert [pid for pid, _ in Partner.name_search("jane@aechme")] == [jane.id]
    assert [pid for pid, _ in Partner.name_search("DE111111111")][:1] == [acme.id]


# ------------------------------------------------------------------ demo data
def test_demo_partners(env):
    Partner = env["res.partner"]
    demo = env["ir.model.data"].search([("module", "=", "base"), ("model", "=", "res.partner"),
                                        ("name", "=like", "res_partner_%")])
    partners = Partner.with_context(active_test=False).browse(demo.mapped("res_id"))
    companies = partners.filtered("is_company")
    contacts = partners - companies
    assert len(companies) >= 10 and len(contacts) >= 20
    assert set(companies.mapped("country_id.code")) == {"DE", "US", "FR"}
    assert any(ch in "".join(partners.mapped("display_name")) for ch in "äöüßÄÖÜ")
    assert len(contacts.filtered("parent_id")) >= 10
    assert all(contact.type != "contact" or address_of(contact) == address_of(contact.parent_id)
               for contact in contacts.filtered("parent_id"))
    mueller = env.ref("base.res_partner_1")
    assert mueller.name == "Müller Maschinenbau GmbH"
    assert mueller.state_id == env.ref("base.state_de_bw")
    assert set(mueller.category_id.mapped("name")) == {"Customer", "VIP", "Manufacturing"}
    juergen = env.ref("base.res_partner_address_1")
    assert juergen.display_name == "Müller Maschinenbau GmbH, Jürgen Müller"
    assert (juergen.city, juergen.vat, juergen.commercial_partner_id) == ("Stuttgart", "DE812345671", mueller)
    assert env.ref("base.res_partner_address_3").display_name == "Müller Maschinenbau GmbH, Invoice Address"
    assert env.ref("base.res_partner_address_7").email_normalized == "oezlem.yilmaz@gruen-logistik.example"
    assert not env.ref("base.res_partner_address_4").active
    assert env.ref("base.res_partner_address_4") not in mueller.child_ids
    assert env.ref("base.res_partner_category_manufacturing").display_name == "Industry / Manufacturing"
    assert env.ref("base.main_partner").city == "Berlin"
    assert env.ref("base.main_company").city == "Berlin"
