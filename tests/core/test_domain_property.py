"""Property: SQL and the Python evaluator agree on random domains (ODOO_REFERENCE §4.4, case 26).

Hypothesis builds domains of random shape — ``'&'``, ``'|'``, ``'!'`` nested at will,
implicit ``'&'`` between top-level parts — over every kind of field: char, integer,
float, boolean, date, datetime, selection, many2one, many2many, one2many, dotted paths,
``any`` / ``not any`` and ``child_of`` / ``parent_of``.  Values include ``False`` /
``None``, empty lists and lists holding ``False``.  For each domain the ids found by
``search`` (SQL) must be those kept by ``filtered_domain`` (Python), in the same order.

The registry and ~30 records with many NULLs are built once per module (building them
per example would make the test minutes long); the examples only read.  Strings are
ASCII so that case folding does not depend on a database locale.
"""
import random
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import Command, fields, models
from core.api import SUPERUSER_ID, Environment
from core.domain import mentions_field, parse
from core.registry import Registry

from .module_db import module_db_uri  # noqa: F401 (a fixture)


class Tag(models.Model):
    _name = "tdom.prop.tag"
    _description = "Property test tag"
    _parent_store = True

    name = fields.Char()
    color = fields.Integer()
    active = fields.Boolean(default=True)
    parent_id = fields.Many2one("tdom.prop.tag")


class Item(models.Model):
    _name = "tdom.prop.item"
    _description = "Property test item"

    name = fields.Char()
    size = fields.Integer()
    ratio = fields.Float()
    flag = fields.Boolean()
    day = fields.Date()
    moment = fields.Datetime()
    kind = fields.Selection([("a", "A"), ("b", "B"), ("c", "C")])
    parent_id = fields.Many2one("tdom.prop.item")
    child_ids = fields.One2many("tdom.prop.item", "parent_id")
    tag_id = fields.Many2one("tdom.prop.tag")
    tag_ids = fields.Many2many("tdom.prop.tag")
    line_ids = fields.One2many("tdom.prop.line", "item_id")
    # not stored: search and filtered_domain both follow the related path
    tag_color = fields.Integer(related="tag_id.color")


class Line(models.Model):
    _name = "tdom.prop.line"
    _description = "Property test line"

    name = fields.Char()
    qty = fields.Integer()
    active = fields.Boolean(default=True)
    item_id = fields.Many2one("tdom.prop.item", ondelete="cascade")
    tag_id = fields.Many2one("tdom.prop.tag")


MODELS = [Tag, Item, Line]

NAMES = ["alpha", "Alpha", "beta", "ALPHA beta", "gamma", "a_b", "a%b", "x", ""]
SIZES = [0, 1, 2, 5, -3]
RATIOS = [0.0, 0.5, 1.5, -2.25]
DAYS = ["2024-01-31", "2024-02-29", "2024-03-01", "2023-12-31"]
MOMENTS = ["2024-02-29 23:59:59", "2024-03-01 00:00:00", "2024-03-01 12:30:00",
           "2024-03-02 00:00:00"]
KINDS = ["a", "b", "c"]
TAG_NAMES = ["red", "Red", "green", "blue", "dark red", "x_y"]
TAG_IDS = list(range(1, 9))  # the 8 tags _seed creates, in a fresh database


# ---------------------------------------------------------------- the data, once per module
def _maybe(rng, values, none_ratio=0.3):
    return None if rng.random() < none_ratio else rng.choice(values)


def _seed(env):
    """30 items, 8 tags (2 archived), 45 lines (some archived, some orphans), many NULLs."""
    rng = random.Random(20240301)
    Tag = env["tdom.prop.tag"]
    tags = Tag.browse()
    for i, tag_name in enumerate(TAG_NAMES + [None, "blue"]):
        parent = rng.choice(tags.ids) if tags and rng.random() < 0.6 else False
        tags |= Tag.create({"name": tag_name, "color": _maybe(rng, [1, 2, 3]), "parent_id": parent,
                            "active": i not in (2, 7)})
    Item = env["tdom.prop.item"]
    items = Item.browse()
    for _ in range(30):
        parent = rng.choice(items.ids) if items and rng.random() < 0.5 else False
        moment = _maybe(rng, MOMENTS)
        items |= Item.create({
            "name": _maybe(rng, NAMES),
            "size": _maybe(rng, SIZES),
            "ratio": _maybe(rng, RATIOS),
            "flag": rng.choice([True, False, None]),
            "day": _maybe(rng, DAYS),
            "moment": moment and datetime.fromisoformat(moment),
            "kind": _maybe(rng, KINDS),
            "parent_id": parent,
            "tag_id": _maybe(rng, tags.ids),
            "tag_ids": [Command.set(rng.sample(tags.ids, rng.choice([0, 0, 1, 2, 3])))],
        })
    Line = env["tdom.prop.line"]
    for _ in range(45):
        Line.create({
            "name": _maybe(rng, NAMES),
            "qty": _maybe(rng, SIZES),
            "active": rng.random() < 0.85,
            "item_id": _maybe(rng, items.ids, none_ratio=0.1),
            "tag_id": _maybe(rng, tags.ids),
        })
    # only archived tags on one item: "= False" must then agree on both sides
    items[0].write({"tag_ids": [Command.set([tags[2].id])]})
    # NULL booleans (the ORM writes False for None): rows from before the column, or raw SQL
    table = env.registry.tables["tdom.prop.item"]
    env.cr.execute(sa.update(table).where(table.c.id.in_(items.ids[::4])).values(flag=None))
    items.invalidate_recordset(["flag"])
    env.cr.commit()


@pytest.fixture(scope="module")
def prop_env(module_db_uri):
    registry = Registry.new(module_db_uri, MODELS)
    cr = registry.cursor()
    env = Environment(cr, SUPERUSER_ID, {})
    _seed(env)
    yield env
    cr.close()
    registry.engine.dispose()


# ---------------------------------------------------------------- strategies
FALSY = st.sampled_from([False, None])


def _values(plain):
    """A scalar value, False/None, or a list (maybe empty, maybe holding False)."""
    return st.one_of(plain, FALSY, st.lists(st.one_of(plain, st.just(False)), max_size=3))


def _term(path, operators, values):
    return st.tuples(st.just(path), st.sampled_from(operators), values)


EQUALITY = ["=", "!=", "in", "not in", "=?", "<>", "IN", "Not In"]
ORDERING = ["<", "<=", ">", ">="]
LIKES = ["like", "not like", "ilike", "not ilike", "=like", "=ilike"]

char_value = st.sampled_from(NAMES + ["ALPHA", "bet", "a", "%", "_", "A_B"])
pattern_value = st.sampled_from(["%", "a%", "%a", "_", "a_b", "A%", "%b%", "alpha", "a\\%b"])
tag_name_value = st.sampled_from(TAG_NAMES + ["re", "RED", "", "nope"])


def char_terms(path, value=char_value):
    return st.one_of(
        _term(path, EQUALITY, _values(value)),
        _term(path, LIKES[:4], st.one_of(value, FALSY)),
        _term(path, LIKES[4:], st.one_of(pattern_value, FALSY)),
    )


def number_terms(path, plain):
    return st.one_of(_term(path, EQUALITY, _values(plain)), _term(path, ORDERING, st.one_of(plain, FALSY)))


def id_values(model_ids):
    """Ids (some nonexistent), False, lists of them."""
    return _values(st.sampled_from(model_ids + [999]))


def tag_domains():
    """Small domains on tags, for ``any``."""
    leaves = st.one_of(
        char_terms("name", tag_name_value),
        number_terms("color", st.sampled_from([1, 2, 3, 4])),
        _term("active", ["=", "!="], st.sampled_from([True, False])),
        _term("id", ["child_of", "parent_of"], id_values(TAG_IDS)),
    )
    return _combined(leaves, max_leaves=3)


def line_terms():
    return st.one_of(
        char_terms("name"),
        number_terms("qty", st.sampled_from(SIZES)),
        _term("tag_id", EQUALITY, st.one_of(id_values(TAG_IDS), tag_name_value)),
        char_terms("tag_id.name", tag_name_value),
        _term("active", ["=", "!="], st.sampled_from([True, False])),
    )


def relational_terms(path, ids, name_value, comodel_domains):
    return st.one_of(
        _term(path, EQUALITY, st.one_of(id_values(ids), name_value,
                                        st.lists(name_value, min_size=1, max_size=2))),
        _term(path, LIKES[:4], st.one_of(name_value, FALSY)),
        _term(path, ["any", "not any"], comodel_domains),
    )


def item_terms():
    tag_ids = TAG_IDS
    item_ids = list(range(1, 31))  # ids in a fresh database, as TAG_IDS
    tags = tag_domains()
    lines = _combined(line_terms(), max_leaves=3)
    return st.one_of(
        char_terms("name"),
        number_terms("size", st.sampled_from(SIZES)),
        _term("size", LIKES, st.sampled_from(["1", "-", "%5", "_"])),
        number_terms("ratio", st.sampled_from(RATIOS)),
        _term("flag", ["=", "!=", "in", "not in", "=?"], _values(st.booleans())),
        number_terms("day", st.one_of(st.sampled_from(DAYS), st.sampled_from(DAYS).map(date.fromisoformat))),
        _term("day", LIKES, st.sampled_from(["2024-03", "-29", "2024-__-01", "%-01"])),
        number_terms("moment", st.one_of(st.sampled_from(DAYS + MOMENTS),
                                         st.sampled_from(MOMENTS).map(datetime.fromisoformat))),
        _term("kind", EQUALITY + ["like", "not like"], _values(st.sampled_from(KINDS + ["z"]))),
        relational_terms("tag_id", tag_ids, tag_name_value, tags),
        relational_terms("tag_ids", tag_ids, tag_name_value, tags),
        relational_terms("line_ids", list(range(1, 46)), char_value, lines),
        relational_terms("parent_id", item_ids, char_value, _combined(char_terms("name"), max_leaves=2)),
        _term("child_ids", ["=", "!=", "in", "not in"], id_values(item_ids)),
        char_terms("tag_id.name", tag_name_value),
        char_terms("tag_ids.name", tag_name_value),
        number_terms("line_ids.qty", st.sampled_from(SIZES)),
        char_terms("line_ids.tag_id.name", tag_name_value),
        number_terms("parent_id.size", st.sampled_from(SIZES)),
        number_terms("tag_color", st.sampled_from([1, 2, 3])),
        _term("id", ["child_of", "parent_of"], st.one_of(id_values(item_ids), char_value)),
        _term("parent_id", ["child_of", "parent_of"], id_values(item_ids)),
        _term("tag_id", ["child_of", "parent_of"], id_values(tag_ids)),
        _term("tag_ids", ["child_of", "parent_of"], id_values(tag_ids)),
        st.sampled_from([(1, "=", 1), (0, "=", 1)]),
    )


def _combined(leaves, max_leaves):
    """Random prefix trees of '&', '|', '!' over ``leaves``, as flat domain lists."""
    trees = st.recursive(
        leaves.map(lambda leaf: [leaf]),
        lambda sub: st.one_of(
            st.tuples(st.sampled_from(["&", "|"]), sub, sub).map(lambda t: [t[0], *t[1], *t[2]]),
            sub.map(lambda d: ["!", *d]),
        ),
        max_leaves=max_leaves,
    )
    # top-level parts are joined by the implicit '&'
    return st.lists(trees, min_size=1, max_size=3).map(lambda parts: [x for part in parts for x in part])


item_domains = _combined(item_terms(), max_leaves=6)


# ---------------------------------------------------------------- the property
def _check(model, domain):
    found = model.search(domain)
    if mentions_field(parse(domain), model._active_name or "active"):
        model = model.with_context(active_test=False)
    kept = model.search([]).filtered_domain(domain)
    assert found.ids == kept.ids, f"search and filtered_domain disagree on {domain!r}"


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(domain=item_domains)
def test_search_agrees_with_filtered_domain(prop_env, domain):
    _check(prop_env["tdom.prop.item"], domain)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(domain=_combined(line_terms(), max_leaves=5))
def test_search_agrees_with_filtered_domain_on_archivable_model(prop_env, domain):
    _check(prop_env["tdom.prop.line"], domain)


def test_seed_data_has_nulls_and_archived_records(prop_env):
    Item = prop_env["tdom.prop.item"]
    assert Item.search_count([]) == 30
    for name in ("name", "size", "ratio", "day", "moment", "kind", "parent_id", "tag_id", "tag_ids"):
        assert Item.search_count([(name, "=", False)]), f"no item without {name}"
    table = prop_env.registry.tables["tdom.prop.item"]
    assert prop_env.cr.execute(sa.select(sa.func.count()).where(table.c.flag.is_(None))).scalar() >= 5
    tags = prop_env["tdom.prop.tag"].with_context(active_test=False)
    assert tags.search_count([("active", "=", False)]) == 2
