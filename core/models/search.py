"""Search: domains to recordsets, ``order`` strings, name search, fields_get.

``search`` compiles the domain (``core.domain``), folds in record rules, orders by
a parsed and checked ``order`` string, and returns ids; nothing is read.
"""
import re

import sqlalchemy as sa

from .. import api
from .. import domain as dom
from .. import i18n

ORDER_TERM = re.compile(
    r"^\s*(?P<field>[a-z0-9_]+)(?:\.(?P<prop>[a-z0-9_]+))?(?::(?P<agg>[a-z_]+))?"
    r"(?:\s+(?P<dir>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$", re.IGNORECASE)


def parse_order(order):
    """``'name desc, id'`` -> [(field, property, aggregate, 'asc'|'desc', nulls)]; ValueError if malformed."""
    if not isinstance(order, str) or not order.strip():
        raise ValueError(f"Invalid order {order!r}: expected 'field [asc|desc] [nulls first|last], ...'")
    terms = []
    for part in order.split(","):
        match = ORDER_TERM.match(part)
        if not match:
            raise ValueError(f"Invalid order {order!r}: cannot parse {part.strip()!r}")
        terms.append((match["field"].lower(), match["prop"], match["agg"],
                      (match["dir"] or "asc").lower(), (match["nulls"] or "").lower() or None))
    return terms


class SearchMixin:
    __slots__ = ()

    # ------------------------------------------------------------ domain to SQL
    def _where(self, domain, table=None):
        """(WHERE expression, FROM clause) of a domain plus the record rules."""
        table = self.env.registry.tables[self._name] if table is None else table
        compiler = dom.DomainCompiler(self)
        expr = compiler.compile(domain, table)
        rules = self._rules_expression(table)
        if rules is not None:
            expr = sa.and_(expr, rules)
        return expr, compiler.select_from(table)

    def _rules_expression(self, table):
        """Record rules of the current user as an expression (None in superuser mode)."""
        builder = self.env.registry.rule_builder
        if builder is None or self.env.su:
            return None
        return builder(self, table)

    def _order_clauses(self, order, table, joins=None, depth=0, outer_nulls=None):
        """ORDER BY expressions for a checked order string, and the joins they need.

        ``outer_nulls`` is set when sorting through a many2one's outer join: every
        column may then be NULL, and the many2one term's own placement applies.
        """
        clauses = []
        joins = [] if joins is None else joins
        for name, prop, agg, direction, nulls in parse_order(order):
            field = self._fields.get(name)
            if field is None:
                raise ValueError(f"Invalid order {order!r}: no field {name!r} on model {self._name}")
            if field.groups:
                self._check_field_access([name], "sort")
            if agg:
                raise ValueError(f"Invalid order {order!r}: aggregates are only allowed in read_group")
            if field.inherited:
                parent = self.env[field.inherited_model]
                link = self._inherits[field.inherited_model]
                alias = self.env.registry.tables[parent._name].alias()
                joins.append((alias, alias.c.id == table.c[link]))
                sub, _ = parent._order_clauses(f"{name} {direction}", alias, joins, depth)
                clauses.extend(sub)
                continue
            if not field.column:
                raise ValueError(f"Invalid order {order!r}: field {self._name}.{name} is not stored "
                                 f"and cannot be sorted on")
            if field.type == "many2one" and depth < 3:
                comodel = self.env[field.comodel_name]
                alias = self.env.registry.tables[comodel._name].alias()
                joins.append((alias, alias.c.id == table.c[name]))
                sub_order = comodel._order
                if direction == "desc":
                    sub_order = ", ".join(
                        f"{t[0]} {'asc' if t[3] == 'desc' else 'desc'}" for t in parse_order(sub_order))
                placement = nulls or ("first" if direction == "desc" else "last")
                sub, _ = comodel._order_clauses(sub_order, alias, joins, depth + 1, placement)
                clauses.extend(sub)
                continue
            column = dom.DomainCompiler(self).column_expr(self, table, field)
            clause = column.desc() if direction == "desc" else column.asc()
            if outer_nulls:
                nulls = outer_nulls
            elif nulls is None and name != "id" and not field.required:
                # the same NULL placement on both databases (PostgreSQL's default)
                nulls = "first" if direction == "desc" else "last"
            if nulls == "first":
                clause = clause.nulls_first()
            elif nulls == "last":
                clause = clause.nulls_last()
            clauses.append(clause)
        return clauses, joins

    def _search_query(self, domain, offset=0, limit=None, order=None, columns=None):
        table = self.env.registry.tables[self._name]
        where, source = self._where(domain, table)
        clauses, joins = self._order_clauses(order or self._order, table)
        for alias, on in joins:
            source = source.outerjoin(alias, on)
        selected = [table.c.id] + [table.c[c] for c in (columns or [])]
        query = sa.select(*selected).select_from(source).where(where).order_by(*clauses)
        if offset:
            query = query.offset(offset)
        if limit:
            query = query.limit(limit)
        return query

    def _search_rows(self, domain, columns, order=None):
        self.env.transaction.flush(self.env)
        return self.env.cr.execute(self._search_query(domain, order=order, columns=columns)).all()

    # ------------------------------------------------------------ public API
    def _validate_search_args(self, offset, limit):
        if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int) or offset < 0):
            raise ValueError(f"Invalid offset {offset!r} for {self._name}.search: a whole number >= 0")
        if limit not in (None, False) and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError(f"Invalid limit {limit!r} for {self._name}.search: a whole number >= 0")

    @api.model
    def search(self, domain=None, offset=0, limit=None, order=None):
        """Records matching ``domain``, ordered by ``order`` (default ``_order``)."""
        self._validate_search_args(offset, limit)
        self.browse()._check_access("read")
        if self._abstract:
            raise TypeError(f"{self._name} is abstract: it has no records to search")
        self.env.transaction.flush(self.env)
        query = self._search_query(domain or [], offset or 0, limit or None, order)
        ids = tuple(self.env.cr.execute(query).scalars())
        return self._browse(self.env, ids, ids)

    def _search(self, domain, offset=0, limit=None, order=None):
        return self.search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def search_count(self, domain=None, limit=None):
        """The number of matching records; with ``limit``, counting stops there."""
        self._validate_search_args(0, limit)
        self.browse()._check_access("read")
        self.env.transaction.flush(self.env)
        table = self.env.registry.tables[self._name]
        where, source = self._where(domain or [], table)
        if limit:
            inner = sa.select(table.c.id).select_from(source).where(where).limit(limit).subquery()
            query = sa.select(sa.func.count()).select_from(inner)
        else:
            query = sa.select(sa.func.count()).select_from(source).where(where)
        return self.env.cr.execute(query).scalar_one()

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        records = self.search(domain, offset=offset, limit=limit, order=order)
        records.read(field_names) if records else None
        return records

    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, load="_classic_read"):
        """``search`` then ``read``, in the order of the search.

        The search applied the record rules already: the read does not run them again
        on the ids it found (the access rights were checked by the search too)."""
        names = self._read_names(fields)
        records = self.search(domain or [], offset=offset, limit=limit, order=order)
        if not records:
            return []
        return records._read_allowed(names, load)

    @api.private
    def filtered_domain(self, domain):
        """The records matching ``domain``, evaluated in Python; order is kept."""
        if not domain or not self._ids:
            return self
        node = dom.parse(domain)
        return self.browse([record.id for record in self if dom.evaluate(record, node)])

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100, domain=None):
        """``[(id, display_name)]`` of records whose name matches ``name``."""
        domain = list(domain if domain is not None else args or [])
        if name or operator not in ("ilike", "like", "=ilike", "=like"):
            fields = self._rec_names_search or ([self._rec_name] if self._rec_name else ["id"])
            name_domain = dom.OR([[(f, operator, name)] for f in fields])
            if operator in dom.NEGATIVE_OPERATORS:
                name_domain = dom.AND([[(f, operator, name)] for f in fields])
            domain = dom.AND([domain, name_domain])
        records = self.search(domain, limit=limit)
        return [(record.id, record.display_name) for record in records]

    @api.model
    def name_create(self, name):
        if not self._rec_name:
            raise ValueError(f"Cannot create {self._name} by name: it has no _rec_name")
        record = self.create({self._rec_name: name})
        return (record.id, record.display_name)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Descriptions of the fields, in Odoo's format; hidden fields are left out."""
        result = {}
        for name, field in self._fields.items():
            if allfields and name not in allfields:
                continue
            if field.groups and not self.env.su and not self._user_in_groups(field.groups):
                continue
            desc = i18n.translate_field_info(self._name, field, field.get_description(self.env), self.env.lang)
            if attributes:
                desc = {key: value for key, value in desc.items() if key in attributes}
            result[name] = desc
        return result
