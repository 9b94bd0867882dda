"""ir.ui.view on a real database: assembly, validation, default views, groups, get_view(s),
and the action dict of ir.actions.act_window."""
import pytest
from lxml import etree

from core.api import SUPERUSER_ID, Environment
from core.fields import Command
from core.modules import ModuleManager
from core.views import ViewError, combined_arch

FORM = """<form><sheet><group name="main">
    <field name="name"/>
    <field name="email"/>
</group></sheet></form>"""


@pytest.fixture
def env(base_db_uri):
    manager = ModuleManager(base_db_uri)
    registry = manager.open()
    cr = registry.cursor()
    yield Environment(cr, SUPERUSER_ID, {})
    cr.close()       # never committed: rolled back
    manager.engine.dispose()


def view(env, arch, inherit=None, xmlid=None, **values):
    values = {"name": xmlid or "test.view", "arch": arch, **values}
    if inherit:
        values["inherit_id"] = inherit.id
    else:
        values.setdefault("model", "res.partner")
    record = env["ir.ui.view"].create(values)
    if xmlid:
        module, name = xmlid.split(".")
        env["ir.model.data"].create({"module": module, "name": name, "model": "ir.ui.view",
                                     "res_id": record.id})
    return record


def field_names(arch):
    return [node.get("name") for node in etree.fromstring(arch).iter("field")]


def test_extension_defaults_mode_model_and_type(env):
    parent = view(env, FORM)
    assert (parent.mode, parent.type) == ("primary", "form")
    child = view(env, '<field name="name" position="after"><field name="phone"/></field>', parent)
    assert (child.mode, child.model, child.type) == ("extension", "res.partner", "form")


def test_extension_of_extension_and_priority_order(env):
    parent = view(env, FORM)
    late = view(env, '<field name="name" position="after"><field name="phone"/></field>', parent, priority=20)
    early = view(env, '<field name="name" position="after"><field name="ref"/></field>', parent, priority=5)
    # an extension of the late extension: applied right after it
    view(env, '<field name="phone" position="after"><field name="vat"/></field>', late)
    assert field_names(parent.get_combined_arch()) == ["name", "phone", "vat", "ref", "email"]
    # the combined arch is the same seen from any view of the family
    assert early.get_combined_arch() == parent.get_combined_arch()
    early.write({"priority": 30})
    assert field_names(parent.get_combined_arch()) == ["name", "ref", "phone", "vat", "email"]


def test_inactive_extensions_do_not_apply(env):
    parent = view(env, FORM)
    child = view(env, '<field name="email" position="replace"/>', parent)
    assert field_names(parent.get_combined_arch()) == ["name"]
    child.write({"active": False})
    assert field_names(parent.get_combined_arch()) == ["name", "email"]


def test_primary_mode_inheritance_makes_a_new_view(env):
    parent = view(env, FORM, priority=1)   # before base's partner form
    view(env, '<field name="name" position="after"><field name="phone"/></field>', parent)
    primary = view(env, '<field name="email" position="replace"><field name="ref"/></field>', parent,
                   mode="primary", priority=50)
    view(env, '<field name="ref" position="after"><field name="vat"/></field>', primary)
    assert field_names(primary.get_combined_arch()) == ["name", "phone", "ref", "vat"]
    # the parent is untouched by its primary child
    assert field_names(parent.get_combined_arch()) == ["name", "phone", "email"]
    assert env["ir.ui.view"].get_view("res.partner", "form")["id"] == parent.id


def test_failing_locator_names_the_extension_xmlid_and_locator(env):
    parent = view(env, FORM, xmlid="test_views.partner_form")
    with pytest.raises(ViewError) as info:
        view(env, """<data>
            <xpath expr="//field[@name='nowhere']" position="after"><field name="phone"/></xpath>
        </data>""", parent, xmlid="test_views.partner_form_bad")
    message = str(info.value)
    assert "test_views.partner_form_bad" in message
    assert "//field[@name='nowhere']" in message and "line 2" in message


def test_write_that_breaks_a_view_is_refused(env):
    parent = view(env, FORM, xmlid="test_views.partner_form")
    child = view(env, '<field name="email" position="after"><field name="phone"/></field>', parent)
    with pytest.raises(ViewError, match=r"test_views.partner_form.*field 'nope' does not exist in model "
                                        r"res.partner"):
        parent.write({"arch": FORM.replace('"name"', '"nope"', 1)})
    with pytest.raises(ViewError, match=r'<field name="email" position="after">'):
        parent.write({"arch": FORM.replace('<field name="email"/>', "")})
    assert child.exists()


def test_invalid_field_and_root_tag_are_refused(env):
    with pytest.raises(ViewError, match=r"test_views.broken: field 'nope' does not exist in model res.partner"):
        view(env, '<list><field name="name"/><field name="nope"/></list>', xmlid="test_views.broken")
    with pytest.raises(ViewError, match=r"root of a list view must be <list>, not <form>"):
        view(env, FORM, type="list")
    # sub-views of x2many fields are checked against the comodel
    view(env, '<form><field name="child_ids"><list><field name="email"/></list></field></form>')
    with pytest.raises(ViewError, match=r"field 'login' does not exist in model res.partner"):
        view(env, '<form><field name="child_ids"><list><field name="login"/></list></field></form>')
    with pytest.raises(ViewError, match=r"field 'nope' does not exist in model res.users"):
        view(env, '<form><field name="user_ids"><form><field name="nope"/></form></field></form>')
    with pytest.raises(ViewError, match="invalid XML"):
        view(env, "<form><field name='name'></form>", type="form")


def test_default_views(env):
    views = env["ir.ui.view"]
    assert not views.search([("model", "=", "res.currency.rate")])
    listing = views.get_view("res.currency.rate", "list")
    assert listing["id"] is False and listing["arch"] == '<list><field name="name"/></list>'
    assert list(listing["fields"]) == ["name"]
    search = views.get_view("res.currency.rate", "search")
    assert search["arch"] == '<search><field name="name"/></search>'
    form = etree.fromstring(views.get_view("res.currency.rate", "form")["arch"])
    names = [f.get("name") for f in form.iterfind("sheet/group/field")]
    assert "name" in names and "currency_id" in names
    assert not {"id", "create_date", "write_uid", "display_name"} & set(names)
    kanban = views.get_view("res.currency.rate", "kanban")
    assert kanban["arch"] == '<kanban><templates><t t-name="card"><field name="name"/></t></templates></kanban>'
    assert views.get_view("res.currency.rate", "pivot")["arch"] == "<pivot/>"
    assert views.get_view("res.currency.rate", "graph")["arch"] == "<graph/>"
    with pytest.raises(ViewError, match="no calendar view"):       # no date to place events by
        views.get_view("res.currency.rate", "calendar")


def test_get_view_picks_lowest_priority_and_view_id(env):
    low = view(env, '<list><field name="name"/></list>', priority=5)
    high = view(env, '<list><field name="email"/></list>', priority=10)
    result = env["ir.ui.view"].get_view("res.partner", "list")
    assert (result["id"], result["model"], result["type"]) == (low.id, "res.partner", "list")
    assert set(result["fields"]) == {"name"} and result["fields"]["name"]["type"] == "char"
    assert env["ir.ui.view"].get_view("res.partner", "list", high.id)["id"] == high.id


def test_groups_are_stripped_for_users_outside_them(env):
    arch = """<form>
        <field name="login"/>
        <field name="password"/>
        <group groups="base.group_system"><field name="name"/></group>
        <field name="email" groups="base.group_no_one,base.group_system"/>
        <field name="partner_id"><list><field name="ref" groups="base.group_system"/><field name="city"/></list></field>
    </form>"""
    form = view(env, arch, model="res.users")
    # an extension restricted to a group only applies to its members
    view(env, '<field name="login" position="after"><field name="signature"/></field>', form,
         groups_id=[Command.set([env.ref("base.group_system").id])])
    user = env["res.users"].create({"name": "Plain", "login": "plain",
                                    "groups_id": [Command.set([env.ref("base.group_user").id])]})
    admin = env.ref("base.user_admin")
    plain = env["ir.ui.view"].with_user(user).get_view("res.users", "form", form.id)
    full = env["ir.ui.view"].with_user(admin).get_view("res.users", "form", form.id)
    assert field_names(plain["arch"]) == ["login", "partner_id", "city"]
    assert field_names(full["arch"]) == ["login", "signature", "password", "name", "email", "partner_id",
                                         "ref", "city"]
    assert "groups=" not in full["arch"]
    assert "password" not in plain["fields"] and "password" in full["fields"]
    assert set(plain["models"]["res.partner"]) == {"city"}


def test_get_views_shape(env):
    view(env, FORM)
    view(env, '<search><field name="name"/><filter name="companies" string="Companies" '
              'domain="[(\'is_company\', \'=\', True)]"/></search>')
    result = env["ir.ui.view"].get_views("res.partner", [[False, "list"], [False, "form"], [False, "search"]])
    assert set(result) == {"models", "views"}
    assert set(result["views"]) == {"list", "form", "search"}
    for view_type, description in result["views"].items():
        assert {"arch", "id", "model", "fields"} <= set(description)
        assert description["model"] == "res.partner"
        assert etree.fromstring(description["arch"]).tag == view_type
    assert {"name", "email"} <= set(result["models"]["res.partner"])
    assert result["models"]["res.partner"]["email"]["type"] == "char"
    assert result["views"]["list"]["id"] == env.ref("base.view_partner_tree").id   # base's own


def test_read_action(env):
    form = view(env, FORM)
    search = view(env, '<search><field name="name"/></search>')
    action = env["ir.actions.act_window"].create({
        "name": "Contacts", "res_model": "res.partner", "view_mode": "list,form,kanban",
        "view_id": form.id, "search_view_id": search.id, "domain": "[('is_company', '=', True)]",
        "context": "{'default_is_company': True}", "limit": 40})
    result = action.read_action()
    assert result["type"] == "ir.actions.act_window"
    assert (result["name"], result["res_model"], result["limit"]) == ("Contacts", "res.partner", 40)
    assert result["view_mode"] == ["list", "form", "kanban"]
    assert result["views"] == [[False, "list"], [form.id, "form"], [False, "kanban"]]
    assert result["domain"] == "[('is_company', '=', True)]"
    assert result["context"] == "{'default_is_company': True}"
    assert result["search_view_id"] == [search.id, search.name]


def test_combined_arch_function(env):
    parent = view(env, FORM)
    view(env, '<field name="email" position="replace"/>', parent)
    assert [f.get("name") for f in combined_arch(env, parent).iter("field")] == ["name"]
