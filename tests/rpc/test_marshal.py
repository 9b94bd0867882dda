"""core/rpc/marshal.py without a server: what the wire carries, read back by the standard client."""
import datetime
import decimal
import xmlrpc.client

import pytest

from core.rpc import marshal


def roundtrip(value):
    (result,), _method = xmlrpc.client.loads(marshal.dumps_xmlrpc(marshal.to_wire(value, xmlrpc=True)))
    return result


def test_values_as_odoo_clients_expect_them():
    sent = {"none": None, "text": "a < b & c > d \u00e9\u20ac", "control": "bell\x07tab\tend\n",
            "date": datetime.date(2026, 3, 29), "moment": datetime.datetime(2026, 3, 29, 1, 30, 5),
            "money": decimal.Decimal("12.50"), "big": 2 ** 40, "negative": -(2 ** 35), "small": -7,
            "raw": b"bytes", "pair": (3, "Three"), "set": {1}, 7: "int key", "flag": False}
    assert roundtrip(sent) == {
        "none": False, "text": "a < b & c > d \u00e9\u20ac", "control": "belltab\tend\n",
        "date": "2026-03-29", "moment": "2026-03-29 01:30:05", "money": 12.5, "big": 2 ** 40,
        "negative": -(2 ** 35), "small": -7, "raw": "bytes", "pair": [3, "Three"], "set": [1],
        "7": "int key", "flag": False}


def test_json_keeps_null_and_the_characters():
    assert marshal.to_wire({"a": None, "b": "x\x07"}) == {"a": None, "b": "x\x07"}


def test_fault_body():
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(marshal.dumps_xmlrpc(fault=xmlrpc.client.Fault(3, "Access Denied")))
    assert (caught.value.faultCode, caught.value.faultString) == (3, "Access Denied")


def test_requests_are_parsed_without_entities():
    method, params = marshal.loads_xmlrpc(xmlrpc.client.dumps((1, xmlrpc.client.Binary(b"hi")), "execute"))
    assert (method, params) == ("execute", [1, "aGk="])
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
            b"<methodCall><methodName>&a;</methodName><params/></methodCall>")
    with pytest.raises(ValueError, match="not an XML-RPC request"):
        marshal.loads_xmlrpc(bomb)
    with pytest.raises(ValueError, match="names no method"):
        marshal.loads_xmlrpc(b'<?xml version="1.0"?><methodResponse><params/></methodResponse>')


def test_unknown_objects_are_refused_by_name():
    with pytest.raises(TypeError, match="cannot send a object value"):
        marshal.to_wire(object())
