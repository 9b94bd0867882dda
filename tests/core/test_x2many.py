"""x2many values: named Commands, Odoo's numeric tuples, and legacy id lists."""
import pytest

from core import Command
from core.exceptions import ValidationError


@pytest.fixture
def tags(env):
    return env["test.category"].create([{"name": n} for n in ("red", "green", "blue")])


def test_command_helpers_build_odoo_tuples():
    assert Command.create({"a": 1}) == (0, 0, {"a": 1})
    assert Command.update(3, {"a": 1}) == (1, 3, {"a": 1})
    assert Command.delete(3) == (2, 3, 0)
    assert Command.unlink(3) == (3, 3, 0)
    assert Command.link(3) == (4, 3, 0)
    assert Command.clear() == (5, 0, 0)
    assert Command.set([1, 2]) == (6, 0, [1, 2])


def test_many2many_commands(env, tags):
    red, green, blue = tags
    partner = env["test.partner"].create({"name": "P", "category_ids": [Command.set([red.id, green.id])]})
    assert partner.category_ids == red | green
    partner.write({"category_ids": [Command.unlink(red.id), Command.link(blue.id)]})
    assert partner.category_ids == green | blue
    partner.write({"category_ids": [(6, 0, [red.id])]})          # numeric tuple, as RPC sends
    assert partner.category_ids == red
    partner.write({"category_ids": [[4, blue.id, False]]})        # list form with False
    assert partner.category_ids == red | blue
    partner.write({"category_ids": [green.id]})                  # legacy bare ids: link
    assert partner.category_ids == red | green | blue
    partner.write({"category_ids": [Command.clear()]})
    assert not partner.category_ids
    partner.write({"category_ids": [Command.create({"name": "new"})]})
    assert partner.category_ids.mapped("name") == ["new"]
    partner.write({"category_ids": [Command.delete(partner.category_ids.id)]})
    assert env["test.category"].search_count([("name", "=", "new")]) == 0


def test_many2many_relation_table_named_after_both_tables(env):
    field = env["test.partner"]._fields["category_ids"]
    assert (field.relation, field.column1, field.column2) == \
        ("test_category_test_partner_rel", "test_partner_id", "test_category_id")


def test_many2many_link_twice_keeps_one_row(env, tags):
    red = tags[0]
    partner = env["test.partner"].create({"name": "P", "category_ids": [Command.link(red.id)]})
    partner.write({"category_ids": [Command.link(red.id)]})
    assert partner.category_ids == red
    table = env.registry.tables["test_category_test_partner_rel"]
    assert env.cr.execute(table.select()).all() == [(partner.id, red.id)]


def test_one2many_commands(env):
    parent = env["test.partner"].create({"name": "Parent"})
    parent.write({"child_ids": [Command.create({"name": "A"}), Command.create({"name": "B"})]})
    a, b = parent.child_ids
    assert (a.name, b.name) == ("A", "B")
    parent.write({"child_ids": [Command.update(a.id, {"name": "A2"})]})
    assert a.name == "A2"
    loose = env["test.partner"].create({"name": "Loose"})
    parent.write({"child_ids": [Command.link(loose.id)]})
    assert loose.parent_id == parent
    # parent_id has ondelete='cascade': removing the link deletes the child, as in Odoo
    parent.write({"child_ids": [Command.unlink(loose.id)]})
    assert not loose.exists()
    parent.write({"child_ids": [Command.set([a.id])]})
    assert parent.child_ids == a and not b.exists()


def test_one2many_unlink_keeps_record_when_inverse_is_optional(env):
    partner = env["test.partner"].create({"name": "P", "task_ids": [Command.create({"name": "t"})]})
    task = partner.task_ids
    partner.write({"task_ids": [Command.unlink(task.id)]})
    assert task.exists() and not task.partner_id and not partner.task_ids
    partner.write({"task_ids": [Command.link(task.id)]})
    partner.write({"task_ids": [Command.clear()]})
    assert task.exists() and not partner.task_ids


def test_one2many_unlink_deletes_when_inverse_is_required(env):
    partner = env["test.partner"].create({"name": "P"})
    order = env["test.order"].create({"partner_id": partner.id, "line_ids": [Command.create({"price": 1})]})
    line = order.line_ids
    order.write({"line_ids": [Command.unlink(line.id)]})
    assert not line.exists()


def test_malformed_commands_are_refused(env):
    partner = env["test.partner"].create({"name": "P"})
    with pytest.raises(ValidationError, match="category_ids"):
        partner.write({"category_ids": [(9, 0, 0)]})
    with pytest.raises(ValidationError, match="category_ids"):
        partner.write({"category_ids": [(0, 0, "not a dict")]})
    with pytest.raises(ValidationError, match="category_ids"):
        partner.write({"category_ids": "red"})


def test_archived_lines_hidden_unless_active_test_off(env, tags):
    red, green, _ = tags
    partner = env["test.partner"].create({"name": "P", "category_ids": [Command.set([red.id, green.id])]})
    green.active = False
    partner.invalidate_recordset()
    assert partner.category_ids == red
    assert partner.with_context(active_test=False).category_ids == red | green


def test_many2many_other_side_sees_the_change(env, tags):
    red = tags[0]
    partner = env["test.partner"].create({"name": "P"})
    assert not red.partner_ids
    partner.write({"category_ids": [Command.link(red.id)]})
    assert red.partner_ids == partner
