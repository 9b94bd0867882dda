"""A form view's architecture as the form pages use it, and its modifiers.

:class:`FormArch` wraps the ``get_view`` description of a form: each element gets a
stable key (``n12``: its position in the tree, the same for every request of the same
user, which is how the onchange answer names the nodes whose modifiers it reports),
the ``<field>`` nodes of the form itself (not those of its sub-views), the buttons a
user may press, and one :class:`SubView` per x2many field (the ``<list>`` inside the
field, or the comodel's list view).

Modifiers (``invisible``, ``readonly``, ``required``, ``column_invisible``) are
evaluated here with :func:`core.views.evaluate_modifier`, over the values of a record
as Odoo's client sees them (:func:`eval_values`): a many2one is its id, an x2many its
list of ids, a date its ISO text; plus ``id``, ``context``, ``uid``, ``today``, ``now``
and ``parent`` (the form's values, in a sub-view).

It renders nothing and parses nothing posted (``form_render.py``, ``form_values.py``).
"""
import datetime

from lxml import etree
from werkzeug.exceptions import BadRequest

from core.exceptions import UserError
from core.views import evaluate_modifier, modifier_names

MODIFIERS = ("invisible", "readonly", "required")
TRUE_TEXTS = ("1", "True", "true")
FALSE_TEXTS = ("0", "False", "false", "")
#: widgets that show a field without an input of their own
DISPLAY_WIDGETS = ("statusbar", "statinfo", "handle")


def static_modifier(node, name, default=False):
    """True/False when ``node``'s modifier ``name`` is a constant (or absent: ``default``),
    None when it is an expression to evaluate per record."""
    expression = node.get(name)
    if expression is None:
        return default
    expression = expression.strip()
    if expression in TRUE_TEXTS:
        return True
    if expression in FALSE_TEXTS:
        return False
    return None


def walk(node):
    """The elements under ``node`` in document order, without descending into
    ``<field>`` elements (their children are sub-views of another model)."""
    for child in node:
        if not isinstance(child.tag, str):
            continue
        yield child
        if child.tag != "field":
            yield from walk(child)


class SubView:
    """The list an x2many field shows its lines with."""

    def __init__(self, env, field, root, keys):
        self.field = field
        self.comodel = env[field.comodel_name]
        self.root = root
        self.keys = keys
        self.editable = bool(root.get("editable")) and root.tag in ("list", "tree")
        self.columns = [node for node in root if isinstance(node.tag, str) and node.tag == "field"
                        and node.get("name") in self.comodel._fields]
        self.names = _expression_names(root.iter(), self.comodel)
        self.parent_names = set()
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            for attribute in MODIFIERS + ("column_invisible",):
                expression = node.get(attribute)
                if expression and static_modifier(node, attribute) is None:
                    self.parent_names.update(n[7:] for n in modifier_names(expression)
                                             if n.startswith("parent."))

    def field_of(self, node):
        return self.comodel._fields[node.get("name")]


class FormArch:
    """The form view of a model for the current user, ready to render and to read back."""

    def __init__(self, env, model_name, description):
        self.env = env
        self.model = env[model_name]
        self.root = description["root"]
        self.view_id = description.get("id")
        self.keys = {}
        for index, node in enumerate(self.root.iter()):
            if isinstance(node.tag, str):
                self.keys[node] = f"n{index}"
        self.field_nodes = [node for node in walk(self.root)
                            if node.tag == "field" and node.get("name") in self.model._fields]
        self.field_names = list(dict.fromkeys(node.get("name") for node in self.field_nodes))
        self.modifier_nodes = [node for node in walk(self.root)
                               if any(node.get(m) is not None and static_modifier(node, m) is None
                                      for m in MODIFIERS)]
        self.names = _expression_names(walk(self.root), self.model)
        self.labelled = {node.get("for") for node in walk(self.root) if node.tag == "label"}
        self.buttons = {}
        for node in walk(self.root):
            if node.tag == "button" and node.get("name"):
                self.buttons.setdefault((node.get("type") or "object", node.get("name")), node)
        self._subviews = {}

    def key(self, node):
        return self.keys[node]

    def field(self, node):
        return self.model._fields[node.get("name")]

    def first_node(self, name):
        return next((node for node in self.field_nodes if node.get("name") == name), None)

    def subview(self, node):
        """The :class:`SubView` of the x2many field ``node`` (its inner ``<list>``, or the
        comodel's own list view)."""
        if node not in self._subviews:
            field = self.field(node)
            inner = next((child for child in node if isinstance(child.tag, str)
                          and child.tag in ("list", "tree")), None)
            if inner is not None:
                keys = self.keys
            else:
                description = self.env["ir.ui.view"].get_view(field.comodel_name, "list")
                inner = etree.fromstring(description["arch"])
                keys = {sub: f"{self.keys[node]}s{index}" for index, sub in enumerate(inner.iter())
                        if isinstance(sub.tag, str)}
            self._subviews[node] = SubView(self.env, field, inner, keys)
        return self._subviews[node]

    def statusbar_node(self):
        return next((node for node in self.field_nodes if node.get("widget") == "statusbar"), None)


def _expression_names(nodes, model):
    names = set()
    for node in nodes:
        if not isinstance(node.tag, str):
            continue
        for attribute in MODIFIERS + ("column_invisible",):
            expression = node.get(attribute)
            if expression and static_modifier(node, attribute) is None:
                try:
                    names.update(n for n in modifier_names(expression) if not n.startswith("parent."))
                except ValueError as exc:
                    raise UserError(f"The view of {model._name} has an invalid modifier: {exc}") from None
    return {name for name in names if name in model._fields}


# ---------------------------------------------------------------- values
def client_value(record, name):
    """The value of field ``name`` of ``record`` as a modifier expression reads it."""
    field = record._fields[name]
    value = record[name]
    kind = field.type
    if kind == "many2one":
        return value.id if value and isinstance(value.id, int) else False
    if kind in ("one2many", "many2many"):
        return [rid if isinstance(rid, int) else False for rid in value._ids]
    if kind == "date":
        return value.isoformat() if value else False
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M:%S") if value else False
    if kind == "binary":
        return bool(value)
    return value


def eval_values(record, names, context, record_id=None, parent=None):
    """The names a modifier of ``record`` may read."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    values = {name: client_value(record, name) for name in names}
    rid = record_id if record_id is not None else record.id
    values.update({
        "id": rid if isinstance(rid, int) and rid else False,
        "context": context, "uid": record.env.uid,
        "today": datetime.date.today().isoformat(),
        "now": now.strftime("%Y-%m-%d %H:%M:%S"),
    })
    if parent is not None:
        values["parent"] = parent
    return values


def evaluate(node, attribute, values, default=False):
    """The truth of ``node``'s modifier ``attribute`` with ``values``."""
    constant = static_modifier(node, attribute, default)
    if constant is not None:
        return constant
    try:
        return evaluate_modifier(node.get(attribute), values)
    except ValueError as exc:
        raise UserError(f"The view has an invalid {attribute} modifier: {exc}") from None


def field_modifiers(node, field, values):
    """``(invisible, readonly, required)`` of the field ``node``: the view's modifiers,
    else the field's own ``readonly`` and ``required``."""
    return (evaluate(node, "invisible", values),
            evaluate(node, "readonly", values, field.readonly),
            evaluate(node, "required", values, field.required))


def node_modifiers(node, values, field=None):
    """``{'invisible', 'readonly', 'required'}`` of any node (buttons, groups, pages, fields)."""
    if field is not None:
        invisible, readonly, required = field_modifiers(node, field, values)
    else:
        invisible, readonly, required = evaluate(node, "invisible", values), False, False
    return {"invisible": invisible, "readonly": readonly, "required": required}


def check_button(arch, kind, name):
    """The ``<button>`` node of type ``kind`` named ``name`` in the form, or BadRequest."""
    node = arch.buttons.get((kind, name))
    if node is None or (kind == "object" and (not name.isidentifier() or name.startswith("_"))):
        raise BadRequest(f"The form of {arch.model._description} has no button {name!r}.")
    return node
