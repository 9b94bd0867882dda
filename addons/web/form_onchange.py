"""Live changes in a form: ``@api.onchange`` methods run over the values being edited,
and what the form must show again.

The onchange methods (and the computes that follow) run through the ORM's
``_apply_onchanges``, as for ``onchange()`` over RPC.

:func:`onchange_answer` is the answer of the ``/web/dataset/onchange`` route: the form's
current values are read like a posted form, a draft record is built from them, the
onchange methods of the changed field run (of the line's model first when a line
changed, then of the one2many on the form), and the answer holds the HTML of every
widget whose value is not what the browser has (computed and read-only fields always),
the cells of the lines likewise, and the modifiers of every node evaluated again, on
the server, with the new values.  Nothing is written.
"""
from core.exceptions import UserError

from .form_lines import LinesRenderer
from .form_render import FormRenderer
from .form_values import build_draft, editable, read_form, same_value

def onchange_answer(page, values, changed):
    """The answer of the onchange route for the form ``page`` (a FormPage) whose inputs
    hold ``values`` (``{input name: text}``), after the input ``changed`` changed."""
    arch = page.arch
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise UserError(page.fmt._("The form values must be an object."))
    values = {k: v for k, v in values.items() if isinstance(v, str)}
    parts = str(changed or "").split(".")
    name = parts[0]
    if name and name not in arch.field_names:
        raise UserError(page.fmt._("The form has no field “%s”.") % name)
    form_input = read_form(arch, page.fmt, page.record, values)
    draft = build_draft(arch, page.record, form_input)
    warnings = []
    field = arch.model._fields.get(name)
    if field is not None and field.type == "one2many" and len(parts) == 3 and parts[2] not in ("id", "_delete"):
        entry = next((e for e in form_input.lines.get(name, []) if e.key == parts[1] and not e.deleted), None)
        if entry is not None and parts[2] in entry.record._fields:
            warnings += entry.record._apply_onchanges([parts[2]])
    if name:
        warnings += draft._apply_onchanges([name])
    renderer = FormRenderer(arch, draft, mode="edit", fmt=page.fmt, context=page.window.context,
                            page_url=page.url(edit=1 if page.record else None), save_url=page.url(),
                            button_url=page.url(suffix="/button"), binary_url=page.binary_url,
                            form_input=form_input, record_id=page.record.id if page.record else False,
                            menu_id=page.window.menu_id)
    answer = {"fields": {}, "cells": {}, "columns": {}, "warning": None}
    for node in arch.field_nodes:
        fname = node.get("name")
        field = arch.field(node)
        if field.type == "one2many":
            lines = LinesRenderer(renderer, node)
            entries = form_input.lines.get(fname)
            if entries is None:
                continue
            answer["cells"].update(lines.cells_html(entries, _changed_cells(lines, entries)))
            continue
        if _unchanged(node, field, draft, form_input):
            continue
        answer["fields"][arch.key(node)] = str(renderer.field_widget(node))
    answer["modifiers"] = renderer.modifiers()
    for node in arch.field_nodes:
        if arch.field(node).type == "one2many" and node.get("name") in form_input.lines:
            lines = LinesRenderer(renderer, node)
            nodes, columns = lines.modifiers(form_input.lines[node.get("name")])
            answer["modifiers"].update(nodes)
            answer["columns"][node.get("name")] = columns
    if warnings:
        first = warnings[0]
        answer["warning"] = {"title": str(first.get("title") or ""),
                             "message": "\n\n".join(str(w.get("message") or "") for w in warnings)}
    return answer


def _unchanged(node, field, draft, form_input):
    """Does the browser already show the draft's value of this field?"""
    if field.type == "binary":
        return True                     # files are not sent with the values
    if not editable(node, field):
        return False                    # shown as text: always sent again
    if field.name in form_input.raw:
        return True                     # kept as the user typed it
    if field.name not in form_input.values:
        return False                    # not posted (a disabled input): sent again
    return _same(draft, field, form_input.values[field.name])


def _same(record, field, value):
    if field.type == "many2many":
        return set(record[field.name].ids) == set(value or [])
    return same_value(record, field, value)


def _changed_cells(lines, entries):
    """``{line key: {field names}}`` of the cells whose value the browser does not show."""
    changed = {}
    for entry in entries:
        if entry.deleted:
            continue
        names = set()
        for column in lines.sub.columns:
            field = lines.sub.field_of(column)
            if not editable(column, field):
                names.add(field.name)
            elif field.name in entry.raw:
                continue
            elif field.name not in entry.values or not _same(entry.record, field, entry.values[field.name]):
                names.add(field.name)
        if names:
            changed[entry.key] = names
    return changed
