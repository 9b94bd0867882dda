"""A cache shared by the transactions of a process, kept true across processes.

Some answers are asked on every request and change only when an administrator
edits the configuration: the menus a set of groups may see, the assembled views,
the access rights of a model.  :class:`SharedCache` (one per registry, as
``registry.shared_cache``) keeps them between transactions.

Keeping them true with several worker processes on one database works through a
counter in the database (table ``tessera_signal``, row ``cache``):

- code that changes what a cached answer derives from calls :meth:`invalidate`
  in its transaction: the counter goes up in that same transaction, so the signal
  is committed exactly when the change is;
- a transaction reads the counter once, the first time it uses the cache; when the
  counter moved, the process drops what it kept (another process changed
  something);
- an answer is kept with the counter value it was computed under and served only
  to transactions that read the same value; a transaction that invalidated never
  stores answers (they would show its uncommitted changes to others).

It does not decide what to cache nor when to invalidate: the callers do (the
security helpers, ``ir.ui.view``, ``ir.ui.menu``, the actions).
"""
import threading

import sqlalchemy as sa

_metadata = sa.MetaData()
signal_table = sa.Table(
    "tessera_signal", _metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
CACHE_SIGNAL = "cache"


def ensure_table(connection):
    """Create ``tessera_signal`` and its row in the transaction of ``connection`` if missing."""
    signal_table.create(connection, checkfirst=True)
    found = connection.execute(sa.select(signal_table.c.value).where(
        signal_table.c.name == CACHE_SIGNAL)).first()
    if found is None:
        connection.execute(signal_table.insert().values(name=CACHE_SIGNAL, value=0))


class SharedCache:
    """Answers kept across the transactions of one registry (see the module docstring)."""

    def __init__(self):
        self._data = {}
        self._generation = None
        self._lock = threading.Lock()

    def _transaction_generation(self, cr):
        flags = cr.transaction.flags
        generation = flags.get("cache_generation")
        if generation is None:
            value = cr.execute(sa.select(signal_table.c.value).where(
                signal_table.c.name == CACHE_SIGNAL)).scalar()
            generation = flags["cache_generation"] = value or 0
            with self._lock:
                if generation != self._generation:
                    self._data.clear()
                    self._generation = generation
        return generation

    def get(self, cr, key, compute):
        """The answer kept for ``key``, or ``compute()`` (kept when that is safe)."""
        generation = self._transaction_generation(cr)
        entry = self._data.get(key)
        if entry is not None and entry[0] == generation:
            return entry[1]
        value = compute()
        if not cr.transaction.flags.get("cache_changed"):
            with self._lock:
                if generation == self._generation:
                    self._data[key] = (generation, value)
        return value

    def invalidate(self, cr):
        """What the cache derives from changes in ``cr``'s transaction: every process
        drops its answers once the transaction commits (this one at once)."""
        with self._lock:
            self._data.clear()
            self._generation = None
        cr.transaction.flags["cache_changed"] = True
        cr.transaction.flags.pop("cache_generation", None)
        cr.execute(signal_table.update().where(signal_table.c.name == CACHE_SIGNAL)
                   .values(value=signal_table.c.value + 1))
        cr.after_commit(self._forget)

    def _forget(self):
        with self._lock:
            self._data.clear()
            self._generation = None
