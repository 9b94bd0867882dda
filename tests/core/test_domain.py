"""Domains (ODOO_REFERENCE §4): syntax, NULL semantics, the §4.4 acceptance cases, errors.

Every search in this module goes through :func:`search`, which also checks case 26:
``search(d)`` returns the records of ``search([]).filtered_domain(d)``, in the same
order — the SQL compiler and the Python evaluator agree on every domain tested here.

The models are this module's own (``tdom.*``): the fixture ``registry`` below replaces
the shared one, so ``cr`` and ``env`` of tests/core/conftest.py run on them.  It is built
once per module; each test runs in its own transaction, rolled back at its end.
"""
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from core import Command, api, fields, models
from core.domain import (AND, FALSE_DOMAIN, FALSE_LEAF, OR, TRUE_DOMAIN, TRUE_LEAF, mentions_field,
                         normalize, parse)
from core.registry import Registry

from .module_db import module_db_uri  # noqa: F401 (a fixture)


class Category(models.Model):
    _name = "tdom.category"
    _description = "Domain test category"

    name = fields.Char(required=True)


class Company(models.Model):
    _name = "tdom.company"
    _description = "Domain test company"

    name = fields.Char(required=True)


class Country(models.Model):
    _name = "tdom.country"
    _description = "Domain test country"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()


class Partner(models.Model):
    _name = "tdom.partner"
    _description = "Domain test partner"

    name = fields.Char(required=True)
    website = fields.Char()
    city = fields.Char()
    active = fields.Boolean(default=True)
    is_company = fields.Boolean()
    color = fields.Integer()
    credit = fields.Float()
    birthday = fields.Date()
    last_seen = fields.Datetime()
    kind = fields.Selection([("person", "Person"), ("company", "Company")])
    parent_id = fields.Many2one("tdom.partner")
    child_ids = fields.One2many("tdom.partner", "parent_id")
    category_ids = fields.Many2many("tdom.category")
    company_id = fields.Many2one("tdom.company")
    country_id = fields.Many2one("tdom.country")
    country_code = fields.Char(related="country_id.code")
    user_ids = fields.One2many("tdom.user", "partner_id")
    node_id = fields.Many2one("tdom.node")
    stored_node_id = fields.Many2one("tdom.stored_node")
    label = fields.Char(compute="_compute_label")  # not stored, no search method

    @api.depends("name")
    def _compute_label(self):
        for partner in self:
            partner.label = f"<{partner.name}>"


class User(models.Model):
    _name = "tdom.user"
    _description = "Domain test user"

    name = fields.Char(required=True)
    partner_id = fields.Many2one("tdom.partner", required=True, ondelete="cascade")


class Node(models.Model):
    _name = "tdom.node"
    _description = "Hierarchy walked through parent_id"

    name = fields.Char(required=True)
    parent_id = fields.Many2one("tdom.node")
    child_ids = fields.One2many("tdom.node", "parent_id")


class StoredNode(models.Model):
    _name = "tdom.stored_node"
    _description = "Hierarchy with a parent_path"
    _parent_store = True

    name = fields.Char(required=True)
    parent_id = fields.Many2one("tdom.stored_node")
    child_ids = fields.One2many("tdom.stored_node", "parent_id")


class Employee(models.Model):
    _name = "tdom.employee"
    _description = "Delegates to a partner"
    _inherits = {"tdom.partner": "partner_id"}

    partner_id = fields.Many2one("tdom.partner", required=True, ondelete="cascade")
    badge = fields.Char()


MODELS = [Category, Company, Country, Partner, User, Node, StoredNode, Employee]
HIERARCHIES = ["tdom.node", "tdom.stored_node"]
MISSING_ID = 999999


@pytest.fixture(scope="module")
def registry(module_db_uri):
    """This module's models, built once (replaces tests/core/conftest.py's ``registry``).

    Tests stay independent because none commits: the ``cr`` fixture rolls back.
    """
    registry = Registry.new(module_db_uri, MODELS)
    yield registry
    registry.engine.dispose()


# ---------------------------------------------------------------- helpers
def search(model, domain, order=None):
    """``model.search(domain)``, after checking case 26 on it: SQL == Python, order kept.

    ``search([])`` hides archived records unless the domain names ``active`` (then
    ``search(domain)`` does not hide them either): compare with the same universe.
    """
    found = model.search(domain, order=order)
    universe = model
    if model._active_name and mentions_field(parse(domain), model._active_name):
        universe = model.with_context(active_test=False)
    kept = universe.search([], order=order).filtered_domain(domain)
    assert found.ids == kept.ids, f"search and filtered_domain disagree on {domain!r}"
    return found


def names(model, domain, order=None):
    """The names of the matching records, in search order."""
    return search(model, domain, order).mapped("name")


def sql_of(model, domain):
    return str(model._search_query(domain))


@pytest.fixture
def Partner(env):
    return env["tdom.partner"]


# ---------------------------------------------------------------- §4.2: NULL semantics, row by row
@pytest.fixture
def cities(Partner):
    """Three partners: city 'Bonn', city 'Koeln', no city."""
    Partner.create([{"name": "bonn", "city": "Bonn"}, {"name": "koeln", "city": "Koeln"},
                    {"name": "none"}])
    return Partner


def test_null_table_equal_false_is_null(cities):
    assert names(cities, [("city", "=", False)]) == ["none"]
    assert names(cities, [("city", "=", None)]) == ["none"]


def test_null_table_not_equal_false_is_not_null(cities):
    assert names(cities, [("city", "!=", False)]) == ["bonn", "koeln"]


def test_null_table_not_equal_value_includes_nulls(cities):
    assert names(cities, [("city", "!=", "Bonn")]) == ["koeln", "none"]


@pytest.mark.parametrize("operator, value", [("not like", "onn"), ("not ilike", "ONN")])
def test_null_table_not_like_includes_nulls(cities, operator, value):
    assert names(cities, [("city", operator, value)]) == ["koeln", "none"]


@pytest.mark.parametrize("operator", ["like", "ilike"])
def test_null_table_like_empty_string_is_every_row(cities, operator):
    assert names(cities, [("city", operator, "")]) == ["bonn", "koeln", "none"]


def test_null_table_in_values(cities):
    assert names(cities, [("city", "in", ["Bonn", "Koeln"])]) == ["bonn", "koeln"]


def test_null_table_in_values_with_false_adds_nulls(cities):
    assert names(cities, [("city", "in", ["Bonn", False])]) == ["bonn", "none"]


def test_null_table_not_in_values_includes_nulls(cities):
    assert names(cities, [("city", "not in", ["Bonn", "Paris"])]) == ["koeln", "none"]


def test_null_table_not_in_values_with_false_excludes_nulls(cities):
    assert names(cities, [("city", "not in", ["Bonn", False])]) == ["koeln"]


def test_null_table_in_empty_list_is_false(cities):
    assert names(cities, [("city", "in", [])]) == []


def test_null_table_not_in_empty_list_is_every_row(cities):
    assert names(cities, [("city", "not in", [])]) == ["bonn", "koeln", "none"]


def _set_is_company_null(env, partners):
    table = env.registry.tables["tdom.partner"]
    env.cr.execute(sa.update(table).where(table.c.id.in_(partners.ids)).values(is_company=None))
    partners.invalidate_recordset(["is_company"])


@pytest.fixture
def flags(env, Partner):
    """Booleans: one true, one false, one NULL (written by SQL: the ORM stores False)."""
    Partner.create([{"name": "yes", "is_company": True}, {"name": "no", "is_company": False},
                    {"name": "null"}])
    _set_is_company_null(env, Partner.search([("name", "=", "null")]))
    return Partner


def test_null_table_boolean_in_true_and_false_is_every_row(flags):
    assert names(flags, [("is_company", "in", [True, False])]) == ["yes", "no", "null"]


def test_boolean_equal_false_includes_null(flags):
    assert names(flags, [("is_company", "=", False)]) == ["no", "null"]
    assert names(flags, [("is_company", "in", [False])]) == ["no", "null"]


def test_boolean_not_equal_false_is_only_true(flags):
    assert names(flags, [("is_company", "!=", False)]) == ["yes"]
    assert names(flags, [("is_company", "=", True)]) == ["yes"]


def test_boolean_not_equal_true_includes_null(flags):
    assert names(flags, [("is_company", "!=", True)]) == ["no", "null"]
    assert names(flags, [("is_company", "not in", [True])]) == ["no", "null"]


def test_boolean_null_value_reads_as_false(flags):
    assert flags.search([("name", "=", "null")]).is_company is False


@pytest.fixture
def mixed(env, Partner):
    """Rows with and without a value in every kind of column, for the negation rule."""
    company = env["tdom.company"].create({"name": "C"})
    category = env["tdom.category"].create({"name": "T"})
    parent = Partner.create({"name": "parent", "city": "Bonn", "color": 3, "credit": 1.5,
                             "birthday": "2000-01-01", "last_seen": "2024-03-01 12:00:00",
                             "kind": "company", "company_id": company.id, "is_company": True,
                             "category_ids": [Command.set(category.ids)]})
    _child, empty = Partner.create([{"name": "child", "parent_id": parent.id, "city": "Koeln", "color": 0},
                                    {"name": "empty"}])
    _set_is_company_null(env, empty)
    return Partner


NEGATED_TERMS = [
    ("city", "=", "Bonn"), ("city", "!=", "Bonn"), ("city", "=", False), ("city", "like", "on"),
    ("city", "not ilike", "ON"), ("city", "like", ""), ("city", "=like", "B%"),
    ("city", "in", ["Bonn", False]), ("city", "not in", ["Bonn"]), ("city", "in", []),
    ("color", "<", 5), ("color", ">=", 1), ("color", "=", 0), ("color", "<", False),
    ("credit", ">", 1.0), ("birthday", "<", "2001-01-01"), ("last_seen", "<=", "2024-03-01"),
    ("kind", "=", "company"), ("kind", "!=", "person"), ("is_company", "=", True),
    ("is_company", "!=", False), ("is_company", "in", [False]),
    ("company_id", "=", False), ("company_id", "in", [MISSING_ID]), ("company_id", "=", "C"),
    ("parent_id", "ilike", ""), ("parent_id.city", "=", "Bonn"), ("parent_id.color", "!=", 3),
    ("child_ids", "=", False), ("child_ids.city", "=", "Koeln"), ("child_ids.city", "!=", "x"),
    ("category_ids", "in", []), ("category_ids.name", "=", "T"), ("category_ids", "like", False),
    ("parent_id", "any", [("city", "=", "Bonn")]), ("child_ids", "not any", [("color", "=", 0)]),
    ("id", "child_of", []), ("parent_id", "=?", False), ("city", "=?", "Bonn"),
]


@pytest.mark.parametrize("term", NEGATED_TERMS, ids=repr)
def test_a_term_and_its_negation_cover_every_row_exactly_once(mixed, term):
    matching = set(search(mixed, [term]).ids)
    others = set(search(mixed, ["!", term]).ids)
    assert matching | others == set(mixed.search([]).ids)
    assert not matching & others


def test_double_negation_cancels(mixed):
    term = ("city", "!=", "Bonn")
    assert search(mixed, ["!", "!", term]) == search(mixed, [term])


def test_negation_of_and_is_or_of_negations(mixed):
    a, b = ("color", "<", 3), ("city", "=", False)
    assert search(mixed, ["!", "&", a, b]) == search(mixed, ["|", "!", a, "!", b])


# ---------------------------------------------------------------- §4.4 cases 1-3: many2many ids
@pytest.fixture
def tagged(env, Partner):
    """Partners tagged A, B, both (AB) or nothing (0)."""
    a, b = env["tdom.category"].create([{"name": "A"}, {"name": "B"}])
    Partner.create([
        {"name": "A", "category_ids": [Command.set([a.id])]},
        {"name": "B", "category_ids": [Command.set([b.id])]},
        {"name": "AB", "category_ids": [Command.set([a.id, b.id])]},
        {"name": "0"},
    ])
    return a, b


def test_case_01_m2m_in_one_id(Partner, tagged):
    a, _b = tagged
    assert names(Partner, [("category_ids", "in", [a.id])]) == ["A", "AB"]


def test_case_02_m2m_in_several_ids_is_any_of_them(Partner, tagged):
    a, b = tagged
    assert names(Partner, [("category_ids", "in", [a.id, b.id])]) == ["A", "B", "AB"]


def test_case_02_m2m_two_in_terms_need_both(Partner, tagged):
    a, b = tagged
    assert names(Partner, [("category_ids", "in", [a.id]), ("category_ids", "in", [b.id])]) == ["AB"]


def test_case_03_m2m_not_in_ids_keeps_partners_without_category(Partner, tagged):
    a, b = tagged
    assert names(Partner, [("category_ids", "not in", [a.id, b.id])]) == ["0"]
    assert names(Partner, [("category_ids", "not in", [a.id])]) == ["B", "0"]


# ---------------------------------------------------------------- case 4: many2many by name
@pytest.fixture
def tagged_by_name(env, Partner):
    ids = {name: env["tdom.category"].create({"name": name}).id for name in ("A", "B", "AB")}
    config = {"0": [], "a": ["A"], "b": ["B"], "ab": ["AB"], "a b": ["A", "B"], "b ab": ["B", "AB"]}
    for name, tags in config.items():
        Partner.create({"name": name, "category_ids": [Command.set([ids[t] for t in tags])]})
    return Partner


@pytest.mark.parametrize("operator, value, expected", [
    ("=", "A", ["a", "a b"]),
    ("!=", "B", ["0", "a", "ab"]),
    ("like", "A", ["a", "ab", "a b", "b ab"]),
    ("not ilike", "B", ["0", "a"]),
    ("not like", "AB", ["0", "a", "b", "a b"]),
])
def test_case_04_m2m_compared_with_names(tagged_by_name, operator, value, expected):
    assert names(tagged_by_name, [("category_ids", operator, value)]) == expected


# ---------------------------------------------------------------- cases 5-6: hierarchies
@pytest.fixture(params=HIERARCHIES)
def tree(request, env):
    """Root > (Child 1 > Grandchild, Child 2); Other — with and without parent_store."""
    Node = env[request.param]
    root = Node.create({"name": "Root"})
    child1 = Node.create({"name": "Child 1", "parent_id": root.id})
    Node.create({"name": "Child 2", "parent_id": root.id})
    Node.create({"name": "Grandchild", "parent_id": child1.id})
    Node.create({"name": "Other"})
    return Node


def _node(Node, name):
    return Node.search([("name", "=", name)])


def test_case_05_child_of_is_the_node_and_its_descendants(tree):
    root = _node(tree, "Root")
    expected = ["Root", "Child 1", "Child 2", "Grandchild"]
    assert names(tree, [("id", "child_of", root.id)]) == expected
    assert names(tree, [("id", "child_of", [root.id])]) == expected
    assert names(tree, [("id", "child_of", "Root")]) == expected


def test_case_05_child_of_several_nodes(tree):
    ids = [_node(tree, "Child 2").id, _node(tree, "Other").id]
    assert names(tree, [("id", "child_of", ids)]) == ["Child 2", "Other"]


def test_case_05_parent_of_is_the_node_and_its_ancestors(tree):
    leaf = _node(tree, "Grandchild")
    assert names(tree, [("id", "parent_of", leaf.id)]) == ["Root", "Child 1", "Grandchild"]
    assert names(tree, [("id", "parent_of", "Grandchild")]) == ["Root", "Child 1", "Grandchild"]


@pytest.mark.parametrize("operator", ["child_of", "parent_of"])
@pytest.mark.parametrize("value", [[], False])
def test_case_05_hierarchy_with_empty_value_matches_nothing(tree, operator, value):
    assert names(tree, [("id", operator, value)]) == []


def test_case_05_hierarchy_with_missing_id_matches_nothing(tree):
    assert names(tree, [("id", "child_of", MISSING_ID)]) == []
    assert names(tree, [("id", "parent_of", MISSING_ID)]) == []


def test_case_05_negated_child_of_is_the_rest(tree):
    root = _node(tree, "Root")
    assert names(tree, ["!", ("id", "child_of", root.id)]) == ["Other"]


def test_case_06_child_of_on_the_parent_field_walks_the_hierarchy(tree):
    root = _node(tree, "Root")
    assert names(tree, [("id", "=", root.id), ("parent_id", "child_of", root.id)]) == ["Root"]
    assert names(tree, [("parent_id", "child_of", root.id)]) == ["Root", "Child 1", "Child 2", "Grandchild"]


def test_hierarchy_queries_run_in_one_statement(tree, count_queries):
    root = _node(tree, "Root")
    tree.env.transaction.flush(tree.env)
    with count_queries() as counter:
        tree.search([("id", "child_of", root.id)])
    assert counter.count == 1


def test_stored_hierarchy_uses_parent_path(tree):
    sql = sql_of(tree, [("id", "child_of", 1)])
    if tree._name == "tdom.stored_node":
        assert "parent_path" in sql
    else:
        assert "RECURSIVE" in sql.upper() and "parent_path" not in sql


@pytest.mark.parametrize("hierarchy", HIERARCHIES)
def test_child_of_through_a_many2one_to_another_model(env, Partner, hierarchy):
    Node = env[hierarchy]
    root = Node.create({"name": "Root"})
    child = Node.create({"name": "Child", "parent_id": root.id})
    other = Node.create({"name": "Other"})
    field = "node_id" if hierarchy == "tdom.node" else "stored_node_id"
    Partner.create([{"name": "at root", field: root.id}, {"name": "at child", field: child.id},
                    {"name": "elsewhere", field: other.id}, {"name": "nowhere"}])
    assert names(Partner, [(field, "child_of", root.id)]) == ["at root", "at child"]
    assert names(Partner, [(field, "parent_of", child.id)]) == ["at root", "at child"]
    assert names(Partner, ["!", (field, "child_of", root.id)]) == ["elsewhere", "nowhere"]


def test_child_of_on_a_model_without_parent_field_is_an_error(env):
    env["tdom.category"].create({"name": "A"})
    with pytest.raises(ValueError, match="parent"):
        env["tdom.category"].search([("id", "child_of", 1)])


# ---------------------------------------------------------------- cases 7-8: ids
@pytest.fixture
def three(Partner):
    return Partner.create([{"name": "one"}, {"name": "two"}, {"name": "three"}])


@pytest.mark.parametrize("term", [("id", "not in", []), ("id", "!=", False),
                                  ("name", "not like", "nonexistent")], ids=repr)
def test_case_07_always_true_terms_return_everything(Partner, three, term):
    assert search(Partner, [term]) == Partner.search([])
    assert len(search(Partner, [term])) == 3


def test_case_08_negated_not_equal_is_equal(Partner, three):
    x = three[1].id
    assert search(Partner, ["!", ("id", "!=", x)]) == search(Partner, [("id", "=", x)])


def test_case_08_negated_in_is_not_in(Partner, three):
    others = three[1:].ids
    assert search(Partner, ["!", ("id", "in", others)]) == search(Partner, [("id", "not in", others)])
    assert names(Partner, [("id", "not in", others)]) == ["one"]


# ---------------------------------------------------------------- cases 9-14: many2one
@pytest.fixture
def streets(Partner):
    """Pepper Street > Alice; Salt Lane > Bob; Carol has no parent."""
    pepper, salt = Partner.create([{"name": "Pepper Street"}, {"name": "Salt Lane"}])
    Partner.create([{"name": "Alice", "parent_id": pepper.id}, {"name": "Bob", "parent_id": salt.id},
                    {"name": "Carol"}])
    return Partner


@pytest.mark.parametrize("operator, value, expected", [
    ("=", "Pepper Street", ["Alice"]),
    ("in", "Pepper Street", ["Alice"]),
    ("in", ["Pepper Street", "Salt Lane"], ["Alice", "Bob"]),
    ("ilike", "pepper", ["Alice"]),
    ("!=", "Pepper Street", ["Pepper Street", "Salt Lane", "Bob", "Carol"]),
    ("not in", ["Pepper Street", "Salt Lane"], ["Pepper Street", "Salt Lane", "Carol"]),
])
def test_case_09_many2one_by_name(streets, operator, value, expected):
    assert names(streets, [("parent_id", operator, value)]) == expected


def test_case_09_many2one_by_name_is_a_join(streets):
    sql = sql_of(streets, [("parent_id", "=", "Pepper Street")])
    assert " JOIN " in sql and "POSTCOMPILE" not in sql


@pytest.fixture
def companies(env, Partner):
    company = env["tdom.company"].create({"name": "Acme"})
    Partner.create([{"name": "employee", "company_id": company.id}, {"name": "freelancer"}])
    return company


def test_case_10_many2one_in_empty_list_is_nothing(Partner, companies):
    assert names(Partner, [("company_id", "in", [])]) == []


def test_case_10_not_in_empty_or_false_is_everything(Partner, companies):
    domain = ["|", ("company_id", "not in", []), ("company_id", "=", False)]
    assert names(Partner, domain) == ["employee", "freelancer"]


def test_case_11_many2one_in_false_is_no_value(Partner, companies):
    assert names(Partner, [("company_id", "in", [False])]) == ["freelancer"]


def test_case_11_many2one_not_in_id_keeps_no_value(Partner, companies):
    assert names(Partner, [("company_id", "not in", [companies.id])]) == ["freelancer"]


ALL_STREETS = ["Pepper Street", "Salt Lane", "Alice", "Bob", "Carol"]
WITH_PARENT = ["Alice", "Bob"]
WITHOUT_PARENT = ["Pepper Street", "Salt Lane", "Carol"]
CASE_12 = [
    (("parent_id", "not like", "x"), ALL_STREETS),
    (("parent_id", "not in", [MISSING_ID]), ALL_STREETS),
    (("parent_id", "not in", []), ALL_STREETS),
    (("parent_id", "!=", False), WITH_PARENT),
    (("parent_id", "not in", [False]), WITH_PARENT),
    (("parent_id", "=", False), WITHOUT_PARENT),
    (("parent_id", "in", [False]), WITHOUT_PARENT),
    (("parent_id", "like", "x"), []),
    (("parent_id", "in", [MISSING_ID]), []),
    (("parent_id", "in", []), []),
]


@pytest.mark.parametrize("term, expected", CASE_12, ids=lambda v: repr(v) if isinstance(v, tuple) else "")
def test_case_12_nullable_many2one(streets, term, expected):
    assert names(streets, [term]) == expected


def test_case_13_many2one_ilike_empty_string_means_has_a_value(streets):
    assert names(streets, [("parent_id", "ilike", "")]) == WITH_PARENT
    assert names(streets, [("parent_id", "not ilike", "")]) == WITHOUT_PARENT


def test_case_13_required_many2one_with_empty_string(env, streets):
    User = env["tdom.user"]
    User.create([{"name": "u1", "partner_id": streets.search([], limit=1).id},
                 {"name": "u2", "partner_id": streets.search([], limit=1).id}])
    assert names(User, [("partner_id", "not ilike", "")]) == []
    assert names(User, [("partner_id", "ilike", "")]) == ["u1", "u2"]


CASE_14 = [
    (("parent_id", "like", "x"), ("parent_id", "not like", "x")),
    (("parent_id", "in", [MISSING_ID]), ("parent_id", "not in", [MISSING_ID])),
    (("parent_id", "in", []), ("parent_id", "not in", [])),
    (("parent_id", "=", False), ("parent_id", "!=", False)),
    (("parent_id", "in", [False]), ("parent_id", "not in", [False])),
    (("parent_id", "!=", False), ("parent_id", "=", False)),
    (("parent_id", "ilike", ""), ("parent_id", "not ilike", "")),
]


@pytest.mark.parametrize("term, negative", CASE_14, ids=repr)
def test_case_14_bang_equals_the_negative_operator(streets, term, negative):
    assert search(streets, ["!", term]).ids == search(streets, [negative]).ids


# ---------------------------------------------------------------- cases 15-16: char and boolean
@pytest.fixture
def websites(Partner):
    Partner.create([{"name": "with", "website": "https://example.com"}, {"name": "without"}])
    return Partner


def test_case_15_char_in_empty_list_is_nothing(websites):
    assert names(websites, [("website", "in", [])]) == []


def test_case_15_char_not_in_empty_list_is_everything(websites):
    assert names(websites, [("website", "not in", [])]) == ["with", "without"]


def test_case_15_char_not_equal_false_is_set(websites):
    assert names(websites, [("website", "!=", False)]) == ["with"]


@pytest.fixture
def archived(Partner):
    Partner.create([{"name": "on1"}, {"name": "on2"}, {"name": "off", "active": False}])
    return Partner


def test_case_16_boolean_in_lists(archived):
    assert len(search(archived, [("active", "in", [True])])) == 2
    assert names(archived, [("active", "in", [False])]) == ["off"]
    assert len(search(archived, [("active", "in", [True, False])])) == 3


def test_case_16_archived_records_are_hidden_unless_active_is_named(archived):
    assert names(archived, []) == ["on1", "on2"]
    assert names(archived, [("name", "like", "o")]) == ["on1", "on2"]
    assert names(archived, ["|", ("active", "=", False), ("name", "=", "on1")]) == ["on1", "off"]
    assert names(archived.with_context(active_test=False), [("name", "like", "o")]) == ["on1", "on2", "off"]


# ---------------------------------------------------------------- case 17: one2many
@pytest.fixture
def families(Partner):
    parent = Partner.create({"name": "parent"})
    Partner.create([{"name": "kid", "parent_id": parent.id, "city": "Bonn"}, {"name": "single"}])
    return Partner


def test_case_17_one2many_in_empty_list_is_nothing(families):
    assert names(families, [("child_ids", "in", [])]) == []


def test_case_17_one2many_equal_false_is_no_child(families):
    assert names(families, [("child_ids", "=", False)]) == ["kid", "single"]


def test_case_17_one2many_not_equal_false_is_some_child(families):
    assert names(families, [("child_ids", "!=", False)]) == ["parent"]


def test_case_17_one2many_path_without_match(families):
    assert names(families, [("child_ids.city", "=", "foo")]) == []
    assert names(families, [("child_ids.city", "=", "Bonn")]) == ["parent"]


def test_one2many_ignores_archived_children(families):
    families.search([("name", "=", "kid")]).active = False
    assert names(families, [("child_ids", "!=", False)]) == []
    assert names(families, [("child_ids", "any", [("active", "=", False)])]) == ["parent"]


# ---------------------------------------------------------------- case 18: x2many to users
@pytest.fixture
def users(env, Partner):
    linked, _alone = Partner.create([{"name": "linked"}, {"name": "alone"}])
    other = Partner.create({"name": "other"})
    User = env["tdom.user"]
    return (User.create({"name": "Ursula", "partner_id": linked.id}),
            User.create({"name": "Otto", "partner_id": other.id}))


def test_case_18_x2many_in_a_single_id(Partner, users):
    ursula, _otto = users
    assert names(Partner, [("user_ids", "in", ursula.id)]) == ["linked"]


def test_case_18_x2many_equal_a_name(Partner, users):
    assert names(Partner, [("user_ids", "=", "Ursula")]) == ["linked"]
    assert names(Partner, [("user_ids", "ilike", "o")]) == ["other"]


def test_case_18_x2many_not_in_keeps_partners_without_users(Partner, users):
    ursula, _otto = users
    assert names(Partner, [("user_ids", "not in", ursula.id)]) == ["alone", "other"]
    assert names(Partner, [("user_ids", "!=", "Ursula")]) == ["alone", "other"]


# ---------------------------------------------------------------- case 19: =?
def test_case_19_equal_if_set_with_false_does_not_restrict(streets):
    assert names(streets, [("parent_id", "=?", False)]) == ALL_STREETS
    assert names(streets, [("parent_id", "=?", None)]) == ALL_STREETS


def test_case_19_equal_if_set_with_a_value_is_equal(streets):
    pepper = streets.search([("name", "=", "Pepper Street")])
    assert search(streets, [("parent_id", "=?", pepper.id)]) == \
        search(streets, [("parent_id", "=", pepper.id)])
    assert names(streets, [("name", "=?", "Carol")]) == ["Carol"]


# ---------------------------------------------------------------- cases 20-21: structure
def test_case_20_normalize_prepends_the_implicit_ands():
    domain = [("x", "in", ["y", "z"]), ("a.v", "=", "e"), "|", "|", ("a", "=", "b"), "!",
              ("c", ">", "d"), ("e", "!=", "f"), ("g", "=", "h")]
    assert normalize(domain) == ["&", "&", "&"] + domain


def test_case_20_normalized_domains_are_left_untouched():
    domain = ["&", (1, "=", 1), ("a", "=", "b")]
    assert normalize(domain) == domain
    assert normalize([]) == []


def test_case_20_or_of_two_domains():
    a, b, c, d = ("a", "=", 1), ("b", "=", 2), ("c", "=", 3), ("d", "=", 4)
    assert OR([[a, b], ["&", c, d]]) == ["|", "&", a, b, "&", c, d]
    assert AND([[a], [b, c]]) == ["&", a, "&", b, c]


def test_case_21_unit_handling():
    d = [("x", "=", 1)]
    assert OR([FALSE_DOMAIN]) == FALSE_DOMAIN
    assert OR([FALSE_DOMAIN, d]) == d
    assert AND([TRUE_DOMAIN, d]) == d
    assert OR([AND([TRUE_DOMAIN]), d]) == TRUE_DOMAIN
    assert AND([OR([FALSE_DOMAIN]), d]) == FALSE_DOMAIN
    assert AND([]) == TRUE_DOMAIN
    assert OR([]) == FALSE_DOMAIN


def test_case_21_empty_domain_is_true_in_and_or():
    d = [("x", "=", 1)]
    assert AND([[], d]) == d
    assert OR([[], d]) == TRUE_DOMAIN


def test_constant_leaves_in_searches(three, Partner):
    assert len(search(Partner, [TRUE_LEAF])) == 3
    assert search(Partner, [FALSE_LEAF]) == Partner.browse()
    assert len(search(Partner, ["!", FALSE_LEAF])) == 3


# ---------------------------------------------------------------- case 22: =like / =ilike
@pytest.fixture
def works(Partner):
    Partner.create([{"name": "Inner Works"}, {"name": "Inner Work"}, {"name": "inner works"},
                    {"name": "Gamma"}, {"name": "gold"}, {"name": "Agg"}])
    return Partner


def test_case_22_equal_like_uses_the_raw_pattern(works):
    assert names(works, [("name", "=like", "I_ner_W_rk_")]) == ["Inner Works"]
    assert names(works, [("name", "=like", "Inner%")]) == ["Inner Works", "Inner Work"]


def test_case_22_equal_ilike_is_a_case_insensitive_pattern(works):
    assert names(works, [("name", "=ilike", "G%")]) == ["Gamma", "gold"]
    assert names(works, [("name", "=ilike", "i_ner_w_rk_")]) == ["Inner Works", "inner works"]


def test_equal_like_backslash_escapes_a_wildcard(Partner):
    Partner.create([{"name": "100% sure"}, {"name": "1000 sure"}])
    assert names(Partner, [("name", "=like", "100\\%%")]) == ["100% sure"]
    assert names(Partner, [("name", "=like", "100%")]) == ["100% sure", "1000 sure"]


def test_equal_like_with_a_trailing_escape_is_an_error(three, Partner):
    with pytest.raises(ValueError, match="escape"):
        Partner.search([("name", "=like", "one\\")])


# ---------------------------------------------------------------- like with wildcards as text
@pytest.fixture
def wildcards(Partner):
    Partner.create([{"name": "100% sure"}, {"name": "100 sure"}, {"name": "a_b"}, {"name": "axb"},
                    {"name": "back\\slash"}, {"name": "backslash"}])
    return Partner


def test_like_percent_in_the_value_is_literal(wildcards):
    assert names(wildcards, [("name", "like", "100%")]) == ["100% sure"]
    assert names(wildcards, [("name", "not like", "%")]) == [
        "100 sure", "a_b", "axb", "back\\slash", "backslash"]


def test_like_underscore_in_the_value_is_literal(wildcards):
    assert names(wildcards, [("name", "like", "a_b")]) == ["a_b"]
    assert names(wildcards, [("name", "ilike", "A_B")]) == ["a_b"]


def test_like_backslash_in_the_value_is_literal(wildcards):
    assert names(wildcards, [("name", "like", "k\\s")]) == ["back\\slash"]


# ---------------------------------------------------------------- case 23: translated fields
@pytest.fixture
def countries(env):
    Country = env["tdom.country"]
    belgium, _france = Country.create([{"name": "Belgium", "code": "BE"}, {"name": "France", "code": "FR"}])
    belgium.with_context(lang="de_DE").write({"name": "Belgien"})
    belgium.with_context(lang="fr_FR").write({"name": "Belgique"})
    return Country


@pytest.mark.parametrize("term", [("name", "=", "Belgium"), ("name", "ilike", "Belgi"),
                                  ("name", "in", ["Belgium", "x"])], ids=repr)
def test_case_23_translated_field_in_english(countries, term):
    assert names(countries, [term]) == ["Belgium"]


def test_case_23_translated_field_in_the_context_language(countries):
    French = countries.with_context(lang="fr_FR")
    assert names(French, [("name", "!=", "Belgique")]) == ["France"]
    assert names(French, [("name", "=", "Belgique")]) == ["Belgique"]


def test_translated_field_falls_back_to_english(countries):
    German = countries.with_context(lang="de_DE")
    assert names(German, [("name", "=", "Belgien")]) == ["Belgien"]
    assert names(German, [("name", "=", "Belgium")]) == []
    assert names(German, [("name", "=", "France")]) == ["France"]
    assert names(German, [("name", "ilike", "an")]) == ["France"]


def test_empty_translation_shows_and_searches_as_english(countries):
    france = countries.search([("code", "=", "FR")])
    france.with_context(lang="de_DE").write({"name": ""})
    German = countries.with_context(lang="de_DE")
    assert france.with_context(lang="de_DE").name == "France"
    assert names(German, [("name", "=", "France")]) == ["France"]
    assert names(German, [("name", "=", "")]) == []


def test_case_22_patterns_on_translated_fields(countries):
    assert names(countries, [("name", "=ilike", "b%")]) == ["Belgium"]
    assert names(countries.with_context(lang="de_DE"), [("name", "=like", "B_lg_en")]) == ["Belgien"]


def test_translated_field_through_a_path(countries, Partner):
    belgium = countries.search([("code", "=", "BE")])
    Partner.create([{"name": "Brussels office", "country_id": belgium.id}, {"name": "stateless"}])
    assert names(Partner, [("country_id.name", "=", "Belgium")]) == ["Brussels office"]
    assert names(Partner.with_context(lang="de_DE"), [("country_id", "=", "Belgien")]) == ["Brussels office"]


@pytest.fixture
def offices(countries, Partner):
    belgium, france = countries.search([("code", "=", "BE")]), countries.search([("code", "=", "FR")])
    Partner.create([{"name": "Brussels", "country_id": belgium.id},
                    {"name": "Paris", "country_id": france.id}, {"name": "stateless"}])
    return Partner


@pytest.mark.parametrize("term, expected", [
    (("country_code", "=", "BE"), ["Brussels"]),
    (("country_code", "like", "E"), ["Brussels"]),
    (("country_code", "in", ["BE", "XX"]), ["Brussels"]),
    (("country_code", "!=", "BE"), ["Paris", "stateless"]),
    (("country_code", "not in", ["BE"]), ["Paris", "stateless"]),
    (("country_code", "not ilike", "be"), ["Paris", "stateless"]),
    (("country_code", "=", False), ["stateless"]),
    (("country_code", "in", ["FR", False]), ["Paris", "stateless"]),
    (("country_code", "!=", False), ["Brussels", "Paris"]),
], ids=lambda v: repr(v) if isinstance(v, tuple) else "")
def test_related_field_is_searched_as_its_value(offices, term, expected):
    # an empty many2one on the way gives an empty related value: NULL semantics of §4.2
    assert names(offices, [term]) == expected


def test_related_field_search_is_a_subquery(offices):
    _assert_subquery(offices, [("country_code", "=", "BE")])


def test_inherited_fields_are_searched_through_the_parent(env, offices):
    Employee = env["tdom.employee"]
    brussels = offices.search([("name", "=", "Brussels")])
    Employee.create([{"badge": "B1", "partner_id": brussels.id},
                     {"badge": "S1", "name": "Sam", "city": "Bonn"}])
    assert search(Employee, [("name", "=", "Brussels")]).mapped("badge") == ["B1"]
    assert search(Employee, [("city", "!=", "Bonn")]).mapped("badge") == ["B1"]
    assert search(Employee, [("country_id.code", "=", "BE")]).mapped("badge") == ["B1"]
    assert search(Employee, [("country_code", "=", False)]).mapped("badge") == ["S1"]


# ---------------------------------------------------------------- case 24: errors
def test_case_24_unknown_field_is_a_value_error_in_search(Partner, three):
    with pytest.raises(ValueError, match="tdom.partner.nope"):
        Partner.search([("nope", "=", 1)])


def test_case_24_unknown_field_is_a_key_error_in_filtered_domain(Partner, three):
    with pytest.raises(KeyError, match="nope"):
        Partner.search([]).filtered_domain([("nope", "=", 1)])


def test_unknown_field_at_the_end_of_a_path_is_a_value_error(Partner, three):
    with pytest.raises(ValueError, match="tdom.partner.nope"):
        Partner.search([("parent_id.nope", "=", 1)])


def test_path_through_a_non_relational_field_is_a_value_error(Partner, three):
    with pytest.raises(ValueError, match="not relational"):
        Partner.search([("name.id", "=", 1)])


@pytest.mark.parametrize("operator", [">>", "is not", "between", "=="])
def test_case_24_unknown_operator_is_a_value_error(Partner, three, operator):
    with pytest.raises(ValueError, match="unknown operator"):
        Partner.search([("name", operator, "x")])
    with pytest.raises(ValueError, match="unknown operator"):
        Partner.search([]).filtered_domain([("name", operator, "x")])


@pytest.mark.parametrize("domain, message", [
    ("name = 'x'", "a list was expected"),
    ([("name", "=")], "Invalid domain item"),
    ([("name", "=", "x", "y")], "Invalid domain item"),
    ([("name", "=", "x"), "junk"], "Invalid domain item"),
    ([["name", "=", "x"], {"name": "x"}], "Invalid domain item"),
    (["&", ("name", "=", "x")], "misses its operands"),
    (["!"], "misses its operands"),
    ([("name", "=", "x"), "|"], "misses its operands"),
    ([("", "=", "x")], "field path must be a non-empty string"),
    ([(None, "=", "x")], "field path must be a non-empty string"),
    ([("name", 5, "x")], "operator must be a string"),
], ids=repr)
def test_malformed_domain_is_a_value_error(Partner, three, domain, message):
    with pytest.raises(ValueError, match=message):
        Partner.search(domain)
    with pytest.raises(ValueError, match=message):
        Partner.search([]).filtered_domain(domain)


def test_operator_any_needs_a_relational_field_and_a_domain(Partner, three):
    with pytest.raises(ValueError, match="relational"):
        Partner.search([("name", "any", [("id", "=", 1)])])
    with pytest.raises(ValueError, match="needs a domain"):
        Partner.search([("parent_id", "any", 5)])


def test_non_stored_field_without_search_method_cannot_be_searched(Partner, three):
    with pytest.raises(ValueError, match="not stored"):
        Partner.search([("label", "=", "<one>")])


def test_display_name_is_searchable_through_the_record_name(Partner, three):
    assert names(Partner, [("display_name", "ilike", "t")]) == ["two", "three"]


INJECTION = "x'; DROP TABLE tdom_partner; --"


@pytest.mark.parametrize("operator", ["=", "!=", "like", "ilike", "=like", "in"])
def test_case_24_injection_in_a_value_is_a_bound_parameter(env, Partner, three, operator):
    value = [INJECTION] if operator == "in" else INJECTION
    query = Partner._search_query([("name", operator, value)])
    assert "DROP TABLE" not in str(query)
    found = search(Partner, [("name", operator, value)])
    assert len(found) == (3 if operator == "!=" else 0)
    assert Partner.search_count([]) == 3


def test_case_24_text_against_a_number_column_is_refused_before_the_database(Partner, three):
    # Odoo lets PostgreSQL fail with a data error (SQLite would just not match): refused first
    with pytest.raises(ValueError, match="a number was expected"):
        Partner.search([("color", "=", "1; DROP TABLE tdom_partner")])
    with pytest.raises(ValueError, match="a number was expected"):
        Partner.search([("credit", "in", [1.5, "1 OR 1=1"])])
    with pytest.raises(ValueError, match="a number was expected"):
        Partner.search([("parent_id", "in", [1, "1 OR 1=1"])])
    assert Partner.search_count([]) == 3


def test_injection_in_a_field_path_is_an_unknown_field(Partner, three):
    with pytest.raises(ValueError, match="Invalid field"):
        Partner.search([("name = name OR 1=1 --", "=", "x")])
    assert Partner.search_count([]) == 3


# ---------------------------------------------------------------- case 25: accents
def test_case_25_without_unaccent_accents_are_significant(Partner):
    Partner.create([{"name": "Hélène"}, {"name": "Helene"}])
    assert names(Partner, [("name", "ilike", "helene")]) == ["Helene"]
    assert names(Partner, [("name", "not ilike", "helene")]) == ["Hélène"]
    assert names(Partner, [("name", "ilike", "HÉLÈNE")]) == ["Hélène"]


# ---------------------------------------------------------------- case 26: order is kept
@pytest.mark.parametrize("order", ["name desc", "city, name", "parent_id desc, id", "id desc"])
def test_case_26_filtered_domain_keeps_the_search_order(streets, order):
    domain = ["|", ("parent_id", "!=", False), ("name", "ilike", "a")]
    found = search(streets, domain, order=order)
    assert len(found) > 1


# ---------------------------------------------------------------- operator normalisation
def test_operators_are_lowercased_and_diamond_is_not_equal():
    assert normalize([("a", "<>", 1), ("b", "ILIKE", "x"), ("c", "Not In", [1])]) == [
        "&", "&", ("a", "!=", 1), ("b", "ilike", "x"), ("c", "not in", [1])]


def test_diamond_searches_like_not_equal(cities):
    assert search(cities, [("city", "<>", "Bonn")]) == search(cities, [("city", "!=", "Bonn")])


@pytest.mark.parametrize("operator", ["ILIKE", "Like", "NOT ILIKE", "In", "=LIKE"])
def test_operators_are_case_insensitive(cities, operator):
    value = ["Bonn"] if operator == "In" else "Bo%" if operator == "=LIKE" else "bon"
    assert search(cities, [("city", operator, value)]) == search(cities, [("city", operator.lower(), value)])


def test_equal_with_a_list_is_in(cities):
    assert names(cities, [("city", "=", ["Bonn", "Koeln"])]) == ["bonn", "koeln"]
    assert names(cities, [("city", "!=", ["Bonn"])]) == ["koeln", "none"]


def test_in_with_a_boolean_is_equal(flags):
    assert names(flags, [("is_company", "in", True)]) == ["yes"]
    assert names(flags, [("is_company", "not in", True)]) == ["no", "null"]
    assert names(flags, [("is_company", "in", False)]) == ["no", "null"]


# ---------------------------------------------------------------- dotted paths and sub-queries
@pytest.fixture
def network(env, Partner):
    """Company 'Bonn Inc' (tag T) > 'Anna' (tag U); 'Koeln AG' > 'Ben'; 'Solo' alone."""
    t, u = env["tdom.category"].create([{"name": "T"}, {"name": "U"}])
    bonn = Partner.create({"name": "Bonn Inc", "city": "Bonn", "category_ids": [Command.set(t.ids)]})
    koeln = Partner.create({"name": "Koeln AG", "city": "Koeln"})
    Partner.create([{"name": "Anna", "parent_id": bonn.id, "category_ids": [Command.set(u.ids)]},
                    {"name": "Ben", "parent_id": koeln.id, "city": "Bonn"}, {"name": "Solo"}])
    env.transaction.flush(env)
    return Partner


def _assert_subquery(model, domain):
    """Paths compile to a join (many2one) or a sub-query (x2many), never to fetched ids."""
    sql = sql_of(model, domain)
    assert "EXISTS" in sql or "IN (SELECT" in sql or " JOIN " in sql, sql
    assert "POSTCOMPILE" not in sql, f"a literal list of ids in {sql}"


def test_path_through_many2one(network):
    assert names(network, [("parent_id.city", "=", "Bonn")]) == ["Anna"]
    _assert_subquery(network, [("parent_id.city", "=", "Bonn")])


def test_path_through_one2many(network):
    assert names(network, [("child_ids.city", "=", "Bonn")]) == ["Koeln AG"]
    _assert_subquery(network, [("child_ids.city", "=", "Bonn")])


def test_path_through_many2many(network):
    assert names(network, [("category_ids.name", "=", "T")]) == ["Bonn Inc"]
    _assert_subquery(network, [("category_ids.name", "=", "T")])


def test_path_of_several_steps(network):
    assert names(network, [("parent_id.category_ids.name", "=", "T")]) == ["Anna"]
    assert names(network, [("child_ids.category_ids.name", "in", ["U", "V"])]) == ["Bonn Inc"]
    _assert_subquery(network, [("parent_id.category_ids.name", "=", "T")])


def test_path_with_a_negative_operator_means_some_related_record(network):
    # "some child whose city is not Bonn" (NULL cities included); not "no child in Bonn"
    assert names(network, [("child_ids.city", "!=", "Bonn")]) == ["Bonn Inc"]


def test_negated_path_is_the_exact_complement(network):
    assert names(network, ["!", ("child_ids.city", "=", "Bonn")]) == ["Bonn Inc", "Anna", "Ben", "Solo"]
    assert names(network, ["!", ("parent_id.city", "=", "Bonn")]) == ["Bonn Inc", "Koeln AG", "Ben", "Solo"]


def test_path_search_is_one_query(network, count_queries):
    with count_queries() as counter:
        network.search([("child_ids.category_ids.name", "=", "U")])
    assert counter.count == 1


def test_path_through_many2one_reaches_archived_records(network):
    network.search([("name", "=", "Koeln AG")]).active = False
    assert names(network, [("parent_id.city", "=", "Koeln")]) == ["Ben"]


# ---------------------------------------------------------------- any / not any
def test_any_on_many2one(network):
    assert names(network, [("parent_id", "any", [("city", "=", "Bonn")])]) == ["Anna"]
    _assert_subquery(network, [("parent_id", "any", [("city", "=", "Bonn")])])


def test_not_any_on_many2one_includes_empty_values(network):
    assert names(network, [("parent_id", "not any", [("city", "=", "Bonn")])]) == [
        "Bonn Inc", "Koeln AG", "Ben", "Solo"]


def test_any_on_one2many(network):
    assert names(network, [("child_ids", "any", [("city", "=", False)])]) == ["Bonn Inc"]
    assert names(network, [("child_ids", "not any", [("city", "=", False)])]) == [
        "Koeln AG", "Anna", "Ben", "Solo"]


def test_any_on_many2many(network):
    assert names(network, [("category_ids", "any", [("name", "in", ["T", "U"])])]) == ["Bonn Inc", "Anna"]
    assert names(network, [("category_ids", "not any", [("name", "=", "T")])]) == [
        "Koeln AG", "Anna", "Ben", "Solo"]


def test_any_with_a_nested_domain(network):
    domain = [("child_ids", "any", ["|", ("category_ids", "any", [("name", "=", "U")]),
                                    ("city", "=", "Paris")])]
    assert names(network, domain) == ["Bonn Inc"]


def test_any_with_empty_domain_means_has_a_value(network):
    assert names(network, [("parent_id", "any", [])]) == ["Anna", "Ben"]
    assert names(network, [("child_ids", "not any", [])]) == ["Anna", "Ben", "Solo"]


# ---------------------------------------------------------------- dates and datetimes
@pytest.fixture
def calendar(Partner):
    Partner.create([
        {"name": "midnight", "birthday": "2024-03-01", "last_seen": "2024-03-01 00:00:00"},
        {"name": "noon", "birthday": "2024-03-02", "last_seen": "2024-03-01 12:00:00"},
        {"name": "late", "birthday": "2024-02-29", "last_seen": "2024-03-01 23:59:59"},
        {"name": "next day", "birthday": "2025-01-01", "last_seen": "2024-03-02 00:00:00"},
        {"name": "never"},
    ])
    return Partner


@pytest.mark.parametrize("operator, expected", [
    ("=", ["midnight"]),
    (">=", ["midnight", "noon", "late", "next day"]),
    (">", ["next day"]),
    ("<", []),
    ("<=", ["midnight", "noon", "late"]),
])
def test_a_date_string_compared_with_a_datetime_covers_the_whole_day(calendar, operator, expected):
    assert names(calendar, [("last_seen", operator, "2024-03-01")]) == expected


def test_datetime_compared_with_full_values(calendar):
    assert names(calendar, [("last_seen", ">", "2024-03-01 12:00:00")]) == ["late", "next day"]
    assert names(calendar, [("last_seen", "<", datetime(2024, 3, 1, 12))]) == ["midnight"]
    assert names(calendar, [("last_seen", "in", ["2024-03-01 12:00:00", False])]) == ["noon", "never"]


def test_date_comparisons(calendar):
    assert names(calendar, [("birthday", ">", "2024-03-01")]) == ["noon", "next day"]
    assert names(calendar, [("birthday", "<=", date(2024, 3, 1))]) == ["midnight", "late"]
    assert names(calendar, [("birthday", "=", "2024-02-29")]) == ["late"]
    assert names(calendar, [("birthday", "!=", "2024-02-29")]) == ["midnight", "noon", "next day", "never"]


def test_date_compared_with_a_datetime_string_uses_its_day(calendar):
    assert names(calendar, [("birthday", "=", "2024-03-01 18:30:00")]) == ["midnight"]


def test_date_and_datetime_comparisons_with_false_match_nothing(calendar):
    assert names(calendar, [("birthday", "<", False)]) == []
    assert names(calendar, [("last_seen", ">=", None)]) == []
    assert names(calendar, ["!", ("birthday", "<", False)]) == [
        "midnight", "noon", "late", "next day", "never"]


def test_invalid_date_value_is_a_value_error(calendar):
    with pytest.raises(ValueError, match="birthday"):
        calendar.search([("birthday", "=", "not a date")])


# ---------------------------------------------------------------- numbers and selections
@pytest.fixture
def numbers(Partner):
    Partner.create([{"name": "zero", "color": 0, "credit": 0.0, "kind": "person"},
                    {"name": "five", "color": 5, "credit": 2.5, "kind": "company"},
                    {"name": "unset"}])
    return Partner


def test_integer_zero_is_not_null(numbers):
    assert names(numbers, [("color", "=", 0)]) == ["zero"]
    assert names(numbers, [("color", "=", False)]) == ["unset"]
    assert names(numbers, [("color", "<", 5)]) == ["zero"]
    assert names(numbers, [("color", "!=", 5)]) == ["zero", "unset"]


def test_float_comparisons(numbers):
    assert names(numbers, [("credit", ">", 1)]) == ["five"]
    assert names(numbers, [("credit", "in", [0.0, 2.5])]) == ["zero", "five"]


def test_numeric_strings_compare_as_numbers(numbers):
    assert names(numbers, [("color", "=", "5")]) == ["five"]
    assert names(numbers, [("credit", ">", "1.5")]) == ["five"]


def test_like_on_integers_and_dates_compares_their_text(numbers, calendar):
    assert names(numbers, [("color", "like", "5")]) == ["five"]
    assert names(numbers, [("color", "not like", "5")]) == ["zero", "unset", "midnight", "noon", "late",
                                                           "next day", "never"]
    assert names(calendar, [("birthday", "=like", "2024-03-%")]) == ["midnight", "noon"]


@pytest.mark.parametrize("field", ["credit", "last_seen", "is_company"])
def test_like_on_other_types_is_a_value_error(numbers, field):
    with pytest.raises(ValueError, match="compares text"):
        numbers.search([(field, "like", "1")])
    with pytest.raises(ValueError, match="compares text"):
        numbers.search([]).filtered_domain([(field, "like", "1")])


def test_selection_comparisons(numbers):
    assert names(numbers, [("kind", "=", "company")]) == ["five"]
    assert names(numbers, [("kind", "!=", "company")]) == ["zero", "unset"]
    assert names(numbers, [("kind", "not in", ["person", False])]) == ["five"]


# ---------------------------------------------------------------- order strings
@pytest.mark.parametrize("order, expected", [
    ("name", ["Alice", "Bob", "Carol", "Pepper Street", "Salt Lane"]),
    ("name desc", ["Salt Lane", "Pepper Street", "Carol", "Bob", "Alice"]),
    ("NAME DESC", ["Salt Lane", "Pepper Street", "Carol", "Bob", "Alice"]),
    ("city desc nulls first, name", ["Alice", "Bob", "Carol", "Pepper Street", "Salt Lane"]),
    ("id desc", ["Carol", "Bob", "Alice", "Salt Lane", "Pepper Street"]),
])
def test_valid_order_strings(streets, order, expected):
    assert names(streets, [], order=order) == expected


def test_order_by_many2one_follows_the_comodel_order(streets):
    assert names(streets, [("parent_id", "!=", False)], order="parent_id desc") == ["Bob", "Alice"]
    assert names(streets, [("parent_id", "!=", False)], order="parent_id") == ["Alice", "Bob"]


def test_order_by_many2one_places_empty_values_as_for_a_column(streets):
    assert names(streets, [], order="parent_id, id") == [
        "Alice", "Bob", "Pepper Street", "Salt Lane", "Carol"]
    assert names(streets, [], order="parent_id desc nulls last, id") == [
        "Bob", "Alice", "Pepper Street", "Salt Lane", "Carol"]


@pytest.mark.parametrize("order, message", [
    ("nope", "no field 'nope'"),
    ("name; drop table tdom_partner", "Invalid order"),
    ("name desc, (select 1)", "Invalid order"),
    ("lower(name)", "Invalid order"),
    ("name,", "Invalid order"),
    ("label", "not stored"),
    ("child_ids", "not stored"),
    ("country_code", "not stored"),
    ("name:sum", "aggregates"),
], ids=repr)
def test_invalid_order_strings_are_value_errors(streets, order, message):
    with pytest.raises(ValueError, match=message):
        streets.search([], order=order)
    assert streets.search_count([]) == 5


def test_many2one_path_joins_inner_when_required_and_outer_below_or_not(network):
    """Below OR / NOT a row may match without the related record: the join must keep it."""
    inner = sql_of(network, [("parent_id.city", "=", "Bonn")])
    assert "JOIN" in inner and "LEFT OUTER JOIN" not in inner
    for domain in (["|", ("parent_id.city", "=", "Bonn"), ("name", "=", "Solo")],
                   ["!", ("parent_id.city", "=", "Bonn")],
                   [("parent_id", "not any", [("city", "=", "Bonn")])],
                   [("parent_id", "!=", "Bonn Inc")]):
        assert "LEFT OUTER JOIN" in sql_of(network, domain), domain
    assert names(network, ["|", ("parent_id.city", "=", "Bonn"), ("name", "=", "Solo")]) == ["Anna", "Solo"]
    assert "Solo" in names(network, ["!", ("parent_id.city", "=", "Bonn")])
