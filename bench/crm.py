#!/usr/bin/env python3
"""CRM benchmark: creating leads with the chatter and tracking on, in batches.

    python3 dev.py bench crm [--quick] [--pg]
    .venv/bin/python bench/crm.py [--rows N] [--batch N] [--pg-admin-uri URI] [--no-save]

The database gets the crm addon (no demo data). Then ``--rows`` leads (10,000; 2,000 with
``--quick``) are created through the ORM in batches of ``--batch`` (1,000), each batch in a
transaction of its own, as the admin user (access rights and record rules apply): every lead
gets its "created" message, its creator as follower, its stage, team and probability
computed. Then every lead is written once with tracked fields (stage and expected revenue),
again in batches: one tracking message per lead.

Output: one JSON object per step on stdout (messages go to stderr):

    {"bench": "crm", "step": "create_leads", "db": "sqlite", "rows": 10000, "batch": 1000,
     "seconds": 3.1, "per_s": 3225.8, "sql": 21, "target": {"min_per_s": 2000}, "ok": true,
     "quick": false, "run": "20260101-120000"}

``sql`` counts the statements of one batch. The target (2,000 leads a second, with chatter
and tracking, batches of 1,000) applies on SQLite. Lines also go to
bench/results/<run>-crm-<db>[-quick].jsonl unless ``--no-save``.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import count_statements, database, emit, save, say  # noqa: E402

from core.api import SUPERUSER_ID, Environment  # noqa: E402
from core.modules import ModuleManager  # noqa: E402

TARGET_PER_S = 2000.0


def batches(rows, size):
    for start in range(0, rows, size):
        yield range(start, min(rows, start + size))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/crm.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 leads")
    parser.add_argument("--rows", type=int, help="leads to create (default 10,000)")
    parser.add_argument("--batch", type=int, default=1000, help="leads per create call and transaction")
    parser.add_argument("--pg-admin-uri", help="PostgreSQL maintenance URI: a throw-away database is made there")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.jsonl")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    rows = args.rows or (2000 if args.quick else 10_000)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    lines = []
    with database(args.pg_admin_uri, "crm") as uri:
        say(f"bench/crm.py: installing crm, then {rows:,} leads in batches of {args.batch:,}")
        manager = ModuleManager(uri, demo=False, progress=lambda *a, **k: None)
        registry = manager.open(install=["crm"])
        db = registry.engine.dialect.name
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            admin = env.ref("base.user_admin").id
            stages = env["crm.stage"].search([("is_won", "=", False), ("is_lost", "=", False)]).ids
        # one batch first, untimed: the registry's caches, the statement count
        created = []

        def create(chunk):
            with registry.cursor() as cr:
                Lead = Environment(cr, admin, {})["crm.lead"]
                leads = Lead.create([{
                    "name": f"Lead {i}", "type": "opportunity", "email_from": f"contact{i}@bench.example",
                    "expected_revenue": float(1000 + i % 97 * 100), "user_id": admin,
                } for i in chunk])
                created.extend(leads.ids)

        def write(ids, offset):
            with registry.cursor() as cr:
                leads = Environment(cr, admin, {})["crm.lead"].browse(ids)
                leads.write({"stage_id": stages[(offset + 1) % len(stages)], "expected_revenue": 4242.0})

        warm = range(rows, rows + args.batch)
        sql_create = count_statements(registry.engine, lambda: create(warm))
        start = time.perf_counter()
        for chunk in batches(rows, args.batch):
            create(chunk)
        seconds = time.perf_counter() - start
        per_s = rows / seconds
        target = {"min_per_s": TARGET_PER_S} if db == "sqlite" else None
        emit(lines, {"bench": "crm", "step": "create_leads", "db": db, "rows": rows, "batch": args.batch,
                     "seconds": round(seconds, 3), "per_s": round(per_s, 1), "sql": sql_create,
                     "target": target, "ok": (per_s >= TARGET_PER_S) if target else None,
                     "quick": args.quick, "run": run_id})
        ids = created[len(warm):]
        sql_write = count_statements(registry.engine, lambda: write(created[:args.batch], 0))
        start = time.perf_counter()
        for offset, chunk in enumerate(batches(len(ids), args.batch)):
            write([ids[i] for i in chunk], offset)
        seconds = time.perf_counter() - start
        emit(lines, {"bench": "crm", "step": "write_tracked", "db": db, "rows": len(ids), "batch": args.batch,
                     "seconds": round(seconds, 3), "per_s": round(len(ids) / seconds, 1), "sql": sql_write,
                     "target": None, "ok": None, "quick": args.quick, "run": run_id})
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            messages = env["mail.message"].search_count([("model", "=", "crm.lead")])
            say(f"bench/crm.py: {messages:,} messages on {len(created):,} leads")
            if messages < 2 * len(ids):
                raise SystemExit("bench/crm.py: the chatter did not log every creation and write")
        registry.engine.dispose()
    save(lines, "crm", args.quick, args.no_save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
