"""The export of translatable terms: what an addon's ``i18n/<addon>.pot`` holds.

Owns finding the terms of an addon — model and field labels, ``_()`` literals in
Python, ``_()`` / ``{% trans %}`` texts of its Jinja templates, values of translated
fields in its data files, the terms of its view architectures and of translated
HTML fields — and writing them as a template catalog that is merged into each
``<lang>.po``.  Run it with ``python server.py i18n export ADDON...``.

It does not own reading catalogs, nor translating anything at run time
(core/i18n.py), nor which terms a view architecture has (core/views.py).

JavaScript files carry no terms: their texts come from the page (``data-confirm``,
``data-busy`` attributes rendered by the templates), so they are translated there.
"""
import ast
import copy
import csv
import importlib
from pathlib import Path

from .i18n import clear_cache, field_xmlid, model_xmlid, read_po, selection_xmlid

PYTHON_KEYWORDS = {"_": None, "_t": None, "translate": (1,)}
"""Calls whose first argument is a term: ``_("...")``, ``_t("...")`` (a helper translating
for the request's user) and ``i18n.translate("...", lang)``."""
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
TEMPLATE_EXTENSIONS = "jinja2.ext.do"
"""Extensions the templates use besides i18n (see core/http/application.py)."""
VIEW_ARCH_FIELDS = ("arch", "arch_db")


def export_terms(registry, module, module_path=None, code_roots=()):
    """The translatable terms of addon ``module`` as a Babel template catalog (a ``.pot``).

    From ``registry`` (best: one holding the addon and its dependencies only): the
    descriptions of the models it defines, the labels and tooltips of the fields it
    declares (or relabels), the labels of their selections.  From ``module_path``:
    every literal passed to ``_()`` in its Python files and in its templates
    (``templates/**/*.html``), and in those under ``code_roots`` (base also carries
    core's terms); the values of translatable fields in the data and demo files its
    manifest lists, and the terms inside its views and translated HTML fields.  No
    database is needed.  Occurrences follow Odoo's format; see :func:`write_catalog`.
    """
    from babel.messages.catalog import Catalog

    catalog = Catalog(project="Tessera", version="1.0", fuzzy=False, charset="utf-8",
                      header_comment=f"# Translation of Tessera.\n# This file contains the translation "
                                     f"of the following modules:\n#\t* {module}\n#")
    comment = (f"module: {module}",)

    def add(msgid, location):
        if msgid and isinstance(msgid, str):
            catalog.add(msgid, locations=[(location, None)], auto_comments=comment)

    for model_name, cls in sorted(registry.models.items()):
        if cls._original_module == module and cls._description:
            add(cls._description, f"model:ir.model,name:{model_xmlid(module, model_name)}")
        for fname, field in cls._fields.items():
            if getattr(field, "inherited", False):
                continue  # labelled by the parent field's entry
            definitions = getattr(field, "_definitions", None) or [field]
            own = [i for i, d in enumerate(definitions) if d.module == module]
            if not own or not (own[0] == 0 or {"string", "help", "selection", "selection_add"}
                               & set(definitions[own[0]]._args)):
                continue
            xmlid = field_xmlid(module, model_name, fname)
            add(field.string, f"model:ir.model.fields,field_description:{xmlid}")
            add(field.help, f"model:ir.model.fields,help:{xmlid}")
            if isinstance(getattr(field, "selection", None), (list, tuple)):
                for value, label in field.selection:
                    add(label, "model:ir.model.fields.selection,name:"
                               + selection_xmlid(module, model_name, fname, value))
    roots = [(Path(module_path), f"addons/{module}")] if module_path else []
    roots += [(Path(root), Path(root).name) for root in code_roots]
    for root, prefix in roots:
        _export_code_terms(catalog, root, prefix, comment)
        _export_template_terms(catalog, root, prefix, comment)
    if module_path:
        for kind, model_name, fname, xmlid, value in _data_file_terms(registry, module, Path(module_path)):
            add(value, f"{kind}:{model_name},{fname}:{xmlid}")
    return catalog


def _sources(root, pattern):
    """The files under ``root`` matching ``pattern``, sorted by path, tests left out."""
    return [path for path in sorted(root.rglob(pattern))
            if "tests" not in path.relative_to(root).parts]


def _export_code_terms(catalog, root, prefix, comment):
    """Add the literals passed to ``_()`` in the Python files under ``root``."""
    from babel.messages.extract import extract_from_file

    for path in _sources(root, "*.py"):
        location = f"code:{prefix}/{path.relative_to(root).as_posix()}"
        for _lineno, message, _comments, _context in extract_from_file(
                "python", path, keywords=PYTHON_KEYWORDS):
            if isinstance(message, str) and message:
                catalog.add(message, locations=[(location, 0)], flags=("python-format",)
                            if "%" in message else (), auto_comments=comment + ("odoo-python",))


def _export_template_terms(catalog, root, prefix, comment):
    """Add the texts of ``_()``, ``gettext`` and ``{% trans %}`` in the Jinja templates
    (``*.html`` under a ``templates`` folder) below ``root``.

    The web client looks them up as code terms of the installed addons' catalogs
    (``core.http`` installs a gettext calling ``core.i18n.translate``); ``ngettext``'s
    singular and plural are two terms, as it translates them one by one.
    """
    from babel.messages.extract import extract_from_file

    for path in _sources(root, "*.html"):
        if "templates" not in path.relative_to(root).parts:
            continue
        location = f"code:{prefix}/{path.relative_to(root).as_posix()}"
        found = extract_from_file("jinja2.ext:babel_extract", path, keywords=TEMPLATE_KEYWORDS,
                                  options={"extensions": TEMPLATE_EXTENSIONS})
        for _lineno, message, _comments, _context in found:
            for term in message if isinstance(message, tuple) else (message,):
                if isinstance(term, str) and term:
                    catalog.add(term, locations=[(location, 0)], auto_comments=comment,
                                flags=("python-format",) if "%(" in term else ())


def _data_file_terms(registry, module, module_path):
    """``(kind, model, field, xmlid, text)`` of the data files' translatable texts.

    ``model`` entries: a translatable field written as plain text, a menu's name.
    ``model_terms`` entries: each term of a view's architecture and of a translatable
    field written as HTML (an action's ``help``).
    """
    from lxml import etree

    from .views import arch_terms

    manifest_path = module_path / "__manifest__.py"
    if not manifest_path.is_file():
        return
    manifest = ast.literal_eval(manifest_path.read_text(encoding="utf-8"))

    def translatable(model_name, fname):
        field = registry.models[model_name]._fields.get(fname) if model_name in registry.models else None
        return field is not None and field.translate and field.column

    def full(xmlid):
        return xmlid if "." in xmlid else f"{module}.{xmlid}"

    for name in list(manifest.get("data", ())) + list(manifest.get("demo", ())):
        path = module_path / name
        if name.endswith(".xml") and path.is_file():
            root = etree.parse(str(path), etree.XMLParser(remove_comments=True)).getroot()
            for record in root.iter("record"):
                model_name, xmlid = record.get("model"), record.get("id")
                if not xmlid:
                    continue
                for node in record.iterfind("field"):
                    fname = node.get("name")
                    if {"ref", "eval", "search", "file"} & set(node.attrib):
                        continue
                    if model_name == "ir.ui.view" and fname in VIEW_ARCH_FIELDS:
                        for arch in node:
                            if isinstance(arch.tag, str):
                                for term in arch_terms(arch):
                                    yield "model_terms", "ir.ui.view", "arch_db", full(xmlid), term
                    elif not translatable(model_name, fname):
                        continue
                    elif node.get("type") in ("html", "xml"):
                        body = etree.Element("div")
                        body.text = node.text
                        body.extend(copy.deepcopy(child) for child in node if isinstance(child.tag, str))
                        for term in arch_terms(body):
                            yield "model_terms", model_name, fname, full(xmlid), term
                    elif len(node) == 0 and (node.text or "").strip():
                        yield "model", model_name, fname, full(xmlid), node.text.strip()
            for menu in root.iter("menuitem"):
                if menu.get("id") and menu.get("name") and translatable("ir.ui.menu", "name"):
                    yield "model", "ir.ui.menu", "name", full(menu.get("id")), menu.get("name")
        elif name.endswith(".csv") and path.is_file():
            model_name = path.stem.split("-")[0]
            with open(path, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    for fname, value in row.items():
                        if fname != "id" and row.get("id") and value and translatable(model_name, fname):
                            yield "model", model_name, fname, full(row["id"]), value


def write_catalog(catalog, path):
    """Write a Babel catalog as a PO / POT file: sorted by msgid, so that diffs stay small."""
    from babel.messages.pofile import write_po

    with open(path, "wb") as handle:
        write_po(handle, catalog, sort_output=True)


def update_translations(template, po_path, lang):
    """Merge the terms of ``template`` into the translation file ``po_path`` and rewrite it.

    Translations of terms still present are kept, new terms come untranslated, gone
    ones are dropped.  Returns the msgids left untranslated.
    """
    from babel.messages.catalog import Catalog

    po_path = Path(po_path)
    if po_path.is_file():
        with open(po_path, "rb") as handle:
            catalog = read_po(handle, locale=lang)
    else:
        catalog = Catalog(locale=lang, project=template.project, version=template.version,
                          header_comment=template.header_comment, fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=True)
    catalog.obsolete.clear()
    write_catalog(catalog, po_path)
    return sorted(message.id for message in catalog if message.id and not message.string)


def write_addon_catalogs(registry, module, module_path, langs=("de",), code_roots=()):
    """Regenerate ``i18n/<module>.pot`` and merge it into each ``i18n/<lang>.po``.

    Returns ``{lang: [untranslated msgids]}`` for the translator.  Base passes
    ``code_roots=[<core folder>]``.
    """
    folder = Path(module_path) / "i18n"
    folder.mkdir(exist_ok=True)
    template = export_terms(registry, module, module_path, code_roots)
    write_catalog(template, folder / f"{module}.pot")
    result = {lang: update_translations(template, folder / f"{lang}.po", lang) for lang in langs}
    clear_cache()
    return result


def export_addons(names, langs=("de",), addons_paths=()):
    """``python server.py i18n export``: regenerate the catalogs of the addons ``names``.

    Each addon is exported with a registry of itself and its dependencies (no
    database); base also carries the terms of core/.  Returns
    ``{addon: {lang: [untranslated msgids]}}``.
    """
    from .models import DEFINITIONS
    from .modules.graph import load_order
    from .modules.manager import ModuleManager
    from .registry import Registry

    manager = ModuleManager("sqlite://", addons_paths=addons_paths)
    core_folder = Path(__file__).resolve().parent
    result = {}
    try:
        for name in names:
            if name not in manager.manifests:
                raise ValueError(f"no addon {name!r} on the addons path")
            order = load_order(manager.manifests, [name])
            for addon in order:
                importlib.import_module(f"addons.{addon}")
            registry = Registry("sqlite://", manager.engine)
            registry.load([d for addon in order for d in DEFINITIONS if d._module == addon])
            registry.setup_models()
            result[name] = write_addon_catalogs(
                registry, name, manager.manifests[name].path, langs,
                code_roots=[core_folder] if name == "base" else ())
    finally:
        manager.engine.dispose()
    return result
