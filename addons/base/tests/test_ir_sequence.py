"""ir.sequence: formatting, companies, yearly date ranges, and numbers under concurrency."""
import random
import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from core.api import SUPERUSER_ID, Environment
from core.db import is_retryable
from core.exceptions import AccessError, UserError, ValidationError

from .conftest import bare_registry


@pytest.fixture
def registry(db_uri, tmp_path):
    registry = bare_registry(db_uri, ("__system__",), str(tmp_path / "data"))
    yield registry
    registry.engine.dispose()


@pytest.fixture
def env(bare_env):
    return bare_env


def in_transaction(registry, function, attempts=200):
    """``function(env)`` in a transaction of its own, retried on conflicts as requests are."""
    for attempt in range(attempts):
        try:
            with registry.cursor() as cr:
                return function(Environment(cr, SUPERUSER_ID, {}))
        except sa.exc.DBAPIError as exc:
            if not is_retryable(exc) or attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0.001, 0.02))


def run_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(index):
        barrier.wait()
        try:
            results.append(target(index))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return results


# ---------------------------------------------------------------- numbers and formats
def test_prefix_padding_and_suffix_interpolate_the_sequence_date(env):
    env["ir.sequence"].create({"name": "Orders", "code": "sale.order", "padding": 5,
                               "prefix": "SO/%(year)s/%(month)s/%(day)s/", "suffix": "-%(y)s"})
    assert env["ir.sequence"].next_by_code("sale.order", date(2024, 3, 7)) == "SO/2024/03/07/00001-24"
    assert env["ir.sequence"].next_by_code("sale.order", "2024-03-08") == "SO/2024/03/08/00002-24"
    today = date.today()
    assert env["ir.sequence"].next_by_code("sale.order") == \
        f"SO/{today:%Y/%m/%d}/00003-{today:%y}"


def test_increment_next_by_id_and_number_next_actual(env):
    seq = env["ir.sequence"].create({"name": "Steps", "number_next": 10, "number_increment": 5})
    assert seq.number_next_actual == 10
    assert [seq.next_by_id() for _ in range(3)] == ["10", "15", "20"]
    assert seq.number_next_actual == 25
    seq.number_next_actual = 100
    assert seq.next_by_id() == "100"
    seq.write({"number_next": 7})
    assert seq.next_by_id() == "7"


def test_unknown_code_gives_false(env):
    assert env["ir.sequence"].next_by_code("nothing.here") is False


def test_invalid_prefix_is_a_user_error(env):
    seq = env["ir.sequence"].create({"name": "Broken", "prefix": "%(century)s/"})
    with pytest.raises(UserError, match="Invalid prefix or suffix for sequence 'Broken'"):
        seq.next_by_id()


def test_zero_step_is_refused(env):
    with pytest.raises(ValidationError, match="must not be zero"):
        env["ir.sequence"].create({"name": "Still", "number_increment": 0})


def test_the_company_sequence_wins_over_the_shared_one(env):
    main = env.user.company_id
    other = env["res.company"].create({"name": "Other", "currency_id": main.currency_id.id})
    env["ir.sequence"].create({"name": "Shared", "code": "inv", "prefix": "ALL/", "company_id": False})
    env["ir.sequence"].create({"name": "Main", "code": "inv", "prefix": "MAIN/", "company_id": main.id})
    sequences = env["ir.sequence"]
    assert sequences.next_by_code("inv") == "MAIN/1"
    assert sequences.with_company(other).next_by_code("inv") == "ALL/1"
    assert sequences.with_company(main).next_by_code("inv") == "MAIN/2"


def test_date_ranges_are_created_per_year_and_restart_at_one(env):
    seq = env["ir.sequence"].create({"name": "Invoices", "code": "account.move", "padding": 3,
                                     "prefix": "INV/%(range_year)s/", "use_date_range": True,
                                     "implementation": "no_gap"})
    sequences = env["ir.sequence"]
    assert sequences.next_by_code("account.move", date(2023, 5, 1)) == "INV/2023/001"
    assert sequences.next_by_code("account.move", date(2024, 1, 1)) == "INV/2024/001"
    assert sequences.next_by_code("account.move", date(2023, 12, 31)) == "INV/2023/002"
    ranges = seq.date_range_ids.sorted("date_from")
    assert [(r.date_from, r.date_to, r.number_next) for r in ranges] == [
        (date(2023, 1, 1), date(2023, 12, 31), 3), (date(2024, 1, 1), date(2024, 12, 31), 2)]


def test_a_new_date_range_does_not_overlap_an_existing_one(env):
    seq = env["ir.sequence"].create({"name": "Half", "use_date_range": True,
                                     "prefix": "%(range_month)s/"})
    env["ir.sequence.date_range"].create({"sequence_id": seq.id, "date_from": date(2024, 1, 1),
                                          "date_to": date(2024, 6, 30), "number_next": 40})
    assert seq.next_by_id(date(2024, 3, 1)) == "01/40"
    assert seq.next_by_id(date(2024, 8, 1)) == "07/1"
    second = seq.date_range_ids.filtered(lambda r: r.date_from == date(2024, 7, 1))
    assert second.date_to == date(2024, 12, 31)


def test_switching_implementation_carries_on_counting(env):
    seq = env["ir.sequence"].create({"name": "Switch", "implementation": "standard"})
    assert [seq.next_by_id() for _ in range(3)] == ["1", "2", "3"]
    seq.implementation = "no_gap"
    assert seq.next_by_id() == "4"
    seq.implementation = "standard"
    assert seq.next_by_id() == "5"


# ---------------------------------------------------------------- transactions
def test_no_gap_gives_back_the_number_of_a_rolled_back_transaction(registry):
    in_transaction(registry, lambda env: env["ir.sequence"].create(
        {"name": "Strict", "code": "strict", "implementation": "no_gap"}))
    assert in_transaction(registry, lambda env: env["ir.sequence"].next_by_code("strict")) == "1"
    with registry.cursor() as cr:
        assert Environment(cr, SUPERUSER_ID, {})["ir.sequence"].next_by_code("strict") == "2"
        cr.rollback()
    assert in_transaction(registry, lambda env: env["ir.sequence"].next_by_code("strict")) == "2"


@pytest.mark.postgresql
def test_standard_uses_a_database_sequence_on_postgresql(registry):
    seq_id = in_transaction(registry, lambda env: env["ir.sequence"].create(
        {"name": "Fast", "code": "fast", "implementation": "standard", "number_next": 5}).id)
    name = f"ir_sequence_{seq_id:03d}"
    with registry.cursor() as cr:
        assert cr.execute(sa.text("SELECT count(*) FROM pg_class WHERE relkind = 'S' AND relname = :n"),
                          {"n": name}).scalar() == 1
        assert Environment(cr, SUPERUSER_ID, {})["ir.sequence"].next_by_code("fast") == "5"
        cr.rollback()
    # nextval is not transactional: the rolled-back number is gone, the row never changed
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        assert env["ir.sequence"].next_by_code("fast") == "6"
        assert env["ir.sequence"].browse(seq_id).number_next == 5
        env["ir.sequence"].browse(seq_id).unlink()
    with registry.cursor() as cr:
        assert cr.execute(sa.text("SELECT count(*) FROM pg_class WHERE relkind = 'S' AND relname = :n"),
                          {"n": name}).scalar() == 0


@pytest.mark.parametrize("implementation", ["no_gap", "standard"])
def test_concurrent_transactions_get_distinct_numbers(registry, implementation):
    in_transaction(registry, lambda env: env["ir.sequence"].create(
        {"name": "Busy", "code": "busy", "implementation": implementation}))

    def take(index):
        def body(env):
            number = env["ir.sequence"].next_by_code("busy")
            time.sleep(0.002)  # keep the transaction open a little: more overlap
            if index % 4 == 3:
                raise _Abort(number)  # a transaction that rolls back after taking a number
            return int(number)
        try:
            return in_transaction(registry, body)
        except _Abort:
            return None

    count = 12
    numbers = [n for n in run_threads(count, take) if n is not None]
    committed = count - count // 4
    assert len(numbers) == committed
    assert len(set(numbers)) == committed
    if implementation == "no_gap":
        assert sorted(numbers) == list(range(1, committed + 1))  # no gap, no duplicate


def test_concurrent_first_numbers_of_a_new_year_share_one_date_range(registry):
    in_transaction(registry, lambda env: env["ir.sequence"].create(
        {"name": "Yearly", "code": "yearly", "implementation": "no_gap", "use_date_range": True,
         "prefix": "%(range_year)s/"}))

    def take(index):
        return in_transaction(registry, lambda env: env["ir.sequence"].next_by_code(
            "yearly", date(2030, 1 + index % 12, 1)))

    numbers = run_threads(8, take)
    assert sorted(numbers) == [f"2030/{n}" for n in range(1, 9)]
    with registry.cursor() as cr:
        ranges = Environment(cr, SUPERUSER_ID, {})["ir.sequence.date_range"].search([])
        assert [(r.date_from, r.number_next) for r in ranges] == [(date(2030, 1, 1), 9)]


class _Abort(Exception):
    pass


def test_with_the_base_addon_installed_users_number_but_do_not_edit(base_db_uri):
    from core.modules import ModuleManager
    manager = ModuleManager(base_db_uri)
    registry = manager.open()
    try:
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            env["ir.sequence"].create({"name": "Leads", "code": "crm.lead", "prefix": "L", "padding": 2})
            demo = env["ir.sequence"].with_user(env.ref("base.user_demo"))
            assert demo.next_by_code("crm.lead") == "L01"
            assert demo.search([("code", "=", "crm.lead")]).next_by_id() == "L02"
            with pytest.raises(AccessError):
                demo.create({"name": "Mine"})
    finally:
        manager.engine.dispose()
        registry.engine.dispose()
