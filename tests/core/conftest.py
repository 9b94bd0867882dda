"""Fixtures for the ORM tests: a registry of the test models on a fresh database."""
import pytest

from core.api import SUPERUSER_ID, Environment
from core.registry import Registry

from .orm_models import MODELS


@pytest.fixture
def registry(db_uri):
    registry = Registry.new(db_uri, MODELS)
    yield registry
    registry.engine.dispose()


@pytest.fixture
def cr(registry):
    cursor = registry.cursor()
    yield cursor
    cursor.close()


@pytest.fixture
def env(cr):
    return Environment(cr, SUPERUSER_ID, {})


class QueryCounter:
    def __init__(self, cr):
        self.cr = cr

    def __enter__(self):
        self.start = self.cr.sql_count
        return self

    def __exit__(self, *exc):
        self.count = self.cr.sql_count - self.start


@pytest.fixture
def count_queries(cr):
    return lambda: QueryCounter(cr)
