"""The ``db`` service (core/rpc/db_service.py), called directly on real databases.

The databases live on the backend of the run (a SQLite folder, or the PostgreSQL server of
``TESSERA_TEST_PG_URI``).  The HTTP layer in front of the service is tested in the wire tests.
"""
import base64
import hmac
import io
import os
import sqlite3
import uuid
import zipfile

import pytest
import sqlalchemy as sa

from core import release
from core.config import Config
from core.db.catalog import PostgresCatalog, SQLiteCatalog
from core.exceptions import AccessDenied, UserError
from core.modules import ModuleManager
from core.rpc.db_service import DatabaseService, db_filter
from core.security import hash_password
from tests.plugin import BACKEND, PG_URI

MASTER = "Master-Passw0rd"


class Harness:
    """A service over a catalog of this run's backend, with unique database names, a record of
    the ``forget`` calls, and every database it made dropped at the end."""

    def __init__(self, tmp_path, installed_template):
        self.data_dir = str(tmp_path / "data")
        if BACKEND == "sqlite":
            self.catalog = SQLiteCatalog(str(tmp_path / "databases"), data_dir=self.data_dir)
        else:
            self.catalog = PostgresCatalog(PG_URI, data_dir=self.data_dir)
        self.prefix = "s" + uuid.uuid4().hex[:8]
        self.installed_template = installed_template
        self.forgotten = []
        self.managers = []

    def name(self, label):
        return f"{self.prefix}_{label}"

    def service(self, **options):
        config = Config(data_dir=self.data_dir, **{"admin_passwd": MASTER, **options})
        return DatabaseService(self.catalog, config, data_dir=self.data_dir, forget=self.forgotten.append)

    def seed(self, label):
        """A database with base and its demo data, copied from the session's template (fast)."""
        name = self.name(label)
        template = self.installed_template(("base",))
        if BACKEND == "sqlite":
            os.makedirs(self.catalog.folder, exist_ok=True)
            source = sqlite3.connect(sa.make_url(template).database)
            target = sqlite3.connect(self.catalog.uri(name)[len("sqlite:///"):])
            source.backup(target)
            source.close()
            target.close()
        else:
            self.catalog.duplicate(sa.make_url(template).database, name)
        return name

    def env(self, name):
        """A superuser cursor's environment on ``name`` (``with harness.env(name) as env``)."""
        return _Env(self, name)

    def cleanup(self):
        for manager in self.managers:
            manager.engine.dispose()
        for name in self.catalog.list():
            if name.startswith(self.prefix):
                self.catalog.drop(name)


class _Env:
    def __init__(self, harness, name):
        self.manager = ModuleManager(harness.catalog.uri(name), data_dir=harness.data_dir)
        harness.managers.append(self.manager)

    def __enter__(self):
        self.cr = self.manager.open().cursor()
        return self.manager.env(self.cr)

    def __exit__(self, *exc_info):
        self.cr.__exit__(*exc_info)
        self.manager.engine.dispose()


@pytest.fixture
def harness(tmp_path, installed_template):
    harness = Harness(tmp_path, installed_template)
    yield harness
    harness.cleanup()


# ---------------------------------------------------------------- master password
@pytest.mark.parametrize("master", [None, "", "wrong", MASTER.lower(), MASTER + " ", 42])
def test_a_wrong_master_password_is_denied_and_nothing_happens(harness, master):
    service = harness.service()
    existing = harness.seed("kept")
    new = harness.name("new")
    calls = [
        ("create_database", [master, new, False, "en_US"]),
        ("duplicate_database", [master, existing, new]),
        ("rename", [master, existing, new]),
        ("drop", [master, existing]),
        ("dump", [master, existing]),
        ("restore", [master, new, base64.b64encode(b"x").decode()]),
        ("change_admin_password", [master, "new"]),
        ("list_countries", [master]),
        ("migrate_databases", [master, [existing]]),
    ]
    for method, params in calls:
        with pytest.raises(AccessDenied, match="^Access Denied$"):
            service.dispatch(method, params)
    assert service.exp_db_exist(existing) and not service.exp_db_exist(new)
    assert harness.forgotten == []


def test_without_a_master_password_database_management_is_disabled(harness):
    service = harness.service(admin_passwd="")
    for master in ("", "admin", MASTER):
        with pytest.raises(AccessDenied, match="disabled.*admin_passwd"):
            service.exp_create_database(master, harness.name("x"), False, "en_US")
    assert not service.exp_db_exist(harness.name("x"))


def test_a_hashed_master_password(harness):
    service = harness.service(admin_passwd=hash_password(MASTER, rounds=1000))
    assert service.check_super(MASTER) is True
    with pytest.raises(AccessDenied):
        service.check_super("not it")
    with pytest.raises(AccessDenied):  # the hash itself is not the password
        service.check_super(service.config.admin_passwd)


# ---------------------------------------------------------------- create
def test_create_database_without_demo_with_its_own_administrator(harness):
    service = harness.service()
    name = harness.name("fresh")
    assert service.dispatch("create_database", [MASTER, name, False, "de_DE", "Sup3r-secret",
                                                "boss@example.com", "be", "+32 2 555 01 01"]) is True
    assert service.exp_db_exist(name) and name in service.exp_list()
    with harness.env(name) as env:
        Users = env["res.users"]
        uid = Users.authenticate("boss@example.com", "Sup3r-secret")
        admin = Users.browse(uid)
        assert admin == env.ref("base.user_admin")
        assert (admin.login, admin.lang, admin.email) == ("boss@example.com", "de_DE", "boss@example.com")
        with pytest.raises(AccessDenied):
            Users.authenticate("admin", "admin")
        company = env.ref("base.main_company")
        assert (company.country_id.code, company.phone) == ("BE", "+32 2 555 01 01")
        assert env["ir.module.module"].search([("name", "=", "base")]).state == "installed"
        assert not env["ir.module.module"].search([("name", "=", "base")]).demo
        assert not env["res.users"].search([("login", "in", ["demo", "portal"])])  # no demo data
        assert env["ir.config_parameter"].get_param("database.uuid")


@pytest.mark.parametrize("label, params, message", [
    ("lang", ["xx_XX"], "no language with the code 'xx_XX'"),
    ("country", ["en_US", "pw", "admin", "ZZ"], "no country with the code 'ZZ'"),
    ("password", ["en_US", ""], "user_password must be a non-empty text"),
    ("login", ["en_US", "pw", None], "login must be a non-empty text"),
])
def test_a_failed_create_leaves_no_database(harness, label, params, message):
    service = harness.service()
    name = harness.name(label)
    with pytest.raises(UserError, match=message):
        service.exp_create_database(MASTER, name, False, *params)
    assert not service.exp_db_exist(name)
    assert not [n for n in harness.catalog.list() if n.startswith(harness.prefix)]


def test_create_refuses_bad_and_taken_names(harness):
    service = harness.service()
    taken = harness.seed("taken")
    with pytest.raises(UserError, match=f"'{taken}' already exists"):
        service.exp_create_database(MASTER, taken, False, "en_US")
    for bad in ("../escape", "a/b", "", "x" * 64, 'q"uote'):
        with pytest.raises(UserError, match="not a valid database name"):
            service.exp_create_database(MASTER, bad, False, "en_US")
        assert service.exp_db_exist(bad) is False
    with harness.env(taken) as env:  # the existing database was not touched
        assert env.ref("base.user_admin").login == "admin"
        assert env["res.users"].search_count([("login", "=", "demo")]) == 1


# ---------------------------------------------------------------- duplicate, rename, drop
def test_duplicate_rename_and_drop(harness):
    service = harness.service()
    source, copy, renamed = harness.seed("source"), harness.name("copy"), harness.name("renamed")
    with harness.env(source) as env:
        env["res.partner"].create({"name": "Copied Partner"})
        model = env["ir.model"].search([("model", "=", "ir.config_parameter")])
        env["ir.cron"].create({"name": "Nightly", "code": "model.get_param('x')", "model_id": model.id})
        secret = env["ir.config_parameter"].get_param("database.secret")
    assert service.exp_duplicate_database(MASTER, source, copy, True) is True
    with harness.env(copy) as env:
        assert env["res.partner"].search_count([("name", "=", "Copied Partner")]) == 1
        assert env["ir.config_parameter"].get_param("database.secret") != secret  # its own identity
        assert not env["ir.cron"].search([("name", "=", "Nightly")])  # neutralized: archived
        assert env["ir.config_parameter"].get_param("database.is_neutralized") == "True"
    with harness.env(source) as env:
        assert env["ir.cron"].search([("name", "=", "Nightly")]).active
    with pytest.raises(UserError, match=f"'{copy}' already exists"):
        service.exp_duplicate_database(MASTER, source, copy)

    assert service.exp_rename(MASTER, copy, renamed) is True
    assert harness.forgotten == [copy]
    assert not service.exp_db_exist(copy) and service.exp_db_exist(renamed)
    with harness.env(renamed) as env:
        assert env["res.partner"].search_count([("name", "=", "Copied Partner")]) == 1
    with pytest.raises(UserError, match=f"'{source}' already exists"):
        service.exp_rename(MASTER, renamed, source)

    assert service.exp_drop(MASTER, renamed) is True
    assert harness.forgotten == [copy, renamed]
    assert not service.exp_db_exist(renamed)
    assert service.exp_drop(MASTER, renamed) is False  # as in Odoo: nothing to drop
    assert service.exp_db_exist(source)


# ---------------------------------------------------------------- dump, restore
def test_dump_and_restore_round_trip(harness):
    service = harness.service()
    name, back, twin = harness.seed("dumped"), harness.name("back"), harness.name("twin")
    with harness.env(name) as env:
        env["res.partner"].create({"name": "Partner Before Dump"})
        env["ir.attachment"].create({"name": "note.txt", "raw": b"kept in the filestore"})
        uuid_before = env["ir.config_parameter"].get_param("database.uuid")
    dump = service.dispatch("dump", [MASTER, name, "zip"])
    assert isinstance(dump, str)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(dump))) as archive:
        assert any(n.startswith("filestore/") for n in archive.namelist())
        assert b'"base"' in archive.read("manifest.json")
    assert service.exp_restore(MASTER, back, dump) is True
    assert service.exp_restore(MASTER, twin, dump, True) is True
    for restored, same_identity in ((back, True), (twin, False)):
        with harness.env(restored) as env:
            assert env["res.partner"].search_count([("name", "=", "Partner Before Dump")]) == 1
            attachment = env["ir.attachment"].search([("name", "=", "note.txt")])
            assert attachment.raw == b"kept in the filestore"
            assert (env["ir.config_parameter"].get_param("database.uuid") == uuid_before) is same_identity
    with pytest.raises(UserError, match=f"'{name}' already exists"):
        service.exp_restore(MASTER, name, dump)
    with pytest.raises(UserError, match="not valid base64"):
        service.exp_restore(MASTER, harness.name("junk"), "%%% not base64 %%%")
    with pytest.raises(UserError, match="not a zip file"):
        service.exp_restore(MASTER, harness.name("junk"), base64.b64encode(b"plain bytes").decode())
    with pytest.raises(UserError, match="Unsupported dump format 'dump'"):
        service.exp_dump(MASTER, name, "dump")
    with pytest.raises(UserError, match="does not exist"):
        service.exp_dump(MASTER, harness.name("ghost"))
    assert not service.exp_db_exist(harness.name("junk"))


# ---------------------------------------------------------------- list
def test_list_obeys_list_db_and_dbfilter(harness):
    shop, other = harness.seed("shop"), harness.seed("other")
    assert {shop, other} <= set(harness.service().exp_list())
    with pytest.raises(AccessDenied, match="list_db"):
        harness.service(list_db=False).dispatch("list", [])
    filtered = harness.service(dbfilter=f"{harness.prefix}_sh.*")
    assert filtered.exp_list() == [shop]
    assert harness.service(dbfilter=harness.prefix).exp_list() == []  # a full match, not a search
    by_host = harness.service(dbfilter=f"{harness.prefix}_%d")
    assert by_host.list_databases(host="www.other.example.com:8069") == [other]
    with pytest.raises(UserError, match="dbfilter '\\(' .* not a valid regular expression"):
        harness.service(dbfilter="(").exp_list()


def test_db_filter_substitutions():
    names = ["acme", "acme_test", "beta"]
    assert db_filter(names, "") == names
    assert db_filter(names, "acme.*") == ["acme", "acme_test"]
    assert db_filter(names, "%d", host="acme.example.com") == ["acme"]
    assert db_filter(names, "%h", host="acme") == ["acme"]


# ---------------------------------------------------------------- the other methods
def test_public_methods_and_dispatch(harness):
    service = harness.service()
    assert service.dispatch("server_version", []) == release.version_info()["server_version"] == "17.0"
    langs = service.dispatch("list_lang", [])
    assert ["en_US", "English (US)"] in langs and ["de_DE", "German / Deutsch"] in langs
    assert all(isinstance(pair, list) and len(pair) == 2 for pair in langs)
    countries = service.dispatch("list_countries", [MASTER])
    assert ["BE", "Belgium"] in countries and countries == sorted(countries, key=lambda c: c[1])
    assert service.dispatch("db_exist", ["no_such_db"]) is False
    with pytest.raises(UserError, match="The db service has no method 'nope'"):
        service.dispatch("nope", [])
    with pytest.raises(UserError, match="The db service has no method '_manager'"):
        service.dispatch("_manager", ["x"])
    with pytest.raises(UserError, match="db.db_exist: missing a required argument"):
        service.dispatch("db_exist", [])
    with pytest.raises(UserError, match="db.server_version: too many positional arguments"):
        service.dispatch("server_version", ["extra"])
    with pytest.raises(UserError, match="parameters must be a list"):
        service.dispatch("list", {"a": 1})


def test_change_admin_password_points_to_the_configuration_file(harness):
    service = harness.service()
    with pytest.raises(UserError, match="admin_passwd option of the server's configuration file"):
        service.exp_change_admin_password(MASTER, "new-master")
    assert hmac.compare_digest(service.config.admin_passwd, MASTER)  # unchanged


def test_migrate_databases_upgrades_base(harness):
    service = harness.service()
    name = harness.seed("old")
    with harness.env(name) as env:
        env.ref("base.ad").unlink()
        assert not env["res.country"].search([("code", "=", "AD")])
    assert service.exp_migrate_databases(MASTER, [name]) is True
    assert harness.forgotten == [name]
    with harness.env(name) as env:  # the data files were loaded again
        assert env["res.country"].search([("code", "=", "AD")]).name == "Andorra"
    with pytest.raises(UserError, match="does not exist"):
        service.exp_migrate_databases(MASTER, [name, harness.name("ghost")])
    with pytest.raises(UserError, match="list of database names"):
        service.exp_migrate_databases(MASTER, name)
