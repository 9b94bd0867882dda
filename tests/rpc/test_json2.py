"""JSON-2 over the wire: POST /json/2/<model>/<method> with ``Authorization: bearer <api key>``, and
the machine-readable description GET /doc/<model>.json, /doc/index.json.

The body is plain JSON: ``ids``, ``context`` and the method's named arguments; the answer is the
plain JSON result.  Errors are HTTP statuses (401 no or bad key, 404 unknown model or method, 403
access, 4xx other user errors) with a JSON body carrying a message.
"""
import json

import pytest

from .conftest import assert_no_traceback, http_post, json_post, unique


def json2(server, key, model, method, body=None, raw=None):
    """``(status, decoded body)`` of one JSON-2 call (``raw`` bytes replace ``body``)."""
    headers = {"Authorization": f"bearer {key}"} if key else {}
    status, _headers, decoded = json_post(server, f"/json/2/{model}/{method}",
                                          raw if raw is not None else (body or {}), headers)
    return status, decoded


def ok(server, key, model, method, body=None):
    status, decoded = json2(server, key, model, method, body)
    assert status == 200, (status, decoded)
    return decoded


def refused(server, key, model, method, body, statuses):
    """The error's JSON body, after checking its status is one of ``statuses``."""
    status, decoded = json2(server, key, model, method, body)
    assert status in statuses, (status, decoded)
    assert isinstance(decoded, dict) and isinstance(decoded.get("message"), str) and decoded["message"], decoded
    assert_no_traceback(decoded["message"])
    return decoded


def partner_count(server, name):
    with server.env() as env:
        return env["res.partner"].with_context(active_test=False).search_count([("name", "=", name)])


def get_doc(server, path, key):
    headers = {"Authorization": f"bearer {key}"} if key else {}
    status, _headers, raw = http_post(server, path, None, headers, method="GET")
    return status, (json.loads(raw) if status == 200 else raw)


# ---------------------------------------------------------------- calls
def test_search_read_with_named_arguments(rpc_server, api_keys):
    rows = ok(rpc_server, api_keys["admin"], "res.partner", "search_read",
              {"domain": [["is_company", "=", True]], "fields": ["name"], "limit": 2, "order": "name"})
    with rpc_server.env() as env:
        expected = env["res.partner"].search([("is_company", "=", True)], limit=2, order="name")
        expected = [{"id": p.id, "name": p.name} for p in expected]
    assert rows == expected


def test_read_with_ids(rpc_server, api_keys):
    with rpc_server.env() as env:
        partner = env.ref("base.res_partner_1")
        pid, country = partner.id, [partner.country_id.id, partner.country_id.display_name]
    rows = ok(rpc_server, api_keys["admin"], "res.partner", "read", {"ids": [pid], "fields": ["name", "country_id"]})
    assert rows == [{"id": pid, "name": "Müller Maschinenbau GmbH", "country_id": country}]


def test_create_with_vals_list_and_write(rpc_server, api_keys):
    one, two = unique(), unique()
    ids = ok(rpc_server, api_keys["admin"], "res.partner", "create", {"vals_list": [{"name": one}, {"name": two}]})
    assert isinstance(ids, list) and len(ids) == 2
    renamed = unique()
    written = ok(rpc_server, api_keys["admin"], "res.partner", "write", {"ids": ids[:1], "vals": {"name": renamed}})
    assert written is True
    with rpc_server.env() as env:
        assert env["res.partner"].browse(ids).mapped("name") == [renamed, two]


def test_context_is_honoured(rpc_server, api_keys):
    german = ok(rpc_server, api_keys["admin"], "res.partner", "fields_get",
                {"allfields": ["country_id"], "attributes": ["string"], "context": {"lang": "de_DE"}})
    assert german == {"country_id": {"string": "Land"}}


def test_the_key_decides_the_user(rpc_server, api_keys):
    context = ok(rpc_server, api_keys["demo"], "res.users", "context_get")
    with rpc_server.env() as env:
        assert context["uid"] == env["res.users"].search([("login", "=", "demo")]).id


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("key", [None, "not-a-key-at-all-0123456789", "admin"])
def test_no_or_bad_key_is_401(rpc_server, key):
    # "admin" is the admin's password, not an API key: JSON-2 takes keys only
    name = unique()
    status, decoded = json2(rpc_server, key, "res.partner", "create", {"vals_list": [{"name": name}]})
    assert status == 401, (status, decoded)
    assert partner_count(rpc_server, name) == 0


def test_guessing_keys_is_throttled_with_429(rpc_server, api_keys):
    for attempt in range(5):
        status, _ = json2(rpc_server, f"wrong-key-{attempt:02d}-0123456789abcdef", "res.partner", "search_count",
                          {"domain": []})
        assert status == 401
    # the sixth attempt from this address is refused whatever the key, and says when to retry
    status, headers, body = json_post(rpc_server, "/json/2/res.partner/search_count", {"domain": []},
                                      {"Authorization": f"bearer {api_keys['admin']}"})
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert body["name"] == "odoo.exceptions.AccessDenied" and "Too many failed" in body["message"]


def test_unknown_model_or_method_is_404(rpc_server, api_keys):
    body = refused(rpc_server, api_keys["admin"], "no.such.model", "search", {"domain": []}, (404,))
    assert "no.such.model" in body["message"]
    body = refused(rpc_server, api_keys["admin"], "res.partner", "no_such_method", {}, (404,))
    assert "no_such_method" in body["message"]


@pytest.mark.parametrize("method", ["_check_credentials", "sudo"])
def test_private_method_is_refused(rpc_server, api_keys, method):
    refused(rpc_server, api_keys["admin"], "res.users", method, {"ids": [2]}, (403, 404))


def test_access_error_is_403_and_writes_nothing(rpc_server, api_keys):
    with rpc_server.env() as env:
        pid = env.ref("base.res_partner_1").id
    name = unique()
    refused(rpc_server, api_keys["demo"], "res.partner", "write", {"ids": [pid], "vals": {"name": name}}, (403,))
    assert partner_count(rpc_server, name) == 0


def test_validation_error_is_4xx_and_writes_nothing(rpc_server, api_keys):
    first, second = unique(), unique()
    body = refused(rpc_server, api_keys["admin"], "res.partner", "create",
                   {"vals_list": [{"name": first}, {"name": second, "lang": "xx_XX"}]}, (400, 422))
    assert "xx_XX" in body["message"]
    assert partner_count(rpc_server, first) == partner_count(rpc_server, second) == 0


def test_wrong_arguments_are_4xx(rpc_server, api_keys):
    body = refused(rpc_server, api_keys["admin"], "res.partner", "search", {"no_such_argument": 1}, (400, 422))
    assert "no_such_argument" in body["message"]
    refused(rpc_server, api_keys["admin"], "res.partner", "search", {"domain": [["name", "bogus_op", 1]]},
            (400, 422))


def test_malformed_json_is_400(rpc_server, api_keys):
    status, _decoded = json2(rpc_server, api_keys["admin"], "res.partner", "search", raw=b"{oops")
    assert status == 400


# ---------------------------------------------------------------- description
def test_model_description(rpc_server, api_keys):
    status, doc = get_doc(rpc_server, "/doc/res.partner.json", api_keys["admin"])
    assert status == 200, doc
    assert doc["model"] == "res.partner"
    assert isinstance(doc["name"], str) and doc["name"]
    assert doc["fields"]["country_id"]["type"] == "many2one"
    assert doc["fields"]["name"]["type"] == "char"
    methods = doc["methods"]
    assert {"search_read", "read", "create", "write", "unlink"} <= set(methods)
    assert not any(name.startswith("_") for name in methods)
    assert "sudo" not in methods
    for name in ("search_read", "write"):
        assert {"doc", "params", "model"} <= set(methods[name]), methods[name]
    assert methods["search_read"]["model"] is True
    assert methods["write"]["model"] is False
    params = methods["write"]["params"]
    # params: by name, either a mapping or a list of {name, ...} in call order
    names = list(params) if isinstance(params, dict) else [param["name"] for param in params]
    assert "vals" in names
    assert "self" not in names


def test_description_needs_a_key(rpc_server):
    status, _doc = get_doc(rpc_server, "/doc/res.partner.json", None)
    assert status == 401


def test_description_of_an_unknown_model_is_404(rpc_server, api_keys):
    status, _doc = get_doc(rpc_server, "/doc/no.such.model.json", api_keys["admin"])
    assert status == 404


def test_description_index(rpc_server, api_keys):
    status, index = get_doc(rpc_server, "/doc/index.json", api_keys["admin"])
    assert status == 200, index
    models = index["models"] if isinstance(index, dict) else index
    names = {entry["model"] if isinstance(entry, dict) else entry for entry in models}
    assert {"res.partner", "res.users", "ir.model"} <= names
