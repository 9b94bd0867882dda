"""Failed logins are throttled per login and client address (core/login_throttle.py).

Each attempt runs in a transaction of its own, as a request or an RPC call does; the
client address comes from a real werkzeug request bound as the current request.  The
clock is the policy's: tests move it instead of sleeping.
"""
import datetime
import logging
import time
import xmlrpc.client
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from core import login_throttle
from core.api import SUPERUSER_ID, Environment
from core.db import Cursor
from core.exceptions import AccessDenied
from core.http.request import Request, bind, unbind
from core.login_throttle import ADDRESS_KEY, Policy, throttle_table

from .common import make_user

PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}
HERE, THERE = "10.0.0.1", "10.0.0.2"


class Clock:
    """A clock that moves only when told to."""

    def __init__(self):
        self.now = datetime.datetime(2024, 3, 1, 12, 0, 0)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture(scope="module")
def users(registry):
    """alice, bob and carol, with their passwords, committed once for the module."""
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        return {login: make_user(env, login, ["base.group_user"], password=password).id
                for login, password in PASSWORDS.items()}


@pytest.fixture
def clock(monkeypatch, registry, users):
    """The policy's clock (default limits); the counters are emptied after the test."""
    clock = Clock()
    monkeypatch.setattr(login_throttle, "policy", Policy(clock=clock))
    yield clock
    with registry.engine.begin() as conn:
        login_throttle.forget(conn)


@contextmanager
def from_address(address):
    """Run the block as if handling an HTTP request from ``address``."""
    environ = EnvironBuilder(path="/web/login", method="POST", environ_base={"REMOTE_ADDR": address}).get_environ()
    token = bind(Request(environ))
    try:
        yield
    finally:
        unbind(token)


def authenticate(registry, login, password, address=HERE):
    """``res.users.authenticate`` in a transaction of its own, from ``address``."""
    with from_address(address):
        return registry.run(lambda cr: Environment(cr, SUPERUSER_ID, {})["res.users"].authenticate(login, password))


def check_uid(registry, uid, password, address=HERE):
    """``res.users._check_uid_password`` (what every object-service call runs) from ``address``."""
    def call(cr):
        return Environment(cr, SUPERUSER_ID, {})["res.users"]._check_uid_password(uid, password)
    with from_address(address):
        return registry.run(call)


def fail(registry, login, times=1, address=HERE):
    for _ in range(times):
        with pytest.raises(AccessDenied) as info:
            authenticate(registry, login, "wrong guess", address)
        assert not login_throttle.retry_after(info.value), "a failure before the limit is a plain AccessDenied"


def refused(call, *args, **kwargs):
    """The throttling AccessDenied ``call`` raises."""
    with pytest.raises(AccessDenied) as info:
        call(*args, **kwargs)
    assert login_throttle.retry_after(info.value), f"not a throttling refusal: {info.value}"
    return info.value


def counters(registry):
    """{(key, address): (failures, blocked_until)} as committed."""
    with registry.engine.connect() as conn:
        if not sa.inspect(conn).has_table(throttle_table.name):
            return {}
        rows = conn.execute(sa.select(throttle_table)).all()
    return {(row.key, row.address): (row.failures, row.blocked_until) for row in rows}


def test_five_failures_then_right_password_refused(registry, users, clock):
    fail(registry, "alice", 5)
    exc = refused(authenticate, registry, "alice", PASSWORDS["alice"])
    assert str(exc) == "Too many failed login attempts for this login from this address: try again in 1 second."
    assert exc.retry_after == 1
    assert counters(registry)[("alice", HERE)] == (5, clock.now + datetime.timedelta(seconds=1))


def test_after_the_delay_the_right_password_is_accepted_and_resets(registry, users, clock):
    fail(registry, "alice", 5)
    clock.advance(seconds=1)
    assert authenticate(registry, "alice", PASSWORDS["alice"]) == users["alice"]
    assert ("alice", HERE) not in counters(registry)
    fail(registry, "alice", 4)       # a fresh count: four failures block nothing
    assert authenticate(registry, "alice", PASSWORDS["alice"]) == users["alice"]


def test_delay_doubles_up_to_the_cap_and_refusals_are_not_counted(registry, users, clock, monkeypatch):
    monkeypatch.setattr(login_throttle, "policy", Policy(clock=clock, max_delay=datetime.timedelta(seconds=5)))
    fail(registry, "alice", 5)
    seen = []
    for _ in range(4):
        for _ in range(3):     # refused while blocked, without counting
            exc = refused(authenticate, registry, "alice", "wrong guess")
        seen.append(exc.retry_after)
        clock.advance(seconds=exc.retry_after)
        fail(registry, "alice")
    assert seen == [1, 2, 4, 5]
    assert counters(registry)[("alice", HERE)][0] == 9
    assert refused(authenticate, registry, "alice", PASSWORDS["alice"]).retry_after == 5


def test_a_quiet_window_forgets_the_failures(registry, users, clock):
    fail(registry, "alice", 4)
    clock.advance(minutes=15)
    fail(registry, "alice")
    assert counters(registry)[("alice", HERE)] == (1, None)
    assert authenticate(registry, "alice", PASSWORDS["alice"]) == users["alice"]


def test_other_address_and_other_login_are_not_affected(registry, users, clock):
    fail(registry, "alice", 5)
    assert authenticate(registry, "alice", PASSWORDS["alice"], address=THERE) == users["alice"]
    assert authenticate(registry, "bob", PASSWORDS["bob"]) == users["bob"]
    refused(authenticate, registry, "alice", PASSWORDS["alice"])


def test_password_spraying_blocks_the_address(registry, users, clock, monkeypatch):
    monkeypatch.setattr(login_throttle, "policy", Policy(clock=clock, address_max_failures=6))
    for login in ("alice", "bob", "carol", "nobody", "dave", "erin"):   # unknown logins count too
        fail(registry, login)
    exc = refused(authenticate, registry, "carol", PASSWORDS["carol"])
    assert str(exc) == "Too many failed login attempts from this address: try again in 1 second."
    assert counters(registry)[(ADDRESS_KEY, HERE)][0] == 6
    assert authenticate(registry, "carol", PASSWORDS["carol"], address=THERE) == users["carol"]
    clock.advance(seconds=1)
    assert authenticate(registry, "carol", PASSWORDS["carol"]) == users["carol"]
    # a success clears its login's counter, not the address's: spraying goes on being counted
    assert counters(registry)[(ADDRESS_KEY, HERE)][0] == 6


def test_wrong_password_on_rpc_calls_counts_under_the_login(registry, users, clock):
    uid = users["bob"]
    check_uid(registry, uid, PASSWORDS["bob"])          # right: remembered, still checked each time
    for _ in range(5):
        with pytest.raises(AccessDenied):
            check_uid(registry, uid, "wrong guess")
    assert counters(registry)[("bob", HERE)][0] == 5
    refused(check_uid, registry, uid, PASSWORDS["bob"])
    refused(authenticate, registry, "bob", PASSWORDS["bob"])
    check_uid(registry, uid, PASSWORDS["bob"], address=THERE)


def test_unknown_uid_counts_under_its_number(registry, users, clock):
    for _ in range(5):
        with pytest.raises(AccessDenied):
            check_uid(registry, 987654, "any")
    assert counters(registry)[("#987654", HERE)][0] == 5
    refused(check_uid, registry, 987654, "any")


def test_the_failure_survives_the_rollback_of_the_request(registry, users, clock):
    with pytest.raises(AccessDenied):
        with from_address(HERE), registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            env["res.users"].authenticate("alice", "wrong guess")
    assert counters(registry)[("alice", HERE)][0] == 1
    assert counters(registry)[(ADDRESS_KEY, HERE)][0] == 1


def test_no_deadlock_when_the_request_has_written(registry, users, clock):
    """On SQLite a transaction that wrote holds the write lock: the failure's own
    connection must not wait for it (the busy timeout is 10 s)."""
    started = time.monotonic()
    with from_address(HERE), registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["res.partner"].create({"name": "Written before the login"})
        env.flush_all()
        with pytest.raises(AccessDenied):
            env["res.users"].authenticate("alice", "wrong guess")
    assert time.monotonic() - started < 3
    assert counters(registry)[("alice", HERE)][0] == 1


def test_no_deadlock_when_the_request_has_written_and_rolls_back(registry, users, clock):
    started = time.monotonic()
    with pytest.raises(AccessDenied):
        with from_address(HERE), registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].create({"name": "Written before the failed login"})
            env.flush_all()
            env["res.users"].authenticate("alice", "wrong guess")
    assert time.monotonic() - started < 3
    with registry.cursor() as cr:
        assert not Environment(cr, SUPERUSER_ID, {})["res.partner"].search(
            [("name", "=", "Written before the failed login")])
    if hasattr(Cursor, "after_transaction") or registry.dialect == "postgresql":
        # written once the transaction is over (or, on PostgreSQL, beside it: no lock to wait for)
        assert counters(registry)[("alice", HERE)][0] == 1
    else:
        # SQLite without the hook: only the caller's transaction could count it, and it rolled back
        assert ("alice", HERE) not in counters(registry)


def test_forget_unblocks_by_hand(registry, users, clock):
    fail(registry, "alice", 5)
    fail(registry, "bob", 5)
    with registry.engine.begin() as conn:
        login_throttle.forget(conn, address=HERE, key="alice")
    assert authenticate(registry, "alice", PASSWORDS["alice"]) == users["alice"]
    refused(authenticate, registry, "bob", PASSWORDS["bob"])


def test_refusal_is_logged_without_the_password(registry, users, clock, caplog):
    fail(registry, "alice", 5)
    with caplog.at_level(logging.INFO):
        refused(authenticate, registry, "alice", "Correct-Horse-42")
    messages = [r.getMessage() for r in caplog.records]
    assert any("refused" in m and "'alice'" in m and HERE in m and r.levelno == logging.INFO
               for m, r in zip(messages, caplog.records))
    assert not any("Correct-Horse-42" in m for m in messages)


def test_addresses_are_counted_as_given_or_per_ipv6_network():
    assert login_throttle.normalize_address("192.0.2.7") == "192.0.2.7"
    assert login_throttle.normalize_address("2001:db8:1:2:a::1") == "2001:db8:1:2::/64"
    assert login_throttle.normalize_address("::ffff:192.0.2.7") == "192.0.2.7"
    assert login_throttle.normalize_address(None) == "unknown"
    assert login_throttle.client_address() == login_throttle.LOCAL_ADDRESS


# ---------------------------------------------------------------- over HTTP
@pytest.fixture
def web(start_web_server, monkeypatch):
    clock = Clock()     # the server runs in this process: it uses the same policy
    monkeypatch.setattr(login_throttle, "policy", Policy(clock=clock))
    return start_web_server()


def test_web_login_form_refuses_the_sixth_attempt(web):
    client = web.client()
    for password in ["wrong guess"] * 5 + ["admin"]:
        started = time.monotonic()
        reply = client.login("admin", password)
        assert time.monotonic() - started < 5, "an attempt waited for a lock (SQLite's busy timeout is 10 s)"
    assert reply.status in (401, 429)
    assert client.get("/web").status == 303          # not logged in
    with web.env() as env:
        assert env.cr.execute(sa.select(throttle_table.c.failures).where(
            throttle_table.c.key == "admin", throttle_table.c.address == "127.0.0.1")).scalar() == 5


def test_web_login_form_says_why_with_429(web):
    client = web.client()
    for _ in range(5):
        client.login("admin", "wrong guess")
    reply = client.login("admin", "admin")
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "1"
    assert "Too many failed login attempts for this login from this address: try again in 1 second." in reply.text


def test_xmlrpc_login_and_object_calls_are_throttled(web):
    """common.login answers False once blocked; an object call says why (fault 3).  The
    object service rolls its transaction back on a wrong password: the count survives."""
    common = xmlrpc.client.ServerProxy(f"{web.url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{web.url}/xmlrpc/2/object")
    db = web.manager.db_name
    for _ in range(5):
        with pytest.raises(xmlrpc.client.Fault) as info:
            models.execute_kw(db, 2, "wrong guess", "res.partner", "search_count", [[]])
        assert info.value.faultCode == 3 and "Too many" not in info.value.faultString
    assert common.login(db, "admin", "admin") is False
    with pytest.raises(xmlrpc.client.Fault) as info:
        models.execute_kw(db, 2, "admin", "res.partner", "search_count", [[]])
    assert info.value.faultCode == 3
    assert "Too many failed login attempts for this login from this address" in info.value.faultString
    login_throttle.policy.clock.advance(seconds=1)
    assert common.login(db, "admin", "admin") == 2
    assert models.execute_kw(db, 2, "admin", "res.partner", "search_count", [[]]) > 0
