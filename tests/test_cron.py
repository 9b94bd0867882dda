"""The scheduler (core/cron.py): due jobs run once each, failures are undone and recorded,
concurrent workers never run a job twice, and the server and ``server.py cron`` run it."""
import logging
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import config as config_module
from core.api import SUPERUSER_ID, Environment
from core.cron import Scheduler, run_job, utcnow
from core.modules import ModuleManager

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2031, 3, 4, 12, 0)


def clock():
    return NOW


@pytest.fixture
def open_registry(base_db_uri):
    """``open_registry()``: a registry of the test database on an engine of its own (a worker)."""
    managers = []

    def open_registry():
        managers.append(ModuleManager(base_db_uri))
        return managers[-1].open()
    yield open_registry
    for manager in managers:
        manager.engine.dispose()


@pytest.fixture
def registry(open_registry):
    return open_registry()


def in_transaction(registry, function):
    return registry.run(lambda cr: function(Environment(cr, SUPERUSER_ID, {})))


def make_job(registry, name="Tick", **values):
    vals = {"name": name, "model_name": "res.partner", "interval_number": 1, "interval_type": "hours",
            "nextcall": NOW - timedelta(minutes=1), "code": f"model.create({{'name': {name!r}}})"}
    vals.update(values)
    return in_transaction(registry, lambda env: env["ir.cron"].create(vals).id)


def read_job(registry, cron_id):
    fields = ["nextcall", "lastcall", "active", "failure_count", "last_error", "lock_owner", "lock_until"]
    return in_transaction(registry, lambda env: env["ir.cron"].with_context(active_test=False)
                          .browse(cron_id).read(fields)[0])


def partners(registry, name):
    """How many partners a job named ``name`` created: the effect counted in the database."""
    return in_transaction(registry, lambda env: env["res.partner"].search_count([("name", "=", name)]))


def add_method(registry, model_name, name, function):
    """Give this registry's ``model_name`` a method ``name`` (what a test addon would define)."""
    setattr(registry.models[model_name], name, function)


# ---------------------------------------------------------------- one worker
def test_a_due_job_runs_once_and_moves_its_nextcall(registry):
    hourly = make_job(registry, "Hourly")
    missed = make_job(registry, "Missed", nextcall=NOW - timedelta(days=3, minutes=1))
    runs = Scheduler(lambda: [registry], clock=clock).run_once()
    assert [(run.name, run.succeeded) for run in runs] == [("Missed", True), ("Hourly", True)]  # by nextcall
    assert partners(registry, "Hourly") == 1
    job = read_job(registry, hourly)
    assert (job["nextcall"], job["lastcall"]) == (NOW + timedelta(minutes=59), NOW)
    assert job["lock_owner"] is False and job["lock_until"] is False and job["failure_count"] == 0
    # three days of missed hourly runs: one run, and the schedule resumes after now
    assert partners(registry, "Missed") == 1
    assert read_job(registry, missed)["nextcall"] == NOW + timedelta(minutes=59)
    assert Scheduler(lambda: [registry], clock=clock).run_once() == []  # nothing due any more


def test_inactive_used_up_or_future_jobs_do_not_run(registry):
    make_job(registry, "Archived", active=False)
    make_job(registry, "Used up", numbercall=0)
    make_job(registry, "Later", nextcall=NOW + timedelta(seconds=1))
    assert Scheduler(lambda: [registry], clock=clock).run_once() == []
    for name in ("Archived", "Used up", "Later"):
        assert partners(registry, name) == 0
    later = Scheduler(lambda: [registry], clock=lambda: NOW + timedelta(seconds=1)).run_once()
    assert [run.name for run in later] == ["Later"]


def test_a_failing_job_is_rolled_back_logged_and_the_next_job_runs(registry, caplog):
    def cron_test_fail(self):
        self.create({"name": "Half done"})
        raise RuntimeError("the mail server said no")
    add_method(registry, "res.partner", "cron_test_fail", cron_test_fail)
    failing = make_job(registry, "Failing", code="model.cron_test_fail()", priority=1)
    make_job(registry, "Next", priority=2)
    with caplog.at_level(logging.ERROR):
        runs = Scheduler(lambda: [registry], clock=clock).run_once()
    assert [(run.name, run.succeeded) for run in runs] == [("Failing", False), ("Next", True)]
    assert partners(registry, "Half done") == 0          # rolled back
    assert partners(registry, "Next") == 1
    assert "RuntimeError: the mail server said no" in caplog.text and "Traceback" in caplog.text
    job = read_job(registry, failing)
    assert job["nextcall"] == NOW + timedelta(minutes=59) and job["lastcall"] == NOW
    assert job["failure_count"] == 1 and "RuntimeError: the mail server said no" in job["last_error"]
    assert job["lock_owner"] is False
    # it fails again an hour later, then succeeds: the count is of failures in a row
    an_hour_later = NOW + timedelta(hours=1)
    Scheduler(lambda: [registry], clock=lambda: an_hour_later).run_once()
    assert read_job(registry, failing)["failure_count"] == 2
    add_method(registry, "res.partner", "cron_test_fail", lambda self: None)
    Scheduler(lambda: [registry], clock=lambda: an_hour_later + timedelta(hours=1)).run_once()
    assert read_job(registry, failing)["failure_count"] == 0


def test_a_failed_transaction_still_moves_the_job_on(registry, caplog):
    """Beyond the job's savepoint (e.g. at commit): logged, recorded in a new transaction."""
    job_id = make_job(registry, "Broken")

    def broken_run_job(self, now=None):
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))
    add_method(registry, "ir.cron", "_run_job", broken_run_job)
    [run] = Scheduler(lambda: [registry], clock=clock).run_once()
    assert (run.cron_id, run.succeeded) == (job_id, False)
    assert "disk I/O error" in caplog.text
    job = read_job(registry, job_id)
    assert job["nextcall"] == NOW + timedelta(minutes=59) and job["failure_count"] == 1
    assert "disk I/O error" in job["last_error"] and job["lock_owner"] is False


def test_the_job_runs_as_its_user(registry):
    admin = in_transaction(registry, lambda env: env["res.users"].search([("login", "=", "admin")]).id)
    make_job(registry, "As admin", user_id=admin)
    Scheduler(lambda: [registry], clock=clock).run_once()
    creators = in_transaction(registry, lambda env: env["res.partner"].search(
        [("name", "=", "As admin")]).create_uid.ids)
    assert creators == [admin] and admin != SUPERUSER_ID


# ---------------------------------------------------------------- several workers
def test_workers_started_together_run_each_due_job_exactly_once(open_registry):
    """Three workers with their own engines, three slow jobs: nine attempts, three runs."""
    workers = [open_registry() for _ in range(3)]

    def cron_test_slow(self, name):
        self.create({"name": name})
        time.sleep(0.2)  # still running while the other workers try the job
    for registry in workers:
        add_method(registry, "res.partner", "cron_test_slow", cron_test_slow)
    names = ["Job A", "Job B", "Job C"]
    for name in names:
        make_job(workers[0], name, code=f"model.cron_test_slow({name!r})")
    barrier = threading.Barrier(len(workers))
    results, errors = [], []

    def work(registry):
        try:
            barrier.wait(timeout=10)
            results.extend(Scheduler(lambda: [registry], clock=clock).run_once())
        except BaseException as exc:  # noqa: reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(registry,)) for registry in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(run.name for run in results) == names
    assert all(run.succeeded for run in results)
    assert [partners(workers[0], name) for name in names] == [1, 1, 1]


def test_a_stale_list_of_due_jobs_does_not_run_a_job_again(registry):
    """A worker that listed the job before another ran it finds it no longer due."""
    job_id = make_job(registry)
    assert run_job(registry, job_id, NOW, owner="first").succeeded
    assert run_job(registry, job_id, NOW, owner="second") is None
    assert partners(registry, "Tick") == 1


def test_sqlite_lease_keeps_others_off_until_it_expires(registry):
    if registry.dialect != "sqlite":
        pytest.skip("the lease is SQLite's way; PostgreSQL locks the row (next test)")
    job_id = make_job(registry)
    # a worker that died while running the job left its lease until NOW + 10 minutes
    in_transaction(registry, lambda env: env.cr.execute(
        sa.update(registry.tables["ir.cron"]).where(registry.tables["ir.cron"].c.id == job_id)
        .values(lock_owner="elsewhere:42:1", lock_until=NOW + timedelta(minutes=10))))
    assert Scheduler(lambda: [registry], clock=clock).run_once() == []
    later = NOW + timedelta(minutes=11)
    assert [run.cron_id for run in Scheduler(lambda: [registry], clock=lambda: later).run_once()] == [job_id]
    assert read_job(registry, job_id)["lock_owner"] is False


@pytest.mark.postgresql
def test_postgresql_skips_a_job_whose_row_is_locked(registry):
    job_id = make_job(registry)
    table = registry.tables["ir.cron"]
    with registry.cursor() as holder:   # another worker, still running the job
        holder.execute(sa.select(table.c.id).where(table.c.id == job_id).with_for_update())
        started = time.monotonic()
        assert Scheduler(lambda: [registry], clock=clock).run_once() == []
        assert time.monotonic() - started < 5  # skipped, not waited for
    assert [run.cron_id for run in Scheduler(lambda: [registry], clock=clock).run_once()] == [job_id]


# ---------------------------------------------------------------- the loop and the commands
def test_the_loop_runs_in_threads_and_stops_cleanly(registry):
    make_job(registry)
    scheduler = Scheduler(lambda: [registry], interval=0.05, clock=clock)
    threads = scheduler.start(2)
    deadline = time.monotonic() + 10
    while partners(registry, "Tick") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # several more rounds: the job is not due again
    scheduler.stop(timeout=5)
    assert not any(thread.is_alive() for thread in threads)
    assert partners(registry, "Tick") == 1


def test_serve_starts_the_scheduler_and_stops_it(registry, base_db_uri, tmp_path, monkeypatch):
    from core import cli
    make_job(registry, nextcall=utcnow() - timedelta(minutes=1))
    seen = {}

    def fake_run_simple(host, port, app, threaded):
        deadline = time.monotonic() + 20
        while partners(registry, "Tick") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        seen["threads"] = [t for t in threading.enumerate() if t.name.startswith("cron-")]
    monkeypatch.setattr("werkzeug.serving.run_simple", fake_run_simple)
    manager = ModuleManager(base_db_uri)
    manager.open()
    try:
        config = config_module.Config(db_uri=base_db_uri, data_dir=str(tmp_path), max_cron_threads=2)
        cli.serve(manager, config)
        assert partners(registry, "Tick") == 1
        assert len(seen["threads"]) == 2
        assert not any(thread.is_alive() for thread in seen["threads"])
        config.max_cron_threads = 0
        cli.serve(manager, config)
        assert seen["threads"] == []
    finally:
        manager.engine.dispose()


def cron_command(db_uri, tmp_path, *args):
    return [sys.executable, str(ROOT / "server.py"), "cron", "--db-uri", db_uri,
            "--data-dir", str(tmp_path), "--log-level", "warning", *args]


def test_cron_once_command_in_two_processes_runs_the_job_once(registry, base_db_uri, tmp_path):
    job_id = make_job(registry, nextcall=utcnow() - timedelta(minutes=1))
    processes = [subprocess.Popen(cron_command(base_db_uri, tmp_path, "--once"), cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    lines = sorted(out.strip() for out, _err in outputs)
    assert lines == ["0 scheduled action(s) run, 0 failed", "1 scheduled action(s) run, 0 failed"], outputs
    assert partners(registry, "Tick") == 1
    assert read_job(registry, job_id)["nextcall"] > utcnow()

    make_job(registry, "Bad", code="model.no_such_method()", nextcall=utcnow() - timedelta(minutes=1))
    failed = subprocess.run(cron_command(base_db_uri, tmp_path, "--once"), cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and failed.stdout.strip() == "1 scheduled action(s) run, 1 failed"
    assert "no_such_method" in failed.stderr


def test_cron_command_refuses_a_missing_database(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "server.py"), "cron", "-d", "nowhere",
                             "--data-dir", str(tmp_path), "--once"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "database 'nowhere' does not exist" in result.stderr
    assert not (tmp_path / "nowhere.sqlite3").exists()


def test_cron_command_loops_until_terminated(registry, base_db_uri, tmp_path):
    make_job(registry, nextcall=utcnow() - timedelta(minutes=1))
    process = subprocess.Popen(cron_command(base_db_uri, tmp_path, "--cron-interval", "1"), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while partners(registry, "Tick") == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert partners(registry, "Tick") == 1, process.poll()
        process.terminate()  # SIGTERM: the loop ends after the round, the process exits cleanly
        assert process.wait(timeout=10) == 0, process.communicate()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
