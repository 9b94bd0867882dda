"""Attachments: files (or URLs) attached to any record, stored in a filestore.

Storage
-------
Content lives in a content-addressed filestore,
``<data dir>/filestore/<database>/<sha1[:2]>/<sha1>``; ``store_fname`` holds the
relative path and ``checksum`` the SHA-1.  Equal contents share one file.  With the
system parameter ``ir_attachment.location`` set to ``db`` new content goes to the
``db_datas`` column instead; rows without ``store_fname`` are always read from there.

Files and transactions: a file is written while the transaction that refers to it
runs (after its row is inserted or updated), and deleted only after the commit of
the transaction that removed the last reference to it — checked again, in a fresh
transaction that locks out writers of ``ir_attachment`` (PostgreSQL: ``LOCK TABLE
... IN SHARE MODE``; SQLite: the database write lock), so a concurrent transaction
that is about to reuse the same content cannot lose it.  A rollback deletes nothing;
a file written by a transaction that rolled back stays on disk as garbage until
``_gc_file_store`` (meant for a daily cron) removes unreferenced files.

Access
------
An attachment follows the record it is attached to (``res_model`` / ``res_id``):
reading it needs read access to that record, and creating, changing or deleting it
needs write access there.  Attachments attached to no record are private to the
user who created them, unless ``public`` (readable by everyone); administrators
(``base.group_system``) and the superuser see all.  Attachments of binary fields
(``res_field`` set) are left out of searches unless the domain names ``res_field``
or ``id``, and only administrators reach them directly.
"""
import base64
import hashlib
import logging
import mimetypes
import os
import re
import tempfile
import uuid
from collections import defaultdict

import sqlalchemy as sa

from core import _, api, fields, models
from core.api import SUPERUSER_ID, Environment
from core.exceptions import AccessError
from core.fields.binary import human_size

_logger = logging.getLogger(__name__)

_FNAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{40}$")
#: mimetypes a browser would run: only administrators may upload them as such
_ACTIVE_MIMETYPES = ("html", "javascript", "ecmascript", "xml", "svg")
#: (magic bytes at the start, mimetype) for content without a telling name
_MAGIC = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"{\\rtf", "application/rtf"),
]


def guess_mimetype(raw, default="application/octet-stream"):
    """The mimetype of ``raw`` bytes from their first bytes (no name needed)."""
    if not raw:
        return default
    for magic, mimetype in _MAGIC:
        if raw.startswith(magic):
            return mimetype
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    head = raw[:1024].lstrip()
    if head[:5].lower() == b"<?xml" or head[:4].lower() == b"<svg":
        return "image/svg+xml" if b"<svg" in head.lower() else "application/xml"
    if head[:14].lower() == b"<!doctype html" or head[:5].lower() == b"<html":
        return "text/html"
    try:
        raw[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 4090:  # not just a character cut at the end of the sample
            return default
    return "text/plain" if b"\x00" not in raw[:4096] else default


class _RawBinary(fields.Binary):
    """Binary content that records show as bytes (``datas`` shows it in base64).

    ``read()`` gives base64 text, as for every binary field, so that clients can
    carry it in JSON or XML-RPC.
    """

    def convert_to_cache(self, value, record, validate=True):
        if not value:
            return None
        if isinstance(value, str):
            return value.encode()
        return bytes(value)

    def convert_to_record(self, value, record):
        if value is None:
            return False
        if record is not None and record.env.context.get("bin_size"):
            return human_size(len(value))
        return value

    def convert_to_read(self, value, record, use_display_name=True):
        if isinstance(value, bytes):
            return base64.b64encode(value).decode()
        return value


class IrAttachment(models.Model):
    _name = "ir.attachment"
    _description = "Attachment"
    _order = "id desc"

    name = fields.Char(required=True)
    description = fields.Text()
    res_model = fields.Char(string="Resource Model", index=True,
                            help="The model of the record this attachment belongs to")
    res_id = fields.Integer(string="Resource ID", index=True,
                            help="The id of the record this attachment belongs to")
    res_field = fields.Char(string="Resource Field", index=True,
                            help="Set when the attachment holds the value of a binary field")
    company_id = fields.Many2one("res.company", string="Company",
                                 default=lambda self: self._default_company_id())
    type = fields.Selection([("url", "URL"), ("binary", "File")], required=True, default="binary",
                            help="A file stored by the server, or a link to a URL")
    url = fields.Char(string="Url", index=True, size=1024)
    public = fields.Boolean(string="Is public document")
    access_token = fields.Char(string="Access Token", groups="base.group_user")

    datas = fields.Binary(string="File Content (base64)", compute="_compute_raw",
                          inverse="_inverse_datas")
    raw = _RawBinary(string="File Content (raw)", compute="_compute_raw", inverse="_inverse_raw")
    db_datas = fields.Binary(string="Database Data")
    store_fname = fields.Char(string="Stored Filename", index=True)
    file_size = fields.Integer(string="File Size", readonly=True)
    checksum = fields.Char(string="Checksum/SHA1", size=40, index=True, readonly=True)
    mimetype = fields.Char(string="Mime Type", readonly=True)

    #: computed from the content; never taken from callers
    _CONTENT_FIELDS = ("file_size", "checksum", "store_fname", "db_datas")

    def _default_company_id(self):
        ids = self.env.context.get("allowed_company_ids")
        if ids:
            return ids[0]
        user = self.env["res.users"].sudo().browse(self.env.uid).exists()
        return user.company_id.id if user else False

    # ------------------------------------------------------------ filestore
    @api.model
    def _storage(self):
        return self.env["ir.config_parameter"].sudo().get_param("ir_attachment.location", "file")

    @api.model
    def _filestore(self):
        """The folder of this database's files."""
        registry = self.env.registry
        data_dir = registry.data_dir or os.environ.get("TESSERA_DATA_DIR") \
            or os.path.join(tempfile.gettempdir(), "tessera")
        db_name = registry.db_name
        if not db_name:
            url = sa.make_url(registry.db_uri)
            if url.get_backend_name() == "sqlite":
                # several SQLite files may share a name: tell them apart by their path
                path = os.path.abspath(url.database or "memory")
                stem = os.path.splitext(os.path.basename(path))[0]
                db_name = f"{stem}-{hashlib.sha1(path.encode()).hexdigest()[:8]}"
            else:
                db_name = url.database
        return os.path.join(data_dir, "filestore", db_name)

    @api.model
    def _full_path(self, fname):
        if not _FNAME.match(fname or ""):
            raise ValueError(f"ir.attachment: {fname!r} is not a filestore name (xx/<sha1>)")
        return os.path.join(self._filestore(), fname)

    @api.model
    def _file_read(self, fname):
        try:
            with open(self._full_path(fname), "rb") as file:
                return file.read()
        except (OSError, ValueError):
            _logger.warning("ir.attachment: cannot read file %r of the filestore %s",
                            fname, self._filestore(), exc_info=True)
            return b""

    @api.model
    def _file_write(self, fname, raw):
        """Make sure the file ``fname`` holds ``raw`` (written atomically, once per content)."""
        path = self._full_path(fname)
        if os.path.exists(path):
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temp = f"{path}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temp, "wb") as file:
                file.write(raw)
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise

    @staticmethod
    def _compute_checksum(raw):
        return hashlib.sha1(raw or b"").hexdigest()

    def _content_values(self, raw):
        """Column values for content ``raw``, and the file to write once the row is saved."""
        checksum = self._compute_checksum(raw)
        values = {"file_size": len(raw), "checksum": checksum, "store_fname": False, "db_datas": False}
        if raw and self._storage() != "db":
            values["store_fname"] = f"{checksum[:2]}/{checksum}"
            return values, (values["store_fname"], raw)
        values["db_datas"] = base64.b64encode(raw) if raw else False
        return values, None

    def _write_files(self, files):
        # after the INSERT / UPDATE: this transaction now holds a lock that keeps the
        # file collector out until it commits (see the module docstring)
        for fname, raw in files:
            self._file_write(fname, raw)

    def _collect_after_commit(self, fnames):
        """Delete the files ``fnames`` after commit if no attachment refers to them any more."""
        fnames = frozenset(f for f in fnames if f)
        if not fnames:
            return
        registry = self.env.registry

        def collect():
            try:
                with registry.cursor() as cr:
                    Environment(cr, SUPERUSER_ID, {})["ir.attachment"]._gc_files(fnames)
            except sa.exc.DBAPIError as exc:
                # e.g. a long transaction kept writing attachments past the lock timeout
                _logger.info("ir.attachment: %d file(s) left for _gc_file_store (%s)",
                             len(fnames), str(exc.orig).strip().splitlines()[0])

        self.env.cr.after_commit(collect)

    def _lock_out_writers(self):
        """Wait until no transaction writes ``ir_attachment`` and keep it so until commit.

        Plain SQL: table locks are not something the ORM offers.  Must be the first
        statement of the transaction, so that what it reads next includes the
        commits it waited for.
        """
        cr = self.env.cr
        if cr.dialect == "postgresql":
            cr.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            cr.execute(sa.text(f'LOCK TABLE "{self._table}" IN SHARE MODE'))
        else:
            # an UPDATE that changes nothing still takes SQLite's write lock
            table = self._sql_table
            cr.execute(sa.update(table).where(sa.false()).values(id=table.c.id))

    def _referenced(self, fnames):
        table = self._sql_table
        fnames = list(fnames)
        found = set()
        for start in range(0, len(fnames), 500):
            found.update(self.env.cr.execute(
                sa.select(table.c.store_fname).where(table.c.store_fname.in_(fnames[start:start + 500]))
            ).scalars())
        return found

    def _gc_files(self, fnames):
        """Delete those of ``fnames`` that no attachment refers to.

        Runs in a transaction of its own (the after-commit callback opens one): the
        lock must be its first statement.
        """
        self._lock_out_writers()
        return self._delete_unreferenced(fnames)

    def _delete_unreferenced(self, fnames):
        unused = set(fnames) - self._referenced(fnames)
        for fname in sorted(unused):
            try:
                os.unlink(self._full_path(fname))
            except FileNotFoundError:
                pass
            except (OSError, ValueError):
                _logger.warning("ir.attachment: cannot delete file %r", fname, exc_info=True)
        return unused

    @api.model
    def _gc_file_store(self):
        """Delete every file of the filestore that no attachment refers to; returns their count.

        This removes what transactions that rolled back left behind (meant for a
        daily cron).  It works in a transaction of its own, which waits until no
        transaction writes attachments and keeps them out while it runs: the calling
        transaction must not have written attachments itself.
        """
        if not self.env.su:
            raise AccessError(_("Only the superuser may clean up the filestore."))
        root = self._filestore()
        if not os.path.isdir(root):
            return 0
        removed = 0
        with self.env.registry.cursor() as cr:
            attachments = Environment(cr, SUPERUSER_ID, {})["ir.attachment"]
            attachments._lock_out_writers()
            for prefix in sorted(os.listdir(root)):
                folder = os.path.join(root, prefix)
                if not (len(prefix) == 2 and os.path.isdir(folder)):
                    continue
                names = sorted(os.listdir(folder))
                for name in names:
                    if name.endswith(".tmp"):  # a write cut short: writers are locked out now
                        os.unlink(os.path.join(folder, name))
                        removed += 1
                candidates = {f"{prefix}/{name}" for name in names if _FNAME.match(f"{prefix}/{name}")}
                removed += len(attachments._delete_unreferenced(candidates))
        return removed

    # ------------------------------------------------------------ content fields
    @api.depends("store_fname", "db_datas")
    def _compute_raw(self):
        cache = self.env.transaction.cache
        raw_field, datas_field = self._fields["raw"], self._fields["datas"]
        db_datas = self._fields["db_datas"]
        for attachment in self:
            if attachment.store_fname:
                raw = attachment._file_read(attachment.store_fname)
            else:
                # the cache holds db_datas as bytes; the record would show base64
                raw = attachment._get_value(db_datas)
            # both fields hold the raw bytes in the cache; only what records see differs
            cache.set(raw_field, attachment.id, raw or None)
            cache.set(datas_field, attachment.id, raw or None)

    # create() and write() take ``raw`` / ``datas`` out of the values and store them
    # themselves; the inverses only serve code that reaches them another way
    def _inverse_raw(self):
        self._write_content_from_cache(self._fields["raw"])

    def _inverse_datas(self):
        self._write_content_from_cache(self._fields["datas"])

    def _write_content_from_cache(self, field):
        cache = self.env.transaction.cache
        for attachment in self:
            attachment.write({"raw": cache.get(field, attachment.id) or b""})

    def _mimetype_of(self, vals, raw):
        """The mimetype of new content: given, else from the name, the URL, the bytes."""
        mimetype = vals.get("mimetype")
        if not mimetype and vals.get("name"):
            mimetype = mimetypes.guess_type(vals["name"])[0]
        if not mimetype and vals.get("url"):
            mimetype = mimetypes.guess_type(vals["url"].split("?")[0])[0]
        if not mimetype and raw is not None:
            mimetype = guess_mimetype(raw)
        return mimetype or "application/octet-stream"

    def _check_contents(self, mimetype):
        """Active content (HTML, SVG, XML…) from non-administrators is served as text."""
        if mimetype and any(kind in mimetype.lower() for kind in _ACTIVE_MIMETYPES) \
                and not self._is_system():
            return "text/plain"
        return mimetype

    def _raw_from_vals(self, vals):
        """Pop ``raw`` / ``datas`` from ``vals``: the raw bytes, or None if neither was given."""
        if "raw" not in vals and "datas" not in vals:
            return None
        raw, datas = vals.pop("raw", None), vals.pop("datas", None)
        if raw:
            return self._fields["raw"].convert_to_cache(raw, self) or b""
        return self._fields["datas"].convert_to_cache(datas, self) or b""

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        prepared, files = [], []
        for vals in vals_list:
            vals = {k: v for k, v in vals.items() if k not in self._CONTENT_FIELDS}
            raw = self._raw_from_vals(vals)
            if raw is not None:
                values, file = self._content_values(raw)
                vals.update(values)
                if file:
                    files.append(file)
            if raw is not None or "mimetype" in vals or vals.get("name") or vals.get("url"):
                vals["mimetype"] = self._check_contents(self._mimetype_of(vals, raw))
            self._check_document_values("create", vals)
            prepared.append(vals)
        records = super().create(prepared)
        self._write_files(files)
        return records

    def write(self, vals):
        if not self._ids:
            return True
        vals = {k: v for k, v in vals.items() if k not in self._CONTENT_FIELDS}
        if "res_model" in vals or "res_id" in vals:
            for attachment in self.sudo():
                self._check_document_values("write", {
                    "res_model": vals.get("res_model", attachment.res_model),
                    "res_id": vals.get("res_id", attachment.res_id)})
        raw = self._raw_from_vals(vals)
        if "mimetype" in vals:
            vals["mimetype"] = self._check_contents(vals["mimetype"])
        if raw is None:
            return super().write(vals)
        old = {fname for fname in self.sudo().mapped("store_fname") if fname}
        values, file = self._content_values(raw)
        if "mimetype" not in vals:
            name = vals.get("name") or (self.name if len(self) == 1 else None)
            vals["mimetype"] = self._check_contents(self._mimetype_of({"name": name}, raw))
        super().write(dict(vals, **values))
        self._write_files([file] if file else [])
        self._collect_after_commit(old - {values["store_fname"]})
        return True

    def unlink(self):
        if not self._ids:
            return True
        fnames = {fname for fname in self.sudo().mapped("store_fname") if fname}
        result = super().unlink()
        self._collect_after_commit(fnames)
        return result

    def copy(self, default=None):
        self.ensure_one()
        default = dict(default or {})
        if "raw" not in default and "datas" not in default:
            default["raw"] = self.raw or b""
        return super().copy(default)

    # ------------------------------------------------------------ access
    def _is_system(self):
        """Superuser or administrator; without a security layer only the superuser."""
        if self.env.su:
            return True
        return self.env.registry.group_checker is not None and self._user_in_groups("base.group_system")

    def _check_access(self, operation):
        super()._check_access(operation)
        if self._ids and not self.env.su:
            self._check_documents(operation)

    def _check_documents(self, operation):
        """Raise AccessError unless the user may ``operation`` these attachments."""
        mode = "read" if operation == "read" else "write"
        system = self._is_system()
        by_model = defaultdict(set)
        for row in self._access_rows(self._ids):
            if row.public and mode == "read":
                continue
            if row.res_field and not system:
                raise AccessError(_("Sorry, you are not allowed to access the attachment %s directly: "
                                    "it holds a field of %s.") % (row.id, row.res_model))
            if row.res_model and row.res_id:
                by_model[row.res_model].add(row.res_id)
            elif not system and row.create_uid != self.env.uid:
                raise AccessError(_("Sorry, you are not allowed to access the attachment %s: it is "
                                    "attached to no document and belongs to another user.") % row.id)
        for res_model, res_ids in by_model.items():
            self._check_document(res_model, res_ids, mode, system)

    def _check_document_values(self, operation, vals):
        """Creating or moving an attachment onto a document needs write access to it."""
        if self.env.su:
            return
        res_model, res_id = vals.get("res_model"), vals.get("res_id")
        if res_model and res_id:
            self._check_document(res_model, {res_id}, "write", self._is_system())
        elif res_model and res_model in self.env:
            self.env[res_model]._check_access("write")

    def _check_document(self, res_model, res_ids, mode, system):
        if res_model not in self.env:
            # the model was uninstalled: only administrators may still reach these files
            if not system:
                raise AccessError(_("Sorry, you are not allowed to access attachments of %s.") % res_model)
            return
        records = self.env[res_model].browse(sorted(res_ids)).exists()
        records._check_access(mode)

    def _access_rows(self, ids):
        table = self._sql_table
        rows = []
        for start in range(0, len(ids), 1000):
            rows += self.env.cr.execute(
                sa.select(table.c.id, table.c.res_model, table.c.res_id, table.c.res_field,
                          table.c.public, table.c.create_uid)
                .where(self._id_in(table.c.id, ids[start:start + 1000]))).all()
        return rows

    def _filter_readable(self, ids):
        """The ids among ``ids`` whose attachments the user may read, in the same order."""
        system = self._is_system()
        allowed, by_model = set(), defaultdict(lambda: defaultdict(list))
        for row in self._access_rows(list(ids)):
            if row.public:
                allowed.add(row.id)
            elif row.res_field and not system:
                continue
            elif row.res_model and row.res_id:
                by_model[row.res_model][row.res_id].append(row.id)
            elif system or row.create_uid == self.env.uid:
                allowed.add(row.id)
        for res_model, targets in by_model.items():
            for res_id in self._readable_ids(res_model, list(targets), system):
                allowed.update(targets[res_id])
        return [i for i in ids if i in allowed]

    def _readable_ids(self, res_model, res_ids, system):
        if res_model not in self.env:
            return res_ids if system else []
        model = self.env[res_model].with_context(active_test=False)
        try:
            model._check_access("read")
        except AccessError:
            return []
        records = model.search([("id", "in", res_ids)])  # record rules apply here
        try:
            records._check_access("read")
            return records._ids
        except AccessError:
            readable = []
            for record in records:
                try:
                    record._check_access("read")
                    readable.append(record.id)
                except AccessError:
                    pass
            return readable

    @staticmethod
    def _with_res_field_default(domain):
        """Binary field attachments stay out of searches unless asked for."""
        domain = list(domain or [])
        if not any(isinstance(term, (list, tuple)) and term and str(term[0]).split(".")[0]
                   in ("id", "res_field") for term in domain):
            domain.append(("res_field", "=", False))  # the top level of a domain is an AND
        return domain

    def search(self, domain=None, offset=0, limit=None, order=None):
        domain = self._with_res_field_default(domain)
        if self.env.su:
            return super().search(domain, offset=offset, limit=limit, order=order)
        # keep the attachments the user may read; fetch more when filtering shrank a page
        offset, visible, db_offset = offset or 0, [], 0
        chunk = max((limit or 0) + offset, 200) if limit else None
        while True:
            found = super().search(domain, offset=db_offset, limit=chunk, order=order)
            visible += self._filter_readable(found._ids)
            if chunk is None or len(found) < chunk or len(visible) >= offset + limit:
                break
            db_offset += chunk
        visible = visible[offset:offset + limit] if limit else visible[offset:]
        return self.browse(visible)

    def search_count(self, domain=None, limit=None):
        if self.env.su:
            return super().search_count(self._with_res_field_default(domain), limit=limit)
        return len(self.search(domain, limit=limit))
