"""Database access: engines, cursors (one transaction each), savepoints and retries.

Owns the connection to SQLite or PostgreSQL and the life of a transaction.  It
knows nothing of models: the ORM builds SQLAlchemy Core statements and executes
them through a :class:`Cursor`.  Schema synchronisation lives in ``schema.py``.
"""
from .engine import RETRYABLE_SQLSTATES, BorrowedCursor, Cursor, create_engine, is_retryable

__all__ = ["BorrowedCursor", "Cursor", "create_engine", "is_retryable", "RETRYABLE_SQLSTATES"]
