"""core.i18n: PO catalogs, _(), data and field translations, locale formats; base's catalog."""
import datetime
import importlib
import io
import textwrap
import uuid
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

import addons
from core import _, fields, i18n, models
from core.api import SUPERUSER_ID, Environment
from core.models import DEFINITIONS
from core.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
BASE_I18N = ROOT / "addons" / "base" / "i18n"

HEADER = textwrap.dedent('''\
    msgid ""
    msgstr ""
    "Project-Id-Version: Tessera 1.0\\n"
    "MIME-Version: 1.0\\n"
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Content-Transfer-Encoding: 8bit\\n"
    "Language: {lang}\\n"

    ''')


def po(body, lang="de"):
    """The text of a PO file: a header and ``body`` (dedented)."""
    return HEADER.format(lang=lang) + textwrap.dedent(body)


def write_po_file(path, lang, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(po(body, lang), encoding="utf-8")


@pytest.fixture(autouse=True)
def fresh_cache():
    i18n.clear_cache()
    yield
    i18n.clear_cache()


@pytest.fixture
def addons_dir(tmp_path, monkeypatch):
    """A folder on the ``addons`` namespace path, for addons written by the test."""
    folder = tmp_path / "extra_addons"
    folder.mkdir()
    monkeypatch.setattr(addons, "__path__", [*addons.__path__, str(folder)])
    return folder


def make_addon(addons_dir, files):
    """Write an addon with a unique name; ``files`` maps paths to text (``{name}`` is replaced)."""
    name = f"i18n_{uuid.uuid4().hex[:10]}"
    for path, text in files.items():
        target = addons_dir / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).replace("{name}", name), encoding="utf-8")
    (addons_dir / name / "__init__.py").touch()
    return name


# ---------------------------------------------------------------- reading catalogs
CODE_AND_RECORDS = '''\
    #. module: demo
    #. odoo-python
    #: code:addons/demo/models/demo.py:0
    #, python-format
    msgid "Hello %s"
    msgstr "Hallo %s"

    #. module: demo
    #: model:res.groups,name:demo.group_user
    msgid "Internal User"
    msgstr "Interner Benutzer"

    #. module: demo
    #: model:res.groups,name:demo.group_both code:addons/demo/models/demo.py:0
    msgid "Both"
    msgstr "Beides"

    #. module: demo
    #: model_terms:ir.ui.view,arch_db:demo.view_form
    msgid "Welcome"
    msgstr "Willkommen"

    #, fuzzy
    msgid "Unsure"
    msgstr "Unsicher"

    msgid "Untranslated"
    msgstr ""

    msgid "No occurrence"
    msgstr "Ohne Fundstelle"
    '''


def test_read_terms_sorts_code_terms_from_record_terms(tmp_path):
    write_po_file(tmp_path / "i18n" / "de.po", "de", CODE_AND_RECORDS)
    terms = i18n.read_terms(tmp_path / "i18n" / "de.po")
    assert terms.code == {"Hello %s": "Hallo %s", "Both": "Beides", "No occurrence": "Ohne Fundstelle"}
    assert terms.model == {
        ("res.groups", "name", "demo.group_user"): ("Internal User", "Interner Benutzer"),
        ("res.groups", "name", "demo.group_both"): ("Both", "Beides"),
    }
    assert terms.model_terms == {("ir.ui.view", "arch_db", "demo.view_form"): {"Welcome": "Willkommen"}}


def test_malformed_po_file_names_the_file(tmp_path):
    path = tmp_path / "i18n" / "de.po"
    write_po_file(path, "de", 'msgid "Open"\nmsgstrr "Offen"\n')
    with pytest.raises(Exception) as info:
        i18n.read_terms(path)
    assert str(path) in "\n".join(getattr(info.value, "__notes__", []))


def test_specific_language_file_wins_then_general_one_fills_in(tmp_path):
    write_po_file(tmp_path / "i18n" / "de.po", "de", '''\
        msgid "Save"
        msgstr "Speichern"

        msgid "Invoice"
        msgstr "Rechnung"
        ''')
    write_po_file(tmp_path / "i18n" / "de_CH.po", "de_CH", '''\
        msgid "Invoice"
        msgstr "Faktura"
        ''')
    assert [p.name for p in i18n.po_files(tmp_path, "de_CH")] == ["de_CH.po", "de.po"]
    assert [p.name for p in i18n.po_files(tmp_path, "de_DE")] == ["de.po"]
    assert i18n.po_files(tmp_path, "fr_FR") == []
    swiss = i18n.load_catalog(tmp_path, "de_CH").code
    assert swiss == {"Save": "Speichern", "Invoice": "Faktura"}
    assert i18n.load_catalog(tmp_path, "de_DE").code["Invoice"] == "Rechnung"
    assert i18n.load_catalog(tmp_path, "fr_FR").code == {}


def test_catalogs_are_read_once_per_process(tmp_path):
    write_po_file(tmp_path / "i18n" / "de.po", "de", 'msgid "Save"\nmsgstr "Speichern"\n')
    first = i18n.load_catalog(tmp_path, "de_DE")
    write_po_file(tmp_path / "i18n" / "de.po", "de", 'msgid "Save"\nmsgstr "Sichern"\n')
    assert i18n.load_catalog(tmp_path, "de_DE") is first
    i18n.clear_cache()
    assert i18n.load_catalog(tmp_path, "de_DE").code["Save"] == "Sichern"


# ---------------------------------------------------------------- code terms and _()
GREETER = '''\
    from core import _


    def with_context(context, name):
        return _("Hello %s", name)


    def with_env(env):
        return _("Good morning")


    def named(context):
        return _("%(count)s records", count=3)


    def broken(context):
        return _("Broken %s", "x")


    def untranslated(context):
        return _("Only English")


    def without_any_language():
        return _("Good morning")


    class Greeter:
        def __init__(self, env):
            self.env = env

        def greet(self):
            return _("Good morning")
    '''

GREETER_DE = '''\
    #: code:addons/{name}/greeter.py:0
    #, python-format
    msgid "Hello %s"
    msgstr "Hallo %s"

    #: code:addons/{name}/greeter.py:0
    msgid "Good morning"
    msgstr "Guten Morgen"

    #: code:addons/{name}/greeter.py:0
    #, python-format
    msgid "%(count)s records"
    msgstr "%(count)s Datensätze"

    #: code:addons/{name}/greeter.py:0
    msgid "Broken %s"
    msgstr "Kaputt %d"
    '''


class FakeEnv:
    def __init__(self, lang=None):
        self.context = {"lang": lang} if lang else {}


@pytest.fixture
def greeter(addons_dir):
    name = make_addon(addons_dir, {"greeter.py": GREETER, "i18n/de.po": po(GREETER_DE)})
    return importlib.import_module(f"addons.{name}.greeter")


def test_underscore_finds_the_language_in_a_context_local(greeter):
    assert greeter.with_context({"lang": "de_DE"}, "Ada") == "Hallo Ada"
    assert greeter.with_context({"lang": "en_US"}, "Ada") == "Hello Ada"
    assert greeter.with_context({}, "Ada") == "Hello Ada"
    assert greeter.with_context({"lang": "fr_FR"}, "Ada") == "Hello Ada"
    assert greeter.named({"lang": "de_DE"}) == "3 Datensätze"
    assert greeter.untranslated({"lang": "de_DE"}) == "Only English"


def test_underscore_finds_the_language_of_self_env_or_env(greeter):
    assert greeter.Greeter(FakeEnv("de_DE")).greet() == "Guten Morgen"
    assert greeter.Greeter(FakeEnv()).greet() == "Good morning"
    assert greeter.with_env(FakeEnv("de_DE")) == "Guten Morgen"
    assert greeter.without_any_language() == "Good morning"


def test_underscore_formats_the_source_when_a_translation_is_broken(greeter, caplog):
    assert greeter.broken({"lang": "de_DE"}) == "Broken x"
    assert "Bad translation" in caplog.text


def test_underscore_outside_addons_uses_base_catalog(monkeypatch):
    monkeypatch.setattr(i18n, "addon_terms",
                        lambda module, lang: i18n.Terms(code={"Open": f"Offen ({module})"}))

    def label(message, context):  # _() reads ``context`` from this frame
        return _(message)

    assert label("Open", {"lang": "de_DE"}) == "Offen (base)"
    assert label("Closed", {"lang": "de_DE"}) == "Closed"
    assert label("Open", {}) == "Open"


def test_translate_searches_the_given_addons_in_order(addons_dir):
    first = make_addon(addons_dir, {"i18n/de.po": po('msgid "Tag"\nmsgstr "Etikett"\n')})
    second = make_addon(addons_dir, {"i18n/de.po": po('msgid "Tag"\nmsgstr "Schlagwort"\n')})
    assert i18n.translate("Tag", "de_DE", [first, second]) == "Etikett"
    assert i18n.translate("Tag", "de_DE", [second, first]) == "Schlagwort"
    assert i18n.translate("Tag", "de_DE", ["no_such_addon", second]) == "Schlagwort"
    assert i18n.translate("Tag", "en_US", [first]) == "Tag"
    assert i18n.translate("Tag", None, [first]) == "Tag"


# ---------------------------------------------------------------- data records
class ModelData(models.Model):
    _name = "ir.model.data"
    _description = "External Identifiers"

    name = fields.Char(required=True)
    module = fields.Char(required=True)
    model = fields.Char(required=True)
    res_id = fields.Integer()


class Group(models.Model):
    _name = "test.i18n.group"
    _description = "Group"

    name = fields.Char(required=True, translate=True)
    note = fields.Html(translate=True)
    code = fields.Char()


@pytest.fixture
def data_env(db_uri):
    registry = Registry.new(db_uri, [ModelData, Group])
    cr = registry.cursor()
    yield Environment(cr, SUPERUSER_ID, {})
    cr.close()
    registry.engine.dispose()


DATA_DE = '''\
    #. module: demo
    #: model:test.i18n.group,name:demo.group_user
    msgid "Internal User"
    msgstr "Interner Benutzer"

    #: model_terms:test.i18n.group,note:demo.group_user
    msgid "Welcome"
    msgstr "Willkommen"

    #: model_terms:test.i18n.group,note:demo.group_user
    msgid "Welcome aboard"
    msgstr "Willkommen an Bord"

    #: model:test.i18n.group,name:demo.group_demo
    msgid "Demo User"
    msgstr "Demo-Benutzer"

    #: model:test.i18n.group,code:demo.group_user
    msgid "user"
    msgstr "benutzer"

    #: model:test.i18n.nothing,name:demo.group_user
    msgid "Nothing"
    msgstr "Nichts"

    #: model:test.i18n.group,name:demo.data_of_another_model
    msgid "Other"
    msgstr "Anders"
    '''


def test_load_data_translations_writes_record_values_in_the_language(data_env, tmp_path):
    env = data_env
    write_po_file(tmp_path / "i18n" / "de.po", "de", DATA_DE)
    group = env["test.i18n.group"].create({
        "name": "Internal User", "code": "user",
        "note": "<p>Welcome aboard</p><p>Welcome</p>"})
    env["ir.model.data"].create([
        {"module": "demo", "name": "group_user", "model": "test.i18n.group", "res_id": group.id},
        {"module": "demo", "name": "data_of_another_model", "model": "ir.model.data", "res_id": 1},
    ])
    # demo.group_demo has no record (demo data not loaded): skipped
    assert i18n.load_data_translations(env, "demo", tmp_path, "de_DE") == 2
    german = group.with_context(lang="de_DE")
    assert german.name == "Interner Benutzer"
    assert german.note == "<p>Willkommen an Bord</p><p>Willkommen</p>"
    assert german.code == "user"
    assert group.name == "Internal User"
    assert group.with_context(lang="en_US").note == "<p>Welcome aboard</p><p>Welcome</p>"
    env.invalidate_all()
    assert group.with_context(lang="de_DE").name == "Interner Benutzer"
    # loading again changes nothing; a translation edited by a user stays unless overwrite
    assert i18n.load_data_translations(env, "demo", tmp_path, "de_DE") == 0
    german.write({"name": "Mitarbeiter"})
    assert i18n.load_data_translations(env, "demo", tmp_path, "de_DE") == 0
    assert german.name == "Mitarbeiter"
    assert i18n.load_data_translations(env, "demo", tmp_path, "de_DE", overwrite=True) == 1
    assert german.name == "Interner Benutzer"
    # English is the source: nothing to load; a language without a catalog loads nothing
    assert i18n.load_data_translations(env, "demo", tmp_path, "en_US") == 0
    assert i18n.load_data_translations(env, "demo", tmp_path, "fr_FR") == 0


def test_load_data_translations_replaces_a_value_equal_to_the_english_text(data_env, tmp_path):
    env = data_env
    write_po_file(tmp_path / "i18n" / "de.po", "de", DATA_DE)
    group = env["test.i18n.group"].with_context(lang="de_DE").create({"name": "Internal User"})
    env["ir.model.data"].create({"module": "demo", "name": "group_user", "model": "test.i18n.group",
                                 "res_id": group.id})
    assert group.name == "Internal User"  # created in German: the English text in both
    i18n.load_data_translations(env, "demo", tmp_path, "de_DE")
    assert group.name == "Interner Benutzer"


def test_translate_terms_replaces_longest_terms_first_in_one_pass():
    mapping = {"Welcome": "Willkommen", "Welcome aboard": "Willkommen an Bord", "an": "ein"}
    assert i18n.translate_terms("<p>Welcome aboard</p><b>Welcome</b>", mapping) == \
        "<p>Willkommen an Bord</p><b>Willkommen</b>"
    assert i18n.translate_terms("<p>x</p>", {}) == "<p>x</p>"


# ---------------------------------------------------------------- field labels
PARTNER_MODELS = '''\
    from core import fields, models


    class Partner(models.Model):
        _name = "{name}.partner"
        _description = "Contact"

        name = fields.Char(string="Name", help="Full name")
        ref = fields.Char(string="Reference")
        kind = fields.Selection([("person", "Individual"), ("company", "Company")])


    class Tag(models.Model):
        _name = "{name}.tag"
        _description = "Tag"

        name = fields.Char(translate=True)
        code = fields.Char()


    class User(models.Model):
        _name = "{name}.user"
        _description = "User"
        _inherits = {"{name}.partner": "partner_id"}

        partner_id = fields.Many2one("{name}.partner", required=True)
    '''

PARTNER_DE = '''\
    #: model:ir.model,name:{name}.model_{name}_partner
    msgid "Contact"
    msgstr "Kontakt"

    #: model:ir.model.fields,field_description:{name}.field_{name}_partner__name
    msgid "Name"
    msgstr "Bezeichnung"

    #: model:ir.model.fields,help:{name}.field_{name}_partner__name
    msgid "Full name"
    msgstr "Vollständiger Name"

    #: model:ir.model.fields,field_description:{name}.field_{name}_partner__ref
    msgid "Reference"
    msgstr "Referenz"

    #: model:ir.model.fields.selection,name:{name}.selection__{name}_partner__kind__person
    msgid "Individual"
    msgstr "Einzelperson"

    #: model:ir.model.fields,field_description:{name}.field_{name}_partner__kind
    msgid "Kind"
    msgstr "Art"
    '''

EXTENSION_MODELS = '''\
    from core import fields, models


    class Partner(models.Model):
        _inherit = "{base}.partner"

        name = fields.Char(string="Title")
        ref = fields.Char(string="Customer Code")
    '''

EXTENSION_DE = '''\
    #: model:ir.model.fields,field_description:{name}.field_{base}_partner__name
    msgid "Title"
    msgstr "Titel"
    '''


def build_registry(*addon_names):
    """Import the addons' models and assemble them (no database needed)."""
    for name in addon_names:
        importlib.import_module(f"addons.{name}.models")
    registry = Registry("sqlite://")
    registry.load([d for name in addon_names for d in DEFINITIONS if d._module == name])
    registry.setup_models()
    return registry


@pytest.fixture
def partner_addon(addons_dir):
    return make_addon(addons_dir, {"models.py": PARTNER_MODELS,
                                   "i18n/de.po": po(PARTNER_DE)})


def test_field_labels_help_and_selections_are_translated(partner_addon):
    name = partner_addon
    registry = build_registry(name)
    partner = registry.models[f"{name}.partner"]
    field = partner._fields["name"]
    assert i18n.translate_field_description(f"{name}.partner", field, "de_DE") == "Bezeichnung"
    assert i18n.translate_field_description(f"{name}.partner", field, "en_US") == "Name"
    assert i18n.translate_field_description(f"{name}.partner", field, "fr_FR") == "Name"
    assert i18n.translate_field_help(f"{name}.partner", field, "de_DE") == "Vollständiger Name"
    kind = partner._fields["kind"]
    assert i18n.translate_selection(f"{name}.partner", kind, kind.selection, "de_DE") == \
        [("person", "Einzelperson"), ("company", "Company")]
    desc = i18n.translate_field_info(f"{name}.partner", kind, kind.get_description(None), "de_DE")
    assert desc["string"] == "Art"
    assert desc["selection"] == [["person", "Einzelperson"], ["company", "Company"]]
    assert i18n.translate_model_description(partner, "de_DE") == "Kontakt"
    assert i18n.translate_model_description(partner, "en_US") == "Contact"


def test_delegated_fields_take_the_parent_label(partner_addon):
    name = partner_addon
    registry = build_registry(name)
    field = registry.models[f"{name}.user"]._fields["name"]
    assert field.inherited
    assert i18n.translate_field_description(f"{name}.user", field, "de_DE") == "Bezeichnung"
    assert i18n.translate_field_help(f"{name}.user", field, "de_DE") == "Vollständiger Name"


def test_a_relabelled_field_shows_the_extension_translation_or_english(partner_addon, addons_dir):
    base = partner_addon
    extension = make_addon(addons_dir, {
        "models.py": EXTENSION_MODELS.replace("{base}", base),
        "i18n/de.po": po(EXTENSION_DE.replace("{base}", base))})
    registry = build_registry(base, extension)
    partner = registry.models[f"{base}.partner"]
    assert i18n.translate_field_description(f"{base}.partner", partner._fields["name"], "de_DE") == "Titel"
    # relabelled without a translation: the base addon's "Referenz" would be wrong
    assert i18n.translate_field_description(f"{base}.partner", partner._fields["ref"], "de_DE") == \
        "Customer Code"


def test_export_terms_lists_models_fields_selections_code_and_data(partner_addon, addons_dir):
    name = partner_addon
    folder = addons_dir / name
    (folder / "greeter.py").write_text('from core import _\n\n\ndef f():\n    return _("Hi %s", 1)\n')
    (folder / "__manifest__.py").write_text(repr({
        "name": "Demo", "data": ["data/tags.xml"], "demo": [f"demo/{name}.tag.csv"]}))
    (folder / "data").mkdir()
    (folder / "data" / "tags.xml").write_text(textwrap.dedent(f"""\
        <odoo>
            <record id="tag_vip" model="{name}.tag">
                <field name="name">VIP</field>
                <field name="code">vip</field>
            </record>
            <record id="tag_evaluated" model="{name}.tag">
                <field name="name" eval="'Computed'"/>
            </record>
        </odoo>
        """))
    (folder / "demo").mkdir()
    (folder / "demo" / f"{name}.tag.csv").write_text("id,name,code\ntag_new,New Customer,new\n")
    registry = build_registry(name)
    catalog = i18n.export_terms(registry, name, addons_dir / name)
    locations = {message.id: [loc for loc, _line in message.locations] for message in catalog if message.id}
    assert locations["Contact"] == [f"model:ir.model,name:{name}.model_{name}_partner"]
    assert f"model:ir.model.fields,field_description:{name}.field_{name}_partner__ref" in \
        locations["Reference"]
    assert locations["Individual"] == \
        [f"model:ir.model.fields.selection,name:{name}.selection__{name}_partner__kind__person"]
    assert locations["Hi %s"] == [f"code:addons/{name}/greeter.py"]
    assert f"model:ir.model.fields,field_description:{name}.field_{name}_user__name" not in locations["Name"]
    assert locations["VIP"] == [f"model:{name}.tag,name:{name}.tag_vip"]
    assert locations["New Customer"] == [f"model:{name}.tag,name:{name}.tag_new"]
    assert "vip" not in locations and "Computed" not in locations
    # what export writes, read_terms reads back
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True)
    path = addons_dir / name / "i18n" / f"{name}.pot"
    path.write_bytes(buffer.getvalue())
    assert i18n.read_terms(path).code == {}  # a template has no translations
    text = path.read_text()
    assert f"#: model:ir.model,name:{name}.model_{name}_partner" in text
    assert f"#: code:addons/{name}/greeter.py" in text


def test_update_translations_keeps_known_terms_and_adds_new_ones(tmp_path):
    from babel.messages.catalog import Catalog
    template = Catalog(fuzzy=False)
    template.add("Save", locations=[("code:addons/demo/models/demo.py", 0)])
    template.add("Internal User", locations=[("model:res.groups,name:demo.group_user", None)])
    po_path = tmp_path / "de.po"
    write_po_file(po_path, "de", """\
        msgid "Save"
        msgstr "Speichern"

        msgid "Gone"
        msgstr "Weg"
        """)
    assert i18n.update_translations(template, po_path, "de") == ["Internal User"]
    terms = i18n.read_terms(po_path)
    assert terms.code == {"Save": "Speichern"}
    assert "Gone" not in po_path.read_text()
    assert "#: model:res.groups,name:demo.group_user" in po_path.read_text()
    fresh = tmp_path / "fr.po"
    assert i18n.update_translations(template, fresh, "fr") == ["Internal User", "Save"]
    assert read_po(fresh.open("rb")).locale.language == "fr"


def test_write_addon_catalogs_regenerates_template_and_translations(partner_addon, addons_dir):
    name = partner_addon
    registry = build_registry(name)
    untranslated = i18n.write_addon_catalogs(registry, name, addons_dir / name, langs=("de", "fr"))
    assert "Contact" not in untranslated["de"] and "Tag" in untranslated["de"]
    assert "Contact" in untranslated["fr"]
    assert (addons_dir / name / "i18n" / f"{name}.pot").is_file()
    assert i18n.addon_terms(name, "de_DE").model[
        ("ir.model", "name", f"{name}.model_{name}_partner")] == ("Contact", "Kontakt")


# ---------------------------------------------------------------- locale formats
def test_format_amount():
    assert i18n.format_amount(1234.5, "EUR", "de_DE") == "1.234,50\xa0€"
    assert i18n.format_amount(1234.5, "EUR", "en_US") == "€1,234.50"
    assert i18n.format_amount(-3, "USD", "en_US") == "-$3.00"
    assert i18n.format_amount(1234.5, "EUR", "de_DE", digits=3) == "1.234,500\xa0€"
    assert i18n.format_amount(False, "EUR", "de_DE") == "0,00\xa0€"
    assert i18n.format_amount(1, "EUR", "xx_XX") == "€1.00"  # unknown locale: en_US


def test_format_date():
    day = datetime.date(2024, 2, 1)
    assert i18n.format_date(day, "de_DE") == "01.02.2024"
    assert i18n.format_date(day, "en_US") == "Feb 1, 2024"
    assert i18n.format_date("2024-02-01", "de_DE", "short") == "01.02.24"
    assert i18n.format_date(datetime.datetime(2024, 2, 1, 23, 0), "de_DE") == "01.02.2024"
    assert i18n.format_date(False, "de_DE") == ""


def test_format_datetime_converts_utc_to_the_time_zone():
    noon_utc = datetime.datetime(2024, 7, 1, 12, 0)
    assert i18n.format_datetime(noon_utc, "de_DE", "Europe/Berlin") == "01.07.2024, 14:00:00"
    assert i18n.format_datetime(noon_utc, "en_US").replace("\u202f", " ") == "Jul 1, 2024, 12:00:00 PM"
    assert i18n.format_datetime("2024-07-01 12:00:00", "de_DE", "Europe/Berlin", "short") == "01.07.24, 14:00"
    assert i18n.format_datetime(None, "de_DE") == ""


# ---------------------------------------------------------------- base's catalog
def read_base(name):
    with open(BASE_I18N / name, "rb") as handle:
        return read_po(handle, abort_invalid=True)


def test_base_catalogs_are_valid_po():
    template = read_base("base.pot")
    german = read_base("de.po")
    assert german.locale is not None and str(german.locale) == "de"
    assert german.charset.lower() == "utf-8"
    assert german.plural_forms == "nplurals=2; plural=(n != 1);"
    for message in german:
        if message.id:
            assert not list(message.check(german)), message.id  # placeholders match
    assert {m.id for m in template if m.id} == {m.id for m in german if m.id}
    untranslated = [m.id for m in german if m.id and not m.string]
    assert untranslated == []
    assert not [m.id for m in german if m.fuzzy and m.id]


def test_base_catalog_translates_what_base_shows():
    terms = i18n.read_terms(BASE_I18N / "de.po")
    model = {key: msgstr for key, (_msgid, msgstr) in terms.model.items()}
    assert model[("ir.model", "name", "base.model_res_partner")] == "Kontakt"
    assert model[("ir.model.fields", "field_description", "base.field_res_partner__name")] == "Name"
    assert model[("ir.model.fields", "field_description", "base.field_res_partner__city")] == "Ort"
    assert model[("ir.model.fields.selection", "name", "base.selection__res_partner__type__invoice")] == \
        "Rechnungsadresse"
    assert model[("res.groups", "name", "base.group_user")] == "Interner Benutzer"


def test_base_field_labels_resolve_through_the_models():
    """The labels fields_get shows for base's models, in German (delegated fields included)."""
    importlib.import_module("addons.base")
    registry = Registry("sqlite://")
    registry.load([d for d in DEFINITIONS if d._module == "base"])
    registry.setup_models()
    partner = registry.models["res.partner"]
    assert i18n.translate_field_description("res.partner", partner._fields["city"], "de_DE") == "Ort"
    assert i18n.translate_field_description("res.partner", partner._fields["zip"], "de_DE") == "PLZ"
    users = registry.models["res.users"]
    assert i18n.translate_field_description("res.users", users._fields["city"], "de_DE") == "Ort"
    assert i18n.translate_field_description("res.users", users._fields["login"], "de_DE") == "Anmeldename"
    kind = partner._fields["type"]
    assert dict(i18n.translate_selection("res.partner", kind, kind.selection, "de_DE"))["invoice"] == \
        "Rechnungsadresse"
    assert i18n.translate_model_description(partner, "de_DE") == "Kontakt"
    entries = i18n.load_catalog(BASE_I18N.parent, "de_DE").model
    untranslated = []
    for model_name in ("res.partner", "res.users", "res.company", "res.currency", "res.country",
                       "res.groups"):
        for fname, field in registry.models[model_name]._fields.items():
            source = field.inherited_field if field.inherited else field
            key = ("ir.model.fields", "field_description",
                   i18n.field_xmlid("base", source.model_name, source.name))
            if entries.get(key, (None,))[0] != field.string:
                untranslated.append(f"{model_name}.{fname}")
    assert untranslated == []


def test_every_python_string_of_base_and_core_is_in_the_base_catalog():
    """``_()`` in core/ and addons/base/ looks terms up in base's catalog: none may be missing."""
    catalog_ids = {m.id for m in read_base("base.pot") if m.id}
    missing = []
    for root in (ROOT / "core", ROOT / "addons" / "base"):
        for path in sorted(root.rglob("*.py")):
            if "tests" in path.relative_to(root).parts:
                continue
            found = extract_from_file("python", path, keywords={"_": None})
            for lineno, message, _comments, _context in found:
                if isinstance(message, str) and message and message not in catalog_ids:
                    missing.append(f"{path.relative_to(ROOT)}:{lineno}: {message!r}")
    assert not missing, "terms missing from addons/base/i18n/base.pot (and de.po):\n" + "\n".join(missing)


def test_occurrences_without_line_numbers_survive_parsing():
    assert i18n._with_line_numbers("#: model:a,b:c.d model_terms:e,f:g.h code:x.py:0 code:y.py\n") == \
        "#: model:a,b:c.d:0 model_terms:e,f:g.h:0 code:x.py:0 code:y.py:0\n"


def test_installing_base_loads_its_german_translations(db_uri):
    """With the module loader: German is active in base's data, so its terms land in the database."""
    manager_module = pytest.importorskip("core.modules.manager")
    manager = manager_module.ModuleManager(db_uri, demo=False)
    try:
        registry = manager.open()
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {"lang": "de_DE"})
            assert env.ref("base.group_user").name == "Interner Benutzer"
            assert env.ref("base.de").name == "Deutschland"
            assert env.ref("base.de").with_context(lang="en_US").name == "Germany"
            city = env["ir.model.fields"].search([("model", "=", "res.partner"), ("name", "=", "city")])
            assert city.field_description == "Ort"
    finally:
        manager.engine.dispose()
