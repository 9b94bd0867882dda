"""Command line: ``python server.py [options]``.

Until the module loader exists, the server opens (creating it if needed) the
configured database, brings the framework's own tables up to date and serves a
status page.  Addon installation, ``scaffold``, ``shell`` and ``db`` commands come
with the modules issue.
"""
import argparse
import json
import logging
import os
import sys

from . import config as config_module

_logger = logging.getLogger("tessera")


def build_parser():
    parser = argparse.ArgumentParser(prog="server.py", description="Tessera application server")
    parser.add_argument("-c", "--config", help="configuration file (see odoo.conf.example)")
    parser.add_argument("-d", "--database", dest="db_name", help="database name")
    parser.add_argument("--db-uri", dest="db_uri", help="SQLAlchemy URL of the database")
    parser.add_argument("--db_host", dest="db_host")
    parser.add_argument("--db_port", dest="db_port")
    parser.add_argument("--db_user", dest="db_user")
    parser.add_argument("--db_password", dest="db_password")
    parser.add_argument("--data-dir", dest="data_dir", help="where SQLite databases and files live")
    parser.add_argument("--http-interface", dest="http_interface")
    parser.add_argument("--http-port", dest="http_port")
    parser.add_argument("--log-level", dest="log_level", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--stop-after-init", action="store_true",
                        help="open or create the database, then exit")
    return parser


def open_database(config):
    """Create the database if needed and synchronise the framework tables."""
    from .registry import Registry
    uri = config.database_uri()
    if uri.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(uri[len("sqlite:///"):]) or ".", exist_ok=True)
    registry = Registry.new(uri, [])
    return registry


def status_app(registry, config):
    from werkzeug.wrappers import Request, Response

    @Request.application
    def app(request):
        info = {"server": "tessera", "database": config.db_name,
                "dialect": registry.dialect, "models": sorted(registry.models)}
        if request.path == "/web/health":
            return Response(json.dumps(info), mimetype="application/json")
        return Response(
            f"Tessera is running on database {config.db_name!r} ({registry.dialect}). "
            f"No addons can be installed yet: the module loader comes next.\n",
            mimetype="text/plain")

    return app


def main(argv=None):
    args = build_parser().parse_args(argv)
    flags = {k: v for k, v in vars(args).items() if k not in ("config", "stop_after_init")}
    try:
        config = config_module.load(args.config, flags)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    registry = open_database(config)
    _logger.info("database %s ready (%s)", config.db_name, registry.dialect)
    if args.stop_after_init:
        return 0
    from werkzeug.serving import run_simple
    _logger.info("serving on http://%s:%s/", config.http_interface, config.http_port)
    run_simple(config.http_interface, int(config.http_port), status_app(registry, config))
    return 0
