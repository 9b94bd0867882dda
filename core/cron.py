"""The scheduler: runs the due scheduled actions (``ir.cron``), each by one worker at a time.

This module owns finding the due jobs of a database, claiming each one so that no
other worker runs it at the same moment, running it in a transaction of its own, and
the loop that does so every ``cron_interval`` seconds until it is told to stop.  What
a job calls, as whom, and how its schedule moves on belong to ``ir.cron``
(addons/base/models/ir_cron.py: ``_due_jobs``, ``_run_job``, ``_schedule_next``).

Workers are the scheduler threads of ``server.py`` (``max_cron_threads``) and
``server.py cron`` processes, possibly on several machines, all on one database.

Claiming a job
--------------
On PostgreSQL the transaction that runs a job starts by locking the job's row with
``SELECT ... FOR UPDATE SKIP LOCKED``, asking again that the job be due.  The lock
lasts until that transaction, which also moves ``nextcall`` on, commits or rolls
back.  A worker that finds the row locked skips it; one that comes after the commit
finds the job no longer due; one whose snapshot is older than the commit gets a
serialization error and retries, then finds the job no longer due.  A worker that
dies releases its locks with its connection.

SQLite has a single writer for the whole database: holding a row "lock" for the
length of a job would be holding a write transaction, and every request would wait
for the job.  There a worker takes a *lease* instead, in a short transaction of its
own: ``UPDATE ir_cron SET lock_owner = me, lock_until = now + lease WHERE id = ?
AND <due> AND (lock_until IS NULL OR lock_until < now)``.  SQLite runs one such
UPDATE at a time, so at most one worker's matches.  The job's transaction checks
that the lease is still its own, and clears it with the new ``nextcall``.  A worker
that dies leaves its lease behind; it expires after ``lease`` (an hour by default),
and only then may another worker run the job again.  The lease lives in the job's
row rather than in a table of our own: it is the row that is claimed, and the list
of scheduled actions shows which worker runs what.  SQLite is one machine, so
workers share one clock; a job running longer than the lease may be started twice.
"""
import logging
import os
import socket
import threading
import traceback
from collections import namedtuple
from datetime import timedelta

import sqlalchemy as sa

from .api import SUPERUSER_ID, Environment
from .fields import Datetime

_logger = logging.getLogger(__name__)

#: how long a lease on SQLite keeps other workers off a job whose worker died
LEASE = timedelta(hours=1)

#: a job a worker ran: ``succeeded`` is False when it failed (rolled back, logged)
JobRun = namedtuple("JobRun", "cron_id name succeeded")


def utcnow():
    """The current time as the ORM keeps it: naive UTC, whole seconds."""
    return Datetime.now()


def worker_name():
    """Who holds a lease: host, process and thread, so that a stuck job can be traced."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _due(table, now):
    return sa.and_(table.c.active.is_(True), table.c.nextcall <= now, table.c.numbercall != 0)


# ------------------------------------------------------------------ one job
def _take_lease(registry, cron_id, now, owner, lease):
    """SQLite: claim the job until ``now + lease`` if it is due and nobody holds it; True if claimed."""
    table = registry.tables["ir.cron"]
    statement = (sa.update(table)
                 .where(table.c.id == cron_id, _due(table, now),
                        sa.or_(table.c.lock_until.is_(None), table.c.lock_until < now))
                 .values(lock_owner=owner, lock_until=now + lease))
    return registry.run(lambda cr: cr.execute(statement).rowcount == 1)


def _claimed(cr, cron_id, now, owner):
    """Inside the job's transaction: is the job ours to run?  Locks its row on PostgreSQL."""
    table = cr.registry.tables["ir.cron"]
    query = sa.select(table.c.id).where(table.c.id == cron_id)
    if cr.dialect == "postgresql":
        query = query.where(_due(table, now)).with_for_update(skip_locked=True)
    else:
        query = query.where(table.c.lock_owner == owner)
    return cr.execute(query).first() is not None


def _release_lease(cr, cron_id, owner):
    if cr.dialect != "postgresql":
        table = cr.registry.tables["ir.cron"]
        cr.execute(sa.update(table).where(table.c.id == cron_id, table.c.lock_owner == owner)
                   .values(lock_owner=None, lock_until=None))


def run_job(registry, cron_id, now, owner=None, lease=LEASE):
    """Claim the job ``cron_id`` and run it in a transaction of its own.

    Returns a :class:`JobRun`, or None when another worker has the job or it is no
    longer due.  Errors of the job itself are handled by ``ir.cron._run_job`` (undone,
    logged, counted); an error of the transaction as a whole (e.g. at commit) is
    logged here and recorded in a new transaction, so that ``nextcall`` still moves on.
    """
    owner = owner or worker_name()
    if registry.dialect != "postgresql" and not _take_lease(registry, cron_id, now, owner, lease):
        return None

    def run(cr):
        if not _claimed(cr, cron_id, now, owner):
            return None
        cron = Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id)
        succeeded = cron._run_job(now)
        _release_lease(cr, cron_id, owner)
        return JobRun(cron_id, cron.name, succeeded)

    try:
        return registry.run(run)
    except Exception:
        error = traceback.format_exc()
        _logger.exception("scheduled action %s: its transaction failed", cron_id)

    def record_failure(cr):
        if not _claimed(cr, cron_id, now, owner):
            return None
        cron = Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id)
        cron._schedule_next(now, error=error)
        _release_lease(cr, cron_id, owner)
        return JobRun(cron_id, cron.name, False)

    try:
        return registry.run(record_failure)
    except Exception:  # the database is gone; on SQLite the lease expires in time
        _logger.exception("scheduled action %s: cannot record its failure", cron_id)
        return JobRun(cron_id, None, False)


def due_job_ids(registry, now):
    """The ids of the jobs due at ``now``, in the order they should run."""
    return registry.run(lambda cr: Environment(cr, SUPERUSER_ID, {})["ir.cron"]._due_jobs(now).ids)


# ------------------------------------------------------------------ the loop
class Scheduler:
    """Runs the due jobs of the databases ``registries()`` returns, now or every ``interval`` seconds.

    ``registries`` is called at every round, so that a registry rebuilt by an install
    is the one used (the server passes ``lambda: [manager.registry]``).  ``clock``
    gives the current time, naive UTC (tests pass their own).  One scheduler may run
    in several threads (:meth:`start`); :meth:`stop` ends them all after the job each
    is running.
    """

    def __init__(self, registries, interval=60, clock=utcnow, lease=LEASE):
        self.registries = registries
        self.interval = interval
        self.clock = clock
        self.lease = lease
        self.stopping = threading.Event()
        self.threads = []

    def run_once(self):
        """Run the jobs due now in every database; the list of the :class:`JobRun` made."""
        runs = []
        owner = worker_name()
        for registry in self.registries():
            if "ir.cron" not in registry.models:
                continue
            for cron_id in due_job_ids(registry, self.clock()):
                if self.stopping.is_set():
                    return runs
                run = run_job(registry, cron_id, self.clock(), owner, self.lease)
                if run is not None:
                    runs.append(run)
        return runs

    def run_forever(self):
        """Run the due jobs, wait ``interval`` seconds, again, until :meth:`stop`."""
        while not self.stopping.is_set():
            try:
                self.run_once()
            except Exception:  # the database is unreachable, say: try again at the next round
                _logger.exception("scheduler: the round failed")
            self.stopping.wait(self.interval)

    def start(self, threads=1):
        """Run :meth:`run_forever` in ``threads`` daemon threads; returns them."""
        for number in range(threads):
            thread = threading.Thread(target=self.run_forever, name=f"cron-{number}", daemon=True)
            thread.start()
            self.threads.append(thread)
        return list(self.threads)

    def stop(self, timeout=None):
        """Ask the loops to end, and wait up to ``timeout`` seconds for the threads started here."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout)
