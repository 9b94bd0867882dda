"""Security: access rights, record rules, field groups, passwords and API keys.

The ORM asks three questions through hooks of the registry, which :func:`install`
sets once the base addon's security models are there (``core/models/storage.py``
and ``search.py`` call them, never in superuser mode):

``registry.access_checker(records, operation)``
    May the user ``read`` / ``write`` / ``create`` / ``unlink`` records of this
    model at all (``ir.model.access``)?  And when ``records`` is not empty, do all of
    them pass the record rules (``ir.rule``) of that operation?  Otherwise it raises
    :class:`AccessError` naming the operation, the model, the user and the reason.
    ``create`` is asked twice: before the insert with no records (access rights),
    and with the new records (their rules).
``registry.rule_builder(model, table)``
    The read rules of the user as one SQL boolean expression over ``table``; the ORM
    folds it into every search, so what a user may not see is simply not found.
``registry.group_checker(env, groups)``
    Is the user in the groups of a comma-separated list of xml ids
    (``"base.group_system,base.group_erp_manager"``; ``!xmlid`` excludes)?  That is
    how fields declared with ``groups=`` are guarded.

Record rules combine as in Odoo (ODOO_REFERENCE §5.3): the global rules of a model
(rules without groups) are ANDed; the rules of the groups the user belongs to are
ORed together and that block is ANDed with the global ones; rules of groups the
user is not in impose nothing.  Rules of the ``_inherits`` parents apply through the
delegation field.  A rule's ``domain_force`` is evaluated by :func:`eval_domain`, a
small interpreter over the ``ast`` of the expression, never by Python's ``eval``.

Membership is effective membership: a user in G is in every group G implies,
transitively.  What answering costs a query (the user's groups, the access rows
and rules of a model, the evaluated rule domains) is kept for the transaction, and
forgotten when a security model is written (:func:`invalidate`) or the transaction
ends.

Passwords and API keys are hashed with PBKDF2-SHA512 and a random salt in the
``$pbkdf2-sha512$<rounds>$<salt>$<hash>`` format of passlib, which Odoo uses too.

This module does not own the security models (``addons/base/models/res_users.py``,
``res_groups.py``, ``ir_model_access.py``, ``ir_rule.py``) nor where the ORM calls the
hooks; superuser mode (``env.su``) never reaches it.
"""
import ast
import base64
import datetime
import hashlib
import hmac
import logging
import os
import time
from collections import namedtuple

import sqlalchemy as sa

from .domain import AND, OR, DomainCompiler, normalize
from .exceptions import AccessError

_logger = logging.getLogger(__name__)

MODES = ("read", "write", "create", "unlink")
VERBS = {"read": "read", "write": "modify", "create": "create", "unlink": "delete"}
SECURITY_MODELS = ("res.users", "res.groups", "ir.model", "ir.model.access", "ir.rule")


# ====================================================================== passwords
PASSWORD_SCHEME = "pbkdf2-sha512"
#: PBKDF2-HMAC-SHA512 iterations for passwords (OWASP's 2023 advice is 210,000)
PASSWORD_ROUNDS = 210_000
#: API keys carry 160 random bits: guessing them is hopeless whatever the hash, and
#: they are checked on every RPC call, so they get far fewer rounds (as in Odoo)
KEY_ROUNDS = 6_000
SALT_SIZE = 16


def _ab64_encode(data):
    """passlib's "adapted base64": ``./`` instead of ``+/``, no padding."""
    return base64.b64encode(data, altchars=b"./").rstrip(b"=").decode("ascii")


def _ab64_decode(text):
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"./", validate=True)


def hash_password(password, rounds=None):
    """The hash of ``password`` to store: ``$pbkdf2-sha512$<rounds>$<salt>$<hash>``."""
    if not isinstance(password, str) or not password:
        raise ValueError("a password must be a non-empty string")
    rounds = rounds or PASSWORD_ROUNDS
    salt = os.urandom(SALT_SIZE)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, rounds)
    return f"${PASSWORD_SCHEME}${rounds}${_ab64_encode(salt)}${_ab64_encode(digest)}"


def _parse_hash(hashed):
    """``(rounds, salt, digest)`` of a stored hash, or None if it is not one of ours."""
    if not isinstance(hashed, str):
        return None
    parts = hashed.split("$")
    if len(parts) != 5 or parts[0] or parts[1] != PASSWORD_SCHEME or not parts[2].isdigit():
        return None
    try:
        return int(parts[2]), _ab64_decode(parts[3]), _ab64_decode(parts[4])
    except ValueError:
        return None


def verify_password(password, hashed):
    """True if ``password`` matches the stored ``hashed`` (in constant time)."""
    parsed = _parse_hash(hashed)
    if parsed is None or not isinstance(password, str) or not password:
        return False
    rounds, salt, expected = parsed
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, rounds, len(expected))
    return hmac.compare_digest(digest, expected)


def needs_rehash(hashed, rounds=None):
    """True if ``hashed`` was made with fewer rounds than are asked for today."""
    parsed = _parse_hash(hashed)
    return parsed is None or parsed[0] < (rounds or PASSWORD_ROUNDS)


_DUMMY_HASH = []


def spend_verify_time(password):
    """Spend the time of a password check, so that an unknown login takes as long."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(os.urandom(8).hex()))
    verify_password(password or "-", _DUMMY_HASH[0])


# ====================================================================== per-transaction memo
class _Slot:
    """The key of the security memo in the transaction cache (not a field)."""

    __slots__ = ()

    def __repr__(self):
        return "<security memo>"


_SLOT = _Slot()


def _memo(env):
    """A dict that lives as long as the transaction's cache: cleared on commit,
    rollback, savepoint rollback and ``invalidate_all``."""
    return env.transaction.cache.get_field(_SLOT)


def invalidate(env):
    """Forget what was read about groups, access rights and rules: in this transaction
    at once, in every worker process once it commits (``registry.shared_cache``).

    The security models call it when they are written; call it after changing their
    tables without the ORM.
    """
    _memo(env).clear()
    env.registry.shared_cache.invalidate(env.cr)


def _shared(env, key, compute):
    """``compute()``, kept for the transaction and, across transactions, in the
    registry's shared cache (what every request asks: access rows, rules, implied groups)."""
    memo = _memo(env)
    if key not in memo:
        memo[key] = env.registry.shared_cache.get(env.cr, ("security",) + key, compute)
    return memo[key]


# ====================================================================== groups
def _implied_map(env):
    def compute():
        rows = env["res.groups"].sudo().search_read([], ["implied_ids"], order="id")
        return {row["id"]: tuple(row["implied_ids"]) for row in rows}
    return _shared(env, ("implied",), compute)


def implied_closure(env, group_ids):
    """``group_ids`` and every group they imply, transitively (a frozenset of ids)."""
    implied = _implied_map(env)
    result = set()
    todo = list(group_ids)
    while todo:
        gid = todo.pop()
        if gid not in result:
            result.add(gid)
            todo.extend(implied.get(gid, ()))
    return frozenset(result)


def user_group_ids(env, uid=None):
    """The ids of the groups user ``uid`` (default: the env's) is effectively in."""
    uid = env.uid if uid is None else uid
    memo = _memo(env)
    key = ("groups", uid)
    if key not in memo:
        user = env(su=True)["res.users"].with_context(active_test=False).browse(uid)
        memo[key] = implied_closure(env, user.groups_id.ids)
    return memo[key]


def group_id(env, xmlid):
    """The id of the group with external id ``xmlid``; False if there is none."""
    if "ir.model.data" not in env:
        return False
    try:
        model, res_id, _noupdate = env["ir.model.data"]._xmlid_lookup(xmlid)
    except ValueError:
        _logger.debug("unknown group %r: nobody is in it", xmlid)
        return False
    return res_id if model == "res.groups" else False


def user_in_groups(env, groups, uid=None):
    """Is the user in one of ``groups`` ("a.x,b.y") and in none of its ``!a.z`` items?

    A list of only exclusions is satisfied by anyone outside them, as in Odoo.
    Superuser mode is no exception: the ORM skips the check itself in that mode.
    """
    positive, negative = [], []
    for item in groups.split(","):
        item = item.strip()
        if item.startswith("!"):
            negative.append(item[1:].strip())
        elif item:
            positive.append(item)
    mine = user_group_ids(env, uid)
    if any(group_id(env, xmlid) in mine for xmlid in negative):
        return False
    if not positive:
        return True
    return any(group_id(env, xmlid) in mine for xmlid in positive)


def _group_labels(env, ids):
    """'Settings (base.group_system)' for each group id, sorted."""
    if not ids:
        return []
    names = {row["id"]: row["name"] for row in env["res.groups"].sudo().browse(sorted(ids)).read(["name"])}
    xmlids = {}
    if "ir.model.data" in env:
        for row in env["ir.model.data"].sudo().search_read(
                [("model", "=", "res.groups"), ("res_id", "in", sorted(ids))], ["module", "name", "res_id"]):
            xmlids.setdefault(row["res_id"], f"{row['module']}.{row['name']}")
    return sorted(f"{names.get(gid, gid)} ({xmlids[gid]})" if gid in xmlids else f"{names.get(gid, gid)}"
                  for gid in ids)


def _user_label(env):
    user = env(su=True)["res.users"].with_context(active_test=False).browse(env.uid).exists()
    login = user.login if user else "?"
    return f"user {login!r} (id {env.uid})"


def _model_label(env, model_name):
    description = env.registry.models[model_name]._description
    return f"'{description}' ({model_name})" if description and description != model_name else model_name


# ====================================================================== access rights
def _access_rows(env, model_name):
    """[(group id or None, {mode: bool})] of the active access rows of a model."""
    def compute():
        rows = env["ir.model.access"].sudo().with_context(active_test=True).search_read(
            [("model_id.model", "=", model_name)],
            ["group_id"] + [f"perm_{mode}" for mode in MODES], load=None, order="id")
        return [(row["group_id"] or None, {mode: bool(row[f"perm_{mode}"]) for mode in MODES})
                for row in rows]
    return _shared(env, ("acl", model_name), compute)


def check_model_access(env, model_name, mode, raise_exception=True):
    """May the user do ``mode`` on ``model_name``?  Rights add up over the access rows
    of the model whose group is empty (everyone) or one of the user's groups."""
    if mode not in MODES:
        raise ValueError(f"Invalid access mode {mode!r}: expected one of {', '.join(MODES)}")
    if env.su:
        return True
    cls = env.registry.models.get(model_name)
    if cls is None:
        raise KeyError(f"unknown model {model_name!r}")
    if cls._abstract:
        return True
    rows = _access_rows(env, model_name)
    mine = user_group_ids(env)
    if any(perms[mode] and (gid is None or gid in mine) for gid, perms in rows):
        return True
    if not raise_exception:
        return False
    granting = {gid for gid, perms in rows if perms[mode] and gid is not None}
    message = (f"You are not allowed to {VERBS[mode]} {_model_label(env, model_name)} records "
               f"({_user_label(env)}): ")
    if not rows:
        message += (f"no access right is defined for {model_name} at all, so only the superuser may use it "
                    f"(add a line for it to an ir.model.access.csv).")
    elif not granting:
        message += f"no access right grants '{mode}' on {model_name} to anyone."
    else:
        message += (f"none of the user's groups has the '{mode}' access right on {model_name}; "
                    f"it is granted to: {', '.join(_group_labels(env, granting))}.")
    raise AccessError(message)


# ====================================================================== record rules
Rule = namedtuple("Rule", "id name groups domain_force perms")


def _model_rules(env, model_name):
    def compute():
        rows = env["ir.rule"].sudo().with_context(active_test=True).search_read(
            [("model_id.model", "=", model_name)],
            ["name", "groups", "domain_force"] + [f"perm_{mode}" for mode in MODES], order="id")
        return [Rule(row["id"], row["name"] or f"ir.rule {row['id']}", frozenset(row["groups"]),
                     row["domain_force"] or "", {mode: bool(row[f"perm_{mode}"]) for mode in MODES})
                for row in rows]
    return _shared(env, ("rules", model_name), compute)


def _companies(env, user):
    """(company_ids, company_id) of the rules' evaluation context.

    The companies of the context (``allowed_company_ids``, first = current) must be
    among the user's; without them the user's companies apply.
    """
    allowed = list(env.context.get("allowed_company_ids") or ())
    mine = set(user.company_ids.ids) | {user.company_id.id}
    if allowed:
        foreign = sorted(set(allowed) - mine)
        if foreign:
            raise AccessError(f"Access to unauthorized or invalid companies: {_user_label(env)} may not "
                              f"work in the companies with ids {foreign}.")
        return allowed, allowed[0]
    return user.company_ids.ids, user.company_id.id


def eval_context(env):
    """The names a rule's ``domain_force`` may use, for the env's user."""
    user = env(su=True, context={})["res.users"].with_context(active_test=False).browse(env.uid)
    company_ids, company_id = _companies(env, user)

    def ref(xmlid):
        return env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=True)

    return {
        "user": user,
        "company_ids": list(company_ids),
        "company_id": company_id,
        "time": TIME,
        "datetime": DATETIME,
        "ref": ref,
    }


def rule_domain(env, model_name, mode):
    """``(domain, [(rule, domain on this model)])`` of the rules that restrict ``mode``
    on ``model_name`` for the env's user; ``(None, [])`` when nothing restricts it."""
    companies = tuple(env.context.get("allowed_company_ids") or ())
    memo = _memo(env)
    key = ("domain", env.uid, model_name, mode, companies)
    if key in memo:
        return memo[key]
    mine = user_group_ids(env)
    global_domains, group_domains, applied = [], [], []
    context = None
    for rule in _model_rules(env, model_name):
        if not rule.perms[mode] or (rule.groups and not rule.groups & mine):
            continue
        if context is None:
            context = eval_context(env)
        domain = eval_rule(rule, context, model_name)
        (group_domains if rule.groups else global_domains).append(domain)
        applied.append((rule, domain))
    # the rules of delegation parents hold through the link: a user is also a partner
    for parent, link in env.registry.models[model_name]._inherits.items():
        parent_domain, parent_rules = rule_domain(env, parent, mode)
        if parent_domain is not None:
            global_domains.append([(link, "any", parent_domain)])
            applied.extend((rule, [(link, "any", domain)]) for rule, domain in parent_rules)
    if not global_domains and not group_domains:
        result = (None, [])
    else:
        parts = global_domains + ([OR(group_domains)] if group_domains else [])
        result = (AND(parts), applied)
    memo[key] = result
    return result


def _compile(model, table, domain):
    """A domain as one boolean expression over ``table``, without joins.

    Rules are compiled in superuser mode (no rules inside rules) and without the
    implicit ``active`` filter (the query being restricted has its own).
    """
    model = model.sudo().with_context(active_test=False)
    compiler = DomainCompiler(model)
    expr = compiler.compile(domain, table, active_test=False)
    if not compiler.joins:
        return expr
    # a many2one path was joined: the caller only adds a WHERE, so select the ids
    alias = model.env.registry.tables[model._name].alias()
    compiler = DomainCompiler(model)
    expr = compiler.compile(domain, alias, active_test=False)
    return table.c.id.in_(sa.select(alias.c.id).select_from(compiler.select_from(alias)).where(expr))


def rule_expression(model, table, mode="read"):
    """The rules of ``mode`` for the user of ``model.env`` over ``table``; None if none."""
    env = model.env
    if env.su:
        return None
    domain, _applied = rule_domain(env, model._name, mode)
    if domain is None:
        return None
    return _compile(model, table, domain)


def _matching(records, domain, ids):
    """The ids among ``ids`` of the records that match ``domain`` (one query per 1000)."""
    table = records.env.registry.tables[records._name]
    expr = _compile(records, table, domain)
    found = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        found.update(records.env.cr.execute(
            sa.select(table.c.id).where(sa.and_(records._id_in(table.c.id, chunk), expr))).scalars())
    return found


def check_record_rules(records, mode):
    """Raise AccessError unless every existing record passes the rules of ``mode``."""
    env = records.env
    if env.su:
        return
    ids = [rid for rid in dict.fromkeys(records._ids) if isinstance(rid, int)]
    if not ids:
        return
    domain, applied = rule_domain(env, records._name, mode)
    if domain is None:
        return
    env.transaction.flush(env)   # the rules see the values as they are now
    refused = set(ids) - _matching(records, domain, ids)
    if not refused:
        return
    # records that do not exist are not refused: the operation reports them itself
    refused = sorted(records.sudo().browse(sorted(refused)).exists()._ids)
    if not refused:
        return
    raise AccessError(
        f"Due to security restrictions, you are not allowed to {VERBS[mode]} "
        f"{_model_label(env, records._name)} records {refused} ({_user_label(env)}): they do not satisfy the record rule(s) "
        f"{_failing_rules(records, applied, refused)}.")


def _failing_rules(records, applied, refused):
    """The rules that refused some of the ``refused`` ids, for the error message."""
    failing = []
    group_rules = [(rule, domain) for rule, domain in applied if rule.groups]
    for rule, domain in applied:
        if not rule.groups and _matching(records, domain, refused) != set(refused):
            failing.append(rule)
    if group_rules:
        passing = set()
        for _rule, domain in group_rules:
            passing |= _matching(records, domain, refused)
        if passing != set(refused):
            failing.extend(rule for rule, _domain in group_rules)
    return ", ".join(f"'{rule.name}' {rule.domain_force.strip() or '[]'}" for rule in failing) \
        or "(none found: the rules changed meanwhile)"


# ====================================================================== domain_force
class RuleError(ValueError):
    """A rule's ``domain_force`` that is not allowed or cannot be evaluated."""


class Namespace:
    """A name of the evaluation context with a few whitelisted members (``time.strftime``)."""

    __slots__ = ("_name", "_members")

    def __init__(self, name, **members):
        self._name = name
        self._members = members

    def member(self, attr):
        if attr not in self._members:
            raise RuleError(f"'{self._name}.{attr}' is not available (only: "
                            f"{', '.join(sorted(self._members))})")
        return self._members[attr]

    def __repr__(self):
        return f"<{self._name}>"


TIME = Namespace("time", strftime=time.strftime)
DATETIME = Namespace("datetime", date=Namespace("datetime.date", today=datetime.date.today),
                     datetime=Namespace("datetime.datetime", now=datetime.datetime.now),
                     timedelta=datetime.timedelta)
_CALLABLE = (time.strftime, datetime.date.today, datetime.datetime.now, datetime.timedelta)
_DATE_MEMBERS = {"year", "month", "day", "strftime", "isoformat"}
_OPERATORS = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
    ast.USub: lambda a: -a, ast.UAdd: lambda a: +a, ast.Not: lambda a: not a,
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
}
_ARITHMETIC_TYPES = (int, float, str, list, tuple, datetime.date, datetime.timedelta)


def parse_domain_expression(expression):
    """The ``ast`` of a domain expression; RuleError if it is not valid Python."""
    try:
        return ast.parse((expression or "[]").strip() or "[]", mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"invalid expression: {exc.msg}") from None


def eval_domain(expression, context):
    """Evaluate a ``domain_force`` expression with the names of ``context``.

    Allowed: literals, lists / tuples / dicts, names of the context, the fields of
    records (``user.company_id.id``, ``user.partner_id.ids``), subscripts, ``+`` and
    ``-``, comparisons, ``and`` / ``or`` / ``not``, ``x if c else y``, and calls of
    ``ref(xmlid)``, ``time.strftime``, ``datetime.date.today`` / ``datetime.datetime.now``
    / ``datetime.timedelta``.  Records in the result become ids.
    """
    tree = parse_domain_expression(expression)
    value = _Evaluator(context).visit(tree.body)
    if not isinstance(value, (list, tuple)):
        raise RuleError(f"the expression gives {type(value).__name__}, not a domain (a list)")
    domain = [_domain_item(item) for item in value]
    try:
        normalize(domain)
    except ValueError as exc:
        raise RuleError(str(exc)) from None
    return domain


def eval_rule(rule, context, model_name):
    try:
        return eval_domain(rule.domain_force, context)
    except RuleError as exc:
        raise RuleError(f"Record rule '{rule.name}' (ir.rule {rule.id}) on {model_name}: domain "
                        f"{rule.domain_force!r}: {exc}") from None


def _record_value(value, operator):
    """A recordset in a domain term: its id, or its ids after ``in`` / ``not in``."""
    from .models import BaseModel
    if isinstance(value, BaseModel):
        if operator in ("in", "not in") or len(value) > 1:
            return list(value._ids)
        return value.id
    if isinstance(value, (list, tuple)):
        return [_record_value(v, "=") for v in value]
    return value


def _domain_item(item):
    if isinstance(item, (list, tuple)) and len(item) == 3:
        path, operator, value = item
        return (path, operator, _record_value(value, operator))
    return item


class _Evaluator:
    """Walks the ``ast`` of a domain expression; anything not listed is refused."""

    def __init__(self, context):
        self.context = context

    def visit(self, node):
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise RuleError(f"{type(node).__name__} is not allowed in a rule's domain")
        return method(node)

    def visit_Constant(self, node):
        return node.value

    def visit_List(self, node):
        return [self.visit(elt) for elt in node.elts]

    def visit_Tuple(self, node):
        return tuple(self.visit(elt) for elt in node.elts)

    def visit_Dict(self, node):
        if any(key is None for key in node.keys):
            raise RuleError("'**' is not allowed in a rule's domain")
        return {self.visit(k): self.visit(v) for k, v in zip(node.keys, node.values)}

    def visit_Name(self, node):
        if node.id.startswith("_"):
            raise RuleError(f"name {node.id!r} is not allowed")
        if node.id not in self.context:
            raise RuleError(f"unknown name {node.id!r} (available: {', '.join(sorted(self.context))})")
        return self.context[node.id]

    def visit_Attribute(self, node):
        from .models import BaseModel
        owner = self.visit(node.value)
        attr = node.attr
        if attr.startswith("_"):
            raise RuleError(f"attribute {attr!r} is not allowed")
        if isinstance(owner, Namespace):
            return owner.member(attr)
        if isinstance(owner, BaseModel):
            if attr in ("id", "ids"):
                return getattr(owner, attr)
            field = owner._fields.get(attr)
            if field is None:
                raise RuleError(f"{owner._name} has no field {attr!r}")
            if field.groups:
                raise RuleError(f"field {owner._name}.{attr} is restricted to groups and cannot be used")
            return owner.mapped(attr) if len(owner) != 1 else owner[attr]
        if isinstance(owner, (datetime.date, datetime.timedelta)) and attr in _DATE_MEMBERS | {"days"}:
            return getattr(owner, attr)
        raise RuleError(f"attribute {attr!r} of {type(owner).__name__} is not allowed")

    def visit_Subscript(self, node):
        owner = self.visit(node.value)
        if isinstance(node.slice, ast.Slice):
            raise RuleError("slices are not allowed in a rule's domain")
        index = self.visit(node.slice)
        try:
            return owner[index]
        except (IndexError, KeyError, TypeError) as exc:
            raise RuleError(f"subscript failed: {exc}") from None

    def visit_Call(self, node):
        func = self.visit(node.func)
        allowed = func is self.context.get("ref") or any(func == known for known in _CALLABLE) or (
            getattr(func, "__name__", None) in ("strftime", "isoformat")
            and isinstance(getattr(func, "__self__", None), datetime.date))
        if not allowed:
            raise RuleError(f"calling {getattr(func, '__name__', func)!r} is not allowed")
        if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
            raise RuleError("'*' and '**' arguments are not allowed in a rule's domain")
        args = [self.visit(arg) for arg in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords}
        try:
            return func(*args, **kwargs)
        except RuleError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported with the rule
            raise RuleError(f"{getattr(func, '__name__', 'call')}() failed: {exc}") from None

    def visit_BinOp(self, node):
        operator = _OPERATORS.get(type(node.op))
        if operator is None or not isinstance(node.op, (ast.Add, ast.Sub)):
            raise RuleError(f"operator {type(node.op).__name__} is not allowed in a rule's domain")
        left, right = self.visit(node.left), self.visit(node.right)
        if not (isinstance(left, _ARITHMETIC_TYPES) and isinstance(right, _ARITHMETIC_TYPES)):
            raise RuleError(f"cannot combine {type(left).__name__} and {type(right).__name__}")
        try:
            return operator(left, right)
        except TypeError as exc:
            raise RuleError(str(exc)) from None

    def visit_UnaryOp(self, node):
        operator = _OPERATORS.get(type(node.op))
        if operator is None:
            raise RuleError(f"operator {type(node.op).__name__} is not allowed in a rule's domain")
        return operator(self.visit(node.operand))

    def visit_BoolOp(self, node):
        if isinstance(node.op, ast.And):
            value = True
            for item in node.values:
                value = self.visit(item)
                if not value:
                    return value
            return value
        value = False
        for item in node.values:
            value = self.visit(item)
            if value:
                return value
        return value

    def visit_Compare(self, node):
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.visit(comparator)
            try:
                if not _OPERATORS[type(op)](left, right):
                    return False
            except TypeError as exc:
                raise RuleError(str(exc)) from None
            left = right
        return True

    def visit_IfExp(self, node):
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)


# ====================================================================== the hooks
def access_checker(records, operation):
    """``registry.access_checker``: access rights, then the rules of ``records``."""
    env = records.env
    if env.su:
        return
    check_model_access(env, records._name, operation)
    if records._ids:
        check_record_rules(records, operation)


def rule_builder(model, table):
    """``registry.rule_builder``: the read rules folded into a search."""
    return rule_expression(model, table, "read")


def group_checker(env, groups):
    """``registry.group_checker``: field-level groups."""
    return user_in_groups(env, groups)


def install(registry):
    """Set the security hooks of ``registry`` if it has the base security models.

    Returns True when they are set; a registry without them (the ORM's own tests)
    keeps no hooks, and everything is allowed there.
    """
    if all(name in registry.models for name in SECURITY_MODELS):
        registry.access_checker = access_checker
        registry.rule_builder = rule_builder
        registry.group_checker = group_checker
        return True
    registry.access_checker = registry.rule_builder = registry.group_checker = None
    return False
