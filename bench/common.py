"""What the HTTP benchmarks share: a throw-away database, bulk partners, timing lines.

``bench/web.py`` and ``bench/rpc.py`` import it; it owns no measurement of its own.
"""
import argparse
import datetime as dt
import gc
import json
import random
import shutil
import statistics
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

from core.api import SUPERUSER_ID, Environment  # noqa: E402


def say(message):
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database(pg_admin_uri, label):
    """The URI of a fresh database: a SQLite file in a temp folder, or a PostgreSQL database
    made through ``pg_admin_uri`` (dropped afterwards)."""
    if pg_admin_uri:
        admin = sa.create_engine(pg_admin_uri, isolation_level="AUTOCOMMIT")
        name = f"tessera_bench_{label}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        try:
            yield sa.make_url(pg_admin_uri).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        return
    folder = Path(tempfile.mkdtemp(prefix=f"tessera-bench-{label}-"))
    try:
        yield f"sqlite:///{folder / (label + '.sqlite3')}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def insert_partners(cr, registry, rows, seed=20240101):
    """``rows`` res.partner rows inserted in bulk (Core INSERTs of 5,000), a third of them
    companies, with countries and (every other one) one of 6 tags; returns the tag ids."""
    rng = random.Random(seed)
    now = dt.datetime(2024, 1, 1, 12, 0, 0)
    env = Environment(cr, SUPERUSER_ID, {})
    countries = env["res.country"].search([], limit=40).ids
    tags = env["res.partner.category"].create([{"name": f"Tag {i}"} for i in range(6)]).ids
    env.flush_all()
    table = registry.tables["res.partner"]
    words = ["Alpha", "Beta", "Gamma", "Delta", "Nord", "Süd", "Werk", "Handel", "Bau", "Logistik"]
    batch = []
    for i in range(rows):
        name = f"{rng.choice(words)} {rng.choice(words)} {i:06d}"
        batch.append({
            "name": name, "complete_name": name, "type": "contact", "active": True,
            "is_company": i % 3 == 0, "email": f"contact{i}@example.com", "phone": f"+49 30 {i:07d}",
            "city": rng.choice(["Berlin", "Köln", "München", "Hamburg", "Leipzig"]),
            "country_id": rng.choice(countries), "credit_limit": round(rng.uniform(0, 100000), 2),
            "lang": "en_US", "create_uid": SUPERUSER_ID, "write_uid": SUPERUSER_ID,
            "create_date": now, "write_date": now,
        })
        if len(batch) == 5000:
            cr.execute(sa.insert(table), batch)
            batch = []
    if batch:
        cr.execute(sa.insert(table), batch)
    cr.execute(sa.update(table).where(table.c.commercial_partner_id.is_(None))
               .values(commercial_partner_id=table.c.id))
    relation = registry.tables[env["res.partner"]._fields["category_id"].relation]
    first = cr.execute(sa.select(sa.func.min(table.c.id)).where(table.c.name.like("% 000000"))).scalar()
    links = [{"partner_id": pid, "category_id": tags[pid % len(tags)]} for pid in range(first, first + rows, 2)]
    for start in range(0, len(links), 5000):
        cr.execute(sa.insert(relation), links[start:start + 5000])
    return tags


def analyze(registry):
    """Planner statistics after a bulk load (PostgreSQL's autovacuum would gather them later;
    SQLite never does by itself)."""
    with registry.engine.connect() as conn:
        if registry.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def count_statements(engine, call):
    """How many SQL statements ``call()`` executes on ``engine`` (BEGIN / COMMIT not counted)."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def timed(engine, call, requests, warmup=3):
    """(timings in ms of ``requests`` calls, SQL statements of one call) of ``call()``, after
    ``warmup`` calls."""
    for _ in range(warmup):
        call()
    sql = count_statements(engine, call)
    gc.collect()
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return timings, sql


def result_line(bench, step, db, timings, sql, target_ms, args, run_id, **extra):
    """One JSON result line: the timings, the statement count, the target (when it applies:
    ``target_ms``) and whether it is met; ``extra`` keys after the bench's own."""
    median = statistics.median(timings)
    target = {"max_ms": target_ms} if target_ms else None
    return {"bench": bench, "step": step, "db": db, **extra, **timing_fields(timings), "sql": sql,
            "target": target, "ok": (median <= target_ms) if target else None, "quick": args.quick,
            "run": run_id}


def emit(lines, line):
    """Print ``line`` as JSON on stdout (the benchmark's output) and keep it for :func:`save`."""
    print(json.dumps(line), flush=True)
    lines.append(line)


def timing_fields(timings):
    """median / p90 / min of ``timings`` (ms), rounded, for a result line."""
    return {"median_ms": round(statistics.median(timings), 2),
            "p90_ms": round(statistics.quantiles(timings, n=10)[-1], 2) if len(timings) > 1 else None,
            "min_ms": round(min(timings), 2)}


def save(lines, bench, quick, no_save):
    """Write ``lines`` to bench/results/<run>-<bench>-<db>[-quick].jsonl unless ``no_save``."""
    if no_save or not lines:
        return
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    name = f"{lines[0]['run']}-{bench}-{lines[0]['db']}{'-quick' if quick else ''}.jsonl"
    (results / name).write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def parse_args(argv, prog, description, rows_label, requests, quick_requests, profile=None):
    """The options every HTTP benchmark takes: --quick (10,000 ``rows_label`` instead of
    100,000), --rows, --requests, --pg-admin-uri, --no-save and, with ``profile``, --profile FILE."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--quick", action="store_true",
                        help=f"10,000 {rows_label} and {quick_requests} requests per step")
    parser.add_argument("--requests", type=int,
                        help=f"requests timed per step (default {requests}, {quick_requests} with --quick)")
    parser.add_argument("--pg-admin-uri", help="PostgreSQL maintenance URI: a throw-away database is made there")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.jsonl")
    parser.add_argument("--rows", type=int, help="how many rows exactly (the suite's smoke test uses a few hundred)")
    if profile:
        parser.add_argument("--profile", metavar="FILE", help=f"cProfile the {profile} requests into FILE")
    args = parser.parse_args(argv)
    if args.rows is not None and args.rows < 100:
        parser.error("--rows: at least 100")
    args.rows = args.rows or (10_000 if args.quick else 100_000)
    args.requests = args.requests or (quick_requests if args.quick else requests)
    return args
