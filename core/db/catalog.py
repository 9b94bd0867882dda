"""The databases one server holds, and the operations on a whole database.

A :class:`Catalog` knows where a server's databases live and lists, creates, copies,
renames, drops, dumps and restores them:

- :class:`SQLiteCatalog` keeps them as ``<folder>/<name>.sqlite3`` files;
- :class:`PostgresCatalog` keeps them on one PostgreSQL server, reached through a
  maintenance connection to its ``postgres`` database.

Each database may own a filestore, ``<data_dir>/filestore/<name>`` (where
``ir.attachment`` keeps its files): it goes with its database when the database is
copied, renamed, dropped, dumped or restored.

Database names are checked in one place, :func:`validate_name`, before they reach a
path or a ``CREATE DATABASE``; that check is what makes quoting the name as an SQL
identifier safe.  Values are always bound parameters.

A dump is a zip file holding ``manifest.json`` (backend, Tessera version, the
installed addons), the database (``db.sqlite3``, or ``dump.sql`` made by ``pg_dump``)
and ``filestore/``.  A dump restores only on the backend it was made from.

This module does not know about addons, users or registries: creating a database
makes it empty; installing addons is the module manager's job
(``core/modules/manager.py``), and closing the registries of a database before it
is dropped or renamed is the caller's (``core/rpc/db_service.py``, ``core/http``).
"""
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import zipfile

import sqlalchemy as sa

from .. import release
from ..exceptions import UserError

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
SQLITE_SUFFIX = ".sqlite3"
MANIFEST = "manifest.json"
DUMP_FORMAT = 1
BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def validate_name(name):
    """``name`` if it may name a database; else a UserError naming it.

    Letters, digits, ``_``, ``.`` and ``-``, at most 63 (PostgreSQL's limit), not
    starting with a dot or a dash: no path separators, no ``..``, nothing to quote.
    """
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise UserError(f"{name!r} is not a valid database name: use 1 to 63 letters, digits, "
                        f"'_', '.' or '-', starting with a letter or a digit.")
    return name


def catalog_for(config):
    """The catalog of the databases a :class:`core.config.Config` describes.

    SQLite (the data_dir's files) unless the configuration names a PostgreSQL server
    (``db_host``, or a ``db_uri`` on PostgreSQL, whose server and credentials are used).
    """
    data_dir = os.path.abspath(config.data_dir)
    if config.db_uri:
        url = sa.make_url(config.db_uri)
        if url.get_backend_name() == "sqlite":
            folder = os.path.dirname(os.path.abspath(url.database)) if url.database else data_dir
            return SQLiteCatalog(folder, data_dir=data_dir)
        return PostgresCatalog(url, data_dir=data_dir)
    if config.db_host:
        return PostgresCatalog(config.database_uri(), data_dir=data_dir)
    return SQLiteCatalog(data_dir)


class Catalog:
    """The databases of one server; subclasses say how a database is stored."""

    backend = None

    def __init__(self, data_dir=None):
        self.data_dir = os.path.abspath(data_dir) if data_dir else None

    # ------------------------------------------------------------ what subclasses provide
    def list(self):
        """The names of the databases, sorted."""
        raise NotImplementedError

    def exists(self, name):
        """True if database ``name`` exists; False for a name no database can have."""
        try:
            validate_name(name)
        except UserError:
            return False
        return self._exists(name)

    def _exists(self, name):
        raise NotImplementedError

    def uri(self, name):
        """The SQLAlchemy URL of database ``name`` (credentials included)."""
        raise NotImplementedError

    def _create(self, name):
        raise NotImplementedError

    def _drop(self, name):
        raise NotImplementedError

    def _copy(self, source, target):
        raise NotImplementedError

    def _rename(self, old, new):
        raise NotImplementedError

    def _dump_database(self, name, folder):
        """Write database ``name`` into ``folder``; return (file path, name in the zip)."""
        raise NotImplementedError

    def _restore_database(self, name, archive, member):
        """Create database ``name`` from ``member`` of the open zip ``archive``."""
        raise NotImplementedError

    # ------------------------------------------------------------ checks
    def require(self, name):
        """``name``, valid and naming an existing database; else a UserError."""
        validate_name(name)
        if not self.exists(name):
            raise UserError(f"The database {name!r} does not exist.")
        return name

    def require_new(self, name):
        """``name``, valid and free; else a UserError."""
        validate_name(name)
        if self.exists(name):
            raise UserError(f"The database {name!r} already exists.")
        return name

    # ------------------------------------------------------------ operations
    def create(self, name):
        """Create the empty database ``name``."""
        self.require_new(name)
        self._create(name)

    def drop(self, name):
        """Drop database ``name`` and its filestore."""
        self.require(name)
        self._drop(name)
        filestore = self.filestore(name)
        if filestore and os.path.isdir(filestore):
            shutil.rmtree(filestore)

    def duplicate(self, source, target):
        """Make ``target`` a full copy of ``source``, filestore included."""
        self.require(source)
        self.require_new(target)
        self._copy(source, target)
        try:
            self._copy_filestore(source, target)
        except BaseException:
            self.drop(target)
            raise

    def rename(self, old, new):
        """Rename database ``old`` (and its filestore) to ``new``."""
        self.require(old)
        self.require_new(new)
        self._rename(old, new)
        source, target = self.filestore(old), self.filestore(new)
        if source and os.path.isdir(source):
            if os.path.exists(target):
                shutil.rmtree(target)  # left over by a database of that name dropped by hand
            os.replace(source, target)

    def filestore(self, name):
        """The folder of the files of database ``name``, or None without a data_dir."""
        if not self.data_dir:
            return None
        return os.path.join(self.data_dir, "filestore", validate_name(name))

    def _copy_filestore(self, source, target):
        origin, destination = self.filestore(source), self.filestore(target)
        if origin and os.path.isdir(origin):
            if os.path.exists(destination):
                shutil.rmtree(destination)
            shutil.copytree(origin, destination)

    # ------------------------------------------------------------ dump and restore
    def dump(self, name):
        """A zip of database ``name``: the database, its filestore and a manifest."""
        self.require(name)
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory(prefix="tessera-dump-") as folder:
            path, member = self._dump_database(name, folder)
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                archive.writestr(MANIFEST, json.dumps(self._manifest(name, member), indent=2, sort_keys=True))
                archive.write(path, member)
                self._zip_filestore(archive, name)
        return buffer.getvalue()

    def restore(self, name, data):
        """Create database ``name`` from ``data``, a zip made by :meth:`dump` on this backend."""
        self.require_new(name)
        archive = _open_dump(data)
        with archive:
            manifest = _read_manifest(archive)
            if manifest.get("backend") != self.backend:
                theirs = BACKEND_LABELS.get(manifest.get("backend"), manifest.get("backend"))
                raise UserError(f"This dump holds a {theirs} database; this server keeps its databases in "
                                f"{BACKEND_LABELS[self.backend]}. Restore it on a server of the same kind.")
            member = manifest.get("database")
            if member not in archive.namelist():
                raise UserError(f"The dump has no database file ({member!r} is missing).")
            self._restore_database(name, archive, member)
            try:
                self._unzip_filestore(archive, name)
            except BaseException:
                self.drop(name)
                raise

    def _manifest(self, name, member):
        return {
            "tessera_dump": DUMP_FORMAT,
            "backend": self.backend,
            "db_name": name,
            "database": member,
            "tessera_version": release.version,
            "version": release.compatible_series,
            "modules": self._installed_modules(name),
        }

    def _installed_modules(self, name):
        """``{addon: version}`` of the installed addons (empty for a database without any)."""
        engine = sa.create_engine(self.uri(name), poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                if "ir_module_module" not in sa.inspect(connection).get_table_names():
                    return {}
                table = sa.table("ir_module_module", sa.column("name"), sa.column("latest_version"),
                                 sa.column("state"))
                rows = connection.execute(sa.select(table.c.name, table.c.latest_version)
                                          .where(table.c.state == "installed"))
                return {row.name: row.latest_version or "" for row in rows}
        finally:
            engine.dispose()

    def _zip_filestore(self, archive, name):
        root = self.filestore(name)
        if not root or not os.path.isdir(root):
            return
        for folder, subfolders, files in os.walk(root):
            subfolders.sort()
            for filename in sorted(files):
                path = os.path.join(folder, filename)
                archive.write(path, "filestore/" + os.path.relpath(path, root).replace(os.sep, "/"))

    def _unzip_filestore(self, archive, name):
        members = [m for m in archive.infolist() if m.filename.startswith("filestore/") and not m.is_dir()]
        if not members:
            return
        root = self.filestore(name)
        if root is None:
            raise UserError("The dump holds attachment files, but this server has no data_dir "
                            "to keep them in.")
        for info in members:
            relative = info.filename[len("filestore/"):]
            parts = relative.split("/")
            if not relative or any(part in ("", ".", "..") for part in parts) or "\\" in relative:
                raise UserError(f"The dump holds a file with an unsafe name: {info.filename!r}.")
            path = os.path.join(root, *parts)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with archive.open(info) as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target)


def _open_dump(data):
    if not isinstance(data, (bytes, bytearray)):
        raise UserError("A dump to restore must be given as bytes (a zip file).")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UserError("The data to restore is not a zip file made by a database dump.") from None


def _read_manifest(archive):
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise UserError(f"The dump has no {MANIFEST}: it was not made by Tessera's database dump.") from None
    except ValueError:
        raise UserError(f"The {MANIFEST} of the dump is not valid JSON.") from None
    if not isinstance(manifest, dict):
        raise UserError(f"The {MANIFEST} of the dump is not a JSON object.")
    return manifest


# ====================================================================== SQLite
class SQLiteCatalog(Catalog):
    """Databases as ``<folder>/<name>.sqlite3``; the filestores under ``data_dir`` (default: folder)."""

    backend = "sqlite"

    def __init__(self, folder, data_dir=None):
        super().__init__(data_dir or folder)
        self.folder = os.path.abspath(folder)

    def path(self, name):
        return os.path.join(self.folder, validate_name(name) + SQLITE_SUFFIX)

    def list(self):
        if not os.path.isdir(self.folder):
            return []
        names = (f[: -len(SQLITE_SUFFIX)] for f in os.listdir(self.folder) if f.endswith(SQLITE_SUFFIX))
        return sorted(n for n in names if NAME_PATTERN.fullmatch(n)
                      and os.path.isfile(os.path.join(self.folder, n + SQLITE_SUFFIX)))

    def _exists(self, name):
        return os.path.isfile(self.path(name))

    def uri(self, name):
        return f"sqlite:///{self.path(name)}"

    def _create(self, name):
        connection = sqlite3.connect(self._claim(name))
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # as core/db/engine.py opens it
        finally:
            connection.close()

    def _drop(self, name):
        path = self.path(name)
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    def _copy(self, source, target):
        """Copy through SQLite's backup API: a consistent copy even while ``source`` is in use."""
        self._backup(self.path(source), self._claim(target))

    def _claim(self, name):
        """Create the empty file of ``name`` and return its path; exclusively, so that two
        creations of one name cannot both succeed."""
        os.makedirs(self.folder, exist_ok=True)
        path = self.path(name)
        try:
            open(path, "xb").close()
        except FileExistsError:
            raise UserError(f"The database {name!r} already exists.") from None
        return path

    @staticmethod
    def _backup(source_path, target_path):
        source = sqlite3.connect(source_path)
        try:
            target = sqlite3.connect(target_path)
            try:
                source.backup(target)
            finally:
                target.close()
        except BaseException:
            if os.path.exists(target_path):
                os.remove(target_path)
            raise
        finally:
            source.close()

    def _rename(self, old, new):
        """Fold the write-ahead log into the file, then move the file."""
        source, target = self.path(old), self.path(new)
        connection = sqlite3.connect(source)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        os.link(source, target)  # fails rather than replace a database created meanwhile
        if os.path.exists(source + "-wal"):  # another process wrote since the checkpoint
            os.replace(source + "-wal", target + "-wal")
        for suffix in ("-shm", "-journal"):
            if os.path.exists(source + suffix):
                os.remove(source + suffix)
        os.remove(source)

    def _dump_database(self, name, folder):
        path = os.path.join(folder, "db.sqlite3")
        self._backup(self.path(name), path)
        return path, "db.sqlite3"

    def _restore_database(self, name, archive, member):
        os.makedirs(self.folder, exist_ok=True)
        # unpacked beside its final place (same file system: the final link is atomic),
        # under a name that list() does not show
        handle, scratch = tempfile.mkstemp(prefix=f".{name}-", suffix=".restoring", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as target, archive.open(member) as source:
                shutil.copyfileobj(source, target)
            _check_sqlite_file(scratch)
            try:
                os.link(scratch, self.path(name))
            except FileExistsError:
                raise UserError(f"The database {name!r} already exists.") from None
        finally:
            for suffix in ("", "-wal", "-shm"):  # the check's read-only connection may leave the last two
                if os.path.exists(scratch + suffix):
                    os.remove(scratch + suffix)


def _check_sqlite_file(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"The database file of the dump is not a usable SQLite database: {exc}.") from None
    finally:
        connection.close()
    if not result or result[0] != "ok":
        raise UserError(f"The database file of the dump is damaged: {result and result[0]}.")


# ====================================================================== PostgreSQL
# SQLSTATEs turned into messages a person can act on
_PG_ERRORS = {
    "42P04": "The database {name!r} already exists.",
    "3D000": "The database {name!r} does not exist.",
    "42501": "The database user may not do this to {name!r}: {error}",
    "55006": "The database {name!r} is in use by other connections: {error}",
}


class PostgresCatalog(Catalog):
    """The databases of one PostgreSQL server that the configured user owns.

    ``server_url`` is any SQLAlchemy URL on the server (its database part is ignored);
    whole-database statements run on a maintenance connection to ``postgres``.
    """

    backend = "postgresql"

    def __init__(self, server_url, data_dir=None):
        super().__init__(data_dir)
        self.url = sa.make_url(server_url)
        self._engine = None

    def _maintenance(self):
        """The engine on ``postgres`` in AUTOCOMMIT (CREATE DATABASE refuses a transaction)."""
        if self._engine is None:
            self._engine = sa.create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                                            poolclass=sa.pool.NullPool)
        return self._engine

    def _execute(self, name, sql, params=None, fetch=False):
        """Run ``sql`` about database ``name`` (its rows when ``fetch``); known failures
        become UserErrors naming the database."""
        try:
            with self._maintenance().connect() as connection:
                result = connection.execute(sa.text(sql), params or {})
                return result.all() if fetch else None
        except sa.exc.DBAPIError as exc:
            message = _PG_ERRORS.get(getattr(exc.orig, "sqlstate", None))
            if message is None:
                raise
            error = str(exc.orig).strip().splitlines()[0]
            raise UserError(message.format(name=name, error=error)) from None

    def list(self):
        rows = self._execute(None, """
            SELECT datname FROM pg_database
             WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)
               AND NOT datistemplate AND datallowconn AND datname <> 'postgres'""", fetch=True)
        return sorted(row.datname for row in rows)

    def _exists(self, name):
        return bool(self._execute(name, "SELECT 1 FROM pg_database WHERE datname = :name",
                                  {"name": name}, fetch=True))

    def uri(self, name):
        return self.url.set(database=validate_name(name)).render_as_string(hide_password=False)

    @staticmethod
    def _quoted(name):
        return '"' + validate_name(name) + '"'  # a valid name holds no quote

    def _create(self, name):
        self._execute(name, f"CREATE DATABASE {self._quoted(name)} ENCODING 'UTF8' TEMPLATE template0")

    def _drop(self, name):
        self._execute(name, f"DROP DATABASE {self._quoted(name)} WITH (FORCE)")

    def _disconnect(self, name):
        """End the other sessions on ``name``: a database in use cannot be a template or renamed."""
        self._execute(name, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :name AND pid <> pg_backend_pid()", {"name": name})

    def _while_disconnected(self, name, sql, attempts=3):
        """Run ``sql`` once the sessions on ``name`` are gone (a client may reconnect meanwhile)."""
        for attempt in range(attempts):
            self._disconnect(name)
            try:
                return self._execute(name, sql)
            except UserError:
                if attempt == attempts - 1 or not self.exists(name):
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _copy(self, source, target):
        self._while_disconnected(
            source, f"CREATE DATABASE {self._quoted(target)} ENCODING 'UTF8' TEMPLATE {self._quoted(source)}")

    def _rename(self, old, new):
        self._while_disconnected(old, f"ALTER DATABASE {self._quoted(old)} RENAME TO {self._quoted(new)}")

    def _client_environment(self, name):
        """The environment of pg_dump / psql: this catalog's server and credentials."""
        env = dict(os.environ)
        for key, value in (("PGHOST", self.url.host), ("PGPORT", self.url.port),
                           ("PGUSER", self.url.username), ("PGPASSWORD", self.url.password),
                           ("PGDATABASE", name)):
            if value is not None:
                env[key] = str(value)
        return env

    def _run_client(self, tool, name, *args):
        executable = shutil.which(tool)
        if not executable:
            raise UserError(f"This needs PostgreSQL's {tool} on the server's PATH; it is not there.")
        result = subprocess.run([executable, *args], env=self._client_environment(name),
                                capture_output=True, text=True)
        if result.returncode:
            detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
            raise UserError(f"{tool} failed on the database {name!r}: " + " ".join(detail))

    def _dump_database(self, name, folder):
        path = os.path.join(folder, "dump.sql")
        self._run_client("pg_dump", name, "--no-owner", "--no-privileges", "--format=plain",
                         "--file", path, name)
        return path, "dump.sql"

    def _restore_database(self, name, archive, member):
        with tempfile.TemporaryDirectory(prefix="tessera-restore-") as folder:
            path = os.path.join(folder, "dump.sql")
            with archive.open(member) as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target)
            self._create(name)
            try:
                self._run_client("psql", name, "--no-psqlrc", "--quiet", "--single-transaction",
                                 "--set", "ON_ERROR_STOP=1", "--dbname", name, "--file", path)
            except BaseException:
                self._drop(name)
                raise
