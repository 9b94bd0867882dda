"""Fixtures for the HTTP tests: a real server on loopback and a browser-like client.

``serve(app)`` runs an :class:`~core.http.Application` in werkzeug's threaded server
on a free port; :class:`Client` talks to it with urllib, keeps cookies in a cookie
jar like a browser and does not follow redirects (the tests look at them).
"""
import http.cookiejar
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from core.api import SUPERUSER_ID, Environment
from core.http import Application
from core.modules import ModuleManager

TEST_ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    def cookies(self):
        return self.headers.get_all("Set-Cookie") or []


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser: cookies kept between requests, redirects returned as they are."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method, path, data=None, headers=None):
        body = None
        headers = dict(headers or {})
        if isinstance(data, dict):
            body = urllib.parse.urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(data, (bytes, str)):
            body = data.encode() if isinstance(data, str) else data
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as resp:
                return Reply(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.headers, err.read())

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.request("POST", path, data=data if data is not None else {}, **kwargs)

    def json(self, path, params=None):
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 7, "params": params or {}})
        return self.request("POST", path, data=payload, headers={"Content-Type": "application/json"})

    @property
    def sid(self):
        return next((c.value for c in self.jar if c.name == "session_id"), None)

    def csrf_token(self, path="/web/login"):
        reply = self.get(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', reply.text)
        assert match, reply.text
        return match.group(1)

    def login(self, login="admin", password="admin", redirect=None):
        data = {"login": login, "password": password, "csrf_token": self.csrf_token()}
        if redirect is not None:
            data["redirect"] = redirect
        return self.post("/web/login", data)


@pytest.fixture
def http_db(base_db_uri):
    """The base database with the test addon installed and admin's password set to 'admin'."""
    manager = ModuleManager(base_db_uri, addons_paths=[TEST_ADDONS])
    manager.open()
    manager.install(["test_http_routes"])
    with manager.registry.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["res.users"].browse(2).write({"password": "admin"})
    manager.engine.dispose()
    return base_db_uri


@pytest.fixture
def serve():
    """``serve(app)``: the base URL of ``app`` served on loopback in a thread."""
    servers = []

    def start(app):
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread, app))
        return f"http://127.0.0.1:{server.server_port}"

    def stop():
        while servers:
            server, thread, app = servers.pop()
            server.shutdown()
            server.server_close()
            thread.join(5)
            for name in list(app._databases):
                app._databases[name].registry.engine.dispose()

    start.stop = stop
    yield start
    stop()


@pytest.fixture
def app(http_db):
    return Application(http_db, addons_paths=[TEST_ADDONS])


@pytest.fixture
def client(app, serve):
    return Client(serve(app))


def db_env(db_uri, function):
    """Run ``function(env)`` as superuser in a fresh transaction of a fresh registry."""
    manager = ModuleManager(db_uri, addons_paths=[TEST_ADDONS])
    registry = manager.open()
    try:
        return registry.run(lambda cr: function(Environment(cr, SUPERUSER_ID, {})))
    finally:
        manager.engine.dispose()
