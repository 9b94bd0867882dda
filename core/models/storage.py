"""Storage: create, read, write, unlink, copy, defaults and x2many commands.

Writes go to the database at once, in batches (one INSERT for a list of records,
one UPDATE for a recordset); the cache is updated alongside, so reading back what
was just written costs no query.  Stored computed fields that depend on what was
written are marked stale and recomputed on flush (see ``compute.py``).  Database
integrity errors are turned into :class:`ValidationError` naming model and field.
"""
import logging

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from .. import api
from ..exceptions import AccessError, ValidationError
from ..fields import NOT_SET, Command
from .compute import default_display_name as _default_display_name

_logger = logging.getLogger(__name__)

LOG_ACCESS = ("create_uid", "create_date", "write_uid", "write_date")
MAGIC = ("id",) + LOG_ACCESS + ("display_name",)


class StorageMixin:
    __slots__ = ()

    # ------------------------------------------------------------ helpers
    @property
    def _sql_table(self):
        return self.env.registry.tables[self._name]

    def _execute(self, statement, params=None):
        """Execute DML, turning integrity errors into ValidationError.  Recomputed values
        still held back are written first: this statement may read or overwrite them."""
        if self.env.transaction.unwritten:
            self.env.transaction.write_unwritten(self.env)
        try:
            return self.env.cr.execute(statement, params)
        except sa.exc.IntegrityError as exc:
            raise self._integrity_error(exc) from None

    def _integrity_error(self, exc):
        return ValidationError(self.env.registry.describe_integrity_error(exc, self._name))

    def _check_field_names(self, names, operation):
        for name in names:
            if name not in self._fields:
                raise ValueError(f"Invalid field {name!r} on model {self._name!r} ({operation})")

    # ------------------------------------------------------------ defaults
    @api.model
    def default_get(self, fields_list):
        """Default values of ``fields_list``: context ``default_<name>``, then the field's."""
        context = self.env.context
        result = {}
        for name in fields_list:
            field = self._fields.get(name)
            if field is None:
                continue
            key = "default_" + name
            if key in context:
                result[name] = context[key]
                continue
            default = field.default
            if default is NOT_SET:
                continue
            value = default(self) if callable(default) else default
            if field.relational and hasattr(value, "_ids"):
                value = value.id if field.type == "many2one" else [Command.set(value._ids)]
            result[name] = value
        return result

    def _add_missing_defaults(self, vals_list):
        defaulted = [name for name, field in self._fields.items()
                     if (field.default is not NOT_SET or ("default_" + name) in self.env.context)
                     and name not in MAGIC]
        if not defaulted:
            return vals_list
        result = []
        cached = None
        for vals in vals_list:
            missing = [name for name in defaulted if name not in vals]
            if missing:
                if cached is None or any(callable(self._fields[n].default) for n in missing):
                    defaults = self.default_get(missing)
                    cached = defaults
                else:
                    defaults = {n: cached[n] for n in missing if n in cached}
                vals = {**defaults, **vals}
            result.append(vals)
        return result

    # ------------------------------------------------------------ create
    @api.model_create_multi
    def create(self, vals_list):
        """Create records from a dict or a list of dicts; returns the new records."""
        if not vals_list:
            return self.browse()
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise ValueError(f"{self._name}.create expects dicts of values, got {vals!r}")
            self._check_field_names(vals, "create")
        self.browse()._check_access("create")
        vals_list = self._add_missing_defaults(vals_list)
        check_rules = not self.env.su and self.env.registry.access_checker is not None
        if check_rules or self._spans_statements({name for vals in vals_list for name in vals},
                                                 creating=True):
            # several statements (parents, lines, checks): all of them or none; the record
            # rules are checked on the new records, which are undone if one is refused
            with self.env.cr.savepoint(flush=False):
                records = self._create(vals_list)
                if check_rules:
                    records._check_access("create")
                return records
        return self._create(vals_list)

    def _spans_statements(self, names, creating=False):
        """Does writing ``names`` take more than one statement that could fail?"""
        fields = self._fields
        if self._inherits and (creating or any(fields[n].inherited for n in names)):
            return True
        # translated values are columns in an INSERT, but merged per record in an UPDATE
        if any(not fields[n].column or (fields[n].translate and not creating) for n in names):
            return True
        return any(names & set(m._constrains) for m in self.env.registry.constraint_methods(self._name))

    def _create(self, vals_list):
        env = self.env
        table = self._sql_table
        fields = self._fields
        now = env.cr.now() if hasattr(env.cr, "now") else None
        from ..fields import Datetime
        now = now or Datetime.now()
        # delegate to parents (_inherits): create their records first
        for parent_model, link in self._inherits.items():
            parent_fields = env.registry.models[parent_model]._fields
            todo = [i for i, vals in enumerate(vals_list) if not vals.get(link)]
            if todo:
                parent_vals = []
                for i in todo:
                    vals = vals_list[i]
                    parent_vals.append({k: v for k, v in vals.items()
                                        if k in parent_fields and fields[k].inherited and k not in MAGIC})
                parents = env[parent_model].sudo()._create(
                    env[parent_model]._add_missing_defaults(parent_vals))
                for i, pid in zip(todo, parents._ids):
                    vals_list[i] = dict(vals_list[i], **{link: pid})
        rows, later = [], []
        columns = [f for f in fields.values() if f.column and f.name != "id" and not f.inherited]
        monetaries = [f for f in columns if f.type == "monetary" and f.currency_field]
        for vals in vals_list:
            row, rest = {}, {}
            for name, value in vals.items():
                field = fields[name]
                if field.inherited:
                    continue
                if field.column and name not in MAGIC:
                    row[name] = field.convert_to_cache(value, self)
                    if field.translate and isinstance(row[name], str):
                        row[name] = {"en_US": row[name], env.lang: row[name]}
                elif name not in MAGIC:
                    rest[name] = value
            for field in monetaries:
                field.round_in_row(row, self)
            if self._log_access:
                row.update(create_uid=env.uid, write_uid=env.uid, create_date=now, write_date=now)
            for field in columns:
                if field.required and row.get(field.name) is None and not field.compute \
                        and field.type != "boolean":
                    raise ValidationError(
                        f"Missing required value for the field '{field.string}' ({field.name}) "
                        f"of model {self._name} ({self._description or self._name})")
            rows.append(row)
            later.append(rest)
        params = [{f.name: f.convert_to_column(row.get(f.name), self) for f in columns} for row in rows]
        if params and columns:
            # One multi-row INSERT: both databases assign the new ids in the order of the
            # VALUES rows (SQLite: rowid max+1 under the write lock; PostgreSQL: nextval per
            # row), so sorting the returned ids matches them to the parameter rows.
            statement = sa.insert(table).returning(table.c.id)
            ids = sorted(r[0] for r in self._execute(statement, params))
        else:
            ids = [self._execute(sa.insert(table).returning(table.c.id), {}).scalar_one()
                   for _ in rows]
        records = self.browse(ids)
        cache = env.transaction.cache
        for field in columns:
            data = cache.get_field(field)
            name = field.name
            for rid, row in zip(ids, rows):
                data[rid] = row.get(name)
        for field in fields.values():
            if field.type in ("one2many", "many2many") and field.store:
                cache.update(field, ids, ())
        if self._parent_store:
            records._parent_store_update()
        # x2many commands, inverses, inherited values
        for record, rest in zip(records, later):
            if rest:
                record._write_extra(rest, creating=True)
        self._invalidate_inverses({name for vals in vals_list for name in vals})
        for record, vals in zip(records, vals_list):
            record._write_related_targets(vals)
        self._mark_created(records, vals_list)
        records._validate_constraints({name for vals in vals_list for name in vals})
        return records

    # ------------------------------------------------------------ write
    def write(self, vals):
        """Write ``vals`` on every record of the set; returns True."""
        if not self._ids:
            return True
        if not isinstance(vals, dict):
            raise ValueError(f"{self._name}.write expects a dict of values, got {vals!r}")
        self._check_field_names(vals, "write")
        self._check_access("write")
        self._check_field_access(vals, "write")
        for name in vals:
            if name in MAGIC:
                raise ValueError(f"Field {self._name}.{name} is maintained by the ORM and cannot be written")
        if self._spans_statements(set(vals)):
            with self.env.cr.savepoint(flush=False):
                return self._write(vals)
        return self._write(vals)

    def _write(self, vals):
        fields = self._fields
        env = self.env
        self._modified_before(vals)
        column_vals, rest, parent_vals = {}, {}, {}
        for name, value in vals.items():
            field = fields[name]
            if field.inherited:
                parent_vals.setdefault(field.inherited_model, {})[name] = value
            elif field.column and field.translate:
                rest[name] = value
            elif field.column:
                column_vals[name] = value
            else:
                rest[name] = value
        for parent_model, pvals in parent_vals.items():
            link = self._inherits[parent_model]
            parents = self.mapped(link)
            parents.write(pvals)
        if column_vals:
            cache_vals = {}
            for name, value in column_vals.items():
                field = fields[name]
                cache_vals[field] = field.convert_to_cache(value, self if len(self._ids) == 1 else None)
                if field.required and cache_vals[field] is None and field.type != "boolean":
                    raise ValidationError(
                        f"Missing required value for the field '{field.string}' ({name}) of model {self._name}")
            params = {field.name: field.convert_to_column(value, self) for field, value in cache_vals.items()}
            if self._log_access:
                from ..fields import Datetime
                params.update(write_uid=env.uid, write_date=Datetime.now())
                cache_vals[fields["write_uid"]] = env.uid
                cache_vals[fields["write_date"]] = params["write_date"]
            table = self._sql_table
            statement = sa.update(table).where(self._id_in(table.c.id, self._ids)).values(**params)
            result = self._execute(statement)
            if result.rowcount is not None and result.rowcount >= 0 and result.rowcount < len(set(self._ids)):
                self._raise_missing(set(self._ids) - set(self.exists()._ids))
            cache = env.transaction.cache
            for field, value in cache_vals.items():
                cache.update(field, self._ids, value)
                tocompute = env.transaction.tocompute.get(field)
                if tocompute:
                    tocompute.difference_update(self._ids)
            if self._parent_store and self._parent_name in column_vals:
                self._parent_store_update()
        if rest:
            for record in self if len(self._ids) > 1 and any(
                    fields[n].type in ("one2many",) for n in rest) else [self]:
                record._write_extra(rest, creating=False)
        self._invalidate_inverses(vals)
        self._write_related_targets(vals)
        self._modified(vals.keys())
        self._validate_constraints(vals.keys())
        return True

    def _write_related_targets(self, vals):
        """A stored related field that is not readonly writes through to its target too."""
        for name in vals:
            field = self._fields[name]
            if field.related and field.store and not field.readonly and not field.inherited:
                self._call_inverse(field)

    def _invalidate_inverses(self, names):
        """Forget cached one2many values whose inverse many2one was just written."""
        registry = self.env.registry
        fields = self._fields
        for name in names:
            if fields[name].type == "many2one":
                inverses = registry.inverse_one2many(self._name, name)
                if inverses:
                    self.env.transaction.cache.invalidate(inverses)

    def _write_extra(self, vals, creating):
        """Values that are not plain columns: x2many commands, inverses."""
        fields = self._fields
        for name, value in vals.items():
            field = fields[name]
            if field.type in ("one2many", "many2many") and field.store:
                self._write_x2many(field, value)
            elif field.translate and field.column:
                self._write_translated(field, value)
            elif field.inverse or field.related:
                for record in self:
                    self.env.transaction.cache.set(field, record.id, field.convert_to_cache(value, record))
                self._call_inverse(field)
            elif field.compute and field.store:
                # writing a stored computed field without inverse: keep the value
                self.env.transaction.cache.update(field, self._ids, field.convert_to_cache(value, self))

    def _write_translated(self, field, value):
        """Set the value of a translated field in the current language only.

        Writing in English changes the source text; writing in another language adds
        or replaces that translation (and fills English when there was none).
        """
        lang = self.env.lang
        cache = self.env.transaction.cache
        params = []
        for record in self:
            value_cache = field.convert_to_cache(value, record)
            if value_cache is None or isinstance(value_cache, dict):
                new = value_cache
            else:
                current = record._get_value(field)
                new = dict(current) if isinstance(current, dict) else {}
                new[lang] = value_cache
                new.setdefault("en_US", value_cache)
            params.append({"_id": record.id, "value": new})
            cache.set(field, record.id, new)
        table = self._sql_table
        statement = sa.update(table).where(table.c.id == sa.bindparam("_id")).values(
            {field.name: sa.bindparam("value", type_=table.c[field.name].type)})
        self._execute(statement, params)

    # ------------------------------------------------------------ x2many
    def _write_x2many(self, field, value):
        commands = field.normalize_commands(field, value)
        comodel = self.env[field.comodel_name]
        if field.type == "one2many":
            self._write_one2many(field, comodel, commands)
        else:
            self._write_many2many(field, comodel, commands)
        self.env.transaction.cache.invalidate([field], self._ids)

    def _write_one2many(self, field, comodel, commands):
        inverse = field.inverse_name
        inverse_field = comodel._fields[inverse]
        for record in self:
            for code, rid, vals in commands:
                if code == Command.CREATE:
                    comodel.create(dict(vals, **{inverse: record.id}))
                elif code == Command.UPDATE:
                    comodel.browse(rid).write(vals)
                elif code == Command.DELETE:
                    comodel.browse(rid).unlink()
                elif code == Command.UNLINK:
                    self._o2m_release(comodel.browse(rid), inverse_field)
                elif code == Command.LINK:
                    comodel.browse(rid).write({inverse: record.id})
                elif code == Command.CLEAR:
                    self._o2m_release(record.with_context(active_test=False)[field.name], inverse_field)
                elif code == Command.SET:
                    current = record.with_context(active_test=False)[field.name]
                    keep = comodel.browse(vals)
                    self._o2m_release(current - keep, inverse_field)
                    if keep:
                        keep.write({inverse: record.id})

    @staticmethod
    def _o2m_release(lines, inverse_field):
        if not lines:
            return
        if inverse_field.required or getattr(inverse_field, "ondelete", None) == "cascade":
            lines.unlink()
        else:
            lines.write({inverse_field.name: False})

    def _write_many2many(self, field, comodel, commands):
        table = self.env.registry.tables[field.relation]
        col1, col2 = table.c[field.column1], table.c[field.column2]
        for code, rid, vals in commands:
            if code == Command.CREATE:
                new = comodel.create(vals)
                self._m2m_link(table, field, [(r, new.id) for r in self._ids])
            elif code == Command.UPDATE:
                comodel.browse(rid).write(vals)
            elif code == Command.DELETE:
                comodel.browse(rid).unlink()
            elif code == Command.UNLINK:
                self._execute(sa.delete(table).where(col1.in_(self._ids), col2 == rid))
            elif code == Command.LINK:
                self._m2m_link(table, field, [(r, rid) for r in self._ids])
            elif code == Command.CLEAR:
                self._execute(sa.delete(table).where(col1.in_(self._ids)))
            elif code == Command.SET:
                self._execute(sa.delete(table).where(col1.in_(self._ids)))
                self._m2m_link(table, field, [(r, i) for r in self._ids for i in dict.fromkeys(vals)])
        # every many2many on the same relation table (the other side too) changed
        self.env.transaction.cache.invalidate(self.env.registry.fields_on_relation(field.relation))
        self._modified([field.name])

    def _m2m_link(self, table, field, pairs):
        if not pairs:
            return
        col1, col2 = table.c[field.column1], table.c[field.column2]
        existing = set()
        rows = self.env.cr.execute(sa.select(col1, col2).where(
            col1.in_({a for a, _ in pairs}), col2.in_({b for _, b in pairs}))).all()
        existing.update((a, b) for a, b in rows)
        new = [{field.column1: a, field.column2: b} for a, b in dict.fromkeys(pairs) if (a, b) not in existing]
        if new:
            self._execute(sa.insert(table), new)

    # ------------------------------------------------------------ unlink
    def unlink(self):
        """Delete the records; many2one references follow their ``ondelete``."""
        if not self._ids:
            return True
        self._check_access("unlink")
        uninstalling = self.env.context.get("module_uninstall")
        for method in self._ondelete_methods():
            if uninstalling and not method._ondelete:
                continue
            method(self)
        self.env.transaction.flush(self.env)
        self._modified_before_unlink()
        table = self._sql_table
        registry = self.env.registry
        ids = list(self._ids)
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            self._execute(sa.delete(table).where(self._id_in(table.c.id, chunk)))
        # references to these records changed in the database (set null, cascade)
        self.env.transaction.cache.invalidate(registry.fields_referencing(self._name))
        self.env.transaction.cache.invalidate(list(self._fields.values()), ids)
        for field, todo in list(self.env.transaction.tocompute.items()):
            if field.model_name == self._name:
                todo.difference_update(ids)
        self.env.transaction.flush(self.env)
        return True

    def _ondelete_methods(self):
        cls = type(self)
        methods, seen = [], set()
        for klass in cls.__mro__:
            for name, member in vars(klass).items():
                if name not in seen and callable(member) and hasattr(member, "_ondelete"):
                    seen.add(name)
                    methods.append(getattr(cls, name))
        return methods

    # ------------------------------------------------------------ read
    def read(self, fields=None, load="_classic_read"):
        """A list of dicts, one per record, with ``id`` and the asked fields.

        Many2one values are ``(id, display_name)`` (``load=None``: bare ids); the
        display names of each comodel are fetched in one query.
        """
        names = self._read_names(fields)
        self._check_access("read")
        return self._read_allowed(names, load)

    def _read_names(self, fields):
        """The field names ``read(fields)`` returns (besides ``id``), checked: they exist and
        the user may read them."""
        if fields:
            if isinstance(fields, str):
                fields = [fields]
            self._check_field_names(fields, "read")
            names = [n for n in dict.fromkeys(fields) if n != "id"]
        else:
            names = [n for n, f in self._fields.items() if n != "id" and self._field_readable(f)]
        self._check_field_access(names, "read")
        return names

    def _read_allowed(self, names, load):
        """``read`` of records the user is known to be allowed to read (access rights and
        record rules checked by the caller: ``read`` itself, or the search that found them)."""
        model_fields = self._fields
        if not self._ids:
            return []
        cache = self.env.transaction.cache
        # the first record's miss loads the columns of the whole prefetch set at once;
        # records that no longer exist are left out, as Odoo does
        column_names = [n for n in names if self._fields[n].column]
        probe = self._fields[column_names[0] if column_names else "id"]
        missing = [rid for rid in self._ids if not cache.contains(probe, rid)]
        for start in range(0, len(missing), 1000):
            self._fetch_ids(missing[start:start + 1000], probe)
        records = self
        if missing:
            records = self.browse([rid for rid in self._ids if cache.contains(probe, rid)])
        if not records:
            return []
        result = [{"id": rid} for rid in records._ids]
        ids = records._ids
        tocompute = self.env.transaction.tocompute
        for name in names:
            field = model_fields[name]
            data = cache.get_field(field)
            cached = field.column and not tocompute.get(field) and all(rid in data for rid in ids)
            if field.type == "many2one":
                values = [data[rid] for rid in ids] if cached else \
                    [record._get_value(field) for record in records]
                if load == "_classic_read":
                    names_by_id = self._display_names(field, values)
                    for row, value in zip(result, values):
                        row[name] = (value, names_by_id.get(value, "")) if value else False
                else:
                    for row, value in zip(result, values):
                        row[name] = value or False
            elif field.relational:
                for row, record in zip(result, records):
                    row[name] = list(record._get_value(field))
            elif cached:
                to_record, to_read = field.convert_to_record, field.convert_to_read
                for row, rid in zip(result, ids):
                    row[name] = to_read(to_record(data[rid], records), records)
            else:
                for row, record in zip(result, records):
                    value = field.convert_to_record(record._get_value(field), record)
                    row[name] = field.convert_to_read(value, record)
        return result

    def _display_names(self, field, ids):
        """``{id: display name}`` of a many2one's values, in one query for the comodel."""
        ids = [i for i in dict.fromkeys(ids) if i]
        if not ids:
            return {}
        comodel = self.env[field.comodel_name].sudo().with_context(active_test=False)
        name_field = comodel._fields.get(comodel._rec_name) if comodel._rec_name else None
        plain = (name_field is not None and name_field.column and not name_field.inherited
                 and _default_display_name(comodel)
                 and not self.env.transaction.tocompute.get(name_field))
        if plain:
            # the default display name is the _rec_name column: fetch just that
            data = self.env.transaction.cache.get_field(name_field)
            missing = [i for i in ids if i not in data]
            table = comodel._sql_table
            for start in range(0, len(missing), 1000):
                chunk = missing[start:start + 1000]
                rows = self.env.cr.execute(sa.select(table.c.id, table.c[name_field.name])
                                           .where(comodel._id_in(table.c.id, chunk))).all()
                data.update(rows)
            convert = name_field.convert_to_record
            return {i: convert(data.get(i), comodel) or "" for i in ids}
        records = comodel.browse(ids)
        display = comodel._fields["display_name"]
        return {record.id: value or "" for record in records
                for value in [display.convert_to_record(record._get_value(display), record)]}

    def _field_readable(self, field):
        return not field.groups or self.env.su or self._user_in_groups(field.groups)

    def _fetch_field(self, field):
        """Load ``field`` and every other prefetchable column for the prefetch set."""
        ids = self._prefetch_ids_for(field)
        rid = self._ids[0]
        if field.type in ("one2many", "many2many"):
            return tuple(self._fetch_x2many(field, ids)[rid])
        self._fetch_ids(ids, field)
        data = self.env.transaction.cache.get_field(field)
        if rid not in data:
            if not self.env.su and self.sudo().exists():
                self._check_access("read")  # a record rule hides it: say which
            self._raise_missing([rid])
        return data[rid]

    def _fetch_ids(self, ids, field):
        """One SELECT of ``field`` (and, if it prefetches, every prefetchable column) for ``ids``."""
        env = self.env
        cache = env.transaction.cache
        table = self._sql_table
        id_field = self._fields["id"]
        if field.prefetch is True:
            fetched = [f for f in self._fields.values()
                       if f.column and f.prefetch is True and not f.inherited and f is not id_field]
        else:
            fetched = []
        if field not in fetched and field is not id_field:
            fetched.append(field)
        where = self._id_in(table.c.id, ids)
        if not env.su and env.registry.access_checker is not None:
            self.browse()._check_access("read")
            rules = self._rules_expression(table)
            if rules is not None:
                where = sa.and_(where, rules)
        statement = sa.select(table.c.id, *(table.c[f.name] for f in fetched)).where(where)
        rows = env.cr.execute(statement).all()
        if not rows:
            return rows
        columns = list(zip(*rows))
        row_ids = columns[0]
        cache.get_field(id_field).update(zip(row_ids, row_ids))
        transaction = env.transaction
        for f, values in zip(fetched, columns[1:]):
            data = cache.get_field(f)
            convert = f.convert_from_column if f.converts_from_column else None
            if convert is not None:
                values = [convert(v) if v is not None else None for v in values]
            # stale, being-computed or not-yet-written values in the cache are newer than
            # the database's
            skip = transaction.tocompute.get(f) or transaction.protected.get(f)
            held = transaction.held_ids(self._name, f.name) if transaction.unwritten else None
            if held:
                skip = held | set(skip or ())
            if skip:
                data.update((rid, v) for rid, v in zip(row_ids, values) if rid not in skip)
            else:
                data.update(zip(row_ids, values))
        return rows

    def _id_in(self, column, ids):
        """``column IN ids``; on PostgreSQL one array parameter (``= ANY``) instead of many."""
        if self.env.cr.dialect == "postgresql":
            return column == sa.any_(sa.literal(list(ids), ARRAY(sa.Integer)))
        return column.in_(ids)

    def _fetch_x2many(self, field, ids):
        env = self.env
        cache = env.transaction.cache
        comodel = env[field.comodel_name]
        values = {rid: [] for rid in ids}
        if field.type == "one2many":
            domain = [(field.inverse_name, "in", ids)] + list(field.domain if not callable(field.domain) else [])
            lines = comodel.with_context(active_test=env.context.get("active_test", True)) \
                .sudo()._search_rows(domain, [field.inverse_name], order=comodel._order)
            for line_id, owner in lines:
                if owner in values:
                    values[owner].append(line_id)
        else:
            relation = env.registry.tables[field.relation]
            cotable = env.registry.tables[field.comodel_name]
            col1, col2 = relation.c[field.column1], relation.c[field.column2]
            # the comodel's order may need joins of its own (a many2one, a delegated field)
            clauses, joins = comodel._order_clauses(comodel._order, cotable)
            source = relation.join(cotable, cotable.c.id == col2)
            for alias, on in joins:
                source = source.outerjoin(alias, on)
            query = sa.select(col1, col2).select_from(source).where(col1.in_(ids))
            active = comodel._active_name
            if active and env.context.get("active_test", True):
                query = query.where(cotable.c[active] == sa.true())
            query = query.order_by(*clauses)
            for owner, target in env.cr.execute(query).all():
                values[owner].append(target)
        if env.context.get("active_test", True) or not comodel._active_name:
            for rid, targets in values.items():
                cache.set(field, rid, tuple(targets))
        return values

    # ------------------------------------------------------------ misc
    def exists(self):
        """The subset of records that still exist in the database."""
        ids = [i for i in self._ids if isinstance(i, int)]
        if not ids:
            return self.browse()
        table = self._sql_table
        found = set()
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            found.update(r[0] for r in self.env.cr.execute(
                sa.select(table.c.id).where(self._id_in(table.c.id, chunk))))
        return self._browse(self.env, tuple(i for i in self._ids if i in found), self._prefetch_ids)

    @api.private
    def copy_data(self, default=None):
        default = dict(default or {})
        self.ensure_one()
        vals = {}
        for name, field in self._fields.items():
            if name in MAGIC or name in default or not field.copy or field.inherited:
                continue
            if field.compute and not field.store:
                continue
            value = self[name]
            if field.type == "one2many":
                lines = []
                for line in value:
                    data = line.copy_data({field.inverse_name: False})[0]
                    data.pop(field.inverse_name, None)
                    lines.append(Command.create(data))
                vals[name] = lines
            elif field.type == "many2many":
                vals[name] = [Command.set(value._ids)]
            elif field.type == "many2one":
                vals[name] = value.id
            elif field.type == "binary":
                vals[name] = value
            else:
                vals[name] = field.convert_to_write(value, self)
        for parent_model, link in self._inherits.items():
            parent = self[link]
            parent_vals = parent.copy_data()[0]
            vals.update({k: v for k, v in parent_vals.items() if k not in default and k not in vals})
            vals.pop(link, None)
        vals.update(default)
        return [vals]

    def copy(self, default=None):
        """A copy of the record; fields with ``copy=False`` are left out."""
        self.ensure_one()
        return self.create(self.copy_data(default)[0])

    def _validate_constraints(self, names):
        if not self._ids:
            return
        names = set(names)
        for method in self.env.registry.constraint_methods(self._name):
            if names & set(method._constrains):
                method(self)

    def _transient_vacuum(self):
        """Delete wizard records older than ``_transient_max_hours`` (and beyond
        ``_transient_max_count``, oldest first).  Returns the number removed."""
        if not self._transient:
            raise TypeError(f"{self._name} is not a TransientModel")
        from datetime import timedelta

        from ..fields import Datetime
        table = self._sql_table
        doomed = []
        if self._transient_max_hours:
            limit = Datetime.now() - timedelta(hours=self._transient_max_hours)
            doomed += self.env.cr.execute(
                sa.select(table.c.id).where(sa.func.coalesce(table.c.write_date, table.c.create_date) < limit)
            ).scalars().all()
        if self._transient_max_count:
            doomed += self.env.cr.execute(
                sa.select(table.c.id).order_by(table.c.id.desc()).offset(self._transient_max_count)
            ).scalars().all()
        records = self.sudo().browse(dict.fromkeys(doomed))
        records.unlink()
        return len(records)

    # ------------------------------------------------------------ security hooks
    @api.model
    def check_access_rights(self, operation, raise_exception=True):
        """May the user ``operation`` records of this model at all (ACLs only)?

        Client libraries ask this before showing a button; with
        ``raise_exception=False`` the answer is a boolean instead of an AccessError.
        """
        _check_operation(operation)
        try:
            self.browse()._check_access(operation)
        except AccessError:
            if raise_exception:
                raise
            return False
        return True

    def check_access_rule(self, operation):
        """Raise AccessError unless the user may ``operation`` every record of the set
        (access rights and record rules)."""
        _check_operation(operation)
        self._check_access(operation)

    def _check_access(self, operation):
        """Access rights for ``operation``; models without rules allow everything."""
        checker = self.env.registry.access_checker
        if checker is not None and not self.env.su:
            checker(self, operation)

    def _check_field_access(self, names, operation):
        if self.env.su:
            return
        for name in names:
            field = self._fields[name]
            if field.groups and not self._user_in_groups(field.groups):
                raise AccessError(
                    f"You are not allowed to access the field {self._name}.{name} "
                    f"(operation: {operation}); it is restricted to the groups {field.groups}.")

    def _user_in_groups(self, groups):
        checker = self.env.registry.group_checker
        return True if checker is None else checker(self.env, groups)



OPERATIONS = ("read", "write", "create", "unlink")


def _check_operation(operation):
    if operation not in OPERATIONS:
        raise ValueError(f"Invalid access operation {operation!r}: expected one of {', '.join(OPERATIONS)}")
