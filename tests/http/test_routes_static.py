"""Routes from addons, setup-time registration, static files, security headers, database selector."""
import http.client
import shutil
import urllib.parse

import pytest

from core.http import Application, RoutesFrozenError, route
from tests.http.conftest import TEST_ADDONS, Client
from tests.plugin import _new_database


def _raw_get(base_url, path):
    """GET ``path`` exactly as written (no client-side normalisation of '..')."""
    host = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_health(client):
    reply = client.get("/web/health")
    assert reply.status == 200 and reply.json() == {"status": "pass"}
    assert reply.headers["Content-Type"] == "application/json"


def test_security_headers_on_every_response(client):
    client.login()
    for reply in (client.get("/web/login"), client.get("/no/such/page"), client.get("/web/health"),
                  client.get("/test_http_routes/static/css/site.css"), client.get("/web/login")):
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert reply.headers["Referrer-Policy"] == "same-origin"
    logged_out = Client(client.base_url)
    redirect = logged_out.get("/test/whoami")
    assert redirect.status == 303 and redirect.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_static_file_with_cache_headers(client):
    reply = client.get("/test_http_routes/static/css/site.css")
    assert reply.status == 200
    assert reply.text == "body { color: #222; }\n"
    assert reply.headers["Content-Type"].startswith("text/css")
    cache = reply.headers["Cache-Control"]
    assert "public" in cache and "max-age=604800" in cache
    assert client.get("/test_http_routes/static/css/missing.css").status == 404
    assert client.get("/not_installed/static/x.css").status == 404


@pytest.mark.parametrize("path", [
    "/test_http_routes/static/../__manifest__.py",
    "/test_http_routes/static/css/../../hooks.py",
    "/test_http_routes/static/%2e%2e/hooks.py",
    "/test_http_routes/static/..%2fhooks.py",
    "/test_http_routes/static//etc/passwd",
])
def test_static_path_traversal_refused(client, path):
    status, body = _raw_get(client.base_url, path)
    # 308: werkzeug merges the double slash, towards a path inside static/ (then 404)
    assert status in (404, 308), (path, body[:200])
    assert b"hookimpl" not in body and b"root:" not in body


def test_route_added_by_addon_hook(client, installed_template, tmp_path, serve):
    assert client.get("/test/public").status == 200
    # a database without the addon does not serve its routes
    uri, drop = _new_database(tmp_path, installed_template(("base",)))
    try:
        plain = Client(serve(Application(uri)))
        assert plain.get("/test/public").status == 404
        assert plain.get("/web/login").status == 200
    finally:
        serve.stop()
        drop()


def test_route_registration_refused_once_serving(app, client):
    @app.route("/early", auth="none")
    def early():
        return "early bird"

    assert client.get("/early").text == "early bird"

    def late():
        return "too late"
    with pytest.raises(RoutesFrozenError):
        app.routes.add(route("/late", auth="none")(late))
    with pytest.raises(RoutesFrozenError):
        app.route("/late2")(late)
    from addons.test_http_routes import hooks
    with pytest.raises(RoutesFrozenError):
        hooks.SEEN[-1].add(route("/late3", auth="none")(late))
    assert client.get("/late").status == 404


def test_route_declaration_checked():
    with pytest.raises(ValueError, match="auth"):
        route("/x", auth="nobody")
    with pytest.raises(ValueError, match="'/'"):
        route("x")


def test_database_selector(http_db, db_backend, tmp_path, serve):
    if db_backend != "sqlite":
        pytest.skip("the selector lists the SQLite files of data_dir")
    source = http_db.removeprefix("sqlite:///")
    for name in ("alpha", "beta"):
        shutil.copy(source, tmp_path / f"{name}.sqlite3")
    app = Application(data_dir=str(tmp_path), addons_paths=[TEST_ADDONS])
    client = Client(serve(app))
    reply = client.get("/web/login")
    assert reply.status == 303 and reply.headers["Location"].endswith("/web/database/selector")
    page = client.get("/web/database/selector")
    assert '<label for="db">' in page.text and "alpha" in page.text and "beta" in page.text
    reply = client.get("/web/database/selector?db=beta")
    assert reply.status == 303
    assert client.login().status == 303
    assert client.get("/test/whoami").json()["uid"] == 2
    assert client.get("/web/database/selector?db=../x").status == 404

    hidden = Client(serve(Application(data_dir=str(tmp_path), list_db=False, addons_paths=[TEST_ADDONS])))
    assert hidden.get("/web/database/selector").status == 403
