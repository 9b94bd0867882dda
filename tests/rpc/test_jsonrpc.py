"""JSON-RPC over the wire: POST /jsonrpc with the common, object and db services.

The envelope is checked exactly: ``{"jsonrpc": "2.0", "id": <the request's>, "result": ...}`` or,
with HTTP status 200, ``{"error": {"code": 200, "message": "Odoo Server Error", "data": {name,
debug, message, arguments, context}}}``.  Transport-level faults (bad JSON, wrong content type,
too big a body) are HTTP statuses.
"""
import json
import re

import pytest

from core.config import Config

from .conftest import (ADMIN_UID, assert_no_traceback, http_post, json_post, jsonrpc, jsonrpc_envelope,
                       unique)

VERSION = {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""],
           "server_serie": "17.0", "protocol_version": 1}


def call_kw(server, model, method, args, kwargs=None, uid=ADMIN_UID, password="admin"):
    """``object.execute_kw`` through /jsonrpc: the whole decoded response."""
    return jsonrpc(server, "object", "execute_kw", server.manager.db_name, uid, password, model, method,
                   args, kwargs or {})


def result_of(response):
    assert "error" not in response, response["error"]
    return response["result"]


def error_of(response, name):
    """The ``error`` member of ``response``, checked against the documented shape, for exception ``name``."""
    assert "result" not in response
    error = response["error"]
    assert error["code"] == 200
    assert error["message"] == "Odoo Server Error"
    data = error["data"]
    assert data["name"] == f"odoo.exceptions.{name}"
    assert isinstance(data["message"], str) and data["message"]
    assert isinstance(data["arguments"], list) and data["arguments"]
    assert data["arguments"][0] == data["message"]
    assert isinstance(data["debug"], str)
    assert isinstance(data["context"], dict)
    assert_no_traceback(data["message"])
    return error


def partner_count(server, name):
    with server.env() as env:
        return env["res.partner"].with_context(active_test=False).search_count([("name", "=", name)])


def partner_1(server):
    with server.env() as env:
        return env.ref("base.res_partner_1").id


# ---------------------------------------------------------------- success
def test_common_version(rpc_server):
    version = result_of(jsonrpc(rpc_server, "common", "version"))
    assert {key: version[key] for key in VERSION} == VERSION


def test_common_login(rpc_server, db_name, failer):
    assert result_of(jsonrpc(rpc_server, "common", "login", db_name, "admin", "admin")) == ADMIN_UID
    assert result_of(jsonrpc(rpc_server, "common", "authenticate", db_name, "admin", "admin", {})) == ADMIN_UID
    assert result_of(jsonrpc(rpc_server, "common", "login", db_name, failer[1], "wrong")) is False


def test_execute_kw_search_read(rpc_server):
    rows = result_of(call_kw(rpc_server, "res.partner", "search_read", [[["is_company", "=", True]]],
                             {"fields": ["name", "country_id"], "limit": 3, "order": "name"}))
    with rpc_server.env() as env:
        expected = env["res.partner"].search([("is_company", "=", True)], limit=3, order="name")
        assert rows == [{"id": p.id, "name": p.name,
                         "country_id": [p.country_id.id, p.country_id.display_name] if p.country_id else False}
                        for p in expected]


def test_execute_positional(rpc_server, db_name):
    partner_id = partner_1(rpc_server)
    rows = result_of(jsonrpc(rpc_server, "object", "execute", db_name, ADMIN_UID, "admin", "res.partner", "read",
                             [partner_id], ["name"]))
    assert rows == [{"id": partner_id, "name": "Müller Maschinenbau GmbH"}]


def test_json_null_is_allowed_in_arguments(rpc_server):
    # limit null = no limit, order null = the model's order; read's fields null = all fields
    ids = result_of(call_kw(rpc_server, "res.partner", "search", [[["is_company", "=", True]]],
                            {"limit": None, "order": None}))
    with rpc_server.env() as env:
        assert ids == env["res.partner"].search([("is_company", "=", True)]).ids
    [row] = result_of(call_kw(rpc_server, "res.partner", "read", [ids[:1], None]))
    assert {"name", "country_id", "email"} <= set(row)


def test_create_write_and_dates_over_json(rpc_server):
    name = unique()
    new_id = result_of(call_kw(rpc_server, "res.partner", "create", [{"name": name}]))
    assert isinstance(new_id, int)
    assert result_of(call_kw(rpc_server, "res.partner", "write", [[new_id], {"phone": "+49 2"}])) is True
    [row] = result_of(call_kw(rpc_server, "res.partner", "read", [[new_id], ["phone", "email", "create_date"]]))
    assert row["phone"] == "+49 2"
    assert row["email"] is False
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", row["create_date"]), row["create_date"]


def test_the_id_is_echoed_whatever_its_type(rpc_server, db_name):
    for request_id in (17, "req-abc", None):
        envelope = jsonrpc_envelope({"service": "common", "method": "version", "args": []}, request_id=request_id)
        if request_id is None:
            envelope["id"] = None
        status, _headers, body = json_post(rpc_server, "/jsonrpc", envelope)
        assert status == 200
        assert body["id"] == request_id
        assert body["jsonrpc"] == "2.0"
        assert body["result"]["server_version"] == "17.0"


def test_the_envelopes_method_member_is_ignored(rpc_server):
    envelope = jsonrpc_envelope({"service": "common", "method": "version", "args": []})
    envelope["method"] = "anything at all"
    status, _headers, body = json_post(rpc_server, "/jsonrpc", envelope)
    assert status == 200
    assert body["result"]["protocol_version"] == 1


def test_the_context_kwarg_translates(rpc_server):
    german = result_of(call_kw(rpc_server, "res.partner", "fields_get", [["country_id"]],
                               {"attributes": ["string"], "context": {"lang": "de_DE"}}))
    assert german == {"country_id": {"string": "Land"}}


def test_db_service_over_json(rpc_server, db_name):
    assert db_name in result_of(jsonrpc(rpc_server, "db", "list"))
    assert result_of(jsonrpc(rpc_server, "db", "db_exist", db_name)) is True
    assert result_of(jsonrpc(rpc_server, "db", "server_version")) == "17.0"


# ---------------------------------------------------------------- errors: documented shapes, nothing written
def test_wrong_password_is_access_denied(rpc_server, failer):
    name = unique()
    response = call_kw(rpc_server, "res.partner", "create", [{"name": name}], uid=failer[0], password="wrong")
    error_of(response, "AccessDenied")
    assert partner_count(rpc_server, name) == 0


def test_access_error_as_demo(rpc_server, db_name):
    demo_uid = result_of(jsonrpc(rpc_server, "common", "login", db_name, "demo", "demo"))
    partner_id = partner_1(rpc_server)
    name = unique()
    response = call_kw(rpc_server, "res.partner", "write", [[partner_id], {"name": name}], uid=demo_uid,
                       password="demo")
    error_of(response, "AccessError")
    assert partner_count(rpc_server, name) == 0


def test_unknown_model_is_a_user_error_naming_it(rpc_server):
    error = error_of(call_kw(rpc_server, "no.such.model", "search", [[]]), "UserError")
    assert "no.such.model" in error["data"]["message"]


def test_validation_error(rpc_server):
    name = unique()
    error = error_of(call_kw(rpc_server, "res.partner", "create", [{"name": name, "lang": "xx_XX"}]),
                     "ValidationError")
    assert "xx_XX" in error["data"]["message"]
    assert partner_count(rpc_server, name) == 0


def test_missing_record(rpc_server):
    error_of(call_kw(rpc_server, "res.partner", "write", [[987654], {"name": "X"}]), "MissingError")


def test_private_method(rpc_server):
    response = call_kw(rpc_server, "res.users", "_check_credentials", [[ADMIN_UID], "admin"])
    error = response["error"]
    assert error["data"]["name"] in ("odoo.exceptions.AccessError", "odoo.exceptions.UserError")
    assert "_check_credentials" in error["data"]["message"]


def test_malformed_domain(rpc_server):
    # a ValueError, as in Odoo (builtins.ValueError), told by its message alone
    response = call_kw(rpc_server, "res.partner", "search", [[["name", "bogus_op", "x"]]])
    error = response["error"]
    assert error["code"] == 200 and error["data"]["name"] == "builtins.ValueError"
    assert error["data"]["message"].startswith("ValueError: ") and "bogus_op" in error["data"]["message"]
    assert_no_traceback(error["data"]["message"])


def test_unknown_service_or_method_is_an_error_not_a_crash(rpc_server):
    for service, method in (("nosuch", "version"), ("common", "nosuch"), ("object", "nosuch")):
        response = jsonrpc(rpc_server, service, method)
        assert "result" not in response
        assert response["error"]["code"] in (200, 404)
        assert_no_traceback(response["error"]["data"]["message"])


def test_malformed_json_is_400(rpc_server):
    status, _headers, _body = json_post(rpc_server, "/jsonrpc", b'{"jsonrpc": "2.0", "params": {')
    assert status == 400


def test_a_body_that_is_not_an_object_is_400(rpc_server):
    status, _headers, _body = json_post(rpc_server, "/jsonrpc", b"[1, 2, 3]")
    assert status == 400


def test_wrong_content_type_is_refused(rpc_server):
    payload = json.dumps(jsonrpc_envelope({"service": "common", "method": "version", "args": []})).encode()
    status, _headers, body = http_post(rpc_server, "/jsonrpc", payload, {"Content-Type": "text/plain"})
    assert status in (400, 415), (status, body[:300])


@pytest.mark.parametrize("params, status, named", [
    (["common", "version"], 400, "params"),                                   # refused whole: 400
    ({"service": "common", "method": "version", "args": "oops"}, 200, "args"),  # a call error: inside a 200
])
def test_params_must_be_an_object_and_args_a_list(rpc_server, params, status, named):
    reply_status, _headers, body = json_post(rpc_server, "/jsonrpc", jsonrpc_envelope(params))
    assert reply_status == status
    assert "result" not in body
    assert named in body["error"]["data"]["message"]
    assert_no_traceback(body["error"]["data"]["message"])


def test_a_body_over_the_configured_limit_is_413(start_web_server):
    server = start_web_server(config=Config(max_request_body=4096))
    db = server.manager.db_name
    name = unique()
    envelope = jsonrpc_envelope({"service": "object", "method": "execute_kw", "args": [
        db, ADMIN_UID, "admin", "res.partner", "create", [{"name": name, "comment": "x" * 10000}], {}]})
    status, _headers, _body = json_post(server, "/jsonrpc", envelope)
    assert status == 413
    with server.env() as env:
        assert env["res.partner"].search_count([("name", "=", name)]) == 0
    # under the limit, the same route answers
    small = jsonrpc(server, "common", "version")
    assert small["result"]["server_version"] == "17.0"
