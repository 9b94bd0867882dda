"""CSRF, one transaction per request, error pages and JSON errors."""
import re

from tests.http.conftest import db_env


def _count(db_uri, name):
    return db_env(db_uri, lambda env: env["res.partner"].search_count([("name", "=", name)]))


def test_csrf_missing_or_invalid_is_refused_and_nothing_written(client, http_db):
    client.login()
    assert client.post("/test/partner", {"name": "No token"}).status == 400
    reply = client.post("/test/partner", {"name": "No token", "csrf_token": "0" * 64 + "o9999999999"})
    assert reply.status == 400
    assert "CSRF" in reply.text
    assert _count(http_db, "No token") == 0
    token = client.csrf_token("/test/partner")
    assert client.post("/test/partner", {"name": "With token", "csrf_token": token}).text == "created"
    assert _count(http_db, "With token") == 1


def test_csrf_token_is_bound_to_the_session(client, serve, app):
    from tests.http.conftest import Client
    client.login()
    token = client.csrf_token("/test/partner")
    other = Client(client.base_url)
    other.login()
    assert other.post("/test/partner", {"name": "Stolen", "csrf_token": token}).status == 400


def test_exception_rolls_back_and_shows_clean_page(client, http_db):
    client.login()
    reply = client.post("/test/crash", {"name": "Rolled back"})
    assert reply.status == 500
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "internal error" in reply.text
    assert "secret internal detail" not in reply.text and "Traceback" not in reply.text
    assert _count(http_db, "Rolled back") == 0
    # the session survived the failed request
    assert client.get("/test/whoami").status == 200


def test_user_error_message_is_shown(client):
    client.login()
    reply = client.get("/test/user_error")
    assert reply.status == 400
    assert "You cannot do that." in reply.text


def test_not_found_page(client):
    reply = client.get("/no/such/page")
    assert reply.status == 404 and "Page not found" in reply.text


def test_json_route_result_and_errors(client):
    client.login()
    reply = client.json("/test/json/echo", {"a": 1})
    assert reply.status == 200
    assert reply.json() == {"jsonrpc": "2.0", "id": 7, "result": {"params": {"a": 1}, "uid": 2}}
    # Odoo's shape: HTTP 200, code 200 "Odoo Server Error", the details in data
    for kind, name, message in [("user", "odoo.exceptions.UserError", "Nothing to invoice."),
                                ("access", "odoo.exceptions.AccessError", "Not yours.")]:
        reply = client.json("/test/json/fail", {"kind": kind})
        assert reply.status == 200
        error = reply.json()["error"]
        assert error == {"code": 200, "message": "Odoo Server Error",
                         "data": {"name": name, "message": message, "arguments": [message], "context": {},
                                  "debug": f"{name}: {message}"}}
    # a bug of the route's own code: nothing of it reaches the caller
    reply = client.json("/test/json/fail", {"kind": "bug"})
    assert reply.status == 200
    assert "secret internal detail" not in reply.text
    error = reply.json()["error"]
    assert error["code"] == 200 and error["data"]["name"] == "builtins.Exception"
    assert re.fullmatch(r"An internal error occurred \(incident [0-9a-f]{8}\): the operation was cancelled\.",
                        error["data"]["message"])


def test_json_route_needs_json_content_type(client):
    client.login()
    reply = client.post("/test/json/echo", {"a": "1"})
    assert reply.status == 415
    assert reply.json()["error"]["data"]["name"] == "werkzeug.exceptions.UnsupportedMediaType"
