"""Transactions (core/db/engine.py and Registry.run) against the real databases.

Commit and rollback (with the ORM cache), savepoints, after-commit callbacks, integrity
errors turned into ValidationError, and concurrency: PostgreSQL serialization failures and
deadlocks retried by ``Registry.run``, SQLite writers waiting for each other.
"""
import os
import threading
import time

import pytest
import sqlalchemy as sa

from core import api, fields, models
from core.api import SUPERUSER_ID, Environment
from core.db import is_retryable
from core.exceptions import ValidationError
from core.registry import Registry

BACKEND = os.environ.get("TESSERA_TEST_DB") or "sqlite"
sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite only (TESSERA_TEST_DB=sqlite)")
THREAD_TIMEOUT = 30


class Counter(models.Model):
    _name = "ttx.counter"
    _description = "Counter"

    name = fields.Char(required=True)
    value = fields.Integer()

    _sql_constraints = [
        ("name_unique", "unique(name)", "Counter names are unique."),
        ("value_positive", "check(value >= 0)", "A counter cannot go below zero."),
    ]


class Box(models.Model):
    _name = "ttx.box"
    _description = "A box delegates to its counter"
    _inherits = {"ttx.counter": "counter_id"}

    counter_id = fields.Many2one("ttx.counter", required=True, ondelete="cascade")
    label = fields.Char(required=True)

    _sql_constraints = [("label_unique", "unique(label)", "Box labels are unique.")]


class Basket(models.Model):
    _name = "ttx.basket"
    _description = "Basket"

    name = fields.Char()
    item_ids = fields.One2many("ttx.item", "basket_id")
    total = fields.Integer(compute="_compute_total", store=True)

    _sql_constraints = [("total_small", "check(total < 1000)", "A basket holds less than 1000.")]

    @api.depends("item_ids.qty")
    def _compute_total(self):
        for basket in self:
            basket.total = sum(basket.item_ids.mapped("qty"))


class Item(models.Model):
    _name = "ttx.item"
    _description = "Item"

    basket_id = fields.Many2one("ttx.basket", required=True, ondelete="cascade")
    qty = fields.Integer()

    _sql_constraints = [("qty_positive", "check(qty > 0)", "Quantities are positive.")]


TX_MODELS = [Counter, Box, Basket, Item]


@pytest.fixture
def registry(db_uri):
    """The models of this module (overrides the registry of tests/core/conftest.py)."""
    registry = Registry.new(db_uri, TX_MODELS)
    yield registry
    registry.engine.dispose()


def make_counter(registry, name="c", value=0):
    with registry.cursor() as cr:
        return Environment(cr, SUPERUSER_ID, {})["ttx.counter"].create({"name": name, "value": value}).id


def committed_value(registry, counter_id):
    """The value as another transaction sees it."""
    with registry.cursor() as cr:
        return Environment(cr, SUPERUSER_ID, {})["ttx.counter"].browse(counter_id).value


def committed_names(registry, model="ttx.counter"):
    with registry.cursor() as cr:
        return sorted(Environment(cr, SUPERUSER_ID, {})[model].search([]).mapped("name"))


def run_threads(*targets):
    """Run each target in a thread, wait for all; re-raise the first error of any."""
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
        assert not thread.is_alive(), "a thread is stuck"
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- commit and rollback
def test_commit_persists(registry):
    cr = registry.cursor()
    try:
        env = Environment(cr, SUPERUSER_ID, {})
        env["ttx.counter"].create({"name": "kept", "value": 3})
        assert committed_names(registry) == []              # not yet visible to others
        cr.commit()
        assert committed_names(registry) == ["kept"]
        env["ttx.counter"].create({"name": "after"})        # the cursor goes on in a new transaction
    finally:
        cr.close()                                          # closing without commit drops "after"
    assert committed_names(registry) == ["kept"]


def test_cursor_block_commits_at_its_end(registry):
    with registry.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["ttx.counter"].create({"name": "block"})
    assert cr.closed
    assert committed_names(registry) == ["block"]


def test_rollback_discards_rows_and_cached_values(registry, cr, env):
    counter = env["ttx.counter"].create({"name": "c", "value": 1})
    cr.commit()
    counter.write({"value": 5, "name": "changed"})
    new = env["ttx.counter"].create({"name": "new"})
    assert counter.value == 5                   # from the cache, which the write filled
    cr.rollback()
    assert (counter.name, counter.value) == ("c", 1)
    assert not new.exists()
    assert env["ttx.counter"].search([]).mapped("name") == ["c"]


def test_rollback_discards_pending_recomputations(registry, cr, env):
    basket = env["ttx.basket"].create({"name": "b", "item_ids": [(0, 0, {"qty": 2})]})
    cr.commit()
    assert basket.total == 2
    basket.item_ids.qty = 7                     # total is now stale, recomputed on flush
    assert cr.transaction.tocompute
    cr.rollback()
    assert not cr.transaction.tocompute
    assert basket.total == 2 and basket.item_ids.qty == 2
    cr.commit()
    with registry.cursor() as other:
        assert Environment(other, SUPERUSER_ID, {})["ttx.basket"].browse(basket.id).total == 2


def test_exception_in_cursor_block_rolls_back(registry):
    with pytest.raises(RuntimeError, match="boom"):
        with registry.cursor() as cr:
            Environment(cr, SUPERUSER_ID, {})["ttx.counter"].create({"name": "lost"})
            raise RuntimeError("boom")
    assert cr.closed
    assert committed_names(registry) == []


def test_commit_does_not_keep_stale_values(registry):
    counter_id = make_counter(registry, value=1)
    cr = registry.cursor()
    try:
        counter = Environment(cr, SUPERUSER_ID, {})["ttx.counter"].browse(counter_id)
        assert counter.value == 1
        with registry.cursor() as other:
            Environment(other, SUPERUSER_ID, {})["ttx.counter"].browse(counter_id).value = 2
        cr.commit()
        # a new transaction: it sees what was committed before it began
        assert counter.value == 2
    finally:
        cr.close()


def test_stored_computations_are_flushed_before_commit(registry):
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        basket = env["ttx.basket"].create({"name": "b"})
        env["ttx.item"].create([{"basket_id": basket.id, "qty": 2}, {"basket_id": basket.id, "qty": 5}])
    with registry.cursor() as cr:
        table = registry.tables["ttx.basket"]
        assert cr.execute(sa.select(table.c.total).where(table.c.id == basket.id)).scalar() == 7


# ---------------------------------------------------------------- savepoints
def test_savepoint_undoes_only_its_block(registry, cr, env):
    before = env["ttx.counter"].create({"name": "before", "value": 1})
    with pytest.raises(RuntimeError):
        with cr.savepoint():
            inside = env["ttx.counter"].create({"name": "inside"})
            before.value = 10
            assert before.value == 10
            raise RuntimeError("undo the block")
    assert before.value == 1                    # the cache forgot the undone write
    assert not inside.exists()
    assert env["ttx.counter"].search([]).mapped("name") == ["before"]
    cr.commit()
    assert committed_names(registry) == ["before"]
    assert committed_value(registry, before.id) == 1


def test_savepoint_that_succeeds_keeps_its_work(registry, cr, env):
    with cr.savepoint():
        counter = env["ttx.counter"].create({"name": "kept", "value": 4})
    assert counter.value == 4
    cr.commit()
    assert committed_value(registry, counter.id) == 4


def test_nested_savepoints(registry, cr, env):
    counter = env["ttx.counter"].create({"name": "c", "value": 1})
    with cr.savepoint():
        counter.value = 2
        with pytest.raises(RuntimeError), cr.savepoint():
            counter.value = 3
            raise RuntimeError
        assert counter.value == 2
    assert counter.value == 2
    cr.commit()
    assert committed_value(registry, counter.id) == 2


def test_savepoint_rollback_restores_computed_fields(registry, cr, env):
    basket = env["ttx.basket"].create({"name": "b", "item_ids": [(0, 0, {"qty": 2})]})
    assert basket.total == 2
    with pytest.raises(RuntimeError), cr.savepoint():
        env["ttx.item"].create({"basket_id": basket.id, "qty": 5})
        assert basket.total == 7                # recomputed and written inside the block
        basket.item_ids[0].qty = 100            # and marked stale again, never flushed
        raise RuntimeError
    assert not cr.transaction.tocompute
    assert basket.total == 2
    assert basket.item_ids.mapped("qty") == [2]
    cr.commit()
    with registry.cursor() as other:
        assert Environment(other, SUPERUSER_ID, {})["ttx.basket"].browse(basket.id).total == 2


def test_savepoint_keeps_pending_recomputations_of_before(registry, cr, env):
    basket = env["ttx.basket"].create({"name": "b", "item_ids": [(0, 0, {"qty": 2})]})
    basket.item_ids.qty = 3
    with pytest.raises(RuntimeError), cr.savepoint():   # flushes what was pending before it
        basket.item_ids.qty = 50
        raise RuntimeError
    assert basket.total == 3
    cr.commit()
    with registry.cursor() as other:
        assert Environment(other, SUPERUSER_ID, {})["ttx.basket"].browse(basket.id).total == 3


def test_savepoint_without_flush(registry, cr, env):
    basket = env["ttx.basket"].create({"name": "b", "item_ids": [(0, 0, {"qty": 2})]})
    basket.item_ids.qty = 3                     # total stale
    start = cr.sql_count
    with cr.savepoint(flush=False):
        pass
    assert cr.sql_count - start == 2            # SAVEPOINT, RELEASE: nothing recomputed
    assert cr.transaction.tocompute
    with pytest.raises(RuntimeError), cr.savepoint(flush=False):
        env["ttx.counter"].create({"name": "inside"})
        basket.name = "renamed"
        raise RuntimeError
    # still to do, for the very field of the model: it was pending before the block
    assert list(cr.transaction.tocompute) == [env["ttx.basket"]._fields["total"]]
    assert basket.total == 3
    assert basket.name == "b"
    assert not env["ttx.counter"].search([])
    cr.commit()
    with registry.cursor() as other:
        assert Environment(other, SUPERUSER_ID, {})["ttx.basket"].browse(basket.id).total == 3


def test_savepoint_whose_final_flush_fails_is_undone(registry, cr, env):
    # the stale total is written when the block ends, and breaks a constraint there
    basket = env["ttx.basket"].create({"name": "b", "item_ids": [(0, 0, {"qty": 2})]})
    with pytest.raises(ValidationError, match="A basket holds less than 1000."):
        with cr.savepoint():
            env["ttx.counter"].create({"name": "inside"})
            basket.item_ids.qty = 5000
    assert not cr.transaction.tocompute
    assert basket.item_ids.qty == 2 and basket.total == 2
    assert env["ttx.counter"].search([]) == env["ttx.counter"]
    env["ttx.counter"].create({"name": "after"})            # the transaction goes on
    cr.commit()
    assert committed_names(registry) == ["after"]
    with registry.cursor() as other:
        assert Environment(other, SUPERUSER_ID, {})["ttx.basket"].browse(basket.id).item_ids.qty == 2


def test_cursor_block_whose_final_flush_fails_rolls_back(registry):
    seen = []
    with pytest.raises(ValidationError, match="A basket holds less than 1000."):
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            env["ttx.basket"].create({"name": "b", "item_ids": [(0, 0, {"qty": 2})]})
            env["ttx.basket"].search([]).item_ids.qty = 5000
            cr.after_commit(lambda: seen.append("committed"))
    assert cr.closed and seen == []
    assert committed_names(registry, "ttx.basket") == []


# ---------------------------------------------------------------- after commit
def test_after_commit_runs_after_the_commit_only(registry, cr, env):
    seen = []

    def callback():
        # runs once the data is visible to every other transaction
        seen.append(committed_names(registry))

    env["ttx.counter"].create({"name": "first"})
    cr.after_commit(callback)
    cr.rollback()
    assert seen == []                           # a rollback drops the callbacks
    cr.commit()
    assert seen == []

    env["ttx.counter"].create({"name": "second"})
    cr.after_commit(callback)
    assert seen == []
    cr.commit()
    assert seen == [["second"]]
    cr.commit()
    assert seen == [["second"]]                 # once


def test_after_commit_in_cursor_block(registry):
    seen = []
    with registry.cursor() as cr:
        cr.after_commit(lambda: seen.append("committed"))
        assert seen == []
    assert seen == ["committed"]
    with pytest.raises(RuntimeError):
        with registry.cursor() as cr:
            cr.after_commit(lambda: seen.append("never"))
            raise RuntimeError
    assert seen == ["committed"]


def test_failing_after_commit_callback_does_not_undo_the_commit(registry, cr, env, caplog):
    seen = []
    env["ttx.counter"].create({"name": "kept"})
    cr.after_commit(lambda: 1 / 0)
    cr.after_commit(lambda: seen.append("still runs"))
    cr.commit()
    assert seen == ["still runs"]
    assert "after-commit callback failed" in caplog.text
    assert committed_names(registry) == ["kept"]


# ---------------------------------------------------------------- integrity errors
@pytest.mark.parametrize("vals, message", [
    ({"name": "taken"}, "Counter names are unique."),
    ({"name": "negative", "value": -1}, "A counter cannot go below zero."),
])
def test_constraint_violation_on_create_is_a_validation_error(registry, cr, env, vals, message):
    env["ttx.counter"].create({"name": "taken"})
    cr.commit()
    with pytest.raises(ValidationError) as info, cr.savepoint():
        env["ttx.counter"].create(vals)
    assert str(info.value) == message
    # nothing of the failed create, and the transaction goes on, on both databases
    assert env["ttx.counter"].search([]).mapped("name") == ["taken"]
    env["ttx.counter"].create({"name": "next"})
    cr.commit()
    assert committed_names(registry) == ["next", "taken"]


def test_constraint_violation_on_write_is_a_validation_error(registry, cr, env):
    first, second = env["ttx.counter"].create([{"name": "one", "value": 1}, {"name": "two"}])
    cr.commit()
    with pytest.raises(ValidationError, match="^Counter names are unique.$"), cr.savepoint():
        second.name = "one"
    with pytest.raises(ValidationError, match="^A counter cannot go below zero.$"), cr.savepoint():
        first.value = -5
    assert (second.name, first.value) == ("two", 1)
    cr.commit()
    assert committed_names(registry) == ["one", "two"]


def test_failed_batch_create_leaves_no_record(registry, cr, env):
    with pytest.raises(ValidationError, match="Counter names are unique."), cr.savepoint():
        env["ttx.counter"].create([{"name": "a"}, {"name": "b"}, {"name": "a"}])
    assert env["ttx.counter"].search([]) == env["ttx.counter"]


def test_failed_delegated_create_in_a_savepoint_leaves_nothing(registry, cr, env):
    env["ttx.box"].create({"name": "c1", "label": "L"})
    cr.commit()
    with pytest.raises(ValidationError, match="^Box labels are unique.$"), cr.savepoint():
        env["ttx.box"].create({"name": "c2", "label": "L"})
    assert env["ttx.counter"].search([]).mapped("name") == ["c1"]     # no orphan parent
    assert len(env["ttx.box"].search([])) == 1


def test_failed_create_in_a_cursor_block_leaves_nothing(registry):
    make_counter(registry, "taken")
    with pytest.raises(ValidationError, match="Box labels are unique."):
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            env["ttx.box"].create({"name": "c1", "label": "L"})
            env["ttx.box"].create({"name": "c2", "label": "L"})
    assert committed_names(registry) == ["taken"]
    assert committed_names(registry, "ttx.box") == []


def test_failed_delegated_create_leaves_no_parent(registry, cr, env):
    env["ttx.box"].create({"name": "c1", "label": "L"})
    cr.commit()
    with pytest.raises(ValidationError, match="Box labels are unique."):
        env["ttx.box"].create({"name": "c2", "label": "L"})
    # the create ran in a savepoint: the transaction goes on, without the orphan parent
    assert env["ttx.counter"].search([]).mapped("name") == ["c1"]
    cr.commit()
    assert committed_names(registry) == ["c1"]


def test_failed_create_with_lines_leaves_no_parent(registry, cr, env):
    with pytest.raises(ValidationError, match="Quantities are positive."):
        env["ttx.basket"].create({"name": "b", "item_ids": [(0, 0, {"qty": 1}), (0, 0, {"qty": 0})]})
    assert env["ttx.basket"].search([]) == env["ttx.basket"]
    assert env["ttx.item"].search([]) == env["ttx.item"]


# ---------------------------------------------------------------- query counting
def test_sql_count_counts_each_statement(registry):
    with registry.cursor() as cr:
        assert cr.sql_count == 0                # whatever earlier cursors did on this connection
        cr.execute(sa.text("SELECT 1"))
        assert cr.sql_count == 1
        cr.execute(sa.text("SELECT 1"))
        cr.execute(sa.select(registry.tables["ttx.counter"].c.id))
        assert cr.sql_count == 3
        cr.commit()                             # COMMIT and the next BEGIN are not statements
        assert cr.sql_count == 3
        cr.execute(sa.text("SELECT 1"))
        assert cr.sql_count == 4
        with cr.savepoint():                    # SAVEPOINT and RELEASE are
            pass
        assert cr.sql_count == 6
        cr.rollback()
        assert cr.sql_count == 6
    with registry.cursor() as cr:
        assert cr.sql_count == 0


# ---------------------------------------------------------------- concurrency: PostgreSQL
@pytest.mark.postgresql
def test_concurrent_update_is_a_serialization_failure(registry):
    counter_id = make_counter(registry)
    table = registry.tables["ttx.counter"]
    first, second = registry.cursor(), registry.cursor()
    try:
        for cr in (first, second):              # both take their snapshot
            assert cr.execute(sa.select(table.c.value).where(table.c.id == counter_id)).scalar() == 0
        first.execute(sa.update(table).where(table.c.id == counter_id).values(value=table.c.value + 1))
        first.commit()
        with pytest.raises(sa.exc.OperationalError) as info:
            second.execute(sa.update(table).where(table.c.id == counter_id)
                           .values(value=table.c.value + 1))
        assert info.value.orig.sqlstate == "40001"
        assert is_retryable(info.value)
    finally:
        first.close()
        second.close()
    assert committed_value(registry, counter_id) == 1


def increment(counter_id, attempts, before_write=None):
    """A Registry.run function: read the counter through the ORM, write it + 1."""
    def function(cr):
        attempts.append(cr)
        counter = Environment(cr, SUPERUSER_ID, {})["ttx.counter"].browse(counter_id)
        value = counter.value
        if before_write is not None:
            before_write(len(attempts))
        counter.value = value + 1
    return function


@pytest.mark.postgresql
def test_run_retries_a_serialization_failure(registry):
    counter_id = make_counter(registry)
    attempts = []

    def concurrent_increment(attempt):
        if attempt == 1:                        # another transaction commits under our feet
            registry.run(increment(counter_id, []))

    registry.run(increment(counter_id, attempts, concurrent_increment))
    assert len(attempts) == 2
    assert committed_value(registry, counter_id) == 2      # both increments landed


@pytest.mark.postgresql
def test_run_gives_up_after_its_retries(registry):
    counter_id = make_counter(registry)
    attempts = []

    def always_conflict(attempt):
        registry.run(increment(counter_id, []))

    with pytest.raises(sa.exc.OperationalError) as info:
        registry.run(increment(counter_id, attempts, always_conflict), retries=2)
    assert info.value.orig.sqlstate == "40001"
    assert len(attempts) == 3
    assert committed_value(registry, counter_id) == 3      # only the concurrent ones


def test_run_does_not_retry_other_errors(registry):
    attempts = []

    def function(cr):
        attempts.append(cr)
        Environment(cr, SUPERUSER_ID, {})["ttx.counter"].create({"name": "x", "value": -1})

    with pytest.raises(ValidationError):
        registry.run(function)
    assert len(attempts) == 1
    assert committed_names(registry) == []


@pytest.mark.postgresql
def test_run_retries_concurrent_threads(registry):
    counter_id = make_counter(registry)
    attempts = []
    both_read = threading.Barrier(2, timeout=THREAD_TIMEOUT)

    def wait_for_the_other(attempt):
        if attempt <= 2:                        # the first attempt of each thread
            both_read.wait()

    worker = lambda: registry.run(increment(counter_id, attempts, wait_for_the_other))  # noqa: E731
    run_threads(worker, worker)
    # both read 0; one wrote and committed, the other failed to serialize and ran again
    assert len(attempts) == 3
    assert committed_value(registry, counter_id) == 2


@pytest.mark.postgresql
def test_run_retries_a_deadlock(registry):
    a_id, b_id = make_counter(registry, "a"), make_counter(registry, "b")
    table = registry.tables["ttx.counter"]
    attempts = {"ab": 0, "ba": 0}
    done = {"ab": threading.Event(), "ba": threading.Event()}
    errors = []
    both_locked = threading.Barrier(2, timeout=THREAD_TIMEOUT)

    def bump(cr, counter_id):
        cr.execute(sa.update(table).where(table.c.id == counter_id).values(value=table.c.value + 1))

    def transfer(key, first_id, second_id):
        other = "ba" if key == "ab" else "ab"

        def function(cr):
            attempts[key] += 1
            if attempts[key] > 1:
                # the victim starts again once the survivor has committed: its new snapshot
                # then sees both rows as they are, and nothing can fail a second time
                assert done[other].wait(THREAD_TIMEOUT)
            cr.execute(sa.text("SET LOCAL deadlock_timeout = '100ms'"))
            bump(cr, first_id)
            if attempts[key] == 1:
                both_locked.wait()              # each holds the row the other wants next
            try:
                bump(cr, second_id)
            except sa.exc.DBAPIError as exc:
                errors.append(exc.orig.sqlstate)
                raise

        def worker():
            registry.run(function)
            done[key].set()
        return worker

    run_threads(transfer("ab", a_id, b_id), transfer("ba", b_id, a_id))
    assert errors == ["40P01"]                  # PostgreSQL broke the deadlock once
    assert sorted(attempts.values()) == [1, 2]  # and the victim ran again
    assert committed_value(registry, a_id) == 2
    assert committed_value(registry, b_id) == 2


# ---------------------------------------------------------------- concurrency: SQLite
@sqlite_only
def test_sqlite_writer_waits_for_the_other_writer(registry):
    counter_id = make_counter(registry)
    table = registry.tables["ttx.counter"]
    first_wrote = threading.Event()
    hold = 0.5
    waited = []

    def bump(cr):
        cr.execute(sa.update(table).where(table.c.id == counter_id).values(value=table.c.value + 1))

    def first():
        with registry.cursor() as cr:
            bump(cr)                            # takes the write lock
            first_wrote.set()
            time.sleep(hold)                    # and holds it; commits at the end of the block

    def second():
        assert first_wrote.wait(THREAD_TIMEOUT)
        with registry.cursor() as cr:
            start = time.monotonic()
            bump(cr)                            # waits (busy_timeout) until the first commits
            waited.append(time.monotonic() - start)

    run_threads(first, second)
    assert waited[0] >= hold * 0.6
    assert committed_value(registry, counter_id) == 2


@sqlite_only
def test_sqlite_stale_writer_is_retried_by_run(registry):
    # A transaction that read before another writer committed cannot write on the old
    # snapshot: SQLite answers "database is locked" at once, and Registry.run retries.
    counter_id = make_counter(registry)
    attempts = []

    def concurrent_increment(attempt):
        if attempt == 1:
            registry.run(increment(counter_id, []))

    registry.run(increment(counter_id, attempts, concurrent_increment))
    assert len(attempts) == 2
    assert committed_value(registry, counter_id) == 2
