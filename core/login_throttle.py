"""Failed logins, counted per login and client address, so that guessing passwords does not work.

Every path that takes a password (the web login form, ``common.login`` /
``authenticate``, ``/web/session/authenticate`` and the password each object-service
call carries) goes through :func:`guard`: a login refused here is refused before its
password is even looked at, with :class:`~core.exceptions.AccessDenied` saying when
to try again (its ``retry_after`` attribute holds the seconds).

The policy (module constants, or a :class:`Policy` assigned to :data:`policy`):

- after :data:`MAX_FAILURES` failures for one login from one address, each new
  failure blocks that pair for 2^(failures - MAX_FAILURES) seconds, at most
  :data:`MAX_DELAY`: the right password is refused too while blocked;
- an address with :data:`ADDRESS_MAX_FAILURES` failures, whatever the logins, is
  blocked the same way (password spraying: one password tried on many logins);
- a counter is forgotten :data:`WINDOW` after its last failure; a successful login
  clears the counter of its login and address (not the address's own counter).

The address is the TCP peer of the current HTTP request (``remote_addr``): the
``X-Forwarded-For`` header is NOT trusted, since any client can write it; behind a
reverse proxy every client shares the proxy's address, so configure the proxy to
rewrite ``remote_addr`` (werkzeug's ``ProxyFix``) only when it is the sole way in.
IPv6 addresses count per /64 network, which one client usually holds whole.  Code
run without a request (shell, cron, tests) counts under the address ``"local"``.

The state lives in the table ``login_throttle`` of the database, so that every
worker process sees it; :func:`ensure_table` creates it (the first check does, in a
transaction of its own, when nobody did before), :func:`forget` empties it.

The hard part: a failed login raises AccessDenied, which rolls the caller's
transaction back, so a failure is written in a short transaction of its own on
another connection of the same engine.  It is written once the
caller's transaction is over (``Cursor.after_transaction`` when the cursor has it),
because on SQLite the caller's transaction may hold the database's write lock: a
second connection writing meanwhile would wait for the busy timeout.  Cursors
without that hook get a bounded wait instead, and when it fails the failure is
written in the caller's transaction (it then survives only a commit).

Parallel attempts already past the check are not refused: a client has at most as
many attempts in flight as the server has workers, and each is counted.

It does not verify passwords (``res.users`` does) nor render the refusal (the login
form and the RPC layers show the exception's message).
"""
import dataclasses
import datetime
import ipaddress
import logging
import math
import weakref
from contextlib import contextmanager
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .exceptions import AccessDenied

_logger = logging.getLogger(__name__)

#: failures of one login from one address before each new failure blocks the pair
MAX_FAILURES = 5
#: failures from one address, all logins together, before the address is blocked
ADDRESS_MAX_FAILURES = 50
#: a counter with no failure for this long starts again from zero
WINDOW = datetime.timedelta(minutes=15)
#: the longest block: the delay doubles with each failure up to this
MAX_DELAY = datetime.timedelta(minutes=15)
#: the address of code run outside an HTTP request
LOCAL_ADDRESS = "local"
#: the key of an address's own counter (no login is empty: authenticate refuses it first)
ADDRESS_KEY = ""
#: the key of wrong bearer API keys (JSON-2), which name no login
BEARER_KEY = "#bearer"
#: how long a cursor without ``after_transaction`` lets the failure's write wait for a lock
FALLBACK_LOCK_WAIT = 0.25

_KEY_SIZE = 256
_ADDRESS_SIZE = 64


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


@dataclasses.dataclass(frozen=True)
class Policy:
    """The limits in force; ``clock`` returns the current naive UTC datetime."""

    max_failures: int = MAX_FAILURES
    address_max_failures: int = ADDRESS_MAX_FAILURES
    window: datetime.timedelta = WINDOW
    max_delay: datetime.timedelta = MAX_DELAY
    clock: Callable[[], datetime.datetime] = _utcnow

    def delay(self, failures, threshold):
        """How long ``failures`` block a counter whose limit is ``threshold`` (zero below it)."""
        if failures < threshold:
            return datetime.timedelta(0)
        exponent = failures - threshold
        if exponent >= 32:   # 2**32 seconds is far past any sensible cap
            return self.max_delay
        return min(datetime.timedelta(seconds=2 ** exponent), self.max_delay)


#: the policy applied by :func:`check` and :func:`record_failure` (tests assign their own)
policy = Policy()

_metadata = sa.MetaData()
throttle_table = sa.Table(
    "login_throttle", _metadata,
    sa.Column("key", sa.String(_KEY_SIZE), primary_key=True),
    sa.Column("address", sa.String(_ADDRESS_SIZE), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.DateTime, nullable=False, index=True),
    sa.Column("blocked_until", sa.DateTime),
)

# engines known to have the table: checked once per engine and process
_ready = weakref.WeakSet()


# ---------------------------------------------------------------- keys and addresses
def login_key(login):
    """The counter key of a login as typed (long inputs are cut: they share a counter)."""
    return str(login)[:_KEY_SIZE]


def uid_key(uid):
    """The counter key of a user id that matches no user (a known user counts under its login)."""
    return f"#{uid}"[:_KEY_SIZE]


def normalize_address(address):
    """``address`` as counted: IPv4 as is, IPv6 as its /64 network, anything else cut to size."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return str(address)[:_ADDRESS_SIZE]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address():
    """The address of the current HTTP request's peer, or :data:`LOCAL_ADDRESS` outside one."""
    from .http.request import current_request   # core.http imports the ORM: import late
    req = current_request()
    if req is None:
        return LOCAL_ADDRESS
    return normalize_address(req.remote_addr)


# ---------------------------------------------------------------- the table
def ensure_table(connection):
    """Create ``login_throttle`` in the transaction of ``connection`` if missing."""
    throttle_table.create(connection, checkfirst=True)


def _prepare(engine, lock_wait=FALLBACK_LOCK_WAIT):
    """True when the table exists; False when it had to be created (it holds no counter yet).

    The table is created in a short transaction of its own (never in the caller's,
    which may roll back), waiting at most ``lock_wait`` seconds for the lock the
    caller's transaction may hold (None: the busy timeout, for when it is over);
    raises OperationalError when that wait fails.
    """
    if engine in _ready:
        return True
    with engine.connect() as conn:
        existed = sa.inspect(conn).has_table(throttle_table.name)
    if not existed:
        try:
            _in_own_transaction(engine, ensure_table, lock_wait)
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            pass     # another worker created it between our check and our CREATE
    _ready.add(engine)
    return existed


def _in_own_transaction(engine, work, lock_wait=None):
    """``work(connection)`` in a short transaction on a connection of its own.

    At READ COMMITTED on PostgreSQL (a concurrent writer of a counter is waited for,
    then its committed value read); ``lock_wait`` (seconds) bounds any wait for a lock.
    """
    with engine.connect() as conn:
        on_sqlite = conn.dialect.name == "sqlite"
        if not on_sqlite:
            conn.execution_options(isolation_level="READ COMMITTED")
        with _sqlite_busy_timeout(conn, lock_wait if on_sqlite else None), conn.begin():
            if not on_sqlite and lock_wait is not None:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(lock_wait * 1000)}ms'")
            work(conn)


@contextmanager
def _sqlite_busy_timeout(conn, seconds):
    """Wait at most ``seconds`` for SQLite's write lock during the block (None: as configured)."""
    if seconds is None:
        yield
        return
    # straight to the driver: through SQLAlchemy the PRAGMA would begin a transaction
    driver = conn.connection.driver_connection
    previous = driver.execute("PRAGMA busy_timeout").fetchone()[0]
    driver.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(previous)}")


# ---------------------------------------------------------------- the guard
@contextmanager
def guard(cr, key, address=None):
    """Check ``key`` before the block; count the block's AccessDenied; clear on success.

    ``with guard(cr, login_key(login)): user._check_credentials(password)``
    """
    address = address or client_address()
    existing = check(cr, key, address)
    try:
        yield
    except AccessDenied:
        record_failure(cr, key, address)
        raise
    if existing:
        record_success(cr, key, address)


def check(cr, key, address=None):
    """Raise AccessDenied if ``key`` or its address is blocked; True if ``key`` has a counter.

    Reads through the caller's transaction: one indexed query.
    """
    address = address or client_address()
    try:
        if not _prepare(cr.connection.engine):
            return False      # a new table: nobody has failed yet
    except sa.exc.OperationalError:
        return False          # not created: the caller's transaction holds the lock it needs
    table = throttle_table
    rows = cr.execute(sa.select(table.c.key, table.c.blocked_until).where(
        table.c.address == address, table.c.key.in_((key, ADDRESS_KEY)))).all()
    now = policy.clock()
    for row in sorted(rows, key=lambda r: r.key != ADDRESS_KEY):   # the address's block first
        if row.blocked_until is not None and row.blocked_until > now:
            _refuse(key, address, row.key == ADDRESS_KEY, row.blocked_until - now)
    return any(row.key == key for row in rows)


def _refuse(key, address, whole_address, remaining):
    seconds = max(1, math.ceil(remaining.total_seconds()))
    who = "from this address" if whole_address else "for this login from this address"
    _logger.info("Login refused for %r from %s: too many failed attempts %s (retry in %d s)",
                 key, address, "from the address" if whole_address else "for the login", seconds)
    exc = AccessDenied(f"Too many failed login attempts {who}: try again in {_spell(seconds)}.")
    exc.retry_after = seconds
    raise exc


def _spell(seconds):
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def forget(connection, address=None, key=None):
    """Delete the counters of ``address`` and/or ``key`` (all when neither is given), in
    ``connection``'s transaction: how an administrator unblocks a client by hand."""
    if not sa.inspect(connection).has_table(throttle_table.name):
        return
    conditions = [column == value for column, value in ((throttle_table.c.address, address),
                                                        (throttle_table.c.key, key)) if value is not None]
    connection.execute(sa.delete(throttle_table).where(*conditions))


def retry_after(exc):
    """The seconds to wait if ``exc`` is a throttling refusal, else None (for HTTP's Retry-After)."""
    return getattr(exc, "retry_after", None)


# ---------------------------------------------------------------- writing
def record_success(cr, key, address=None):
    """Clear ``key``'s counter for the address, in the caller's transaction.

    Lost if that transaction rolls back, which only leaves a few failures on the
    counter until the next success.
    """
    address = address or client_address()
    if cr.connection.engine in _ready or sa.inspect(cr.connection).has_table(throttle_table.name):
        cr.execute(sa.delete(throttle_table).where(
            throttle_table.c.key == key, throttle_table.c.address == address))


def record_failure(cr, key, address=None):
    """Count a failure of ``key`` (and of its address) so that it outlives ``cr``'s rollback."""
    address = address or client_address()
    engine = cr.connection.engine
    later = getattr(getattr(cr, "owner", cr), "after_transaction", None)
    if later is not None:
        later(lambda: _write_apart(engine, key, address))
        return
    try:
        _write_apart(engine, key, address, lock_wait=FALLBACK_LOCK_WAIT)
    except sa.exc.OperationalError as exc:
        # the caller's transaction holds the lock we waited for: count there (lost on
        # rollback, with the table if it creates it: so the table is not remembered)
        _logger.warning("login failure of %r from %s counted in the caller's transaction (%s)",
                        key, address, exc.orig)
        ensure_table(cr.connection)
        _count(cr.connection, key, address)


def _write_apart(engine, key, address, lock_wait=None):
    """Count the failure in a short transaction on a connection of its own."""
    _prepare(engine, lock_wait)
    _in_own_transaction(engine, lambda conn: _count(conn, key, address), lock_wait)


def _count(conn, key, address):
    """One more failure on the counters of ``key`` and of the address; drop dead counters."""
    now = policy.clock()
    # a write first: on SQLite the transaction takes the write lock before it reads
    conn.execute(_insert_missing(conn, [{"key": k, "address": address, "failures": 0, "last_failure": now}
                                        for k in (key, ADDRESS_KEY)]))
    _bump(conn, key, address, now, policy.max_failures)
    _bump(conn, ADDRESS_KEY, address, now, policy.address_max_failures)
    conn.execute(sa.delete(throttle_table).where(
        throttle_table.c.last_failure < now - policy.window - policy.max_delay))


def _insert_missing(conn, rows):
    """INSERT of ``rows`` that skips those already there (both databases spell it alike)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(throttle_table).values(rows).on_conflict_do_nothing()


def _bump(conn, key, address, now, threshold):
    table = throttle_table
    where = sa.and_(table.c.key == key, table.c.address == address)
    row = conn.execute(sa.select(table.c.failures, table.c.last_failure, table.c.blocked_until)
                       .where(where).with_for_update()).one()
    expired = row.last_failure + policy.window <= now and (row.blocked_until is None or row.blocked_until <= now)
    failures = 1 if expired or row.failures == 0 else row.failures + 1
    delay = policy.delay(failures, threshold)
    conn.execute(sa.update(table).where(where).values(
        failures=failures, last_failure=now, blocked_until=now + delay if delay else None))
    if delay:
        _logger.info("Login %s from %s blocked for %s after %d failures",
                     "attempts" if key == ADDRESS_KEY else repr(key), address, delay, failures)
