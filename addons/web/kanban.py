"""The kanban view of a window: its arch, its cards, its columns.

:class:`KanbanArch` reads the window's ``<kanban>`` view: ``default_group_by``,
``default_order``, ``limit``, ``quick_create``, ``on_create``, ``create``,
``records_draggable``, the ``<progressbar field colors sum_field>``, and the card
template (``<t t-name="kanban-box">``, or ``card`` as Odoo 18 names it).

:class:`CardRenderer` renders that template for one record, on the server, with a
small and safe part of QWeb: ``<field>`` (formatted for the user, with the widgets
``many2many_tags``, ``priority``, ``many2one_avatar_user``/``avatar``, ``boolean``,
``activity_state``, ``monetary``...), ``t-if``/``t-elif``/``t-else``, ``t-esc``/``t-out`` (always
escaped), ``t-att-*``, ``t-attf-*``, ``t-att``, ``t-foreach``/``t-as`` and ``t-set``.
Expressions read ``record.<field>.value`` / ``.raw_value``, ``widget.editable``,
``kanban_color(n)``...; they are Odoo's JavaScript-flavoured expressions, turned into
Python (``&&``, ``||``, ``!``, ``===``, ``true``...) and run by
``core.tools.safe_eval`` over plain values only (never a record).  A directive this
client does not know is skipped with a logged warning; an expression that fails is a
UserError naming it.  Tags that could run code (``script``, ``iframe``...), event
attributes and ``javascript:`` links are dropped.

:class:`KanbanPage` is one request's board: grouped by a field (the search's first
group-by, else ``default_group_by``), one :class:`Column` per group (``read_group``;
a many2one's empty stages too when the field has ``group_expand`` or its comodel a
``fold`` field), each with its count, progress bar, sum and first cards; folded
columns (the comodel's ``fold``, or the user's ``fold=``/``unfold=``); more cards per
column with ``show=<key>:<n>``.  Ungrouped, a wrap of cards with a pager.  What
moving a card writes is :meth:`KanbanPage.group_value`.

Rendering of the page belongs to ``templates/web/kanban*.html``; the routes to
``controllers/kanbanview.py``.
"""
import inspect
import json
import logging
import re

from markupsafe import Markup, escape

from core import domain as dom
from core.exceptions import UserError
from core.tools.safe_eval import EvalError, safe_eval

from .formatting import selection_of
from .html_sanitize import sanitize_html
from .html_tools import safe_url
from .search import NUMBER_TYPES
from .view_page import ViewPage

_logger = logging.getLogger(__name__)

#: cards per column (and per page ungrouped) unless the arch's ``limit`` says otherwise
DEFAULT_LIMIT = 40
MAX_LIMIT = 1000
#: columns shown at most (a group-by with more groups shows the first ones)
MAX_COLUMNS = 60
#: a many2one's comodel with more records than this is not expanded into empty columns
MAX_EXPAND = 100
#: iterations of one t-foreach at most
MAX_FOREACH = 200
TEMPLATE_NAMES = ("kanban-box", "card")
#: field types a card can be moved by (their group value is written as it is)
MOVABLE_TYPES = ("many2one", "selection", "boolean", "char", "integer")
PROGRESS_COLORS = ("success", "warning", "danger", "info", "muted")
#: HTML tags a card template may use; others are dropped with their content
SAFE_TAGS = frozenset("""a abbr b blockquote br caption code dd del div dl dt em footer h1 h2 h3 h4 h5 h6
    header hr i img ins kbd label li mark ol p pre q s section small span strong sub sup table tbody td
    tfoot th thead time tr u ul""".split())
#: QWeb directives this client does not run; skipped without a warning
QUIET_DIRECTIVES = frozenset(("t-name", "t-key", "t-translation", "t-value"))
#: JavaScript spellings in Odoo's card expressions and their Python equivalent
JS_WORDS = {"true": "True", "false": "False", "null": "None", "undefined": "None",
            "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_JS_TOKENS = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(===|!==|&&|\|\||!(?!=))|\b(\w+)\b""")
_INTERPOLATION = re.compile(r"#\{(.+?)\}|\{\{(.+?)\}\}")
_RECORD_NAMES = re.compile(r"\brecord\.(\w+)")


def python_expression(expression):
    """An expression of a card template with its JavaScript spellings made Python."""
    def replace(match):
        string, operator, word = match.groups()
        if string:
            return string
        if operator:
            return {"===": "==", "!==": "!=", "&&": " and ", "||": " or ", "!": " not "}[operator]
        return JS_WORDS.get(word, word)
    return _JS_TOKENS.sub(replace, expression).strip()


def _flag(value, default=True):
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "")


def initials(name):
    """The initials an avatar without a picture shows: of the first two words."""
    words = [word for word in re.split(r"[\s\-_.@]+", name or "") if word]
    return "".join(word[0] for word in words[:2]).upper() or "?"


# ---------------------------------------------------------------- expression values
class FieldValue:
    """``record.<name>`` in a card expression: ``value`` (the text shown) and
    ``raw_value`` (ids, ISO dates, numbers, strings: never a record)."""

    __slots__ = ("_record", "_name", "_fmt")

    def __init__(self, record, name, fmt):
        self._record, self._name, self._fmt = record, name, fmt

    @property
    def value(self):
        return self._fmt.display(self._record, self._name)

    @property
    def raw_value(self):
        field = self._record._fields[self._name]
        value = self._record[self._name]
        if field.type == "many2one":
            return value.id or False
        if field.type in ("one2many", "many2many"):
            return list(value.ids)
        if field.type in ("date", "datetime"):
            return value.isoformat() if value else False
        if field.type == "binary":
            return bool(value)
        return value


class RecordValues:
    """``record`` in a card expression: the fields of the card, read lazily."""

    __slots__ = ("_record", "_fmt", "_names")

    def __init__(self, record, fmt, names):
        self._record, self._fmt, self._names = record, fmt, names

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"the card has no field {name!r} (declare it with <field name=\"{name}\"/>)")
        return FieldValue(self._record, name, self._fmt)


class WidgetValues:
    """``widget`` in a card expression: what the user may do with the card."""

    __slots__ = ("editable", "deletable")

    def __init__(self, editable, deletable):
        self.editable, self.deletable = editable, deletable

    @staticmethod
    def isHtmlEmpty(value):  # noqa: N802 - Odoo's name
        return not re.sub(r"<[^>]*>|&nbsp;|\s", "", str(value or ""))


def kanban_color(number):
    """The class of colour ``number`` (0-11) of a card, as Odoo names it."""
    return f"oe_kanban_color_{kanban_getcolor(number)}"


def kanban_getcolor(number):
    try:
        return int(number or 0) % 12
    except (TypeError, ValueError):
        return 0


# ---------------------------------------------------------------- the arch
class KanbanArch:
    """The kanban view of a window, read once per request."""

    def __init__(self, window, fmt):
        self.window = window
        self.fmt = fmt
        model = window.records
        view = window.view("kanban")
        root = view["root"]
        self.root = root
        self.view_fields = view.get("fields") or {}
        self.default_group_by = root.get("default_group_by") or None
        self.default_order = root.get("default_order") or None
        limit = root.get("limit") or ""
        self.limit = min(int(limit), MAX_LIMIT) if limit.isdigit() and int(limit) > 0 else DEFAULT_LIMIT
        self.can_create = _flag(root.get("create")) and window.can("create")
        self.can_write = _flag(root.get("edit")) and window.can("write")
        self.can_delete = _flag(root.get("delete")) and window.can("unlink")
        self.quick_create = _flag(root.get("quick_create")) and self.can_create
        self.on_create = root.get("on_create") or None
        self.draggable = _flag(root.get("records_draggable")) and self.can_write
        self.highlight_color = root.get("highlight_color") or root.get("color") or None
        self.progressbar = self._progressbar(root.find("progressbar"), model)
        self.template = next((node for node in root.iter("t") if node.get("t-name") in TEMPLATE_NAMES), None)
        if self.template is None:
            self.template = root.find("templates/t") if root.find("templates/t") is not None else root
        self.field_names = self._field_names(root, model)
        self.warned = set()

    def _progressbar(self, node, model):
        if node is None or node.get("field") not in model._fields:
            return None
        try:
            colors = json.loads(node.get("colors") or "{}")
        except ValueError:
            _logger.warning("kanban view of %s: the progressbar's colors are not JSON", model._name)
            colors = {}
        sum_field = node.get("sum_field")
        field = model._fields.get(sum_field)
        if field is None or field.type not in NUMBER_TYPES or not field.store:
            sum_field = None
        # the bar counts by grouping in the database: a field that is not stored (as Odoo's
        # activity_state) shows no bar, the column sums stay
        bar_field = node.get("field") if model._fields[node.get("field")].store else None
        return {"field": bar_field, "sum_field": sum_field,
                "colors": {str(k): v for k, v in colors.items() if v in PROGRESS_COLORS}}

    def _field_names(self, root, model):
        """The fields a card reads: its ``<field>`` nodes and the ``record.x`` of expressions."""
        names = [node.get("name") for node in root.iter("field") if node.get("name") in model._fields]
        for node in root.iter():
            for key, value in node.attrib.items():
                if key.startswith("t-"):
                    names.extend(_RECORD_NAMES.findall(value))
        result = []
        for name in names:
            field = model._fields.get(name)
            if field is None or name in result:
                continue
            if field.groups and not model._user_in_groups(field.groups):
                continue
            result.append(name)
        return result

    def warn(self, message):
        """Log ``message`` once per request (a template repeats for every card)."""
        if message not in self.warned:
            self.warned.add(message)
            _logger.warning("kanban view of %s: %s", self.window.model, message)


# ---------------------------------------------------------------- cards
class CardRenderer:
    """Renders the card template of ``arch`` for records (see the module's docstring)."""

    def __init__(self, arch, fmt, window):
        self.arch = arch
        self.fmt = fmt
        self.window = window
        self.model = window.records
        self.names = frozenset(arch.field_names)
        self.static = {
            "kanban_color": kanban_color, "kanban_getcolor": kanban_getcolor,
            "kanban_getcolorname": lambda n: str(kanban_getcolor(n)),
            "context": dict(window.context), "uid": window.env.uid,
            "read_only_mode": not arch.can_write, "selection_mode": False,
            "widget": WidgetValues(arch.can_write, arch.can_delete),
        }
        self._python = {}
        self._selections = {}

    def render(self, record, url):
        """The HTML of ``record``'s card (Markup); ``url`` opens its form."""
        names = dict(self.static)
        names["record"] = RecordValues(record, self.fmt, self.names)
        names["kanban_image"] = lambda model, field, rid, *rest: self.window.url(rid, suffix=f"/binary/{field}")
        context = {"names": names, "record": record, "url": url}
        out = []
        self._children(self.arch.template, context, out)
        return Markup("".join(out))

    # ------------------------------------------------------------ expressions
    def evaluate(self, expression, names):
        text = self._python.get(expression)
        if text is None:
            text = self._python[expression] = python_expression(expression)
            if re.search(r"\.\s*(format|format_map)\b", text):
                self._fail(expression, "string formatting is not allowed")
        try:
            return safe_eval(text, names)
        except EvalError as exc:
            self._fail(expression, str(exc))

    def _fail(self, expression, reason):
        raise UserError(self.fmt._("The kanban view of %(model)s cannot show its cards: the expression "
                                   "“%(expression)s” failed (%(reason)s).")
                        % {"model": self.window.model, "expression": expression, "reason": reason})

    def interpolate(self, text, names):
        """A ``t-attf-*`` value: ``#{expr}`` and ``{{expr}}`` replaced by their text."""
        def replace(match):
            return _text(self.evaluate(match.group(1) or match.group(2), names))
        return _INTERPOLATION.sub(replace, text)

    # ------------------------------------------------------------ nodes
    def _children(self, node, context, out):
        """Render ``node``'s content, running the t-if / t-elif / t-else chains."""
        if node.text:
            out.append(escape(node.text))
        chain_open = chain_done = False
        for child in node:
            if not isinstance(child.tag, str):        # comments, processing instructions
                if child.tail:
                    out.append(escape(child.tail))
                continue
            names = context["names"]
            show = True
            if child.get("t-if") is not None:
                show = bool(self.evaluate(child.get("t-if"), names))
                chain_open, chain_done = True, show
            elif child.get("t-elif") is not None:
                show = chain_open and not chain_done and bool(self.evaluate(child.get("t-elif"), names))
                chain_done = chain_done or show
            elif child.get("t-else") is not None:
                show = chain_open and not chain_done
                chain_open = False
            else:
                chain_open = False
            if show:
                self._node(child, context, out)
            if child.tail:
                out.append(escape(child.tail))

    def _node(self, node, context, out, repeated=False):
        names = context["names"]
        if node.get("t-foreach") is not None and not repeated:
            self._foreach(node, context, out)
            return
        if node.get("t-set") is not None:
            name = node.get("t-set")
            if node.get("t-value") is not None:
                names[name] = self.evaluate(node.get("t-value"), names)
            else:
                body = []
                self._children(node, context, body)
                names[name] = Markup("".join(body))
            return
        for key in node.attrib:
            if key.startswith("t-") and not _known_directive(key):
                self.arch.warn(f"the directive {key} is not supported and is ignored")
        if node.tag == "t":
            if node.get("t-call") is not None:
                return
            self._content(node, context, out)
        elif node.tag == "field":
            out.append(self.field(context["record"], node))
        elif node.tag in ("button", "widget"):
            self.arch.warn(f"<{node.tag}> is not shown on cards")
        elif node.tag not in SAFE_TAGS:
            self.arch.warn(f"the tag <{node.tag}> is not allowed on cards and is dropped")
        else:
            self._element(node, context, out)

    def _content(self, node, context, out):
        """An element's content: its ``t-esc``/``t-out`` value (escaped), else its children."""
        expression = node.get("t-out") if node.get("t-out") is not None else node.get("t-esc")
        if expression is not None:
            out.append(escape(_text(self.evaluate(expression, context["names"]))))
        else:
            self._children(node, context, out)

    def _foreach(self, node, context, out):
        names = context["names"]
        items = self.evaluate(node.get("t-foreach"), names)
        if isinstance(items, int) and not isinstance(items, bool):
            items = range(max(0, min(items, MAX_FOREACH)))
        if isinstance(items, dict):
            items = list(items.items())
        try:
            items = list(items or [])[:MAX_FOREACH]
        except TypeError:
            self._fail(node.get("t-foreach"), "not a list")
        alias = node.get("t-as") or "item"
        saved = dict(names)
        for index, item in enumerate(items):
            names.update({alias: item, f"{alias}_index": index, f"{alias}_first": index == 0,
                          f"{alias}_last": index == len(items) - 1, f"{alias}_value": item})
            self._node(node, context, out, repeated=True)
        names.clear()
        names.update(saved)

    def _element(self, node, context, out):
        names = context["names"]
        attributes = {}
        classes = []
        for key, value in node.attrib.items():
            if key.startswith("t-"):
                continue
            if key == "class":
                classes.append(value)
            elif not key.lower().startswith("on"):
                attributes[key] = value
        for key, value in node.attrib.items():
            if key == "t-att":
                mapping = self.evaluate(value, names)
                if isinstance(mapping, dict):
                    for name, item in mapping.items():
                        self._attribute(attributes, classes, str(name), item)
            elif key.startswith("t-att-"):
                self._attribute(attributes, classes, key[6:], self.evaluate(value, names))
            elif key.startswith("t-attf-"):
                self._attribute(attributes, classes, key[7:], self.interpolate(value, names))
        tag = node.tag
        if tag == "a" and attributes.get("type") in ("open", "edit"):
            attributes["href"] = context["url"]
            attributes.pop("type")
        elif tag == "a" and "type" in attributes:
            tag = "span"                   # actions of cards (delete, archive...) are not offered
            attributes.pop("type")
            attributes.pop("name", None)
        for key in ("href", "src", "action", "formaction", "xlink:href"):
            # the same check as every other link of the client (control characters and
            # whitespace inside "java script:" included)
            if key in attributes and safe_url(str(attributes[key])) is None:
                attributes.pop(key)
        if classes:
            attributes["class"] = " ".join(c for c in classes if c)
        out.append(Markup("<%s") % Markup(tag))
        for key, value in attributes.items():
            if re.fullmatch(r"[\w:.-]+", key):
                out.append(Markup(' %s="%s"') % (Markup(key), value))
        out.append(Markup(">"))
        if tag in ("br", "hr", "img"):
            return
        self._content(node, context, out)
        out.append(Markup("</%s>") % Markup(tag))

    @staticmethod
    def _attribute(attributes, classes, name, value):
        if value is None or value is False:
            return
        if not re.fullmatch(r"[\w:.-]+", name) or name.lower().startswith("on"):
            return
        if name == "class":
            classes.append(_text(value))
        else:
            attributes[name] = _text(value)

    # ------------------------------------------------------------ fields
    def field(self, record, node):
        """The HTML of a ``<field>`` of a card: its widget, else its formatted text."""
        name = node.get("name")
        if name not in self.names:
            return Markup("")
        field = record._fields[name]
        widget = node.get("widget") or ""
        if node.get("invisible") in ("1", "True", "true"):
            return Markup("")
        html = self._widget(record, field, widget)
        return Markup('<span class="o-field o-field-%s" data-name="%s">%s</span>') % (
            field.type, name, html)

    def _widget(self, record, field, widget):
        value = record[field.name]
        if field.type in ("many2many", "one2many") and widget in ("many2many_tags", "many2many_tags_avatar", ""):
            return self.tags(value)
        if field.type == "many2one" and widget in ("many2one_avatar_user", "many2one_avatar", "avatar",
                                                   "many2one_avatar_employee"):
            return self.avatar(value, label_too=widget == "many2one_avatar")
        if field.type == "selection" and widget == "priority":
            return self.priority(record, field)
        if field.type == "boolean":
            if widget == "boolean_favorite":
                return Markup('<span class="o-favorite%s" aria-label="%s">%s</span>') % (
                    " o-on" if value else "", self.fmt._("Favourite") if value else self.fmt._("Not a favourite"),
                    "★" if value else "☆")
            return Markup('<input type="checkbox" disabled%s aria-label="%s">') % (
                Markup(" checked") if value else "", _field_label(record, field))
        if field.type == "html":
            return sanitize_html(value or "")
        if field.type == "binary":
            return Markup("")
        text = self.fmt.display(record, field.name)
        if widget in ("badge", "label_selection", "state_selection") and text:
            return Markup('<span class="o-badge">%s</span>') % text
        if widget == "activity_state":
            # the state of the record's next activity (overdue / today / planned) as a coloured dot
            if not value:
                return Markup("")
            return Markup('<span class="o-activity-state o-activity-%s" title="%s" role="img" '
                          'aria-label="%s">●</span>') % (value, text, self.fmt._("Next activity: %s") % text)
        return escape(text)

    def tags(self, records):
        colored = "color" in records._fields
        return Markup('<span class="o-tags">%s</span>') % Markup("").join(
            Markup('<span class="o-tag%s">%s</span>') % (
                f" o-tag-color-{kanban_getcolor(tag.color)}" if colored and tag.color else "", tag.display_name)
            for tag in records)

    def avatar(self, record, label_too=False):
        """Initials in a coloured circle (the models here keep no pictures)."""
        if not record:
            return Markup('<span class="o-avatar o-avatar-empty" aria-hidden="true"></span>')
        name = record.display_name or ""
        html = Markup('<span class="o-avatar o-avatar-color-%s" title="%s" role="img" aria-label="%s">%s</span>') % (
            record.id % 12, name, name, initials(name))
        if label_too:
            html += Markup(' <span class="o-avatar-name">%s</span>') % name
        return html

    def priority(self, record, field):
        """Stars: buttons setting the priority when the user may write, else a read-only row."""
        choices = self.selection(field)
        if len(choices) < 2:
            return escape(self.fmt.display(record, field.name))
        value = record[field.name]
        keys = [key for key, _label in choices]
        level = keys.index(value) if value in keys else 0
        stars = []
        editable = self.arch.can_write
        for index, (key, label) in enumerate(choices[1:], start=1):
            on = index <= level
            # the highest star given clicked again takes the priority back to the first value
            target = keys[0] if index == level else key
            star = "★" if on else "☆"
            if editable:
                stars.append(Markup('<button type="submit" name="value" value="%s" class="o-star%s" '
                                    'title="%s" aria-label="%s" aria-pressed="%s">%s</button>') % (
                    target, " o-on" if on else "", label, self.fmt._("Priority: %s") % label,
                    "true" if on else "false", star))
            else:
                stars.append(Markup('<span class="o-star%s" title="%s">%s</span>') % (
                    " o-on" if on else "", label, star))
        current = dict(choices).get(value, "")
        stars_html = Markup("").join(stars)
        if not editable:
            return Markup('<span class="o-priority" role="img" aria-label="%s">%s</span>') % (
                self.fmt._("Priority: %s") % current, stars_html)
        return Markup('<form class="o-priority" method="post" action="%s" data-field="%s">'
                      '<input type="hidden" name="csrf_token" value="%s">'
                      '<input type="hidden" name="id" value="%s"><input type="hidden" name="field" value="%s">'
                      '%s</form>') % (
            self.window.url(suffix="/kanban/priority"), field.name, self.csrf_token, record.id, field.name,
            stars_html)

    csrf_token = ""

    def selection(self, field):
        if field.name not in self._selections:
            self._selections[field.name] = selection_of(self.model, field.name)
        return self._selections[field.name]


def _known_directive(key):
    return key in QUIET_DIRECTIVES or key in ("t-if", "t-elif", "t-else", "t-esc", "t-out", "t-foreach",
                                              "t-as", "t-set", "t-att", "t-call") \
        or key.startswith("t-att-") or key.startswith("t-attf-")


def _text(value):
    if value is None or value is False:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(item) for item in value)
    return str(value)


def _field_label(record, field):
    return field.string or field.name


# ---------------------------------------------------------------- the board
class Card:
    """A record of the board: its id, label, form URL and rendered HTML."""

    __slots__ = ("id", "label", "url", "html")

    def __init__(self, record_id, label, url, html):
        self.id, self.label, self.url, self.html = record_id, label, url, html


class Column:
    """A group of the board: label, count, progress, sum, folded or not, its first cards."""

    def __init__(self, key, value, label, count, domain):
        self.key = key              # the group's value as JSON text (URL parameters, data-key)
        self.value = value          # what moving a card here writes
        self.label = label
        self.count = count
        self.domain = domain
        self.folded = False
        self.default_folded = False
        self.toggle_url = None
        self.cards = []
        self.limit = 0
        self.more_url = None
        self.total = None           # the sum_field's sum, formatted
        self.progress = []          # [(value, label, color, count, percent)]

    @property
    def more(self):
        """How many cards of the column are not shown yet."""
        return max(0, self.count - len(self.cards))


class KanbanPage(ViewPage):
    """One request's kanban board of a window, as the query ``args`` describes it."""

    view_type = "kanban"

    def __init__(self, window, args, fmt):
        self.arch = KanbanArch(window, fmt)
        super().__init__(window, args, fmt)
        self.renderer = CardRenderer(self.arch, fmt, window)
        self.limit = self.arch.limit
        self.offset = _int(args.get("offset"), 0)
        self.fold = [key for key in args.getlist("fold") if key]
        self.unfold = [key for key in args.getlist("unfold") if key]
        self.show = {}
        for text in args.getlist("show"):
            key, _, count = text.rpartition(":")
            if key and count.isdigit():
                self.show[key] = min(int(count), MAX_LIMIT)
        self.group_spec = self._group_spec()
        name = self.group_spec.partition(":")[0] if self.group_spec else None
        self.group_field = self.model._fields[name] if name else None
        self.columns = []
        self.cards = []
        self.count = 0
        self.more_columns = False

    def _group_spec(self):
        """The search's first group-by, else the arch's ``default_group_by`` (if groupable)."""
        if self.state.groupby:
            return self.state.groupby[0]
        spec = self.arch.default_group_by
        if spec and spec.partition(":")[0] in self.model._fields:
            try:
                return self.search.check_groupby(spec)
            except UserError:
                _logger.warning("kanban view of %s: cannot group by %r", self.window.model, spec)
        return None

    # ------------------------------------------------------------ what the user may do
    @property
    def grouped(self):
        return self.group_spec is not None

    @property
    def movable(self):
        """May cards be moved between columns (the group field written)?"""
        field = self.group_field
        return bool(self.grouped and self.arch.draggable and ":" not in self.group_spec
                    and field.type in MOVABLE_TYPES and field.store and not field.readonly
                    and not (field.compute and not field.inverse and not field.store) and not field.related)

    @property
    def quick_create(self):
        """Does each column offer a quick create form (needs a name field to type)?"""
        rec_name = self.model._rec_name
        return bool(self.arch.quick_create and self.movable and rec_name in self.model._fields
                    and self.model._fields[rec_name].type == "char")

    # ------------------------------------------------------------ URLs
    def query(self, state=None, **changes):
        query = super().query(state)
        query["offset"] = self.offset or None
        query["fold"] = list(self.fold)
        query["unfold"] = list(self.unfold)
        query["show"] = [f"{key}:{count}" for key, count in self.show.items()]
        query.update(changes)
        return query

    def search_url(self, state):
        return self.url(state, offset=None, fold=[], unfold=[], show=[])

    def _toggle_url(self, column):
        if column.folded:
            if column.default_folded:
                return self.url(unfold=self.unfold + [column.key])
            return self.url(fold=[k for k in self.fold if k != column.key])
        if column.default_folded:
            return self.url(unfold=[k for k in self.unfold if k != column.key])
        return self.url(fold=self.fold + [column.key])

    def _more_url(self, column):
        show = dict(self.show)
        show[column.key] = len(column.cards) + self.limit
        return self.url(show=[f"{key}:{count}" for key, count in show.items()])

    # ------------------------------------------------------------ loading
    def load(self, cards=True, keys=None):
        """Read the board; ``cards=False`` reads the columns' headers only, ``keys`` (JSON
        keys) limits the columns to those."""
        try:
            if self.grouped:
                self._load_columns(cards, keys)
            elif cards:
                self._load_cards()
        except ValueError as exc:
            raise UserError(self.fmt._("Invalid search: %s") % exc) from None
        return self

    def _load_cards(self):
        records = self.model.search(self.domain, offset=self.offset, limit=self.limit,
                                    order=self.arch.default_order)
        self.count = self.model.search_count(self.domain)
        self.cards = self.make_cards(records)

    def _load_columns(self, cards, keys):
        progress = self.arch.progressbar
        aggregates = [f"{progress['sum_field']}:sum"] if progress and progress["sum_field"] else []
        raw = self.model.read_group(self.domain, aggregates, [self.group_spec], lazy=True, limit=MAX_COLUMNS + 1)
        self.more_columns = len(raw) > MAX_COLUMNS
        columns = [self._column(item) for item in raw[:MAX_COLUMNS]]
        columns = self._expand(columns)
        if keys is not None:
            columns = [column for column in columns if column.key in keys]
        self._folding(columns)
        if progress and progress["field"]:
            self._progress(columns, raw, progress)
        if cards:
            for column in columns:
                if not column.folded and column.count:
                    self._column_cards(column)
        self.columns = columns
        self.count = sum(column.count for column in columns)

    def _column(self, item):
        spec = self.group_spec
        field = self.group_field
        value = item.get(spec)
        name = field.name
        count = item.get(f"{name}_count", item.get("__count", 0))
        if field.type == "many2one":
            write = value[0] if value else False
        elif ":" in spec:
            write = (item.get("__range") or {}).get(spec, {}).get("from", value)
        else:
            write = value
        column = Column(self.column_key(write), write, self._label(value), count, item["__domain"])
        sum_field = self.arch.progressbar and self.arch.progressbar["sum_field"]
        if sum_field:
            column.total = self._format_sum(item.get(sum_field) or 0)
        return column

    def _label(self, value):
        field = self.group_field
        selection = dict(selection_of(self.model, field.name)) if field.type == "selection" else None
        return self.fmt.group_label(field, value, selection)

    def _format_sum(self, value):
        field = self.model._fields[self.arch.progressbar["sum_field"]]
        if field.type == "monetary":
            return self.fmt.monetary(value, self.window.env.company.currency_id)
        return self.fmt.integer(value) if field.type == "integer" else self.fmt.number(value, 2)

    def _expand(self, columns):
        """Empty columns of a many2one with group_expand or a ``fold`` comodel (stages), in the
        comodel's order; of a selection with group_expand, every value."""
        field = self.group_field
        if ":" in self.group_spec:
            return columns
        present = {column.value: column for column in columns}
        if field.type == "many2one":
            comodel = self.window.env[field.comodel_name]
            if not (field.group_expand or "fold" in comodel._fields):
                return columns
            targets = self._expanded_records(field, comodel, present)
            if targets is None:
                return columns
            order = [False] + targets.ids
            labels = dict((r.id, r.display_name) for r in targets)
        elif field.type == "selection" and field.group_expand:
            choices = selection_of(self.model, field.name)
            order = [False] + [key for key, _label in choices]
            labels = dict(choices)
        else:
            return columns
        result = []
        for value in order:
            if value in present:
                result.append(present.pop(value))
            elif value is not False:
                domain = dom.AND([self.domain, [(field.name, "=", value)]])
                result.append(Column(self.column_key(value), value, str(labels[value]), 0, domain))
        result.extend(present.values())
        return result

    def _expanded_records(self, field, comodel, present):
        """The comodel's records to show as columns, or None when there are too many."""
        existing = comodel.browse([v for v in present if v])
        method = getattr(self.model, field.group_expand, None) if isinstance(field.group_expand, str) else None
        if method is not None:
            arguments = len(inspect.signature(method).parameters)
            targets = method(existing, self.domain) if arguments < 3 else method(existing, self.domain, None)
            return targets[:MAX_EXPAND] if targets is not None else None
        domain = field.domain if isinstance(field.domain, list) else []
        targets = comodel.search(domain, limit=MAX_EXPAND + 1)
        if len(targets) > MAX_EXPAND:
            return None
        return targets

    def _folding(self, columns):
        fold_field = None
        if self.group_field.type == "many2one":
            comodel = self.window.env[self.group_field.comodel_name]
            fold_field = comodel._fields.get("fold")
            if fold_field is not None and fold_field.type == "boolean":
                ids = [column.value for column in columns if column.value]
                folded = set(comodel.browse(ids).filtered("fold").ids) if ids else set()
            else:
                folded = set()
        else:
            folded = set()
        for column in columns:
            column.default_folded = column.value in folded
            column.folded = (column.default_folded and column.key not in self.unfold) or column.key in self.fold
            column.toggle_url = self._toggle_url(column)

    def _progress(self, columns, raw, progress):
        name = progress["field"]
        field = self.model._fields[name]
        counts = self.model.read_group(self.domain, [], [self.group_spec, name], lazy=False)
        labels = dict(selection_of(self.model, name)) if field.type == "selection" else {}
        by_column = {}
        for item in counts:
            group_value = item.get(self.group_spec)
            if self.group_field.type == "many2one":
                group_value = group_value[0] if group_value else False
            elif ":" in self.group_spec:
                group_value = (item.get("__range") or {}).get(self.group_spec, {}).get("from", group_value)
            value = item.get(name)
            key = str(value[0] if isinstance(value, (list, tuple)) else value)
            by_column.setdefault(group_value, {}).setdefault(key, [value, 0])[1] += item["__count"]
        for column in columns:
            values = by_column.get(column.value, {})
            total = sum(count for _value, count in values.values())
            bars = []
            for key, color in progress["colors"].items():
                count = values.pop(key, [None, 0])[1]
                if count:
                    bars.append((key, str(labels.get(key, key)), color, count, 100.0 * count / total))
            other = sum(count for _value, count in values.values())
            if other:
                bars.append(("__other", self.fmt._("Other"), "other", other, 100.0 * other / total))
            column.progress = bars

    def _column_cards(self, column):
        limit = max(self.show.get(column.key, self.limit), 1)
        records = self.model.search(column.domain, limit=limit, order=self.arch.default_order)
        column.cards = self.make_cards(records)
        column.limit = limit
        if column.more:
            column.more_url = self._more_url(column)

    def column_cards(self, key, offset, limit=None):
        """The cards of the column ``key`` from ``offset`` on (the "load more" of a column)."""
        value = self.group_value(key)
        field = self.group_field
        domain = dom.AND([self.domain, [(field.name, "=", value)]])
        records = self.model.search(domain, offset=offset,
                                    limit=limit or self.limit, order=self.arch.default_order)
        return self.make_cards(records)

    # ------------------------------------------------------------ cards
    def make_cards(self, records):
        back = self.current_url
        render = self.renderer.render
        window = self.window
        cards = []
        for record in records:
            url = window.url(record.id, back=back)
            cards.append(Card(record.id, record.display_name or f"#{record.id}", url, render(record, url)))
        return cards

    # ------------------------------------------------------------ moves
    @staticmethod
    def column_key(value):
        """The key (JSON text) of the column of group value ``value``."""
        return json.dumps(value, ensure_ascii=False)

    def group_value(self, key):
        """The value of the group field that the column ``key`` (JSON text) stands for."""
        fmt = self.fmt
        if not self.movable:
            raise UserError(fmt._("Cards of this board cannot be moved between columns."))
        try:
            value = json.loads(key) if isinstance(key, str) else key
        except ValueError:
            value = None
        field = self.group_field
        valid = value is False or (
            (field.type == "many2one" and isinstance(value, int) and not isinstance(value, bool))
            or (field.type == "selection" and value in dict(selection_of(self.model, field.name)))
            or (field.type == "boolean" and isinstance(value, bool))
            or (field.type == "char" and isinstance(value, str))
            or (field.type == "integer" and isinstance(value, int) and not isinstance(value, bool)))
        if not valid:
            raise UserError(fmt._("There is no column “%s” on this board.") % key)
        if field.type == "many2one" and value:
            if not self.window.env[field.comodel_name].browse(value).exists():
                raise UserError(fmt._("There is no column “%s” on this board.") % key)
        return value

    def record(self, record_id):
        """The record ``record_id`` of the board's model, or a UserError."""
        try:
            record = self.model.browse(int(record_id)).exists()
        except (TypeError, ValueError):
            record = None
        if not record:
            raise UserError(self.fmt._("This record does not exist any more."))
        return record

    def resequence(self, ids):
        """Give the cards ``ids`` (a column, top to bottom) increasing sequences, reusing the
        sequences they have, so that cards elsewhere keep their places."""
        if "sequence" not in self.model._fields or not ids:
            return
        records = self.model.browse([int(i) for i in ids if str(i).isdigit()]).exists()
        by_id = {record.id: record for record in records}
        ordered = [by_id[int(i)] for i in ids if str(i).isdigit() and int(i) in by_id]
        sequences = sorted(record.sequence for record in ordered)
        for index in range(1, len(sequences)):
            if sequences[index] <= sequences[index - 1]:
                sequences[index] = sequences[index - 1] + 1
        for record, sequence in zip(ordered, sequences):
            if record.sequence != sequence:
                record.sequence = sequence

    # ------------------------------------------------------------ pager (ungrouped)
    @property
    def pager(self):
        """(first, last, total, previous url, next url) of an ungrouped board, or None."""
        if self.grouped or not self.cards:
            return None
        first, last = self.offset + 1, self.offset + len(self.cards)
        previous = self.url(offset=max(0, self.offset - self.limit) or None) if self.offset else None
        following = self.url(offset=self.offset + self.limit) if last < self.count else None
        return first, last, self.fmt.integer(self.count), previous, following


def _int(text, default):
    try:
        value = int(text)
    except (TypeError, ValueError):
        return default
    return max(value, 0)
