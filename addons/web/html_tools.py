"""Building HTML safely in Python.

- :func:`h` builds one element as ``Markup``: attribute values and text children are
  escaped, ``Markup`` children are kept; the form renderer writes its widgets with it.
- :func:`safe_attributes` keeps the attributes of an allow-list for the plain HTML
  elements a view architecture may contain (``<div class="oe_title">``, ``<h1>``...):
  no event handlers, no ``style``, no ``javascript:`` URLs.

Cleaning stored HTML (an ``Html`` field's value) is ``html_sanitize.py``.  This module
does not know about fields, views or records.
"""
import re

from markupsafe import Markup, escape

#: elements without content
VOID_TAGS = frozenset({"area", "br", "col", "hr", "img", "input", "wbr"})

ALLOWED_ATTRIBUTES = frozenset({"class", "title", "alt", "href", "src", "colspan", "rowspan", "role",
                                "name", "width", "height", "align", "dir", "lang", "target", "rel"})
URL_ATTRIBUTES = frozenset({"href", "src"})
_SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


def attrs_html(attrs):
    """`` name="value"`` pairs of ``attrs``: None and False are left out, True is bare."""
    parts = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


def h(tag, attrs=None, *children):
    """``<tag attrs>children</tag>`` as Markup; children are strings (escaped),
    Markup (kept), None (skipped) or lists of those."""
    opening = f"<{tag}{attrs_html(attrs or {})}>"
    if tag in VOID_TAGS:
        return Markup(opening)
    return Markup(opening) + join(children) + Markup(f"</{tag}>")


def join(children):
    """The children (strings, Markup, None, nested lists) concatenated as Markup."""
    out = []
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, (list, tuple)):
            out.append(join(child))
        else:
            out.append(escape(child))
    return Markup("".join(out))


def safe_url(url):
    """``url`` if it is relative or uses a harmless scheme (http, https, mailto, tel), else None."""
    if not isinstance(url, str):
        return None
    cleaned = "".join(c for c in url if c >= " " and not c.isspace())
    match = _SCHEME.match(cleaned)
    if match and match.group(1).lower() not in _SAFE_SCHEMES:
        return None
    if cleaned.startswith("//"):
        return None
    return url.strip()


def safe_attributes(attrib, extra=()):
    """The attributes of ``attrib`` (a mapping) a page may show: the allow-list plus
    ``aria-*``; URLs only when :func:`safe_url` accepts them; never ``on*`` or ``style``."""
    kept = {}
    for name, value in attrib.items():
        name = str(name).lower()
        if name.startswith("on") or name == "style":
            continue
        if name not in ALLOWED_ATTRIBUTES and name not in extra and not name.startswith("aria-"):
            continue
        if name in URL_ATTRIBUTES:
            value = safe_url(value)
            if value is None:
                continue
        if name == "target" and value not in ("_blank", "_self"):
            continue
        kept[name] = value
    if kept.get("target") == "_blank":
        kept["rel"] = "noopener noreferrer"
    return kept
