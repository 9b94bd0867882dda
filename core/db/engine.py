"""Engines and cursors.

SQLite runs in WAL mode with foreign keys on, a busy timeout, case-sensitive LIKE
(as on PostgreSQL) and a Unicode-aware ``lower()`` so that ``ilike`` folds "Ä" as
PostgreSQL does.  PostgreSQL runs at REPEATABLE READ, as Odoo does: concurrent
updates of the same row fail with a serialization error, which the caller retries
at the request or RPC-call boundary (``Registry.run``).
"""
import logging

import sqlalchemy as sa
from sqlalchemy import event

_logger = logging.getLogger(__name__)

# serialization failure, deadlock, lock not available
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def is_retryable(exc):
    """True for errors that a fresh attempt of the whole transaction may not meet."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    # SQLite: another writer held the lock for longer than the busy timeout
    return type(orig).__name__ == "OperationalError" and "database is locked" in str(orig)


def _sqlite_lower(value):
    return value.lower() if isinstance(value, str) else value


def create_engine(uri, echo=False, pool_size=5):
    """An engine for ``uri`` with the session settings Tessera relies on."""
    url = sa.make_url(uri)
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, echo=echo)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, connection_record):
            # we issue BEGIN ourselves so that SAVEPOINT and DDL are transactional
            dbapi_connection.isolation_level = None
            dbapi_connection.create_function("lower", 1, _sqlite_lower, deterministic=True)
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000",
                           "case_sensitive_like=ON", "synchronous=NORMAL"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            # straight to the driver, as psycopg does on PostgreSQL: BEGIN is not one of
            # the statements ``Cursor.sql_count`` counts, on either database
            connection.connection.driver_connection.execute("BEGIN")
    elif url.get_backend_name() == "postgresql":
        engine = sa.create_engine(
            url, echo=echo, pool_size=pool_size, max_overflow=pool_size * 2,
            pool_pre_ping=True, isolation_level="REPEATABLE READ")
    else:
        raise ValueError(f"unsupported database {url.get_backend_name()!r} in {url.render_as_string()}")

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        conn.info["sql_count"] = conn.info.get("sql_count", 0) + 1

    return engine


class Cursor:
    """One database transaction: executes statements, commits, rolls back.

    Use it as a context manager: it commits when the block ends normally and rolls
    back when it raises.  ``transaction`` holds the ORM state of this transaction
    (cache, pending recomputations), cleared on rollback.
    """

    def __init__(self, registry):
        self.registry = registry
        self.connection = registry.engine.connect()
        # the counter lives on the pooled DBAPI connection, which earlier cursors used too
        self._sql_count_start = self.connection.info.get("sql_count", 0)
        self.dialect = self.connection.dialect.name
        self._tx = self.connection.begin()
        from ..models.transaction import Transaction
        self.transaction = Transaction(registry)
        self.closed = False
        self._after_commit = []
        self._after_transaction = []

    @property
    def sql_count(self):
        """The number of SQL statements this cursor has executed."""
        return self.connection.info.get("sql_count", 0) - self._sql_count_start

    def execute(self, statement, params=None):
        return self.connection.execute(statement, params) if params is not None \
            else self.connection.execute(statement)

    def savepoint(self, flush=True):
        """A nested transaction: ``with cr.savepoint(): ...`` undoes only its block.

        With ``flush=False`` the recomputations pending when the block starts and ends
        stay pending (two statements less, for code that wraps a single write).
        """
        return _Savepoint(self, flush)

    def flush(self):
        from ..api import SUPERUSER_ID, Environment
        self.transaction.flush(Environment(self, SUPERUSER_ID, {}))

    def commit(self):
        self.flush()
        self._tx.commit()
        callbacks, self._after_commit = self._after_commit, []
        # the next transaction must see what others committed meanwhile: nothing cached
        # may outlive the transaction that read it
        self.transaction.reset()
        self._tx = self.connection.begin()
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a post-commit hook must not undo a commit
                _logger.exception("after-commit callback failed")
        self._run_after_transaction()

    def rollback(self):
        self._tx.rollback()
        self._after_commit = []
        self.transaction.reset()
        self._tx = self.connection.begin()
        self._run_after_transaction()

    def after_commit(self, callback):
        """Run ``callback`` once this transaction has committed (never on rollback)."""
        self._after_commit.append(callback)

    def after_transaction(self, callback):
        """Run ``callback`` once this transaction is over, committed or rolled back.

        For what must outlive a rollback (a failed login's count) and be written on
        another connection without waiting for this transaction's locks.  A
        savepoint rolled back does not cancel it.
        """
        self._after_transaction.append(callback)

    def _run_after_transaction(self):
        callbacks, self._after_transaction = self._after_transaction, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the transaction is over: report, do not raise
                _logger.exception("after-transaction callback failed")

    def close(self):
        if not self.closed:
            if self._tx.is_active:
                self._tx.rollback()
            self.connection.close()
            self.closed = True
            self._run_after_transaction()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()
        return False


class BorrowedCursor(Cursor):
    """A cursor for another registry inside an owner cursor's transaction.

    The module manager builds a new registry while installing an addon and must work
    with it in the caller's transaction (one transaction for schema and data: all of
    it or none).  The owner commits or rolls back; this cursor only flushes.
    """

    def __init__(self, registry, owner):  # noqa: super().__init__ would open a connection
        self.registry = registry
        self.owner = owner
        self.connection = owner.connection
        self._sql_count_start = self.connection.info.get("sql_count", 0)
        self.dialect = owner.dialect
        from ..models.transaction import Transaction
        self.transaction = Transaction(registry)
        self.closed = False

    def after_commit(self, callback):
        self.owner.after_commit(callback)

    def after_transaction(self, callback):
        self.owner.after_transaction(callback)

    def commit(self):
        self.flush()

    def rollback(self):
        self.transaction.reset()

    def close(self):
        self.closed = True

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.flush()
        self.close()
        return False


class _Savepoint:
    def __init__(self, cr, flush=True):
        self.cr = cr
        self.flush = flush

    def __enter__(self):
        if self.flush:
            self.cr.flush()
        elif self.cr.transaction.unwritten:
            # values recomputed before the block belong before it: an undone block keeps them
            from ..api import SUPERUSER_ID, Environment
            self.cr.transaction.write_unwritten(Environment(self.cr, SUPERUSER_ID, {}))
        self.nested = self.cr.connection.begin_nested()
        # the pending recomputations of before the block (with flush=False there are some);
        # not Transaction.snapshot(), whose deepcopy also copies the fields used as keys
        self.snapshot = {field: set(ids) for field, ids in self.cr.transaction.tocompute.items()}
        # what the block asks to run after the commit is undone with the block
        self.owner = getattr(self.cr, "owner", self.cr)
        self.callbacks = len(self.owner._after_commit)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                # the recomputations the block left pending belong to the block: when
                # writing them fails, the block fails
                if self.flush:
                    self.cr.flush()
            except BaseException:
                self._undo()
                raise
            self.nested.commit()
        else:
            self._undo()
        return False

    def _undo(self):
        self.nested.rollback()
        self.cr.transaction.restore(self.snapshot)
        del self.owner._after_commit[self.callbacks:]
