#!/usr/bin/env python3
"""ORM benchmark: Tessera's ORM against hand-written SQLAlchemy Core, step by step.

    python3 dev.py bench [OPTIONS]            (bootstraps .venv first; --pg: throw-away PostgreSQL)
    .venv/bin/python bench/orm.py [OPTIONS]

Every step runs twice in this process: once through the ORM (``env[...].create/search/
read/...``) on one database, once as the equivalent hand-written SQLAlchemy Core statements
on a second database with the identical schema (built from the same model definitions).
Both sides use engines from ``core.db.create_engine`` (same SQLite pragmas, same PostgreSQL
isolation level), so ``ratio = orm_s / raw_s`` is what the ORM costs on top of the SQL.

Output: one JSON object per step on stdout, nothing else (messages go to stderr):

    {"bench": "orm", "step": "search_read", "db": "sqlite", "n": 200, "orm_s": 1.90,
     "raw_s": 1.38, "ratio": 1.377, "per_s": 105.3, "target": {"max_ratio": 1.3}, "ok": false,
     "orm_cpu_s": 1.89, "raw_cpu_s": 1.37, "orm_sql": 600, "raw_sql": 400, "rounds": 5,
     "quick": false, "run": "20250101-120000", "raw_search_sql": "join"}

``n`` counts the step's unit (records created / written / deleted, or iterations);
``orm_s`` / ``raw_s`` are wall-clock seconds (best of ``rounds``), ``*_cpu_s`` this process's
CPU seconds (steadier on a busy machine; on PostgreSQL they leave out the server's work);
``per_s`` is ``n / orm_s``; ``orm_sql`` / ``raw_sql`` count the SQL statements of one round.
The same lines also go to bench/results/<run>-<db>[-quick].jsonl unless ``--no-save``.
See bench/README.md for the workload, the fairness rules and the options.
"""
import argparse
import cProfile
import datetime as dt
import gc
import json
import math
import random
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from core import fields, models  # noqa: E402
from core.api import SUPERUSER_ID, Environment  # noqa: E402
from core.db import create_engine  # noqa: E402
from core.registry import Registry  # noqa: E402


# ---------------------------------------------------------------- the two models
class BenchPartner(models.Model):
    _name = "bench.partner"
    _description = "Benchmark partner"

    name = fields.Char(required=True)
    street = fields.Char()
    zip = fields.Char()
    city = fields.Char()


class BenchLead(models.Model):
    _name = "bench.lead"
    _description = "Benchmark opportunity"

    name = fields.Char(required=True)
    partner_id = fields.Many2one("bench.partner", ondelete="restrict", index=True)
    description = fields.Text()
    amount = fields.Float()
    state = fields.Selection([("new", "New"), ("qualified", "Qualified"),
                              ("proposition", "Proposition"), ("won", "Won"), ("lost", "Lost")],
                             default="new")
    date = fields.Date()


MODELS = [BenchPartner, BenchLead]
READ_FIELDS = ["name", "partner_id", "description", "amount", "state", "date"]
SEARCH_ORDER = "amount desc, id"
SEARCH_LIMIT = 80
NAME_PART = "5"           # partner name ilike '%5%'

FULL = {"partners": 10_000, "leads": 10_000, "batch": 1_000, "searches": 200, "counts": 200,
        "single_writes": 1_000, "batch_write": 1_000, "read_groups": 20, "unlink": 1_000}

# step -> (unit of n, target); targets are ORM ÷ raw unless they say per second
TARGETS = {
    "create_partners": {"max_ratio": 3.0},
    "create_leads": {"max_ratio": 3.0},
    "search_read": {"max_ratio": 1.3},
    "search_count": {"max_ratio": 1.2},
    "write_single": {"min_per_s": 2000.0},
    "write_batch": {"max_ratio": 3.0},
    "read_group": {"max_ratio": 1.3},
    "unlink": {"max_ratio": 3.0},
}
STEPS = list(TARGETS)

STATES = ["new", "qualified", "proposition", "won", "lost"]
CITIES = ["Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden", "Bremen", "Hannover",
          "Nürnberg", "Stuttgart", "Düsseldorf", "Dortmund"]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schulstraße", "Am Markt"]
WORDS = ("customer wants a quote for the new line of products delivery before end of quarter "
         "budget approved needs a demo call back next week decision maker is the purchasing "
         "manager competitor offer is cheaper but support matters").split()


def sizes_for(quick):
    return {k: max(1, v // 10) for k, v in FULL.items()} if quick else dict(FULL)


def utcnow():
    """What the ORM stores in write_date / create_date: naive UTC, whole seconds."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------- data (deterministic)
def make_data(sizes, seed=20240101):
    rng = random.Random(seed)
    partners = [{"name": f"Partner {i:05d}",
                 "street": f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
                 "zip": f"{rng.randint(1000, 99999):05d}",
                 "city": rng.choice(CITIES)} for i in range(sizes["partners"])]
    start = dt.date(2024, 1, 1)
    leads = [{"name": f"Opportunity {i:05d}",
              "partner": rng.randrange(sizes["partners"]),
              "description": " ".join(rng.choices(WORDS, k=rng.randint(15, 60))),
              "amount": round(rng.uniform(0, 100_000), 2),
              "state": rng.choice(STATES),
              "date": start + dt.timedelta(days=rng.randrange(730))} for i in range(sizes["leads"])]
    # search: 'amount > X' with X in 0..45,000 and offsets 0..19 pages of (leads / 125)
    step = max(1, sizes["leads"] // 125)
    searches = [(float((i % 10) * 5000), (i * 7 % 20) * step) for i in range(sizes["searches"])]
    counts = [float((i % 10) * 5000) for i in range(sizes["counts"])]
    written = [round(rng.uniform(0, 100_000), 2) for _ in range(sizes["single_writes"])]
    return {"partners": partners, "leads": leads, "searches": searches, "counts": counts,
            "written": written}


def lead_vals(leads, partner_ids):
    return [{"name": v["name"], "partner_id": partner_ids[v["partner"]], "description": v["description"],
             "amount": v["amount"], "state": v["state"], "date": v["date"]} for v in leads]


def search_domain(amount):
    return [("amount", ">", amount), ("partner_id.name", "ilike", NAME_PART)]


# ---------------------------------------------------------------- the two sides
class OrmSide:
    """The workload through the ORM: one ``registry.cursor()`` per transaction."""

    def __init__(self, uri):
        self.registry = Registry.new(uri, MODELS)
        self.engine = self.registry.engine

    @contextmanager
    def env(self):
        with self.registry.cursor() as cr:
            yield Environment(cr, SUPERUSER_ID, {})

    @contextmanager
    def env_rollback(self):
        cr = self.registry.cursor()
        try:
            yield Environment(cr, SUPERUSER_ID, {})
        finally:
            cr.close()  # rolls back

    def count(self, model):
        with self.env_rollback() as env:
            return env[model].search_count([])

    # --- steps
    def create(self, model, vals_list, batch, env_cm=None):
        ids = []
        for part in chunks(vals_list, batch):
            with (env_cm or self.env)() as env:
                ids.extend(env[model].create(part)._ids)
        return ids

    def search_read(self, searches):
        rows = []
        with self.env() as env:
            leads = env["bench.lead"]
            for amount, offset in searches:
                env.invalidate_all()  # no help from the cache of the previous iteration
                records = leads.search(search_domain(amount), offset=offset, limit=SEARCH_LIMIT,
                                       order=SEARCH_ORDER)
                rows = records.read(READ_FIELDS)
        return rows

    def search_count(self, counts):
        result = []
        with self.env() as env:
            leads = env["bench.lead"]
            for amount in counts:
                result.append(leads.search_count(search_domain(amount)))
        return result

    def write_single(self, pairs, env_cm=None):
        with (env_cm or self.env)() as env:
            leads = env["bench.lead"]
            for rid, amount in pairs:
                leads.browse(rid).write({"amount": amount})

    def write_batch(self, ids, state, env_cm=None):
        with (env_cm or self.env)() as env:
            env["bench.lead"].browse(ids).write({"state": state})

    def read_group(self, times):
        result = None
        with self.env() as env:
            leads = env["bench.lead"]
            for _ in range(times):
                result = leads.read_group([], ["amount:sum"], ["state"])
        return [{"state": g["state"], "count": g["state_count"], "amount": g["amount"]} for g in result]

    def unlink(self, ids, env_cm=None):
        with (env_cm or self.env)() as env:
            env["bench.lead"].browse(ids).unlink()


class RawSide:
    """The same workload in hand-written SQLAlchemy Core; one ``engine.begin()`` per transaction.

    The schema is created by syncing the same model definitions into the raw database
    (identical DDL and indexes); after that only the ``Table`` objects and the engine are used.
    """

    def __init__(self, uri, search_sql="join"):
        self.search_sql = search_sql
        self.engine = create_engine(uri)
        schema = Registry.new(uri, MODELS, engine=self.engine)
        self.partner = schema.tables["bench.partner"]
        self.lead = schema.tables["bench.lead"]
        self.tables = {"bench.partner": self.partner, "bench.lead": self.lead}

    @contextmanager
    def conn_rollback(self):
        with self.engine.connect() as conn:
            tx = conn.begin()
            try:
                yield conn
            finally:
                tx.rollback()

    def count(self, model):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.tables[model])).scalar_one()

    # --- steps
    def create(self, model, vals_list, batch, conn_cm=None):
        table = self.tables[model]
        # one multi-row INSERT .. RETURNING per batch; both databases hand out the new ids in
        # the order of the VALUES rows, so the sorted ids match the rows (as the ORM does it)
        statement = sa.insert(table).returning(table.c.id)
        ids = []
        for part in chunks(vals_list, batch):
            now = utcnow()
            params = [{**vals, "create_uid": SUPERUSER_ID, "create_date": now,
                       "write_uid": SUPERUSER_ID, "write_date": now} for vals in part]
            with (conn_cm or self.engine.begin)() as conn:
                ids.extend(sorted(conn.execute(statement, params).scalars().all()))
        return ids

    def _matching(self, amount):
        """(FROM, WHERE) of 'amount > X and partner name ilike %5%'."""
        lead, partner = self.lead, self.partner
        if self.search_sql == "subquery":
            names = sa.select(partner.c.id).where(partner.c.name.ilike(f"%{NAME_PART}%"))
            return lead, sa.and_(lead.c.amount > amount, lead.c.partner_id.in_(names))
        return (lead.join(partner, partner.c.id == lead.c.partner_id),
                sa.and_(lead.c.amount > amount, partner.c.name.ilike(f"%{NAME_PART}%")))

    def search_read(self, searches):
        lead, partner = self.lead, self.partner
        rows = []
        with self.engine.begin() as conn:
            for amount, offset in searches:
                source, where = self._matching(amount)
                ids = conn.execute(
                    sa.select(lead.c.id).select_from(source).where(where)
                    .order_by(lead.c.amount.desc().nulls_first(), lead.c.id)
                    .limit(SEARCH_LIMIT).offset(offset)).scalars().all()
                fetched = conn.execute(
                    sa.select(lead.c.id, lead.c.name, lead.c.partner_id, partner.c.name,
                              lead.c.description, lead.c.amount, lead.c.state, lead.c.date)
                    .select_from(lead.outerjoin(partner, partner.c.id == lead.c.partner_id))
                    .where(lead.c.id.in_(ids))).all()
                by_id = {row[0]: row for row in fetched}
                rows = []
                for rid in ids:
                    _, name, pid, pname, description, amount_, state, date = by_id[rid]
                    rows.append({"id": rid, "name": name if name is not None else False,
                                 "partner_id": (pid, pname or "") if pid else False,
                                 "description": description if description is not None else False,
                                 "amount": amount_ or 0.0,
                                 "state": state if state is not None else False,
                                 "date": date or False})
        return rows

    def search_count(self, counts):
        result = []
        with self.engine.begin() as conn:
            for amount in counts:
                source, where = self._matching(amount)
                result.append(conn.execute(
                    sa.select(sa.func.count()).select_from(source).where(where)).scalar_one())
        return result

    def write_single(self, pairs, conn_cm=None):
        lead = self.lead
        with (conn_cm or self.engine.begin)() as conn:
            for rid, amount in pairs:
                conn.execute(sa.update(lead).where(lead.c.id == rid).values(
                    amount=amount, write_uid=SUPERUSER_ID, write_date=utcnow()))

    def write_batch(self, ids, state, conn_cm=None):
        lead = self.lead
        with (conn_cm or self.engine.begin)() as conn:
            conn.execute(sa.update(lead).where(lead.c.id.in_(ids)).values(
                state=state, write_uid=SUPERUSER_ID, write_date=utcnow()))

    def read_group(self, times):
        lead = self.lead
        result = []
        with self.engine.begin() as conn:
            for _ in range(times):
                rows = conn.execute(
                    sa.select(lead.c.state, sa.func.count(), sa.func.sum(lead.c.amount))
                    .group_by(lead.c.state).order_by(lead.c.state.asc().nulls_last())).all()
                result = [{"state": state if state is not None else False, "count": count,
                           "amount": total if total is not None else 0} for state, count, total in rows]
        return result

    def unlink(self, ids, conn_cm=None):
        lead = self.lead
        with (conn_cm or self.engine.begin)() as conn:
            for part in chunks(ids, 1000):
                conn.execute(sa.delete(lead).where(lead.c.id.in_(part)))


# ---------------------------------------------------------------- measuring
class SqlCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args):
        self.count += 1


class Runner:
    def __init__(self, orm, raw, sizes, quick, run_id, profile_dir=None, out=None, rounds=5):
        self.orm, self.raw = orm, raw
        self.rounds = rounds
        self.sizes, self.quick, self.run_id = sizes, quick, run_id
        self.profile_dir = profile_dir
        self.out = out
        self.counters = {"orm": SqlCounter(orm.engine), "raw": SqlCounter(raw.engine)}
        self.db = orm.engine.dialect.name
        self.lines = []

    def _time(self, side, step, function, profile=True):
        gc.collect()
        counter = self.counters[side]
        before = counter.count
        profiler = cProfile.Profile() if profile and self.profile_dir and side == "orm" else None
        if profiler:
            profiler.enable()
        start, cpu_start = time.perf_counter(), time.process_time()
        result = function()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(Path(self.profile_dir) / f"{self.db}-{step}.prof"))
        return seconds, cpu, counter.count - before, result

    def step(self, name, n, orm_function, raw_function, rounds=1):
        """Time both sides, print the JSON line; return the results of the first round.

        ``orm_function(i)`` / ``raw_function(i)`` run round ``i``.  With ``rounds`` > 1 the two
        sides take turns (ORM first) and each keeps its best time, as ``timeit`` does: the
        machine's noise only ever adds time.  SQL counts are those of the first round; with
        ``--profile`` only the ORM's first round is profiled.
        """
        orm_s, orm_cpu, orm_sql, orm_result = self._time("orm", name, lambda: orm_function(0))
        raw_s, raw_cpu, raw_sql, raw_result = self._time("raw", name, lambda: raw_function(0))
        for i in range(1, rounds):
            seconds, cpu, _, _ = self._time("orm", name, lambda: orm_function(i), profile=False)
            orm_s, orm_cpu = min(orm_s, seconds), min(orm_cpu, cpu)
            seconds, cpu, _, _ = self._time("raw", name, lambda: raw_function(i))
            raw_s, raw_cpu = min(raw_s, seconds), min(raw_cpu, cpu)
        ratio = orm_s / raw_s if raw_s > 0 else math.inf
        per_s = n / orm_s if orm_s > 0 else math.inf
        target = TARGETS[name]
        if "max_ratio" in target:
            ok = ratio <= target["max_ratio"]
        else:
            ok = per_s >= target["min_per_s"]
        line = {"bench": "orm", "step": name, "db": self.db, "n": n,
                "orm_s": round(orm_s, 6), "raw_s": round(raw_s, 6), "ratio": round(ratio, 3),
                "per_s": round(per_s, 1), "target": target, "ok": bool(ok),
                "orm_cpu_s": round(orm_cpu, 6), "raw_cpu_s": round(raw_cpu, 6),
                "orm_sql": orm_sql, "raw_sql": raw_sql, "rounds": rounds, "quick": self.quick,
                "run": self.run_id}
        if name in ("search_read", "search_count"):
            line["raw_search_sql"] = self.raw.search_sql
        if self.profile_dir:
            line["profiled"] = True
        text = json.dumps(line, ensure_ascii=False)
        print(text, flush=True)
        if self.out:
            self.out.write(text + "\n")
            self.out.flush()
        self.lines.append(line)
        return orm_result, raw_result

    # ------------------------------------------------------------ the workload
    def run(self, data):
        orm, raw, sizes, rounds = self.orm, self.raw, self.sizes, self.rounds
        batch = sizes["batch"]
        for model in ("bench.partner", "bench.lead"):
            if orm.count(model) or raw.count(model):
                raise SystemExit(f"bench/orm.py: table of {model} is not empty: give empty databases")

        # Before each step, a warm-up on both sides (statement compilation, connection pool,
        # page cache): a small rolled-back transaction, or an untimed round of a query that
        # also checks that the ORM and the raw side give the same answer.
        warm_partners = [dict(v, name=f"Warm {i}") for i, v in enumerate(data["partners"][:10])]
        orm.create("bench.partner", warm_partners, batch, env_cm=orm.env_rollback)
        raw.create("bench.partner", warm_partners, batch, conn_cm=raw.conn_rollback)
        orm_vals, raw_vals = ([dict(v) for v in data["partners"]] for _ in "or")  # own copies
        orm_pids, raw_pids = self.step(
            "create_partners", sizes["partners"],
            lambda i: orm.create("bench.partner", orm_vals, batch),
            lambda i: raw.create("bench.partner", raw_vals, batch))
        if orm_pids != raw_pids:
            raise SystemExit("bench/orm.py: the two databases gave different partner ids")

        vals = lead_vals(data["leads"], orm_pids)
        orm.create("bench.lead", [dict(v) for v in vals[:10]], batch, env_cm=orm.env_rollback)
        raw.create("bench.lead", [dict(v) for v in vals[:10]], batch, conn_cm=raw.conn_rollback)
        orm_vals, raw_vals = ([dict(v) for v in vals] for _ in "or")
        orm_lids, raw_lids = self.step(
            "create_leads", sizes["leads"],
            lambda i: orm.create("bench.lead", orm_vals, batch),
            lambda i: raw.create("bench.lead", raw_vals, batch))
        if orm_lids != raw_lids:
            raise SystemExit("bench/orm.py: the two databases gave different lead ids")
        lead_ids = orm_lids

        searches, counts = data["searches"], data["counts"]
        for probe in (searches[:1], searches[-1:]):
            expect(orm.search_read(probe), raw.search_read(probe), "search_read")
        self.step("search_read", len(searches),
                  lambda i: orm.search_read(searches), lambda i: raw.search_read(searches), rounds)

        expect(orm.search_count(counts[:10]), raw.search_count(counts[:10]), "search_count")
        self.step("search_count", len(counts),
                  lambda i: orm.search_count(counts), lambda i: raw.search_count(counts), rounds)

        # writes: single-record writes spread over the table, then one batch (every round
        # writes the same values, so both databases stay alike)
        spread = max(1, len(lead_ids) // sizes["single_writes"])
        pairs = list(zip(lead_ids[::spread], data["written"]))[:sizes["single_writes"]]
        orm.write_single(pairs[:10], env_cm=orm.env_rollback)
        raw.write_single(pairs[:10], conn_cm=raw.conn_rollback)
        self.step("write_single", len(pairs),
                  lambda i: orm.write_single(pairs), lambda i: raw.write_single(pairs), rounds)

        batch_ids = lead_ids[:sizes["batch_write"]]
        orm.write_batch(batch_ids[:10], "won", env_cm=orm.env_rollback)
        raw.write_batch(batch_ids[:10], "won", conn_cm=raw.conn_rollback)
        self.step("write_batch", len(batch_ids),
                  lambda i: orm.write_batch(batch_ids, "won"), lambda i: raw.write_batch(batch_ids, "won"),
                  rounds)

        expect(orm.read_group(1), raw.read_group(1), "read_group")
        self.step("read_group", sizes["read_groups"],
                  lambda i: orm.read_group(sizes["read_groups"]),
                  lambda i: raw.read_group(sizes["read_groups"]), rounds)

        # unlink: round i deletes its own slice of records, from the end of the table
        n = sizes["unlink"]
        unlink_rounds = max(1, min(rounds, len(lead_ids) // (2 * n)))
        slices = [lead_ids[len(lead_ids) - (i + 1) * n:len(lead_ids) - i * n] for i in range(unlink_rounds)]
        orm.unlink(slices[0][:10], env_cm=orm.env_rollback)
        raw.unlink(slices[0][:10], conn_cm=raw.conn_rollback)
        self.step("unlink", n, lambda i: orm.unlink(slices[i]), lambda i: raw.unlink(slices[i]),
                  unlink_rounds)

        self.check_same_data()

    def check_same_data(self):
        """Both databases must hold the same leads in the end (the workloads were equivalent)."""
        dumps = []
        for engine, lead in ((self.orm.engine, self.orm.registry.tables["bench.lead"]),
                             (self.raw.engine, self.raw.lead)):
            with engine.connect() as conn:
                dumps.append(conn.execute(sa.select(lead.c.id, lead.c.partner_id, lead.c.amount,
                                                    lead.c.state, lead.c.date).order_by(lead.c.id)).all())
        if dumps[0] != dumps[1]:
            raise SystemExit("bench/orm.py: after the run the ORM and raw databases differ")


def expect(orm_result, raw_result, what):
    if _normalized(orm_result) != _normalized(raw_result):
        raise SystemExit(f"bench/orm.py: ORM and raw disagree on {what}:\n"
                         f"  orm: {str(orm_result)[:500]}\n  raw: {str(raw_result)[:500]}")


def _normalized(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_normalized(v) for v in value)
    return value


# ---------------------------------------------------------------- databases
@contextmanager
def databases(args):
    """Yield (orm_uri, raw_uri): SQLite files in a temp dir, given URIs, or two new PG databases."""
    if args.db_uri or args.raw_db_uri:
        if not (args.db_uri and args.raw_db_uri):
            raise SystemExit("bench/orm.py: --db-uri and --raw-db-uri go together (two empty databases)")
        if sa.make_url(args.db_uri).get_backend_name() != sa.make_url(args.raw_db_uri).get_backend_name():
            raise SystemExit("bench/orm.py: --db-uri and --raw-db-uri must use the same database system")
        yield args.db_uri, args.raw_db_uri
        return
    if args.pg_admin_uri:
        admin = sa.create_engine(args.pg_admin_uri, isolation_level="AUTOCOMMIT")
        suffix = uuid.uuid4().hex[:8]
        names = [f"tessera_bench_orm_{suffix}", f"tessera_bench_raw_{suffix}"]
        url = sa.make_url(args.pg_admin_uri)
        try:
            with admin.connect() as conn:
                for name in names:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
            yield tuple(url.set(database=n).render_as_string(hide_password=False) for n in names)
        finally:
            with admin.connect() as conn:
                for name in names:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        return
    tmp = Path(tempfile.mkdtemp(prefix="tessera-bench-"))
    try:
        yield f"sqlite:///{tmp / 'orm.sqlite3'}", f"sqlite:///{tmp / 'raw.sqlite3'}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="bench/orm.py", description="ORM vs raw SQLAlchemy Core benchmark (JSON lines on stdout).")
    parser.add_argument("--quick", action="store_true", help="10x smaller workload (smoke run)")
    parser.add_argument("--db-uri", help="URI of an existing, empty database for the ORM side")
    parser.add_argument("--raw-db-uri", help="URI of another existing, empty database for the raw side")
    parser.add_argument("--pg-admin-uri",
                        help="PostgreSQL maintenance URI: create two throw-away databases there, "
                             "drop them afterwards")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.jsonl")
    parser.add_argument("--profile", metavar="DIR",
                        help="cProfile the ORM side of every step into DIR/<db>-<step>.prof "
                             "(timings are then inflated)")
    parser.add_argument("--rounds", type=int, default=5, metavar="N",
                        help="time every step but the creates N times per side, taking turns, and "
                             "keep each side's best time (default 5)")
    parser.add_argument("--raw-search-sql", choices=("join", "subquery"), default="join",
                        help="how the raw side filters on the partner's name: a JOIN, as written by "
                             "hand (default), or 'partner_id IN (SELECT ..)' as the ORM does it")
    parser.add_argument("--strict", action="store_true", help="exit with 1 if a target is missed")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sizes = sizes_for(args.quick)
    data = make_data(sizes)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    with databases(args) as (orm_uri, raw_uri):
        orm, raw = OrmSide(orm_uri), RawSide(raw_uri, args.raw_search_sql)
        out = None
        try:
            if not args.no_save:
                results = ROOT / "bench" / "results"
                results.mkdir(parents=True, exist_ok=True)
                name = f"{run_id}-{orm.engine.dialect.name}{'-quick' if args.quick else ''}.jsonl"
                out = open(results / name, "w", encoding="utf-8")
            runner = Runner(orm, raw, sizes, args.quick, run_id, args.profile, out, max(1, args.rounds))
            runner.run(data)
        finally:
            if out:
                out.close()
            orm.engine.dispose()
            raw.engine.dispose()
    missed = [line["step"] for line in runner.lines if not line["ok"]]
    if missed:
        print(f"bench/orm.py: targets missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
