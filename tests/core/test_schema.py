"""Schema synchronisation (core/db/schema.py and the engine settings of core/db/engine.py).

Everything is read back from the real database with SQLAlchemy's inspector (or the
catalogue where the inspector cannot see): tables, columns, NOT NULL, foreign keys with
their ON DELETE, indexes, unique and check constraints, many2many relation tables, what a
model change does to an existing database, and which module owns each table and column.
"""
import logging
import os
import types

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from core import api, fields, models
from core.api import SUPERUSER_ID, Environment
from core.db import create_engine
from core.db.schema import OWNER_TABLE
from core.exceptions import ValidationError
from core.registry import Registry

BACKEND = os.environ.get("TESSERA_TEST_DB") or "sqlite"
sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite only (TESSERA_TEST_DB=sqlite)")
THIS_MODULE = __name__                          # "tests.core.test_schema": the owner of the models below


# ---------------------------------------------------------------- models of this module
class Tag(models.Model):
    _name = "tschema.tag"
    _description = "Tag"

    name = fields.Char(required=True)
    code = fields.Char()

    _sql_constraints = [("code_unique", "unique(code)", "Tag codes must be unique.")]


class Thing(models.Model):
    _name = "tschema.thing"
    _description = "Thing"

    name = fields.Char(required=True, index=True)
    ref = fields.Char(index="trigram")
    note = fields.Char(index="btree_not_null")
    qty = fields.Integer()
    flag = fields.Boolean(required=True)            # a boolean stores False, never NULL: nullable
    total = fields.Float(compute="_compute_total", store=True, required=True)  # computed: nullable
    tag_id = fields.Many2one("tschema.tag", ondelete="cascade")
    main_tag_id = fields.Many2one("tschema.tag", required=True)    # required: RESTRICT by default
    parent_id = fields.Many2one("tschema.thing")                    # SET NULL by default
    tag_ids = fields.Many2many("tschema.tag")
    label_ids = fields.Many2many("tschema.tag", relation="tschema_thing_label",
                                 column1="thing_id", column2="label_id")
    child_ids = fields.One2many("tschema.thing", "parent_id")
    tag_code = fields.Char(related="tag_id.code")

    _sql_constraints = [
        ("qty_positive", "check(qty >= 0)", "The quantity cannot be negative."),
        ("name_tag_unique", "unique(name, tag_id)", "One thing of a name per tag."),
    ]

    @api.depends("qty")
    def _compute_total(self):
        for thing in self:
            thing.total = thing.qty * 2.0


class Mixin(models.AbstractModel):
    _name = "tschema.mixin"
    _description = "A mixin has no table"

    mixed = fields.Char()


class Mixed(models.Model):
    _name = "tschema.mixed"
    _inherit = ["tschema.mixin"]
    _description = "Uses the mixin"


SCHEMA_MODELS = [Tag, Thing, Mixin, Mixed]

# An extension of tschema.thing written in another Python module, the way an addon
# extends another addon's model: its columns belong to that module.
EXTENSION_MODULE = "tests.core.tschema_extension"
EXTENSION_SOURCE = '''
from core import fields, models


class Thing(models.Model):
    _inherit = "tschema.thing"

    extra = fields.Char()
    name = fields.Char(string="Label")                 # redefined: still owned by its creator
    extra_tag_ids = fields.Many2many("tschema.tag", relation="tschema_thing_extra_rel",
                                     column1="thing_id", column2="tag_id")


class Gadget(models.Model):
    _name = "tschema.gadget"
    _description = "A model of the extension module"

    thing_id = fields.Many2one("tschema.thing", ondelete="cascade")
'''


def load_python_module(name, source):
    """A real Python module named ``name`` whose classes are defined by ``source``."""
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


extension = load_python_module(EXTENSION_MODULE, EXTENSION_SOURCE)
EXTENSION_MODELS = [extension.Thing, extension.Gadget]


# ---------------------------------------------------------------- helpers
@pytest.fixture
def make_registry(db_uri):
    """Build registries on the test database; their engines are disposed of at the end."""
    registries = []

    def make(definitions, engine=None):
        registry = Registry.new(db_uri, definitions, engine=engine)
        registries.append(registry)
        return registry

    yield make
    for registry in registries:
        registry.engine.dispose()


@pytest.fixture
def schema_registry(make_registry):
    return make_registry(SCHEMA_MODELS)


def inspector(registry):
    return sa.inspect(registry.engine)


def columns_of(registry, table):
    return {c["name"]: c for c in inspector(registry).get_columns(table)}


def foreign_keys_of(registry, table):
    """{column: (referred table, referred column, ON DELETE)} as the inspector reads them."""
    result = {}
    for fk in inspector(registry).get_foreign_keys(table):
        (column,), (referred,) = fk["constrained_columns"], fk["referred_columns"]
        result[column] = (fk["referred_table"], referred, fk["options"].get("ondelete"))
    return result


def sqlite_foreign_keys(registry, table):
    """SQLite's own view of the keys: the inspector cannot parse keys declared by ADD COLUMN."""
    with registry.engine.connect() as conn:
        rows = conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').all()
    return {row[3]: (row[2], row[4], row[6]) for row in rows}


def indexes_of(registry, table):
    return {i["name"]: i for i in inspector(registry).get_indexes(table)}


def owners(registry):
    with registry.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT table_name, column_name, module FROM {OWNER_TABLE}")).all()
    return {(table, column): module for table, column, module in rows}


def pg_index_definition(registry, name):
    with registry.engine.connect() as conn:
        return conn.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                            {"n": name}).scalar_one()


def pg_has_trigram(registry):
    with registry.engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")).scalar())


class DDLRecorder:
    """Collects the schema-changing statements an engine executes."""

    def __init__(self, engine):
        self.statements = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        words = statement.split()
        if not words or words[0].upper() not in ("CREATE", "ALTER", "DROP"):
            return
        if statement.upper().startswith("CREATE EXTENSION IF NOT EXISTS"):
            return  # the registry makes sure pg_trgm is there on every start: a no-op when it is
        self.statements.append(statement)


# ---------------------------------------------------------------- the shared ORM test models
# (other test modules extend tests/core/orm_models.py: these tests check what is there,
# the exact sets are checked on the models of this module further down)
def test_one_table_per_stored_model_plus_relations(registry):
    tables = set(inspector(registry).get_table_names())
    assert {"test_category", "test_country", "test_partner", "test_user", "test_order",
            "test_order_line", "test_category_test_partner_rel", OWNER_TABLE} <= tables
    assert registry.tables["test.partner"].name == "test_partner"
    assert registry.tables["test_category_test_partner_rel"].name == "test_category_test_partner_rel"


def test_columns_are_the_stored_fields(registry):
    partner = columns_of(registry, "test_partner")
    assert {"id", "name", "website", "city", "active", "is_company", "color", "credit_limit",
            "birthday", "last_seen", "kind", "parent_id", "country_id", "notes", "data", "picture",
            "parent_path", "create_uid", "create_date", "write_uid", "write_date"} <= set(partner)
    # not stored: computed, related, one2many, many2many
    assert {"display_name", "country_code", "child_ids", "user_ids", "category_ids"}.isdisjoint(partner)
    user = columns_of(registry, "test_user")
    assert {"partner_id", "login"} <= set(user)
    assert {"name", "city", "parent_path"}.isdisjoint(user)     # delegated: in test_partner only
    order = columns_of(registry, "test_order")
    assert "amount_total" in order and "partner_city" in order   # stored compute / related
    assert "line_count" not in order and "line_ids" not in order

    types_ = {name: info["type"] for name, info in partner.items()}
    assert isinstance(types_["id"], sa.Integer)
    assert isinstance(types_["name"], sa.String)
    assert isinstance(types_["active"], sa.Boolean)
    assert isinstance(types_["color"], sa.Integer)
    assert isinstance(types_["credit_limit"], sa.Float)
    assert isinstance(types_["birthday"], sa.Date)
    assert isinstance(types_["last_seen"], sa.DateTime)
    assert isinstance(types_["notes"], sa.Text)
    assert isinstance(types_["picture"], sa.LargeBinary)
    assert isinstance(types_["data"], sa.JSON)
    # a translated Char keeps every language in one JSON column
    assert isinstance(columns_of(registry, "test_category")["name"]["type"], sa.JSON)
    assert inspector(registry).get_pk_constraint("test_partner")["constrained_columns"] == ["id"]


def test_required_stored_fields_are_not_null(registry):
    for table, column in [("test_category", "name"), ("test_country", "name"),
                          ("test_partner", "name"), ("test_user", "partner_id"),
                          ("test_user", "login"), ("test_order", "partner_id"),
                          ("test_order_line", "order_id")]:
        assert columns_of(registry, table)[column]["nullable"] is False, (table, column)
    for table, column in [("test_partner", "city"), ("test_partner", "parent_id"),
                          ("test_order", "amount_total"), ("test_order", "name")]:
        assert columns_of(registry, table)[column]["nullable"] is True, (table, column)


def test_foreign_keys_carry_on_delete(registry):
    partner = foreign_keys_of(registry, "test_partner")
    assert partner["parent_id"] == ("test_partner", "id", "CASCADE")
    assert partner["country_id"] == ("test_country", "id", "SET NULL")
    assert foreign_keys_of(registry, "test_user")["partner_id"] == ("test_partner", "id", "CASCADE")
    assert foreign_keys_of(registry, "test_order")["partner_id"] == ("test_partner", "id", "RESTRICT")
    assert foreign_keys_of(registry, "test_order_line")["order_id"] == ("test_order", "id", "CASCADE")
    names = {fk["name"] for fk in inspector(registry).get_foreign_keys("test_partner")}
    assert {"test_partner_parent_id_fkey", "test_partner_country_id_fkey"} <= names


def test_foreign_keys_are_enforced(registry):
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        country = env["test.country"].create({"name": "Wonderland", "code": "WL"})
        parent = env["test.partner"].create({"name": "Parent", "country_id": country.id})
        child = env["test.partner"].create({"name": "Child", "parent_id": parent.id})
        order = env["test.order"].create({"partner_id": child.id})
        with pytest.raises(ValidationError), cr.savepoint():
            child.unlink()                                  # RESTRICT from test_order
        order.unlink()
        country.unlink()                                    # SET NULL
        assert parent.country_id.id is False
        parent.unlink()                                     # CASCADE to the child
        assert not child.exists()
        with pytest.raises(sa.exc.IntegrityError), cr.savepoint():
            # no such partner: the key refuses it on both databases
            cr.execute(sa.insert(registry.tables["test.order"]).values(partner_id=999999))


def test_indexes(registry):
    partner = indexes_of(registry, "test_partner")
    assert partner["test_partner_name_index"]["column_names"] == ["name"]
    assert partner["test_partner_parent_path_index"]["column_names"] == ["parent_path"]  # _parent_store
    assert not partner["test_partner_name_index"]["unique"]
    assert "test_partner_city_index" not in partner


def test_unique_and_check_constraints(registry):
    uniques = {u["name"]: u["column_names"] for u in inspector(registry).get_unique_constraints("test_user")}
    assert uniques["test_user_login_unique"] == ["login"]
    checks = {c["name"]: c["sqltext"] for c in inspector(registry).get_check_constraints("test_partner")}
    assert checks["test_partner_color_positive"].replace("(", "").replace(")", "") == "color >= 0"


def test_many2many_relation_table(registry):
    name = "test_category_test_partner_rel"
    columns = columns_of(registry, name)
    assert set(columns) == {"test_partner_id", "test_category_id"}
    assert not any(info["nullable"] for info in columns.values())
    assert sorted(inspector(registry).get_pk_constraint(name)["constrained_columns"]) == \
        ["test_category_id", "test_partner_id"]
    assert foreign_keys_of(registry, name) == {
        "test_partner_id": ("test_partner", "id", "CASCADE"),
        "test_category_id": ("test_category", "id", "CASCADE"),
    }
    # the primary key serves lookups by its first column, an index those by the second
    leading = inspector(registry).get_pk_constraint(name)["constrained_columns"][0]
    other = ({"test_partner_id", "test_category_id"} - {leading}).pop()
    indexes = indexes_of(registry, name)
    assert indexes[f"{name}_{other}_index"]["column_names"] == [other]


def test_every_table_and_column_is_owned_by_the_defining_module(registry):
    recorded = owners(registry)
    assert set(recorded.values()) == {"tests.core.orm_models"}
    for table in ("test_category", "test_country", "test_partner", "test_user", "test_order",
                  "test_order_line", "test_category_test_partner_rel"):
        assert recorded[(table, "")] == "tests.core.orm_models"
    for table in ("test_partner", "test_user", "test_order"):
        for column in columns_of(registry, table):
            if column != "id":
                assert (table, column) in recorded, (table, column)
    assert ("test_partner", "id") not in recorded


# ---------------------------------------------------------------- models of this module
def test_abstract_models_have_no_table(schema_registry):
    tables = set(inspector(schema_registry).get_table_names())
    assert "tschema_mixin" not in tables
    assert "mixed" in columns_of(schema_registry, "tschema_mixed")   # mixed in: a column of its own


def test_exact_tables_and_columns(schema_registry):
    assert set(inspector(schema_registry).get_table_names()) == {
        OWNER_TABLE, "tessera_signal", "login_throttle", "tschema_tag", "tschema_thing", "tschema_mixed",
        "tschema_tag_tschema_thing_rel", "tschema_thing_label",
    }
    magic = {"id", "create_uid", "create_date", "write_uid", "write_date"}
    assert set(columns_of(schema_registry, "tschema_thing")) == magic | {
        "name", "ref", "note", "qty", "flag", "total", "tag_id", "main_tag_id", "parent_id"}
    assert set(columns_of(schema_registry, "tschema_tag")) == magic | {"name", "code"}
    assert set(indexes_of(schema_registry, "tschema_thing")) == {
        "tschema_thing_name_index", "tschema_thing_ref_index", "tschema_thing_note_index"} | (
        # PostgreSQL backs a unique constraint with an index of the same name
        {"tschema_thing_name_tag_unique"} if BACKEND == "postgresql" else set())


def test_nullable_rules(schema_registry):
    thing = columns_of(schema_registry, "tschema_thing")
    assert {name for name, info in thing.items() if not info["nullable"]} == {"id", "name", "main_tag_id"}
    assert not thing["name"]["nullable"]
    assert not thing["main_tag_id"]["nullable"]
    assert thing["flag"]["nullable"]          # required boolean: False is a value, NULL is never written
    assert thing["total"]["nullable"]         # required computed: filled after the INSERT
    assert thing["ref"]["nullable"] and thing["tag_id"]["nullable"]
    assert {"child_ids", "tag_code", "tag_ids", "label_ids", "display_name"}.isdisjoint(thing)


def test_many2one_on_delete_defaults(schema_registry):
    assert foreign_keys_of(schema_registry, "tschema_thing") == {
        "tag_id": ("tschema_tag", "id", "CASCADE"),
        "main_tag_id": ("tschema_tag", "id", "RESTRICT"),   # required without ondelete
        "parent_id": ("tschema_thing", "id", "SET NULL"),   # the default
    }


def test_index_kinds(schema_registry):
    indexes = indexes_of(schema_registry, "tschema_thing")
    assert indexes["tschema_thing_name_index"]["column_names"] == ["name"]
    note = indexes["tschema_thing_note_index"]
    assert note["column_names"] == ["note"]
    if BACKEND == "postgresql":
        assert note["dialect_options"]["postgresql_where"] == "(note IS NOT NULL)"
    else:
        assert str(note["dialect_options"]["sqlite_where"]).lower() == "note is not null"
    assert "tschema_thing_ref_index" in indexes


def test_trigram_index(schema_registry):
    index = indexes_of(schema_registry, "tschema_thing")["tschema_thing_ref_index"]
    assert index["column_names"] == ["ref"]
    if BACKEND == "sqlite":
        assert index["dialect_options"] == {}
        return
    definition = pg_index_definition(schema_registry, "tschema_thing_ref_index")
    if pg_has_trigram(schema_registry):
        assert schema_registry.has_trigram
        assert "USING gin (ref gin_trgm_ops)" in definition
    else:  # the extension cannot be installed on this server: a btree does the job
        assert not schema_registry.has_trigram
        assert "USING btree (ref)" in definition


@pytest.mark.postgresql
def test_trigram_falls_back_to_btree_without_pg_trgm(db_uri):
    class NoTrigramRegistry(Registry):
        """A server where CREATE EXTENSION pg_trgm fails."""

        def _ensure_trigram(self):
            return False

    registry = NoTrigramRegistry.new(db_uri, SCHEMA_MODELS)
    try:
        definition = pg_index_definition(registry, "tschema_thing_ref_index")
        assert "USING btree (ref)" in definition and "gin" not in definition
    finally:
        registry.engine.dispose()


def test_unique_and_check_constraints_of_this_module(schema_registry):
    uniques = {u["name"]: u["column_names"] for u in inspector(schema_registry).get_unique_constraints("tschema_thing")}
    assert uniques == {"tschema_thing_name_tag_unique": ["name", "tag_id"]}
    checks = {c["name"] for c in inspector(schema_registry).get_check_constraints("tschema_thing")}
    assert checks == {"tschema_thing_qty_positive"}
    assert {u["name"] for u in inspector(schema_registry).get_unique_constraints("tschema_tag")} == \
        {"tschema_tag_code_unique"}


def test_many2many_with_explicit_relation(schema_registry):
    default = "tschema_tag_tschema_thing_rel"
    assert set(columns_of(schema_registry, default)) == {"tschema_thing_id", "tschema_tag_id"}
    assert foreign_keys_of(schema_registry, "tschema_thing_label") == {
        "thing_id": ("tschema_thing", "id", "CASCADE"),
        "label_id": ("tschema_tag", "id", "CASCADE"),
    }
    assert "tschema_thing_label_label_id_index" in indexes_of(schema_registry, "tschema_thing_label")


class CycleA(models.Model):
    _name = "tschema.cycle.a"
    _description = "Refers to B"

    b_id = fields.Many2one("tschema.cycle.b")


class CycleB(models.Model):
    _name = "tschema.cycle.b"
    _description = "Refers to A"

    a_id = fields.Many2one("tschema.cycle.a", ondelete="cascade")


def test_models_referring_to_each_other(make_registry):
    # res.partner <-> res.company, and every table -> res_users through create_uid: cycles
    # are the rule, and PostgreSQL checks the target of a foreign key when it is declared
    registry = make_registry([CycleA, CycleB])
    assert foreign_keys_of(registry, "tschema_cycle_a") == {"b_id": ("tschema_cycle_b", "id", "SET NULL")}
    assert foreign_keys_of(registry, "tschema_cycle_b") == {"a_id": ("tschema_cycle_a", "id", "CASCADE")}
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        a = env["tschema.cycle.a"].create({})
        b = env["tschema.cycle.b"].create({"a_id": a.id})
        a.b_id = b
        a.unlink()
        assert not b.exists()


# ---------------------------------------------------------------- ownership
def test_extension_columns_are_owned_by_the_extension_module(make_registry):
    registry = make_registry(SCHEMA_MODELS + EXTENSION_MODELS)
    recorded = owners(registry)
    assert recorded[("tschema_thing", "")] == THIS_MODULE
    assert recorded[("tschema_thing", "name")] == THIS_MODULE          # redefined elsewhere
    assert recorded[("tschema_thing", "create_uid")] == THIS_MODULE    # magic columns: the model's
    assert recorded[("tschema_thing", "extra")] == EXTENSION_MODULE
    assert recorded[("tschema_thing_extra_rel", "")] == EXTENSION_MODULE
    assert recorded[("tschema_gadget", "")] == EXTENSION_MODULE
    assert recorded[("tschema_gadget", "thing_id")] == EXTENSION_MODULE
    assert recorded[("tschema_tag_tschema_thing_rel", "")] == THIS_MODULE
    assert {m for (t, _c), m in recorded.items() if t == "tschema_tag"} == {THIS_MODULE}
    assert columns_of(registry, "tschema_thing")["name"]["nullable"] is False


def test_extension_installed_later_owns_what_it_adds(make_registry):
    before = make_registry(SCHEMA_MODELS)
    first = owners(before)
    after = make_registry(SCHEMA_MODELS + EXTENSION_MODELS)
    recorded = owners(after)
    added = {key: module for key, module in recorded.items() if key not in first}
    assert added == {
        ("tschema_thing", "extra"): EXTENSION_MODULE,
        ("tschema_thing_extra_rel", ""): EXTENSION_MODULE,
        ("tschema_gadget", ""): EXTENSION_MODULE,
        ("tschema_gadget", "thing_id"): EXTENSION_MODULE,
        ("tschema_gadget", "create_uid"): EXTENSION_MODULE,
        ("tschema_gadget", "create_date"): EXTENSION_MODULE,
        ("tschema_gadget", "write_uid"): EXTENSION_MODULE,
        ("tschema_gadget", "write_date"): EXTENSION_MODULE,
    }
    assert {key: recorded[key] for key in first} == first      # nothing re-attributed
    assert "extra" in columns_of(after, "tschema_thing")
    assert foreign_keys_of(after, "tschema_gadget") == {"thing_id": ("tschema_thing", "id", "CASCADE")}


# ---------------------------------------------------------------- running sync again
def test_second_sync_is_a_no_op(schema_registry):
    before = owners(schema_registry)
    recorder = DDLRecorder(schema_registry.engine)
    assert schema_registry.sync_schema() == []
    assert recorder.statements == []
    assert owners(schema_registry) == before


def test_second_sync_of_the_shared_models_is_a_no_op(registry):
    # every field type of tests/core/orm_models.py: no type reads back as "changed"
    before = owners(registry)
    recorder = DDLRecorder(registry.engine)
    assert registry.sync_schema() == []
    assert recorder.statements == []
    assert owners(registry) == before


def test_new_registry_on_a_synced_database_is_a_no_op(db_uri, make_registry):
    first = make_registry(SCHEMA_MODELS + EXTENSION_MODELS)
    before = owners(first)
    engine = create_engine(db_uri)
    recorder = DDLRecorder(engine)
    second = make_registry(SCHEMA_MODELS + EXTENSION_MODELS, engine=engine)
    assert recorder.statements == []
    assert second.sync_schema() == []
    assert recorder.statements == []
    assert owners(second) == before


# ---------------------------------------------------------------- model changes
class ChangeV1(models.Model):
    _name = "tschema.change"
    _description = "A model that the next version changes"

    name = fields.Char()
    code = fields.Char()
    label = fields.Char()
    tag_id = fields.Many2one("tschema.tag")                     # SET NULL
    ref = fields.Integer()


class ChangeV2(models.Model):
    _name = "tschema.change"
    _description = "The next version"

    name = fields.Char(required=True)                           # now required
    code = fields.Integer()                                     # was a Char
    label = fields.Char(required=True)                          # required, but rows lack it
    tag_id = fields.Many2one("tschema.tag", ondelete="cascade")  # was SET NULL
    note = fields.Char(index=True)                              # new, indexed
    weight = fields.Integer(required=True)                      # new and required, table has rows
    owner_id = fields.Many2one("tschema.tag", ondelete="restrict")  # new many2one
    tag_ids = fields.Many2many("tschema.tag")                   # new relation table
    ref = fields.Many2one("tschema.tag")                        # was an Integer: now a key

    _sql_constraints = [
        ("code_unique", "unique(code)", "Codes are unique."),
        ("weight_positive", "check(weight > 0)", "Weights are positive."),
    ]


def _fill_v1(registry):
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        tag = env["tschema.tag"].create({"name": "T"})
        env["tschema.change"].create([
            {"name": "first", "code": "42", "label": "one", "tag_id": tag.id},
            {"name": "second", "code": "7", "tag_id": tag.id},
        ])


def test_model_change_adds_columns_and_keeps_data(make_registry, caplog):
    v1 = make_registry([Tag, ChangeV1])
    _fill_v1(v1)
    caplog.set_level(logging.WARNING, logger="core.db.schema")
    v2 = make_registry([Tag, ChangeV2])

    columns = columns_of(v2, "tschema_change")
    assert {"note", "weight", "owner_id"} <= set(columns)
    # rows exist: the required column is added nullable, and the log says so
    assert columns["weight"]["nullable"]
    assert "tschema_change.weight is required but the table has rows" in caplog.text
    assert indexes_of(v2, "tschema_change")["tschema_change_note_index"]["column_names"] == ["note"]
    assert set(columns_of(v2, "tschema_change_tschema_tag_rel")) == {"tschema_change_id", "tschema_tag_id"}
    if BACKEND == "postgresql":
        assert foreign_keys_of(v2, "tschema_change")["owner_id"] == ("tschema_tag", "id", "RESTRICT")
    else:  # declared with ADD COLUMN, which SQLAlchemy's SQLite inspector cannot parse
        assert sqlite_foreign_keys(v2, "tschema_change")["owner_id"] == ("tschema_tag", "id", "RESTRICT")

    with v2.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, label, note, weight FROM tschema_change ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("first", "one", None, None), ("second", None, None, None)]

    with v2.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        first = env["tschema.change"].search([("name", "=", "first")])
        tag = env["tschema.tag"].create({"name": "Owner"})
        first.write({"note": "noted", "weight": 3, "owner_id": tag.id, "tag_ids": [(6, 0, tag.ids)]})
        assert first.tag_ids == tag
        with pytest.raises(ValidationError), cr.savepoint():
            tag.unlink()                                    # owner_id is RESTRICT
    with v2.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        first = env["tschema.change"].search([("name", "=", "first")])
        assert (first.note, first.weight, first.owner_id.name) == ("noted", 3, "Owner")


def test_model_change_adds_constraints_to_existing_tables(make_registry, caplog):
    v1 = make_registry([Tag, ChangeV1])
    _fill_v1(v1)
    caplog.set_level(logging.WARNING, logger="core.db.schema")
    v2 = make_registry([Tag, ChangeV2])
    with v2.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["tschema.change"].create({"name": "third", "code": 100, "label": "x", "weight": 1})
        with pytest.raises(ValidationError, match="Codes are unique."), cr.savepoint():
            env["tschema.change"].create({"name": "fourth", "code": 100, "label": "x", "weight": 1})
    if BACKEND == "postgresql":
        uniques = {u["name"] for u in inspector(v2).get_unique_constraints("tschema_change")}
        checks = {c["name"] for c in inspector(v2).get_check_constraints("tschema_change")}
        assert uniques == {"tschema_change_code_unique"}
        # rows without weight are NULL, which a check accepts
        assert checks == {"tschema_change_weight_positive"}
        with v2.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            with pytest.raises(ValidationError, match="Weights are positive."), cr.savepoint():
                env["tschema.change"].create({"name": "neg", "label": "x", "weight": -1})
    else:
        # SQLite cannot add constraints to a table: unique becomes a unique index of that name
        index = indexes_of(v2, "tschema_change")["tschema_change_code_unique"]
        assert index["unique"] and index["column_names"] == ["code"]
        assert "SQLite cannot add a check constraint" in caplog.text
    # and a further start neither adds them again nor fails
    recorder = DDLRecorder(v2.engine)
    assert v2.sync_schema() == []
    assert recorder.statements == []


@pytest.mark.postgresql
def test_model_change_alters_types_not_null_and_on_delete(make_registry, caplog):
    v1 = make_registry([Tag, ChangeV1])
    _fill_v1(v1)
    caplog.set_level(logging.WARNING, logger="core.db.schema")
    v2 = make_registry([Tag, ChangeV2])
    columns = columns_of(v2, "tschema_change")
    assert isinstance(columns["code"]["type"], sa.Integer)              # was VARCHAR
    assert not columns["name"]["nullable"]                             # every row has a name
    assert columns["label"]["nullable"]                                # one row has none
    assert "cannot make tschema_change.label required: 1 rows have no value" in caplog.text
    assert foreign_keys_of(v2, "tschema_change")["tag_id"] == ("tschema_tag", "id", "CASCADE")
    with v2.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        changes = env["tschema.change"].search([], order="id")
        assert changes.mapped("code") == [42, 7]                       # converted, not lost
        env["tschema.tag"].search([]).unlink()                         # CASCADE now
        assert not changes.exists()


@pytest.mark.postgresql
def test_values_that_do_not_convert_are_moved_aside(make_registry, caplog):
    v1 = make_registry([Tag, ChangeV1])
    with v1.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["tschema.change"].create([
            {"name": "a", "code": "12"}, {"name": "b", "code": "twelve"}])
    caplog.set_level(logging.WARNING, logger="core.db.schema")
    v2 = make_registry([Tag, ChangeV2])               # code: Char -> Integer
    assert "cannot convert tschema_change.code to INTEGER" in caplog.text
    columns = columns_of(v2, "tschema_change")
    assert isinstance(columns["code"]["type"], sa.Integer)
    assert isinstance(columns["code_moved0"]["type"], sa.String)
    with v2.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, code, code_moved0 FROM tschema_change ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("a", None, "12"), ("b", None, "twelve")]
    assert owners(v2)[("tschema_change", "code_moved0")] == THIS_MODULE
    recorder = DDLRecorder(v2.engine)
    assert v2.sync_schema() == []
    assert recorder.statements == []


def test_constraints_the_rows_break_are_reported_not_fatal(make_registry, caplog):
    v1 = make_registry([Tag, ChangeV1])
    with v1.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["tschema.change"].create([
            {"name": "a", "code": "1", "ref": 999999}, {"name": "b", "code": "1"}])
    caplog.set_level(logging.WARNING, logger="core.db.schema")
    v2 = make_registry([Tag, ChangeV2])                 # unique(code) and a key on ref
    assert "cannot add constraint tschema_change_code_unique on tschema_change" in caplog.text
    if BACKEND == "postgresql":
        assert "cannot add foreign key tschema_change_ref_fkey on tschema_change" in caplog.text
        assert "ref" not in foreign_keys_of(v2, "tschema_change")
    else:
        assert "foreign key of tschema_change.ref should be tschema_tag ON DELETE SET NULL, " \
               "it is missing" in caplog.text
    assert "tschema_change_code_unique" not in indexes_of(v2, "tschema_change")
    with v2.cursor() as cr:                             # the registry works, the data is there
        changes = Environment(cr, SUPERUSER_ID, {})["tschema.change"].search([], order="id")
        assert changes.mapped("name") == ["a", "b"]


class ChangeTranslated(models.Model):
    _name = "tschema.change"
    _description = "The name becomes translatable"

    name = fields.Char(translate=True)
    code = fields.Char()
    label = fields.Char()
    tag_id = fields.Many2one("tschema.tag")


@pytest.mark.postgresql
def test_char_becoming_translated_keeps_its_values(make_registry):
    v1 = make_registry([Tag, ChangeV1])
    with v1.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["tschema.change"].create([{"name": "Chair"}, {}])
    translated = make_registry([Tag, ChangeTranslated])
    assert isinstance(columns_of(translated, "tschema_change")["name"]["type"], sa.JSON)
    with translated.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        chair, nothing = env["tschema.change"].search([], order="id")
        assert (chair.name, nothing.name) == ("Chair", False)
        chair.with_context(lang="de_DE").name = "Stuhl"
        assert chair.with_context(lang="de_DE").name == "Stuhl"
    plain = make_registry([Tag, ChangeV1])             # and back: the English value stays
    assert isinstance(columns_of(plain, "tschema_change")["name"]["type"], sa.String)
    with plain.cursor() as cr:
        names = Environment(cr, SUPERUSER_ID, {})["tschema.change"].search([], order="id").mapped("name")
        assert names == ["Chair", False]


@sqlite_only
def test_model_change_on_sqlite_keeps_what_it_cannot_alter(make_registry, caplog):
    v1 = make_registry([Tag, ChangeV1])
    _fill_v1(v1)
    caplog.set_level(logging.WARNING, logger="core.db.schema")
    v2 = make_registry([Tag, ChangeV2])
    columns = columns_of(v2, "tschema_change")
    # SQLite cannot alter a column: the declared type and NULL-ability stay, the data too
    assert isinstance(columns["code"]["type"], sa.String) and columns["name"]["nullable"]
    assert sqlite_foreign_keys(v2, "tschema_change")["tag_id"] == ("tschema_tag", "id", "SET NULL")
    assert "foreign key of tschema_change.tag_id should be tschema_tag ON DELETE CASCADE, it is " \
           "tschema_tag ON DELETE SET NULL" in caplog.text
    with v2.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        # the ORM enforces what the column does not
        with pytest.raises(ValidationError, match="name"):
            env["tschema.change"].create({"code": 1, "label": "x", "weight": 1})


@pytest.mark.postgresql
def test_required_on_an_empty_table_is_not_null_at_once(make_registry):
    make_registry([Tag, ChangeV1])
    v2 = make_registry([Tag, ChangeV2])
    columns = columns_of(v2, "tschema_change")
    assert not columns["weight"]["nullable"] and not columns["label"]["nullable"]


# ---------------------------------------------------------------- engine settings
@sqlite_only
def test_sqlite_pragmas(registry):
    with registry.cursor() as cr:
        assert cr.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert cr.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert cr.execute(sa.text("PRAGMA busy_timeout")).scalar() == 10000
        assert cr.execute(sa.text("PRAGMA synchronous")).scalar() == 1          # NORMAL
        # case_sensitive_like cannot be read back: it shows in what LIKE does
        assert cr.execute(sa.text("SELECT 'abc' LIKE 'ABC', 'abc' LIKE 'abc'")).one() == (0, 1)
        # and lower() folds beyond ASCII, as PostgreSQL does
        assert cr.execute(sa.text("SELECT lower('ÄÖÜ É')")).scalar() == "äöü é"


@pytest.mark.postgresql
def test_postgresql_session_settings(registry):
    with registry.cursor() as cr:
        assert cr.execute(sa.text("SHOW transaction_isolation")).scalar() == "repeatable read"
        assert cr.execute(sa.text("SELECT 'abc' LIKE 'ABC'")).scalar() is False
