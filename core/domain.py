"""Domains: parse, normalise, combine, compile to SQL, and evaluate in Python.

A domain is a list in prefix notation of ``'&'``, ``'|'``, ``'!'`` and terms
``(path, operator, value)`` (see ODOO_REFERENCE §4).  This module owns:

* structure: :func:`normalize` (explicit operators), :func:`AND`, :func:`OR`,
  :func:`parse` into a small tree;
* SQL: :class:`DomainCompiler` turns a tree into one SQLAlchemy boolean expression.
  Dotted paths and relational operators become sub-queries (``IN (SELECT ..)`` or
  ``EXISTS``), hierarchies become recursive CTEs or ``parent_path`` prefixes —
  never a list of ids fetched first;
* Python: :func:`evaluate` decides whether one record matches (``filtered_domain``).

Both sides follow one rule set, so ``search(d) == search([]).filtered_domain(d)``
(tests/core/test_domain_property.py checks it on random domains).  The rules that
are easy to get wrong on one side only:

* negation is exact: a term and its ``'!'`` together cover every row, NULLs included;
  through a path or an x2many, ``'!'`` is "no related record matches", not the
  negated operator on related records;
* a many2one is followed whatever its target's ``active``; an x2many only shows
  archived records when the sub-domain names ``active`` (as reading the field does);
* a non-stored related field is searched as its value: an empty many2one on the way
  is an empty value (``('country_code', '=', False)`` matches partners without country);
* ``=like`` patterns use ``\\`` as escape character on every database; ``like`` needs
  a field with one text form everywhere (text, selection, integer, many2one, date).

It does not own access rules (folded in by the model's search) nor ordering.
"""
import re
from datetime import datetime

import sqlalchemy as sa

TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
TRUE_DOMAIN = [TRUE_LEAF]
FALSE_DOMAIN = [FALSE_LEAF]

TERM_OPERATORS = (
    "=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like",
    "ilike", "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
)
NEGATIVE_OPERATORS = ("!=", "not like", "not ilike", "not in", "not any")
NEGATION = {
    "=": "!=", "!=": "=", "like": "not like", "not like": "like", "ilike": "not ilike",
    "not ilike": "ilike", "in": "not in", "not in": "in", "any": "not any", "not any": "any",
}
LIKE_OPERATORS = ("like", "not like", "ilike", "not ilike", "=like", "=ilike")
# like compares text: these types are text, or have one text form on every database
TEXT_TYPES = ("char", "text", "html", "selection")
LIKE_TYPES = TEXT_TYPES + ("integer", "many2one", "date")
NAME_OPERATORS = ("=", "!=", "like", "not like", "ilike", "not ilike", "=like", "=ilike",
                  "in", "not in")


# ------------------------------------------------------------------ structure
def is_operator(item):
    return isinstance(item, str) and item in ("&", "|", "!")


def is_leaf(item):
    return isinstance(item, (list, tuple)) and len(item) == 3 and not is_operator(item)


def _check_leaf(leaf):
    path, operator, _value = leaf
    if tuple(leaf) in (TRUE_LEAF, FALSE_LEAF):
        return (path, "=", 1)
    if not isinstance(path, str) or not path:
        raise ValueError(f"Invalid domain term {leaf!r}: the field path must be a non-empty string")
    if not isinstance(operator, str):
        raise ValueError(f"Invalid domain term {leaf!r}: the operator must be a string")
    op = operator.lower()
    if op == "<>":
        op = "!="
    if op not in TERM_OPERATORS:
        raise ValueError(f"Invalid domain term {leaf!r}: unknown operator {operator!r}")
    return (path, op, leaf[2])


def normalize(domain):
    """The domain with every implicit ``'&'`` made explicit; checks its structure."""
    if domain is None:
        return []
    if not isinstance(domain, (list, tuple)):
        raise ValueError(f"Invalid domain {domain!r}: a list was expected")
    result = []
    expected = 1  # number of terms still expected to complete the expression
    for item in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if is_operator(item):
            expected += 0 if item == "!" else 1
            result.append(item)
        elif is_leaf(item):
            expected -= 1
            result.append(_check_leaf(item))
        else:
            raise ValueError(f"Invalid domain item {item!r} in {domain!r}")
    if expected > 0 and result:
        raise ValueError(f"Invalid domain {domain!r}: an operator misses its operands")
    return result


def _combine(operator, unit, zero, domains):
    result, count = [], 0
    for domain in domains:
        domain = normalize(domain)
        if domain == [unit] or domain == list(unit) or not domain:
            continue
        if domain == [zero]:
            return [zero]
        result += domain
        count += 1
    if not count:
        return [unit]
    return [operator] * (count - 1) + result


def AND(domains):
    """Conjunction of domains; ``AND([]) == TRUE_DOMAIN``."""
    return _combine("&", TRUE_LEAF, FALSE_LEAF, domains)


def OR(domains):
    """Disjunction of domains; ``OR([]) == FALSE_DOMAIN``."""
    return _combine("|", FALSE_LEAF, TRUE_LEAF, [d if d else [TRUE_LEAF] for d in domains])


# The tree: ("and", [nodes]) | ("or", [nodes]) | ("not", node) | ("leaf", path, op, value)
def parse(domain):
    items = normalize(domain)
    if not items:
        return ("and", [])
    position = 0

    def take():
        nonlocal position
        item = items[position]
        position += 1
        if item == "!":
            return ("not", take())
        if item in ("&", "|"):
            left, right = take(), take()
            kind = "and" if item == "&" else "or"
            children = []
            for child in (left, right):
                children.extend(child[1] if child[0] == kind else [child])
            return (kind, children)
        return ("leaf",) + tuple(item)

    node = take()
    if position != len(items):
        raise ValueError(f"Invalid domain {domain!r}: unexpected trailing items")
    return node


def mentions_field(node, name):
    """True if a term of the tree starts its path with ``name``."""
    if node[0] == "leaf":
        return isinstance(node[1], str) and node[1].split(".")[0] == name
    if node[0] == "not":
        return mentions_field(node[1], name)
    return any(mentions_field(child, name) for child in node[1])


# ------------------------------------------------------------------ values
def _like_escape(value):
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_like_type(field, op):
    if field.type not in LIKE_TYPES:
        raise ValueError(f"Operator {op!r} is not supported on {field.model_name}.{field.name} "
                         f"({field.type}): it compares text")


def _raw_pattern(value):
    """The pattern of ``=like`` / ``=ilike``: ``%`` and ``_`` are wildcards, ``\\`` escapes."""
    pattern = str(value)
    if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
        raise ValueError(f"Invalid pattern {value!r}: it ends with an unpaired escape character '\\'")
    return pattern


def _pattern_regex(pattern):
    """The regular expression of a raw LIKE pattern (Python side of ``=like``)."""
    parts, chars = [], iter(pattern)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars)))
        else:
            parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return "".join(parts)


def _is_false(value):
    return value is False or value is None


def _datetime_bound(value, operator):
    """A date string compared with a datetime covers the whole day."""
    if isinstance(value, str) and len(value) == 10:
        suffix = " 23:59:59" if operator in (">", "<=") else " 00:00:00"
        return datetime.strptime(value + suffix, "%Y-%m-%d %H:%M:%S")
    return value


def _coerce(field, value, operator="="):
    """A comparison value converted for the column (dates, datetimes, numbers, ids)."""
    if _is_false(value):
        return None
    ftype = field.type
    try:
        if ftype == "date":
            return field.to_date(value)
        if ftype == "datetime":
            return field.to_datetime(_datetime_bound(value, operator))
    except (TypeError, ValueError):
        raise ValueError(f"Invalid value {value!r} for {field.model_name}.{field.name} "
                         f"({ftype}) in domain") from None
    if ftype == "boolean":
        return bool(value)
    if ftype in ("integer", "many2one", "float", "monetary"):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float)):
            return value
        # refused here, the same on every database (PostgreSQL would fail, SQLite not match)
        try:
            return float(value) if ftype in ("float", "monetary") else int(value)
        except (TypeError, ValueError):
            raise ValueError(f"Invalid value {value!r} for {field.model_name}.{field.name} "
                             f"({ftype}) in domain: a number was expected") from None
    return value


def _matches_empty(model, field, op, value):
    """Does a record whose ``field`` is empty match ``(field, op, value)``?"""
    if op in ("any", "not any"):
        return op == "not any"
    if op in ("child_of", "parent_of"):
        return False
    if field.type in ("one2many", "many2many"):
        return _evaluate_x2many(model.env[field.comodel_name], op, value)
    if field.type == "many2one" and DomainCompiler._is_name_value(value) and op in NAME_OPERATORS:
        return op in NEGATIVE_OPERATORS
    return compare(field, None, op, value)


def _related_domain(model, field, op, value):
    """The domain that searches the non-stored related field ``field`` (as Odoo 17 does).

    ``('country_code', '=', 'BE')`` becomes ``('country_id', 'any', [('code', '=', 'BE')])``.
    When the term also holds for an empty value (``= False``, ``!= 'BE'``, ``not in
    ['BE']``), records whose many2one on the way is empty match too: their related value
    is empty as well.
    """
    target = model
    for name in field.related.split(".")[:-1]:
        target = model.env[target._fields[name].comodel_name]
    can_be_null = _matches_empty(target, target._fields[field.related.split(".")[-1]], op, value)

    def make(path, model):
        if "." not in path:
            return [(path, op, value)]
        head, rest = path.split(".", 1)
        step = model._fields[head]
        domain = [(head, "any", make(rest, model.env[step.comodel_name]))]
        if can_be_null and step.type == "many2one" and not step.required:
            return OR([domain, [(head, "=", False)]])
        return domain

    return make(field.related, model)


# ------------------------------------------------------------------ compiler
def apply_joins(source, joins):
    """``source`` joined with the ``(alias, on, key, inner)`` joins of a compiler."""
    for alias, on, _key, inner in joins:
        source = source.join(alias, on) if inner else source.outerjoin(alias, on)
    return source


class DomainCompiler:
    """Compiles a domain tree over one model into an SQLAlchemy expression.

    ``model`` is an (empty) recordset: its environment gives the context (language,
    ``active_test``) and lets fields with a ``search`` method rewrite their terms.
    """

    def __init__(self, model, joins=None):
        self.model = model
        self.env = model.env
        self.registry = model.env.registry
        # LEFT OUTER JOINs of many2one paths, to add to the FROM of the query
        # being built: [(alias, on clause)]; shared with nested compilers of joined tables
        self.joins = [] if joins is None else joins
        # True while compiling a term every matching row must satisfy (only ANDs above
        # it): a many2one path there may INNER JOIN, which lets the database start from
        # the comodel's table when that is cheaper
        self.required = True

    def select_from(self, table):
        """``table`` with the joins the compiled domain needs."""
        return apply_joins(table, self.joins)

    def _join_is_inner(self, alias):
        return any(inner for joined, _on, _key, inner in self.joins if joined is alias)

    def _join_many2one(self, table, field):
        """The comodel of a many2one, joined to ``table`` (one alias per table and field)."""
        for index, (alias, on, key, inner) in enumerate(self.joins):
            if key == (table, field.name):
                if inner and not self.required:
                    self.joins[index] = (alias, on, key, False)
                return alias
        alias = self.registry.tables[field.comodel_name].alias()
        self.joins.append((alias, alias.c.id == table.c[field.name], (table, field.name), self.required))
        return alias

    # entry point
    def compile(self, domain, table=None, active_test=None):
        node = parse(domain) if not isinstance(domain, tuple) else domain
        model = self.model
        table = table if table is not None else self.registry.tables[model._name]
        expr = self._node(model, table, node)
        if active_test is None:
            active_test = model.env.context.get("active_test", True)
        active = model._active_name
        if active_test and active and not mentions_field(node, active):
            expr = sa.and_(table.c[active].is_(True) if self.dialect == "postgresql"
                           else table.c[active] == sa.true(), expr)
        return expr

    @property
    def dialect(self):
        return self.env.cr.dialect

    def _node(self, model, table, node):
        kind = node[0]
        if kind == "and":
            return sa.and_(sa.true(), *(self._node(model, table, c) for c in node[1])) \
                if node[1] else sa.true()
        if kind in ("or", "not"):
            # below OR / NOT a row may match without the joined record: outer joins only
            required, self.required = self.required, False
            try:
                if kind == "not":
                    return self._negate(model, table, node[1])
                return sa.or_(*(self._node(model, table, c) for c in node[1]))
            finally:
                self.required = required
        return self._leaf(model, table, node[1], node[2], node[3])

    def _negate(self, model, table, node):
        """The exact complement of ``node``, NULL rows included."""
        if node[0] == "not":
            return self._node(model, table, node[1])
        if node[0] == "and":
            return sa.or_(*(self._negate(model, table, c) for c in node[1])) if node[1] else sa.false()
        if node[0] == "or":
            return sa.and_(*(self._negate(model, table, c) for c in node[1]))
        _, path, op, value = node
        if op in NEGATION and self._negation_is_exact(model, path, op, value):
            return self._leaf(model, table, path, NEGATION[op], value)
        return sa.not_(sa.func.coalesce(self._leaf(model, table, path, op, value), sa.false()))

    @staticmethod
    def _negation_is_exact(model, path, op, value):
        """True when the negated operator selects exactly the rows the term does not.

        That holds on a column of this model (``!=`` keeps NULLs, ``not in`` too...),
        but not through a path or an x2many: ``('line_ids.qty', '!=', 1)`` means "some
        line differs", not "no line equals".  Those get ``NOT COALESCE(term, FALSE)``.
        """
        if not isinstance(path, str) or "." in path:
            return False
        field = model._fields.get(path)
        if field is None or not (field.store or field.name == "id"):
            return False
        if field.type in ("one2many", "many2many"):
            return False
        return not (op in ("like", "ilike", "not like", "not ilike") and value == "")

    # ---------------------------------------------------------------- terms
    def _leaf(self, model, table, path, op, value):
        if path in (1, 0) and op == "=" and value == 1:
            return sa.true() if path == 1 else sa.false()
        if not isinstance(path, str):
            raise ValueError(f"Invalid domain term {(path, op, value)!r}")
        head, _, rest = path.partition(".")
        field = model._fields.get(head)
        if field is None:
            raise ValueError(f"Invalid field {model._name}.{head} in domain term {(path, op, value)!r}")
        if field.groups:
            model._check_field_access([head], "search")
        if op == "=?":
            if _is_false(value):
                return sa.true()
            op = "="
        if op in ("=", "!=") and isinstance(value, (list, tuple)):
            op = "in" if op == "=" else "not in"
        if op in ("in", "not in") and isinstance(value, bool):
            op = "=" if op == "in" else "!="

        # fields that are not columns: rewrite the term
        if not field.store and field.name != "id":
            return self._non_stored(model, table, field, rest, op, value)
        if rest:
            if not field.relational:
                raise ValueError(f"Invalid path {path!r}: {model._name}.{head} is not relational")
            sub = [(rest, op, value)]
            return self._any(model, table, field, sub, negate=False, dotted=True)
        if op in ("any", "not any"):
            if not field.relational:
                raise ValueError(f"Operator {op!r} needs a relational field, not {model._name}.{head}")
            return self._any(model, table, field, value, negate=(op == "not any"))
        if op in ("child_of", "parent_of"):
            return self._hierarchy(model, table, field, op, value)
        if field.type in ("one2many", "many2many"):
            return self._x2many(model, table, field, op, value)
        if field.type == "many2one" and self._is_name_value(value) and op in NAME_OPERATORS:
            return self._by_name(model, table, field, op, value)
        return self._column(model, table, field, op, value)

    def _non_stored(self, model, table, field, rest, op, value):
        if field.related:
            if rest:
                return self._leaf(model, table, f"{field.related}.{rest}", op, value)
            return self._node(model, table, parse(_related_domain(model, field, op, value)))
        if field.search:
            method = field.search if callable(field.search) else getattr(model, field.search)
            domain = method(op, value) if not callable(field.search) else method(model, op, value)
            return self._node(model, table, parse(domain))
        raise ValueError(f"Field {model._name}.{field.name} is not stored and has no search "
                         f"method: it cannot be searched")

    @staticmethod
    def _is_name_value(value):
        if isinstance(value, str):
            return True
        return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) for v in value)

    def column_expr(self, model, table, field):
        """The SQL expression of a field's value (a translated field in the user's language)."""
        column = table.c[field.name]
        if getattr(field, "translate", False):
            lang = self.env.lang
            english = column["en_US"].as_string()
            if lang == "en_US":
                return english
            # an empty translation shows the English text (as reading the field does)
            return sa.func.coalesce(sa.func.nullif(column[lang].as_string(), ""), english)
        return column

    def _column(self, model, table, field, op, value):
        column = self.column_expr(model, table, field)
        ftype = field.type
        if op in ("=", "!="):
            if ftype == "boolean":
                is_true = column == sa.true()
                is_false = sa.or_(column.is_(None), column == sa.false())
                return is_true if bool(value) == (op == "=") else is_false
            if _is_false(value):
                return column.is_(None) if op == "=" else column.isnot(None)
            value = _coerce(field, value, op)
            if op == "=":
                return column == value
            return sa.or_(column != value, column.is_(None))
        if op in ("in", "not in"):
            if isinstance(value, sa.ScalarSelect) and op == "in":
                return column.in_(value)  # a sub-query of this compiler (hierarchies)
            if not isinstance(value, (list, tuple, set, frozenset)):
                value = [value]
            values = list(value)
            has_false = any(_is_false(v) for v in values)
            if ftype == "boolean":
                truths = {bool(v) for v in values}
                is_true = column == sa.true()
                is_false = sa.or_(column.is_(None), column == sa.false())
                if op == "not in":
                    truths = {True, False} - truths
                if truths == {True, False}:
                    return sa.true()
                return is_true if truths == {True} else is_false if truths else sa.false()
            plain = [_coerce(field, v, op) for v in values if not _is_false(v)]
            if op == "in":
                parts = [column.in_(plain)] if plain else []
                if has_false:
                    parts.append(column.is_(None))
                return sa.or_(*parts) if parts else sa.false()
            if has_false:
                return sa.and_(column.not_in(plain), column.isnot(None)) if plain else column.isnot(None)
            return sa.or_(column.not_in(plain), column.is_(None)) if plain else sa.true()
        if op in ("<", ">", "<=", ">="):
            if _is_false(value):
                return sa.false()
            value = _coerce(field, value, op)
            return {"<": column < value, ">": column > value,
                    "<=": column <= value, ">=": column >= value}[op]
        if op in LIKE_OPERATORS:
            _check_like_type(field, op)
            if ftype not in TEXT_TYPES:
                column = sa.cast(column, sa.String)  # integers and dates as their text
            return self._like(column, op, value)
        raise ValueError(f"Operator {op!r} is not supported on {model._name}.{field.name} ({ftype})")

    def _like(self, column, op, value):
        if op in ("=like", "=ilike"):
            if _is_false(value):
                return sa.false()
            pattern = _raw_pattern(value)
            if op == "=like":
                return column.like(pattern, escape="\\")
            return sa.func.lower(column).like(pattern.lower(), escape="\\")
        if _is_false(value) or value == "":
            return sa.true() if op in ("like", "ilike") else sa.false()
        pattern = f"%{_like_escape(value)}%"
        if op in ("like", "not like"):
            positive = column.like(pattern, escape="\\")
        else:
            positive = sa.func.lower(column).like(pattern.lower(), escape="\\")
        if op.startswith("not"):
            return sa.or_(sa.not_(positive), column.is_(None))
        return positive

    # ---------------------------------------------------------------- relations
    def _subquery_ids(self, comodel_name, domain, active_test):
        """``SELECT id FROM comodel WHERE <domain>`` as a scalar sub-select."""
        comodel = self.env[comodel_name]
        if active_test is not None:
            comodel = comodel.with_context(active_test=active_test)
        alias = self.registry.tables[comodel_name].alias()
        compiler = DomainCompiler(comodel)
        where = compiler.compile(domain, alias)
        rules = comodel._rules_expression(alias)
        if rules is not None:
            where = sa.and_(where, rules)
        return sa.select(alias.c.id).select_from(compiler.select_from(alias)).where(where)

    def _any(self, model, table, field, domain, negate, dotted=False):
        if not isinstance(domain, (list, tuple)):
            raise ValueError(f"Operator 'any' on {model._name}.{field.name} needs a domain, got {domain!r}")
        if field.type == "many2one":
            # joined, not a sub-select: the comodel's condition is then only evaluated
            # for the rows the rest of the WHERE keeps (a many2one adds no rows)
            comodel = self.env[field.comodel_name].with_context(active_test=False)
            required, self.required = self.required, self.required and not negate
            try:
                alias = self._join_many2one(table, field)
                nested = DomainCompiler(comodel, self.joins)
                nested.required = self.required
                where = nested.compile(domain, alias)
            finally:
                self.required = required
            rules = comodel._rules_expression(alias)
            # an outer join finds a row without the record too: the joined id says.
            # (Not ``table.many2one IS NOT NULL``: SQLite would then scan that index.)
            present = [] if self._join_is_inner(alias) else [alias.c.id.isnot(None)]
            positive = sa.and_(*present, where, *([rules] if rules is not None else []))
        elif field.type == "one2many":
            positive = sa.exists(self._o2m_select(field, table, domain))
        elif field.type == "many2many":
            positive = sa.exists(self._m2m_select(field, table, domain))
        else:
            raise ValueError(f"{model._name}.{field.name} is not relational")
        if negate:
            return sa.not_(sa.func.coalesce(positive, sa.false()))
        return positive

    def _o2m_select(self, field, table, domain):
        comodel = self.env[field.comodel_name]
        alias = self.registry.tables[field.comodel_name].alias()
        compiler = DomainCompiler(comodel)
        where = compiler.compile(domain, alias)
        if field.domain and not callable(field.domain):
            where = sa.and_(where, compiler.compile(field.domain, alias, active_test=False))
        inverse = alias.c[field.inverse_name]
        return sa.select(sa.literal(1)).select_from(compiler.select_from(alias)) \
            .where(inverse == table.c.id, where)

    def _m2m_select(self, field, table, domain):
        relation = self.registry.tables[field.relation].alias()
        link = sa.select(sa.literal(1)).where(relation.c[field.column1] == table.c.id)
        # archived comodel records are no link at all, as reading the field shows
        archivable = self.env[field.comodel_name]._active_name and self.env.context.get("active_test", True)
        if domain or archivable:
            ids = self._subquery_ids(field.comodel_name, domain, active_test=None)
            link = link.where(relation.c[field.column2].in_(ids.scalar_subquery()))
        return link

    def _by_name(self, model, table, field, op, value):
        """A many2one compared with names: resolved on the comodel's name field."""
        comodel = self.env[field.comodel_name]
        name_field = comodel._rec_name or "id"
        positive_op = NEGATION[op] if op in NEGATIVE_OPERATORS else op
        required = self.required
        if op in NEGATIVE_OPERATORS:
            self.required = False  # the complement includes rows without the joined record
        try:
            positive = self._any(model, table, field, [(name_field, positive_op, value)], negate=False)
        finally:
            self.required = required
        if op in NEGATIVE_OPERATORS:
            return sa.not_(sa.func.coalesce(positive, sa.false()))
        return positive

    def _x2many(self, model, table, field, op, value):
        select = self._o2m_select if field.type == "one2many" else self._m2m_select
        if op in ("=", "!=") and _is_false(value):
            exists = sa.exists(select(field, table, []))
            return sa.not_(exists) if op == "=" else exists
        if self._is_name_value(value) and op in NAME_OPERATORS:
            comodel = self.env[field.comodel_name]
            positive_op = NEGATION[op] if op in NEGATIVE_OPERATORS else op
            positive = sa.exists(select(field, table, [(comodel._rec_name or "id", positive_op, value)]))
            return sa.not_(positive) if op in NEGATIVE_OPERATORS else positive
        if op in ("=", "!=", "in", "not in"):
            ids = value if isinstance(value, (list, tuple, set)) else [value]
            ids = [v for v in ids if not _is_false(v)]
            if not ids:
                return sa.false() if op in ("=", "in") else sa.true()
            positive = sa.exists(select(field, table, [("id", "in", ids)]))
            return positive if op in ("=", "in") else sa.not_(positive)
        if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
            comodel = self.env[field.comodel_name]
            positive = sa.exists(select(field, table, [(comodel._rec_name or "id", op, value)]))
            return positive
        raise ValueError(f"Operator {op!r} is not supported on {model._name}.{field.name} ({field.type})")

    def _hierarchy(self, model, table, field, op, value):
        """child_of / parent_of, on ``id`` or on a many2one to a hierarchical model."""
        if field.name == "id" or (field.type == "many2one" and field.comodel_name == model._name):
            target = model
            column = table.c.id
        elif field.type in ("many2one", "many2many", "one2many"):
            target = self.env[field.comodel_name]
            column = None
        else:
            raise ValueError(f"Operator {op!r} needs id or a relational field, "
                             f"not {model._name}.{field.name}")
        if field.name != "id" and field.type == "many2one" and field.comodel_name == model._name:
            parent_name = field.name
        else:
            parent_name = target._parent_name
        ids = self._resolve_ids(target, value)
        if not ids:
            return sa.false()
        if parent_name not in target._fields:
            raise ValueError(f"Operator {op!r} on {target._name} needs a parent field {parent_name!r}")
        nodes = self._hierarchy_select(target, parent_name, op, ids)
        if column is not None:
            return column.in_(nodes)
        return self._leaf(model, table, field.name, "any", [("id", "in", nodes)]) \
            if field.type != "many2one" else table.c[field.name].in_(nodes)

    def _resolve_ids(self, target, value):
        if _is_false(value):
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        ids = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        names = [v for v in values if isinstance(v, str)]
        for name in names:
            ids.extend(i for i, _ in target.name_search(name, operator="ilike", limit=None))
        if hasattr(value, "_ids"):
            ids.extend(value._ids)
        return ids

    def _hierarchy_select(self, target, parent_name, op, ids):
        table = self.registry.tables[target._name]
        if target._parent_store and parent_name == target._parent_name:
            base = table.alias()
            node = table.alias()
            if op == "child_of":
                starts = sa.exists(sa.select(sa.literal(1)).select_from(base).where(
                    base.c.id.in_(ids), node.c.parent_path.like(base.c.parent_path + "%")))
                return sa.select(node.c.id).where(starts).scalar_subquery()
            # parent_of: ancestors are the ids named in the leaves' parent_path
            starts = sa.exists(sa.select(sa.literal(1)).select_from(base).where(
                base.c.id.in_(ids), base.c.parent_path.like(node.c.parent_path + "%")))
            return sa.select(node.c.id).where(starts).scalar_subquery()
        start = table.alias()
        cte = sa.select(start.c.id.label("id"), start.c[parent_name].label("parent")) \
            .where(start.c.id.in_(ids)).cte(recursive=True)
        step = table.alias()
        if op == "child_of":
            cte = cte.union(sa.select(step.c.id, step.c[parent_name]).where(step.c[parent_name] == cte.c.id))
        else:
            cte = cte.union(sa.select(step.c.id, step.c[parent_name]).where(step.c.id == cte.c.parent))
        return sa.select(cte.c.id).scalar_subquery()


# ------------------------------------------------------------------ Python side
def evaluate(record, node):
    """True if one record matches the domain tree (same rules as the SQL side)."""
    kind = node[0]
    if kind == "and":
        return all(evaluate(record, child) for child in node[1])
    if kind == "or":
        return any(evaluate(record, child) for child in node[1])
    if kind == "not":
        return not evaluate(record, node[1])
    return _evaluate_leaf(record, node[1], node[2], node[3])


def _evaluate_leaf(record, path, op, value):
    if path in (1, 0) and op == "=" and value == 1:
        return path == 1
    head, _, rest = path.partition(".")
    model = record.browse()
    field = model._fields.get(head)
    if field is None:
        raise KeyError(f"Invalid field {model._name}.{head} in domain term {(path, op, value)!r}")
    if op == "=?":
        if _is_false(value):
            return True
        op = "="
    if op in ("=", "!=") and isinstance(value, (list, tuple)):
        op = "in" if op == "=" else "not in"
    if op in ("in", "not in") and isinstance(value, bool):
        op = "=" if op == "in" else "!="
    if field.related and not field.store:
        if rest:
            return _evaluate_leaf(record, f"{field.related}.{rest}", op, value)
        return evaluate(record, parse(_related_domain(model, field, op, value)))
    if not field.store and field.name != "id" and field.search:
        sub = field.search if not callable(field.search) else None
        domain = getattr(model, sub)(op, value) if sub else field.search(model, op, value)
        return evaluate(record, parse(domain))
    if rest or op in ("any", "not any"):
        if not field.relational:
            raise ValueError(f"Invalid domain term {(path, op, value)!r}: {model._name}.{head} "
                             f"is not relational")
        node = ("leaf", rest, op, value) if rest else parse(value)
        found = any(evaluate(r, node) for r in _related_for(record, field, node))
        return not found if op == "not any" and not rest else found
    related = record[head] if field.relational else None
    if op in ("child_of", "parent_of"):
        return _evaluate_hierarchy(record, field, op, value)
    if field.type in ("one2many", "many2many"):
        return _evaluate_x2many(related, op, value)
    if field.type == "many2one" and DomainCompiler._is_name_value(value) and op in NAME_OPERATORS:
        positive_op = NEGATION[op] if op in NEGATIVE_OPERATORS else op
        name_field = related._rec_name or "id"
        found = bool(related) and _evaluate_leaf(related, name_field, positive_op, value)
        return not found if op in NEGATIVE_OPERATORS else found
    raw = record.id if field.name == "id" else _raw_value(record, field)
    return compare(field, raw, op, value)


def _related_for(record, field, node):
    """The related records a sub-domain is tested on, as the SQL sub-query sees them.

    A many2one is followed whatever its target's ``active`` (SQL: ``active_test=False``);
    an x2many shows its archived records only when the sub-domain names ``active``.
    """
    if field.type == "many2one":
        return record[field.name].with_context(active_test=False)
    active = record.env[field.comodel_name]._active_name
    if active and mentions_field(node, active) and record.env.context.get("active_test", True):
        return record.with_context(active_test=False)[field.name].with_env(record.env)
    return record[field.name]


def _raw_value(record, field):
    value = record._get_value(field)
    if getattr(field, "translate", False) and isinstance(value, dict):
        lang = record.env.lang
        value = value.get(lang) or value.get("en_US")
    return value


def compare(field, raw, op, value):
    """Python counterpart of ``DomainCompiler._column`` for a value from the cache."""
    ftype = field.type
    if op in LIKE_OPERATORS:
        _check_like_type(field, op)
    if ftype == "boolean":
        raw = bool(raw)
        if op in ("=", "!="):
            truth = bool(value) if value is not None else False
            return (raw == truth) if op == "=" else (raw != truth)
        if op in ("in", "not in"):
            values = value if isinstance(value, (list, tuple, set)) else [value]
            found = raw in {bool(v) for v in values}
            return found if op == "in" else not found
    if op in ("=", "!="):
        if _is_false(value):
            found = raw is None
        else:
            found = raw is not None and raw == _coerce(field, value, op)
        return found if op == "=" else not found
    if op in ("in", "not in"):
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        plain = {_coerce(field, v, op) for v in values if not _is_false(v)}
        has_false = any(_is_false(v) for v in values)
        found = (raw in plain) if raw is not None else has_false
        return found if op == "in" else not found
    if op in ("<", ">", "<=", ">="):
        if raw is None or _is_false(value):
            return False
        value = _coerce(field, value, op)
        return {"<": raw < value, ">": raw > value, "<=": raw <= value, ">=": raw >= value}[op]
    if op in ("=like", "=ilike"):
        if raw is None or _is_false(value):
            return False
        regex = _pattern_regex(_raw_pattern(value))
        flags = re.IGNORECASE | re.DOTALL if op == "=ilike" else re.DOTALL
        return re.fullmatch(regex, str(raw), flags) is not None
    if op in ("like", "ilike", "not like", "not ilike"):
        if _is_false(value) or value == "":
            return op in ("like", "ilike")
        if raw is None:
            return op.startswith("not")
        text, needle = str(raw), str(value)
        if "ilike" in op:
            text, needle = text.lower(), needle.lower()
        found = needle in text
        return not found if op.startswith("not") else found
    raise ValueError(f"Operator {op!r} is not supported on {field.model_name}.{field.name}")


def _evaluate_x2many(related, op, value):
    ids = set(related._ids)
    if op in ("=", "!=") and _is_false(value):
        return (not ids) if op == "=" else bool(ids)
    if DomainCompiler._is_name_value(value) and op in NAME_OPERATORS:
        positive_op = NEGATION[op] if op in NEGATIVE_OPERATORS else op
        name_field = related._rec_name or "id"
        found = any(_evaluate_leaf(r, name_field, positive_op, value) for r in related)
        return not found if op in NEGATIVE_OPERATORS else found
    if op in ("=", "!=", "in", "not in"):
        wanted = value if isinstance(value, (list, tuple, set)) else [value]
        wanted = {v for v in wanted if not _is_false(v)}
        found = bool(ids & wanted)
        return found if op in ("=", "in") else not found
    if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        name_field = related._rec_name or "id"
        return any(_evaluate_leaf(r, name_field, op, value) for r in related)
    raise ValueError(f"Operator {op!r} is not supported on x2many fields")


def _evaluate_hierarchy(record, field, op, value):
    model = record.browse()
    if field.name == "id" or (field.type == "many2one" and field.comodel_name == model._name):
        target, candidates = model, record
        parent_name = field.name if field.name != "id" else model._parent_name
    else:
        target = model.env[field.comodel_name]
        candidates = record[field.name]
        parent_name = target._parent_name
    ids = set(DomainCompiler(model)._resolve_ids(target, value))
    if not ids:
        return False
    for candidate in candidates:
        if op == "child_of":
            node, seen = candidate, set()
            while node and node.id not in seen:
                if node.id in ids:
                    return True
                seen.add(node.id)
                node = node[parent_name]
        else:
            # parent_of: candidate is an ancestor of (or one of) ids
            for start in target.browse(sorted(ids)).exists():
                node, seen = start, set()
                while node and node.id not in seen:
                    if node.id == candidate.id:
                        return True
                    seen.add(node.id)
                    node = node[parent_name]
    return False
