#!/usr/bin/env python3
"""Web benchmark: one list page of 80 rows out of 100,000 partners, through the real WSGI app.

    python3 dev.py bench web [--quick] [--pg]     (dev.py must list "web" among its benches)
    .venv/bin/python bench/web.py [--quick] [--requests N] [--pg-admin-uri URI]

The database gets base and web installed (no demo data), then 100,000 res.partner rows
inserted in bulk with SQLAlchemy Core (10,000 with ``--quick``), a list view (name,
email, phone, city, country, tags, credit limit with a sum, is-a-company), a search view
and a window action.  The application (``core.http.Application``) serves it in this
process through werkzeug's test client: no network, so the time measured is the
server's: routing, session, transaction, ORM, SQL, Jinja2.  Each step warms up, then
times ``--requests`` requests (default 50; 10 with ``--quick``) and reports the median.

Output: one JSON object per step on stdout, nothing else (messages go to stderr):

    {"bench": "web", "step": "list_page", "db": "sqlite", "rows": 100000, "page": 80,
     "requests": 50, "median_ms": 9.8, "p90_ms": 10.9, "min_ms": 9.1, "sql": 14,
     "target": {"max_ms": 15}, "ok": true, "quick": false, "run": "20260101-120000"}

``sql`` counts the SQL statements of one request (BEGIN/COMMIT not counted).  Steps:
``list_page`` (the first page, with the capped count and the footer sum),
``list_page_10`` (the same with ``limit=10``: ``sql`` must equal ``list_page``'s),
``list_search`` (a text search and a filter), ``list_grouped`` (grouped by country,
one group open), ``list_offset`` (page 100), and ``load_menus`` (the navigation bar's menus
alone, which every page computes).  The target (15 ms) applies to ``list_page``
on SQLite; the other steps and PostgreSQL are measured for comparison (``target`` null).
The lines also go to bench/results/<run>-web-<db>[-quick].jsonl unless ``--no-save``.
"""
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (analyze, count_statements, database, emit, insert_partners, parse_args, result_line, save,
                    say, timed)  # noqa: E402

from werkzeug.test import Client  # noqa: E402

from core.api import SUPERUSER_ID, Environment  # noqa: E402
from core.http import Application  # noqa: E402
from core.modules import ModuleManager  # noqa: E402

TARGET_MS = 15.0
LIST_ARCH = """
<list>
  <field name="name"/>
  <field name="email"/>
  <field name="phone"/>
  <field name="city"/>
  <field name="country_id"/>
  <field name="category_id" widget="many2many_tags"/>
  <field name="credit_limit" sum="Total"/>
  <field name="is_company"/>
</list>"""
SEARCH_ARCH = """
<search>
  <field name="name"/>
  <field name="email"/>
  <field name="country_id"/>
  <filter name="companies" string="Companies" domain="[('is_company', '=', True)]"/>
  <filter name="people" string="Individuals" domain="[('is_company', '=', False)]"/>
  <separator/>
  <filter name="big" string="Big credit" domain="[('credit_limit', '&gt;', 50000)]"/>
  <filter name="by_country" string="Country" context="{'group_by': 'country_id'}"/>
</search>"""


def populate(registry, rows):
    """``rows`` partners inserted in bulk, then the views and the action."""
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env.ref("base.user_admin").password = "admin"
        insert_partners(cr, registry, rows)
        views = env["ir.ui.view"]
        list_view = views.create({"name": "bench.partner.list", "model": "res.partner", "type": "list",
                                  "arch": LIST_ARCH, "priority": 1})
        search_view = views.create({"name": "bench.partner.search", "model": "res.partner",
                                    "type": "search", "arch": SEARCH_ARCH, "priority": 1})
        action = env["ir.actions.act_window"].create({
            "name": "Bench Contacts", "res_model": "res.partner", "view_mode": "list,form",
            "view_id": list_view.id, "search_view_id": search_view.id})
        total = env["res.partner"].search_count([])
    # without statistics SQLite reads the record rule's "company_id IS NULL OR ..." through
    # the company_id index and sorts all rows
    analyze(registry)
    return action.id, total


def login(client):
    page = client.get("/web/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    reply = client.post("/web/login", data={"login": "admin", "password": "admin", "csrf_token": token})
    if reply.status_code != 303:
        raise SystemExit(f"bench/web.py: login failed ({reply.status_code})")


def measure(client, engine, url, requests, rows_expected=None):
    """(timings in ms, SQL statements of one request) of GET ``url``, after checking its page."""
    reply = client.get(url)
    if reply.status_code != 200:
        raise SystemExit(f"bench/web.py: GET {url} answered {reply.status_code}:\n"
                         f"{reply.get_data(as_text=True)[:2000]}")
    if rows_expected is not None:
        found = len(re.findall(r'<tr class="o-row', reply.get_data(as_text=True)))
        if found != rows_expected:
            raise SystemExit(f"bench/web.py: GET {url} shows {found} rows, not {rows_expected}")
    return timed(engine, lambda: client.get(url).get_data(), requests, warmup=2)


def measure_menus(registry, requests):
    """(timings in ms, SQL statements of one call) of the admin's ``load_menus()``, each call
    in a transaction of its own as in a request (the time is the call's alone)."""
    def once():
        with registry.cursor() as cr:
            env = Environment(cr, 2, {"lang": "en_US"})
            start = time.perf_counter()
            env["ir.ui.menu"].load_menus()
            return (time.perf_counter() - start) * 1000

    for _ in range(3):
        once()
    sql = count_statements(registry.engine, once)
    return [once() for _ in range(requests)], sql


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv, "bench/web.py", __doc__.splitlines()[0], "partners",
                      50, 10, profile="list_page")
    rows, requests = args.rows, args.requests
    run_id = time.strftime("%Y%m%d-%H%M%S")
    lines = []
    with database(args.pg_admin_uri, "web") as uri:
        say(f"bench/web.py: installing base and web, then {rows:,} partners")
        manager = ModuleManager(uri, demo=False, progress=lambda *a, **k: None)
        registry = manager.open()
        action, total = populate(registry, rows)
        db = registry.engine.dialect.name
        app = Application(manager=manager)
        client = Client(app)
        login(client)
        base = f"/web/action/{action}"
        with registry.cursor() as cr:
            germany = Environment(cr, SUPERUSER_ID, {}).ref("base.de").id
        steps = [
            ("list_page", base, 80),
            ("list_page_10", f"{base}?limit=10", 10),
            ("list_search", f"{base}?filter=companies&search=name:Alpha", None),
            ("list_grouped", f"{base}?groupby=country_id&expand=[{germany}]", None),
            ("list_offset", f"{base}?offset={min(80 * 99, (total // 80 - 1) * 80)}", 80),   # page 100
        ]
        sql_of = {}
        for step, url, expected in steps:
            profiler = None
            if args.profile and step == "list_page":
                import cProfile
                profiler = cProfile.Profile()
                profiler.enable()
            timings, sql = measure(client, registry.engine, url, requests, expected)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            sql_of[step] = sql
            line = result_line("web", step, db, timings, sql,
                               TARGET_MS if step == "list_page" and db == "sqlite" else None, args, run_id,
                               rows=total, page=expected, requests=requests)
            if step == "list_page_10":
                line["sql_same_as_list_page"] = sql == sql_of["list_page"]
            if args.profile and step == "list_page":
                line["profiled"] = True
            emit(lines, line)
        timings, sql = measure_menus(registry, requests)
        emit(lines, result_line("web", "load_menus", db, timings, sql, None, args, run_id,
                                rows=total, page=None, requests=requests))
        manager.engine.dispose()
    save(lines, "web", args.quick, args.no_save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
