"""The web client's JSON routes as RPC clients use them: version_info, session authenticate /
get_session_info / check / modules / destroy, dataset call_kw, database list.

A :class:`~tests.support.http.Client` keeps the ``session_id`` cookie as a browser (or odoorpc's
cookie jar) would; every request is a JSON-RPC envelope with ``params`` as an object.
"""
import pytest

from core.config import Config

from .conftest import ADMIN_UID, assert_no_traceback, proxy, unique

SESSION_INFO_KEYS = {"uid", "is_system", "is_admin", "user_context", "db", "server_version",
                     "server_version_info", "name", "username", "partner_display_name", "partner_id",
                     "web.base.url", "user_companies", "home_action_id"}


def call(client, path, params=None):
    """POST a JSON-RPC envelope; the decoded body (HTTP status and envelope checked)."""
    reply = client.json(path, params or {})
    assert reply.status == 200, (reply.status, reply.text[:1000])
    body = reply.json()
    assert body["jsonrpc"] == "2.0"
    assert body["id"] == 7
    return body


def result_of(body):
    assert "error" not in body, body["error"]
    return body.get("result")


def expired(body):
    """Assert ``body`` is the documented session-expired error."""
    assert "result" not in body
    error = body["error"]
    assert error["code"] == 100
    assert error["message"] == "Odoo Session Expired"
    assert error["data"]["name"] == "odoo.http.SessionExpiredException"


def authenticated(server, db_name, login="admin", password="admin"):
    client = server.client()
    info = result_of(call(client, "/web/session/authenticate", {"db": db_name, "login": login, "password": password}))
    assert client.sid, "no session_id cookie after /web/session/authenticate"
    return client, info


def test_version_info(rpc_server):
    version = result_of(call(rpc_server.client(), "/web/webclient/version_info"))
    assert version["server_version"] == "17.0"
    assert version["server_version_info"] == [17, 0, 0, "final", 0, ""]
    assert version["server_serie"] == "17.0"
    assert version["protocol_version"] == 1


def test_authenticate_answers_the_session_info(rpc_server, db_name):
    client, info = authenticated(rpc_server, db_name)
    assert SESSION_INFO_KEYS <= set(info), SESSION_INFO_KEYS - set(info)
    with rpc_server.env() as env:
        admin = env["res.users"].browse(ADMIN_UID)
        expected = {
            "uid": ADMIN_UID, "is_system": True, "is_admin": True, "db": db_name,
            "server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""],
            "name": admin.name, "username": "admin", "partner_id": admin.partner_id.id,
            "partner_display_name": admin.partner_id.display_name,
        }
        company = (admin.company_id.id, admin.company_id.name)
        allowed = {str(c.id) for c in admin.company_ids}
    assert {key: info[key] for key in expected} == expected
    assert info["user_context"] == {"lang": "en_US", "tz": info["user_context"]["tz"], "uid": ADMIN_UID}
    assert info["web.base.url"].startswith("http")
    companies = info["user_companies"]
    assert companies["current_company"] == company[0]
    assert set(companies["allowed_companies"]) == allowed
    entry = companies["allowed_companies"][str(company[0])]
    assert (entry["id"], entry["name"]) == company
    # the cookie is a session: the same info comes back from get_session_info
    again = result_of(call(client, "/web/session/get_session_info"))
    assert again["uid"] == ADMIN_UID and again["db"] == db_name


def test_a_demo_session_is_no_admin(rpc_server, db_name):
    _client, info = authenticated(rpc_server, db_name, "demo", "demo")
    assert info["username"] == "demo"
    assert info["is_system"] is False
    assert info["is_admin"] is False


def test_a_wrong_password_is_access_denied_and_opens_no_session(rpc_server, db_name, failer):
    client = rpc_server.client()
    body = call(client, "/web/session/authenticate", {"db": db_name, "login": failer[1], "password": "nope"})
    assert "result" not in body
    assert body["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert_no_traceback(body["error"]["data"]["message"])
    expired(call(client, "/web/session/get_session_info"))


def test_an_api_key_opens_no_browser_session(rpc_server, db_name, api_keys, demo_uid):
    # the key works for the external API, not for an interactive login (as in Odoo)
    assert proxy(rpc_server, "common").authenticate(db_name, "demo", api_keys["demo"], {}) == demo_uid
    client = rpc_server.client()
    body = call(client, "/web/session/authenticate", {"db": db_name, "login": "demo", "password": api_keys["demo"]})
    assert body["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    expired(call(client, "/web/session/get_session_info"))
    reply = rpc_server.client().login("demo", api_keys["demo"])
    assert reply.status == 401


def test_authenticate_on_an_unknown_database(rpc_server):
    body = call(rpc_server.client(), "/web/session/authenticate",
                {"db": "no_such_database", "login": "admin", "password": "admin"})
    assert "result" not in body
    assert body["error"]["data"]["name"] == "odoo.exceptions.AccessError"


def test_call_kw_uses_the_session_user(rpc_server, db_name):
    client, _info = authenticated(rpc_server, db_name)
    rows = result_of(call(client, "/web/dataset/call_kw", {
        "model": "res.partner", "method": "search_read",
        "args": [[["is_company", "=", True]]], "kwargs": {"fields": ["name"], "limit": 2, "order": "name"}}))
    with rpc_server.env() as env:
        expected = env["res.partner"].search([("is_company", "=", True)], limit=2, order="name")
        expected = [{"id": p.id, "name": p.name} for p in expected]
    assert rows == expected
    # the model/method suffix is cosmetic
    same = result_of(call(client, "/web/dataset/call_kw/res.partner/search_read", {
        "model": "res.partner", "method": "search_read",
        "args": [[["is_company", "=", True]]], "kwargs": {"fields": ["name"], "limit": 2, "order": "name"}}))
    assert same == rows


def test_call_kw_honours_kwargs_context(rpc_server, db_name):
    client, _info = authenticated(rpc_server, db_name)
    german = result_of(call(client, "/web/dataset/call_kw/res.partner/fields_get", {
        "model": "res.partner", "method": "fields_get", "args": [["country_id"]],
        "kwargs": {"attributes": ["string"], "context": {"lang": "de_DE", "tz": "Europe/Berlin", "uid": ADMIN_UID}}}))
    assert german == {"country_id": {"string": "Land"}}


def test_call_kw_creates_in_one_transaction_with_the_users_rights(rpc_server, db_name):
    admin, _info = authenticated(rpc_server, db_name)
    name = unique()
    new_id = result_of(call(admin, "/web/dataset/call_kw", {
        "model": "res.partner", "method": "create", "args": [{"name": name}], "kwargs": {}}))
    with rpc_server.env() as env:
        assert env["res.partner"].browse(new_id).name == name
    demo, _info = authenticated(rpc_server, db_name, "demo", "demo")
    renamed = unique()
    body = call(demo, "/web/dataset/call_kw", {
        "model": "res.partner", "method": "write", "args": [[new_id], {"name": renamed}], "kwargs": {}})
    assert body["error"]["data"]["name"] == "odoo.exceptions.AccessError"
    with rpc_server.env() as env:
        assert env["res.partner"].browse(new_id).name == name


def test_call_kw_without_a_session_is_session_expired(rpc_server):
    expired(call(rpc_server.client(), "/web/dataset/call_kw", {
        "model": "res.partner", "method": "search", "args": [[]], "kwargs": {}}))


def test_destroy_ends_the_session(rpc_server, db_name):
    client, _info = authenticated(rpc_server, db_name)
    assert "error" not in call(client, "/web/session/destroy")
    expired(call(client, "/web/dataset/call_kw", {
        "model": "res.partner", "method": "search", "args": [[]], "kwargs": {}}))
    expired(call(client, "/web/session/get_session_info"))


def test_check(rpc_server, db_name):
    client, _info = authenticated(rpc_server, db_name)
    body = call(client, "/web/session/check")
    assert "error" not in body
    assert body.get("result") is None
    expired(call(rpc_server.client(), "/web/session/check"))


def test_modules_lists_the_installed_addons(rpc_server, db_name):
    client, _info = authenticated(rpc_server, db_name)
    modules = result_of(call(client, "/web/session/modules"))
    assert {"base", "web"} <= set(modules)


def test_database_list(rpc_server, db_name):
    assert result_of(call(rpc_server.client(), "/web/database/list")) == [db_name]


def test_database_list_disabled(start_web_server):
    server = start_web_server(config=Config(list_db=False))
    body = call(server.client(), "/web/database/list")
    assert "result" not in body
    assert body["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"


@pytest.mark.parametrize("path", ["/web/session/authenticate", "/web/dataset/call_kw",
                                  "/web/session/get_session_info"])
def test_malformed_json_on_web_routes_is_400(rpc_server, db_name, path):
    # with a session, so that the only thing wrong is the body
    client, _info = authenticated(rpc_server, db_name)
    reply = client.request("POST", path, data=b"{not json", headers={"Content-Type": "application/json"})
    assert reply.status == 400


def test_action_load_by_id_and_by_external_id(rpc_server, db_name):
    client = rpc_server.client()
    call(client, "/web/session/authenticate", {"db": db_name, "login": "demo", "password": "demo"})
    with rpc_server.env() as env:
        action = env.ref("base.action_partner_form")
        expected = {"id": action.id, "res_model": "res.partner", "name": action.name}
    for key in (expected["id"], "base.action_partner_form"):
        result = call(client, "/web/action/load", {"action_id": key})["result"]
        assert {k: result[k] for k in expected} == expected
        assert result["type"] == "ir.actions.act_window" and result["view_mode"][0] in ("list", "kanban")
    body = call(client, "/web/action/load", {"action_id": "base.no_such_action"})
    assert "no_such_action" in body["error"]["data"]["message"]
    assert_no_traceback(body["error"]["data"]["message"])
