"""ir.config_parameter: get_param / set_param, unique keys, defaults, superuser inside."""
import pytest

from core.api import SUPERUSER_ID, Environment
from core.exceptions import AccessError, ValidationError



@pytest.fixture
def env(bare_env):
    return bare_env


def test_get_param_gives_the_default_when_unset(env):
    params = env["ir.config_parameter"]
    assert params.get_param("web.base.url") is False
    assert params.get_param("web.base.url", "http://localhost:8069") == "http://localhost:8069"


def test_set_param_creates_updates_and_returns_the_old_value(env):
    params = env["ir.config_parameter"]
    assert params.set_param("web.base.url", "http://a") is False
    assert params.get_param("web.base.url") == "http://a"
    assert params.set_param("web.base.url", "http://b") == "http://a"
    assert params.get_param("web.base.url") == "http://b"
    assert params.search_count([("key", "=", "web.base.url")]) == 1
    assert params.set_param("limit", 80) is False
    assert params.get_param("limit") == "80"  # values are text


def test_set_param_to_false_or_none_removes_it(env):
    params = env["ir.config_parameter"]
    params.set_param("a", "1")
    params.set_param("b", "2")
    assert params.set_param("a", False) == "1"
    assert params.set_param("b", None) == "2"
    assert params.search_count([("key", "in", ["a", "b"])]) == 0
    assert params.set_param("never.set", False) is False


def test_keys_are_unique(env):
    env["ir.config_parameter"].create({"key": "k", "value": "1"})
    with pytest.raises(ValidationError, match="Key must be unique"):
        env["ir.config_parameter"].create({"key": "k", "value": "2"})


def test_a_key_is_required(env):
    with pytest.raises(ValueError, match="expects a key"):
        env["ir.config_parameter"].get_param("")
    with pytest.raises(ValueError, match="expects a key"):
        env["ir.config_parameter"].set_param(None, "x")


def test_init_defaults_generate_the_database_identity_once(env):
    params = env["ir.config_parameter"]
    params._init_defaults()
    secret, uuid = params.get_param("database.secret"), params.get_param("database.uuid")
    assert secret and uuid and params.get_param("database.create_date")
    params._init_defaults()
    assert params.get_param("database.secret") == secret
    params._init_defaults(force=True)
    assert params.get_param("database.secret") != secret


def test_users_without_access_to_the_model_still_get_and_set_through_the_methods(registry):
    def deny_parameters(records, operation):
        if records._name == "ir.config_parameter":
            raise AccessError(f"no {operation} access to {records._name}")

    registry.access_checker = deny_parameters
    with registry.cursor() as cr:
        demo = Environment(cr, 2, {})
        with pytest.raises(AccessError):
            demo["ir.config_parameter"].search([])
        assert demo["ir.config_parameter"].set_param("x", "1") is False
        assert demo["ir.config_parameter"].get_param("x") == "1"


def test_with_the_base_addon_installed_only_administrators_see_the_records(base_db_uri):
    from core.modules import ModuleManager
    manager = ModuleManager(base_db_uri)
    registry = manager.open()
    try:
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            demo = env["ir.config_parameter"].with_user(env.ref("base.user_demo"))
            admin = env["ir.config_parameter"].with_user(env.ref("base.user_admin"))
            assert demo.set_param("demo.key", "v") is False
            assert demo.get_param("demo.key") == "v"
            with pytest.raises(AccessError):
                demo.search([("key", "=", "demo.key")])
            assert admin.search([("key", "=", "demo.key")]).value == "v"
    finally:
        manager.engine.dispose()
        registry.engine.dispose()
