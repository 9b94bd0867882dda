"""The database catalog (core/db/catalog.py) on a real SQLite folder and a real PostgreSQL server.

The SQLite cases always run; the PostgreSQL ones when the suite runs against PostgreSQL
(``python3 dev.py test --pg-only``), on the server of ``TESSERA_TEST_PG_URI``.
"""
import io
import json
import os
import uuid
import zipfile

import pytest
import sqlalchemy as sa

from core import release
from core.config import Config
from core.db import create_engine
from core.db.catalog import PostgresCatalog, SQLiteCatalog, catalog_for, validate_name
from core.exceptions import UserError
from tests.plugin import PG_URI


class Tracked:
    """A catalog whose test databases get unique names and are dropped at the test's end
    (the PostgreSQL server is shared by the whole run)."""

    def __init__(self, catalog):
        self.catalog = catalog
        self.prefix = "c" + uuid.uuid4().hex[:8]

    def name(self, label):
        return f"{self.prefix}_{label}"

    def cleanup(self):
        for name in self.catalog.list():
            if name.startswith(self.prefix):
                self.catalog.drop(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def tracked(request, tmp_path):
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        catalog = SQLiteCatalog(str(tmp_path / "databases"), data_dir=str(data_dir))
    else:
        catalog = PostgresCatalog(PG_URI, data_dir=str(data_dir))
    tracked = Tracked(catalog)
    yield tracked
    tracked.cleanup()


def write_rows(catalog, name, *values):
    """Store ``values`` in table ``note`` of database ``name`` (created if needed)."""
    engine = create_engine(catalog.uri(name))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE IF NOT EXISTS note (body VARCHAR(40))"))
            for value in values:
                connection.execute(sa.text("INSERT INTO note (body) VALUES (:body)"), {"body": value})
    finally:
        engine.dispose()


def read_rows(catalog, name):
    engine = sa.create_engine(catalog.uri(name), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        return sorted(connection.execute(sa.text("SELECT body FROM note")).scalars())


def table_names(catalog, name):
    engine = sa.create_engine(catalog.uri(name), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        return sa.inspect(connection).get_table_names()


def put_file(catalog, name, relative, content):
    path = os.path.join(catalog.filestore(name), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as file:
        file.write(content)


def read_file(catalog, name, relative):
    with open(os.path.join(catalog.filestore(name), relative), "rb") as file:
        return file.read()


# ---------------------------------------------------------------- names
@pytest.mark.parametrize("name", ["a", "Shop", "acme-2024_prod.v2", "0day", "x" * 63])
def test_valid_names_pass(name):
    assert validate_name(name) == name


@pytest.mark.parametrize("name", ["", "../etc", "a/b", "a\\b", ".hidden", "-rf", "_x", "x" * 64, 'a"b',
                                  "a b", "a;drop", "é", "a\n", None, 7, ["a"]])
def test_bad_names_are_refused_and_named(name, tmp_path):
    with pytest.raises(UserError, match="not a valid database name") as info:
        validate_name(name)
    assert repr(name) in str(info.value)
    catalog = SQLiteCatalog(str(tmp_path))
    for operation in (catalog.create, catalog.drop, catalog.uri, catalog.dump, catalog.filestore):
        with pytest.raises(UserError, match="not a valid database name"):
            operation(name)
    assert catalog.exists(name) is False  # a question, not an order: no database has that name
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- create, list, drop
def test_create_list_exists_drop(tracked):
    catalog = tracked.catalog
    alpha, beta = tracked.name("alpha"), tracked.name("beta")
    assert not catalog.exists(alpha)
    catalog.create(beta)
    catalog.create(alpha)
    mine = [n for n in catalog.list() if n.startswith(tracked.prefix)]
    assert mine == [alpha, beta]
    assert catalog.exists(alpha)
    assert table_names(catalog, alpha) == []  # empty: installing addons is not the catalog's job
    with pytest.raises(UserError, match=f"The database '{alpha}' already exists"):
        catalog.create(alpha)
    put_file(catalog, alpha, "ab/abcdef", b"attached")
    catalog.drop(alpha)
    assert not catalog.exists(alpha) and alpha not in catalog.list()
    assert not os.path.exists(catalog.filestore(alpha))
    with pytest.raises(UserError, match=f"The database '{alpha}' does not exist"):
        catalog.drop(alpha)
    assert catalog.exists(beta)


def test_sqlite_list_shows_only_database_files(tmp_path):
    catalog = SQLiteCatalog(str(tmp_path))
    assert SQLiteCatalog(str(tmp_path / "missing")).list() == []
    catalog.create("shop")
    (tmp_path / "notes.txt").write_text("not a database")
    (tmp_path / ".half.restoring").write_bytes(b"")
    (tmp_path / "bad name.sqlite3").write_bytes(b"")
    assert catalog.list() == ["shop"]
    assert catalog.uri("shop") == f"sqlite:///{tmp_path / 'shop.sqlite3'}"


@pytest.mark.postgresql
def test_postgres_lists_only_the_databases_the_user_owns(tmp_path):
    catalog = PostgresCatalog(PG_URI)
    role, foreign = "r" + uuid.uuid4().hex[:8], "f" + uuid.uuid4().hex[:8]
    maintenance = sa.create_engine(PG_URI, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with maintenance.connect() as connection:
        connection.exec_driver_sql(f'CREATE ROLE "{role}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{foreign}" OWNER "{role}"')
    try:
        assert catalog.exists(foreign)
        names = catalog.list()
        assert foreign not in names and "postgres" not in names and "template1" not in names
    finally:
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{foreign}"')
            connection.exec_driver_sql(f'DROP ROLE "{role}"')


@pytest.mark.postgresql
def test_postgres_creates_utf8_databases():
    tracked = Tracked(PostgresCatalog(PG_URI))
    name = tracked.name("utf8")
    try:
        tracked.catalog.create(name)
        engine = sa.create_engine(tracked.catalog.uri(name), poolclass=sa.pool.NullPool)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"
    finally:
        tracked.cleanup()


# ---------------------------------------------------------------- duplicate, rename
def test_duplicate_copies_database_and_filestore(tracked):
    catalog = tracked.catalog
    source, target = tracked.name("src"), tracked.name("copy")
    catalog.create(source)
    write_rows(catalog, source, "one", "two")
    put_file(catalog, source, "ab/abc", b"file of the source")
    catalog.duplicate(source, target)
    assert read_rows(catalog, target) == ["one", "two"]
    assert read_file(catalog, target, "ab/abc") == b"file of the source"
    write_rows(catalog, target, "three")  # the copy is independent
    assert read_rows(catalog, source) == ["one", "two"]
    with pytest.raises(UserError, match=f"'{target}' already exists"):
        catalog.duplicate(source, target)
    with pytest.raises(UserError, match=f"'{tracked.name('ghost')}' does not exist"):
        catalog.duplicate(tracked.name("ghost"), tracked.name("other"))
    assert not catalog.exists(tracked.name("other"))


def test_duplicate_of_a_database_in_use(tracked):
    """SQLite: the rows still in the write-ahead log are copied; PostgreSQL: the sessions
    on the source are ended, since a template must have none."""
    catalog = tracked.catalog
    source, target = tracked.name("live"), tracked.name("snapshot")
    catalog.create(source)
    write_rows(catalog, source, "kept")
    engine = create_engine(catalog.uri(source))
    connection = engine.connect()
    try:
        with connection.begin():
            connection.execute(sa.text("INSERT INTO note (body) VALUES ('committed, in the log')"))
        if catalog.backend == "sqlite":
            assert os.path.getsize(catalog.uri(source)[len("sqlite:///"):] + "-wal") > 0
        catalog.duplicate(source, target)
    finally:
        connection.close()
        engine.dispose()
    assert read_rows(catalog, target) == ["committed, in the log", "kept"]


def test_rename_moves_database_and_filestore(tracked):
    catalog = tracked.catalog
    old, new = tracked.name("old"), tracked.name("new")
    catalog.create(old)
    write_rows(catalog, old, "moved")
    put_file(catalog, old, "cd/cdef", b"moved file")
    catalog.rename(old, new)
    assert not catalog.exists(old) and catalog.exists(new)
    assert read_rows(catalog, new) == ["moved"]
    assert read_file(catalog, new, "cd/cdef") == b"moved file"
    assert not os.path.exists(catalog.filestore(old))
    catalog.create(old)
    with pytest.raises(UserError, match=f"'{old}' already exists"):
        catalog.rename(new, old)
    with pytest.raises(UserError, match="does not exist"):
        catalog.rename(tracked.name("ghost"), tracked.name("ghost2"))
    assert read_rows(catalog, new) == ["moved"]


# ---------------------------------------------------------------- dump, restore
def test_dump_and_restore_round_trip(tracked):
    catalog = tracked.catalog
    name, restored = tracked.name("orig"), tracked.name("back")
    catalog.create(name)
    write_rows(catalog, name, "über", "plain")
    put_file(catalog, name, "ef/ef01", b"\x00binary\xff")
    data = catalog.dump(name)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = set(archive.namelist())
    assert manifest["backend"] == catalog.backend
    assert manifest["tessera_version"] == release.version and manifest["db_name"] == name
    assert manifest["modules"] == {}  # no addon installed in this bare database
    assert {manifest["database"], "filestore/ef/ef01"} <= members
    catalog.restore(restored, data)
    assert read_rows(catalog, restored) == ["plain", "über"]
    assert read_file(catalog, restored, "ef/ef01") == b"\x00binary\xff"
    with pytest.raises(UserError, match=f"'{name}' already exists"):
        catalog.restore(name, data)


def rezip(data, change):
    """``data`` (a dump) with its manifest changed by ``change`` (or members added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        extra = change(manifest) or {}
        for info in source.infolist():
            if info.filename != "manifest.json":
                target.writestr(info, source.read(info))
        target.writestr("manifest.json", json.dumps(manifest))
        for member, content in extra.items():
            target.writestr(member, content)
    return buffer.getvalue()


def test_restore_refuses_bad_dumps_and_leaves_nothing(tracked):
    catalog = tracked.catalog
    name, target = tracked.name("good"), tracked.name("target")
    catalog.create(name)
    write_rows(catalog, name, "x")
    data = catalog.dump(name)
    other = "postgresql" if catalog.backend == "sqlite" else "sqlite"
    cases = [
        (b"not a zip at all", "not a zip file"),
        (rezip(data, lambda m: m.update(backend=other)), "this server keeps its databases in"),
        (rezip(data, lambda m: m.update(database="nothing.here")), "has no database file"),
        (rezip(data, lambda m: {"filestore/../../escape": b"x"}), "unsafe name"),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no manifest")
    cases.append((buffer.getvalue(), "no manifest.json"))
    for dump, message in cases:
        with pytest.raises(UserError, match=message):
            catalog.restore(target, dump)
        assert not catalog.exists(target)
    assert not os.path.exists(os.path.join(catalog.data_dir, "escape"))
    assert not os.path.exists(catalog.filestore(target))


def test_a_dump_names_the_backend_it_needs(tmp_path):
    sqlite = SQLiteCatalog(str(tmp_path))
    sqlite.create("shop")
    dump = rezip(sqlite.dump("shop"), lambda m: m.update(backend="postgresql"))
    with pytest.raises(UserError, match="This dump holds a PostgreSQL database; this server keeps its "
                                        "databases in SQLite"):
        sqlite.restore("again", dump)


def test_sqlite_restore_refuses_a_damaged_database_file(tmp_path):
    catalog = SQLiteCatalog(str(tmp_path))
    catalog.create("shop")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(catalog.dump("shop"))) as source, zipfile.ZipFile(buffer, "w") as target:
        target.writestr("manifest.json", source.read("manifest.json"))
        target.writestr("db.sqlite3", b"SQLite format 3\x00" + b"garbage" * 100)
    with pytest.raises(UserError, match="SQLite database|damaged"):
        catalog.restore("broken", buffer.getvalue())
    assert catalog.list() == ["shop"]
    assert sorted(os.listdir(tmp_path)) == ["shop.sqlite3"]


# ---------------------------------------------------------------- catalog_for
def test_catalog_for_a_configuration(tmp_path):
    sqlite = catalog_for(Config(data_dir=str(tmp_path)))
    assert isinstance(sqlite, SQLiteCatalog) and sqlite.folder == str(tmp_path)
    assert sqlite.uri("shop") == f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    assert sqlite.filestore("shop") == str(tmp_path / "filestore" / "shop")
    elsewhere = catalog_for(Config(data_dir=str(tmp_path), db_uri=f"sqlite:///{tmp_path}/dbs/main.sqlite3"))
    assert elsewhere.folder == str(tmp_path / "dbs") and elsewhere.data_dir == str(tmp_path)
    pg = catalog_for(Config(db_host="db.example.com", db_port=5433, db_user="odoo", db_password="s3cr:t",
                            data_dir=str(tmp_path)))
    assert isinstance(pg, PostgresCatalog)
    url = sa.make_url(pg.uri("shop"))
    assert (url.host, url.port, url.username, url.password, url.database) == \
        ("db.example.com", 5433, "odoo", "s3cr:t", "shop")
    from_uri = catalog_for(Config(db_uri="postgresql+psycopg://u:p@h:6543/main"))
    assert from_uri.uri("other") == "postgresql+psycopg://u:p@h:6543/other"


# ---------------------------------------------------------------- the db sub-command
def test_db_subcommand_copies_renames_dumps_and_restores(tmp_path, capsys):
    from core.cli import main
    options = ["--data-dir", str(tmp_path), "--log-level", "warning"]

    def db(*args):
        code = main(["db", *args, *options])
        out, err = capsys.readouterr()
        return code, out + err

    assert db("create", "alpha")[0] == 0
    catalog = SQLiteCatalog(str(tmp_path))
    engine = create_engine(catalog.uri("alpha"))
    with engine.begin() as connection:
        secret = connection.execute(sa.text(
            "SELECT value FROM ir_config_parameter WHERE key = 'database.secret'")).scalar()
    engine.dispose()
    assert db("duplicate", "alpha", "beta") == (0, "duplicated alpha as beta\n")
    assert db("rename", "beta", "gamma") == (0, "renamed beta to gamma\n")
    code, out = db("dump", "gamma", str(tmp_path / "gamma.zip"))
    assert code == 0 and out.startswith("dumped gamma to ")
    assert db("restore", "delta", str(tmp_path / "gamma.zip"), "--copy") == \
        (0, f"restored delta from {tmp_path / 'gamma.zip'}\n")
    assert db("list") == (0, "alpha\ndelta\ngamma\n")
    for name in ("gamma", "delta"):  # copies get their own secret
        engine = create_engine(catalog.uri(name))
        with engine.begin() as connection:
            assert connection.execute(sa.text(
                "SELECT value FROM ir_config_parameter WHERE key = 'database.secret'")).scalar() != secret
        engine.dispose()
    assert db("restore", "gamma", str(tmp_path / "gamma.zip")) == \
        (1, "error: The database 'gamma' already exists.\n")
    assert db("rename", "../alpha", "x")[0] == 1
    assert db("dump", "alpha") == (2, "error: db dump takes NAME FILE\n")
    assert db("restore", "eps", str(tmp_path / "missing.zip"))[0] == 1
    assert db("drop", "alpha") == (0, "dropped alpha\n")
    assert db("list") == (0, "delta\ngamma\n")
