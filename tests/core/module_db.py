"""A database shared by the tests of one module, for suites that build their registry once.

``db_uri`` (tests/conftest.py) gives each test a fresh database; creating one and its
schema costs a few hundred milliseconds on PostgreSQL.  Modules with many small tests
import :func:`module_db_uri` instead, build one registry on it, and keep their tests
independent by never committing: ``cr`` from tests/core/conftest.py rolls back.
"""
import os
import uuid

import pytest
import sqlalchemy as sa


@pytest.fixture(scope="module")
def module_db_uri(tmp_path_factory):
    """The URL of an empty database for this test module (same backend as ``db_uri``)."""
    if (os.environ.get("TESSERA_TEST_DB") or "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module_db') / 'test.sqlite3'}"
        return
    pg_uri = os.environ["TESSERA_TEST_PG_URI"]
    admin = sa.create_engine(pg_uri, isolation_level="AUTOCOMMIT")
    name = "t_" + uuid.uuid4().hex[:16]
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield sa.make_url(pg_uri).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
