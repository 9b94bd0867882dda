"""CSV export of a window's records: the fields one may export, and the file.

The file is meant for spreadsheets and for other programs, so its values are
machine-readable rather than localised:

- UTF-8 with a byte order mark (Excel then reads the accents right), comma separated,
  one header row (the field labels, or the technical names with ``import_compat``);
- numbers with a dot as decimal separator and no thousands separator; floats with the
  field's digits;
- dates ``YYYY-MM-DD``; datetimes ``YYYY-MM-DD HH:MM:SS`` in UTC;
- yes/no fields ``True``/``False``; selections by their label (in the user's language);
- many2one fields by the display name of the record, or its external id with
  ``<field>/id``; many2many fields the same, comma separated;
- ``id``: the external id of the record (empty when it has none), ``.id`` its database id.

Records are read by chunks of :data:`CHUNK` (one query per column family per chunk,
never one per row), with the user's rights: access rules and record rules apply.
The page that asks what to export is ``templates/web/export.html``; the route is in
``controllers/listview.py``.
"""
import csv
import datetime
import io

from werkzeug.wrappers import Response

from core.exceptions import UserError

from .formatting import selection_of

CHUNK = 1000
NOT_EXPORTED = ("binary", "one2many", "json", "properties")


class Exporter:
    """What the user may export from ``window``'s model, and the CSV of some records."""

    def __init__(self, window, fmt):
        self.window = window
        self.fmt = fmt
        self.model = window.records
        self.descriptions = self.model.fields_get(attributes=["string", "type", "store"])

    def choices(self, preselected=()):
        """``[(key, label, checked)]``: the preselected fields first, then the rest by label."""
        _ = self.fmt._
        options = []
        for name, desc in self.descriptions.items():
            field = self.model._fields[name]
            if not field.store or field.type in NOT_EXPORTED or name == "id":
                continue
            label = desc.get("string") or name
            options.append((name, label))
            if field.type in ("many2one", "many2many"):
                options.append((f"{name}/id", f"{label} / {_('External ID')}"))
        options.sort(key=lambda item: item[1].casefold())
        options += [("id", _("External ID")), (".id", _("Database ID"))]
        labels = dict(options)
        first = [(key, labels[key], True) for key in preselected if key in labels]
        chosen = {key for key, _label, _checked in first}
        return first + [(key, label, False) for key, label in options if key not in chosen]

    def check(self, keys):
        """``keys`` if every one is exportable, else a UserError naming the first that is not."""
        allowed = {key for key, _label, _checked in self.choices()}
        for key in keys:
            if key not in allowed:
                raise UserError(self.fmt._("Cannot export “%s”: it is not an exportable field of this model.")
                                % key)
        if not keys:
            raise UserError(self.fmt._("Choose at least one field to export."))
        return keys

    def label(self, key):
        if key == "id":
            return self.fmt._("External ID")
        if key == ".id":
            return self.fmt._("Database ID")
        name, _, suffix = key.partition("/")
        label = self.descriptions.get(name, {}).get("string") or name
        return f"{label} / {self.fmt._('External ID')}" if suffix else label

    # ------------------------------------------------------------ values
    def rows(self, records, keys):
        """The rows of ``records`` (in their order), chunk by chunk."""
        selections = {key: dict(selection_of(self.model, key)) for key in keys
                      if key in self.model._fields and self.model._fields[key].type == "selection"}
        ids = list(records.ids)
        for start in range(0, len(ids), CHUNK):
            chunk = self.model.browse(ids[start:start + CHUNK])
            xmlids = self._xmlids(chunk, keys)
            for record in chunk:
                yield [self._value(record, key, selections, xmlids) for key in keys]

    def _xmlids(self, records, keys):
        """``{(model, id): 'module.name'}`` of the records and related records the keys need."""
        wanted = {}
        if "id" in keys:
            wanted.setdefault(self.model._name, set()).update(records.ids)
        for key in keys:
            name, _, suffix = key.partition("/")
            if suffix == "id":
                field = self.model._fields[name]
                wanted.setdefault(field.comodel_name, set()).update(records.mapped(name).ids)
        result = {}
        data = self.window.env["ir.model.data"]
        for model_name, ids in wanted.items():
            if not ids:
                continue
            for row in data.search_read([("model", "=", model_name), ("res_id", "in", sorted(ids))],
                                        ["module", "name", "res_id"], order="id"):
                result.setdefault((model_name, row["res_id"]), f"{row['module']}.{row['name']}")
        return result

    def _value(self, record, key, selections, xmlids):
        if key == "id":
            return xmlids.get((self.model._name, record.id), "")
        if key == ".id":
            return str(record.id)
        name, _, suffix = key.partition("/")
        field = self.model._fields[name]
        value = record[name]
        if suffix == "id":
            return ",".join(xmlids.get((field.comodel_name, r.id), "") for r in value)
        return machine_text(field, value, selections.get(name))


def machine_text(field, value, selection=None):
    """The text of a value in the file (see the module's docstring)."""
    kind = field.type
    if kind == "boolean":
        return "True" if value else "False"
    if kind == "many2one":
        return value.display_name or "" if value else ""
    if kind == "many2many":
        return ",".join(r.display_name or "" for r in value)
    if value is None or value is False:
        return ""
    if kind == "selection":
        return str((selection or {}).get(value, value))
    if kind == "integer":
        return str(int(value))
    if kind in ("float", "monetary"):
        digits = getattr(field, "digits", None)
        scale = digits[1] if isinstance(digits, (tuple, list)) else 2
        return f"{value:.{scale}f}"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_response(exporter, records, keys, import_compat=False):
    """The CSV file of ``records`` as a download named ``<model>.csv``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(keys if import_compat else [exporter.label(key) for key in keys])
    writer.writerows(exporter.rows(records, keys))
    body = "\ufeff" + buffer.getvalue()
    filename = exporter.model._name.replace("/", "_") + ".csv"
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
