#!/usr/bin/env python3
"""External API benchmark: search_read of 80 partners with 6 fields, client to server on loopback.

    python3 dev.py bench rpc [--quick] [--pg]
    .venv/bin/python bench/rpc.py [--quick] [--requests N] [--pg-admin-uri URI]

The database gets base installed (no demo data) and 100,000 res.partner rows inserted
in bulk (10,000 with ``--quick``).  The application is served by werkzeug's threaded
HTTP server on 127.0.0.1 (as ``server.py`` serves it) in this process, and called the
way integrators call it: the standard library's ``xmlrpc.client.ServerProxy`` (one
kept-alive connection) and plain JSON POSTs through ``http.client``.  Each step warms
up, then times ``--requests`` calls (default 100; 20 with ``--quick``) and reports the
median round trip: client marshalling, HTTP, credentials check, transaction, ORM, SQL,
server marshalling, client parsing.

Output: one JSON object per step on stdout, nothing else (messages go to stderr):

    {"bench": "rpc", "step": "xmlrpc_search_read", "db": "sqlite", "rows": 100000, "records": 80,
     "fields": 6, "requests": 100, "median_ms": 6.1, "p90_ms": 6.9, "min_ms": 5.6, "sql": 4,
     "target": {"max_ms": 10}, "ok": true, "quick": false, "run": "20260101-120000"}

Steps: ``xmlrpc_version`` (the protocol alone: no database), ``xmlrpc_search_read`` (the
target: ≤ 10 ms median on SQLite; Odoo 17 took 47 ms for it on this machine size),
``jsonrpc_search_read`` (/jsonrpc, same call), ``json2_search_read`` (/json/2 with an API
key) and ``xmlrpc_write`` (one partner's name written: a write transaction).  ``sql``
counts the SQL statements of one call on the server (BEGIN/COMMIT not counted).  The lines
also go to bench/results/<run>-rpc-<db>[-quick].jsonl unless ``--no-save``.
"""
import http.client
import json
import sys
import threading
import time
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import analyze, database, emit, insert_partners, parse_args, result_line, save, say, timed  # noqa: E402

from werkzeug.serving import make_server  # noqa: E402

from core.api import SUPERUSER_ID, Environment  # noqa: E402
from core.http import Application  # noqa: E402
from core.modules import ModuleManager  # noqa: E402

TARGET_MS = 10.0
FIELDS = ["name", "email", "phone", "city", "country_id", "is_company"]
PASSWORD = "admin"


class JsonClient:
    """POSTs of JSON bodies on one kept-alive connection."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def post(self, path, body, headers=None):
        self.connection.request("POST", path, json.dumps(body),
                                {"Content-Type": "application/json", **(headers or {})})
        reply = self.connection.getresponse()
        data = json.loads(reply.read())
        if reply.status != 200 or (isinstance(data, dict) and data.get("error")):
            raise SystemExit(f"bench/rpc.py: POST {path} failed ({reply.status}): {str(data)[:2000]}")
        return data


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv, "bench/rpc.py", __doc__.splitlines()[0], "partners",
                      100, 20)
    rows, requests = args.rows, args.requests
    run_id = time.strftime("%Y%m%d-%H%M%S")
    lines = []
    with database(args.pg_admin_uri, "rpc") as uri:
        say(f"bench/rpc.py: installing base, then {rows:,} partners")
        manager = ModuleManager(uri, demo=False, progress=lambda *a, **k: None)
        registry = manager.open()
        with registry.cursor() as cr:
            env = Environment(cr, SUPERUSER_ID, {})
            env.ref("base.user_admin").password = PASSWORD
            insert_partners(cr, registry, rows)
            key = env["res.users.apikeys"].with_user(2)._generate("rpc", "bench")
            total = env["res.partner"].search_count([])
        analyze(registry)
        db_name, db = manager.db_name, registry.engine.dialect.name
        server = make_server("127.0.0.1", 0, Application(manager=manager), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_port
        try:
            url = f"http://127.0.0.1:{port}"
            common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
            uid = common.authenticate(db_name, "admin", PASSWORD, {})
            if not uid:
                raise SystemExit("bench/rpc.py: authentication failed")
            objects = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
            client = JsonClient(port)
            domain = [["is_company", "=", True]]
            kwargs = {"fields": FIELDS, "limit": 80}

            def check(records):
                if len(records) != 80 or set(records[0]) != {"id", *FIELDS}:
                    raise SystemExit(f"bench/rpc.py: unexpected search_read result {str(records)[:500]}")
                return records

            partner = objects.execute_kw(db_name, uid, PASSWORD, "res.partner", "search", [domain], {"limit": 1})
            steps = [
                ("xmlrpc_version", common.version, None),
                ("xmlrpc_search_read", lambda: check(objects.execute_kw(
                    db_name, uid, PASSWORD, "res.partner", "search_read", [domain], kwargs)), TARGET_MS),
                ("jsonrpc_search_read", lambda: check(client.post("/jsonrpc", {
                    "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                        "service": "object", "method": "execute_kw",
                        "args": [db_name, uid, PASSWORD, "res.partner", "search_read", [domain], kwargs]}})["result"]),
                 None),
                ("json2_search_read", lambda: check(client.post(
                    "/json/2/res.partner/search_read", {"domain": domain, **kwargs},
                    {"Authorization": f"bearer {key}", "X-Odoo-Database": db_name})), None),
                ("xmlrpc_write", lambda: objects.execute_kw(
                    db_name, uid, PASSWORD, "res.partner", "write", [partner, {"name": f"Renamed {time.time()}"}]),
                 None),
            ]
            for step, call, target_ms in steps:
                timings, sql = timed(registry.engine, call, requests, warmup=5)
                searching = "search_read" in step
                emit(lines, result_line("rpc", step, db, timings, sql, target_ms if db == "sqlite" else None,
                                        args, run_id, rows=total, records=80 if searching else None,
                                        fields=len(FIELDS) if searching else None, requests=requests))
        finally:
            server.shutdown()
            manager.engine.dispose()
    save(lines, "rpc", args.quick, args.no_save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
