"""Views installed by addons: a valid family assembles, a broken view fails the install
itself, naming its xml id and what is wrong, and leaves nothing behind."""
import os

import pytest

from core.api import SUPERUSER_ID, Environment
from core.modules import ModuleManager
from tests.modules.test_lifecycle import snapshot

TEST_ADDONS = os.path.join(os.path.dirname(__file__), "addons")


@pytest.fixture
def manager(base_db_uri):
    manager = ModuleManager(base_db_uri, addons_paths=[TEST_ADDONS])
    manager.open()
    yield manager
    manager.engine.dispose()


def test_installed_view_and_extension_assemble(manager):
    manager.install(["test_views_ok"])
    cr = manager.registry.cursor()
    try:
        env = Environment(cr, SUPERUSER_ID, {})
        form = env.ref("test_views_ok.view_partner_form")
        extension = env.ref("test_views_ok.view_partner_form_ext")
        assert (extension.mode, extension.model, extension.type) == ("extension", "res.partner", "form")
        result = env["ir.ui.view"].get_view("res.partner", "form")
        assert result["id"] == form.id
        assert '<field name="name"/><field name="email"/>' in result["arch"]
    finally:
        cr.close()


def test_failing_locator_fails_the_install(manager):
    manager.install(["test_views_ok"])
    before = snapshot(manager)
    with pytest.raises(Exception) as info:
        manager.install(["test_views_badlocator"])
    message = str(info.value)
    assert "test_views_badlocator/views/bad_views.xml" in message
    assert "view_partner_form_broken" in message
    assert "//field[@name='no_such_anchor']" in message
    assert snapshot(manager) == before


def test_unknown_field_fails_the_install(manager):
    before = snapshot(manager)
    with pytest.raises(Exception) as info:
        manager.install(["test_views_badfield"])
    message = str(info.value)
    assert "test_views_badfield/views/bad_views.xml" in message
    assert "view_partner_list_broken" in message
    assert "field 'no_such_field' does not exist in model res.partner" in message
    assert snapshot(manager) == before


def test_failed_install_leaves_the_addon_uninstalled(manager):
    with pytest.raises(Exception):
        manager.install(["test_views_badfield"])
    cr = manager.registry.cursor()
    try:
        env = Environment(cr, SUPERUSER_ID, {})
        module = env["ir.module.module"].search([("name", "=", "test_views_badfield")])
        assert module.state in (False, "uninstalled")   # its row may be rolled back too
        assert not env["ir.ui.view"].search([("name", "=", "test.partner.list.broken")])
    finally:
        cr.close()
