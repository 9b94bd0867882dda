"""``model.load(fields, data)``: every conversion of a cell, relational columns by name, by
external id and by database id, one2many lines, errors with their record and rows, all or
nothing, external ids creating then updating, access rights and rules of the caller.

The models are those of addons/web/tests/addons/test_web_import (base only); each test runs
in a transaction that is rolled back.
"""
import datetime
from pathlib import Path

import pytest

from core.api import SUPERUSER_ID, Environment
from core.models.load import BATCH
from core.modules import ModuleManager
from core.rpc.describe import rpc_method

ADDONS = str(Path(__file__).resolve().parents[2] / "addons" / "web" / "tests" / "addons")


@pytest.fixture(scope="module")
def manager(tmp_path_factory, installed_template):
    from tests.plugin import _new_database
    template = installed_template(("test_web_import",), addons_paths=(ADDONS,))
    uri, drop = _new_database(tmp_path_factory.mktemp("load"), template)
    manager = ModuleManager(uri, addons_paths=(ADDONS,))
    manager.open()
    yield manager
    manager.engine.dispose()
    drop()


@pytest.fixture
def env(manager):
    cr = manager.registry.cursor()
    try:
        yield Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
    finally:
        cr.close()


@pytest.fixture
def items(env):
    env["test.import.tag"].create([{"name": "Red"}, {"name": "Green"}, {"name": "Blue Sky"}])
    return env["test.import.item"]


def errors(result):
    return [(m["record"], m["rows"]["from"] if "rows" in m else None, m.get("field"), m["message"])
            for m in result["messages"] if m["type"] == "error"]


def ok(result):
    assert result["ids"], result["messages"]
    assert not result["messages"], result["messages"]
    return result["ids"]


# ---------------------------------------------------------------- conversions
def test_plain_values_in_english(items, env):
    ids = ok(items.with_context(tz="Europe/Berlin").load(
        ["name", "code", "quantity", "price", "urgent", "state", "date_due", "meeting", "tag_ids"],
        [["One", "A1", "1,234", "1,234.56", "yes", "done", "2024-03-01", "2024-03-01 10:00", "Red, Green"],
         ["Two", "", "7", "0.5", "0", "Confirmed", "03/04/2024", "2024-07-01T10:30:15", ""],
         ["Three", "", "-3", "12", "false", "DRAFT", "04.03.2024", "2024-03-01 10:00Z", "blue sky"]]))
    one, two, three = items.browse(ids)
    assert (one.name, one.code, one.quantity, one.price, one.urgent, one.state) == \
        ("One", "A1", 1234, 1234.56, True, "done")
    assert one.date_due == datetime.date(2024, 3, 1)
    assert one.meeting == datetime.datetime(2024, 3, 1, 9, 0)            # Berlin winter time -> UTC
    assert sorted(one.tag_ids.mapped("name")) == ["Green", "Red"]
    assert (two.code, two.state, two.urgent, two.price) == (False, "confirmed", False, 0.5)
    assert two.date_due == datetime.date(2024, 3, 4)                     # slashes: month first
    assert two.meeting == datetime.datetime(2024, 7, 1, 8, 30, 15)       # summer time
    assert three.date_due == datetime.date(2024, 3, 4)                   # dots: day first
    assert three.meeting == datetime.datetime(2024, 3, 1, 10, 0)         # Z: already UTC
    assert (three.quantity, three.state, three.tag_ids.mapped("name")) == (-3, "draft", ["Blue Sky"])


def test_german_numbers_labels_and_booleans(items, env):
    german = items.with_context(lang="de_DE", tz="UTC")
    ids = ok(german.load(["name", "price", "quantity", "state", "urgent"],
                         [["Eins", "1.234,56", "1.000", "Erledigt", "ja"],
                          ["Zwei", "2,5", "3", "Bestätigt", "nein"],
                          ["Drei", "1234.5", "4", "Draft", "wahr"]]))        # machine form and English too
    rows = [(r.price, r.quantity, r.state, r.urgent) for r in items.browse(ids)]
    assert rows == [(1234.56, 1000, "done", True), (2.5, 3, "confirmed", False), (1234.5, 4, "draft", True)]


def test_bad_cells_say_what_was_expected(items):
    result = items.with_context(lang="en_US").load(
        ["name", "quantity", "price", "urgent", "state", "date_due", "meeting"],
        [["Bad", "1.5", "abc", "maybe", "sideways", "31.02.2024", "2024-01-01 25:00"]])
    assert result["ids"] is False
    by_field = {field: message for _rec, _row, field, message in errors(result)}
    assert by_field == {
        "quantity": "“1.5” is not a whole number.",
        "price": "“abc” is not a number.",
        "urgent": "“maybe” is not a yes/no value: use 1 or 0, true or false, yes or no.",
        "state": "“sideways” is not one of the values: confirmed, done, draft.",
        "date_due": "“31.02.2024” is not a valid date.",
        "meeting": "“2024-01-01 25:00” is not a valid time.",
    }


def test_empty_cells_keep_defaults_on_create_and_clear_on_update(items, env):
    ids = ok(items.load(["id", "name", "state", "active", "quantity", "tag_ids"],
                        [["it_empty", "Empty", "", "", "", ""]]))
    record = items.browse(ids)
    assert (record.state, record.active, record.quantity) == ("draft", True, 0)
    record.write({"quantity": 5, "tag_ids": [(6, 0, env["test.import.tag"].search([]).ids)]})
    ok(items.load(["id", "name", "quantity", "tag_ids"], [["it_empty", "Empty", "", ""]]))
    assert (record.quantity, record.tag_ids.ids) == (0, [])


# ---------------------------------------------------------------- relations
def test_many2one_by_name_xmlid_and_database_id(items, env):
    belgium, germany = env.ref("base.be"), env.ref("base.de")
    partner = env["res.partner"].create({"name": "Zebra Import Works"})
    env["res.partner"].create([{"name": "Twin Import A"}, {"name": "Twin Import B"}])
    ids = ok(items.load(["name", "country_id", "partner_id"],
                        [["By name", "Belgium", "Zebra Import Works"],
                         ["Partial, unique", "germ", "zebra import"]]))
    assert [(r.country_id, r.partner_id) for r in items.browse(ids)] == [(belgium, partner), (germany, partner)]
    ids = ok(items.load(["name", "country_id/id", "partner_id/.id"],
                        [["By xmlid", "base.de", str(partner.id)]]))
    assert (items.browse(ids).country_id, items.browse(ids).partner_id) == (germany, partner)
    result = items.load(["name", "partner_id", "country_id/id", "partner_id/.id"],
                        [["Ambiguous", "Twin Import", "", ""],
                         ["Unknown", "Nobody Such", "", ""],
                         ["Wrong xmlid", "", "base.nowhere", ""],
                         ["Wrong model", "", "base.user_admin", ""],
                         ["Wrong id", "", "", "999999"]])
    assert errors(result) == [
        (0, 0, "partner_id", "Several records match “Twin Import” in the field “Customer”: "
                             "give the exact name or an external id."),
        (1, 1, "partner_id", "No record found for “Nobody Such” in the field “Customer”."),
        (2, 2, "country_id", "No record found for the external id “base.nowhere”."),
        (3, 3, "country_id", "The external id “base.user_admin” is a record of res.users, not of res.country."),
        (4, 4, "partner_id", "No record of res.partner has the database id 999999."),
    ]


def test_many2many_by_names_xmlids_and_ids(items, env):
    tags = env["test.import.tag"]
    red, green = tags.search([("name", "=", "Red")]), tags.search([("name", "=", "Green")])
    env["ir.model.data"].create({"module": "__import__", "name": "tag_red", "model": tags._name, "res_id": red.id})
    ids = ok(items.load(["name", "tag_ids/id"], [["X", "tag_red"]]))
    assert items.browse(ids).tag_ids == red
    ids = ok(items.load(["name", "tag_ids/.id"], [["Y", f"{red.id},{green.id}"]]))
    assert items.browse(ids).tag_ids == red | green
    result = items.load(["name", "tag_ids"], [["Z", "Red, Purple"]])
    assert errors(result) == [(0, 0, "tag_ids", "No record found for “Purple” in the field “Tags”.")]


def test_one2many_lines_on_following_rows(items, env):
    ids = ok(items.load(["name", "line_ids/product", "line_ids/qty"],
                        [["With lines", "Bolt", "2"],
                         ["", "Nut", "3"],
                         ["", "", ""],
                         ["Single", "Washer", ""],
                         ["No lines", "", ""]]))
    first, single, none = items.browse(ids)
    assert [(line.product, line.qty) for line in first.line_ids] == [("Bolt", 2.0), ("Nut", 3.0)]
    assert [(line.product, line.qty) for line in single.line_ids] == [("Washer", 1.0)]
    assert not none.line_ids
    result = items.load(["name", "line_ids/product", "line_ids/qty"],
                        [["Bad lines", "Bolt", "2"], ["", "Nut", "many"], ["", "Screw", "-1"]])
    assert result["ids"] is False
    assert errors(result)[0] == (0, 1, "line_ids", "“many” is not a number.")


# ---------------------------------------------------------------- errors: all or nothing
def test_every_bad_line_is_reported_and_nothing_is_written(items, env):
    before = items.search_count([])
    result = items.load(["name", "price", "quantity"],
                        [["Good", "1", "1"], ["Bad number", "x", "1"], ["Good too", "2", "2"],
                         ["Negative", "-5", "1"], ["", "3", "3"], ["Bad twice", "y", "z"]])
    assert result["ids"] is False
    assert errors(result) == [
        (1, 1, "price", "“x” is not a number."),
        (5, 5, "price", "“y” is not a number."),
        (5, 5, "quantity", "“z” is not a whole number."),
        (3, 3, None, "Unit Price: a price cannot be negative (Negative)."),
        (4, 4, None, "Missing required value for the field 'Name' (name) of model test.import.item "
                     "(Import Item)"),
    ]
    assert items.search_count([]) == before
    assert all(m["rows"]["to"] == m["rows"]["from"] for m in result["messages"])


def test_failing_batches_are_retried_record_by_record(items, env):
    rows = [[f"Batch {i}", str(-1 if i == 4 else i)] for i in range(7)]
    result = items._load_rows(["name", "price"], rows, batch_size=3)
    assert [(m["record"], m["message"]) for m in result.messages] == \
        [(4, "Unit Price: a price cannot be negative (Batch 4).")]
    assert items.search_count([("name", "like", "Batch ")]) == 0
    rows[4][1] = "4"
    result = items._load_rows(["name", "price"], rows, batch_size=3)
    assert (result.created, result.updated, result.messages) == (7, 0, [])
    assert items.browse(result.ids).mapped("name") == [f"Batch {i}" for i in range(7)]
    assert BATCH >= 100


def test_dry_run_writes_nothing(items, env):
    before = items.search_count([])
    result = items.with_context(import_dryrun=True).load(["id", "name"], [["dry_one", "Dry"]])
    assert len(result["ids"]) == 1 and not result["messages"]
    assert items.search_count([]) == before
    assert not env["ir.model.data"].search([("name", "=", "dry_one")])
    ids = ok(items.load(["id", "name"], [["dry_one", "Wet"]]))           # the id is free again
    assert env.ref("__import__.dry_one").id == ids[0]


def test_header_errors(items):
    result = items.load(["name", "nonsense", "name", "attachment", "line_ids", "create_date", "tag_ids/name"],
                        [["A", "b", "A", "", "", "", ""]])
    assert result["ids"] is False
    assert [(m["record"], m["field"], m["message"]) for m in result["messages"]] == [
        (None, "nonsense", "The model test.import.item has no field “nonsense”."),
        (None, "name", "The column “name” is given twice."),
        (None, "attachment", "The field “attachment” cannot be imported."),
        (None, "line_ids", "The column “line_ids” needs the field of the lines: “line_ids/<field>”."),
        (None, "create_date", "The field “create_date” cannot be imported."),
        (None, "tag_ids", "The column “tag_ids/name” cannot be imported."),
    ]


# ---------------------------------------------------------------- external ids
def test_external_ids_create_then_update(items, env):
    ids = ok(items.load(["id", "name", "price"], [["item_one", "One", "1"], ["mymod.item_two", "Two", "2"]]))
    one, two = items.browse(ids)
    assert env.ref("__import__.item_one") == one and env.ref("mymod.item_two") == two
    result = items._load_rows(["id", "name", "price"], [["item_one", "One bis", "10"], ["item_three", "Three", "3"],
                                                        ["item_three", "Three bis", "30"]])
    assert (result.created, result.updated, result.messages) == (1, 2, [])
    three = env.ref("__import__.item_three")
    assert (one.name, one.price, three.name, three.price) == ("One bis", 10.0, "Three bis", 30.0)
    assert result.ids == [one.id, three.id, three.id]
    ids = ok(items.load([".id", "name"], [[str(two.id), "Two by id"]]))
    assert ids == [two.id] and two.name == "Two by id"
    # an external id whose record was deleted names a new record
    one.unlink()
    ids = ok(items.load(["id", "name"], [["item_one", "One again"]]))
    assert env.ref("__import__.item_one").id == ids[0] != one.id
    assert errors(items.load(["id", "name"], [["bad id", "Spaces"]])) == \
        [(0, 0, "id", "The external id “bad id” contains spaces.")]


def test_parent_named_by_external_id_rows_above(items, env):
    ids = ok(items.load(["id", "name", "parent_id/id"], [["p_root", "Root", ""], ["p_child", "Child", "p_root"]]))
    root, child = items.browse(ids)
    assert child.parent_id == root


# ---------------------------------------------------------------- access rights
def test_access_rights_and_rules_apply_to_the_caller(items, env):
    demo = env.ref("base.user_demo")
    result = items.with_user(demo).load(["name"], [["Not allowed"], ["Nor this"]])
    assert result["ids"] is False
    assert len(result["messages"]) == 1 and result["messages"][0]["record"] is None
    assert "not allowed" in result["messages"][0]["message"].lower()
    tags = env["test.import.tag"].with_user(demo)
    before = tags.sudo().search_count([])
    result = tags.load(["name"], [["Fine"], ["Locked tag"], ["Also fine"]])
    assert result["ids"] is False
    assert [(m["record"], m["rows"]) for m in result["messages"]] == [(1, {"from": 1, "to": 1})]
    assert tags.sudo().search_count([]) == before
    assert len(ok(tags.load(["name"], [["Fine"], ["Also fine"]]))) == 2


def test_load_is_a_public_rpc_method(items):
    assert rpc_method(items, "load") is not None
