"""Countries, states and languages: the seed data and its files, and the model rules.

Languages are tested here with the other locale data of the base addon.
"""
import csv
import os

import pytest

from core.api import SUPERUSER_ID, Environment
from core.exceptions import UserError, ValidationError
from core.modules import ModuleManager
from core.modules.data import DataLoader

BASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_FILES = ["data/res_lang_data.xml", "data/res_currency_data.xml", "data/res_country_data.xml",
              "data/res.country.state.csv", "data/res_company_data.xml"]
EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
      "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}


@pytest.fixture
def env(installed_env):
    return installed_env


# ------------------------------------------------------------------ seed data
def test_seed_countries(env):
    countries = {c.code: c for c in env["res.country"].search([])}
    assert EU | {"CH", "GB", "US", "CA", "AU", "JP", "CN", "IN", "BR"} <= set(countries)
    for code, country in countries.items():
        assert country.phone_code and country.currency_id, code
    assert len(EU) == 27
    currencies = {code: countries[code].currency_id.name for code in
                  ("DE", "FR", "AT", "CH", "GB", "US", "CA", "AU", "JP", "CN", "IN", "BR", "PL", "SE")}
    assert currencies == {"DE": "EUR", "FR": "EUR", "AT": "EUR", "CH": "CHF", "GB": "GBP", "US": "USD",
                          "CA": "CAD", "AU": "AUD", "JP": "JPY", "CN": "CNY", "IN": "INR", "BR": "BRL",
                          "PL": "PLN", "SE": "SEK"}
    assert {code: countries[code].phone_code for code in ("DE", "US", "GB", "CH", "JP")} == \
        {"DE": 49, "US": 1, "GB": 44, "CH": 41, "JP": 81}
    assert env.ref("base.de").name == "Germany"
    assert env.ref("base.uk").code == "GB"                     # Odoo's external id for it
    assert env.ref("base.de").vat_label == "USt-IdNr."


def test_seed_states(env):
    def states(code):
        return env.ref(f"base.{code}").state_ids

    assert len(states("us")) == 51                              # 50 states and DC
    assert len(states("de")) == 16
    assert len(states("ca")) == 13
    assert len(states("au")) == 8
    bavaria = env.ref("base.state_de_by")
    assert (bavaria.name, bavaria.code, bavaria.country_id.code) == ("Bayern", "BY", "DE")
    assert bavaria.display_name == "Bayern (DE)"
    assert env.ref("base.state_de_th").name == "Thüringen"
    assert env.ref("base.state_us_ca").name == "California"
    assert env.ref("base.state_au_nsw").name == "New South Wales"
    assert env.ref("base.state_ca_qc").name == "Quebec"
    assert {s.country_id.code for s in env["res.country.state"].search([("code", "=", "BE")])} == {"DE", "CH"}


def test_state_csv_file():
    with open(os.path.join(BASE, "data", "res.country.state.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "country_id:id", "name", "code"]
    ids = [row[0] for row in rows[1:]]
    assert len(ids) == len(set(ids))
    assert len({(row[1], row[3]) for row in rows[1:]}) == len(rows) - 1   # codes unique per country
    assert all(len(row) == 4 and all(row) for row in rows[1:])


def test_seed_files_load_again_without_change(env):
    """Loading the seed files again (an upgrade) finds every record and creates nothing."""
    counts = {model: env[model].with_context(active_test=False).search_count([])
              for model in ("res.lang", "res.currency", "res.country", "res.country.state",
                            "res.company", "res.partner")}
    loader = DataLoader(env, "base", BASE, "update", {"base"})
    for filename in SEED_FILES:
        loader.load_file(filename)
    assert {model: env[model].with_context(active_test=False).search_count([]) for model in counts} == counts
    assert env.ref("base.main_company").currency_id == env.ref("base.EUR")


def test_install_without_demo_has_the_seed_but_no_demo(db_uri):
    manager = ModuleManager(db_uri, demo=False)
    cr = manager.open(install=["base"]).cursor()
    try:
        env = Environment(cr, SUPERUSER_ID, {})
        assert env["res.country"].search_count([("code", "=", "DE")]) == 1
        assert env["res.country.state"].search_count([]) > 100
        assert env.ref("base.main_company").name == "My Company"
        assert not env.ref("base.main_partner").city               # the demo gives it an address
        assert not env.ref("base.res_partner_1", raise_if_not_found=False)
        assert not env["res.partner.category"].search([])
    finally:
        cr.close()
        manager.engine.dispose()


# ------------------------------------------------------------------ country rules
def test_country_code_and_address_format(env):
    Country = env["res.country"]
    country = Country.create({"name": "Testland", "code": "xa", "phone_code": 999})
    assert country.code == "XA"
    assert "%(street)s" in country.address_format
    with pytest.raises(ValidationError, match="must be unique"), env.cr.savepoint():
        Country.create({"name": "Deutschland 2", "code": "DE"})
    with pytest.raises(ValidationError, match="two letters"), env.cr.savepoint():
        Country.create({"name": "Bad", "code": "1"})
    with pytest.raises(ValidationError, match="street_number"), env.cr.savepoint():
        country.address_format = "%(street_number)s %(street)s"
    with pytest.raises(ValidationError, match="literal percent"), env.cr.savepoint():
        country.address_format = "%(street)s 100% sure"


def test_country_and_state_name_search(env):
    assert [cid for cid, _ in env["res.country"].name_search("DE", operator="=")] == [env.ref("base.de").id]
    assert env.ref("base.de").id in dict(env["res.country"].name_search("Germ"))
    found = dict(env["res.country.state"].name_search("Bayern"))
    assert found == {env.ref("base.state_de_by").id: "Bayern (DE)"}
    with pytest.raises(ValidationError, match="unique by country"), env.cr.savepoint():
        env["res.country.state"].create({"name": "Bavaria", "code": "BY",
                                         "country_id": env.ref("base.de").id})


# ------------------------------------------------------------------ languages
def test_seed_languages(env):
    Lang = env["res.lang"]
    assert Lang.get_installed() == [("en_US", "English (US)"), ("de_DE", "German / Deutsch")]
    en, de = Lang._lang_get("en_US"), Lang._lang_get("de_DE")
    assert (en.date_format, en.time_format, en.decimal_point, en.thousands_sep) == \
        ("%m/%d/%Y", "%H:%M:%S", ".", ",")
    assert (de.date_format, de.decimal_point, de.thousands_sep, de.week_start) == ("%d.%m.%Y", ",", ".", "1")
    assert de == env.ref("base.lang_de")
    assert not Lang._lang_get("fr_FR")                             # present, but not active
    assert not Lang._lang_get("xx_XX")
    assert env.ref("base.lang_fr").code == "fr_FR"
    assert env.ref("base.lang_de_CH").thousands_sep == "'"


def test_activate_and_deactivate_languages(env):
    Lang = env["res.lang"]
    fr = Lang._activate_lang("fr_FR")
    assert fr.active and Lang._lang_get("fr_FR") == fr
    fr.active = False
    with pytest.raises(UserError, match="no language"):
        Lang._activate_lang("xx_XX")
    # the demo partners speak German
    with pytest.raises(UserError, match="used by"), env.cr.savepoint():
        env.ref("base.lang_de").active = False
    with pytest.raises(UserError, match="cannot be modified"):
        env.ref("base.lang_de").code = "de_AT"


def test_language_formats_are_checked(env):
    Lang = env["res.lang"]
    with pytest.raises(ValidationError, match="%e"), env.cr.savepoint():
        Lang.create({"name": "Bad", "code": "xx_XX", "date_format": "%e.%m.%Y"})
    with pytest.raises(ValidationError, match="separator format"), env.cr.savepoint():
        Lang.create({"name": "Bad", "code": "xx_XX", "grouping": "three"})
    lang = Lang.create({"name": "Test", "code": "xx_XX", "date_format": "%d %B %Y"})
    assert (lang.active, lang.direction, lang.week_start, lang.grouping) == (False, "ltr", "7", "[3,0]")


def test_languages_in_use_cannot_be_deleted(env):
    with pytest.raises(UserError, match="en_US"), env.cr.savepoint():
        env.ref("base.lang_en").unlink()
    with pytest.raises(UserError, match="Active"), env.cr.savepoint():
        env.ref("base.lang_de").unlink()
    env.ref("base.lang_it").unlink()
    assert not env["res.lang"].with_context(active_test=False).search([("code", "=", "it_IT")])
