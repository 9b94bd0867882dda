"""Groups and users: implied groups, has_group, user types, companies, own preferences."""
import pytest

from core import security
from core.exceptions import AccessError, UserError, ValidationError

from .common import grant, make_group, make_user


def test_trans_implied_ids_is_the_transitive_closure(env):
    a = make_group(env, "A")
    b = make_group(env, "B", [])
    b.write({"implied_ids": [(4, a.id)]})
    c = make_group(env, "C")
    c.write({"implied_ids": [(4, b.id)]})
    assert c.trans_implied_ids == a | b
    assert b.trans_implied_ids == a
    assert not a.trans_implied_ids
    assert env.ref("base.group_system").trans_implied_ids == \
        env.ref("base.group_erp_manager") | env.ref("base.group_user")


def test_a_group_cannot_imply_itself(env):
    a = make_group(env, "A")
    b = make_group(env, "B")
    b.write({"implied_ids": [(4, a.id)]})
    with pytest.raises(ValidationError):
        a.write({"implied_ids": [(4, b.id)]})


def test_members_are_in_the_implied_groups(env):
    user = make_user(env, "implied", ["base.group_system"])
    assert user.has_group("base.group_system")
    assert user.has_group("base.group_erp_manager")
    assert user.has_group("base.group_user")
    assert not user.has_group("base.group_portal")
    # Odoo stores the implied memberships too
    assert {env.ref("base.group_erp_manager"), env.ref("base.group_user")} <= set(user.groups_id)


def test_implied_groups_added_later_reach_existing_members(env):
    a, b = make_group(env, "A"), make_group(env, "B")
    user = make_user(env, "later", [])
    user.write({"groups_id": [(4, a.id)]})
    assert security.user_group_ids(env, user.id) == {a.id}
    a.write({"implied_ids": [(4, b.id)]})
    assert b in user.groups_id
    assert security.user_group_ids(env, user.id) == {a.id, b.id}


def test_membership_is_effective_even_without_the_stored_rows(env):
    """Rows written without the ORM (SQL, old data) still count through implied_ids."""
    import sqlalchemy as sa
    a, b = make_group(env, "A"), make_group(env, "B")
    a.write({"implied_ids": [(4, b.id)]})
    user = make_user(env, "raw", [])
    rel = env.registry.tables["res_groups_users_rel"]
    env.cr.execute(sa.insert(rel).values(gid=a.id, uid=user.id))
    env.invalidate_all()
    security.invalidate(env)
    assert security.user_group_ids(env, user.id) == {a.id, b.id}


def test_has_group_on_the_model_is_the_env_user(env):
    user = make_user(env, "envuser", ["base.group_user"])
    assert env(user=user.id)["res.users"].has_group("base.group_user")
    assert not env(user=user.id)["res.users"].has_group("base.group_system")
    with pytest.raises(ValueError):
        user.has_group("group_user")
    assert user._is_internal() and not user._is_portal() and not user._is_public()
    assert not user._is_admin() and not user._is_system()
    assert env["res.users"].browse(1)._is_admin()


def test_user_types_are_exclusive(env):
    with pytest.raises(ValidationError) as info:
        make_user(env, "both", ["base.group_user", "base.group_portal"])
    assert "base.group_user" in str(info.value) and "base.group_portal" in str(info.value)
    user = make_user(env, "portal", ["base.group_portal"])
    with pytest.raises(ValidationError):
        user.write({"groups_id": [(4, env.ref("base.group_system").id)]})   # implies internal


def test_share_follows_the_user_type(env):
    internal = make_user(env, "internal", ["base.group_system"])
    portal = make_user(env, "portal2", ["base.group_portal"])
    assert internal.share is False
    assert portal.share is True
    portal.write({"groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    assert portal.share is False
    assert env["res.users"].search([("share", "=", True), ("login", "in", ["internal", "portal2"])]) == \
        env["res.users"].browse()


def test_new_users_are_internal_by_default(env):
    user = env["res.users"].create({"name": "Default", "login": "default"})
    assert user.groups_id == env.ref("base.group_user")
    assert user.company_id == env.ref("base.main_company")
    assert user.company_ids == user.company_id


def test_default_company_must_be_allowed(env):
    with pytest.raises(ValidationError):
        env["res.users"].create({"name": "X", "login": "x", "company_id": env.ref("base.other_company").id,
                                 "company_ids": [(6, 0, [env.ref("base.main_company").id])]})
    other = env.ref("base.other_company")
    user = env["res.users"].create({"name": "Y", "login": "y", "company_id": other.id})
    assert user.company_ids == env.ref("base.other_company")


def test_users_change_their_own_preferences(env):
    grant(env, "res.users", None, "r")
    user = make_user(env, "prefs", ["base.group_user"],
                     companies=["base.main_company", "base.other_company"])
    mine = user.with_user(user)
    mine.write({"signature": "<p>Regards</p>", "tz": "Europe/Berlin", "lang": "de_DE", "name": "Prefs"})
    assert (user.tz, user.lang, user.name) == ("Europe/Berlin", "de_DE", "Prefs")
    mine.write({"company_id": env.ref("base.other_company").id})
    with pytest.raises(AccessError):
        mine.write({"login": "renamed"})
    with pytest.raises(AccessError):
        mine.write({"groups_id": [(4, env.ref("base.group_system").id)]})
    other = make_user(env, "someone", ["base.group_user"])
    with pytest.raises(AccessError):
        other.with_user(user).write({"signature": "hacked"})


def test_self_company_switch_limited_to_allowed(env):
    user = make_user(env, "switcher", ["base.group_user"])
    with pytest.raises(AccessError):
        user.with_user(user).write({"company_id": env.ref("base.other_company").id})


def test_superuser_and_self_protection(env):
    with pytest.raises(UserError):
        env["res.users"].browse(1).unlink()
    grant(env, "res.users", "base.group_erp_manager", "rwcu")
    manager = make_user(env, "mgr", ["base.group_erp_manager"])
    with pytest.raises(UserError):
        manager.with_user(manager).write({"active": False})
    with pytest.raises(UserError):
        manager.with_user(manager).unlink()


def test_copy_gets_a_new_login(env):
    user = make_user(env, "original", ["base.group_user"])
    copy = user.copy()
    assert copy.login == "original (copy)" and copy.partner_id != user.partner_id
    assert copy.groups_id == user.groups_id


def test_context_get(env):
    user = make_user(env, "ctx", ["base.group_user"], tz="Europe/Paris", lang="fr_FR")
    assert env(user=user.id)["res.users"].context_get() == {"lang": "fr_FR", "tz": "Europe/Paris",
                                                            "uid": user.id}


def test_share_follows_memberships_written_from_the_group(env):
    user = make_user(env, "sharer", ["base.group_portal"])
    user.write({"groups_id": [(5,)]})
    env.ref("base.group_user").write({"users": [(4, user.id)]})
    assert user.share is False
    env.ref("base.group_user").write({"users": [(3, user.id)]})
    assert user.share is True
