"""ir.model / ir.model.fields / fields_get describe every model as client libraries expect.

OCA odoorpc builds its proxies from ``fields_get`` and answers ``'model' in env`` with
``ir.model.search([('model', '=', name)])``; both must agree with the registry after
install, upgrade and uninstall (core/modules/reflection.py).  The test addons of
tests/modules/addons are installed and removed on a real database.
"""
import ast
import os

import pytest

from core.api import SUPERUSER_ID, Environment
from core.modules import ModuleManager

TEST_ADDONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "modules", "addons")


@pytest.fixture
def manager(base_db_uri):
    manager = ModuleManager(base_db_uri, addons_paths=[TEST_ADDONS])
    manager.open()
    yield manager
    manager.engine.dispose()


@pytest.fixture
def env(manager):
    cr = manager.registry.cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.close()


def fresh_env(manager):
    """A new cursor on the registry in service (after an install / uninstall)."""
    cr = manager.registry.cursor()
    return cr, Environment(cr, SUPERUSER_ID, {})


def reflected_fields(env, model):
    rows = env["ir.model.fields"].search_read([("model", "=", model)], [])
    return {row["name"]: row for row in rows}


# ---------------------------------------------------------------- every model, every field
def test_every_registry_model_has_its_row_and_external_id(env):
    rows = {row["model"]: row for row in env["ir.model"].search_read(
        [], ["model", "name", "transient", "abstract", "state", "modules"])}
    assert set(rows) == set(env.registry.models)
    for name, cls in env.registry.models.items():
        row = rows[name]
        assert (row["name"], row["transient"], row["abstract"], row["state"]) == \
            (cls._description or name, bool(cls._transient), bool(cls._abstract), "base")
        assert env.ref(f"{cls._original_module}.model_{name.replace('.', '_')}").id == row["id"]
    assert rows["res.partner"]["modules"] == "base"
    assert any(row["abstract"] for row in rows.values())   # abstract models are reflected too


def test_every_field_has_a_row_matching_fields_get(env):
    for model_name, cls in env.registry.models.items():
        described = env[model_name].fields_get()
        rows = reflected_fields(env, model_name)
        assert set(rows) == set(cls._fields), model_name
        for name, desc in described.items():
            row = rows[name]
            assert row["ttype"] == desc["type"], (model_name, name)
            assert row["field_description"] == desc["string"]
            assert (row["required"], row["readonly"], row["store"]) == \
                (desc["required"], desc["readonly"], desc["store"]), (model_name, name)
            assert (row["relation"] or None) == desc.get("relation")
            assert (row["relation_field"] or None) == desc.get("relation_field")
            if desc["type"] == "selection" and row["selection"]:
                assert [list(p) for p in ast.literal_eval(row["selection"])] == desc["selection"]


def test_relational_details_are_reflected(env):
    rows = reflected_fields(env, "res.partner")
    assert (rows["parent_id"]["relation"], rows["parent_id"]["on_delete"]) == ("res.partner", "set null")
    assert (rows["child_ids"]["relation"], rows["child_ids"]["relation_field"]) == ("res.partner", "parent_id")
    category = rows["category_id"]
    field = env["res.partner"]._fields["category_id"]
    assert (category["relation_table"], category["column1"], category["column2"]) == \
        (field.relation, field.column1, field.column2)
    assert ast.literal_eval(rows["type"]["selection"])[0] == ("contact", "Contact")
    assert env.ref("base.field_res_partner__name").name == "name"


# ---------------------------------------------------------------- what clients read
def test_client_libraries_find_models_as_an_internal_user(env):
    demo = env(user=env["res.users"].search([("login", "=", "demo")]).id)
    assert demo["ir.model"].search_count([("model", "=", "res.partner")]) == 1
    assert demo["ir.model"].search_count([("model", "=", "no.such.model")]) == 0
    model = demo["ir.model"].search([("model", "=", "res.partner")])
    assert {"name", "model", "info", "field_id", "state", "transient"} <= set(model.read()[0])
    assert len(model.field_id) == len(env["res.partner"]._fields)


def test_fields_get_has_odoo_shapes_and_filters_attributes(env):
    described = env["res.partner"].fields_get()
    assert described["type"]["selection"][0] == ["contact", "Contact"]
    assert described["parent_id"]["relation"] == "res.partner"
    assert described["child_ids"]["relation_field"] == "parent_id"
    assert described["name"]["type"] == "char" and described["name"]["exportable"] is True
    only = env["res.partner"].fields_get(["name", "parent_id"], attributes=["type", "relation"])
    assert only == {"name": {"type": "char"}, "parent_id": {"type": "many2one", "relation": "res.partner"}}


# ---------------------------------------------------------------- install / upgrade / uninstall
def test_install_adds_and_uninstall_removes_rows(manager):
    manager.install(["test_library_loans"])   # with test_library
    cr, env = fresh_env(manager)
    with cr:
        assert env["ir.model"].search_count([("model", "in", ["library.book", "library.loan"])]) == 2
        assert {"library_card", "book_ids"} <= set(reflected_fields(env, "res.partner"))
        assert {"loan_ids", "on_loan", "state"} <= set(reflected_fields(env, "library.book"))
        assert env.ref("test_library_loans.field_library_book__loan_ids").ttype == "one2many"
        assert env.ref("test_library.model_library_book").model == "library.book"
        assert env["ir.model"].search([("model", "=", "library.book")]).modules == \
            "test_library, test_library_loans"
    manager.uninstall(["test_library_loans"])
    cr, env = fresh_env(manager)
    with cr:
        assert env["ir.model"].search_count([("model", "=", "library.loan")]) == 0
        book = reflected_fields(env, "library.book")
        assert "loan_ids" not in book and "on_loan" not in book and "state" in book
        assert env["ir.model"].search([("model", "=", "library.book")]).modules == "test_library"
        assert not env["ir.model.data"].search_count([("module", "=", "test_library_loans")])
    manager.uninstall(["test_library"])
    cr, env = fresh_env(manager)
    with cr:
        assert env["ir.model"].search_count([("model", "like", "library.")]) == 0
        assert env["ir.model.fields"].search_count([("model", "like", "library.")]) == 0
        assert "library_card" not in reflected_fields(env, "res.partner")
        assert set(reflected_fields(env, "res.partner")) == set(env["res.partner"]._fields)


def test_upgrade_brings_rows_back_in_step_with_the_code(manager):
    manager.install(["test_library"])
    cr, env = fresh_env(manager)
    with cr:
        Fields = env["ir.model.fields"]
        Fields.search([("model", "=", "library.book"), ("name", "=", "name")]).write(
            {"required": False, "field_description": "Stale label", "ttype": "text"})
        env["ir.model"].search([("model", "=", "library.book")]).write({"name": "Stale", "transient": True})
        partner = env["ir.model"].search([("model", "=", "res.partner")])
        gone = Fields.create({"name": "x_gone", "model": "res.partner", "model_id": partner.id,
                              "ttype": "char", "field_description": "Gone"})
        env["ir.model.data"].create({"module": "test_library", "name": "field_res_partner__x_gone",
                                     "model": "ir.model.fields", "res_id": gone.id})
        vanished = env["ir.model"].create({"model": "library.vanished", "name": "Vanished"})
        Fields.create({"name": "name", "model": "library.vanished", "model_id": vanished.id,
                       "ttype": "char"})
    manager.upgrade(["test_library"])
    cr, env = fresh_env(manager)
    with cr:
        name = reflected_fields(env, "library.book")["name"]
        assert (name["required"], name["field_description"], name["ttype"]) == (True, "Name", "char")
        book = env["ir.model"].search([("model", "=", "library.book")])
        assert (book.name, book.transient) == ("Book", False)
        assert "x_gone" not in reflected_fields(env, "res.partner")
        assert not env["ir.model.data"].search_count([("name", "=", "field_res_partner__x_gone")])
        assert env["ir.model"].search_count([("model", "=", "library.vanished")]) == 0
        assert env["ir.model.fields"].search_count([("model", "=", "library.vanished")]) == 0
