"""The shared cache of access rights, views and menus: kept across transactions and
dropped in every worker process when one of them changes what it derives from."""
import pytest

from core import security
from core.api import SUPERUSER_ID, Environment
from core.exceptions import AccessError
from core.modules import ModuleManager


@pytest.fixture
def workers(base_db_uri):
    """Two 'worker processes' on one database: two managers, two registries."""
    managers = [ModuleManager(base_db_uri), ModuleManager(base_db_uri)]
    for manager in managers:
        manager.open()
    yield [manager.registry for manager in managers]
    for manager in managers:
        manager.engine.dispose()


def _demo_can_read_partners(registry):
    with registry.cursor() as cr:
        demo = Environment(cr, SUPERUSER_ID, {}).ref("base.user_demo").id
        env = Environment(cr, demo, {})
        return security.check_model_access(env, "res.partner", "read", raise_exception=False)


def _sql_count(registry, function):
    with registry.cursor() as cr:
        start = cr.sql_count
        function(Environment(cr, SUPERUSER_ID, {}).ref("base.user_demo").id, cr)
        return cr.sql_count - start


def test_access_rows_are_read_once_then_kept(workers):
    first, _ = workers

    def check(uid, cr):
        security.check_model_access(Environment(cr, uid, {}), "res.partner", "read")
    cold = _sql_count(first, check)
    warm = _sql_count(first, check)
    assert warm < cold


def test_a_change_in_one_worker_reaches_the_other(workers):
    first, second = workers
    assert _demo_can_read_partners(first) and _demo_can_read_partners(second)  # both cached now
    with second.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["ir.model.access"].search([("model_id.model", "=", "res.partner")]).write({"active": False})
    assert not _demo_can_read_partners(second)
    assert not _demo_can_read_partners(first)   # the other worker dropped what it kept
    with first.cursor() as cr:
        demo = Environment(cr, SUPERUSER_ID, {}).ref("base.user_demo").id
        with pytest.raises(AccessError):
            Environment(cr, demo, {})["res.partner"].search([])


def test_uncommitted_changes_are_never_shared(workers):
    first, _ = workers
    assert _demo_can_read_partners(first)
    with first.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["ir.model.access"].search([("model_id.model", "=", "res.partner")]).write({"active": False})
        demo = env.ref("base.user_demo").id
        # this transaction sees its own change ...
        assert not security.check_model_access(Environment(cr, demo, {}), "res.partner", "read",
                                               raise_exception=False)
        cr.rollback()
    # ... which never reached the cache of the others
    assert _demo_can_read_partners(first)


def _demo_env(cr):
    return Environment(cr, Environment(cr, SUPERUSER_ID, {}).ref("base.user_demo").id, {})


def _menu_names(registry):
    with registry.cursor() as cr:
        return [menu["name"] for menu in _demo_env(cr)["ir.ui.menu"].load_menus()]


def test_menus_and_views_changed_in_one_worker_are_seen_by_the_other(workers):
    first, second = workers
    assert "Contacts" in _menu_names(first)
    with first.cursor() as cr:
        arch_before = _demo_env(cr)["ir.ui.view"].get_view("res.partner", "list")["arch"]
    with second.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env.ref("base.menu_contacts").name = "People"
        view = env["ir.ui.view"].browse(
            env["ir.ui.view"].get_view("res.partner", "list")["id"])
        view.arch = view.arch.replace('<field name="email"', '<field name="email" string="Renamed"', 1)
    assert "People" in _menu_names(first) and "Contacts" not in _menu_names(first)
    with first.cursor() as cr:
        arch_after = _demo_env(cr)["ir.ui.view"].get_view("res.partner", "list")["arch"]
    assert arch_after != arch_before and 'string="Renamed"' in arch_after
