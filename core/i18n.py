"""Translations and locale formats, on Babel.

Owns the addons' PO catalogs (``<addon>/i18n/<lang>.po``) and everything read from
them: the code terms that ``_()`` looks up, the terms of data records that an
install writes into translated fields (``load_data_translations``), the labels of
fields, selections and models that ``fields_get`` shows; and the formatting of
amounts and dates for a locale.

It does not own which languages are active (``res.lang``), when translations are
loaded (the module loader), nor how a translated value is stored (the ORM keeps one
JSON dict per field, ``{"en_US": ..., "de_DE": ...}``); nor the export of an addon's
terms into its ``.pot`` (core/i18n_export.py, whose functions are reachable here).

PO files follow Odoo's conventions, so that a translator's tools work unchanged:

- ``#: code:addons/base/models/res_partner.py:0`` (or ``#. odoo-python``) marks a
  term of Python code, looked up by ``_()`` through its msgid;
- ``#: model:res.groups,name:base.group_user`` is the value of field ``name`` of
  the record with xml id ``base.group_user``;
- ``#: model_terms:ir.ui.view,arch_db:base.view_x`` is one term *inside* such a
  value (HTML, view architectures), replaced wherever it occurs; views are not
  stored translated: ``ir.ui.view.get_view`` puts their terms into the user's
  language when it serves them;
- field labels are the records of ``ir.model.fields`` (``field_description`` of
  ``base.field_res_partner__name``), selection labels those of
  ``ir.model.fields.selection`` (``name`` of ``base.selection__res_partner__type__contact``),
  model descriptions those of ``ir.model`` (``name`` of ``base.model_res_partner``).

A language ``de_DE`` reads ``de_DE.po`` and then ``de.po``: the specific file wins
term by term, the general one fills the rest.  Catalogs are read once per process
and kept, per (addon folder, language); ``clear_cache()`` forgets them.
"""
import io
import importlib.util
import logging
import os
import re
import sys
import threading
from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.pofile import read_po

_logger = logging.getLogger(__name__)

DEFAULT_LANG = "en_US"
_OCCURRENCE = re.compile(r"(?<!\S)(?:model|model_terms|code):\S+")


# ---------------------------------------------------------------- catalogs
@dataclass
class Terms:
    """The translations of one catalog, indexed the ways they are looked up."""

    code: dict = dataclass_field(default_factory=dict)
    """msgid -> msgstr, for terms of Python code."""
    model: dict = dataclass_field(default_factory=dict)
    """(model, field, xmlid) -> (msgid, msgstr): whole values of data records."""
    model_terms: dict = dataclass_field(default_factory=dict)
    """(model, field, xmlid) -> {msgid: msgstr}: terms inside values of data records."""

    def update(self, other):
        """Add ``other``'s entries, which win over these."""
        self.code.update(other.code)
        self.model.update(other.model)
        for key, terms in other.model_terms.items():
            self.model_terms.setdefault(key, {}).update(terms)


def read_terms(path):
    """Parse one PO file into :class:`Terms`; untranslated and fuzzy entries are left out.

    A malformed file raises ``babel.messages.pofile.PoFileError`` naming the file.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    lines = [_with_line_numbers(line) if line.lstrip().startswith("#:") else line
             for line in text.splitlines(keepends=True)]
    try:
        catalog = read_po(io.StringIO("".join(lines)), ignore_obsolete=True, abort_invalid=True)
    except Exception as exc:
        exc.add_note(f"while reading translations from {path}")
        raise
    terms = Terms()
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.fuzzy:
            continue  # header, plural forms (not used by _()) and fuzzy entries
        msgstr = message.string
        if not msgstr or not isinstance(msgstr, str):
            continue
        records = False
        for location, _line in message.locations:
            kind, _, rest = location.partition(":")
            if kind in ("model", "model_terms"):
                records = True
                model_field, _, xmlid = rest.rpartition(":")
                model, _, fname = model_field.partition(",")
                if not (model and fname and "." in xmlid):
                    _logger.warning("%s: ignoring malformed occurrence %r", path, location)
                    continue
                if kind == "model":
                    terms.model[(model, fname, xmlid)] = (message.id, msgstr)
                else:
                    terms.model_terms.setdefault((model, fname, xmlid), {})[message.id] = msgstr
        is_code = (any(loc.startswith("code:") for loc, _line in message.locations)
                   or "odoo-python" in message.auto_comments or not records)
        if is_code:
            terms.code[message.id] = msgstr
    return terms


def _with_line_numbers(line):
    """``#: model:a,b:m.x code:f.py:0`` -> ``#: model:a,b:m.x:0 code:f.py:0``.

    Babel keeps a ``#:`` location only when it ends in ``:<line>``; Odoo's record
    occurrences have none, nor do code occurrences that Babel writes with line 0.
    """
    return _OCCURRENCE.sub(
        lambda m: m.group(0) if re.search(r":\d+$", m.group(0)) else m.group(0) + ":0", line)


_cache = {}
_addon_paths = {}
_lock = threading.RLock()


def clear_cache():
    """Forget every catalog read and every addon folder found (after changing PO files)."""
    with _lock:
        _cache.clear()
        _addon_paths.clear()


def po_files(addon_path, lang):
    """The PO files of ``lang`` in an addon, the most specific first (``de_DE.po``, ``de.po``)."""
    folder = Path(addon_path) / "i18n"
    names = [lang]
    if "_" in lang:
        names.append(lang.split("_")[0])
    return [folder / f"{name}.po" for name in names if (folder / f"{name}.po").is_file()]


def load_catalog(addon_path, lang):
    """The :class:`Terms` of an addon in ``lang`` (empty if it has none), read once per process."""
    key = (os.path.abspath(addon_path), lang)
    with _lock:
        terms = _cache.get(key)
        if terms is None:
            terms = Terms()
            for path in reversed(po_files(addon_path, lang)):  # general first, specific wins
                terms.update(read_terms(path))
            _cache[key] = terms
        return terms


def addon_path(name):
    """The folder of addon ``name`` (importable as ``addons.<name>``), or None.

    Found through the import system without importing the addon, so any folder on
    the ``addons`` namespace path counts.
    """
    with _lock:
        if name in _addon_paths:
            return _addon_paths[name]
    try:
        spec = importlib.util.find_spec(f"addons.{name}")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or ()) if spec else []
    path = locations[0] if locations else None
    with _lock:
        _addon_paths[name] = path
    return path


def addon_terms(name, lang):
    """The :class:`Terms` of addon ``name`` in ``lang``; empty for an unknown addon."""
    path = addon_path(name)
    return load_catalog(path, lang) if path else Terms()


def _is_source_lang(lang):
    return not lang or lang == DEFAULT_LANG


# ---------------------------------------------------------------- code terms
def translate(message, lang, modules=None):
    """The translation of the code term ``message`` in ``lang``, or ``message`` itself.

    ``modules`` are the addons whose catalogs are searched, in order (default: base).
    """
    if _is_source_lang(lang) or not message:
        return message
    for module in modules or ("base",):
        translated = addon_terms(module, lang).code.get(message)
        if translated:
            return translated
    return message


def _frame_lang(frame):
    """The language of the code running in ``frame``, found as Odoo does.

    The ``lang`` key of, in order: a ``context`` local, the context of ``self.env``
    (``self`` a recordset), the context of an ``env`` local; en_US when none has one.
    """
    local_vars = frame.f_locals
    context = local_vars.get("context")
    if _is_mapping(context) and context.get("lang"):
        return context["lang"]
    for candidate in (getattr(local_vars.get("self"), "env", None), local_vars.get("env")):
        context = getattr(candidate, "context", None)
        if _is_mapping(context) and context.get("lang"):
            return context["lang"]
    return DEFAULT_LANG


def _is_mapping(value):
    return hasattr(value, "get") and hasattr(value, "keys")


def _frame_addon(frame):
    """The addon whose code runs in ``frame``: ``addons.crm.models.lead`` -> crm; core -> base."""
    parts = (frame.f_globals.get("__name__") or "").split(".")
    return parts[1] if parts[0] == "addons" and len(parts) > 1 else "base"


def interpolate(source, translated, args=(), kwargs=None):
    """``translated % args``; on a broken translation, log it and format ``source`` instead."""
    values = args if args else kwargs
    if not values:
        return translated
    try:
        return translated % values
    except (TypeError, ValueError, KeyError):
        if translated is source:
            raise
        _logger.warning("Bad translation %r of %r: falling back to the source text", translated, source)
        return source % values


def gettext(message, /, *args, _frame=None, **kwargs):
    """``_()``: translate ``message`` for the calling code, then interpolate ``args`` / ``kwargs``.

    The language and the catalog come from the caller's frame (see :func:`_frame_lang`
    and :func:`_frame_addon`); ``_frame`` overrides which frame that is.
    """
    frame = _frame or sys._getframe(1)
    try:
        lang = _frame_lang(frame)
        translated = translate(message, lang, (_frame_addon(frame),))
    finally:
        del frame
    return interpolate(message, translated, args, kwargs)


# ---------------------------------------------------------------- data records
def load_data_translations(env, module_name, module_path, lang, overwrite=False):
    """Write the record translations of addon ``module_name`` in ``lang`` into the database.

    Reads ``model:`` and ``model_terms:`` entries of the addon's catalog, finds each
    record by its xml id (``ir.model.data``) and writes the translated field in
    ``lang``.  A value that already has its own translation in ``lang`` (one that
    differs from the English text) is kept unless ``overwrite``.  Entries whose
    record, model or field is missing, or whose field is not translatable, are
    skipped (logged at debug level): a catalog may carry entries for data that was
    not loaded, such as demo data.  Returns the number of values written.
    """
    if _is_source_lang(lang):
        return 0
    terms = load_catalog(module_path, lang)
    entries = {}
    for key, (_msgid, msgstr) in terms.model.items():
        entries.setdefault(key[:2], {})[key[2]] = ("model", msgstr)
    for key, mapping in terms.model_terms.items():
        # a whole-value entry for the same record wins over its terms
        entries.setdefault(key[:2], {}).setdefault(key[2], ("model_terms", mapping))
    if not entries:
        return 0
    if "ir.model.data" not in env:
        _logger.warning("%s: cannot load %s translations without ir.model.data", module_name, lang)
        return 0
    env = env(su=True, context=dict(env.context, active_test=False))
    xmlids = sorted({xmlid for by_xmlid in entries.values() for xmlid in by_xmlid})
    resolved = _resolve_xmlids(env, xmlids)
    written = 0
    for (model_name, fname), by_xmlid in sorted(entries.items()):
        field = env[model_name]._fields.get(fname) if model_name in env else None
        if field is None or not field.translate or not field.column:
            _logger.debug("%s (%s): skipping translations of %s.%s: no such translated stored field",
                          module_name, lang, model_name, fname)
            continue
        targets = {xmlid: resolved[xmlid][1] for xmlid in by_xmlid
                   if resolved.get(xmlid, (None,))[0] == model_name}
        # one recordset, so that reading the current values is one query
        existing = env[model_name].browse(sorted(set(targets.values()))).exists()
        records = {record.id: record for record in existing}
        updates = {}  # record id -> new value of the translated column
        for xmlid, (kind, value) in sorted(by_xmlid.items()):
            record = records.get(targets.get(xmlid))
            if record is None:
                _logger.debug("%s (%s): skipping %s of %s: no %s record", module_name, lang,
                              fname, xmlid, model_name)
                continue
            current = record._get_value(field)
            if isinstance(current, str):  # a column that was not translatable before
                current = {DEFAULT_LANG: current}
            current = current if isinstance(current, dict) else {}
            if kind == "model_terms":
                source = current.get(DEFAULT_LANG)
                if not source:
                    continue
                value = translate_terms(source, value)
            if not overwrite and current.get(lang) not in (None, current.get(DEFAULT_LANG)):
                continue  # a translation someone made (or loaded before) stays
            if current.get(lang) == value:
                continue
            updates[record.id] = dict(updates.get(record.id) or current, **{lang: value})
            written += 1
        _write_translations(env, model_name, field, updates)
    return written


def _write_translations(env, model_name, field, updates):
    """Store new per-language values of one translated column, in one statement.

    Loading an addon's catalog writes hundreds of values: through ``write()`` each would
    be its own UPDATE (and savepoint); here they are one executemany, and the cache is
    kept in line.
    """
    if not updates:
        return
    import sqlalchemy as sa
    table = env.registry.tables[model_name]
    statement = sa.update(table).where(table.c.id == sa.bindparam("_id")).values(
        {field.name: sa.bindparam("_value", type_=table.c[field.name].type)})
    env.cr.execute(statement, [{"_id": rid, "_value": value} for rid, value in updates.items()])
    cache = env.transaction.cache
    for rid, value in updates.items():
        cache.set(field, rid, value)
    env[model_name].browse(list(updates))._modified([field.name])
    # menus and views kept across transactions carry the old texts
    env.registry.shared_cache.invalidate(env.cr)


def _resolve_xmlids(env, xmlids):
    """{"module.name": (model, res_id)} for the xml ids that exist."""
    by_module = {}
    for xmlid in xmlids:
        module, _, name = xmlid.partition(".")
        by_module.setdefault(module, []).append(name)
    found = {}
    data = env["ir.model.data"]
    for module, names in sorted(by_module.items()):
        for row in data.search_read([("module", "=", module), ("name", "in", names)],
                                    ["name", "model", "res_id"]):
            found[f"{module}.{row['name']}"] = (row["model"], row["res_id"])
    return found


def translate_terms(source, mapping):
    """Replace every term of ``mapping`` inside ``source`` (longest terms first, in one pass)."""
    terms = sorted((term for term in mapping if term), key=len, reverse=True)
    if not terms:
        return source
    pattern = re.compile("|".join(re.escape(term) for term in terms))
    return pattern.sub(lambda match: mapping[match.group(0)], source)


# ---------------------------------------------------------------- fields and models
def model_xmlid(module, model_name):
    """``base.model_res_partner``: the xml id of a model's ``ir.model`` record."""
    return f"{module}.model_{model_name.replace('.', '_')}"


def field_xmlid(module, model_name, field_name):
    """``base.field_res_partner__name``: the xml id of a field's ``ir.model.fields`` record."""
    return f"{module}.field_{model_name.replace('.', '_')}__{field_name}"


def selection_xmlid(module, model_name, field_name, value):
    """``base.selection__res_partner__type__contact``: the xml id of one selection value."""
    xvalue = str(value).replace(".", "_").replace(" ", "_").lower()
    return f"{module}.selection__{model_name.replace('.', '_')}__{field_name}__{xvalue}"


def _field_modules(field):
    """The addons that declared ``field``, the latest first (an extension's label wins)."""
    modules = [d.module for d in getattr(field, "_definitions", ())] + [field.module]
    return list(dict.fromkeys(m for m in reversed(modules) if m))


def _record_term(modules, lang, model, fname, xmlid_of, source):
    """The first translation of ``source`` among ``modules``' catalogs for the xml id ``xmlid_of(module)``.

    The msgid must equal ``source``: when an extension changes a label without
    shipping its translation, the English label shows rather than a stale one.
    """
    for module in modules:
        entry = addon_terms(module, lang).model.get((model, fname, xmlid_of(module)))
        if entry and entry[0] == source:
            return entry[1]
    return None


def _translate_field_attribute(model_name, field, lang, attribute, column):
    """``field.<attribute>`` in ``lang`` (``column`` of ir.model.fields in the catalogs).

    A field delegated through ``_inherits`` falls back to its parent field's term.
    """
    source = getattr(field, attribute)
    if _is_source_lang(lang) or not source:
        return source
    found = _record_term(_field_modules(field), lang, "ir.model.fields", column,
                         lambda module: field_xmlid(module, model_name, field.name), source)
    parent = getattr(field, "inherited_field", None)
    if found is None and parent is not None and getattr(parent, attribute) == source:
        return _translate_field_attribute(parent.model_name, parent, lang, attribute, column)
    return found or source


def translate_field_description(model_name, field, lang):
    """The label of ``field`` (a field of ``model_name``) in ``lang``; its ``string`` if untranslated."""
    return _translate_field_attribute(model_name, field, lang, "string", "field_description")


def translate_field_help(model_name, field, lang):
    """The tooltip of ``field`` in ``lang``; its ``help`` (maybe None) if untranslated."""
    return _translate_field_attribute(model_name, field, lang, "help", "help")


def translate_selection(model_name, field, selection, lang):
    """``selection`` (a list of (value, label)) of ``field`` with its labels in ``lang``."""
    if _is_source_lang(lang) or not selection:
        return selection
    if getattr(field, "inherited_field", None) is not None:
        model_name, field = field.inherited_field.model_name, field.inherited_field
    modules = _field_modules(field)
    result = []
    for value, label in selection:
        found = _record_term(modules, lang, "ir.model.fields.selection", "name",
                             lambda module: selection_xmlid(module, model_name, field.name, value), label)
        result.append((value, found or label))
    return result


def translate_field_info(model_name, field, description, lang):
    """Translate the ``string``, ``help`` and ``selection`` of one ``fields_get`` entry in place.

    ``description`` is what ``field.get_description(env)`` returned; it is returned.
    """
    if _is_source_lang(lang):
        return description
    if "string" in description:
        description["string"] = translate_field_description(model_name, field, lang)
    if description.get("help"):
        description["help"] = translate_field_help(model_name, field, lang)
    if description.get("selection") and isinstance(getattr(field, "selection", None), (list, tuple)):
        # only static selections: a selection method translates its labels itself, with _()
        description["selection"] = [list(pair) for pair in translate_selection(
            model_name, field, [tuple(pair) for pair in description["selection"]], lang)]
    return description


def translate_model_description(model, lang):
    """The description (``_description``) of a model in ``lang``.

    ``model`` is a recordset or an assembled model class.
    """
    source = model._description or model._name
    if _is_source_lang(lang):
        return source
    modules = list(dict.fromkeys(
        klass.__dict__["_module"] for klass in type.mro(model if isinstance(model, type) else type(model))
        if klass.__dict__.get("_module") and klass.__dict__.get("_name", model._name) == model._name))
    return _record_term(modules, lang, "ir.model", "name",
                        lambda module: model_xmlid(module, model._name), source) or source


# ---------------------------------------------------------------- export
_EXPORT_NAMES = ("export_terms", "update_translations", "write_addon_catalogs", "write_catalog",
                 "export_addons")


def __getattr__(name):
    """The export of catalogs lives in core/i18n_export.py; its functions are reachable here too."""
    if name in _EXPORT_NAMES:
        from . import i18n_export
        return getattr(i18n_export, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- locale formats
@lru_cache(maxsize=64)
def babel_locale(lang):
    """The Babel locale of a language code (``de_DE``); en_US for an unknown one."""
    try:
        return Locale.parse(lang or DEFAULT_LANG)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LANG)


def format_amount(value, currency_code, lang, digits=None):
    """``1234.5`` in ``EUR`` for de_DE -> ``'1.234,50 €'``; en_US -> ``'€1,234.50'``.

    ``digits`` (e.g. a currency's ``decimal_places``) overrides the decimals Babel
    knows for the currency.
    """
    locale = babel_locale(lang)
    if digits is None:
        return babel_numbers.format_currency(value or 0.0, currency_code, locale=locale)
    pattern = babel_numbers.parse_pattern(locale.currency_formats["standard"].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value or 0.0, locale, currency=currency_code, currency_digits=False)


def format_date(value, lang, format="medium"):
    """A date (or ``YYYY-MM-DD`` text, or a datetime's date) for ``lang``; '' when empty.

    ``format`` is ``short`` / ``medium`` / ``long`` / ``full`` or a Babel pattern.
    """
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    elif isinstance(value, datetime):
        value = value.date()
    return babel_dates.format_date(value, format=format, locale=babel_locale(lang))


def format_datetime(value, lang, tz=None, format="medium"):
    """A UTC datetime (naive, as the ORM stores it, or aware) shown in time zone ``tz``.

    ``tz`` is a zone name (``Europe/Berlin``); None shows UTC.  '' when empty.
    """
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    tzinfo = babel_dates.get_timezone(tz or "UTC")
    return babel_dates.format_datetime(value, format=format, tzinfo=tzinfo, locale=babel_locale(lang))
