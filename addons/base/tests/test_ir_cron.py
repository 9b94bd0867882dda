"""ir.cron: what a job calls, as whom, and when it runs next."""
from datetime import datetime, timedelta

import pytest

from addons.base.models.ir_cron import add_interval, parse_code
from core import fields
from core.exceptions import ValidationError



@pytest.fixture
def env(bare_env):
    return bare_env


def make_cron(env, **values):
    vals = {"name": "Job", "model_name": "ir.config_parameter", "interval_number": 1,
            "interval_type": "days", "code": "model.set_param('cron.ran', 'yes')"}
    vals.update(values)
    return env["ir.cron"].create(vals)


# ---------------------------------------------------------------- schedule arithmetic
@pytest.mark.parametrize("start, kind, number, expected", [
    (datetime(2024, 1, 31, 8, 0), "minutes", 90, datetime(2024, 1, 31, 9, 30)),
    (datetime(2024, 1, 31, 8, 0), "hours", 20, datetime(2024, 2, 1, 4, 0)),
    (datetime(2024, 1, 31, 8, 0), "days", 1, datetime(2024, 2, 1, 8, 0)),
    (datetime(2024, 1, 31, 8, 0), "weeks", 2, datetime(2024, 2, 14, 8, 0)),
    (datetime(2024, 1, 31, 8, 0), "months", 1, datetime(2024, 2, 29, 8, 0)),
    (datetime(2023, 1, 31, 8, 0), "months", 1, datetime(2023, 2, 28, 8, 0)),
    (datetime(2024, 11, 15, 8, 0), "months", 3, datetime(2025, 2, 15, 8, 0)),
])
def test_add_interval(start, kind, number, expected):
    assert add_interval(start, kind, number) == expected


def test_parse_code_accepts_only_model_calls_with_literals():
    assert parse_code("model.a()\nmodel.b(1, 'x', key=[2])") == [("a", (), {}), ("b", (1, "x"), {"key": [2]})]
    for bad in ("import os", "model.a(open('f'))", "other.a()", "model.a().b()", "x = 1", "model.a(**k)"):
        with pytest.raises(ValueError):
            parse_code(bad)


# ---------------------------------------------------------------- definitions
def test_a_job_needs_something_valid_to_call(env):
    with pytest.raises(ValidationError, match="needs code or a method"):
        make_cron(env, code=False)
    with pytest.raises(ValidationError, match="only calls 'model.method"):
        make_cron(env, code="__import__('os').system('true')")
    with pytest.raises(ValidationError, match="must be positive"):
        make_cron(env, interval_number=0)


def test_model_name_follows_model_id(env):
    model = env["ir.model"].create({"name": "System Parameter", "model": "ir.config_parameter"})
    cron = env["ir.cron"].create({"name": "By id", "model_id": model.id, "code": "model.get_param('x')"})
    assert cron.model_name == "ir.config_parameter"


# ---------------------------------------------------------------- running
def test_run_job_calls_the_code_and_schedules_the_next_call(env):
    now = fields.Datetime.now()
    cron = make_cron(env, nextcall=now - timedelta(days=3, hours=12), interval_type="days")
    assert cron._run_job() is True
    assert env["ir.config_parameter"].get_param("cron.ran") == "yes"
    # missed calls are not made up: the next one is the first on the schedule after now
    assert cron.nextcall == now - timedelta(days=3, hours=12) + timedelta(days=4)
    assert now <= cron.lastcall <= fields.Datetime.now()
    assert cron.active and cron.numbercall == -1


def test_run_job_calls_a_function_with_arguments(env):
    cron = make_cron(env, code=False, function="set_param", args="('cron.fn', 'called')")
    cron._run_job()
    assert env["ir.config_parameter"].get_param("cron.fn") == "called"


def test_run_job_runs_as_the_job_user(env):
    cron = make_cron(env, user_id=2)
    cron._run_job()
    param = env["ir.config_parameter"].search([("key", "=", "cron.ran")])
    assert param.create_uid.id == 2


def test_monthly_job_moves_by_calendar_months(env):
    start = datetime(2020, 1, 31, 2, 0)
    cron = make_cron(env, nextcall=start, interval_type="months", interval_number=1)
    cron._run_job()
    assert cron.nextcall > fields.Datetime.now()
    assert cron.nextcall.hour == 2 and cron.nextcall.day in (28, 29, 30, 31)


def test_numbercall_counts_down_and_archives_the_job(env):
    cron = make_cron(env, numbercall=2)
    cron._run_job()
    assert cron.numbercall == 1 and cron.active
    cron._run_job()
    assert cron.numbercall == 0 and not cron.active


def test_a_failing_job_is_undone_but_keeps_its_schedule(env, caplog):
    before = fields.Datetime.now() - timedelta(minutes=1)
    cron = make_cron(env, nextcall=before, interval_type="hours",
                     code="model.set_param('cron.half', 'done')\nmodel.set_param('', 'boom')")
    assert cron._run_job() is False
    assert "failed" in caplog.text
    assert env["ir.config_parameter"].get_param("cron.half") is False  # rolled back to the savepoint
    assert cron.nextcall == before + timedelta(hours=1)


def test_unknown_model_or_method_fail_the_run(env, caplog):
    assert make_cron(env, model_name="no.such.model")._run_job() is False
    assert make_cron(env, code="model.no_such_method()")._run_job() is False


def test_due_jobs_are_active_ones_whose_time_has_come_by_priority(env):
    now = fields.Datetime.now()
    late = make_cron(env, name="late", nextcall=now - timedelta(hours=1), priority=10)
    urgent = make_cron(env, name="urgent", nextcall=now - timedelta(minutes=1), priority=1)
    make_cron(env, name="future", nextcall=now + timedelta(hours=1))
    make_cron(env, name="archived", nextcall=now - timedelta(hours=1), active=False)
    make_cron(env, name="used up", nextcall=now - timedelta(hours=1), numbercall=0)
    assert env["ir.cron"]._due_jobs(now) == urgent + late
    assert list(env["ir.cron"]._due_jobs(now)) == [urgent, late]
