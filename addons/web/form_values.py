"""What a posted form says, as ORM values and commands.

A form posts one input per editable field, named after the field (``partner_id``),
plus, for the widgets that need more than one input:

- many2one: ``partner_id`` (the id, filled by the autocomplete) and
  ``partner_id.display`` (the text typed; without script, a name resolved here);
- many2many: the marker ``tag_ids``, one checkbox ``tag_ids.<id>`` per kept tag, and
  ``tag_ids.add``, the name of a tag to add;
- one2many: the marker ``line_ids`` and, per line, ``line_ids.<key>.id`` (empty for a
  new line), ``line_ids.<key>.<field>`` and ``line_ids.<key>._delete``; lines the post
  does not mention are left as they are;
- binary: the file input, and ``<name>._clear`` to remove the content;
- boolean: the checkbox, followed by a hidden ``0`` of the same name (the first value
  posted wins), so that a disabled checkbox is told apart from an unticked one.

:func:`read_form` turns such a post into a :class:`FormInput` (parsed values, the
texts that could not be parsed and why); :func:`build_draft` makes the in-memory record
the form shows (computed fields computed again from the new values); and
:func:`write_values` gives the dict for ``write``/``create``, without the fields the
view makes read-only.  Rendering and modifiers live elsewhere (``form_render.py``,
``form_arch.py``).
"""
import base64
import re

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest

from core.fields import Command

from .form_arch import DISPLAY_WIDGETS, static_modifier
from .formatting import ParseError, selection_of

_LINE_KEY = re.compile(r"^[0-9A-Za-z]{1,12}$")
#: how many records a typed name is looked up among
NAME_LOOKUP_LIMIT = 2


class LineEntry:
    """One line of a one2many as posted (or as read from the record)."""

    def __init__(self, key, line_id=None, record=None):
        self.key = key
        self.id = line_id
        self.values = {}
        self.raw = {}
        self.errors = {}
        self.deleted = False
        self.record = record      # the line (a draft once build_draft ran)

    def __repr__(self):
        return f"LineEntry({self.key!r}, id={self.id!r}, deleted={self.deleted})"


class FormInput:
    """The parsed post of a form."""

    def __init__(self):
        self.values = {}      # field name -> value (ids for many2many, see lines for one2many)
        self.raw = {}         # field name -> text that could not be read, shown back
        self.errors = {}      # field name -> message
        self.lines = {}       # one2many field name -> [LineEntry]

    @property
    def has_errors(self):
        return bool(self.errors) or any(e.errors for entries in self.lines.values() for e in entries)


def editable(node, field):
    """Can the field of ``node`` ever be edited in this view (no constant readonly)?"""
    if node.get("widget") in DISPLAY_WIDGETS:
        return False
    return static_modifier(node, "readonly", field.readonly) is not True


# ---------------------------------------------------------------- reading a post
def read_form(arch, fmt, record, params):
    """The :class:`FormInput` of ``params`` for the form ``arch`` of ``record`` (an
    existing record, or an empty recordset for a new one)."""
    result = FormInput()
    for node in arch.field_nodes:
        name = node.get("name")
        field = arch.field(node)
        if name in result.values or name in result.raw or not editable(node, field):
            continue
        if field.type == "one2many":
            if name in params:
                result.lines[name] = _read_lines(arch, node, fmt, record, params)
            continue
        present, value, error = parse_input(fmt, field, params, name)
        if error:
            result.errors[name] = error
            result.raw[name] = _raw_text(params, name, field)
        elif present:
            result.values[name] = value
            _set_filename(arch, node, params, name, result)
    return result


def _raw_text(params, name, field):
    key = f"{name}.display" if field.type == "many2one" else (
        f"{name}.add" if field.type == "many2many" else name)
    value = params.get(key)
    return value if isinstance(value, str) else ""


def _set_filename(arch, node, params, name, result):
    """An uploaded file names the field of the view's ``filename`` attribute."""
    upload = params.get(name)
    target = node.get("filename")
    if isinstance(upload, FileStorage) and upload.filename and target in arch.model._fields:
        result.values[target] = upload.filename


def parse_input(fmt, field, params, name):
    """``(present, value, error)`` of field ``field`` posted under ``name``."""
    kind = field.type
    if kind == "many2many":
        if name not in params:
            return False, None, None
        return _read_many2many(fmt, field, params, name)
    if kind == "binary":
        if params.get(f"{name}._clear"):
            return True, False, None
        upload = params.get(name)
        if isinstance(upload, FileStorage) and upload.filename:
            return True, base64.b64encode(upload.read()), None
        return False, None, None
    if kind == "many2one":
        if name not in params and f"{name}.display" not in params:
            return False, None, None
        return _read_many2one(fmt, field, params.get(name), params.get(f"{name}.display"))
    if name not in params:
        return False, None, None
    text = params[name]
    if not isinstance(text, str):
        return True, None, fmt._("Invalid value.")
    if kind == "boolean":
        return True, text not in ("", "0", "false", "off"), None
    if kind == "selection":
        if text == "":
            return True, False, None
        allowed = [str(value) for value, _label in selection_of(fmt.env[field.model_name], field.name)]
        if text not in allowed:
            return True, None, fmt._("Choose one of the values of the list.")
        return True, text, None
    if kind in ("char", "text", "html"):
        text = text.strip() if kind == "char" else text
        return True, text or False, None
    try:
        return True, fmt.parse(field, text), None
    except ParseError as exc:
        return True, None, str(exc)


def _read_many2one(fmt, field, id_text, display):
    comodel = fmt.env[field.comodel_name]
    id_text = (id_text or "").strip() if isinstance(id_text, str) else ""
    display = (display or "").strip() if isinstance(display, str) else ""
    if id_text:
        if not id_text.isdigit():
            return True, None, fmt._("Choose a record from the list.")
        record = comodel.with_context(active_test=False).search([("id", "=", int(id_text))])
        if not record:
            return True, None, fmt._("The chosen record does not exist or is not visible to you.")
        return True, record.id, None
    if not display:
        return True, False, None
    return _find_by_name(fmt, comodel, display)


def _find_by_name(fmt, comodel, text):
    """The one record of ``comodel`` named ``text`` (typed without the autocomplete)."""
    found = comodel.name_search(text, operator="=ilike", limit=NAME_LOOKUP_LIMIT)
    if len(found) != 1:
        found = comodel.name_search(text, operator="ilike", limit=NAME_LOOKUP_LIMIT)
    if not found:
        return True, None, fmt._("No record found named “%s”.") % text
    if len(found) > 1:
        return True, None, fmt._("Several records match “%s”: choose one from the list.") % text
    return True, found[0][0], None


def _read_many2many(fmt, field, params, name):
    prefix = name + "."
    ids = []
    for key, value in params.items():
        if key.startswith(prefix) and key[len(prefix):].isdigit() and value not in ("", "0", None):
            ids.append(int(key[len(prefix):]))
    comodel = fmt.env[field.comodel_name].with_context(active_test=False)
    if ids:
        found = set(comodel.search([("id", "in", ids)]).ids)
        ids = [rid for rid in dict.fromkeys(ids) if rid in found]
    added = params.get(f"{name}.add")
    if isinstance(added, str) and added.strip():
        _present, rid, error = _find_by_name(fmt, comodel, added.strip())
        if error:
            return True, None, error
        if rid not in ids:
            ids.append(rid)
    return True, ids, None


def _read_lines(arch, node, fmt, record, params):
    """The posted lines of the one2many ``node``, in the order of the form."""
    name = node.get("name")
    sub = arch.subview(node)
    current = set(record[name].ids) if record else set()
    prefix = name + "."
    keys = []
    for key in params:
        if key.startswith(prefix):
            parts = key[len(prefix):].split(".", 1)
            if len(parts) == 2 and _LINE_KEY.match(parts[0]) and parts[0] not in keys:
                keys.append(parts[0])
    entries = []
    for key in keys:
        base = f"{prefix}{key}."
        id_text = params.get(base + "id") or ""
        line_id = None
        if id_text:
            if not str(id_text).isdigit() or int(id_text) not in current:
                raise BadRequest(f"Line {id_text!r} is not a line of this {arch.model._description}.")
            line_id = int(id_text)
        entry = LineEntry(key, line_id)
        entry.deleted = bool(params.get(base + "_delete"))
        for column in sub.columns:
            field = sub.field_of(column)
            if not editable(column, field) or field.type == "one2many":
                continue
            present, value, error = parse_input(fmt, field, params, base + column.get("name"))
            if error:
                entry.errors[field.name] = error
                entry.raw[field.name] = _raw_text(params, base + field.name, field)
            elif present:
                entry.values[field.name] = value
        if entry.deleted and line_id is None:
            continue
        entries.append(entry)
    return entries


def untouched(entry, defaults):
    """A new line whose inputs all hold their default (or nothing): not created."""
    if entry.id or entry.errors:
        return False
    return all(value in (False, None, "", []) or defaults.get(name) == value
               for name, value in entry.values.items())


def line_defaults(sub):
    names = [column.get("name") for column in sub.columns]
    return sub.comodel.default_get(names)


# ---------------------------------------------------------------- the draft record
def build_draft(arch, record, form_input):
    """The in-memory record the form shows: ``record`` (or a new one) with the posted
    values; computed fields are computed again from them.  Each posted line's
    ``record`` becomes its draft line."""
    model = arch.model
    values = {name: _draft_value(model._fields[name], value) for name, value in form_input.values.items()}
    for name, entries in form_input.lines.items():
        mentioned = {entry.id for entry in entries if entry.id}
        commands = []
        for entry in entries:
            if entry.deleted:
                continue
            if entry.id:
                commands.append(Command.update(entry.id, dict(entry.values)))
            else:
                commands.append(Command.create(dict(entry.values)))
        for line_id in (record[name].ids if record else []):
            if line_id not in mentioned:
                commands.append(Command.link(line_id))
        values[name] = commands
    draft = model.new(values, origin=record if record else None)
    refresh_computed(draft, values)
    for name, entries in form_input.lines.items():
        lines = iter(draft[name])
        for entry in entries:
            if entry.deleted:
                entry.record = model.env[model._fields[name].comodel_name].browse(entry.id)
                continue
            entry.record = next(lines)
            refresh_computed(entry.record, entry.values)
    return draft


def _draft_value(field, value):
    if field.type == "many2many":
        return [Command.set(value)]
    return value


def refresh_computed(draft, given):
    """Forget the computed values a draft copied from its origin that depend on the
    fields ``given`` (directly or in turn): read again, they are computed from the
    draft's own values.  Others keep the origin's value (as Odoo's onchange does)."""
    cache = draft.env.transaction.cache
    triggers = draft.env.registry.triggers
    rid = draft._ids[0]
    todo = list(given)
    seen = set(given)
    while todo:
        name = todo.pop()
        for dependent, path in triggers.get((draft._name, name), ()):
            if path or dependent.model_name != draft._name or dependent.name in seen:
                continue
            seen.add(dependent.name)
            cache.invalidate([dependent], [rid])
            todo.append(dependent.name)


# ---------------------------------------------------------------- what to write
def write_values(arch, record, form_input, readonly, line_readonly):
    """The values to write on ``record`` (or create with): what was posted, without
    the fields in ``readonly`` (names) and unchanged values of an existing record.
    ``line_readonly(field name, entry)`` gives the read-only columns of a line."""
    model = arch.model
    values = {}
    for name, value in form_input.values.items():
        if name in readonly:
            continue
        field = model._fields[name]
        if field.type == "many2many":
            if not record or set(record[name].ids) != set(value):
                values[name] = [Command.set(value)]
        elif not record or not same_value(record, field, value):
            values[name] = value
    for name, entries in form_input.lines.items():
        if name in readonly:
            continue
        sub = arch.subview(arch.first_node(name))
        defaults = None
        commands = []
        for entry in entries:
            if entry.deleted:
                commands.append(Command.delete(entry.id))
                continue
            skip = line_readonly(name, entry)
            vals = {k: v for k, v in entry.values.items() if k not in skip}
            if entry.id:
                line = sub.comodel.browse(entry.id)
                vals = {k: v for k, v in vals.items() if not _same_line_value(line, sub.comodel._fields[k], v)}
                if vals:
                    commands.append(Command.update(entry.id, vals))
            else:
                if defaults is None:
                    defaults = line_defaults(sub)
                if not untouched(entry, defaults):
                    commands.append(Command.create(vals))
        if commands:
            values[name] = commands
    return values


def _same_line_value(line, field, value):
    if field.type == "many2many":
        return set(line[field.name].ids) == set(value)
    return same_value(line, field, value)


def same_value(record, field, value):
    """Does ``record`` already hold ``value`` (as posted) in ``field``?"""
    try:
        current = record._get_value(field)
        if field.type == "binary":
            return False
        return field.convert_to_cache(value, record, validate=False) == current
    except (ValueError, TypeError):
        return False


def field_of_message(model, message, names):
    """The field among ``names`` an ORM error ``message`` is about, or None: messages
    name a field as ``model.field``, ``'Label' (field)`` or start with ``Label:``."""
    text = str(message)
    for name in names:
        field = model._fields.get(name)
        if field is None:
            continue
        if (f"{model._name}.{name}" in text or f"({name})" in text or text.startswith(f"{field.string}:")
                or f"'{field.string}'" in text):
            return name
    return None
