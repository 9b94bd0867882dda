"""The groups, users and rules the base addon installs (with its demo data)."""
import pytest
import sqlalchemy as sa

from core.api import SUPERUSER_ID
from core.exceptions import AccessDenied, AccessError


def test_superuser_is_user_root(base_env):
    root = base_env.ref("base.user_root")
    assert root.id == SUPERUSER_ID
    assert root.login == "__system__" and root.active is False
    assert root.has_group("base.group_system")
    with pytest.raises(AccessDenied):
        base_env["res.users"].authenticate("__system__", "")


def test_admin(base_env):
    admin = base_env.ref("base.user_admin")
    assert admin.id == 2 and admin.login == "admin" and admin.active
    for group in ("base.group_system", "base.group_erp_manager", "base.group_user",
                  "base.group_partner_manager", "base.group_no_one"):
        assert admin.has_group(group), group
    assert not admin.has_group("base.group_portal") and not admin.share
    table = base_env.registry.tables["res.users"]
    password = base_env.cr.execute(sa.select(table.c.password).where(table.c.id == admin.id)).scalar_one()
    assert password is None                       # the command line sets it
    assert admin.company_id == base_env.ref("base.main_company")


def test_public_user(base_env):
    public = base_env.ref("base.public_user")
    assert public.active is False and public.share
    assert public.groups_id == base_env.ref("base.group_public")


def test_demo_user_has_only_internal_user(base_env):
    demo = base_env.ref("base.user_demo")
    internal = base_env.ref("base.group_user")
    assert demo.groups_id == internal
    assert demo.has_group("base.group_user") and not demo.share
    for group in ("base.group_system", "base.group_erp_manager", "base.group_partner_manager",
                  "base.group_no_one", "base.group_portal"):
        assert not demo.has_group(group), group
    assert base_env["res.users"].authenticate("demo", "demo") == demo.id


def test_demo_portal_user(base_env):
    portal = base_env.ref("base.demo_user0")
    assert portal.share and portal.has_group("base.group_portal") and not portal.has_group("base.group_user")
    assert base_env["res.users"].authenticate("portal", "portal") == portal.id


def test_group_hierarchy(base_env):
    ref = base_env.ref
    assert ref("base.group_system").implied_ids == ref("base.group_erp_manager")
    assert ref("base.group_erp_manager").implied_ids == ref("base.group_user")
    assert ref("base.group_portal").share and ref("base.group_public").share
    assert not ref("base.group_user").share
    names = {xmlid: ref(f"base.{xmlid}").name for xmlid in (
        "group_user", "group_portal", "group_public", "group_system", "group_erp_manager",
        "group_no_one", "group_multi_company", "group_partner_manager")}
    assert names["group_system"] == "Settings" and names["group_partner_manager"] == "Contact Creation"


def test_multi_company_partner_rule(base_env):
    env = base_env
    other = env["res.company"].create({"name": "Elsewhere Ltd", "currency_id": env.ref("base.EUR").id})
    hidden = env["res.partner"].create({"name": "Elsewhere's contact", "company_id": other.id})
    demo = env.ref("base.user_demo")
    denv = env(user=demo.id)
    assert hidden not in denv["res.partner"].search([("name", "like", "Elsewhere")])
    with pytest.raises(AccessError) as info:
        hidden.with_env(denv).read(["name"])
    assert "res.partner: own companies" in str(info.value)
    assert env.ref("base.main_partner") in denv["res.partner"].search([])
    assert other not in denv["res.company"].search([])
    admin = env.ref("base.user_admin")
    assert other in env(user=admin.id)["res.company"].search([])       # Access Rights see all companies


def test_portal_user_sees_own_partner_only(base_env):
    env = base_env
    portal = env.ref("base.demo_user0")
    penv = env(user=portal.id)
    assert penv["res.partner"].search([]) == portal.partner_id
    with pytest.raises(AccessError):
        env.ref("base.main_partner").with_env(penv).read(["name"])
    assert penv["res.users"].search([]) == portal
    with pytest.raises(AccessError):
        penv["res.partner"].create({"name": "Portal can't"})


def test_demo_user_keys(base_env):
    env = base_env
    demo, portal = env.ref("base.user_demo"), env.ref("base.demo_user0")
    key = env(user=demo.id)["res.users.apikeys"]._generate("rpc", "demo's script")
    env(user=portal.id)["res.users.apikeys"]._generate("rpc", "portal's script")
    assert env["res.users"].authenticate("demo", key) == demo.id
    assert env(user=demo.id)["res.users.apikeys"].search([]).mapped("name") == ["demo's script"]
    admin = env.ref("base.user_admin")
    assert len(env(user=admin.id)["res.users.apikeys"].search([])) == 2


def test_demo_user_cannot_touch_security(base_env):
    denv = base_env(user=base_env.ref("base.user_demo").id)
    with pytest.raises(AccessError):
        denv["res.groups"].create({"name": "Mine"})
    with pytest.raises(AccessError):
        system = base_env.ref("base.group_system").id
        base_env.ref("base.user_demo").with_env(denv).write({"groups_id": [(4, system)]})
    with pytest.raises(AccessError):
        denv["ir.model.access"].search([])[:1].write({"perm_unlink": True})
    assert denv["ir.rule"].search_count([]) > 0
