"""Fixtures of a served database: ``start_web_server`` (a factory) and ``web_server``.

``start_web_server(addons=("web",), addons_paths=(), demo=True, **app_options)`` copies a session-cached
template database with those addons installed, sets the admin's password to "admin" and serves
it with :class:`~core.http.Application` (given ``app_options``, e.g. ``config=``) in werkzeug's threaded server on 127.0.0.1.  It returns a
:class:`WebServer` (``url``, ``db_uri``, ``manager``, ``app``, ``env()``, ``client()``,
``login_client()``); every server is stopped and its database dropped at the test's end.

This module owns no browser (tests.support.browser) and no HTTP client (tests.support.http).
"""
from contextlib import contextmanager

import pytest

from core.api import SUPERUSER_ID, Environment
from core.http import Application
from core.modules import ModuleManager
from tests.support.http import Client, Server

ADMIN_PASSWORD = "admin"


class WebServer:
    """A database with installed addons, served over HTTP on loopback."""

    def __init__(self, db_uri, manager, app, server):
        self.db_uri = db_uri
        self.manager = manager
        self.app = app
        self._server = server
        self.url = server.url

    @contextmanager
    def env(self):
        """A superuser Environment in a new transaction, committed on exit (rolled back on error).

        Uses the registry the application serves (the newest one after an install).
        """
        with self.manager.registry.cursor() as cr:
            yield Environment(cr, SUPERUSER_ID, {})

    def client(self):
        """A new HTTP :class:`~tests.support.http.Client` (no session yet) for this server."""
        return Client(self.url)

    def login_client(self, login="admin", password=ADMIN_PASSWORD):
        """A new :class:`~tests.support.http.Client` logged in as ``login``."""
        client = self.client()
        reply = client.login(login, password)
        assert reply.status == 303, f"login of {login!r} failed with {reply.status}:\n{reply.text[:2000]}"
        return client

    def stop(self):
        self._server.stop()
        self.manager.engine.dispose()


@pytest.fixture
def start_web_server(tmp_path_factory, installed_template):
    """``start_web_server(addons=("web",), addons_paths=(), demo=True, **app_options)`` -> a running WebServer."""
    from tests.plugin import _new_database
    started = []

    def start(addons=("web",), addons_paths=(), demo=True, **app_options):
        template = installed_template(tuple(addons), demo=demo, addons_paths=addons_paths)
        folder = tmp_path_factory.mktemp("web_server")
        db_uri, drop = _new_database(folder, template)
        started.append((None, drop))
        data_dir = folder / "data"
        data_dir.mkdir()
        manager = ModuleManager(db_uri, addons_paths=addons_paths, demo=demo, data_dir=str(data_dir))
        registry = manager.open()
        with registry.cursor() as cr:
            Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin").password = ADMIN_PASSWORD
        app = Application(manager=manager, **app_options)
        server = WebServer(db_uri, manager, app, Server(app))
        started[-1] = (server, drop)
        return server

    yield start
    while started:
        server, drop = started.pop()
        try:
            if server is not None:
                server.stop()
        finally:
            drop()


@pytest.fixture
def web_server(start_web_server):
    """The web addon (with base and its demo data) served on loopback: see ``start_web_server``."""
    return start_web_server()
