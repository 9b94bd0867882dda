#!/usr/bin/env python3
"""Analysis benchmark: the pivot and graph pages over 100,000 deals, through the real WSGI app.

    python3 dev.py bench analysis [--quick] [--pg]     (dev.py must list "analysis" among its benches)
    .venv/bin/python bench/analysis.py [--quick] [--requests N] [--pg-admin-uri URI]

The database gets web and the web addon's test addon ``test_web_analysis`` installed (no demo
data), then 100,000 ``test.deal`` rows inserted in bulk with SQLAlchemy Core (10,000 with
``--quick``): six stages, three kinds, dates over two years, amounts and seats.  The
application serves them in this process through werkzeug's test client, so the time measured
is the server's (routing, session, transaction, read_group, Jinja2, the SVG).  Each step warms
up, then times ``--requests`` requests (default 30; 10 with ``--quick``) and reports the median.

Output: one JSON object per step on stdout, nothing else (messages go to stderr):

    {"bench": "analysis", "step": "pivot", "db": "sqlite", "rows": 100000, "requests": 30,
     "median_ms": 41.0, "p90_ms": 45.2, "min_ms": 39.9, "sql": 9, "target": {"max_ms": 50},
     "ok": true, "quick": false, "run": "20260101-120000"}

Steps: ``pivot`` (rows stage × kind, columns by month, Amount and Seats: every header open),
``graph`` (bars of Amount by month), ``pivot_csv`` and ``graph_pie`` (for comparison).
The target (50 ms) applies to ``pivot`` and ``graph`` on SQLite; ``sql`` counts the
statements of one request.  The lines also go to bench/results/<run>-analysis-<db>[-quick].jsonl
unless ``--no-save``.
"""
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, analyze, database, emit, parse_args, result_line, save, say  # noqa: E402
from web import login, measure  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from werkzeug.test import Client  # noqa: E402

from core.api import SUPERUSER_ID, Environment  # noqa: E402
from core.http import Application  # noqa: E402
from core.modules import ModuleManager  # noqa: E402

TARGET_MS = 50.0
ADDONS = str(ROOT / "addons" / "web" / "tests" / "addons")
KINDS = ("new", "upsell", "renewal")


def insert_deals(cr, registry, rows, seed=20240101):
    """``rows`` deals inserted in bulk (Core INSERTs of 5,000); returns the stage ids."""
    rng = random.Random(seed)
    env = Environment(cr, SUPERUSER_ID, {})
    stages = env["test.deal.stage"].create([{"name": f"Stage {i}", "sequence": i} for i in range(6)]).ids
    env.flush_all()
    table = registry.tables["test.deal"]
    now = dt.datetime(2024, 1, 1, 12, 0, 0)
    start = dt.date(2023, 1, 1)
    batch = []
    for i in range(rows):
        batch.append({
            "name": f"Deal {i:06d}", "date": start + dt.timedelta(days=rng.randrange(730)),
            "stage_id": rng.choice(stages), "kind": rng.choice(KINDS), "user_id": SUPERUSER_ID,
            "quantity": rng.randrange(1, 50), "amount": round(rng.uniform(-500, 20000), 2),
            "probability": rng.uniform(0, 100), "create_uid": SUPERUSER_ID, "write_uid": SUPERUSER_ID,
            "create_date": now, "write_date": now,
        })
        if len(batch) == 5000:
            cr.execute(sa.insert(table), batch)
            batch = []
    if batch:
        cr.execute(sa.insert(table), batch)
    return stages


def populate(registry, rows):
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env.ref("base.user_admin").password = "admin"
        insert_deals(cr, registry, rows)
        pivot = env.ref("test_web_analysis.action_deals_pivot").id
        graph = env.ref("test_web_analysis.action_deals").id
        total = env["test.deal"].search_count([])
    analyze(registry)
    return pivot, graph, total


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv, "bench/analysis.py", __doc__.splitlines()[0], "deals",
                      30, 10, profile="pivot")
    rows, requests = args.rows, args.requests
    run_id = time.strftime("%Y%m%d-%H%M%S")
    lines = []
    with database(args.pg_admin_uri, "analysis") as uri:
        say(f"bench/analysis.py: installing web and test_web_analysis, then {rows:,} deals")
        manager = ModuleManager(uri, demo=False, addons_paths=(ADDONS,), progress=lambda *a, **k: None)
        registry = manager.open(install=["test_web_analysis"])
        pivot, graph, total = populate(registry, rows)
        db = registry.engine.dialect.name
        client = Client(Application(manager=manager))
        login(client)
        pivot_url = (f"/web/action/{pivot}?pivot_row=stage_id&pivot_row=kind&pivot_col=date:month"
                     f"&pivot_measure=amount&pivot_measure=quantity")
        graph_url = f"/web/action/{graph}?groupby=date:month&graph_measure=amount"
        steps = [
            ("pivot", pivot_url, True),
            ("graph", graph_url, True),
            ("pivot_csv", pivot_url.replace("?", "/pivot.csv?"), False),
            ("graph_pie", f"/web/action/{graph}?graph_type=pie", False),
        ]
        for step, url, targeted in steps:
            profiler = None
            if args.profile and step == "pivot":
                import cProfile
                profiler = cProfile.Profile()
                profiler.enable()
            timings, sql = measure(client, registry.engine, url, requests)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            emit(lines, result_line("analysis", step, db, timings, sql,
                                    TARGET_MS if targeted and db == "sqlite" else None, args, run_id,
                                    rows=total, requests=requests))
        manager.engine.dispose()
    save(lines, "analysis", args.quick, args.no_save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
