"""Shared fixtures for the whole suite (tests/ and addons/*/tests/): every test gets a fresh, empty database.

The backend is chosen by the environment (``python3 dev.py test`` sets both):

- ``TESSERA_TEST_DB``: ``sqlite`` (the default when unset) or ``postgresql``;
- ``TESSERA_TEST_PG_URI``: for ``postgresql``, the SQLAlchemy URL of a maintenance database on
  a server where this user may create and drop databases.

Tests marked ``@pytest.mark.postgresql`` are skipped, with the reason shown, on SQLite.

The fixtures of a served database (``start_web_server``, ``web_server``) and of the real browser
(``browser``, ``page``, ``phone_page``, ``admin_page``) live in tests/support/ and are registered here.
"""
import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy

BACKEND = os.environ.get("TESSERA_TEST_DB") or "sqlite"
PG_URI = os.environ.get("TESSERA_TEST_PG_URI")

_admin_engine = None

pytest_plugins = ["tests.support.web", "tests.support.browser"]


def pytest_configure(config):
    if BACKEND not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"TESSERA_TEST_DB={BACKEND!r}: expected 'sqlite' or 'postgresql'")
    if BACKEND == "postgresql" and not PG_URI:
        raise pytest.UsageError(
            "TESSERA_TEST_DB=postgresql needs TESSERA_TEST_PG_URI, e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres "
            "(`python3 dev.py test` starts a cluster and sets both)")


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (TESSERA_TEST_DB=postgresql)")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)


def _admin():
    """One engine per process on the maintenance database, in AUTOCOMMIT for CREATE DATABASE."""
    global _admin_engine
    if _admin_engine is None:
        _admin_engine = sqlalchemy.create_engine(
            PG_URI, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    return _admin_engine


@pytest.fixture(scope="session")
def db_backend():
    """"sqlite" or "postgresql": the backend this run tests."""
    return BACKEND


def _new_database(tmp_path, template=None):
    """A fresh database (a copy of ``template`` when given): (uri, drop function)."""
    if BACKEND == "sqlite":
        path = tmp_path / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
        if template:
            import sqlite3
            source = sqlite3.connect(sqlalchemy.make_url(template).database)
            target = sqlite3.connect(path)
            source.backup(target)
            source.close()
            target.close()
        return f"sqlite:///{path}", lambda: None
    name = "t_" + uuid.uuid4().hex[:16]
    source = sqlalchemy.make_url(template).database if template else "template0"
    with _admin().connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')

    def drop():
        with _admin().connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return sqlalchemy.make_url(PG_URI).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture
def db_uri(tmp_path):
    """The SQLAlchemy URL of a fresh, empty database that lives for this one test."""
    uri, drop = _new_database(tmp_path)
    try:
        yield uri
    finally:
        drop()


_templates = {}


@pytest.fixture(scope="session")
def installed_template(tmp_path_factory):
    """``template(addons, demo=True, addons_paths=())``: the URI of a database with those addons
    installed (``addons_paths``: folders of addons besides addons/, e.g. a test's own addons).

    Installed once per session and worker; tests copy it (see ``base_db_uri``), which is
    much faster than installing again.
    """
    drops = []

    def template(addons=("base",), demo=True, addons_paths=()):
        paths = tuple(os.path.abspath(p) for p in addons_paths)
        key = (tuple(sorted(addons)), demo, paths)
        if key not in _templates:
            from core.modules import ModuleManager
            uri, drop = _new_database(tmp_path_factory.mktemp("template"))
            drops.append(drop)
            manager = ModuleManager(uri, demo=demo, addons_paths=paths)
            manager.open(install=list(addons))
            manager.engine.dispose()
            _templates[key] = uri
        return _templates[key]

    yield template
    for drop in drops:
        drop()
    _templates.clear()


@pytest.fixture
def base_db_uri(tmp_path, installed_template):
    """A fresh database with the base addon (and its demo data) installed."""
    with installed_copy(tmp_path, installed_template, ("base",)) as uri:
        yield uri


@contextmanager
def installed_copy(tmp_path, installed_template, addons, addons_paths=()):
    """The URI of a fresh copy of the template with ``addons`` installed (and demo data),
    dropped on exit: what an addon's ``<addon>_db_uri`` fixture yields."""
    uri, drop = _new_database(tmp_path, installed_template(tuple(addons), addons_paths=addons_paths))
    try:
        yield uri
    finally:
        drop()


@contextmanager
def opened_registry(db_uri, tmp_path, addons_paths=()):
    """The registry of ``db_uri`` opened with a filestore of its own (``tmp_path/data``);
    its engine is disposed on exit."""
    from core.modules import ModuleManager
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    manager = ModuleManager(db_uri, addons_paths=addons_paths, data_dir=str(data_dir))
    try:
        yield manager.open()
    finally:
        manager.engine.dispose()
