"""Schema synchronisation: from the final models to tables, columns and constraints.

Builds one SQLAlchemy ``Table`` per stored model into the registry's ``MetaData``
(plus relation tables of many2many fields), then brings the database in line:
creates missing tables, adds missing columns with their foreign keys, indexes and
unique / check constraints.  On PostgreSQL it also alters column types (values that do
not convert are moved aside to ``<column>_moved<N>``), NOT NULL and the ON DELETE of
foreign keys; SQLite cannot alter a table, so there those changes are left to the ORM's
own checks.  Every table and column it creates is recorded in ``ir_schema_owner`` with
the addon that declared it, so that uninstalling an addon can drop exactly what it owns
and nothing else.  It drops no table and no column itself.
"""
import hashlib
import logging
import re

import sqlalchemy as sa

_logger = logging.getLogger(__name__)

OWNER_TABLE = "ir_schema_owner"


def short_name(name, limit=63):
    """An identifier of at most ``limit`` characters (PostgreSQL's limit), stable."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:limit - 9]}_{digest}"


def owner_table(metadata):
    if OWNER_TABLE in metadata.tables:
        return metadata.tables[OWNER_TABLE]
    return sa.Table(
        OWNER_TABLE, metadata,
        sa.Column("table_name", sa.String, primary_key=True),
        sa.Column("column_name", sa.String, primary_key=True),  # '' for the table itself
        sa.Column("module", sa.String, nullable=False, index=True),
    )


SQL_CONSTRAINT = re.compile(r"^\s*(unique|check)\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


def build_tables(registry, dialect_name):
    """Fill ``registry.metadata`` with the tables of every stored model."""
    metadata = registry.metadata
    owner_table(metadata)
    owners = {}
    for name, model in registry.models.items():
        if model._abstract or not model._auto:
            continue
        table_name = model._table
        columns = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)]
        indexes = []
        for field in model._fields.values():
            if not field.column or field.name == "id" or field.inherited:
                continue
            args = []
            if field.type == "many2one":
                comodel = registry.models[field.comodel_name]
                # who created / changed a row is checked at commit: the first rows of a new
                # database are written before the superuser exists
                deferred = {"deferrable": True, "initially": "DEFERRED"} \
                    if field.name in ("create_uid", "write_uid") else {}
                args.append(sa.ForeignKey(f"{comodel._table}.id", ondelete=field.ondelete.upper(),
                                          name=short_name(f"{table_name}_{field.name}_fkey"), **deferred))
            nullable = not (field.required and not field.compute and field.type != "boolean")
            column = sa.Column(field.name, field.sql_type(dialect_name), *args, nullable=nullable,
                               info={"translate": bool(getattr(field, "translate", False))})
            columns.append(column)
            owners[(table_name, field.name)] = field.module or model._module
            kind = field.index
            if field.name == "parent_path":
                kind = kind or True
            if kind:
                indexes.append((field.name, kind))
        constraints = []
        for cname, definition, message in model._sql_constraints:
            match = SQL_CONSTRAINT.match(definition)
            if not match:
                raise ValueError(f"{name}: _sql_constraints {cname!r}: only 'unique(...)' and "
                                 f"'check(...)' are supported, got {definition!r}")
            full = short_name(f"{table_name}_{cname}")
            if match[1].lower() == "unique":
                cols = [c.strip() for c in match[2].split(",")]
                for col in cols:
                    if col not in model._fields or not model._fields[col].column:
                        raise ValueError(f"{name}: _sql_constraints {cname!r} names unknown column {col!r}")
                constraints.append(sa.UniqueConstraint(*cols, name=full))
            else:
                constraints.append(sa.CheckConstraint(match[2], name=full))
        table = sa.Table(table_name, metadata, *columns, *constraints)
        owners[(table_name, "")] = model._original_module
        for column_name, kind in indexes:
            index_name = short_name(f"{table_name}_{column_name}_index")
            column = table.c[column_name]
            if kind == "trigram" and dialect_name == "postgresql" and registry.has_trigram:
                sa.Index(index_name, column, postgresql_using="gin",
                         postgresql_ops={column_name: "gin_trgm_ops"})
            elif kind == "btree_not_null":
                sa.Index(index_name, column, postgresql_where=column.isnot(None),
                         sqlite_where=column.isnot(None))
            else:
                sa.Index(index_name, column)
    for name, model in registry.models.items():
        for field in model._fields.values():
            if field.type == "many2many" and field.store and not model._abstract \
                    and field.relation not in metadata.tables:
                comodel = registry.models[field.comodel_name]
                relation = sa.Table(
                    field.relation, metadata,
                    sa.Column(field.column1, sa.Integer, sa.ForeignKey(
                        f"{model._table}.id", ondelete="CASCADE",
                        name=short_name(f"{field.relation}_{field.column1}_fkey")), primary_key=True),
                    sa.Column(field.column2, sa.Integer, sa.ForeignKey(
                        f"{comodel._table}.id", ondelete="CASCADE",
                        name=short_name(f"{field.relation}_{field.column2}_fkey")), primary_key=True),
                )
                sa.Index(short_name(f"{field.relation}_{field.column2}_index"), relation.c[field.column2])
                owners[(field.relation, "")] = field.module or model._module
    registry.tables = {name: metadata.tables[m._table] for name, m in registry.models.items()
                       if m._table in metadata.tables and not m._abstract}
    for name, model in registry.models.items():
        for field in model._fields.values():
            if field.type == "many2many" and field.store and field.relation in metadata.tables:
                registry.tables.setdefault(field.relation, metadata.tables[field.relation])
    return owners


def _same_type(existing, wanted, dialect_name):
    if dialect_name != "postgresql":
        return True  # SQLite columns take any type; nothing to alter
    a = existing.compile(dialect=sa.dialects.postgresql.dialect()).split("(")[0].upper()
    b = wanted.compile(dialect=sa.dialects.postgresql.dialect()).split("(")[0].upper()
    aliases = {"VARCHAR": "VARCHAR", "CHARACTER VARYING": "VARCHAR", "DOUBLE PRECISION": "FLOAT",
               "FLOAT": "FLOAT", "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP", "TIMESTAMP": "TIMESTAMP"}
    return aliases.get(a, a) == aliases.get(b, b)


def sync(registry, connection, owners):
    """Create or alter the database schema to match ``registry.metadata``."""
    dialect_name = connection.dialect.name
    inspector = sa.inspect(connection)
    existing_tables = set(inspector.get_table_names())
    metadata = registry.metadata
    owner = metadata.tables[OWNER_TABLE]
    if OWNER_TABLE not in existing_tables:
        owner.create(connection)
        existing_tables.add(OWNER_TABLE)
    known = {(r.table_name, r.column_name) for r in connection.execute(sa.select(owner))}
    created = []
    # Models refer to each other in cycles (partner -> company -> partner, and every table
    # -> res_users through create_uid), so there is no order in which to create tables with
    # their foreign keys.  PostgreSQL checks the target of a foreign key when it is declared:
    # tables are created without them and the keys are added once every table exists.
    # SQLite only checks when rows are written, so it gets them inline.
    ordered = sorted((t for t in metadata.tables.values() if t.name != OWNER_TABLE),
                     key=lambda t: t.name)
    new_tables = set()
    for table in ordered:
        if table.name not in existing_tables:
            fkeys = None if dialect_name == "sqlite" else []
            connection.execute(sa.schema.CreateTable(table, include_foreign_key_constraints=fkeys))
            new_tables.add(table.name)
            created.append((table.name, ""))
            created.extend((table.name, c.name) for c in table.columns if c.name != "id"
                           and (table.name, c.name) in owners)
            continue
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        for column in table.columns:
            info = columns.get(column.name)
            if info is None:
                _add_column(connection, table, column)
                if (table.name, column.name) in owners:
                    created.append((table.name, column.name))
                continue
            if not _same_type(info["type"], column.type, dialect_name):
                moved = _alter_type(connection, table, column, info, set(columns))
                if moved:
                    # the old values stay, in a column of the same owner, for a person to look at
                    owners[(table.name, moved)] = owners.get((table.name, column.name))
                    created.append((table.name, moved))
                    _add_column(connection, table, column)
                    continue
            if dialect_name == "postgresql" and info["nullable"] != column.nullable and not column.primary_key:
                _set_nullable(connection, table, column)
        _sync_constraints(connection, inspector, table)
    for table in ordered:
        existing_indexes = set() if table.name in new_tables else \
            {i["name"] for i in inspector.get_indexes(table.name)}
        for index in sorted(table.indexes, key=lambda i: i.name):
            if index.name not in existing_indexes:
                index.create(connection)
        if dialect_name == "postgresql":
            _sync_foreign_keys(connection, inspector, table, table.name in new_tables)
        elif table.name not in new_tables:
            _check_sqlite_foreign_keys(connection, table)
    rows = [{"table_name": t, "column_name": c, "module": owners.get((t, c)) or owners.get((t, ""))}
            for t, c in dict.fromkeys(created) if (t, c) not in known]
    rows = [r for r in rows if r["module"]]
    if rows:
        connection.execute(sa.insert(owner), rows)
    return created


def _try_ddl(connection, failure, *statements):
    """Run DDL statements in a savepoint; log ``failure`` instead of raising when they fail.

    Adding a constraint to a table that holds rows breaking it must not stop the whole
    synchronisation (Odoo does the same): the data has to be fixed first.
    """
    try:
        with connection.begin_nested():
            for statement in statements:
                connection.execute(statement)
        return True
    except sa.exc.DBAPIError as exc:
        _logger.warning("%s: %s", failure, str(exc.orig).splitlines()[0])
        return False


def _sync_foreign_keys(connection, inspector, table, new):
    """PostgreSQL: add missing foreign keys, recreate those whose ON DELETE changed."""
    existing = {} if new else {fk["name"]: fk for fk in inspector.get_foreign_keys(table.name)}
    for constraint in sorted(table.foreign_key_constraints, key=lambda c: c.name):
        statements = [sa.schema.AddConstraint(constraint)]
        info = existing.get(constraint.name)
        if info is not None:
            if (info["options"].get("ondelete") or "NO ACTION") == (constraint.ondelete or "NO ACTION"):
                continue
            _logger.info("changing ON DELETE of %s to %s", constraint.name, constraint.ondelete)
            statements.insert(0, sa.schema.DropConstraint(constraint))
        _try_ddl(connection, f"cannot add foreign key {constraint.name} on {table.name}", *statements)


def _check_sqlite_foreign_keys(connection, table):
    """SQLite: report the foreign keys of existing columns that differ from the fields."""
    rows = connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table.name}")').all()
    present = {row[3]: (row[2], row[6]) for row in rows}      # column -> (table, on delete)
    for constraint in table.foreign_key_constraints:
        (element,) = constraint.elements
        wanted = (element.column.table.name, constraint.ondelete or "NO ACTION")
        found = present.get(element.parent.name)
        if found != wanted:
            _logger.warning("foreign key of %s.%s should be %s ON DELETE %s, it is %s: SQLite "
                            "cannot alter the constraints of an existing table", table.name,
                            element.parent.name, wanted[0], wanted[1],
                            "missing" if found is None else f"{found[0]} ON DELETE {found[1]}")


def _sync_constraints(connection, inspector, table):
    """Add the unique and check constraints an existing table lacks.

    SQLite cannot add a constraint to an existing table: a unique constraint becomes a
    unique index of the same name (same effect, same error), a check constraint is only
    reported.
    """
    wanted = [c for c in table.constraints if isinstance(c, (sa.UniqueConstraint, sa.CheckConstraint))
              and c.name]
    if not wanted:
        return
    present = {c["name"] for c in inspector.get_unique_constraints(table.name)}
    present |= {c["name"] for c in inspector.get_check_constraints(table.name)}
    present |= {i["name"] for i in inspector.get_indexes(table.name)}
    for constraint in sorted(wanted, key=lambda c: c.name):
        if constraint.name in present:
            continue
        failure = f"cannot add constraint {constraint.name} on {table.name}"
        if connection.dialect.name == "postgresql":
            _try_ddl(connection, failure, sa.schema.AddConstraint(constraint))
        elif isinstance(constraint, sa.UniqueConstraint):
            preparer = connection.dialect.identifier_preparer
            columns = ", ".join(preparer.quote(c.name) for c in constraint.columns)
            _try_ddl(connection, failure, sa.text(
                f"CREATE UNIQUE INDEX {preparer.quote(constraint.name)} "
                f"ON {preparer.format_table(table)} ({columns})"))
        else:
            _logger.warning("%s: SQLite cannot add a check constraint to an existing table",
                            failure)


def _alter_type(connection, table, column, info, existing_columns):
    """PostgreSQL: convert a column to the type of its field, keeping the values.

    A Char that becomes translated keeps its value as the English one, and the other way
    round.  When the values do not convert (``'abc'`` to an integer), the old column is
    renamed ``<name>_moved<N>`` and the caller adds a fresh one, as Odoo does: the data
    is kept and the registry starts.  Returns the name of the moved column, if any.
    """
    preparer = connection.dialect.identifier_preparer
    quoted, table_name = preparer.quote(column.name), preparer.format_table(table)
    new_type = column.type.compile(dialect=connection.dialect)
    was_json, is_json = isinstance(info["type"], sa.JSON), isinstance(column.type, sa.JSON)
    if is_json and not was_json and column.info.get("translate"):
        using = f"CASE WHEN {quoted} IS NOT NULL THEN jsonb_build_object('en_US', {quoted}) END"
    elif was_json and not is_json:
        using = (f"CASE WHEN jsonb_typeof({quoted}::jsonb) = 'object' THEN {quoted}::jsonb->>'en_US' "
                 f"ELSE {quoted}::jsonb #>> '{{}}' END")
    else:
        using = f"{quoted}::{new_type}"
    _logger.info("altering type of %s.%s to %s", table.name, column.name, new_type)
    statement = sa.text(f"ALTER TABLE {table_name} ALTER COLUMN {quoted} TYPE {new_type} USING {using}")
    if _try_ddl(connection, f"cannot convert {table.name}.{column.name} to {new_type}", statement):
        return None
    number = 0
    while f"{column.name}_moved{number}" in existing_columns:
        number += 1
    moved = f"{column.name}_moved{number}"
    _logger.warning("the values of %s.%s are kept in the column %s", table.name, column.name, moved)
    if not info["nullable"]:
        connection.execute(sa.text(f"ALTER TABLE {table_name} ALTER COLUMN {quoted} DROP NOT NULL"))
    connection.execute(sa.text(f"ALTER TABLE {table_name} RENAME COLUMN {quoted} TO {preparer.quote(moved)}"))
    for index in table.indexes:   # they followed the old column; the new one gets its own
        if column.name in index.columns:
            connection.execute(sa.text(f"DROP INDEX IF EXISTS {preparer.quote(index.name)}"))
    return moved


def _add_column(connection, table, column):
    ddl = sa.schema.CreateColumn(column).compile(dialect=connection.dialect)
    spec = str(ddl)
    if connection.dialect.name == "sqlite":
        # SQLite cannot add a constraint later: declare the foreign key with the column
        # (PostgreSQL gets it from _sync_foreign_keys, with the other missing keys)
        preparer = connection.dialect.identifier_preparer
        for fk in column.foreign_keys:
            spec += (f" CONSTRAINT {preparer.quote(fk.name)} REFERENCES "
                     f"{preparer.format_table(fk.column.table)} ({preparer.quote(fk.column.name)})")
            if fk.ondelete:
                spec += f" ON DELETE {fk.ondelete}"
    if not column.nullable:
        count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        if count:
            # existing rows have no value yet: add the column nullable, and say so
            spec = spec.replace(" NOT NULL", "")
            _logger.warning("column %s.%s is required but the table has rows: added as nullable",
                            table.name, column.name)
    connection.execute(sa.text(f'ALTER TABLE "{table.name}" ADD COLUMN {spec}'))


def _set_nullable(connection, table, column):
    if column.nullable:
        connection.execute(sa.text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" DROP NOT NULL'))
        return
    nulls = connection.execute(sa.select(sa.func.count()).select_from(table)
                               .where(table.c[column.name].is_(None))).scalar()
    if nulls:
        _logger.warning("cannot make %s.%s required: %d rows have no value", table.name, column.name, nulls)
        return
    connection.execute(sa.text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" SET NOT NULL'))
