"""The CSV import of a window's model: upload, map the columns, test, import.

Routes, under both window prefixes ``/web/action/<id>`` and ``/web/model/<model>`` (W):

- ``GET W/import``: the upload form; with ``created`` / ``updated`` in the query, the
  result of the import just done, with a link to the list;
- ``POST W/import`` (multipart, ``file``): the file is checked, kept as a private
  attachment of the user, and the browser is sent to its mapping page;
- ``GET W/import/<upload>``: the file's preview and its columns mapped to fields (guessed,
  or as the query says: ``map`` per column, ``encoding``, ``separator``, ``quote``,
  ``header``);
- ``POST W/import/<upload>`` with ``action=test``: a dry run listing every error with its
  line and column; with ``action=import``: the load in the request's transaction, every
  line or none, then the result page (the file is deleted).

Reading files and mapping columns is ``csv_import.py``; converting and writing rows is
the ORM's ``load``.  Everything runs as the user: access rights and record rules apply.
"""
from werkzeug.utils import redirect

from core.exceptions import UserError
from core.http import Controller, request, route
from core.models.load import BATCH

from .. import csv_import
from ..formatting import Formatter
from ..window import Window, breadcrumbs, window_paths
from .home import render_page

ACTIONS = ("test", "import", "preview")


def open_window(action_id, model, params):
    return Window.from_request(request.env, action_id, model, params)


def _count(text):
    return int(text) if str(text or "").isdigit() else None


class ImportView(Controller):

    # ------------------------------------------------------------ upload
    @route(window_paths("/import"), methods=["GET", "POST"], auth="user")
    def import_upload(self, action_id=None, model=None, **params):
        window = open_window(action_id, model, params)
        fmt = Formatter(window.env)
        if request.method == "POST":
            try:
                upload_id = self._store(window, fmt)
            except UserError as exc:
                return self._upload_page(window, fmt, error=str(exc), status=400)
            return redirect(window.url(suffix=f"/import/{upload_id}"), 303)
        created, updated = _count(params.get("created")), _count(params.get("updated"))
        if created is not None or updated is not None:
            return render_page("web/import_done.html", {
                "crumbs": self._crumbs(window, fmt), "created": created or 0, "updated": updated or 0,
            }, window=window)
        return self._upload_page(window, fmt)

    def _store(self, window, fmt):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise UserError(fmt._("Choose a CSV file to upload."))
        raw = upload.read(csv_import.MAX_SIZE + 1)
        csv_import.CsvFile(raw, fmt)            # refuse at once what cannot be read
        return csv_import.store_upload(window.env, window.model, upload.filename, raw)

    def _upload_page(self, window, fmt, error=None, status=200):
        return render_page("web/import.html", {
            "crumbs": self._crumbs(window, fmt), "error": error,
            "max_mb": csv_import.MAX_SIZE // (1024 * 1024),
        }, window=window, status=status)

    def _crumbs(self, window, fmt):
        return breadcrumbs(window.env, window.url(), fmt._("Import"))

    # ------------------------------------------------------------ mapping, test, import
    @route(window_paths("/import/<int:upload_id>"), methods=["GET", "POST"], auth="user")
    def import_file(self, action_id=None, model=None, upload_id=None, **params):
        window = open_window(action_id, model, params)
        fmt = Formatter(window.env)
        values = request.values
        attachment = csv_import.find_upload(window.env, window.model, upload_id, fmt)
        csv_file = csv_import.CsvFile(
            attachment.raw, fmt, encoding=values.get("encoding") or None,
            separator=_separator(values.get("separator")), quote=values.get("quote") or None,
            header=values.get("header", "1") == "1")
        field_map = csv_import.FieldMap(window.records, fmt)
        paths = self._paths(values, csv_file, field_map)
        action = values.get("action") if request.method == "POST" else None
        result = messages = None
        if action in ("test", "import"):
            result = csv_import.run_import(window.records, csv_file, paths, action == "test", fmt)
            messages = csv_import.describe_messages(result, csv_file, paths, field_map)
            if action == "import" and not result.errors:
                attachment.unlink()
                return redirect(window.url(suffix="/import", created=str(result.created),
                                           updated=str(result.updated)), 303)
        return render_page("web/import_map.html", {
            "crumbs": self._crumbs(window, fmt),
            "upload_id": upload_id, "filename": attachment.name, "csv": csv_file,
            "columns": self._columns(csv_file, paths),
            "choices": field_map.choices, "preview": csv_file.rows[:csv_import.PREVIEW_ROWS],
            "separators": csv_import.SEPARATOR_LABELS, "encodings": csv_import.ENCODINGS,
            "action": action, "result": result, "messages": messages,
            "large": len(csv_file.rows) >= csv_import.LARGE_FILE, "batch": BATCH,
        }, window=window, status=400 if result is not None and result.errors else 200)

    def _paths(self, values, csv_file, field_map):
        """The field path of each column: as the form maps them, else guessed from the header."""
        width = max(csv_file.width, len(csv_file.header))
        chosen = values.getlist("map")
        if len(chosen) == width:
            allowed = field_map.labels
            return [path if path in allowed else "" for path in chosen]
        guessed = field_map.guess_all(csv_file.header) if csv_file.has_header else []
        return (guessed + [""] * width)[:width]

    def _columns(self, csv_file, paths):
        """``[(index, header, samples, path)]`` of each column of the file."""
        columns = []
        for index, path in enumerate(paths):
            header = csv_file.header[index] if index < len(csv_file.header) else ""
            samples = [row[index] for row in csv_file.rows[:3] if index < len(row) and row[index].strip()]
            columns.append((index, header, samples, path))
        return columns


def _separator(value):
    return "\t" if value == "tab" else (value or None)
