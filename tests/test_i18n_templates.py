"""The web client's texts in the user's language: the export puts the ``_()`` terms of an
addon's Jinja templates into its catalog (``server.py i18n export``), the web addon's
German catalog covers all of them, and a German user gets German pages from the real
server."""
import io
import textwrap
import uuid
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from core import cli, i18n, i18n_export

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "addons" / "web"

PAGE = """\
    {% extends "base.html" %}
    {% block content %}
    {% do items.append(1) %}
    <h1>{{ _("Hello %(who)s", who=user) }}</h1>
    <p title="{{ _('Single quoted') }}">{% trans %}Welcome back{% endtrans %}</p>
    <p>{{ ngettext("%(num)s file", "%(num)s files", count) }}</p>
    <p>{{ gettext("Plain gettext") }}</p>
    <p>{{ user.name }} Not marked</p>
    {% endblock %}
    """


@pytest.fixture
def addon(tmp_path):
    """An addon with a model-less manifest, a template, a Python term, a test template and JS."""
    name = f"tmpl_{uuid.uuid4().hex[:8]}"
    folder = tmp_path / name
    files = {
        "__init__.py": "from . import helpers\n",
        "helpers.py": 'from core import _\n\n\ndef greet():\n    return _("From Python")\n',
        "__manifest__.py": repr({"name": "Templates", "depends": ["base"]}),
        f"templates/{name}/page.html": PAGE,
        f"tests/templates/{name}/fixture.html": '{{ _("Only in tests") }}',
        "static/src/js/page.js": 'window.confirm(_("Not from JS"));\n',
    }
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(textwrap.dedent(text), encoding="utf-8")
    i18n.clear_cache()
    yield name, folder
    i18n.clear_cache()


def catalog_locations(path):
    """``{msgid: [occurrences]}`` of a PO/POT file (occurrences without line numbers)."""
    text = "".join(i18n._with_line_numbers(line) if line.lstrip().startswith("#:") else line
                   for line in path.read_text(encoding="utf-8").splitlines(keepends=True))
    catalog = read_po(io.StringIO(text))
    return {message.id: [location for location, _line in message.locations]
            for message in catalog if message.id}


def test_export_collects_template_terms(addon, capsys):
    name, folder = addon
    assert cli.main(["i18n", "export", name, "--addons-path", str(folder.parent)]) == 0
    where = f"code:addons/{name}/templates/{name}/page.html"
    terms = catalog_locations(folder / "i18n" / f"{name}.pot")
    for term in ("Hello %(who)s", "Single quoted", "Welcome back", "%(num)s file", "%(num)s files",
                 "Plain gettext"):
        assert terms[term] == [where], term
    assert terms["From Python"] == [f"code:addons/{name}/helpers.py"]
    assert not {"Only in tests", "Not from JS", "Not marked"} & set(terms)
    pot = (folder / "i18n" / f"{name}.pot").read_text(encoding="utf-8")
    assert "#, python-format\nmsgid \"Hello %(who)s\"" in pot
    # de.po is created with every term, untranslated, and the command says which
    assert set(catalog_locations(folder / "i18n" / "de.po")) == set(terms)
    output = capsys.readouterr().out
    assert f"{name}/i18n/de.po: {len(terms)} untranslated" in output and "'Welcome back'" in output


def test_exported_template_terms_are_looked_up_as_code_terms(addon):
    name, folder = addon
    i18n_export.export_addons([name], addons_paths=[str(folder.parent)])
    po = folder / "i18n" / "de.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Welcome back"\nmsgstr ""',
                        'msgid "Welcome back"\nmsgstr "Willkommen zurück"')
    po.write_text(text, encoding="utf-8")
    i18n.clear_cache()
    assert i18n.translate("Welcome back", "de_DE", (name,)) == "Willkommen zurück"
    assert i18n.translate("Welcome back", "en_US", (name,)) == "Welcome back"
    # a second export keeps the translation
    untranslated = i18n_export.export_addons([name], addons_paths=[str(folder.parent)])[name]["de"]
    assert "Welcome back" not in untranslated


def test_export_of_an_unknown_addon_is_refused(capsys):
    assert cli.main(["i18n", "export", "no_such_addon_here"]) == 2
    assert "no addon 'no_such_addon_here' on the addons path" in capsys.readouterr().err


# ---------------------------------------------------------------- the web addon's catalog
def read_catalog(path):
    with open(path, "rb") as handle:
        return read_po(handle, abort_invalid=True)


def test_web_catalog_holds_every_term_of_the_web_client():
    """What the export finds in web's templates and code is in web.pot and translated in
    de.po: after adding a term, run ``python server.py i18n export web`` and translate it."""
    found = Catalog(fuzzy=False)
    i18n_export._export_template_terms(found, WEB, "addons/web", ())
    i18n_export._export_code_terms(found, WEB, "addons/web", ())
    found_ids = {message.id for message in found if message.id}
    assert {"Skip to content", "Log out", "Preferences"} <= found_ids
    template = read_catalog(WEB / "i18n" / "web.pot")
    german = read_catalog(WEB / "i18n" / "de.po")
    assert found_ids - {m.id for m in template if m.id} == set(), "web.pot is behind the templates"
    assert {m.id for m in template if m.id} == {m.id for m in german if m.id}
    assert str(german.locale) == "de" and german.plural_forms == "nplurals=2; plural=(n != 1);"
    assert [m.id for m in german if m.id and not m.string] == []
    assert [m.id for m in german if m.id and m.fuzzy] == []
    for message in german:
        if message.id:
            assert not list(message.check(german)), message.id   # placeholders match


# ---------------------------------------------------------------- through the server
def test_a_german_user_gets_german_pages(web_server):
    with web_server.env() as env:
        env.ref("base.user_admin").write({"lang": "de_DE"})
    client = web_server.login_client()
    page = client.get("/web")
    assert page.status == 200
    html = page.text
    assert 'lang="de"' in html
    assert "Zum Inhalt springen" in html and "Abmelden" in html and "Präferenzen" in html
    assert "Skip to content" not in html and "Log out" not in html
    assert "Kontakte" in html and "Einstellungen" in html   # menus, from the database


def test_an_english_user_gets_the_source_texts(web_server):
    client = web_server.login_client()
    html = client.get("/web").text
    assert "Skip to content" in html and "Log out" in html and "Contacts" in html
    assert "Zum Inhalt springen" not in html
