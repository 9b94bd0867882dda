"""Computed fields: dependencies, invalidation, recomputation, inverses, onchange.

The registry turns every ``@depends`` path into *triggers*: "when field F of model
X changes on records R, the dependent field D is stale on the records reached from
R by the reverse of the path".  A stale stored field is queued in the transaction
and recomputed in batch on flush; a stale non-stored field is dropped from the
cache and computed again when read.  New records (``new()``, used by onchange)
have ids of type :class:`NewId` and live in the cache only.
"""
import sqlalchemy as sa

from .. import api
from ..exceptions import ValidationError


class NewId:
    """The id of a record that exists only in the cache (forms, onchange)."""

    __slots__ = ("origin", "ref")
    _counter = 0

    def __init__(self, origin=None, ref=None):
        NewId._counter += 1
        self.origin = origin
        self.ref = ref or NewId._counter

    def __bool__(self):
        return False

    def __repr__(self):
        return f"<NewId origin={self.origin!r} ref={self.ref!r}>"


def default_display_name(model):
    """True when ``model``'s display name is its ``_rec_name`` value (no override)."""
    from .base import BaseModel
    return type(model)._compute_display_name is BaseModel._compute_display_name


class ComputeMixin:
    __slots__ = ()

    # ------------------------------------------------------------ invalidation
    def _dependents(self, field, path):
        """Records of ``field``'s model that reach ``self`` through ``path``."""
        model = self.env[field.model_name].sudo().with_context(active_test=False)
        if not path:
            return model.browse(self._ids)
        inverse_step = self.env.registry.simple_inverse(field.model_name, path)
        if inverse_step:
            ids = []
            for record in self.sudo():
                value = record._get_value(self._fields[inverse_step])
                if value:
                    ids.append(value)
            return model.browse(dict.fromkeys(ids))
        real = [i for i in self._ids if isinstance(i, int)]
        if not real:
            return model.browse()
        return model.search([(path, "in", real)])

    def _modified(self, names, before=False, created=False):
        """Mark what depends on fields ``names`` of these records as stale.

        ``before``: called before a write, only relations matter; ``created``: the
        records are new, so only records linked to them by this very create (through
        a one2many inverse or a many2many) can depend on them.
        """
        registry = self.env.registry
        transaction = self.env.transaction
        for name in names:
            for dependent, path in registry.triggers.get((self._name, name), ()):
                if before and not path:
                    continue
                if created and path and not registry.reachable_from_new(dependent.model_name, path):
                    continue
                stored = dependent.store and dependent.column and bool(dependent.compute or dependent.related)
                if not stored:
                    # non-stored values are recomputed on read: forget them all
                    transaction.cache.invalidate([dependent])
                    if not registry.feeds_stored(dependent):
                        registry.invalidate_dependents(transaction.cache, dependent)
                        continue
                records = self._dependents(dependent, path)
                if not records:
                    continue
                if stored:
                    pending = transaction.tocompute.get(dependent, ())
                    ids = [i for i in records._ids
                           if i not in pending and not transaction.is_protected(dependent, i)]
                    if ids:
                        transaction.add_to_compute(dependent, ids)
                        # what depends on the stale value is stale too
                        records.browse(ids)._modified([dependent.name])
                else:
                    records._modified([dependent.name], before)

    def _modified_before(self, vals):
        """Before a write: mark records reached through relations about to change."""
        registry = self.env.registry
        if any(path for name in vals for _, path in registry.triggers.get((self._name, name), ())):
            self._modified(vals.keys(), before=True)

    def _modified_before_unlink(self):
        registry = self.env.registry
        names = [name for name in self._fields
                 if any(path for _, path in registry.triggers.get((self._name, name), ()))]
        if names:
            self._modified(names, before=True)

    def _mark_created(self, records, vals_list):
        transaction = self.env.transaction
        given = set()
        for vals in vals_list:
            given.update(vals)
        for field in self.env.registry.stored_computes(self._name):
            if field.name not in given:
                transaction.add_to_compute(field, records._ids)
                if self.env.registry.triggers.get((self._name, field.name)):
                    records._modified([field.name])
        registry = self.env.registry
        names = [name for name in given
                 if any(path for _, path in registry.triggers.get((self._name, name), ()))]
        if names:
            records._modified(names, created=True)

    # ------------------------------------------------------------ computing
    def _compute_method(self, field):
        compute = field.compute
        if callable(compute):
            return compute
        method = getattr(type(self), compute, None)
        if method is None:
            raise ValueError(f"{self._name}.{field.name}: compute method {compute!r} does not exist")
        return method

    def _fields_sharing_compute(self, field):
        if field.related:
            return [field]
        return [f for f in self._fields.values() if f.compute == field.compute and f.store == field.store]

    def _run_compute(self, fields, records):
        """Call the compute method of ``fields`` on ``records`` with their values protected."""
        transaction = self.env.transaction
        field = fields[0]
        if field.compute_sudo:
            records = records.sudo()
        for f in fields:
            transaction.protected.setdefault(f, set()).update(records._ids)
        try:
            if field.related:
                for f in fields:
                    records._compute_related(f)
            else:
                self._compute_method(field)(records)
            cache = transaction.cache
            for f in fields:
                data = cache.get_field(records._cache_key(f))
                for rid in records._ids:
                    if rid not in data:
                        data[rid] = None
        finally:
            for f in fields:
                protected = transaction.protected.get(f)
                if protected is not None:
                    protected.difference_update(records._ids)
                    if not protected:
                        del transaction.protected[f]

    def _compute_missing(self, field, force=False):
        """Compute a non-stored field for the records of the prefetch set lacking it."""
        data = self.env.transaction.cache.get_field(self._cache_key(field))
        rid = self._ids[0]
        ids = [rid] + [i for i in self._prefetch_ids if i != rid and i not in data][:999]
        if force:
            ids = [rid]
        records = self._browse(self.env, tuple(ids), tuple(ids))
        self._run_compute(self._fields_sharing_compute(field), records)
        return data.get(rid)

    def _recompute_stored(self, field, ids):
        """Recompute a stale stored field on ``ids``; the values are written when the flush
        ends (``Transaction.write_unwritten``)."""
        transaction = self.env.transaction
        fields = self._fields_sharing_compute(field)
        ids = set(ids)
        for f in fields:
            pending = transaction.tocompute.get(f)
            if pending:
                pending.difference_update(ids)
                if not pending:
                    del transaction.tocompute[f]
        records = self.sudo().with_context(active_test=False).browse(sorted(ids, key=str)).exists()
        if not records:
            return
        # a writable computed field keeps its current value where the method assigns none
        # (``if not lead.stage_id: lead.stage_id = …``): load it; the others start afresh
        kept = [f for f in fields if not f.readonly]
        if kept:
            records._fetch_ids(records._ids, kept[0])
        transaction.cache.invalidate([f for f in fields if f.readonly], records._ids)
        self._run_compute(fields, records)
        # written at the end of the flush, with the record's other recomputed columns
        cache = transaction.cache
        for rid in records._ids:
            transaction.hold(self._name, rid, {f.name: f.convert_to_column(cache.get(f, rid), None)
                                               for f in fields})

    def _compute_related(self, field):
        path = field.related.split(".")
        for record in self:
            target = record.sudo()
            for name in path[:-1]:
                target = target[name][:1]
            last = target._fields[path[-1]] if path[-1] in target._fields else None
            if last is None:
                raise ValueError(f"{self._name}.{field.name}: related path {field.related!r} is broken")
            value = target._get_value(last) if target else None
            if value is not None and last.translate and isinstance(value, dict):
                value = value.get(self.env.lang) or value.get("en_US")
            self.env.transaction.cache.set(record._cache_key(field), record._ids[0], value)

    def _call_inverse(self, field):
        if field.related:
            path = field.related.split(".")
            for record in self:
                target = record
                for name in path[:-1]:
                    target = target[name]
                if target:
                    value = self.env.transaction.cache.get(field, record.id)
                    last = target._fields[path[-1]]
                    target.write({path[-1]: last.convert_to_record(value, target)
                                  if not last.relational else (value if value is not None else False)})
            return
        inverse = field.inverse
        method = inverse if callable(inverse) else getattr(type(self), inverse)
        transaction = self.env.transaction
        transaction.protected.setdefault(field, set()).update(self._ids)
        try:
            method(self)
        finally:
            transaction.protected[field].difference_update(self._ids)

    # ------------------------------------------------------------ hierarchy
    def _parent_store_update(self):
        """Maintain ``parent_path`` ("1/5/12/") of these records and their descendants."""
        table = self.env.registry.tables[self._name]
        parent_name = self._parent_name
        cr = self.env.cr
        cache = self.env.transaction.cache
        path_field = self._fields["parent_path"]
        for record in self:
            rid = record.id
            parent_id = record._get_value(self._fields[parent_name])
            if parent_id:
                parent_path = cr.execute(sa.select(table.c.parent_path).where(table.c.id == parent_id)).scalar()
                if parent_path and f"/{rid}/" in f"/{parent_path}":
                    raise ValidationError(
                        f"Recursion detected: {self._name}({rid}) cannot have {self._name}({parent_id}) "
                        f"as its {parent_name} (it is one of its descendants)")
                new_path = f"{parent_path or ''}{rid}/"
            else:
                new_path = f"{rid}/"
            old_path = cr.execute(sa.select(table.c.parent_path).where(table.c.id == rid)).scalar()
            if old_path == new_path:
                continue
            if old_path:
                cr.execute(sa.update(table).where(table.c.parent_path.like(old_path + "%")).values(
                    parent_path=sa.literal(new_path) + sa.func.substr(table.c.parent_path, len(old_path) + 1)))
            else:
                cr.execute(sa.update(table).where(table.c.id == rid).values(parent_path=new_path))
            cache.invalidate([path_field])

    # ------------------------------------------------------------ new records, onchange
    @api.private
    def new(self, values=None, origin=None):
        """A record that lives in the cache only, filled with ``values``."""
        values = dict(values or {})
        self._check_field_names(values, "new")
        nid = NewId(origin.id if origin else None)
        record = self._browse(self.env, (nid,), (nid,))
        cache = self.env.transaction.cache
        for name, field in self._fields.items():
            if name in values:
                value = values[name]
            elif origin is not None and name != "id":
                value = origin._get_value(field) if field.store or field.compute else None
                cache.set(field, nid, value)
                continue
            else:
                continue
            if field.type in ("one2many", "many2many"):
                cache.set(field, nid, record._new_x2many(field, value))
            else:
                cache.set(field, nid, field.convert_to_cache(value, record, validate=False))
        if origin is not None and values:
            # what the original's computed fields said no longer holds for changed inputs
            self._recompute_dependents(record, list(values))
        return record

    def _recompute_dependents(self, record, names):
        """Recompute on the draft ``record`` the fields of its own model that depend,
        directly or through each other, on the fields ``names``."""
        todo, done = list(names), set()
        while todo:
            name = todo.pop(0)
            for dependent, path in self.env.registry.triggers.get((self._name, name), ()):
                if path or dependent.model_name != self._name or dependent.name in done:
                    continue
                for field in self._fields_sharing_compute(dependent):
                    done.add(field.name)
                self._run_compute(self._fields_sharing_compute(dependent), record)
                todo.append(dependent.name)

    def _new_x2many(self, field, value):
        from ..fields import Command
        comodel = self.env[field.comodel_name]
        ids = []
        for code, rid, vals in field.normalize_commands(field, value):
            if code == Command.CREATE:
                vals = dict(vals)
                if field.type == "one2many":
                    vals.pop(field.inverse_name, None)
                ids.append(comodel.new(vals)._ids[0])
            elif code == Command.UPDATE:
                ids.append(comodel.new(vals, origin=comodel.browse(rid))._ids[0])
            elif code == Command.LINK:
                ids.append(rid)
            elif code in (Command.DELETE, Command.UNLINK):
                ids = [i for i in ids if i != rid]
            elif code == Command.CLEAR:
                ids = []
            elif code == Command.SET:
                ids = list(vals)
        return tuple(ids)

    def onchange(self, values, field_names, fields_spec=None):
        """Apply a change in a form: run ``@onchange`` methods and recompute what depends.

        Returns ``{'value': {changed fields: new values}, 'warning': {...}}``.
        """
        if isinstance(field_names, str):
            field_names = [field_names]
        # fields of groups the user is not in are not sent back, as read leaves them out
        names = [name for name in (fields_spec or self._fields)
                 if name not in self._fields or self._field_readable(self._fields[name])]
        origin = self.browse(values["id"]) if isinstance(values.get("id"), int) else None
        record = self.new({k: v for k, v in values.items() if k != "id" and k in self._fields},
                          origin=origin)
        # fields the client did not send count as unknown: their value is always returned
        unknown = object()
        before = {name: record._onchange_value(name) if name in values else unknown
                  for name in names if name in self._fields}
        warnings = record._apply_onchanges(list(field_names) or list(values))
        changed = {}
        for name in before:
            value = record._onchange_value(name)
            if before[name] is unknown or value != before[name]:
                changed[name] = value
        result = {"value": changed}
        if warnings:
            result["warning"] = {
                "title": warnings[0].get("title", ""),
                "message": "\n\n".join(w.get("message", "") for w in warnings),
                "type": warnings[0].get("type", "dialog"),
            }
        return result

    #: how many fields' onchange methods one change may run in turn (a guard against
    #: methods that keep changing each other's fields)
    MAX_ONCHANGE_ROUNDS = 50

    def _apply_onchanges(self, names):
        """What a change of the fields ``names`` of this draft record sets off: their
        ``@onchange`` methods run, the fields of the model that depend on them are
        recomputed, and so on for every field those change in turn.  Returns the
        warnings the methods gave."""
        registry = self.env.registry
        watched = {name for method in registry._decorated(self._name, "_onchange")
                   for name in method._onchange if name in self._fields}
        record = self
        cache = self.env.transaction.cache
        rid = record._ids[0]

        def snapshot():
            return {name: cache.get(record._cache_key(self._fields[name]), rid) for name in watched}

        warnings = []
        todo, done = list(names), set()
        rounds = 0
        while todo and rounds < self.MAX_ONCHANGE_ROUNDS:
            name = todo.pop(0)
            if name in done:
                continue
            done.add(name)
            methods = registry.onchange_methods(self._name, name)
            if methods:
                rounds += 1
                before = snapshot()
                for method in methods:
                    result = method(record)
                    if isinstance(result, dict) and result.get("warning"):
                        warnings.append(result["warning"])
                after = snapshot()
                todo.extend(n for n, value in after.items() if value != before[n] and n not in done)
            for dependent, path in registry.triggers.get((self._name, name), ()):
                if path or dependent.model_name != self._name:
                    continue
                self._run_compute(self._fields_sharing_compute(dependent), record)
                todo.append(dependent.name)
        return warnings

    def _onchange_value(self, name):
        field = self._fields[name]
        value = self[name]
        if field.type == "many2one":
            return (value.id, value.display_name) if value.id else False
        if field.relational:
            return [i if isinstance(i, int) else None for i in value._ids]
        return field.convert_to_read(value, self)
