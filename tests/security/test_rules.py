"""Record rules (ir.rule): how they combine, and what search / read / write / unlink do."""
import pytest

from core import security
from core.exceptions import AccessError, ValidationError

from .common import add_rule, grant, make_group, make_user


@pytest.fixture
def setup(env):
    """Partners of colours 1..4 (plus one archived), a user in groups G1 and G2 but not G3."""
    grant(env, "res.partner", "base.group_user", "rwcu")
    g1, g2, g3 = (make_group(env, name) for name in ("G1", "G2", "G3"))
    user = make_user(env, "ruled", ["base.group_user"])
    user.write({"groups_id": [(4, g1.id), (4, g2.id)]})
    partners = env["res.partner"].create([{"name": f"P{i}", "color": i, "ref": "rules"} for i in range(1, 5)])
    archived = env["res.partner"].create({"name": "P-archived", "color": 1, "ref": "rules", "active": False})
    return {"env": env, "uenv": env(user=user.id), "user": user, "g1": g1, "g2": g2, "g3": g3,
            "partners": partners, "archived": archived}


def visible_colours(uenv):
    return sorted(uenv["res.partner"].search([("ref", "=", "rules")]).mapped("color"))


def test_no_rule_no_restriction(setup):
    assert visible_colours(setup["uenv"]) == [1, 2, 3, 4]


def test_global_and_global(setup):
    env = setup["env"]
    add_rule(env, "res.partner", "[('color', '>', 1)]")
    add_rule(env, "res.partner", "[('color', '<', 4)]")
    assert visible_colours(setup["uenv"]) == [2, 3]


def test_group_or_group(setup):
    env = setup["env"]
    add_rule(env, "res.partner", "[('color', '=', 1)]", [setup["g1"]])
    add_rule(env, "res.partner", "[('color', '=', 2)]", [setup["g2"]])
    assert visible_colours(setup["uenv"]) == [1, 2]


def test_global_and_group_or_group(setup):
    env = setup["env"]
    add_rule(env, "res.partner", "[('color', '!=', 2)]")
    add_rule(env, "res.partner", "[('color', 'in', [1, 2])]", [setup["g1"]])
    add_rule(env, "res.partner", "[('color', 'in', [2, 3])]", [setup["g2"]])
    assert visible_colours(setup["uenv"]) == [1, 3]


def test_rule_of_a_group_the_user_lacks_imposes_nothing(setup):
    env = setup["env"]
    add_rule(env, "res.partner", "[('color', '=', 99)]", [setup["g3"]])
    assert visible_colours(setup["uenv"]) == [1, 2, 3, 4]
    # ... and does not widen what the user's own group rules allow either
    add_rule(env, "res.partner", "[('color', '=', 4)]", [setup["g1"]])
    assert visible_colours(setup["uenv"]) == [4]


def test_rule_shared_by_groups_applies_once_to_members_of_either(setup):
    env = setup["env"]
    add_rule(env, "res.partner", "[('color', '=', 3)]", [setup["g3"], setup["g2"]])
    assert visible_colours(setup["uenv"]) == [3]


def test_search_filters_silently_everywhere(setup):
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '<=', 2)]")
    partners = uenv["res.partner"]
    assert partners.search_count([("ref", "=", "rules")]) == 2
    groups = partners.read_group([("ref", "=", "rules")], ["color:sum"], ["ref"])
    assert groups[0]["color"] == 3
    assert [name for _id, name in partners.name_search("P", limit=10)
            if name.startswith("P")] == ["P1", "P2"]
    archived = partners.with_context(active_test=False).search([("ref", "=", "rules")])
    assert sorted(archived.mapped("name")) == ["P-archived", "P1", "P2"]


def test_read_write_unlink_of_a_forbidden_record_raise_naming_the_rule(setup):
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '<=', 2)]", name="Only small colours")
    add_rule(env, "res.partner", "[('name', '!=', 'nobody')]", name="Harmless rule")
    p1, p3 = setup["partners"][0], setup["partners"][2]
    allowed, forbidden = p1.with_env(uenv), p3.with_env(uenv)
    assert allowed.read(["name"])[0]["name"] == "P1"
    for operation, call in (("read", lambda: forbidden.read(["name"])),
                            ("modify", lambda: forbidden.write({"name": "X"})),
                            ("delete", lambda: forbidden.unlink()),
                            ("read", lambda: (allowed + forbidden).read(["name"]))):
        with pytest.raises(AccessError) as info:
            call()
        message = str(info.value)
        assert f"not allowed to {operation}" in message
        assert "res.partner" in message and f"[{p3.id}]" in message
        assert "Only small colours" in message and "Harmless rule" not in message
        assert "'ruled'" in message
    assert p3.name == "P3" and p3.exists()


def test_operation_flags(setup):
    """A rule applies only to the operations it is set for."""
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '=', 1)]", perms="wu")
    assert visible_colours(uenv) == [1, 2, 3, 4]
    p2 = setup["partners"][1].with_env(uenv)
    assert p2.read(["color"])[0]["color"] == 2
    with pytest.raises(AccessError):
        p2.write({"name": "changed"})
    setup["partners"][0].with_env(uenv).write({"name": "P1 changed"})


def test_write_checks_the_records_before_the_change(setup):
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '<=', 2)]")
    p1 = setup["partners"][0].with_env(uenv)
    p1.write({"color": 3})                  # allowed before: the new value is not checked by write
    with pytest.raises(AccessError):
        p1.write({"color": 1})              # ... but now the record is out of reach


def test_create_rules_checked_on_the_new_records_by_the_checker(setup):
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '<=', 2)]", perms="c")
    new = env["res.partner"].create({"name": "Too colourful", "color": 7})
    checker = env.registry.access_checker
    checker(env["res.partner"].with_env(uenv), "create")                 # access rights only
    with pytest.raises(AccessError) as info:
        checker(new.with_env(uenv), "create")
    assert "not allowed to create" in str(info.value)
    checker(setup["partners"][0].with_env(uenv), "create")


def test_create_of_a_forbidden_record_raises_and_leaves_nothing(setup):
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '<=', 2)]", perms="c")
    uenv["res.partner"].create({"name": "Fine", "color": 1, "ref": "rules"})
    with pytest.raises(AccessError):
        uenv["res.partner"].create({"name": "Too colourful", "color": 7, "ref": "rules"})
    assert not env["res.partner"].search([("name", "=", "Too colourful")])


def test_rules_of_inherits_parents_apply_through_the_link(setup):
    env, uenv = setup["env"], setup["uenv"]
    other = make_user(env, "other", ["base.group_user"])
    other.partner_id.write({"color": 9})
    grant(env, "res.users", "base.group_user", "r")
    add_rule(env, "res.partner", "[('color', '!=', 9)]", name="No colour 9")
    logins = uenv["res.users"].search([]).mapped("login")
    assert "ruled" in logins and "other" not in logins
    with pytest.raises(AccessError) as info:
        other.with_env(uenv).read(["login"])
    assert "No colour 9" in str(info.value)


def test_sudo_bypasses_rules(setup):
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '=', 1)]")
    assert sorted(uenv["res.partner"].sudo().search([("ref", "=", "rules")]).mapped("color")) == [1, 2, 3, 4]
    setup["partners"][3].with_env(uenv).sudo().write({"name": "sudo wrote"})
    assert setup["partners"][3].name == "sudo wrote"


def test_rules_apply_to_related_searches(setup):
    """A domain through a many2one only reaches the comodel records the user may see."""
    env, uenv = setup["env"], setup["uenv"]
    parent = setup["partners"][2]                     # colour 3
    child = env["res.partner"].create({"name": "Child", "color": 1, "parent_id": parent.id, "ref": "kid"})
    add_rule(env, "res.partner", "[('color', '!=', 3)]")
    assert not uenv["res.partner"].search([("ref", "=", "kid"), ("parent_id.name", "=", "P3")])
    assert env["res.partner"].search([("ref", "=", "kid"), ("parent_id.name", "=", "P3")]) == child


def test_rule_through_a_path_and_with_user_values(setup):
    env, uenv, user = setup["env"], setup["uenv"], setup["user"]
    parent = setup["partners"][0]
    kids = env["res.partner"].create([{"name": "Kid of P1", "parent_id": parent.id, "ref": "rules",
                                       "color": 5},
                                      {"name": "Kid of P2", "parent_id": setup["partners"][1].id,
                                       "ref": "rules", "color": 6}])
    add_rule(env, "res.partner", "['|', ('parent_id.name', '=', 'P1'), ('id', '=', user.partner_id.id)]")
    found = uenv["res.partner"].search([])
    assert set(found.ids) == {kids[0].id, user.partner_id.id}
    with pytest.raises(AccessError):
        kids[1].with_env(uenv).read(["name"])


def test_multi_company_rule(env):
    grant(env, "res.partner", "base.group_user", "r")
    add_rule(env, "res.partner", "['|', ('company_id', '=', False), ('company_id', 'in', company_ids)]",
             name="multi-company")
    main, other = env.ref("base.main_company"), env.ref("base.other_company")
    env["res.partner"].create({"name": "Shared", "ref": "mc"})
    in_main = env["res.partner"].create({"name": "Main's", "company_id": main.id, "ref": "mc"})
    in_other = env["res.partner"].create({"name": "Other's", "company_id": other.id, "ref": "mc"})
    single = make_user(env, "single", ["base.group_user"])
    both = make_user(env, "both", ["base.group_user"], companies=["base.main_company", "base.other_company"])

    def names(user, **context):
        partners = env(user=user.id, context=context)["res.partner"]
        return sorted(partners.search([("ref", "=", "mc")]).mapped("name"))

    assert names(single) == ["Main's", "Shared"]
    assert names(both) == ["Main's", "Other's", "Shared"]
    assert names(both, allowed_company_ids=[other.id]) == ["Other's", "Shared"]
    with pytest.raises(AccessError) as info:
        names(single, allowed_company_ids=[other.id])
    assert "unauthorized" in str(info.value)
    with pytest.raises(AccessError):
        in_other.with_env(env(user=single.id)).read(["name"])
    assert in_main.with_env(env(user=single.id)).read(["name"])


def test_rules_change_within_the_transaction(setup):
    env, uenv = setup["env"], setup["uenv"]
    assert visible_colours(uenv) == [1, 2, 3, 4]
    rule = add_rule(env, "res.partner", "[('color', '=', 1)]")
    assert visible_colours(uenv) == [1]
    rule.write({"domain_force": "[('color', '=', 2)]"})
    assert visible_colours(uenv) == [2]
    rule.write({"groups": [(4, setup["g3"].id)]})
    assert visible_colours(uenv) == [1, 2, 3, 4]
    setup["g3"].write({"users": [(4, setup["user"].id)]})
    assert visible_colours(uenv) == [2]
    rule.write({"active": False})
    assert visible_colours(uenv) == [1, 2, 3, 4]


def test_compute_domain_api(setup):
    env, uenv = setup["env"], setup["uenv"]
    assert uenv["ir.rule"]._compute_domain("res.partner", "read") == []
    add_rule(env, "res.partner", "[('color', '=', user.id)]")
    assert uenv["ir.rule"]._compute_domain("res.partner", "read") == [("color", "=", setup["user"].id)]


@pytest.mark.parametrize("domain, error", [
    ("[('no_such_field', '=', 1)]", "no_such_field"),
    ("[('name', '=', __import__('os').getcwd())]", "not allowed"),
    ("[('name', '=', user.env.cr)]", "no field 'env'"),
    ("[('name', '=', user.password)]", "restricted"),
    ("[(x, '=', 1) for x in 'ab']", "ListComp"),
    ("[('id', '=', user.sudo().id)]", "no field 'sudo'"),
    ("[('color', '=', 2 ** 100)]", "Pow"),
    ("[('name', '=', ",  "invalid expression"),
    ("{'a': 1}", "not a domain"),
    ("[('name', '=', lambda: 1)]", "Lambda"),
])
def test_invalid_domains_are_refused_when_saved(env, domain, error):
    with pytest.raises(ValidationError) as info:
        add_rule(env, "res.partner", domain)
    assert error in str(info.value)


def test_no_rule_on_ir_rule(env):
    with pytest.raises(ValidationError):
        add_rule(env, "ir.rule", "[]")


def test_a_rule_needs_an_operation(env):
    with pytest.raises(ValidationError):
        add_rule(env, "res.partner", "[]", perms="")


def test_global_flag(setup):
    env = setup["env"]
    assert add_rule(env, "res.partner", "[]").global_ is True
    assert add_rule(env, "res.partner", "[]", [setup["g1"]]).global_ is False


def test_eval_domain_allowed_forms(env):
    user = make_user(env, "evaluator", ["base.group_user"])
    context = security.eval_context(env(user=user.id))
    evaluate = security.eval_domain
    assert evaluate("[('user_id', '=', user.id)]", context) == [("user_id", "=", user.id)]
    assert evaluate("[('company_id', 'in', company_ids + [False])]", context) == \
        [("company_id", "in", [env.ref("base.main_company").id, False])]
    assert evaluate("[('company_id', '=', user.company_id)]", context) == \
        [("company_id", "=", env.ref("base.main_company").id)]
    assert evaluate("[('company_id', 'in', user.company_ids)]", context) == \
        [("company_id", "in", [env.ref("base.main_company").id])]
    assert evaluate("[('groups_id', 'in', [ref('base.group_user')])]", context) == \
        [("groups_id", "in", [env.ref("base.group_user").id])]
    assert evaluate("[('date', '<=', time.strftime('%Y-%m-%d'))]", context)[0][2].count("-") == 2
    assert evaluate("[('x', '=', company_id if company_ids else False)]", context) == \
        [("x", "=", env.ref("base.main_company").id)]
    assert evaluate("['|', ('a', '=', -1), '!', ('b', 'not in', (1, 2))]", context) == \
        ["|", ("a", "=", -1), "!", ("b", "not in", [1, 2])]
    assert evaluate("", context) == []
    with pytest.raises(security.RuleError):
        evaluate("[('a', '=', user.__class__)]", context)
    with pytest.raises(security.RuleError):
        evaluate("[('a', '=', company_ids.append(3))]", context)


def test_field_access_on_a_forbidden_record_raises(setup):
    env, uenv = setup["env"], setup["uenv"]
    add_rule(env, "res.partner", "[('color', '<=', 2)]", name="Only small colours")
    env.invalidate_all()      # as in Odoo, values already in the cache are not checked again
    p1, p3 = (p.with_env(uenv) for p in (setup["partners"][0], setup["partners"][2]))
    assert p1.name == "P1"
    with pytest.raises(AccessError) as info:
        p3.name
    assert "Only small colours" in str(info.value)
    nobody = make_user(env, "noacl", [])
    env.invalidate_all()
    with pytest.raises(AccessError):
        setup["partners"][0].with_user(nobody).name
