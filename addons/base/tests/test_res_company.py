"""Companies: the main company of the seed data, the partner behind a company, branches."""
import pytest

from core.exceptions import ValidationError


@pytest.fixture
def env(installed_env):
    return installed_env


def test_main_company(env):
    company = env.ref("base.main_company")
    assert company.name == "My Company"
    assert company.currency_id == env.ref("base.EUR")
    assert company.partner_id == env.ref("base.main_partner")
    assert company.partner_id.is_company
    assert company.root_id == company and not company.parent_id
    assert env.company == company
    assert env["res.company"].search([]) == company


def test_create_makes_the_company_partner(env):
    company = env["res.company"].create({
        "name": "Nordlicht GmbH", "street": "Am Hafen 5", "zip": "24103", "city": "Kiel",
        "state_id": env.ref("base.state_de_sh").id, "country_id": env.ref("base.de").id,
        "email": "info@nordlicht.example", "vat": "DE123456789",
    })
    partner = company.partner_id
    assert (partner.name, partner.is_company) == ("Nordlicht GmbH", True)
    assert (partner.street, partner.zip, partner.city, partner.state_id.code) == \
        ("Am Hafen 5", "24103", "Kiel", "SH")
    assert (partner.email, partner.vat) == ("info@nordlicht.example", "DE123456789")
    assert company.currency_id == env.ref("base.EUR")          # the current company's
    assert company.country_id == env.ref("base.de")


def test_company_with_an_existing_partner(env):
    partner = env["res.partner"].create({"name": "Alt GmbH", "is_company": True, "city": "Bonn"})
    company = env["res.company"].create({"partner_id": partner.id, "currency_id": env.ref("base.EUR").id})
    assert company.name == "Alt GmbH" and company.city == "Bonn"
    renamed = env["res.company"].create({"name": "Neu AG", "partner_id": env["res.partner"].create(
        {"name": "Vorher", "is_company": True}).id})
    assert renamed.partner_id.name == "Neu AG"


def test_name_and_address_are_the_partners(env):
    company = env["res.company"].create({"name": "Sonnenschein KG"})
    partner = company.partner_id
    contact = env["res.partner"].create({"name": "Lisa Sonne", "parent_id": partner.id})
    company.write({"name": "Sonnenschein GmbH", "street": "Lichtweg 1", "city": "Freiburg"})
    assert partner.name == "Sonnenschein GmbH"
    assert (partner.street, partner.city) == ("Lichtweg 1", "Freiburg")
    assert (contact.street, contact.city) == ("Lichtweg 1", "Freiburg")  # the partner's contacts follow
    assert contact.display_name == "Sonnenschein GmbH, Lisa Sonne"
    partner.write({"name": "Sonnenschein AG", "phone": "+49 761 1"})
    assert company.name == "Sonnenschein AG"
    assert company.phone == "+49 761 1"
    assert env["res.company"].search([("name", "=", "Sonnenschein AG")]) == company
    assert env["res.company"].search([("city", "=", "Freiburg")]) == company


def test_company_currency_is_activated(env):
    sek = env.ref("base.SEK")
    assert not sek.active
    company = env["res.company"].create({"name": "Svensk AB", "currency_id": sek.id})
    assert sek.active
    dkk = env.ref("base.DKK")
    company.currency_id = dkk
    assert dkk.active


def test_branches(env):
    main = env.ref("base.main_company")
    branch = env["res.company"].create({"name": "My Company Hamburg", "parent_id": main.id})
    shop = env["res.company"].create({"name": "My Company Hamburg Shop", "parent_id": branch.id})
    assert main.child_ids == branch and branch.child_ids == shop
    assert shop.root_id == main and branch.root_id == main
    assert env["res.company"].search([("id", "child_of", main.id)]) == main | branch | shop
    with pytest.raises(ValidationError, match="[Rr]ecursi"), env.cr.savepoint():
        main.parent_id = shop


def test_company_name_is_unique(env):
    with pytest.raises(ValidationError, match="must be unique"), env.cr.savepoint():
        env["res.company"].create({"name": "My Company", "partner_id": env["res.partner"].create(
            {"name": "Other", "is_company": True}).id})
    with pytest.raises(ValidationError, match="needs a name"):
        env["res.company"].create({"currency_id": env.ref("base.EUR").id})
