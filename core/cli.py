"""Command line: ``python server.py [options]`` and its sub-commands.

``server.py [-d DB] [-i ADDONS] [-u ADDONS] [--uninstall ADDONS] ...`` opens (or
creates) the database, applies the module operations, then serves HTTP unless
``--stop-after-init``; the server also runs the scheduled actions (``core/cron.py``).
Sub-commands: ``scaffold``, ``shell``, ``modules``,
``db list|create|drop|duplicate|rename|dump|restore`` (see ``core/db/catalog.py``),
``i18n export ADDON...`` (regenerate the addons' catalogs) and ``cron`` (a scheduler
process of its own).  Options come from
flags, the environment and the configuration file (see ``core/config.py`` and ``odoo.conf.example``).
"""
import argparse
import code
import logging
import os
import sys

import sqlalchemy as sa

from . import config as config_module

_logger = logging.getLogger("tessera")

SUBCOMMANDS = ("scaffold", "shell", "modules", "db", "i18n", "hash-password", "cron")


def add_config_options(parser):
    parser.add_argument("-c", "--config", help="configuration file (see odoo.conf.example)")
    parser.add_argument("-d", "--database", dest="db_name", help="database name")
    parser.add_argument("--db-uri", dest="db_uri", help="SQLAlchemy URL of the database")
    parser.add_argument("--db_host", dest="db_host")
    parser.add_argument("--db_port", dest="db_port")
    parser.add_argument("--db_user", dest="db_user")
    parser.add_argument("--db_password", dest="db_password")
    parser.add_argument("--data-dir", dest="data_dir", help="where SQLite databases and files live")
    parser.add_argument("--addons-path", dest="addons_path", help="extra addon folders, comma-separated")
    parser.add_argument("--without-demo", dest="without_demo", action="store_const", const=True,
                        help="create a new database without demo data")
    parser.add_argument("--admin-password", dest="admin_password",
                        help="password of 'admin' in a new database without demo data")
    parser.add_argument("--log-level", dest="log_level", choices=["debug", "info", "warning", "error"])


def build_parser():
    parser = argparse.ArgumentParser(prog="server.py", description="Tessera application server",
                                     epilog=f"sub-commands: {', '.join(SUBCOMMANDS)} (server.py CMD --help)")
    add_config_options(parser)
    parser.add_argument("-i", "--init", help="addons to install, comma-separated ('all': every addon)")
    parser.add_argument("-u", "--update", help="addons to upgrade, comma-separated")
    parser.add_argument("--uninstall", help="addons to uninstall, comma-separated")
    parser.add_argument("--dry-run", action="store_true", help="with --uninstall: only show what would go")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--http-interface", dest="http_interface")
    parser.add_argument("--http-port", dest="http_port")
    parser.add_argument("--max-cron-threads", dest="max_cron_threads",
                        help="scheduler threads (0: none, e.g. with `server.py cron` processes)")
    parser.add_argument("--stop-after-init", action="store_true",
                        help="apply the module operations, then exit")
    return parser


CONFIG_KEYS = set(config_module.OPTIONS)


def load_config(args):
    flags = {k: v for k, v in vars(args).items() if k in CONFIG_KEYS}
    return config_module.load(getattr(args, "config", None), flags)


def setup_logging(config):
    logging.basicConfig(level=config.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def split(value):
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def print_progress(event, **info):
    if event == "module":
        print(f"  {info['action']:>11} {info['module']:<24} {info['records']:>6} records "
              f"{info['seconds']:6.2f}s", flush=True)
        for xmlid, reason in info.get("skipped") or ():
            print(f"              kept {xmlid}: {reason}", flush=True)


def manager_for(config, progress=print_progress):
    from .modules import ModuleManager
    uri = config.database_uri()
    if uri.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(uri[len("sqlite:///"):]) or ".", exist_ok=True)
    return ModuleManager(uri, addons_paths=config_module.addons_paths(config),
                         demo=not config.without_demo, data_dir=os.path.abspath(config.data_dir),
                         progress=progress)


def database_exists(manager):
    url = sa.make_url(manager.db_uri)
    if url.get_backend_name() == "sqlite" and not os.path.exists(url.database):
        return False  # connecting would create the file
    with manager.engine.connect() as connection:
        return bool(manager.installed_names(connection))


def open_database(config, install=(), progress=print_progress):
    """Open the database, creating it (base + ``install``) if it is new; returns the manager."""
    manager = manager_for(config, progress)
    new = not database_exists(manager)
    if new and config.without_demo and not config.admin_password:
        raise SystemExit("error: a new database without demo data needs --admin-password "
                         "(or admin_password in the configuration)")
    if new:
        print(f"creating database {config.db_name!r} ({'with' if not config.without_demo else 'without'} "
              f"demo data)", flush=True)
    manager.open(install=list(install))
    if install and not new:
        manager.install(list(install))
    if new:
        set_admin_password(manager, "admin" if not config.without_demo else config.admin_password)
    return manager


def set_admin_password(manager, password):
    from .api import SUPERUSER_ID, Environment
    with manager.registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        admin = env["ir.model.data"]._xmlid_to_record("base.user_admin", raise_if_not_found=False)
        if admin is not None:
            admin.write({"password": password})


def resolve_all(manager, names):
    if names == ["all"]:
        return sorted(name for name, m in manager.manifests.items() if m.installable)
    return names


def run_server(argv):
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(config)
    from .modules.data import DataFileError
    from .modules.graph import DependencyError
    from .modules.manager import ModuleError
    from .modules.manifest import ManifestError
    try:
        manager = manager_for(config)
        install = resolve_all(manager, split(args.init))
        manager = open_database(config, install)
        if args.update:
            manager.upgrade(resolve_all(manager, split(args.update)))
        if args.uninstall:
            if not uninstall(manager, split(args.uninstall), args.dry_run, args.yes):
                return 1
    except (ModuleError, DataFileError, DependencyError, ManifestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.stop_after_init or args.dry_run:
        return 0
    serve(manager, config)
    return 0


def format_plan(plan):
    lines = [f"Uninstalling {', '.join(plan['modules'])}"]
    if plan["dependents"]:
        lines.append(f"  also uninstalls (they depend on it): {', '.join(plan['dependents'])}")
    for name in plan["models"]:
        lines.append(f"  model {name}: {plan['record_counts'][name]} records deleted, table dropped")
    for column in plan["columns"]:
        lines.append(f"  column {column} dropped")
    for model, count in sorted(plan["owned_records"].items()):
        lines.append(f"  {count} {model} records created by the addon deleted")
    if plan["files"]:
        lines.append(f"  {len(plan['files'])} attached files deleted")
    return "\n".join(lines)


def uninstall(manager, names, dry_run, yes):
    plan = manager.plan_uninstall(names)
    print(format_plan(plan), flush=True)
    if dry_run:
        return True
    if not yes:
        if not sys.stdin.isatty():
            print("error: not confirmed (pass --yes to uninstall without asking)", file=sys.stderr)
            return False
        if input("Proceed? [y/N] ").strip().lower() not in ("y", "yes"):
            print("cancelled")
            return False
    manager.uninstall(names)
    return True


def serve(manager, config):
    """Serve over HTTP (core/http): the configured database, and the other databases of
    its catalog (data_dir's SQLite files, or the PostgreSQL server's) that ``dbfilter``
    lets through; login, sessions, addon routes, the external API."""
    from werkzeug.serving import run_simple

    from .db.catalog import catalog_for
    from .http import Application

    app = Application(manager=manager, data_dir=os.path.abspath(config.data_dir), catalog=catalog_for(config),
                      config=config, addons_paths=config_module.addons_paths(config))
    app.start()  # no route can be added once serving
    scheduler = None
    if config.max_cron_threads > 0:
        from .cron import Scheduler
        # the configured database; the registry is read at every round (an install replaces it)
        scheduler = Scheduler(lambda: [manager.registry], interval=config.cron_interval)
        scheduler.start(config.max_cron_threads)
    # the installed addons' other services (the mail addon's inbound SMTP listener, …)
    services = [service for service in manager.registry.hooks.hook.start_services(
        config=config, open_registry=lambda: manager.registry) if service is not None]
    _logger.info("serving on http://%s:%s/", config.http_interface, config.http_port)
    try:
        run_simple(config.http_interface, int(config.http_port), app, threaded=True)
    finally:
        for service in services:
            service.stop()
        if scheduler is not None:
            scheduler.stop(timeout=5)  # a job still running after that dies with the process


# ------------------------------------------------------------------ sub-commands
def cmd_scaffold(argv):
    from . import scaffold
    parser = argparse.ArgumentParser(prog="server.py")
    scaffold.add_command(parser.add_subparsers())
    args = parser.parse_args(["scaffold", *argv])
    return args.func(args)


def cmd_shell(argv):
    parser = argparse.ArgumentParser(prog="server.py shell", description="a Python shell with env")
    add_config_options(parser)
    args = parser.parse_args(argv)
    config = load_config(args)
    setup_logging(config)
    manager = open_database(config)
    from .api import SUPERUSER_ID, Environment
    cr = manager.registry.cursor()
    env = Environment(cr, SUPERUSER_ID, {})
    banner = (f"Tessera shell on {config.db_name!r}: env (superuser), registry. "
              f"Nothing is saved unless you call env.cr.commit().")
    try:
        code.interact(banner=banner, local={"env": env, "registry": manager.registry, "cr": cr})
    finally:
        cr.close()
    return 0


def cmd_modules(argv):
    parser = argparse.ArgumentParser(prog="server.py modules", description="list addons and their state")
    add_config_options(parser)
    args = parser.parse_args(argv)
    config = load_config(args)
    manager = manager_for(config)
    for name, state, version in manager.modules():
        print(f"{name:<28} {state:<14} {version}")
    return 0


#: db actions and the arguments each takes besides its options
DB_ACTIONS = {
    "list": (),
    "create": ("NAME",),
    "drop": ("NAME",),
    "duplicate": ("SOURCE", "TARGET"),
    "rename": ("OLD", "NEW"),
    "dump": ("NAME", "FILE"),
    "restore": ("NAME", "FILE"),
}


def cmd_db(argv):
    """Whole-database operations on the configured server (core/db/catalog.py)."""
    usage = "; ".join(f"db {action} {' '.join(names)}".strip() for action, names in DB_ACTIONS.items())
    parser = argparse.ArgumentParser(prog="server.py db", description=f"manage databases: {usage}")
    parser.add_argument("action", choices=list(DB_ACTIONS))
    parser.add_argument("arguments", nargs="*", metavar="ARG", help="the names (and file) the action takes")
    parser.add_argument("--copy", action="store_true",
                        help="restore: the dump is a copy of a database still in use: give it a new identity")
    parser.add_argument("--neutralize", action="store_true",
                        help="duplicate: stop the copy's scheduled actions")
    add_config_options(parser)
    args = parser.parse_intermixed_args(argv)
    expected = DB_ACTIONS[args.action]
    if len(args.arguments) != len(expected):
        print(f"error: db {args.action} takes {' '.join(expected) or 'no argument'}", file=sys.stderr)
        return 2
    if args.action == "create":
        args.db_name = args.arguments[0]
    config = load_config(args)
    setup_logging(config)
    from .db.catalog import catalog_for
    from .exceptions import UserError
    catalog = catalog_for(config)
    try:
        return DB_COMMANDS[args.action](catalog, config, args, *args.arguments)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _db_list(catalog, config, args):
    for name in catalog.list():
        print(name)
    return 0


def _db_create(catalog, config, args, name):
    catalog.create(name)
    config.db_uri = catalog.uri(name)  # what open_database opens, whatever db_uri said
    try:
        open_database(config)
    except BaseException:
        catalog.drop(name)
        raise
    print(f"created {name}")
    return 0


def _db_drop(catalog, config, args, name):
    catalog.drop(name)
    print(f"dropped {name}")
    return 0


def _renewed(catalog, config, name, neutralize=False):
    """Give the copy ``name`` its own identity (see core/rpc/db_service.renew_identity)."""
    from .modules import ModuleManager
    from .rpc.db_service import renew_identity
    manager = ModuleManager(catalog.uri(name), addons_paths=config_module.addons_paths(config),
                            data_dir=os.path.abspath(config.data_dir))
    try:
        renew_identity(manager, neutralize)
    except BaseException:
        catalog.drop(name)
        raise
    finally:
        manager.engine.dispose()


def _db_duplicate(catalog, config, args, source, target):
    catalog.duplicate(source, target)
    _renewed(catalog, config, target, args.neutralize)
    print(f"duplicated {source} as {target}")
    return 0


def _db_rename(catalog, config, args, old, new):
    catalog.rename(old, new)
    print(f"renamed {old} to {new}")
    return 0


def _db_dump(catalog, config, args, name, path):
    data = catalog.dump(name)
    with open(path, "wb") as file:
        file.write(data)
    print(f"dumped {name} to {path} ({len(data)} bytes)")
    return 0


def _db_restore(catalog, config, args, name, path):
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    catalog.restore(name, data)
    if args.copy:
        _renewed(catalog, config, name)
    print(f"restored {name} from {path}")
    return 0


DB_COMMANDS = {"list": _db_list, "create": _db_create, "drop": _db_drop, "duplicate": _db_duplicate,
               "rename": _db_rename, "dump": _db_dump, "restore": _db_restore}


def cmd_i18n(argv):
    parser = argparse.ArgumentParser(
        prog="server.py i18n", description="regenerate <addon>/i18n/<addon>.pot from the addon's models, "
        "code, templates, data and views, and merge it into each <lang>.po (no database needed)")
    parser.add_argument("action", choices=["export"])
    parser.add_argument("addons", nargs="+", help="addon names")
    parser.add_argument("--lang", action="append", dest="langs",
                        help="language of the .po files to update (repeatable; default: de)")
    parser.add_argument("--addons-path", dest="addons_path", help="extra addon folders, comma-separated")
    args = parser.parse_args(argv)
    from . import i18n_export
    try:
        result = i18n_export.export_addons(args.addons, tuple(args.langs or ("de",)), split(args.addons_path))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for addon, by_lang in result.items():
        for lang, untranslated in by_lang.items():
            print(f"{addon}/i18n/{lang}.po: {len(untranslated)} untranslated")
            for msgid in untranslated:
                print(f"    {msgid!r}")
    return 0


def cmd_addon(argv):
    """A command an installed addon adds through the ``register_cli_commands`` hook."""
    options = argparse.ArgumentParser(add_help=False)
    add_config_options(options)
    known, rest = options.parse_known_args(argv)  # the database options, wherever they stand
    config = load_config(known)
    setup_logging(config)
    try:
        exists = database_exists(manager_for(config, progress=None))
    except sa.exc.OperationalError:
        exists = False
    if not exists:
        # never create a database for an addon's command; 75 (EX_TEMPFAIL): an MTA piping
        # mail to a misspelt database keeps the message queued instead of bouncing it
        print(f"error: database {config.db_name!r} does not exist", file=sys.stderr)
        return 75
    manager = open_database(config)
    parser = argparse.ArgumentParser(prog="server.py", description="commands of the installed addons")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    manager.registry.hooks.hook.register_cli_commands(subparsers=subparsers)
    args = parser.parse_args(rest)
    if not getattr(args, "func", None):
        parser.error("no such command (installed addons add theirs through register_cli_commands)")
    from .api import SUPERUSER_ID, Environment
    with manager.registry.cursor() as cr:
        return args.func(Environment(cr, SUPERUSER_ID, {}), args) or 0


def cmd_cron(argv):
    """Run the due scheduled actions of one database, every ``cron_interval`` seconds until
    stopped (SIGTERM, Ctrl-C), or once with ``--once``."""
    parser = argparse.ArgumentParser(prog="server.py cron", description=cmd_cron.__doc__)
    add_config_options(parser)
    parser.add_argument("--once", action="store_true",
                        help="run the jobs due now, then exit (1 if one failed): for tests and the system's cron")
    parser.add_argument("--cron-interval", dest="cron_interval", help="seconds between two rounds")
    args = parser.parse_args(argv)
    try:
        config = load_config(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(config)
    import signal

    from .cron import Scheduler
    from .modules.manager import ModuleError
    manager = manager_for(config)
    try:
        if not database_exists(manager):
            print(f"error: database {config.db_name!r} does not exist (create it with "
                  f"`server.py -d {config.db_name} --stop-after-init`)", file=sys.stderr)
            return 1
        manager.open()
    except ModuleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    scheduler = Scheduler(lambda: [manager.registry], interval=config.cron_interval)
    if args.once:
        runs = scheduler.run_once()
        failed = [run for run in runs if not run.succeeded]
        print(f"{len(runs)} scheduled action(s) run, {len(failed)} failed", flush=True)
        return 1 if failed else 0
    signal.signal(signal.SIGTERM, lambda signum, frame: scheduler.stop())
    _logger.info("scheduler on %r: a round every %s seconds", config.db_name, config.cron_interval)
    try:
        scheduler.run_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_hash_password(argv):
    """Print the hash of a password read from standard input: for ``admin_passwd``, so that
    the configuration file does not hold the master password in clear."""
    argparse.ArgumentParser(prog="server.py hash-password", description=cmd_hash_password.__doc__).parse_args(argv)
    import getpass

    from . import security
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if not password:
        print("error: an empty password cannot be hashed", file=sys.stderr)
        return 2
    print(security.hash_password(password))
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        command = {"scaffold": cmd_scaffold, "shell": cmd_shell, "modules": cmd_modules, "db": cmd_db,
                   "i18n": cmd_i18n, "hash-password": cmd_hash_password, "cron": cmd_cron}
        return command[argv[0]](argv[1:])
    if argv and not argv[0].startswith("-"):
        return cmd_addon(argv)
    return run_server(argv)
