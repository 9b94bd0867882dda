"""Cleaning stored HTML before a page shows it (the ``help`` of actions, Html fields).

``sanitize_html(text)`` keeps a small allowlist of formatting tags and attributes and
drops everything else: ``<script>``, ``<style>``, ``<iframe>``, forms and their whole
content; event handlers (``onclick``), ``style``, and links whose scheme is not
http(s), mailto, tel or a path on this site.  Images stay only when their source is a
path on this site (an attachment) or a ``cid:`` reference to a part of the same mail:
never an outside address, which would tell a sender when the mail is read.  Unknown
tags are unwrapped (their text stays).  The result is a ``markupsafe.Markup`` ready
for a template.

It does not check that the HTML is pretty or valid, only that it cannot run code.
"""
from lxml import etree, html
from markupsafe import Markup, escape

from .html_tools import safe_url

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
#: dropped with everything inside them
DROPPED_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "form", "input", "button",
                          "select", "textarea", "template", "svg", "math", "noscript", "frame",
                          "frameset", "link", "meta", "base", "head", "title"})
ALLOWED_ATTRIBUTES = frozenset({"class", "title", "href", "colspan", "rowspan", "alt", "role",
                                "src", "width", "height"})
def sanitize_html(text):
    """``text`` with only safe tags and attributes left, as Markup ("" for nothing)."""
    if not text or not str(text).strip():
        return Markup("")
    try:
        fragments = html.fragments_fromstring(str(text))
    except (etree.ParserError, ValueError):
        return Markup(escape(str(text)))
    parts = []
    for fragment in fragments:
        if isinstance(fragment, str):
            parts.append(str(escape(fragment)))
            continue
        wrapper = html.Element("div")
        wrapper.append(fragment)
        _clean(wrapper)
        parts.append((wrapper.text and str(escape(wrapper.text))) or "")
        for child in wrapper:
            parts.append(html.tostring(child, encoding="unicode"))
    return Markup("".join(parts))


def _clean(element):
    for child in list(element):
        if not isinstance(child.tag, str):          # comments, processing instructions
            _drop(child, keep_tail=True)
            continue
        tag = child.tag.lower()
        if tag in DROPPED_TAGS:
            _drop(child, keep_tail=True)
            continue
        _clean(child)
        if tag not in ALLOWED_TAGS:
            child.drop_tag()
            continue
        for name in list(child.attrib):
            if name.lower() not in ALLOWED_ATTRIBUTES or (name.lower() == "src" and tag != "img"):
                del child.attrib[name]
        if tag == "img" and not _local_image(child.get("src")):
            _drop(child, keep_tail=True)
            continue
        if "href" in child.attrib:
            link = safe_url(child.get("href"))
            if link is None:
                del child.attrib["href"]
            else:
                child.set("rel", "noopener noreferrer")


def _local_image(src):
    """May an image with this source be shown? A path on this site or a mail's ``cid:`` part."""
    src = (src or "").strip()
    if src.lower().startswith("cid:"):
        return len(src) > 4 and all(c not in src for c in "\"'<> ")
    return src.startswith("/") and not src.startswith("//") and "\\" not in src and safe_url(src) == src


def _drop(node, keep_tail):
    parent = node.getparent()
    tail = node.tail if keep_tail else None
    previous = node.getprevious()
    parent.remove(node)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
