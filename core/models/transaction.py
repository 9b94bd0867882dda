"""The ORM state of one database transaction: the cache and pending recomputations.

Every environment on one cursor shares one :class:`Transaction`.  The cache maps
``field -> {record id: value in cache form}``; values are what the database holds,
except for stored computed fields marked to recompute, which ``flush`` brings up to
date (before a search, before reading them, and before commit).

Recomputed values are not written one field at a time: they wait in ``unwritten``
(``model -> {id: {column: value}}``) until the flush ends, and then each record is
updated once with all its recomputed columns (a row rewritten once instead of once
per field: on PostgreSQL every UPDATE writes a new version of the whole row and of
its indexes).  Anything that could read or overwrite those columns in the database
first writes them: the start of any flush (a search inside a compute method), every
ORM statement (``_execute``), a savepoint.
"""
import sqlalchemy as sa

class Cache:
    """Values by field, then record id.  A non-stored computed field whose value depends on
    the environment (``depends_context``: the user, superuser mode, a context key) keeps
    one set of values per environment: its key is ``(field, context values)`` (see
    ``BaseModel._cache_key``), and invalidating the field forgets every such set."""
    __slots__ = ("_data", "_variants")

    def __init__(self):
        self._data = {}
        self._variants = {}       # field -> the (field, context) keys it has values under

    def get_field(self, field):
        data = self._data.get(field)
        if data is None:
            data = self._data[field] = {}
            if type(field) is tuple:
                self._variants.setdefault(field[0], set()).add(field)
        return data

    def contains(self, field, rid):
        data = self._data.get(field)
        return data is not None and rid in data

    def get(self, field, rid, default=None):
        data = self._data.get(field)
        return default if data is None else data.get(rid, default)

    def set(self, field, rid, value):
        self.get_field(field)[rid] = value

    def update(self, field, ids, value):
        data = self.get_field(field)
        for rid in ids:
            data[rid] = value

    def invalidate(self, fields=None, ids=None):
        """Forget values: of ``fields`` (all when None) for ``ids`` (all when None)."""
        if fields is not None and self._variants:
            fields = list(fields) + [key for f in fields for key in self._variants.get(f, ())]
        targets = self._data.values() if fields is None else \
            [self._data[f] for f in fields if f in self._data]
        for data in targets:
            if ids is None:
                data.clear()
            else:
                for rid in ids:
                    data.pop(rid, None)

    def clear(self):
        self._data.clear()
        self._variants.clear()


class Transaction:
    def __init__(self, registry):
        self.registry = registry
        self.cache = Cache()
        self.tocompute = {}       # field -> set of ids whose stored value is stale
        self.protected = {}       # field -> set of ids being computed right now
        self.xmlids = {}          # 'module.name' -> (model, res_id, noupdate), see ir.model.data
        self.flags = {}           # what code notes about this transaction (core/cache.py)
        self.unwritten = {}       # model name -> {id: {column: value}}: recomputed, not yet written

    def reset(self):
        self.cache.clear()
        self.tocompute.clear()
        self.unwritten.clear()
        self.protected.clear()
        self.xmlids.clear()
        self.flags.clear()

    def restore(self, snapshot):
        self.cache.clear()
        self.tocompute = snapshot
        self.unwritten.clear()     # a savepoint starts with nothing held back (see _Savepoint)

    def hold(self, model_name, rid, values):
        """Keep recomputed column ``values`` of record ``rid`` until :meth:`write_unwritten`."""
        self.unwritten.setdefault(model_name, {}).setdefault(rid, {}).update(values)

    def held_ids(self, model_name, column):
        """The ids of ``model_name`` whose ``column`` holds a value not yet written."""
        rows = self.unwritten.get(model_name)
        return {rid for rid, values in rows.items() if column in values} if rows else set()

    def write_unwritten(self, env):
        """Write the held-back recomputed values: one UPDATE per model and set of columns."""
        while self.unwritten:
            model_name, rows = self.unwritten.popitem()
            groups = {}
            for rid, values in rows.items():
                groups.setdefault(tuple(sorted(values)), []).append(dict(values, _id=rid))
            model = env[model_name]
            table = env.registry.tables[model_name]
            for names, params in groups.items():
                statement = sa.update(table).where(table.c.id == sa.bindparam("_id")).values(
                    {name: sa.bindparam(name) for name in names})
                model._execute(statement, params)

    def add_to_compute(self, field, ids):
        if ids:
            self.tocompute.setdefault(field, set()).update(ids)

    def is_protected(self, field, rid):
        ids = self.protected.get(field)
        return ids is not None and rid in ids

    def flush(self, env):
        """Recompute every stale stored field and write it (loops until stable)."""
        self.write_unwritten(env)     # a flush inside a compute: the outer flush's values first
        rounds = 0
        deferred = {}
        while self.tocompute:
            rounds += 1
            if rounds > 1000:
                raise RecursionError(f"recomputation does not converge: {list(self.tocompute)}")
            field = next(iter(self.tocompute))
            ids = self.tocompute.pop(field)
            if self.protected:
                # a flush inside a compute method (it searched): what depends on the
                # values being computed right now must wait for them
                waiting = self._waiting(field, ids, deferred)
                if waiting:
                    deferred.setdefault(field, set()).update(waiting)
                    ids = ids - waiting
                    if not ids:
                        continue
            env[field.model_name]._recompute_stored(field, ids)
        for field, ids in deferred.items():
            self.add_to_compute(field, ids)
        self.write_unwritten(env)

    def _waiting(self, field, ids, deferred, seen=frozenset()):
        """The ids among ``ids`` whose ``field`` depends on a value of the same record being
        computed now (directly, or through another stale field that does)."""
        model_fields = self.registry.models[field.model_name]._fields
        seen = seen | {field}
        waiting = set()
        for path in field.depends:
            dependency = model_fields.get(path.split(".", 1)[0])
            if dependency is None or dependency in seen:
                continue
            waiting |= ids & (self.protected.get(dependency, set()) | deferred.get(dependency, set()))
            stale = (ids & self.tocompute.get(dependency, set())) - waiting
            if stale:
                waiting |= self._waiting(dependency, stale, deferred, seen)
        return waiting
