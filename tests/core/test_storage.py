"""create / read / write / unlink / copy through the ORM, on a real database."""
import base64
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from core import Command
from core.exceptions import MissingError, ValidationError


def test_create_single_and_batch_return_records(env):
    Partner = env["test.partner"]
    one = Partner.create({"name": "Alpha"})
    many = Partner.create([{"name": "Beta"}, {"name": "Gamma"}])
    assert len(one) == 1 and len(many) == 2
    assert Partner.search([]).mapped("name") == ["Alpha", "Beta", "Gamma"]


def test_batch_create_is_one_insert(env, count_queries):
    Partner = env["test.country"]
    with count_queries() as counter:
        Partner.create([{"name": f"C{i}", "code": "XX"} for i in range(50)])
    assert counter.count == 1


def test_defaults_and_context_defaults(env):
    Partner = env["test.partner"]
    record = Partner.create({"name": "With defaults"})
    assert record.kind == "person" and record.active is True
    other = Partner.with_context(default_kind="company", default_city="Köln").create({"name": "Ctx"})
    assert other.kind == "company" and other.city == "Köln"
    assert Partner.default_get(["kind", "active", "name"]) == {"kind": "person", "active": True}


def test_values_are_converted_for_each_field_type(env):
    record = env["test.partner"].create({
        "name": "  Trimmed  ",
        "color": "7",
        "credit_limit": 10.005,
        "birthday": "1990-05-17",
        "last_seen": "2024-03-01 10:20:30",
        "data": {"a": [1, 2]},
        "picture": base64.b64encode(b"\x00\x01binary"),
        "is_company": 1,
    })
    record.invalidate_recordset()
    assert record.name == "Trimmed"
    assert record.color == 7
    assert record.credit_limit == 10.01
    assert record.birthday == date(1990, 5, 17)
    assert record.last_seen == datetime(2024, 3, 1, 10, 20, 30)
    assert record.data == {"a": [1, 2]}
    assert base64.b64decode(record.picture) == b"\x00\x01binary"
    assert record.is_company is True
    empty = env["test.partner"].create({"name": "Empty"})
    assert (empty.city, empty.color, empty.credit_limit, empty.birthday, empty.is_company) == \
        (False, 0, 0.0, False, False)
    assert not empty.parent_id and empty.parent_id._name == "test.partner"


def test_read_formats(env):
    parent = env["test.partner"].create({"name": "Parent"})
    child = env["test.partner"].create({"name": "Child", "parent_id": parent.id, "birthday": "2000-01-02"})
    [row] = child.read(["name", "parent_id", "birthday", "child_ids", "city"])
    assert row == {"id": child.id, "name": "Child", "parent_id": (parent.id, "Parent"),
                   "birthday": date(2000, 1, 2), "child_ids": [], "city": False}
    [raw] = child.read(["parent_id"], load=None)
    assert raw["parent_id"] == parent.id
    assert parent.read(["child_ids"])[0]["child_ids"] == [child.id]


def test_read_unknown_field_names_model_and_field(env):
    record = env["test.partner"].create({"name": "X"})
    with pytest.raises(ValueError, match=r"'nope'.*test\.partner"):
        record.read(["nope"])


def test_write_updates_all_records_in_one_statement(env, count_queries):
    records = env["test.country"].create([{"name": f"N{i}"} for i in range(20)])
    with count_queries() as counter:
        records.write({"code": "DE"})
    assert counter.count == 1
    records.invalidate_recordset()
    assert set(records.mapped("code")) == {"DE"}


def test_write_unknown_field_and_bad_value_raise_and_leave_data(env):
    record = env["test.partner"].create({"name": "Keep", "color": 1})
    with pytest.raises(ValueError, match="Invalid field 'colour' on model 'test.partner'"):
        record.write({"colour": 2})
    with pytest.raises(ValidationError, match=r"test\.partner\.color.*integer"):
        record.write({"color": "not a number"})
    with pytest.raises(ValidationError, match=r"test\.partner\.kind"):
        record.write({"kind": "robot"})
    record.invalidate_recordset()
    assert record.color == 1 and record.kind == "person"


def test_required_field_missing_is_refused_before_sql(env):
    with pytest.raises(ValidationError, match=r"name.*test\.partner"):
        env["test.partner"].create({"city": "Nameless"})
    assert env["test.partner"].search_count([]) == 0


def test_magic_fields_are_maintained(env):
    record = env["test.partner"].create({"name": "Log"})
    assert record.create_uid == 1 and record.create_date
    with pytest.raises(ValueError, match="maintained by the ORM"):
        record.write({"create_date": "2020-01-01"})


def test_unlink_and_missing_records(env):
    record = env["test.partner"].create({"name": "Gone"})
    rid = record.id
    record.unlink()
    assert not env["test.partner"].browse(rid).exists()
    with pytest.raises(MissingError, match=r"test\.partner\(%d\)" % rid):
        env["test.partner"].browse(rid).name
    with pytest.raises(MissingError):
        env["test.partner"].browse(rid).write({"name": "again"})


def test_ondelete_cascade_set_null_and_restrict(env):
    Partner = env["test.partner"]
    parent = Partner.create({"name": "Parent"})
    child = Partner.create({"name": "Child", "parent_id": parent.id})
    country = env["test.country"].create({"name": "Land"})
    parent.write({"country_id": country.id})
    country.unlink()  # set null
    assert not parent.country_id
    order = env["test.order"].create({"partner_id": parent.id})
    with pytest.raises(ValidationError, match="test.partner"), env.cr.savepoint():
        parent.unlink()  # restrict through the order
    assert parent.exists() and child.exists() and order.exists()


def test_ondelete_cascade_removes_children(env):
    Partner = env["test.partner"]
    parent = Partner.create({"name": "Parent"})
    child = Partner.create({"name": "Child", "parent_id": parent.id})
    parent.unlink()
    assert not child.exists()


def test_ondelete_guard_refuses_unlink(env):
    partner = env["test.partner"].create({"name": "P"})
    order = env["test.order"].create({"partner_id": partner.id, "state": "done"})
    with pytest.raises(ValidationError, match="done order"):
        order.unlink()
    assert order.exists()
    assert order.with_context(module_uninstall=True).unlink()


def test_copy_copies_lines_but_not_uncopyable_fields(env):
    partner = env["test.partner"].create({"name": "P"})
    order = env["test.order"].create({
        "partner_id": partner.id, "state": "done",
        "line_ids": [Command.create({"product": "a", "price": 2.0}), Command.create({"product": "b", "price": 3.0})],
    })
    duplicate = order.copy({"name": "Copy"})
    assert duplicate.name == "Copy" and duplicate.state == "draft"
    assert duplicate.line_ids.mapped("product") == ["a", "b"]
    assert not (duplicate.line_ids & order.line_ids)
    assert duplicate.amount_total == 5.0


def test_sql_constraint_message_and_nothing_written(env):
    env["test.user"].create({"name": "One", "login": "same"})
    with pytest.raises(ValidationError, match="Logins must be unique"):
        env["test.user"].create({"name": "Two", "login": "same"})
    env.cr.rollback()
    assert env["test.user"].search_count([]) == 0


def test_check_constraint_message(env):
    with pytest.raises(ValidationError, match="color index must be positive"):
        env["test.partner"].create({"name": "Neg", "color": -1})


def test_python_constraint_checked_on_write(env):
    partner = env["test.partner"].create({"name": "P"})
    order = env["test.order"].create({"partner_id": partner.id})
    with pytest.raises(ValidationError, match="cannot be negative"):
        order.write({"discount": -5})


def test_translated_field_per_language(env):
    category = env["test.category"].create({"name": "Garden"})
    category.with_context(lang="de_DE").write({"name": "Garten"})
    assert category.name == "Garden"
    assert category.with_context(lang="de_DE").name == "Garten"
    assert category.with_context(lang="fr_FR").name == "Garden"
    table = env.registry.tables["test.category"]
    stored = env.cr.execute(sa.select(table.c.name)).scalar_one()
    assert stored == {"en_US": "Garden", "de_DE": "Garten"}
    assert env["test.category"].with_context(lang="de_DE").search([("name", "=", "Garten")]) == category


def test_active_field_hides_archived_records(env):
    Partner = env["test.partner"]
    Partner.create([{"name": "On"}, {"name": "Off", "active": False}])
    assert Partner.search([]).mapped("name") == ["On"]
    assert Partner.with_context(active_test=False).search_count([]) == 2
    assert Partner.search([("active", "=", False)]).mapped("name") == ["Off"]
