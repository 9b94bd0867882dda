"""Views in the user's language: the terms of an architecture, their replacement, and
``get_view`` translating a view and its extensions, each with the catalog of the addon
that owns it."""
import textwrap
import uuid

import pytest
from lxml import etree

from core import i18n
from core.api import SUPERUSER_ID, Environment
from core.modules import ModuleManager
from core.views import arch_terms, parse_arch, translate_arch, tostring


# ---------------------------------------------------------------- terms of an architecture
def test_arch_terms_are_labels_placeholders_and_texts_once_each():
    arch = """
        <form string="Contact">
            <sheet>
                <div class="oe_title">
                    <label for="name"/><h1><field name="name" placeholder="e.g. Anna"/></h1>
                </div>
                <group string="Address" name="address">
                    <field name="street" invisible="not name" help="Where it is"/>
                    <field name="zip" string="ZIP" widget="char"/>
                </group>
                <p>Create a contact <b>now</b> or later.</p>
                <button name="action_x" string="Go" confirm="Really?" type="object"/>
                <field name="city" string="Address"/>
                <span>42 %</span>
            </sheet>
        </form>"""
    assert arch_terms(arch) == ["Contact", "e.g. Anna", "Address", "Where it is", "ZIP",
                                "Create a contact", "now", "or later.", "Go", "Really?"]


def test_arch_terms_of_an_extension_skip_locators_and_expressions():
    extension = """
        <data>
            <xpath expr="//page[@string='Internal Notes']" position="inside">
                <group string="Loyalty"><field name="ref" string="Loyalty Card"/></group>
            </xpath>
            <field name="email" string="Email" position="attributes">
                <attribute name="string">Mail</attribute>
                <attribute name="invisible">not is_company</attribute>
                <attribute name="class" add="o_wide" separator=" "/>
            </field>
            <list sum="Total" position="attributes"><attribute name="sum">Grand Total</attribute></list>
        </data>"""
    assert arch_terms(extension) == ["Loyalty", "Loyalty Card", "Mail", "Grand Total"]


def test_translate_arch_replaces_terms_keeps_whitespace_and_code():
    arch = parse_arch('<form string="Contact"><group string="Address">'
                      '<field name="street" placeholder="Street..." invisible="Address"/>'
                      '<p> Address <b>Address</b> tail Address</p></group></form>')
    translate_arch(arch, {"Contact": "Kontakt", "Address": "Adresse", "Street...": "Straße …"})
    assert tostring(arch) == (
        '<form string="Kontakt"><group string="Adresse">'
        '<field name="street" placeholder="Straße …" invisible="Address"/>'
        '<p> Adresse <b>Adresse</b> tail Address</p></group></form>')
    untouched = parse_arch('<form string="Contact"/>')
    assert tostring(translate_arch(untouched, {})) == '<form string="Contact"/>'


# ---------------------------------------------------------------- get_view with an extension
EXTENSION_VIEWS = """\
    <odoo>
        <record id="view_partner_form_loyalty" model="ir.ui.view">
            <field name="name">res.partner.form.loyalty</field>
            <field name="model">res.partner</field>
            <field name="inherit_id" ref="base.view_partner_form"/>
            <field name="arch" type="xml">
                <data>
                    <xpath expr="//page[@string='Internal Notes']" position="inside">
                        <group string="Loyalty" name="loyalty">
                            <field name="ref" string="Loyalty Card" placeholder="Card number"/>
                        </group>
                    </xpath>
                    <field name="email" position="attributes">
                        <attribute name="string">Mail</attribute>
                    </field>
                </data>
            </field>
        </record>
    </odoo>
    """

EXTENSION_DE = """\
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Language: de\\n"

    #. module: {name}
    #: model_terms:ir.ui.view,arch_db:{name}.view_partner_form_loyalty
    msgid "Loyalty"
    msgstr "Treue"

    #. module: {name}
    #: model_terms:ir.ui.view,arch_db:{name}.view_partner_form_loyalty
    msgid "Loyalty Card"
    msgstr "Kundenkarte"

    #. module: {name}
    #: model_terms:ir.ui.view,arch_db:{name}.view_partner_form_loyalty
    msgid "Card number"
    msgstr "Kartennummer"

    #. module: {name}
    #: model_terms:ir.ui.view,arch_db:{name}.view_partner_form_loyalty
    msgid "Mail"
    msgstr "Post"
    """


@pytest.fixture
def loyalty_addon(tmp_path):
    """An addon extending base's partner form, with German terms for its extension."""
    name = f"loyalty_{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "addons" / name
    files = {
        "__init__.py": "",
        "__manifest__.py": repr({"name": "Loyalty", "depends": ["base"],
                                 "data": ["views/partner_views.xml"]}),
        "views/partner_views.xml": EXTENSION_VIEWS,
        "i18n/de.po": EXTENSION_DE.replace("{name}", name),
    }
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(textwrap.dedent(text), encoding="utf-8")
    i18n.clear_cache()
    yield name, folder
    i18n.clear_cache()


@pytest.fixture
def loyalty_env(base_db_uri, loyalty_addon):
    name, folder = loyalty_addon
    manager = ModuleManager(base_db_uri, addons_paths=[str(folder.parent)])
    manager.open()
    manager.install([name])
    cr = manager.registry.cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {}), name
    finally:
        cr.close()
        manager.engine.dispose()


def user_env(env, lang):
    return Environment(env.cr, env.ref("base.user_admin").id, {"lang": lang})


def test_extension_terms_come_from_its_own_catalog(loyalty_env):
    env, _name = loyalty_env
    arch = etree.fromstring(user_env(env, "de_DE")["ir.ui.view"].get_view("res.partner", "form")["arch"])
    notes = arch.find(".//page[@name='internal_notes']")
    # the locator matched the English page; the page then speaks German (base's catalog)
    assert notes.get("string") == "Interne Notizen"
    loyalty = notes.find("group[@name='loyalty']")
    assert loyalty.get("string") == "Treue"
    card = loyalty.find("field[@name='ref']")
    assert (card.get("string"), card.get("placeholder")) == ("Kundenkarte", "Kartennummer")
    assert arch.find(".//group[@name='contact']/field[@name='email']").get("string") == "Post"
    assert arch.find(".//group[@name='address']").get("string") == "Adresse"


def test_english_users_and_missing_languages_keep_the_source_terms(loyalty_env):
    env, _name = loyalty_env
    for lang in ("en_US", "fr_FR"):
        arch = etree.fromstring(user_env(env, lang)["ir.ui.view"].get_view("res.partner", "form")["arch"])
        assert arch.find(".//group[@name='loyalty']").get("string") == "Loyalty"
        assert arch.find(".//page[@name='internal_notes']").get("string") == "Internal Notes"


def test_export_lists_the_terms_of_the_extension(loyalty_env, loyalty_addon):
    from core import i18n_export
    env, name = loyalty_env
    _name, folder = loyalty_addon
    catalog = i18n_export.export_terms(env.registry, name, folder)
    locations = {message.id: [loc for loc, _line in message.locations] for message in catalog if message.id}
    xmlid = f"{name}.view_partner_form_loyalty"
    for term in ("Loyalty", "Loyalty Card", "Card number", "Mail"):
        assert locations[term] == [f"model_terms:ir.ui.view,arch_db:{xmlid}"]
    assert "Internal Notes" not in locations   # a locator is no term of the extension
