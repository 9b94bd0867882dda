"""HTTP test helpers: a real server on loopback and a browser-like client (no browser engine).

``Server(app)`` runs a WSGI application in werkzeug's threaded server on a free loopback port;
:class:`Client` talks to it with urllib, keeps cookies in a cookie jar like a browser and does
not follow redirects (the tests look at them).  This module owns no fixture: tests/plugin.py and
the conftest files build theirs on it.
"""
import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

from werkzeug.serving import make_server


class Reply:
    """One HTTP answer: ``status``, ``headers`` (an ``http.client.HTTPMessage``), ``body`` bytes."""

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
        """The CSRF token of the first form (or ``<meta name="csrf-token">``) of the page at ``path``."""
        reply = self.get(path)
        match = (re.search(r'name="csrf_token" value="([^"]+)"', reply.text)
                 or re.search(r'name="csrf-token" content="([^"]+)"', reply.text))
        assert match, f"no CSRF token on {path} (status {reply.status}):\n{reply.text[:2000]}"
        return match.group(1)

    def login(self, login="admin", password="admin", redirect=None):
        data = {"login": login, "password": password, "csrf_token": self.csrf_token()}
        if redirect is not None:
            data["redirect"] = redirect
        return self.post("/web/login", data)


class Server:
    """``app`` served by werkzeug's threaded server on 127.0.0.1 at a free port, until :meth:`stop`."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # a short poll interval: shutdown() waits for the loop's next turn (0.5 s by default)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True,
                                        name=f"test-server-{self._server.server_port}")
        self._thread.start()

    def stop(self):
        """Stop serving, then close the database connections the application opened."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._server = None
        for state in list(getattr(self.app, "_databases", {}).values()):
            state.registry.engine.dispose()


def serve(app):
    """Start serving ``app``; the :class:`Server` (``.url``, ``.stop()``)."""
    return Server(app)
