"""The safe evaluator of Odoo 17 modifiers (invisible / readonly / required / column_invisible)."""
import pytest

from core.views import evaluate_modifier, modifier_names

VALUES = {"state": "draft", "partner_id": False, "amount": 10, "tag_ids": [1, 2], "name": "x",
          "parent": {"state": "done"}}


@pytest.mark.parametrize("expression, expected", [
    ("state == 'draft'", True),
    ("state == 'done'", False),
    ("state != 'done'", True),
    ("not partner_id", True),
    ("partner_id", False),
    ("state == 'done' or not partner_id", True),
    ("state == 'draft' and partner_id", False),
    ("state in ['draft', 'sent']", True),
    ("state in ('done', 'cancel')", False),
    ("state not in ('done', 'cancel')", True),
    ("amount > 5", True),
    ("amount >= 10 and amount < 11", True),
    ("0 < amount <= 5", False),
    ("amount == -10", False),
    ("tag_ids", True),
    ("not tag_ids", False),
    ("True", True),
    ("False", False),
    ("1", True),
    ("0", False),
    ("", False),
    ("partner_id is False", True),
    ("name and state == 'draft'", True),
    ("parent.state == 'done'", True),
    ("not (state == 'draft' or amount > 100)", False),
])
def test_grid(expression, expected):
    assert evaluate_modifier(expression, VALUES) is expected


def test_unknown_name_is_an_error():
    with pytest.raises(ValueError, match="unknown name 'missing'"):
        evaluate_modifier("missing == 1", VALUES)
    with pytest.raises(ValueError, match="unknown name 'parent.nope'"):
        evaluate_modifier("parent.nope", VALUES)
    # short-circuit: the unknown name after a decisive operand is not read
    assert evaluate_modifier("state == 'draft' or missing", VALUES) is True


@pytest.mark.parametrize("expression", [
    "__import__('os')",
    "__import__('os').system('true')",
    "state.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd')",
    "(lambda: 1)()",
    "[x for x in tag_ids]",
    "tag_ids[0]",
    "amount + 1",
    "{'a': 1}",
    "state if amount else name",
    "globals()",
    "(y := 1)",
    "state ==",
    "x" * 2000,
])
def test_everything_else_is_refused(expression):
    values = dict(VALUES, x=1)
    with pytest.raises(ValueError):
        evaluate_modifier(expression, values)
    with pytest.raises(ValueError):
        modifier_names(expression)


def test_modifier_names():
    assert modifier_names("state == 'done' or not partner_id") == ["partner_id", "state"]
    assert modifier_names("parent.state == 'done' and amount > 0") == ["amount", "parent.state"]
    assert modifier_names("True") == []
    assert modifier_names("user_id == uid") == ["user_id"]


def test_comparing_incompatible_values_is_a_value_error():
    with pytest.raises(ValueError):
        evaluate_modifier("partner_id < 3", {"partner_id": None})
