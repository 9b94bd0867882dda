"""Access rights (ir.model.access): how rows add up, and what a refusal says."""
import pytest

from core.exceptions import AccessError

from .common import grant, make_group, make_user


@pytest.fixture
def clerk(env):
    return make_user(env, "clerk", ["base.group_user"])


def as_user(env, user):
    return env(user=user.id)


def test_no_rows_means_superuser_only(env, clerk):
    uenv = as_user(env, clerk)
    with pytest.raises(AccessError) as info:
        uenv["res.partner.category"].search([])
    message = str(info.value)
    assert "read" in message and "res.partner.category" in message
    assert "'clerk' (id " in message and str(clerk.id) in message
    assert "no access right is defined" in message
    assert env["res.partner.category"].search([]) is not None          # superuser: fine
    assert uenv["res.partner.category"].sudo().search([]) is not None  # sudo: fine


def test_global_row_applies_to_everyone(env, clerk):
    nobody = make_user(env, "nobody", [])
    grant(env, "res.partner.category", None, "r")
    for user in (clerk, nobody):
        as_user(env, user)["res.partner.category"].search([])
        with pytest.raises(AccessError):
            as_user(env, user)["res.partner.category"].create({"name": "Tag"})


def test_group_row_applies_to_members_only(env, clerk):
    outsider = make_user(env, "outsider", ["base.group_portal"])
    grant(env, "res.partner.category", "base.group_user", "rc")
    tag = as_user(env, clerk)["res.partner.category"].create({"name": "VIP"})
    assert tag.name == "VIP"
    with pytest.raises(AccessError) as info:
        as_user(env, outsider)["res.partner.category"].create({"name": "Nope"})
    message = str(info.value)
    assert "not allowed to create" in message
    assert "Internal User (base.group_user)" in message   # the groups that would grant it


def test_rights_add_up_across_rows(env, clerk):
    grant(env, "res.partner.category", "base.group_user", "r")
    grant(env, "res.partner.category", "base.group_partner_manager", "wcu")
    clerk.write({"groups_id": [(4, env.ref("base.group_partner_manager").id)]})
    cenv = as_user(env, clerk)
    tag = cenv["res.partner.category"].create({"name": "A"})
    tag.write({"name": "B"})
    assert tag.read(["name"])[0]["name"] == "B"
    tag.unlink()
    assert not tag.exists()


@pytest.mark.parametrize("operation", ["read", "write", "create", "unlink"])
def test_each_operation_is_checked(env, clerk, operation):
    letter = {"read": "r", "write": "w", "create": "c", "unlink": "u"}[operation]
    grant(env, "res.partner.category", "base.group_user", "rwcu".replace(letter, ""))
    tag = env["res.partner.category"].create({"name": "Existing"})
    model = as_user(env, clerk)["res.partner.category"]
    record = tag.with_env(model.env)
    calls = {
        "read": lambda: record.read(["name"]),
        "write": lambda: record.write({"name": "x"}),
        "create": lambda: model.create({"name": "New"}),
        "unlink": lambda: record.unlink(),
    }
    with pytest.raises(AccessError) as info:
        calls[operation]()
    verb = {"read": "read", "write": "modify", "create": "create", "unlink": "delete"}[operation]
    assert f"not allowed to {verb}" in str(info.value)
    for other, call in calls.items():
        if other not in (operation, "unlink"):
            call()


def test_search_count_and_read_group_need_read(env, clerk):
    grant(env, "res.partner.category", "base.group_user", "w")
    model = as_user(env, clerk)["res.partner.category"]
    with pytest.raises(AccessError):
        model.search_count([])
    with pytest.raises(AccessError):
        model.read_group([], ["color:sum"], ["name"])


def test_inactive_row_grants_nothing(env, clerk):
    row = grant(env, "res.partner.category", "base.group_user", "r")
    row.write({"active": False})
    with pytest.raises(AccessError):
        as_user(env, clerk)["res.partner.category"].search([])


def test_implied_group_gets_the_rights(env):
    grant(env, "res.partner.category", "base.group_user", "r")
    admin = make_user(env, "settings", ["base.group_system"])   # system -> erp_manager -> user
    as_user(env, admin)["res.partner.category"].search([])


def test_changes_apply_within_the_transaction(env, clerk):
    """The per-transaction memo is forgotten when access rows or memberships change."""
    model = as_user(env, clerk)["res.partner.category"]
    with pytest.raises(AccessError):
        model.search([])
    group = make_group(env, "Taggers")
    grant(env, "res.partner.category", group, "r")
    with pytest.raises(AccessError):
        model.search([])
    group.write({"users": [(4, clerk.id)]})
    model.search([])
    clerk.write({"groups_id": [(3, group.id)]})
    with pytest.raises(AccessError):
        model.search([])


def test_check_api(env, clerk):
    grant(env, "res.partner.category", "base.group_user", "r")
    access = as_user(env, clerk)["ir.model.access"]
    assert access.check("res.partner.category", "read") is True
    assert access.check("res.partner.category", "write", raise_exception=False) is False
    with pytest.raises(AccessError):
        access.check("res.partner.category", "unlink")
    assert env["ir.model.access"].group_names_with_access("res.partner.category", "read") == ["Internal User"]


def test_sudo_bypasses_access_rights(env, clerk):
    model = as_user(env, clerk)["res.partner.category"].sudo()
    tag = model.create({"name": "Sudo"})
    tag.write({"name": "Sudo 2"})
    assert model.search([("name", "=", "Sudo 2")]) == tag
    tag.unlink()
