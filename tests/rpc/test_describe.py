"""Which methods RPC may call (core/rpc/describe.py), and the description of models.

Runs on a real database with base (and its demo users) plus the test addon
tests/rpc/addons/test_rpc_describe: a model with an ``@api.model`` method, a record
method, an ``@api.private`` one, overrides that must keep the kind and privacy of the
methods they override, and a res.partner field restricted to administrators.
"""
import json
import os

import pytest

from core.api import Environment
from core.exceptions import AccessError, UserError
from core.modules import ModuleManager
from core.rpc.describe import (MethodNotFound, describe_model, describe_models, is_model_method,
                               public_method_names, rpc_method)
from tests.plugin import _new_database

ADDONS = os.path.join(os.path.dirname(__file__), "addons")
ADMIN = 2

#: BaseModel methods no remote caller may use (see the docstring of core/rpc/describe.py)
PRIVATE = ("sudo", "with_user", "with_env", "with_context", "with_company", "mapped", "filtered",
           "sorted", "grouped", "filtered_domain", "copy_data", "invalidate_recordset",
           "invalidate_model", "flush_model", "flush_recordset", "init", "new", "browse",
           "concat", "union")
#: the ORM's API that stays public
PUBLIC = ("create", "read", "write", "unlink", "copy", "search", "search_read", "search_count",
          "search_fetch", "read_group", "name_search", "name_create", "name_get", "fields_get",
          "default_get", "exists", "ensure_one", "onchange", "check_access_rights",
          "check_access_rule", "load")
MODEL_METHODS = ("create", "search", "search_read", "search_count", "search_fetch", "read_group",
                 "name_search", "name_create", "fields_get", "default_get", "check_access_rights", "load")


@pytest.fixture
def env(tmp_path, installed_template):
    """The superuser's environment on a copy of a database with the test addon; rolled back."""
    uri, drop = _new_database(tmp_path, installed_template(("test_rpc_describe",), addons_paths=(ADDONS,)))
    manager = ModuleManager(uri, addons_paths=[ADDONS])
    cr = manager.open().cursor()
    try:
        yield Environment(cr, 1, {})
    finally:
        cr.close()
        manager.engine.dispose()
        drop()


def as_user(env, login):
    uid = env["res.users"].search([("login", "=", login)]).id
    assert uid and (uid == ADMIN) == (login == "admin")
    return Environment(env.cr, uid, {})


# ---------------------------------------------------------------- rpc_method
@pytest.mark.parametrize("name", ["_check_access", "_bump", "__class__", "__init__"])
def test_underscore_names_are_private(env, name):
    with pytest.raises(AccessError, match=r"Private methods \(such as test\.rpc\.gadget\.%s\) "
                                          r"cannot be called remotely\." % name):
        rpc_method(env["test.rpc.gadget"], name)


@pytest.mark.parametrize("name", PRIVATE)
def test_audited_orm_methods_are_private(env, name):
    with pytest.raises(AccessError, match="cannot be called remotely"):
        rpc_method(env["res.partner"], name)


@pytest.mark.parametrize("name", PUBLIC)
def test_the_orm_api_stays_public(env, name):
    function = rpc_method(env["res.partner"], name)
    assert callable(function) and function.__name__ == name
    assert is_model_method(function) == (name in MODEL_METHODS)


def test_api_private_method_of_an_addon_is_refused(env):
    with pytest.raises(AccessError, match=r"test\.rpc\.gadget\.reset_counts"):
        rpc_method(env["test.rpc.gadget"], "reset_counts")


def test_an_override_keeps_privacy_and_kind_of_what_it_overrides(env):
    with pytest.raises(AccessError, match="cannot be called remotely"):
        rpc_method(env["test.rpc.gadget"], "sudo")      # redefined without @api.private
    with pytest.raises(AccessError, match="cannot be called remotely"):
        rpc_method(env["ir.sequence"], "init")          # base's override of init
    assert is_model_method(rpc_method(env["test.rpc.gadget"], "search"))  # without @api.model


@pytest.mark.parametrize("name, message", [
    ("no_such_method", "The method 'no_such_method' does not exist on the model 'test.rpc.gadget'"),
    ("name", "'name' is a field of the model 'test.rpc.gadget', not a method"),
    ("partner_id", "'partner_id' is a field"),
    ("ids", "'ids' of the model 'test.rpc.gadget' is not a method"),
    ("MAX_ONCHANGE_ROUNDS", "is not a method"),
    ("", "Invalid method name ''"),
])
def test_unknown_names_fields_and_attributes_are_not_methods(env, name, message):
    with pytest.raises(MethodNotFound, match=message):
        rpc_method(env["test.rpc.gadget"], name)


def test_method_not_found_is_a_user_error_and_static_methods_are_refused(env):
    assert issubclass(MethodNotFound, UserError)
    with pytest.raises(MethodNotFound, match="values_checksum"):
        rpc_method(env["ir.model.data"], "values_checksum")
    with pytest.raises(MethodNotFound):
        rpc_method(env["test.rpc.gadget"], 42)


def test_the_function_runs_on_records_under_the_callers_rights(env):
    demo = as_user(env, "demo")
    gadgets = demo["test.rpc.gadget"]
    ids = rpc_method(gadgets, "make_many")(gadgets, ["a", "b"], prefix="x-")
    assert rpc_method(gadgets, "rename")(gadgets.browse(ids), "y", upper=True) is True
    assert [g.name for g in gadgets.browse(ids)] == ["Y", "Y"]
    groups = demo["res.groups"]
    with pytest.raises(AccessError):
        rpc_method(groups, "create")(groups, {"name": "Not for demo"})


# ---------------------------------------------------------------- access checks of the API
def test_check_access_rights_answers_without_raising_when_asked(env):
    demo = as_user(env, "demo")
    assert demo["res.partner"].check_access_rights("read") is True
    assert demo["res.groups"].check_access_rights("create", raise_exception=False) is False
    with pytest.raises(AccessError):
        demo["res.groups"].check_access_rights("create")
    with pytest.raises(ValueError, match="Invalid access operation 'drop'"):
        demo["res.partner"].check_access_rights("drop")
    admin_partner = demo["res.partner"].browse(as_user(env, "admin").user.partner_id.id)
    admin_partner.check_access_rule("read")


def test_fields_of_a_group_are_refused_to_read_group_and_onchange(env):
    demo = as_user(env, "demo")
    with pytest.raises(AccessError, match="rpc_secret"):
        demo["res.partner"].read_group([], ["name"], ["rpc_secret"])
    env["res.partner"].browse(demo.user.partner_id.id).rpc_secret = "s3cret"
    result = demo["res.partner"].onchange({"id": demo.user.partner_id.id, "name": "Demo"}, ["name"])
    assert "rpc_secret" not in result["value"] and "complete_name" in result["value"]
    admin = as_user(env, "admin")["res.partner"].onchange(
        {"id": demo.user.partner_id.id, "name": "Demo"}, ["name"])
    assert admin["value"]["rpc_secret"] == "s3cret"


# ---------------------------------------------------------------- descriptions
def test_describe_model_as_admin_and_as_demo(env):
    admin = describe_model(as_user(env, "admin"), "res.partner")
    demo = describe_model(as_user(env, "demo"), "res.partner")
    json.dumps(admin)
    json.dumps(demo)
    assert (admin["model"], admin["name"]) == ("res.partner", "Contact")
    assert "rpc_secret" in admin["fields"] and "rpc_secret" not in demo["fields"]
    assert set(admin["fields"]) - set(demo["fields"]) == {"rpc_secret"}
    secret = admin["fields"]["rpc_secret"]
    assert (secret["type"], secret["string"], secret["help"]) == ("char", "RPC Secret",
                                                                  "Only administrators see this field")
    parent = admin["fields"]["parent_id"]
    assert parent["relation"] == "res.partner" and parent["type"] == "many2one"
    for key in ("type", "string", "required", "readonly", "store", "searchable", "sortable",
                "exportable"):
        assert key in parent
    assert admin["methods"] == demo["methods"]
    assert set(PUBLIC) <= set(admin["methods"])
    assert not set(PRIVATE) & set(admin["methods"])
    assert not any(name.startswith("_") for name in admin["methods"])
    assert admin["methods"]["find_or_create"]["model"] is True
    assert admin["methods"]["address_get"]["model"] is False


def test_methods_of_an_addon_model_with_their_parameters(env):
    described = describe_model(as_user(env, "demo"), "test.rpc.gadget")
    methods = described["methods"]
    assert methods["make_many"] == {
        "doc": "Create one gadget per name.",
        "params": [{"name": "names", "kind": "positional_or_keyword", "required": True},
                   {"name": "prefix", "kind": "positional_or_keyword", "required": False, "default": ""}],
        "model": True, "returns": None}
    assert methods["rename"] == {
        "doc": "Give the gadgets a new name.",
        "params": [{"name": "name", "kind": "positional_or_keyword", "required": True},
                   {"name": "upper", "kind": "keyword_only", "required": False, "default": False}],
        "model": False, "returns": "boolean"}
    assert "reset_counts" not in methods and "_bump" not in methods and "sudo" not in methods
    assert methods["search"]["model"] is True
    assert methods["create"]["params"] == [{"name": "vals_list", "kind": "positional_or_keyword",
                                            "required": True}]
    assert described["fields"]["kind"]["selection"] == [["tool", "Tool"], ["toy", "Toy"]]
    assert sorted(methods) == public_method_names(env["test.rpc.gadget"])


def test_describe_model_refuses_unknown_and_unreadable_models(env):
    with pytest.raises(UserError, match="Object no.such.model doesn't exist"):
        describe_model(env, "no.such.model")
    with pytest.raises(AccessError):
        describe_model(as_user(env, "portal"), "test.rpc.gadget")


def test_describe_models_lists_what_the_user_may_read(env):
    admin = {row["model"]: row for row in describe_models(as_user(env, "admin"))}
    portal = {row["model"] for row in describe_models(as_user(env, "portal"))}
    assert admin["test.rpc.gadget"] == {"model": "test.rpc.gadget", "name": "Gadget",
                                        "transient": False, "abstract": False}
    assert "res.partner" in admin and "test.rpc.gadget" not in portal
    assert portal < set(admin)
    assert set(admin) <= set(env.registry.models)
