"""Fixtures for the security tests.

Two kinds of database:

- ``registry`` / ``env``: the base addon's model classes assembled directly (no module
  loader), with a small hand-made set of records: two companies, the superuser, the
  base groups with their external ids, and one ``ir.model`` row per model.  Built
  once per test module; every test runs in its own transaction, rolled back.
  Tests add the access rows, rules and users they need.
- ``base_env``: the base addon installed with its demo data by the module loader, to
  check the real groups, users, access rights and rules.  Also built once per test
  module and rolled back after each test.
"""
import pytest

import addons.base  # noqa: F401 - defines the base models
from core import security
from core.api import SUPERUSER_ID, Environment
from core.fields import Command
from core.models import DEFINITIONS
from core.registry import Registry
from tests.core.module_db import module_db_uri  # noqa: F401 - fixture
from tests.plugin import _new_database

#: (xml id, name, implied xml ids) of the groups the hand-made database has
GROUPS = [
    ("group_user", "Internal User", []),
    ("group_portal", "Portal", []),
    ("group_public", "Public", []),
    ("group_no_one", "Technical Features", []),
    ("group_partner_manager", "Contact Creation", []),
    ("group_erp_manager", "Access Rights", ["group_user"]),
    ("group_system", "Settings", ["group_erp_manager"]),
]


def base_definitions():
    return [d for d in DEFINITIONS if d._module == "base"]


def bootstrap(env):
    """The records every hand-made security test database starts with."""
    currency = env["res.currency"].create({"name": "EUR", "symbol": "€"})
    main = env["res.company"].create({"name": "Main Company", "currency_id": currency.id})
    root = env["res.users"].create({"name": "System", "login": "__system__", "active": False,
                                    "company_id": main.id})
    assert root.id == SUPERUSER_ID
    other = env["res.company"].create({"name": "Other Company", "currency_id": currency.id})
    data = []
    for name in env.registry.models:
        model = env["ir.model"].create({"name": name, "model": name})
        data.append({"module": "base", "name": f"model_{name.replace('.', '_')}", "model": "ir.model",
                     "res_id": model.id})
    for record, xmlid in ((main, "main_company"), (other, "other_company"), (root, "user_root")):
        data.append({"module": "base", "name": xmlid, "model": record._name, "res_id": record.id})
    for xmlid, name, implied in GROUPS:
        group = env["res.groups"].create({
            "name": name, "implied_ids": [Command.link(env.ref(f"base.{x}").id) for x in implied]})
        env["ir.model.data"].create({"module": "base", "name": xmlid, "model": "res.groups",
                                     "res_id": group.id})
    env["ir.model.data"].create(data)
    root.write({"groups_id": [Command.set([env.ref("base.group_system").id])]})


@pytest.fixture(scope="module")
def registry(module_db_uri):  # noqa: F811 - the imported fixture
    registry = Registry.new(module_db_uri, base_definitions())
    assert security.install(registry)
    with registry.cursor() as cr:
        bootstrap(Environment(cr, SUPERUSER_ID, {}))
    yield registry
    registry.engine.dispose()


@pytest.fixture
def cr(registry):
    cursor = registry.cursor()
    yield cursor
    cursor.close()   # never committed: rolled back


@pytest.fixture
def env(cr):
    """The superuser's environment, in a transaction rolled back after the test."""
    return Environment(cr, SUPERUSER_ID, {})


@pytest.fixture(scope="module")
def base_registry(tmp_path_factory, installed_template):
    """The registry of a database with base and its demo data installed by the loader."""
    from core.modules import ModuleManager
    uri, drop = _new_database(tmp_path_factory.mktemp("base_db"), installed_template(("base",)))
    manager = ModuleManager(uri)
    registry = manager.open()
    yield registry
    manager.engine.dispose()
    registry.engine.dispose()
    drop()


@pytest.fixture
def base_env(base_registry):
    cursor = base_registry.cursor()
    yield Environment(cursor, SUPERUSER_ID, {})
    cursor.close()
