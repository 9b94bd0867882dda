"""Marshalling: what the ORM returns, turned into what the wire carries — in one place.

Every external API (XML-RPC, JSON-RPC, JSON-2) answers with :func:`to_wire`, which
turns a method's result into plain lists, dicts, strings and numbers the way Odoo's
client libraries expect:

- recordsets become their list of ids (the caller downgrades ``create``'s single
  record to an id before);
- dates and datetimes become ``'YYYY-MM-DD'`` / ``'YYYY-MM-DD HH:MM:SS'`` strings (never
  XML-RPC's ``dateTime.iso8601``); ``Decimal`` becomes a float; ``bytes`` become text;
- tuples and sets become lists, mappings become dicts with string keys (XML-RPC
  structs only have string keys; JSON objects too);
- for XML-RPC, ``None`` becomes ``False`` (the protocol has no null) and the control
  characters XML 1.0 cannot carry are dropped from strings.

Requests go the other way with :func:`from_xmlrpc`: ``Binary`` values become base64
text (what binary fields take) and everything else stays as parsed.  The XML itself
is read with defusedxml (no entity expansion) and written by :func:`dumps_xmlrpc`,
which also sends integers beyond 32 bits as ``<i8>`` rather than failing.
"""
import base64
import datetime
import decimal
import re
from collections.abc import Mapping
from xmlrpc.client import Binary, Marshaller, Unmarshaller
from xmlrpc.client import escape as xml_escape

from defusedxml.xmlrpc import DefusedExpatParser

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INT32 = (-2 ** 31, 2 ** 31 - 1)


def to_wire(value, *, xmlrpc=False):
    """``value`` as plain data for the wire (``xmlrpc=True``: no None, XML-safe strings)."""
    if value is None:
        return False if xmlrpc else None
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return _CONTROL.sub("", value) if xmlrpc else str(value)
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return to_wire(bytes(value).decode("utf-8", "replace"), xmlrpc=xmlrpc)
    if hasattr(value, "_ids") and hasattr(value, "_name"):
        return list(value.ids)
    if isinstance(value, Mapping):
        return {str(key): to_wire(item, xmlrpc=xmlrpc) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_wire(item, xmlrpc=xmlrpc) for item in value]
    if isinstance(value, Binary):
        return base64.b64encode(value.data).decode()
    raise TypeError(f"cannot send a {type(value).__name__} value over the external API: {value!r:.80}")


def from_xmlrpc(value):
    """Parameters as parsed from XML-RPC, made ready for the ORM (``Binary`` → base64 text)."""
    if isinstance(value, Binary):
        return base64.b64encode(value.data).decode()
    if isinstance(value, list):
        return [from_xmlrpc(item) for item in value]
    if isinstance(value, dict):
        return {key: from_xmlrpc(item) for key, item in value.items()}
    return value


def loads_xmlrpc(data):
    """``(method name, params)`` of an XML-RPC request body; ValueError if it is not one."""
    unmarshaller = Unmarshaller(use_datetime=True)
    parser = DefusedExpatParser(unmarshaller)
    try:
        parser.feed(data)
        parser.close()
        params = unmarshaller.close()
    except Exception as exc:  # noqa: BLE001 -- expat, defusedxml and the unmarshaller all raise their own
        raise ValueError(f"the body is not an XML-RPC request: {exc}") from None
    method = unmarshaller.getmethodname()
    if not method:
        raise ValueError("the body is not an XML-RPC request: it names no method")
    return method, from_xmlrpc(list(params))


class _Marshaller(Marshaller):
    """The standard marshaller, but integers beyond 32 bits go out as ``<i8>``, and strings
    as bare ``<value>text</value>`` (string is XML-RPC's default type): a quarter less for
    the client to parse in a typical search_read."""

    dispatch = dict(Marshaller.dispatch)

    def dump_int(self, value, write):
        if _INT32[0] <= value <= _INT32[1]:
            write(f"<value><int>{value}</int></value>\n")
        else:
            write(f"<value><i8>{value}</i8></value>\n")

    def dump_str(self, value, write):
        write("<value>")
        write(xml_escape(value))
        write("</value>\n")

    dispatch[int] = dump_int
    dispatch[str] = dump_str


def dumps_xmlrpc(result=None, *, fault=None):
    """The body of an XML-RPC response: ``result`` (already :func:`to_wire`'d) or a ``Fault``."""
    body = _Marshaller("utf-8", allow_none=False).dumps(fault if fault is not None else (result,))
    return f'<?xml version="1.0"?>\n<methodResponse>\n{body}</methodResponse>\n'
