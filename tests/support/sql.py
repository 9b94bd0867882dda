"""Counting the SQL statements an engine runs (query counts, which do not depend on the
machine's speed, may be asserted in tests)."""
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements_of(engine):
    """``with statements_of(engine) as statements:`` — the SQL statements run meanwhile."""
    statements = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)
