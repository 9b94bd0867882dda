"""Fields declared with ``groups=``: hidden from and refused to users outside them."""
import pytest

from core.exceptions import AccessDenied, AccessError

from .common import grant, make_user


@pytest.fixture
def users(env):
    grant(env, "res.users", None, "r")
    grant(env, "res.users", "base.group_erp_manager", "rwcu")
    manager = make_user(env, "manager", ["base.group_erp_manager"])     # not in base.group_system
    admin = make_user(env, "settings", ["base.group_system"])
    target = make_user(env, "target", ["base.group_user"], password="s3cret-Pass")
    return manager, admin, target


def test_read_of_a_protected_field_raises(env, users):
    manager, _admin, target = users
    with pytest.raises(AccessError) as info:
        target.with_user(manager).read(["login", "password"])
    message = str(info.value)
    assert "res.users.password" in message and "base.group_system" in message


def test_read_without_fields_leaves_protected_fields_out(env, users):
    manager, admin, target = users
    row = target.with_user(manager).read()[0]
    assert "login" in row and "password" not in row
    assert "password" in target.with_user(admin).read()[0]


def test_fields_get_omits_protected_fields(env, users):
    manager, admin, _target = users
    assert "password" not in env["res.users"].with_user(manager).fields_get()
    assert "password" in env["res.users"].with_user(admin).fields_get()
    assert "password" in env["res.users"].fields_get()        # superuser


def test_members_may_read_and_write(env, users):
    _manager, admin, target = users
    as_admin = target.with_user(admin)
    assert as_admin.read(["password"])[0]["password"].startswith("$pbkdf2-sha512$")
    as_admin.write({"password": "n3w-Pass"})
    assert env["res.users"].authenticate("target", "n3w-Pass") == target.id


def test_sudo_bypasses_field_groups(env, users):
    manager, _admin, target = users
    assert target.with_user(manager).sudo().read(["password"])[0]["password"]
    assert "password" in env["res.users"].with_user(manager).sudo().fields_get()


def test_group_checker(env, users):
    manager, admin, _target = users
    check = env.registry.group_checker
    assert check(env(user=admin.id), "base.group_system")
    assert check(env(user=admin.id), "base.group_user")                  # implied
    assert not check(env(user=manager.id), "base.group_system")
    assert check(env(user=manager.id), "base.group_system,base.group_erp_manager")
    assert not check(env(user=manager.id), "base.group_system,!base.group_erp_manager")
    assert check(env(user=manager.id), "!base.group_portal")
    assert not check(env(user=manager.id), "base.no_such_group")


def test_write_of_a_protected_field_raises(env, users):
    manager, _admin, target = users
    with pytest.raises(AccessError) as info:
        target.with_user(manager).write({"password": "hijacked"})
    assert "res.users.password" in str(info.value)
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("target", "hijacked")


def test_search_on_a_protected_field_raises(env, users):
    manager, _admin, _target = users
    with pytest.raises(AccessError):
        env["res.users"].with_user(manager).search([("password", "!=", False)])
