"""CSV files to import into a window's model: reading them, guessing their dialect and
their columns, keeping them between the steps of the import page, and the load.

It owns what is particular to files; the rows become records through the ORM's
``load`` (core/models/load.py: every conversion, all or nothing).  The routes and
pages are in ``controllers/importview.py`` and ``templates/web/import*.html``.

Reading a file
--------------
- size: at most :data:`MAX_SIZE` bytes;
- encoding: UTF-8 (with or without a byte order mark) when the bytes are valid
  UTF-8, else Windows-1252 (what Excel writes in western Europe), else ISO-8859-1
  (Latin-1, which reads any byte); the page says which, and the user may choose;
- separator: the one among ``,`` ``;`` tab ``|`` that cuts the first lines into the
  same number of columns (more than one), else what ``csv.Sniffer`` finds, else a
  comma; quote character ``"`` unless the sniffer sees ``'``;
- the first line holds the column names (unless the user says it does not).

Columns to fields
-----------------
A header names a field by its technical name, or by its label in English or in the
user's language, ignoring case and spaces; ``/`` separates a field from the field of
its lines (``line_ids/product``, ``Lines / Product``) or from ``id`` / ``External
ID`` and ``.id`` / ``Database ID`` (what the CSV export writes).  A header matching
nothing is not imported unless the user maps it.

Between the steps
-----------------
The uploaded file is kept as an attachment of the user (attached to no record, so
private to them; marked with :data:`MARK`), found again by its id, which must be one
of the user's import files of the same model; a client never sends a path.  The file
is deleted once imported; files older than :data:`KEEP_HOURS` are deleted on upload.
"""
import csv
import datetime
import io
import re

from core.exceptions import UserError
from core.fields import Datetime
from core.models.load import importable_fields

from .formatting import _t

MAX_SIZE = 10 * 1024 * 1024
PREVIEW_ROWS = 5
#: from this many lines on, the page says the file is imported by batches
LARGE_FILE = 2000
SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_LABELS = {",": _t("Comma"), ";": _t("Semicolon"), "\t": _t("Tab"), "|": _t("Vertical bar")}
ENCODINGS = {"utf-8-sig": _t("UTF-8 with byte order mark"), "utf-8": _t("UTF-8"),
             "cp1252": _t("Windows-1252"), "latin-1": _t("ISO-8859-1 (Latin-1)")}
MARK = "tessera csv import"
KEEP_HOURS = 24


# ---------------------------------------------------------------- reading
def decode(raw, fmt, encoding=None):
    """``(text, encoding)`` of the bytes ``raw``: in ``encoding``, else the first that reads them."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            raise UserError(fmt._("The file cannot be read as %s.") % fmt._(ENCODINGS.get(encoding, encoding))) \
                from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    for name in ("utf-8", "cp1252"):
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def detect_dialect(text):
    """``(separator, quote character)`` of the CSV ``text`` (see the module's docstring)."""
    sample = "\n".join(text.splitlines()[:20])
    best, best_width = None, 1
    for separator in SEPARATORS:
        widths = {len(row) for row in csv.reader(io.StringIO(sample), delimiter=separator) if row}
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = separator, width
    quote = '"'
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(SEPARATORS))
        quote = sniffed.quotechar if sniffed.quotechar in ('"', "'") else '"'
        best = best or sniffed.delimiter
    except csv.Error:
        pass
    if quote == "'" and "'" not in sample:
        quote = '"'
    return best or ",", quote


def check_size(raw, fmt):
    if len(raw) > MAX_SIZE:
        raise UserError(fmt._("The file is too large: at most %s MB.") % (MAX_SIZE // (1024 * 1024)))


class CsvFile:
    """A decoded CSV file cut into rows, each with the line of the file it starts on."""

    def __init__(self, raw, fmt, encoding=None, separator=None, quote=None, header=True):
        self.fmt = fmt
        check_size(raw, fmt)
        self.text, self.encoding = decode(raw, fmt, encoding if encoding in ENCODINGS else None)
        detected = detect_dialect(self.text)
        self.separator = separator if separator in SEPARATORS else detected[0]
        self.quote = quote if quote in ('"', "'") else detected[1]
        self.has_header = header
        self.rows, self.lines = self._parse()
        if not self.rows:
            raise UserError(fmt._("The file is empty."))
        self.header = self.rows[0] if header else [fmt._("Column %s") % (i + 1) for i in range(self.width)]
        if header:
            self.rows, self.lines = self.rows[1:], self.lines[1:]

    def _parse(self):
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.separator, quotechar=self.quote)
        rows, lines = [], []
        start = 1
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(row)
                    lines.append(start)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise UserError(self.fmt._("The file is not valid CSV near line %(line)s: %(error)s")
                            % {"line": reader.line_num, "error": exc}) from None
        return rows, lines

    @property
    def width(self):
        return max((len(row) for row in self.rows), default=0)

    def line_of(self, row_index):
        """The line of the file where data row ``row_index`` starts."""
        return self.lines[row_index] if 0 <= row_index < len(self.lines) else None


# ---------------------------------------------------------------- columns to fields
def _norm(text):
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


class FieldMap:
    """The columns a file of ``model`` may fill, and the guess of each header's column."""

    def __init__(self, model, fmt):
        self.model = model
        self.fmt = fmt
        self.choices = self._choices()
        self.labels = dict(self.choices)

    def _fields(self, model):
        """``{name: (label in the user's language, English label, field)}`` of the importable fields."""
        local = model.fields_get(attributes=["string"])
        english = model.with_context(lang="en_US").fields_get(attributes=["string"])
        return {name: (local.get(name, {}).get("string") or name,
                       english.get(name, {}).get("string") or name, field)
                for name, field in importable_fields(model).items() if name in local}

    def _choices(self):
        """``[(path, label)]`` sorted by label: fields, their external / database ids, line fields."""
        _ = self.fmt._
        xid, dbid = _("External ID"), _("Database ID")
        options = []
        for name, (label, _english, field) in self._fields(self.model).items():
            if field.type == "one2many":
                comodel = self.model.env[field.comodel_name]
                for sub, (sub_label, _e, sub_field) in self._fields(comodel).items():
                    if sub != field.inverse_name and sub_field.type != "one2many":
                        options.append((f"{name}/{sub}", f"{label} / {sub_label}"))
                continue
            options.append((name, label))
            if field.type in ("many2one", "many2many"):
                options += [(f"{name}/id", f"{label} / {xid}"), (f"{name}/.id", f"{label} / {dbid}")]
        options.sort(key=lambda item: item[1].casefold())
        return [("id", xid), (".id", dbid)] + options

    def guess(self, header):
        """The path ``header`` names, or "" (not imported)."""
        text = str(header or "").strip()
        if text in self.labels:
            return text
        parts = [_norm(part) for part in text.split("/")]
        path = self._resolve(self.model, parts)
        return path if path in self.labels else ""

    def guess_all(self, headers):
        """The guess of every header; a path guessed twice is kept for its first header only."""
        seen, result = set(), []
        for header in headers:
            path = self.guess(header)
            result.append("" if path in seen else path)
            seen.add(path)
        return result

    def _resolve(self, model, parts):
        ids = {_norm("id"), _norm("External ID"), _norm(self.fmt._("External ID"))}
        dbids = {_norm(".id"), _norm("Database ID"), _norm(self.fmt._("Database ID"))}
        if len(parts) == 1 and parts[0] in ids | dbids:
            return "id" if parts[0] in ids else ".id"
        name = self._field_named(model, parts[0])
        if not name or len(parts) == 1:
            return name or ""
        field = model._fields[name]
        if len(parts) == 2 and field.type in ("many2one", "many2many") and parts[1] in ids | dbids:
            return f"{name}/id" if parts[1] in ids else f"{name}/.id"
        if field.type == "one2many" and len(parts) == 2:
            sub = self._field_named(model.env[field.comodel_name], parts[1])
            return f"{name}/{sub}" if sub else ""
        return ""

    def _field_named(self, model, text):
        """The importable field of ``model`` whose name or label is ``text`` (normalised)."""
        fields = self._fields_of(model)
        for name, (label, english, _field) in fields.items():
            if text == name.casefold():
                return name
        for name, (label, english, _field) in fields.items():
            if text in (_norm(label), _norm(english)):
                return name
        return None

    def _fields_of(self, model):
        cache = self.__dict__.setdefault("_cache", {})
        if model._name not in cache:
            cache[model._name] = self._fields(model)
        return cache[model._name]


# ---------------------------------------------------------------- the load
def run_import(model, csv_file, paths, dry_run, fmt):
    """Load ``csv_file``'s rows into the columns ``paths`` ("" skips one): a ``LoadResult``.

    A dry run is rolled back whatever happens (``import_dryrun``); a real one stays in
    the request's transaction when it has no error.
    """
    if not any(paths):
        raise UserError(fmt._("Choose the field of at least one column."))
    width = len(paths)
    rows = [(row + [""] * width)[:width] for row in csv_file.rows]
    if dry_run:
        model = model.with_context(import_dryrun=True)
    return model._load_rows(list(paths), rows)


def describe_messages(result, csv_file, paths, field_map):
    """The messages of a load for people: ``[(line or None, column label or None, text)]``
    in the order of the file."""
    columns = {path: csv_file.header[i] if i < len(csv_file.header) else path
               for i, path in enumerate(paths) if path}
    described = []
    for message in result.messages:
        rows = message.get("rows")
        line = csv_file.line_of(rows["from"]) if rows else None
        path = message.get("field_path")
        column = columns.get(path) or field_map.labels.get(path) or message.get("field")
        described.append((line, column, message["message"]))
    described.sort(key=lambda item: (item[0] is not None, item[0] or 0))
    return described


# ---------------------------------------------------------------- the file between steps
def store_upload(env, model_name, filename, raw):
    """Keep the uploaded file for the next steps: the id of a private attachment of the user."""
    forget_old_uploads(env)
    attachment = env["ir.attachment"].create({
        "name": (filename or "import.csv")[:200], "raw": raw, "description": f"{MARK}: {model_name}",
        "res_model": False, "res_id": False, "public": False,
    })
    return attachment.id


def find_upload(env, model_name, upload_id, fmt):
    """The user's uploaded file ``upload_id`` for ``model_name``, or a UserError."""
    attachment = env["ir.attachment"].sudo().browse(int(upload_id)).exists()
    if not attachment or attachment.description != f"{MARK}: {model_name}" \
            or attachment.create_uid.id != env.uid or attachment.res_model:
        raise UserError(fmt._("This file is not available any more: upload it again."))
    return attachment.with_env(env)


def forget_old_uploads(env):
    """Delete the user's import files older than :data:`KEEP_HOURS`."""
    limit = Datetime.now() - datetime.timedelta(hours=KEEP_HOURS)
    old = env["ir.attachment"].sudo().search([
        ("description", "=like", f"{MARK}: %"), ("create_uid", "=", env.uid), ("create_date", "<", limit),
        ("res_model", "=", False)])
    old.unlink()
