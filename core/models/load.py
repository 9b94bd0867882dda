"""load: records from rows of text, as a CSV import or a script gives them.

``model.load(fields, data)`` is Odoo's import entry point: ``fields`` names the
columns, ``data`` is a list of rows of texts.  It owns reading a cell into the value
of its field, finding the records that relational cells name, grouping rows into
records (with their one2many lines), and writing them all or none.  It does not own
files, encodings, separators or the mapping of headers to fields (the web client's
``addons/web/csv_import.py``).

Columns
-------
- ``name``: a field's value (see *Cells* below);
- ``country_id``: a many2one by name: an exact ``name_search`` first, then a
  case-insensitive one that must find exactly one record;
- ``country_id/id``: by external id, ``module.name``, or a bare ``name`` of the
  ``__import__`` module; ``country_id/.id``: by database id;
- ``tag_ids`` (and ``tag_ids/id``, ``tag_ids/.id``): many2many, comma separated;
- ``id``: the record's own external id: a record that has it is updated, else one is
  created and given it; ``.id``: the database id of a record to update;
- ``line_ids/product``: one2many lines.  A row whose other columns are all empty
  continues the record above it with one more line (created, added to the record).

Cells
-----
- numbers in the user's language (``1.234,56`` for de_DE, ``1,234.56`` for en_US),
  else the machine form with a dot (``1234.56``): a German ``1.234`` is 1234;
- yes/no: ``1``/``0``, ``true``/``false``, ``yes``/``no``, ``ja``/``nein``, ``x``;
- selections: by value, English label, or label in the user's language;
- dates: ``YYYY-MM-DD``; ``DD.MM.YYYY`` (dots: day first); ``MM/DD/YYYY``
  (slashes: month first, as in the US); datetimes: one of these, a space or ``T``,
  ``HH:MM[:SS]``, read in the user's time zone (``tz`` of the context, UTC without)
  unless the text ends with ``Z`` or an offset;
- an empty cell leaves the field's default on a new record, and clears the field
  of an updated one.

Errors and transactions
-----------------------
Every row is read and written, so that every error is found, each with the index of
its record and the rows it spans.  All of it runs in one savepoint: with one error
(or the ``import_dryrun`` context key) the savepoint is rolled back and nothing is
written; otherwise the records stay in the caller's transaction.  New records are
created by batches of :data:`BATCH` (one INSERT each); a batch that fails is tried
again record by record to tell which record failed.  Access rights, record rules and
field groups apply, as for ``create`` and ``write``.
"""
import datetime
import decimal
import logging
import re
import zoneinfo
from dataclasses import dataclass, field as dataclass_field

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from babel import numbers as babel_numbers

from .. import api
from ..exceptions import AccessError, UserError
from ..fields import Command
from ..i18n import translate

_logger = logging.getLogger(__name__)

#: records created by one INSERT
BATCH = 500
#: the module of external ids given without one
IMPORT_MODULE = "__import__"
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "on", "ja", "j", "wahr"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off", "nein", "falsch"})
NOT_IMPORTABLE = ("binary", "json", "properties", "reference", "many2one_reference")
MAGIC = ("create_uid", "create_date", "write_uid", "write_date", "display_name")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})"), ("m", "d", "y")),
]
_TIME = re.compile(r"^(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
_XMLID = re.compile(r"^[^\s]+$")


class ConversionError(ValueError):
    """A cell that is not a value of its column; the message says what was expected."""


class _Rollback(Exception):
    """Leaves the load's savepoint undone (errors, or a dry run)."""


@dataclass
class LoadResult:
    """What a load did: the ids of its records in order, counts, and its messages."""

    ids: list = dataclass_field(default_factory=list)
    messages: list = dataclass_field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def errors(self):
        return [m for m in self.messages if m["type"] == "error"]

    def as_dict(self):
        """Odoo's answer: ``{"ids": [...] or False, "messages": [...]}``."""
        return {"ids": False if self.errors else list(self.ids), "messages": list(self.messages)}


class LoadMixin:
    __slots__ = ()

    @api.model
    def load(self, fields, data):
        """Import ``data`` (rows of texts) into the columns ``fields``: every row or none.

        Returns ``{"ids": [...] or False, "messages": [{"type", "message", "record",
        "rows": {"from", "to"}, "field"}...]}``; see the module's docstring.
        """
        return self._load_rows(fields, data).as_dict()

    def _load_rows(self, fields, data, batch_size=BATCH):
        """:meth:`load` answering a :class:`LoadResult` (created and updated counts too)."""
        if not isinstance(fields, (list, tuple)) or not all(isinstance(f, str) for f in fields):
            raise UserError(_text(self.env, "load() expects a list of column names."))
        if not isinstance(data, (list, tuple)) or not all(isinstance(r, (list, tuple)) for r in data):
            raise UserError(_text(self.env, "load() expects a list of rows, each a list of cells."))
        return _Loader(self, list(fields), [list(row) for row in data], batch_size).run()


# ---------------------------------------------------------------- columns
@dataclass
class _Column:
    """One column of the data: where it is, which field, and how its cells name values."""

    index: int
    path: str
    field: object = None          # None for the record's own ``id`` / ``.id``
    kind: str = "value"           # value | xmlid | dbid
    parent: object = None         # the one2many field the column is a line value of


def _parse_columns(model, paths):
    """``(columns, messages)``: the column of each path, or a message saying why not."""
    columns, messages, seen = [], [], set()
    for index, path in enumerate(paths):
        path = path.strip().replace(":id", "/id")
        if not path:
            continue                       # an unmapped column: skipped
        if path in seen:
            messages.append(_message(model.env, _text(model.env, "The column “%s” is given twice.") % path,
                                     field=path))
            continue
        seen.add(path)
        try:
            columns.append(_column(model, index, path))
        except ConversionError as exc:
            messages.append(_message(model.env, str(exc), field=path))
    return columns, messages


def _column(model, index, path):
    env = model.env
    if path in ("id", ".id"):
        return _Column(index, path, kind="xmlid" if path == "id" else "dbid")
    name, _, rest = path.partition("/")
    field = _importable(model, name)
    if field.type == "one2many" and rest:
        line = _column(env[field.comodel_name], index, rest)
        if line.field is None or line.parent is not None or line.field.name == field.inverse_name:
            raise ConversionError(_text(env, "The column “%s” cannot be imported.") % path)
        line.path, line.parent = path, field
        return line
    if not rest:
        if field.type == "one2many":
            raise ConversionError(_text(env, "The column “%s” needs the field of the lines: “%s/<field>”.")
                                  % (path, path))
        return _Column(index, path, field)
    if field.type in ("many2one", "many2many") and rest in ("id", ".id"):
        return _Column(index, path, field, kind="xmlid" if rest == "id" else "dbid")
    raise ConversionError(_text(env, "The column “%s” cannot be imported.") % path)


def importable_fields(model):
    """``{name: field}`` of the fields of ``model`` that a column may fill."""
    result = {}
    for name in model._fields:
        try:
            result[name] = _importable(model, name)
        except ConversionError:
            continue
    return result


def _importable(model, name):
    env = model.env
    field = model._fields.get(name)
    if field is None:
        raise ConversionError(_text(env, "The model %s has no field “%s”.") % (model._name, name))
    if name in MAGIC or name == "id" or field.type in NOT_IMPORTABLE \
            or not (field.store or field.inverse) or (field.related and field.readonly):
        raise ConversionError(_text(env, "The field “%s” cannot be imported.") % name)
    return field


# ---------------------------------------------------------------- the loader
class _Loader:
    """One call of ``load``: reads every record, then writes them in one savepoint."""

    def __init__(self, model, paths, rows, batch_size):
        self.model = model
        self.env = model.env
        self.paths = paths
        self.rows = [row + [""] * (len(paths) - len(row)) for row in rows]
        self.batch_size = max(1, batch_size)
        self.result = LoadResult()
        self.cells = _CellReader(model.env)
        self.xmlids = {}           # 'module.name' -> id created by this load
        self.pending = []          # (record index, (first row, last row), vals, xmlid) to create
        self.pending_xmlids = set()
        self.checked = set()       # the operations the user's access rights allow

    def run(self):
        columns, messages = _parse_columns(self.model, self.paths)
        self.result.messages.extend(messages)
        if messages:
            return self.result
        self.columns = columns
        records = self._split(columns)
        try:
            with self.env.cr.savepoint():
                self._check_field_rights(columns)
                for index, (start, end) in enumerate(records):
                    self._load_record(index, start, end)
                self._create_pending()
                if self.result.errors or self.env.context.get("import_dryrun"):
                    raise _Rollback()
        except _Rollback:
            self._forget_undone()
        except AccessError as exc:
            self._forget_undone()
            self.result.messages.append(_message(self.env, str(exc)))
        return self.result

    def _forget_undone(self):
        """The savepoint is undone: external ids cached meanwhile may name records that
        no longer exist, so the transaction's cache of them starts afresh."""
        self.env.transaction.xmlids.clear()

    def _check_field_rights(self, columns):
        """Refuse at once, with one message, columns of fields the user may not write."""
        names = {c.field.name for c in columns if c.field is not None and c.parent is None}
        self.model._check_field_access(sorted(names), "write")

    def _require(self, operation):
        """Refuse at once, with one message, a user who may not create (or write) at all,
        rather than repeating the refusal for every record."""
        if operation not in self.checked:
            self.model.browse()._check_access(operation)
            self.checked.add(operation)

    # ------------------------------------------------------------ rows into records
    def _split(self, columns):
        """``[(first row, last row)]`` of each record: a row with a value outside the
        one2many columns starts a record, the others continue it with lines."""
        main = [c.index for c in columns if c.parent is None]
        starts = [i for i, row in enumerate(self.rows)
                  if i == 0 or any(_filled(row[j]) for j in main)]
        return [(start, (starts[k + 1] if k + 1 < len(starts) else len(self.rows)) - 1)
                for k, start in enumerate(starts)]

    def _load_record(self, index, start, end):
        errors_before = len(self.result.errors)
        row = self.rows[start]
        if self._names_pending(row):
            self._create_pending()
        target, xmlid = self._identify(index, start, end, row)
        updating = target is not None
        vals = {}
        lines = {}
        for column in self.columns:
            if column.field is None:
                continue
            if column.parent is not None:
                lines.setdefault(column.parent, []).append(column)
                continue
            self._read_cell(index, start, end, column, row[column.index], vals, updating)
        for o2m, line_columns in lines.items():
            commands = self._lines(index, start, end, line_columns)
            if commands:
                vals[o2m.name] = commands
        if len(self.result.errors) > errors_before:
            return
        if target is None and xmlid in self.xmlids:
            target = self.model.browse(self.xmlids[xmlid])
        if target is not None:
            self._create_pending()
            self._write(index, start, end, target, vals)
        else:
            self.pending.append((index, (start, end), vals, xmlid))
            if xmlid:
                self.pending_xmlids.add(xmlid)
            if len(self.pending) >= self.batch_size:
                self._create_pending()

    def _names_pending(self, row):
        """Does ``row`` name (by external id) a record of this load not created yet?

        Its own ``id`` given twice, or a parent of the same model a few rows above:
        the pending records are created first, so that the row finds them."""
        if not self.pending_xmlids:
            return False
        for column in self.columns:
            if column.kind != "xmlid" or column.parent is not None or not _filled(row[column.index]):
                continue
            if column.field is not None and column.field.comodel_name != self.model._name:
                continue
            texts = [_clean(row[column.index])] if column.field is None else _split_list(_clean(row[column.index]))
            for text in texts:
                full = text if "." in text else f"{IMPORT_MODULE}.{text}"
                if full in self.pending_xmlids:
                    return True
        return False

    def _identify(self, index, start, end, row):
        """``(record to update or None, external id)`` from the ``id`` / ``.id`` columns."""
        target = xmlid = None
        for column in self.columns:
            if column.field is not None:
                continue
            text = _clean(row[column.index])
            if not text:
                continue
            try:
                if column.kind == "dbid":
                    target = self.cells.by_id(self.model, text)
                else:
                    xmlid = _full_xmlid(self.env, text)
                    if xmlid not in self.xmlids:
                        found = self.cells.by_xmlid(self.model, text, missing_ok=True)
                        target = target or found
            except ConversionError as exc:
                self._error(index, start, end, str(exc), column)
        return target, xmlid

    def _read_cell(self, index, start, end, column, text, vals, updating, rows=None):
        try:
            value = self.cells.read(column, text, updating)
        except ConversionError as exc:
            self._error(index, *(rows or (start, end)), str(exc), column)
            return
        except AccessError as exc:
            self._error(index, *(rows or (start, end)), str(exc), column)
            return
        if value is not _SKIP:
            vals[column.field.name] = value

    def _lines(self, index, start, end, columns):
        """``Command.create`` of each line (row) of a one2many within the record's rows."""
        commands = []
        for number in range(start, end + 1):
            row = self.rows[number]
            if not any(_filled(row[c.index]) for c in columns):
                continue
            line = {}
            for column in columns:
                self._read_cell(index, start, end, column, row[column.index], line, False,
                                rows=(number, number))
            commands.append(Command.create(line))
        return commands

    # ------------------------------------------------------------ writing
    def _write(self, index, start, end, target, vals):
        self._require("write")
        try:
            with self.env.cr.savepoint():
                if vals:
                    target.write(vals)
        except Exception as exc:  # noqa: BLE001 - reported with its record
            self._failed(index, start, end, exc)
            return
        self.result.ids.append(target.id)
        self.result.updated += 1

    def _create_pending(self):
        """Create the pending records: in one batch, else one by one to find the failing ones."""
        pending, self.pending = self.pending, []
        self.pending_xmlids = set()
        if not pending:
            return
        self._require("create")
        try:
            with self.env.cr.savepoint():
                records = self.model.create([vals for _index, _rows, vals, _xmlid in pending])
                named = self._name_records(pending, records.ids)
        except Exception:  # noqa: BLE001 - retried one by one below
            for item in pending:
                self._create_one(*item)
            return
        self.xmlids.update(named)
        for (index, _rows, _vals, _xmlid), rid in zip(pending, records.ids):
            self._created(index, rid)

    def _create_one(self, index, rows, vals, xmlid):
        try:
            with self.env.cr.savepoint():
                record = self.model.create(vals)
                named = self._name_records([(index, rows, vals, xmlid)], record.ids)
        except Exception as exc:  # noqa: BLE001 - reported with its record
            self._failed(index, *rows, exc)
            return
        self.xmlids.update(named)
        self._created(index, record.id)

    def _created(self, index, rid):
        self.result.ids.append(rid)
        self.result.created += 1

    def _name_records(self, pending, ids):
        """Give the new records their external ids (``ir.model.data``, as the superuser)."""
        data = self.env["ir.model.data"].sudo()
        values = []
        for (_index, _rows, _vals, xmlid), rid in zip(pending, ids):
            if xmlid:
                module, name = xmlid.split(".", 1)
                values.append({"module": module, "name": name, "model": self.model._name, "res_id": rid})
        if not values:
            return {}
        # stale external ids (their record was deleted) are given to the new records
        stale = data.search([("module", "in", sorted({v["module"] for v in values})),
                             ("name", "in", [v["name"] for v in values])])
        wanted = {(v["module"], v["name"]) for v in values}
        stale = stale.filtered(lambda row: (row.module, row.name) in wanted)
        for row in stale:
            self.env.transaction.xmlids.pop(f"{row.module}.{row.name}", None)
        stale.unlink()
        data.create(values)
        return {f"{value['module']}.{value['name']}": value["res_id"] for value in values}

    # ------------------------------------------------------------ messages
    def _error(self, index, start, end, message, column=None):
        self.result.messages.append(_message(self.env, message, index, start, end, column))

    def _failed(self, index, start, end, exc):
        if not isinstance(exc, (UserError, ValueError, sa.exc.DBAPIError)):
            _logger.exception("load(): record %s of %s failed", index, self.model._name)
        text = str(exc.message if isinstance(exc, UserError) else exc)
        if isinstance(exc, sa.exc.DBAPIError):
            text = str(getattr(exc, "orig", exc)).splitlines()[0]
        self._error(index, start, end, text)


def _message(env, text, index=None, start=None, end=None, column=None, field=None):
    message = {"type": "error", "message": text, "record": index}
    if start is not None:
        message["rows"] = {"from": start, "to": end}
    if column is not None:
        target = column.parent or column.field
        message["field"] = target.name if target is not None else column.path
        message["field_path"] = column.path
    elif field is not None:
        message["field"] = field.split("/")[0]
        message["field_path"] = field
    return message


# ---------------------------------------------------------------- cells
_SKIP = object()


class _CellReader:
    """Reads cells into values for one load: the user's language, time zone and lookups."""

    def __init__(self, env):
        self.env = env
        try:
            self.locale = Locale.parse(env.lang or "en_US")
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse("en_US")
        try:
            self.tz = zoneinfo.ZoneInfo(env.context.get("tz") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.tz = datetime.timezone.utc
        self._names = {}
        self._selections = {}

    def read(self, column, text, updating):
        """The value of ``text`` for ``column``; ``_SKIP`` for an empty cell of a new record."""
        field = column.field
        if not isinstance(text, str):
            text = "" if text is None or text is False else str(text)
        text = text.strip()
        if not text:
            if not updating:
                return _SKIP
            return [Command.set([])] if field.type == "many2many" else False
        comodel = self.env[field.comodel_name] if field.relational else None
        if column.kind != "value":
            find = self.by_xmlid if column.kind == "xmlid" else self.by_id
            if field.type == "many2one":
                return find(comodel, text).id
            return [Command.set([find(comodel, part).id for part in _split_list(text)])]
        reader = getattr(self, "_" + field.type, None)
        if reader is None:
            return text
        return reader(field, text)

    # ------------------------------------------------------------ scalars
    def _boolean(self, field, text):
        word = text.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ConversionError(self._("“%s” is not a yes/no value: use 1 or 0, true or false, yes or no.") % text)

    def _number(self, text, kind):
        try:
            return babel_numbers.parse_decimal(text, locale=self.locale, strict=True)
        except (babel_numbers.NumberFormatError, ValueError):
            pass
        if _NUMBER.match(text):
            return decimal.Decimal(text)
        raise ConversionError(self._("“%s” is not a number.") % text if kind == "number"
                              else self._("“%s” is not a whole number.") % text)

    def _integer(self, field, text):
        value = self._number(text, "integer")
        if value != value.to_integral_value():
            raise ConversionError(self._("“%s” is not a whole number.") % text)
        return int(value)

    def _float(self, field, text):
        return float(self._number(text, "number"))

    _monetary = _float

    def _selection(self, field, text):
        pairs = self._selection_pairs(field)
        wanted = text.casefold()
        for value, labels in pairs:
            if wanted == str(value).casefold() or wanted in labels:
                return value
        raise ConversionError(self._("“%s” is not one of the values: %s.")
                              % (text, ", ".join(sorted({labels[0] for _v, labels in pairs if labels}))))

    def _selection_pairs(self, field):
        """``[(value, [labels casefolded: the user's language first, then English])]``."""
        key = (field.model_name, field.name)
        if key not in self._selections:
            model = self.env[field.model_name]
            local = model.fields_get([field.name], ["selection"])[field.name].get("selection") or []
            english = dict(model.with_context(lang="en_US").fields_get([field.name], ["selection"])[field.name]
                           .get("selection") or [])
            self._selections[key] = [(value, [str(label).casefold(), str(english.get(value, label)).casefold()])
                                     for value, label in local]
        return self._selections[key]

    def _date(self, field, text):
        value, rest = self._date_part(text)
        if rest.strip():
            raise ConversionError(self._date_error(text))
        return value

    def _datetime(self, field, text):
        day, rest = self._date_part(text)
        match = _TIME.match(rest)
        if not match:
            raise ConversionError(self._("“%s” is not a date and time: use YYYY-MM-DD HH:MM[:SS], "
                                         "DD.MM.YYYY HH:MM or MM/DD/YYYY HH:MM.") % text)
        hour, minute, second, fraction, offset = match.groups()
        try:
            moment = datetime.datetime.combine(day, datetime.time(
                int(hour or 0), int(minute or 0), int(second or 0), int((fraction or "0").ljust(6, "0"))))
        except ValueError:
            raise ConversionError(self._("“%s” is not a valid time.") % text) from None
        moment = moment.replace(tzinfo=_offset(offset) if offset else self.tz)
        return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)

    def _date_part(self, text):
        for pattern, order in _DATE:
            match = pattern.match(text)
            if match:
                parts = dict(zip(order, map(int, match.groups())))
                try:
                    return datetime.date(parts["y"], parts["m"], parts["d"]), text[match.end():]
                except ValueError:
                    raise ConversionError(self._("“%s” is not a valid date.") % text) from None
        raise ConversionError(self._date_error(text))

    def _date_error(self, text):
        return self._("“%s” is not a date: use YYYY-MM-DD, DD.MM.YYYY or MM/DD/YYYY.") % text

    # ------------------------------------------------------------ relations
    def _many2one(self, field, text):
        return self.by_name(self.env[field.comodel_name], text, field)

    def _many2many(self, field, text):
        comodel = self.env[field.comodel_name]
        return [Command.set([self.by_name(comodel, part, field) for part in _split_list(text)])]

    def by_name(self, comodel, name, field):
        """The id of the record named ``name``: an exact match, else the only partial one."""
        key = (comodel._name, name)
        if key not in self._names:
            found = comodel.name_search(name, operator="=", limit=1)
            if not found:
                found = comodel.name_search(name, operator="ilike", limit=2)
                if len(found) > 1:
                    raise ConversionError(self._("Several records match “%s” in the field “%s”: "
                                                 "give the exact name or an external id.")
                                          % (name, self._label(field)))
            if not found:
                raise ConversionError(self._("No record found for “%s” in the field “%s”.")
                                      % (name, self._label(field)))
            self._names[key] = found[0][0]
        return self._names[key]

    def by_xmlid(self, model, text, missing_ok=False):
        """The record of external id ``text`` (``module.name`` or a bare name of ``__import__``)."""
        full = _full_xmlid(self.env, text)
        try:
            found_model, res_id, _noupdate = self.env["ir.model.data"]._xmlid_lookup(full)
        except ValueError:
            found_model = None
        record = model.browse(res_id).exists() if found_model == model._name else None
        if record:
            return record
        if missing_ok and found_model in (None, model._name):
            return None
        if found_model not in (None, model._name):
            raise ConversionError(self._("The external id “%s” is a record of %s, not of %s.")
                                  % (text, found_model, model._name))
        raise ConversionError(self._("No record found for the external id “%s”.") % text)

    def by_id(self, model, text):
        if not text.isdigit():
            raise ConversionError(self._("“%s” is not a database id.") % text)
        record = model.browse(int(text)).exists()
        if not record:
            raise ConversionError(self._("No record of %s has the database id %s.") % (model._name, text))
        return record

    def _label(self, field):
        return self.env[field.model_name].fields_get([field.name], ["string"])[field.name]["string"]

    def _(self, message):
        return _text(self.env, message)


# ---------------------------------------------------------------- helpers
def _text(env, message):
    """``message`` in the user's language (the base addon's catalog holds the ORM's terms)."""
    return translate(message, env.lang, ("base",))


def _filled(cell):
    return cell is not None and cell is not False and str(cell).strip() != ""


def _clean(cell):
    return "" if cell is None or cell is False else str(cell).strip()


def _split_list(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _full_xmlid(env, text):
    if not _XMLID.match(text):
        raise ConversionError(_text(env, "The external id “%s” contains spaces.") % text)
    return text if "." in text else f"{IMPORT_MODULE}.{text}"


def _offset(text):
    if text == "Z":
        return datetime.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
