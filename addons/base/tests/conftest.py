"""Fixtures of the base addon's tests."""
import pytest

from core.api import SUPERUSER_ID, Environment
from core.models import DEFINITIONS
from core.modules import ModuleManager
from core.registry import Registry


@pytest.fixture
def installed_env(base_db_uri):
    """The superuser's environment on a database with base and its demo data; rolled back."""
    manager = ModuleManager(base_db_uri)
    cr = manager.open().cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.close()
        manager.engine.dispose()


def bare_registry(db_uri, logins=("__system__",), data_dir=None, db_name=None):
    """A registry of base's models without its data: a currency, a company and users
    ``logins`` (the first is the superuser, id 1, that ``create_uid`` refers to)."""
    registry = Registry.new(db_uri, [d for d in DEFINITIONS if d._module == "base"])
    registry.data_dir = data_dir
    registry.db_name = db_name
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        currency = env["res.currency"].create({"name": "EUR", "symbol": "€"})
        company = env["res.company"].create({"name": "Main Company", "currency_id": currency.id})
        users = env["res.users"].create([{"name": login.strip("_").title(), "login": login,
                                          "company_id": company.id} for login in logins])
        assert users.ids[0] == SUPERUSER_ID
    return registry


@pytest.fixture
def registry(db_uri):
    """The bare registry with the superuser and a 'demo' user (tests override it as needed)."""
    registry = bare_registry(db_uri, ("__system__", "demo"))
    yield registry
    registry.engine.dispose()


@pytest.fixture
def bare_env(registry):
    with registry.cursor() as cr:
        yield Environment(cr, SUPERUSER_ID, {})
