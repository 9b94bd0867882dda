"""Reflection: the ``ir.model`` / ``ir.model.fields`` rows that describe the registry.

Client libraries learn what a database holds from these rows (``'res.partner' in
env`` searches ``ir.model``) and from ``fields_get``; both must agree with the code.
:func:`reflect` brings the rows in step with the registry the module manager just
built: one row per model (abstract and transient ones too, as Odoo does) and per
field, new rows created with their external ids (``model_<model>``,
``field_<model>__<field>``, owned by the addon that brings the model or the field),
changed attributes written, and rows of models or fields the code no longer has
deleted.  Uninstall removes the rows of an addon through those external ids
(``ModuleManager._delete_owned_records``); this module does not own that, nor the
schema itself (``core/db/schema.py``).
"""
import inspect

MODEL_ATTRIBUTES = ("name", "info", "modules", "transient", "abstract", "state")
FIELD_ATTRIBUTES = ("field_description", "help", "ttype", "relation", "relation_field",
                    "relation_table", "column1", "column2", "on_delete", "required", "readonly",
                    "store", "index", "copied", "translate", "related", "groups", "selection",
                    "modules", "state")


def reflect(env):
    """Create, update and delete rows of ir.model / ir.model.fields to match ``env.registry``."""
    model_ids = _reflect_models(env)
    _reflect_fields(env, model_ids)
    _remove_vanished_models(env, model_ids)
    _ensure_model_xmlids(env, model_ids)
    env.transaction.xmlids.clear()


# ---------------------------------------------------------------- ir.model
def model_values(registry, name):
    """The ir.model values of the registry's model ``name``."""
    cls = registry.models[name]
    definitions = registry.definitions.get(name) or [cls]
    doc = next((d.__doc__ for d in definitions if d.__dict__.get("__doc__")), None)
    modules = list(dict.fromkeys(d._module for d in definitions if d._module))
    return {"name": cls._description or name, "info": inspect.cleandoc(doc) if doc else False,
            "modules": ", ".join(modules) or False, "transient": bool(cls._transient),
            "abstract": bool(cls._abstract), "state": "base"}


def _reflect_models(env):
    """``{model name: ir.model id}`` for the registry's models, rows created or updated."""
    Model = env["ir.model"].with_context(lang="en_US")
    rows = {row["model"]: row for row in Model.search_read([], ["model", *MODEL_ATTRIBUTES])}
    registry = env.registry
    new = []
    for name in registry.models:
        values = model_values(registry, name)
        row = rows.get(name)
        if row is None:
            new.append(dict(values, model=name))
            continue
        changed = _changes(row, values)
        if changed:
            Model.browse(row["id"]).write(changed)
    ids = {name: row["id"] for name, row in rows.items()}
    if new:
        for values, record in zip(new, Model.create(new)):
            ids[values["model"]] = record.id
    return ids


def _remove_vanished_models(env, model_ids):
    """Rows of models no installed addon defines any more go, with their external ids."""
    gone = {name: rid for name, rid in model_ids.items() if name not in env.registry.models}
    if not gone:
        return
    fields = env["ir.model.fields"].search([("model", "in", sorted(gone))])
    _unlink_with_xmlids(env, fields)
    _unlink_with_xmlids(env, env["ir.model"].browse(sorted(gone.values())))
    for name in gone:
        del model_ids[name]


def _ensure_model_xmlids(env, model_ids):
    """``<addon>.model_<model>`` for every model, owned by the addon that defines it."""
    Data = env["ir.model.data"]
    known = {(r["module"], r["name"]) for r in Data.search_read([("model", "=", "ir.model")],
                                                                ["module", "name"])}
    rows = []
    for name, cls in env.registry.models.items():
        key = (cls._original_module, f"model_{name.replace('.', '_')}")
        if key not in known:
            rows.append({"module": key[0], "name": key[1], "model": "ir.model",
                         "res_id": model_ids[name], "noupdate": False})
    if rows:
        Data.create(rows)


# ---------------------------------------------------------------- ir.model.fields
def field_values(env, field):
    """The ir.model.fields values of ``field`` (without model, model_id and name)."""
    many2many = field.type == "many2many"
    return {
        "field_description": field.string or field.name, "help": field.help or False,
        "ttype": field.type,
        "relation": getattr(field, "comodel_name", None) or False,
        "relation_field": getattr(field, "inverse_name", None) or False,
        "relation_table": many2many and getattr(field, "relation", None) or False,
        "column1": many2many and getattr(field, "column1", None) or False,
        "column2": many2many and getattr(field, "column2", None) or False,
        "on_delete": field.type == "many2one" and getattr(field, "ondelete", None) or False,
        "required": bool(field.required), "readonly": bool(field.readonly), "store": bool(field.store),
        "index": bool(field.index), "copied": bool(field.copy), "translate": bool(field.translate),
        "related": field.related or False, "groups": field.groups or False,
        "selection": _selection_text(env, field), "modules": field.module or False, "state": "base",
    }


def _selection_text(env, field):
    """``"[('draft', 'Draft'), ...]"`` as Odoo shows a selection; False for other fields."""
    if field.type != "selection":
        return False
    try:
        pairs = field._selection_pairs(env)
    except Exception:  # noqa: BLE001 - a selection method may need data not loaded yet
        return False
    return str([tuple(pair) for pair in pairs])


def _reflect_fields(env, model_ids):
    """Rows for every field: created (with external ids), updated, or deleted when gone."""
    Fields = env["ir.model.fields"].with_context(lang="en_US")
    rows = {(r["model"], r["name"]): r
            for r in Fields.search_read([], ["model", "name", *FIELD_ATTRIBUTES])}
    registry = env.registry
    new, owners = [], []
    for model_name, cls in registry.models.items():
        for name, field in cls._fields.items():
            values = field_values(env, field)
            row = rows.pop((model_name, name), None)
            if row is None:
                new.append(dict(values, name=name, model=model_name, model_id=model_ids[model_name]))
                owners.append(field.module or cls._original_module)
                continue
            changed = _changes(row, values)
            if changed:
                Fields.browse(row["id"]).write(changed)
    # what is left are rows of fields the models no longer have (vanished models: later)
    stale = [row["id"] for (model_name, _), row in rows.items() if model_name in registry.models]
    if stale:
        _unlink_with_xmlids(env, Fields.browse(stale))
    if new:
        created = Fields.create(new)
        env["ir.model.data"].create([
            {"module": owner, "name": f"field_{row['model'].replace('.', '_')}__{row['name']}",
             "model": "ir.model.fields", "res_id": rid, "noupdate": False}
            for owner, row, rid in zip(owners, new, created.ids)])


# ---------------------------------------------------------------- helpers
def _changes(row, values):
    return {key: value for key, value in values.items() if row.get(key) != value}


def _unlink_with_xmlids(env, records):
    if not records:
        return
    env["ir.model.data"].search([("model", "=", records._name), ("res_id", "in", records.ids)]).unlink()
    records.unlink()
