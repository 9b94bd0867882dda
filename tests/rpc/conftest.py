"""Fixtures and wire helpers for the external API tests (XML-RPC, JSON-RPC, web session, JSON-2).

The tests here are black-box: they talk to a real :class:`~core.http.Application` served on
127.0.0.1 with nothing but the standard library (``xmlrpc.client``, ``urllib``, ``json``), the
way an integrator's script would, and look at the database only through ``rpc_server.env()``
to check what was (or was not) written.

- ``rpc_server``: the web addon (base + demo data) served on loopback, built ONCE per test
  module because starting a server costs a database copy and a registry.  Tests that write
  must not depend on each other's order: each one creates what it changes, under a unique name.
- ``api_keys``: a clear API key of admin and one of demo on ``rpc_server`` (scope "rpc").
- ``failer``: ``(uid, login, password)`` of a user whose login the failed-login tests use.
- ``start_web_server`` (from tests/support/web.py): a fresh server per test, for the tests
  that need their own configuration (a small body limit, listing disabled, a master password).

Helpers: :func:`proxy` (a ``ServerProxy`` on a service), :func:`json_post` (one raw HTTP POST
answered as ``(status, headers, decoded body)``), :func:`jsonrpc` (a JSON-RPC call on
``/jsonrpc``), :func:`execute_kw` (``object.execute_kw`` over XML-RPC as admin).

This module owns no server code and no fixture of another test folder.
"""
import http.client
import itertools
import json
import uuid
import xmlrpc.client
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from core.api import SUPERUSER_ID, Environment
from core.http import Application
from core.modules import ModuleManager
from tests.support.http import Server
from tests.support.web import ADMIN_PASSWORD, WebServer

ADMIN_UID = 2
ADMIN = ("admin", ADMIN_PASSWORD)
DEMO = ("demo", "demo")

_ids = itertools.count(1)


@contextmanager
def _served(tmp_path_factory, installed_template, **app_options):
    """The web addon's demo database copied, admin's password set, served until the block ends.

    The same steps as ``start_web_server`` (tests/support/web.py), which is function-scoped
    and so cannot serve a whole module.
    """
    from tests.plugin import _new_database
    template = installed_template(("web",), demo=True)
    folder = tmp_path_factory.mktemp("rpc_server")
    db_uri, drop = _new_database(folder, template)
    data_dir = folder / "data"
    data_dir.mkdir()
    server = None
    try:
        manager = ModuleManager(db_uri, demo=True, data_dir=str(data_dir))
        registry = manager.open()
        with registry.cursor() as cr:
            Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin").password = ADMIN_PASSWORD
        app = Application(manager=manager, **app_options)
        server = WebServer(db_uri, manager, app, Server(app))
        yield server
    finally:
        try:
            if server is not None:
                server.stop()
        finally:
            drop()


@pytest.fixture(scope="module")
def rpc_server(tmp_path_factory, installed_template):
    """The web addon with demo data served on loopback for one test module (a WebServer)."""
    with _served(tmp_path_factory, installed_template) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_throttle(request):
    """Each test starts with no failed-login counters on the module's server: the failures of
    one test (wrong passwords, bad API keys, all from 127.0.0.1) must not block the next."""
    yield
    if "rpc_server" in request.fixturenames:
        from core import login_throttle
        server = request.getfixturevalue("rpc_server")
        with server.manager.registry.engine.begin() as connection:
            login_throttle.forget(connection)


@pytest.fixture(scope="module")
def db_name(rpc_server):
    """The name of the database ``rpc_server`` serves, as clients pass it."""
    return rpc_server.manager.db_name


@pytest.fixture(scope="module")
def api_keys(rpc_server):
    """{"admin": key, "demo": key}: a clear API key of each user, scope "rpc"."""
    keys = {}
    with rpc_server.env() as env:
        for login in ("admin", "demo"):
            user = env["res.users"].search([("login", "=", login)])
            keys[login] = env["res.users.apikeys"].with_user(user.id)._generate("rpc", f"{login} test key")
    return keys


@pytest.fixture(scope="module")
def failer(rpc_server):
    """(uid, login, password) of a user kept for the failed-login tests, so that the throttling
    of one login's failures never refuses admin or demo in the other tests."""
    with rpc_server.env() as env:
        user = env["res.users"].create({"name": "RPC Failer", "login": "rpc_failer", "password": "right-pass"})
        return user.id, "rpc_failer", "right-pass"


@pytest.fixture(scope="module")
def demo_uid(rpc_server):
    with rpc_server.env() as env:
        return env["res.users"].search([("login", "=", "demo")]).id


# ---------------------------------------------------------------- wire helpers
def unique(prefix="RPC"):
    """A name no other test uses, so that tests sharing a server never see each other's rows."""
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def proxy(server, service, legacy=False):
    """A standard-library ``ServerProxy`` on ``/xmlrpc/2/<service>`` (``/xmlrpc/<service>`` if legacy).

    ``allow_none`` stays False, as in every client script: the server must never send None.
    """
    prefix = "/xmlrpc/" if legacy else "/xmlrpc/2/"
    return xmlrpc.client.ServerProxy(server.url + prefix + service)


def execute_kw(server, model, method, args=(), kwargs=None, login=ADMIN, uid=None):
    """``object.execute_kw`` over XML-RPC as ``login`` (admin by default)."""
    db = server.manager.db_name
    if uid is None:
        uid = ADMIN_UID if login == ADMIN else proxy(server, "common").login(db, *login)
    return proxy(server, "object").execute_kw(db, uid, login[1], model, method, list(args), kwargs or {})


def http_post(server, path, body, headers=None, method="POST"):
    """One raw HTTP request: ``(status, headers, body bytes)``, whatever the status."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def json_post(server, path, payload, headers=None, method="POST"):
    """POST ``payload`` (a dict, dumped; or bytes, sent as they are) as JSON to ``path``.

    Returns ``(status, headers, decoded JSON or None when the body is not JSON)``.
    """
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    status, resp_headers, raw = http_post(server, path, body, headers, method=method)
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = None
    return status, resp_headers, decoded


def jsonrpc_envelope(params, request_id=None):
    return {"jsonrpc": "2.0", "method": "call", "id": next(_ids) if request_id is None else request_id,
            "params": params}


def jsonrpc(server, service, method, *args, path="/jsonrpc"):
    """One JSON-RPC call on ``/jsonrpc``: the whole decoded response (``result`` or ``error``).

    Asserts the envelope: HTTP 200, ``jsonrpc`` "2.0", the request's id echoed.
    """
    envelope = jsonrpc_envelope({"service": service, "method": method, "args": list(args)})
    status, _headers, body = json_post(server, path, envelope)
    assert status == 200, (status, body)
    assert body["jsonrpc"] == "2.0"
    assert body["id"] == envelope["id"]
    return body


def assert_no_traceback(text):
    """User-facing messages never carry a Python traceback."""
    assert "Traceback (most recent call last)" not in text, text
