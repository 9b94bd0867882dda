"""The test harness itself is real: each test gets its own empty database on the asked backend."""
import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def engine(db_uri):
    engine = sa.create_engine(db_uri)
    yield engine
    engine.dispose()


def test_round_trip(engine):
    meta = sa.MetaData()
    items = sa.Table("items", meta, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("name", sa.String(64), nullable=False))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(items.insert(), [{"name": "Grüße"}, {"name": "tessera"}])
    with engine.connect() as conn:
        rows = conn.execute(sa.select(items.c.id, items.c.name).order_by(items.c.id)).all()
    assert [tuple(row) for row in rows] == [(1, "Grüße"), (2, "tessera")]


def test_backend_is_the_one_asked_for(engine, db_backend):
    assert db_backend == (os.environ.get("TESSERA_TEST_DB") or "sqlite")
    assert engine.dialect.name == db_backend


@pytest.mark.postgresql
def test_postgresql_is_15_or_newer(engine):
    with engine.connect() as conn:
        assert int(conn.exec_driver_sql("SHOW server_version_num").scalar()) >= 150000
        assert conn.exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_starts_with_an_empty_database(engine, db_uri, attempt):
    # Both attempts leave a table behind: were a database shared, the other one would see it.
    assert sa.inspect(engine).get_table_names() == []
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE left_behind (id INTEGER PRIMARY KEY)")
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            name = conn.exec_driver_sql("SELECT current_database()").scalar()
        assert name.startswith("t_") and name == sa.make_url(db_uri).database
    else:
        assert os.path.isfile(sa.make_url(db_uri).database)
