"""Fixtures of the crm addon's tests: a fresh database with crm (and base's demo
data), its superuser environment rolled back at the end, and users of each role."""
import pytest

from core import Command
from core.api import SUPERUSER_ID, Environment
from tests.plugin import installed_copy, opened_registry


@pytest.fixture
def crm_db_uri(tmp_path, installed_template):
    with installed_copy(tmp_path, installed_template, ("crm",)) as uri:
        yield uri


@pytest.fixture
def crm_registry(crm_db_uri, tmp_path):
    with opened_registry(crm_db_uri, tmp_path) as registry:
        yield registry


@pytest.fixture
def env(crm_registry):
    cr = crm_registry.cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {"tracking_disable": False})
    finally:
        cr.close()


def make_user(env, login, *groups):
    """A user with the given groups (xml ids) besides Internal User."""
    group_ids = [env.ref(g).id for g in ("base.group_user",) + groups]
    return env["res.users"].create({"name": login.title(), "login": login, "email": f"{login}@example.com",
                                    "groups_id": [Command.set(group_ids)]})


@pytest.fixture
def sales_users(env):
    """``(salesman, other_salesman, leader, manager)`` and a team led by ``leader``."""
    salesman = make_user(env, "sam", "crm.group_sale_salesman")
    other = make_user(env, "olga", "crm.group_sale_salesman")
    leader = make_user(env, "lea", "crm.group_sale_salesman")
    manager = make_user(env, "max", "crm.group_sale_manager")
    team = env["crm.team"].create({"name": "Key Accounts", "user_id": leader.id,
                                   "member_ids": [Command.set([salesman.id, other.id])]})
    return salesman, other, leader, manager, team
