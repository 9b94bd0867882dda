"""Fixtures for the HTTP tests: a real server on loopback and a browser-like client.

The helpers themselves (``Client``, ``Reply``, ``Server``) live in :mod:`tests.support.http`,
shared with the addons' tests; they are imported here under their old names.  ``serve(app)``
runs an :class:`~core.http.Application` in werkzeug's threaded server on a free port.
"""
import os

import pytest

from core.api import SUPERUSER_ID, Environment
from core.http import Application
from core.modules import ModuleManager
from tests.support.http import Client, Reply, Server  # noqa: F401 -- re-exported for the tests

TEST_ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")


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
        servers.append(Server(app))
        return servers[-1].url

    def stop():
        while servers:
            servers.pop().stop()

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
