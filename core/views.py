"""View architectures: inheritance by XPath, assembly, default views, validation,
groups filtering and the modifier expressions of Odoo 17.

This module works on lxml trees and on plain data; it never renders HTML and never
writes a view.  The ``ir.ui.view`` model (addons/base/models/ir_ui.py) stores views
and calls in here to assemble and check them.

- ``apply_inheritance(arch, extension_arch, view_name)``: one extension view applied
  to an architecture (``<xpath>``, shorthand locators, ``position`` values).
- ``combined_arch(env, view)``: a primary view with all its active extensions.
- ``default_arch(model, view_type)``: the view a model gets when it has none.
- ``validate_arch(env, model_name, arch, view_type, view_name)``: fields exist, the
  root tag fits the view type.
- ``apply_groups(model, arch)``: nodes the current user may not see are removed.
- ``evaluate_modifier(expression, values)`` and ``modifier_names(expression)``: a
  safe evaluator (ast, no ``eval``) for ``invisible``/``readonly``/``required``.
- ``arch_terms(arch)`` and ``translate_arch(arch, mapping)``: the texts of an
  architecture a translator translates (labels, placeholders, text content), and
  their replacement by translations.  Which catalog a view's terms come from is the
  business of ``ir.ui.view`` and core/i18n.py.
"""
import ast
import copy
import re

from lxml import etree

from .models.storage import MAGIC


class ViewError(ValueError):
    """A view that cannot be applied or is invalid; the message names the view."""


VIEW_TYPES_WITH_FIELDS = ("list", "tree", "form", "search", "kanban", "calendar", "graph", "pivot")
SUBVIEW_TAGS = ("list", "tree", "form", "kanban")
EXPRESSION_ATTRIBUTES = ("invisible", "readonly", "required", "column_invisible")
NOT_A_LOCATOR = ("position", "version")


# ------------------------------------------------------------------ parsing
def parse_arch(arch):
    """An lxml element from ``arch`` (text or element; an element is copied)."""
    if isinstance(arch, etree._Element):
        return copy.deepcopy(arch)
    if isinstance(arch, bytes):
        arch = arch.decode()
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    return etree.fromstring(arch.strip(), parser)


def tostring(element):
    return etree.tostring(element, encoding="unicode")


def _describe(spec):
    """The opening tag of a spec, to name it in an error: ``<field name="x" position="after">``."""
    attrs = "".join(f' {key}="{value}"' for key, value in spec.attrib.items())
    return f"<{spec.tag}{attrs}>"


# ------------------------------------------------------------------ inheritance
def locate(source, spec):
    """The first node of ``source`` that ``spec`` designates, or None."""
    if spec.tag == "xpath":
        try:
            found = source.xpath(spec.get("expr", ""))
        except etree.XPathError as exc:
            raise ViewError(f"invalid xpath expression {spec.get('expr')!r}: {exc}") from None
        found = [node for node in found if isinstance(node, etree._Element)]
        return found[0] if found else None
    wanted = {key: value for key, value in spec.attrib.items() if key not in NOT_A_LOCATOR}
    for node in source.iter(spec.tag):
        if all(node.get(key) == value for key, value in wanted.items()):
            return node
    return None


def _remove(node):
    """Take ``node`` out of its tree, keeping the text that follows it."""
    parent = node.getparent()
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    node.tail = None
    parent.remove(node)


def apply_inheritance(arch, extension_arch, view_name=None):
    """``arch`` with the specs of ``extension_arch`` applied.

    Both may be text or lxml elements; the result has the type of ``arch`` (text in,
    text out).  A spec that designates nothing raises ``ViewError`` naming
    ``view_name`` (text, or a callable returning it), the locator and its line in
    the extension.
    """
    as_text = not isinstance(arch, etree._Element)
    source = parse_arch(arch)
    extension = parse_arch(extension_arch)
    specs = list(extension) if extension.tag == "data" else [extension]
    while specs:
        spec = specs.pop(0)
        if not isinstance(spec.tag, str):
            continue
        if spec.tag == "data":
            specs[:0] = list(spec)
            continue
        source = _apply_spec(source, spec, view_name)
    return tostring(source) if as_text else source


def _name(view_name):
    """View names may be given lazily (a callable), as finding the xml id costs a query."""
    return (view_name() if callable(view_name) else view_name) or "?"


def _error(view_name, spec, message):
    line = f" (line {spec.sourceline})" if spec.sourceline else ""
    return ViewError(f"View {_name(view_name)}: {message}: {_describe(spec)}{line}")


def _apply_spec(source, spec, view_name):
    node = locate(source, spec)
    if node is None:
        raise _error(view_name, spec, "element cannot be located in parent view")
    position = spec.get("position", "inside")
    if position == "attributes":
        _apply_attributes(node, spec, view_name)
        return source
    if position not in ("inside", "after", "before", "replace"):
        raise _error(view_name, spec, f"invalid position {position!r}")
    content = []
    for child in spec:
        if not isinstance(child.tag, str):
            continue
        if child.get("position") == "move":
            moved = locate(source, child)
            if moved is None:
                raise _error(view_name, child, "element to move cannot be located in parent view")
            if moved is node or moved in node.iterancestors():
                raise _error(view_name, child, "cannot move a node into itself")
            _remove(moved)
            content.append(moved)
        else:
            content.append(copy.deepcopy(child))
    if position == "inside":
        for child in content:
            node.append(child)
    elif position == "after":
        anchor = node
        for child in content:
            anchor.addnext(child)
            anchor = child
    elif position == "before":
        for child in content:
            node.addprevious(child)
    elif spec.get("mode") == "inner":
        for child in list(node):
            node.remove(child)
        node.text = spec.text
        for child in content:
            node.append(child)
    else:  # replace
        parent = node.getparent()
        if parent is None:
            if len(content) != 1:
                raise _error(view_name, spec, "replacing the root needs exactly one element")
            return content[0]
        for child in content:
            node.addprevious(child)
        _remove(node)
    return source


def _apply_attributes(node, spec, view_name):
    for attribute in spec:
        if not isinstance(attribute.tag, str):
            continue
        if attribute.tag != "attribute" or not attribute.get("name"):
            raise _error(view_name, attribute, "expected <attribute name=\"...\">")
        name = attribute.get("name")
        value = (attribute.text or "").strip()
        if attribute.get("add") is not None or attribute.get("remove") is not None:
            if value:
                raise _error(view_name, attribute, "an <attribute> with add/remove has no text")
            separator = attribute.get("separator", ",")
            to_add = attribute.get("add") or ""
            to_remove = attribute.get("remove") or ""
            if name in EXPRESSION_ATTRIBUTES or name.startswith("decoration-"):
                if separator.strip() not in ("and", "or"):
                    raise _error(view_name, attribute,
                                 f"the separator of expression attribute {name!r} must be 'and' or 'or'")
                if to_remove:
                    raise _error(view_name, attribute, f"cannot remove from expression attribute {name!r}")
                old = node.get(name, "").strip()
                value = f"({old}) {separator.strip()} ({to_add})" if old and to_add else (old or to_add)
            else:
                split = None if separator.isspace() else separator
                removed = {item.strip() for item in to_remove.split(split)}
                kept = [item.strip() for item in node.get(name, "").split(split)
                        if item.strip() and item.strip() not in removed]
                added = [item.strip() for item in to_add.split(split) if item.strip()]
                value = (separator if split else " ").join(kept + added)
        if value:
            node.set(name, value)
        else:
            node.attrib.pop(name, None)


# ------------------------------------------------------------------ assembly
def _applies_to_user(env, view):
    if env.su or not view.groups_id:
        return True
    from . import security
    return bool(set(view.groups_id.ids) & set(security.user_group_ids(env)))


def view_label(view):
    """The view's xml id if it has one, else its name."""
    return view_xmlid(view) or view.name or f"ir.ui.view({view.id})"


def view_xmlid(view):
    if not view.id:
        return None
    rows = view.env["ir.model.data"].sudo().search_read(
        [("model", "=", "ir.ui.view"), ("res_id", "=", view.id)], ["module", "name"], limit=1)
    return f"{rows[0]['module']}.{rows[0]['name']}" if rows else None


def root_view(view):
    """The primary view ``view`` belongs to (itself when primary)."""
    seen = set()
    while view.mode != "primary" and view.inherit_id:
        if view.id in seen:
            raise ViewError(f"View {view_label(view)}: inheritance cycle")
        seen.add(view.id)
        view = view.inherit_id
    return view


def _apply_extensions(env, arch, view, depth=0, applied=None):
    if depth > 50:
        raise ViewError(f"View {view_label(view)}: extensions nested too deep (a cycle?)")
    children = env["ir.ui.view"].sudo().search(
        [("inherit_id", "=", view.id), ("mode", "=", "extension")], order="priority, id")
    for child in children:
        if not _applies_to_user(env, child):
            continue
        arch = apply_inheritance(arch, child.arch_db or "<data/>", lambda child=child: view_label(child))
        if applied is not None:
            applied.append(child)
        arch = _apply_extensions(env, arch, child, depth + 1, applied)
    return arch


def combined_arch(env, view, depth=0, applied=None):
    """The lxml tree of ``view``'s primary view with all its active extensions applied.

    A primary view that inherits starts from its parent's combined arch.  ``applied``,
    a list, receives every view that went into the result, in the order applied (the
    translations of their terms are those of the result)."""
    view = root_view(view.sudo())
    if depth > 50:
        raise ViewError(f"View {view_label(view)}: inheritance nested too deep (a cycle?)")
    if view.inherit_id:
        parent = combined_arch(env, view.inherit_id, depth + 1, applied)
        arch = apply_inheritance(parent, view.arch_db or "<data/>", lambda: view_label(view))
    else:
        if not view.arch_db:
            raise ViewError(f"View {view_label(view)}: empty architecture")
        try:
            arch = parse_arch(view.arch_db)
        except etree.XMLSyntaxError as exc:
            raise ViewError(f"View {view_label(view)}: invalid XML: {exc}") from None
    if applied is not None:
        applied.append(view)
    return _apply_extensions(env, arch, view, 0, applied)


# ------------------------------------------------------------------ default views
def default_arch(model, view_type):
    """The view ``model`` gets when none of ``view_type`` exists, as an lxml element."""
    name = model._rec_name
    if view_type in ("list", "tree"):
        root = etree.Element("list")
        etree.SubElement(root, "field", name=name or "id")
    elif view_type == "form":
        root = etree.Element("form")
        group = etree.SubElement(etree.SubElement(root, "sheet"), "group")
        for fname, field in model._fields.items():
            if field.store and fname not in MAGIC:
                etree.SubElement(group, "field", name=fname)
    elif view_type == "search":
        root = etree.Element("search")
        if name:
            etree.SubElement(root, "field", name=name)
    elif view_type == "kanban":
        # a card with the record's name
        root = etree.Element("kanban")
        card = etree.SubElement(etree.SubElement(root, "templates"), "t", {"t-name": "card"})
        etree.SubElement(card, "field", name=name if name in model._fields else "display_name")
    elif view_type in ("graph", "pivot"):
        root = etree.Element(view_type)        # the count, grouped by nothing: as in Odoo
    else:
        raise ViewError(f"Model {model._name} has no {view_type} view and there is no default one")
    return root


# ------------------------------------------------------------------ validation
def _check_root(arch, view_type, label):
    expected = ("list", "tree") if view_type in ("list", "tree") else (view_type,)
    if arch.tag not in expected:
        raise ViewError(f"View {_name(label)}: the root of a {view_type} view must be <{expected[0]}>, "
                        f"not <{arch.tag}>")


def validate_arch(env, model_name, arch, view_type, label):
    """Raise ``ViewError`` unless every ``<field>`` of ``arch`` exists on its model and the
    root tag fits ``view_type``; ``label`` (text or a callable) names the view."""
    if view_type not in VIEW_TYPES_WITH_FIELDS:
        return
    _check_root(arch, view_type, label)
    if model_name not in env:
        raise ViewError(f"View {_name(label)}: unknown model {model_name!r}")
    _validate_fields(env, env[model_name], arch, label)


def _validate_fields(env, model, node, label):
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "field" and child.get("name"):
            name = child.get("name")
            field = model._fields.get(name)
            if field is None:
                line = f" (line {child.sourceline})" if child.sourceline else ""
                raise ViewError(f"View {_name(label)}: field {name!r} does not exist in model "
                                f"{model._name}{line}")
            comodel_name = getattr(field, "comodel_name", None)
            for sub in child:
                if isinstance(sub.tag, str) and sub.tag in SUBVIEW_TAGS and comodel_name:
                    _validate_fields(env, env[comodel_name], sub, label)
                elif isinstance(sub.tag, str):
                    _validate_fields(env, model, sub, label)
        else:
            _validate_fields(env, model, child, label)


def used_fields(env, model_name, arch):
    """``{model name: [field names]}`` of the ``<field>`` nodes in ``arch`` and its sub-views."""
    result = {model_name: []}

    def walk(model, node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field" and child.get("name") in model._fields:
                name = child.get("name")
                if name not in result.setdefault(model._name, []):
                    result[model._name].append(name)
                comodel = getattr(model._fields[name], "comodel_name", None)
                for sub in child:
                    if isinstance(sub.tag, str) and sub.tag in SUBVIEW_TAGS and comodel:
                        walk(env[comodel], sub)
            else:
                walk(model, child)

    walk(env[model_name], arch)
    return result


# ------------------------------------------------------------------ groups
def apply_groups(model, arch):
    """Remove from ``arch`` (in place) the nodes the user may not see: those with a
    ``groups`` attribute the user is in none of, and fields restricted to groups on
    the model.  The superuser sees everything, as in the ORM."""
    if model.env.su:
        return arch
    _strip_groups(model, arch)
    return arch


def _strip_groups(model, node):
    for child in list(node):
        if not isinstance(child.tag, str):
            continue
        groups = child.get("groups")
        if groups:
            if not model._user_in_groups(groups):
                _remove(child)
                continue
            del child.attrib["groups"]
        if child.tag == "field":
            field = model._fields.get(child.get("name"))
            if field is not None and field.groups and not model._user_in_groups(field.groups):
                _remove(child)
                continue
            comodel = getattr(field, "comodel_name", None) if field is not None else None
            if comodel:
                for sub in child:
                    if isinstance(sub.tag, str) and sub.tag in SUBVIEW_TAGS:
                        _strip_groups(model.env[comodel], sub)
                continue
        _strip_groups(model, child)


# ------------------------------------------------------------------ terms
TRANSLATED_ATTRIBUTES = frozenset({"string", "help", "placeholder", "confirm", "sum", "avg", "title",
                                   "alt", "aria-label", "data-tooltip"})
"""The attributes whose values people read: labels, tooltips, confirmations, totals."""
_WORD = re.compile(r"[^\W\d_]")


def _is_term(text):
    """Text worth translating: it has a letter (not only digits, symbols or blanks)."""
    return bool(text) and bool(_WORD.search(text))


def arch_terms(arch):
    """The translatable terms of ``arch`` (text or element), in document order, each once.

    Terms are the values of :data:`TRANSLATED_ATTRIBUTES` and the stripped text nodes.
    In an extension, an ``<attribute name="string">`` gives a term, an
    ``<attribute name="invisible">`` (an expression) does not; locators (``<xpath>``,
    the attributes of a spec) give none.
    """
    root = parse_arch(arch) if not isinstance(arch, etree._Element) else arch
    terms = {}

    def add(text):
        text = (text or "").strip()
        if _is_term(text):
            terms.setdefault(text, None)

    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "attribute":
            if node.get("name") in TRANSLATED_ATTRIBUTES:
                add(node.text)
        elif node.tag != "xpath" and not node.get("position"):
            for name, value in node.attrib.items():
                if name in TRANSLATED_ATTRIBUTES:
                    add(value)
            add(node.text)
        if node is not root:
            add(node.tail)
    return list(terms)


def translate_arch(arch, mapping):
    """Replace, in place, every term of the element ``arch`` that ``mapping`` translates.

    ``mapping`` is ``{english term: translation}`` as :func:`arch_terms` finds terms
    (stripped); the whitespace around a text is kept.  Returns ``arch``.
    """
    if not mapping:
        return arch

    def translated(text):
        stripped = (text or "").strip()
        found = mapping.get(stripped) if stripped else None
        if not found:
            return text
        start = text.index(stripped)
        return text[:start] + found + text[start + len(stripped):]

    for node in arch.iter():
        if not isinstance(node.tag, str):
            continue
        for name, value in node.attrib.items():
            if name in TRANSLATED_ATTRIBUTES:
                node.set(name, translated(value))
        node.text = translated(node.text)
        if node is not arch:
            node.tail = translated(node.tail)
    return arch


# ------------------------------------------------------------------ modifiers
MAX_EXPRESSION = 1000
RESERVED_NAMES = frozenset({"context", "uid", "today", "now", "parent"})
_COMPARE = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
}


def _parse_modifier(expression):
    if not isinstance(expression, str):
        raise ValueError(f"a modifier is a string, not {type(expression).__name__}")
    if len(expression) > MAX_EXPRESSION:
        raise ValueError(f"modifier expression longer than {MAX_EXPRESSION} characters")
    try:
        return ast.parse(expression.strip() or "False", mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"invalid modifier expression {expression!r}: {exc.msg}") from None


def _refuse(node, expression):
    raise ValueError(f"{type(node).__name__} is not allowed in modifier expression {expression!r}")


def evaluate_modifier(expression, values):
    """The truth of a modifier expression (``invisible="state == 'done' or not partner_id"``)
    with the field values of ``values``.  Only names, constants, comparisons, ``and``,
    ``or``, ``not``, ``in`` and lists/tuples are allowed; ``parent.x`` reads
    ``values['parent']['x']``.  An unknown name or anything else raises ``ValueError``."""
    node = _parse_modifier(expression)

    def value(node):
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (str, int, float, bool, type(None))):
                _refuse(node, expression)
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ValueError(f"unknown name {node.id!r} in modifier expression {expression!r}")
            return values[node.id]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "parent":
            parent = values.get("parent")
            if not isinstance(parent, dict) or node.attr not in parent:
                raise ValueError(f"unknown name 'parent.{node.attr}' in modifier expression {expression!r}")
            return parent[node.attr]
        if isinstance(node, ast.BoolOp):
            result = None
            for operand in node.values:
                result = value(operand)
                if isinstance(node.op, ast.And) and not result:
                    return result
                if isinstance(node.op, ast.Or) and result:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            operand = value(node.operand)
            if isinstance(node.op, ast.Not):
                return not operand
            if isinstance(node.op, ast.USub) and isinstance(operand, (int, float)):
                return -operand
            _refuse(node, expression)
        if isinstance(node, ast.Compare):
            left = value(node.left)
            for op, comparator in zip(node.ops, node.comparators):
                right = value(comparator)
                try:
                    if not _COMPARE[type(op)](left, right):
                        return False
                except TypeError as exc:
                    raise ValueError(f"cannot evaluate modifier expression {expression!r}: {exc}") from None
                left = right
            return True
        if isinstance(node, (ast.List, ast.Tuple)):
            return tuple(value(element) for element in node.elts)
        _refuse(node, expression)

    return bool(value(node))


def modifier_names(expression):
    """The names an expression reads (``parent.x`` for the parent's fields), sorted;
    ``context``, ``uid``, ``today`` and ``now`` are not field names and are left out.
    Raises ``ValueError`` for what ``evaluate_modifier`` would refuse to run."""
    names = set()
    for node in ast.walk(_parse_modifier(expression)):
        if isinstance(node, ast.Attribute):
            if not (isinstance(node.value, ast.Name) and node.value.id == "parent"):
                _refuse(node, expression)
            names.add(f"parent.{node.attr}")
        elif isinstance(node, ast.Name) and node.id not in RESERVED_NAMES:
            names.add(node.id)
        elif isinstance(node, ast.Call | ast.Subscript | ast.Lambda | ast.comprehension | ast.Starred
                        | ast.NamedExpr | ast.Dict | ast.Set | ast.BinOp | ast.IfExp):
            _refuse(node, expression)
    return sorted(names)
