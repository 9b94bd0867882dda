"""A restricted evaluator for expressions written in data files and rules.

Expressions are parsed with ``ast`` and checked against a whitelist before they
run: literals, containers, arithmetic, comparisons, boolean logic, conditional
expressions, subscripts, calls of the names the caller provides, and attribute
access that does not start with an underscore.  No builtins, no imports, no
lambdas, no comprehensions.  It is not a sandbox for hostile code running with
unlimited time; it is a guard that keeps data files declarative.
"""
import ast
import functools

ALLOWED = (
    ast.Expression, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Name, ast.Load,
    ast.Call, ast.keyword, ast.Attribute, ast.Subscript, ast.Slice, ast.BinOp, ast.UnaryOp,
    ast.BoolOp, ast.Compare, ast.IfExp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv,
    ast.Mod, ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or, ast.Eq, ast.NotEq, ast.Lt, ast.LtE,
    ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)


class EvalError(ValueError):
    """An expression that is not allowed or failed; the message says which part."""


def check(expression):
    """Parse and check ``expression``; returns the AST or raises EvalError."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise EvalError(f"invalid expression {expression!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED):
            raise EvalError(f"{type(node).__name__} is not allowed in expression {expression!r}")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise EvalError(f"attribute {node.attr!r} is not allowed in expression {expression!r}")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise EvalError(f"name {node.id!r} is not allowed in expression {expression!r}")
    return tree


@functools.lru_cache(maxsize=4096)
def _compiled(expression):
    """(code, names it uses) of a checked expression: views evaluate the same few
    expressions for every row or card of a page, so each is parsed and checked once."""
    tree = check(expression)
    used = frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name)) \
        - {"True", "False", "None"}
    return compile(tree, "<expression>", "eval"), used


def safe_eval(expression, namespace=None):
    """Evaluate ``expression`` with only the names of ``namespace`` available."""
    if not isinstance(expression, str):
        raise EvalError(f"an expression must be a text, not {type(expression).__name__}")
    code, used = _compiled(expression)
    names = dict(namespace or {})
    for name in sorted(used):
        if name not in names:
            raise EvalError(f"unknown name {name!r} in expression {expression!r} "
                            f"(available: {', '.join(sorted(names)) or 'none'})")
    try:
        return eval(code, {"__builtins__": {}}, names)  # noqa: S307 - checked above
    except EvalError:
        raise
    except Exception as exc:
        raise EvalError(f"expression {expression!r} failed: {type(exc).__name__}: {exc}") from None
