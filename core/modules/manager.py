"""Install, upgrade and uninstall addons in one database.

:class:`ModuleManager` owns the life cycle of addons in a database: it finds the
addons on the addons path, orders them by dependencies, builds the registry of the
installed ones, and installs, upgrades or uninstalls addons.  Each operation runs
in ONE transaction — schema changes, data, module states — so that a failure
leaves the database exactly as it was.  Schema ownership (which addon created
which table and column, see ``core/db/schema.py``) and external ids (which addon
created which record, ``ir.model.data``) let uninstall remove exactly what an
addon brought and nothing another addon owns.
"""
import contextlib
import importlib
import importlib.util
import logging
import os
import shutil
import time

import sqlalchemy as sa

from .. import hooks, i18n, security
from ..api import SUPERUSER_ID, Environment
from ..db import BorrowedCursor, Cursor, create_engine
from ..db.schema import OWNER_TABLE
from ..models import DEFINITIONS
from ..registry import Registry
from . import reflection
from .data import DataFileError, DataLoader
from .graph import DependencyError, dependents, find_addons, load_order

_logger = logging.getLogger(__name__)

ROOT_ADDONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           "addons")


@contextlib.contextmanager
def _ddl_allowed(connection):
    """PostgreSQL refuses to alter a table with deferred checks pending in the transaction
    (rows written earlier by the same operation): run those checks first."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
    yield
    connection.execute(sa.text("SET CONSTRAINTS ALL DEFERRED"))


def _drop_order(metadata, tables):
    """``tables`` ordered so that a table goes before the tables it refers to."""
    remaining = list(sorted(tables))
    refers = {name: {fk.column.table.name for fk in metadata.tables[name].foreign_keys} & set(tables)
              if name in metadata.tables else set() for name in tables}
    ordered = []
    while remaining:
        free = [t for t in remaining if not any(t in refers[o] for o in remaining if o != t)]
        chosen = free[0] if free else remaining[0]  # a cycle: PostgreSQL's CASCADE copes
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


class ModuleError(ValueError):
    """An addon that cannot be installed, upgraded or removed; the message says why."""


def _progress_log(event, **info):
    if event == "module":
        _logger.info("%s %s: %d records in %.2fs", info["action"], info["module"],
                     info["records"], info["seconds"])


class ModuleManager:
    """Addons of the database at ``db_uri``."""

    def __init__(self, db_uri, addons_paths=(), demo=True, data_dir=None, progress=None, engine=None):
        self.db_uri = db_uri
        self.addons_paths = [ROOT_ADDONS] + [os.path.abspath(p) for p in addons_paths
                                             if os.path.abspath(p) != ROOT_ADDONS]
        import addons
        for path in self.addons_paths[1:]:
            if path not in addons.__path__:
                addons.__path__.append(path)
        self.demo = demo
        self.data_dir = data_dir
        self.progress = progress or _progress_log
        self.engine = engine or create_engine(db_uri)
        self.registry = None
        self._manifests = None

    # ------------------------------------------------------------ discovery
    @property
    def manifests(self):
        if self._manifests is None:
            self._manifests = find_addons(self.addons_paths)
        return self._manifests

    def installed_names(self, connection):
        """Names of the installed addons, read straight from the database."""
        if "ir_module_module" not in sa.inspect(connection).get_table_names():
            return []
        table = sa.table("ir_module_module", sa.column("name"), sa.column("state"))
        rows = connection.execute(sa.select(table.c.name).where(
            table.c.state.in_(["installed", "to upgrade", "to remove"]))).scalars().all()
        missing = [name for name in rows if name not in self.manifests]
        if missing:
            raise ModuleError(f"installed addons not found on the addons path: {', '.join(sorted(missing))} "
                              f"(addons path: {os.pathsep.join(self.addons_paths)})")
        return load_order(self.manifests, rows)

    # ------------------------------------------------------------ registry
    def _definitions(self, names):
        """Import the addons (in load order) and return their model definitions."""
        result = []
        closure = {}
        for name in names:
            manifest = self.manifests[name]
            closure[name] = set(load_order(self.manifests, [name]))
            self._check_external_dependencies(manifest)
            importlib.import_module(f"addons.{name}")
        defined_by = {}
        for name in names:
            own = [d for d in DEFINITIONS if d._module == name]
            for definition in own:
                model = definition.__dict__.get("_name")
                inherit = definition.__dict__.get("_inherit") or ()
                inherit = [inherit] if isinstance(inherit, str) else list(inherit)
                for parent in inherit:
                    owner = defined_by.get(parent)
                    if owner is not None and owner not in closure[name]:
                        raise ModuleError(
                            f"addon {name!r} extends model {parent!r} of addon {owner!r} without "
                            f"depending on it: add {owner!r} to the depends of {name!r}")
                    if owner is None and parent not in (model,):
                        raise ModuleError(
                            f"addon {name!r} extends model {parent!r}, which no addon it depends on "
                            f"defines")
                if model and model not in defined_by:
                    defined_by[model] = name
            result.extend(own)
        return result

    def _check_external_dependencies(self, manifest):
        needs = manifest.external_dependencies or {}
        for package in needs.get("python", ()):
            if importlib.util.find_spec(package) is None:
                raise ModuleError(f"addon {manifest.name!r} needs the Python package {package!r}, "
                                  f"which is not installed")
        for program in needs.get("bin", ()):
            if shutil.which(program) is None:
                raise ModuleError(f"addon {manifest.name!r} needs the program {program!r}, "
                                  f"which is not on the PATH")

    def _build_registry(self, names, owner):
        """A registry of the addons ``names``, its schema synchronised in ``owner``'s transaction."""
        registry = Registry(self.db_uri, self.engine)
        registry.manager = self
        registry.data_dir = self.data_dir
        registry.db_name = self.db_name
        registry.load(self._definitions(names))
        registry.setup_models()
        registry.installed = list(names)
        registry.hooks = hooks.plugin_manager([(name, f"addons.{name}") for name in names])
        with _ddl_allowed(owner.connection):
            registry.sync_schema(owner.connection)
        security.install(registry)
        cr = BorrowedCursor(registry, owner)
        registry.init_models(cr)
        return registry

    def _put_in_service(self, registry, owner):
        """Serve ``registry`` once ``owner``'s transaction has committed: until then other
        requests keep the registry whose tables they can see, and a rolled back
        operation (or savepoint) leaves the registry in service as it was."""
        def switch():
            self.registry = registry
        owner.after_commit(switch)
        # later operations of the same transaction work with it already
        getattr(owner, "owner", owner).pending_registry = registry

    def _registry_for(self, owner, installed):
        """A registry of exactly the addons ``installed`` (as the owner's transaction
        sees them): the one an earlier operation of this transaction built, the one in
        service, or a new one."""
        pending = getattr(getattr(owner, "owner", owner), "pending_registry", None)
        for registry in (pending, self.registry):
            if registry is not None and list(registry.installed) == list(installed):
                return registry
        return self._build_registry(installed, owner)

    def rescan(self):
        """Read the addons path again (an addon added or changed while running); the
        manifests found replace those read before only if every installed addon is
        still there.  Returns the manifests in use."""
        found = find_addons(self.addons_paths)
        installed = set(self.registry.installed) if self.registry is not None else set()
        missing = sorted(installed - set(found))
        if missing:
            raise ModuleError(f"installed addons not found on the addons path any more: {', '.join(missing)}")
        self._manifests = found
        return found

    @property
    def db_name(self):
        url = sa.make_url(self.db_uri)
        if url.get_backend_name() == "sqlite":
            return os.path.splitext(os.path.basename(url.database or "memory"))[0]
        return url.database

    def _owner(self):
        return Cursor(Registry(self.db_uri, self.engine))

    # ------------------------------------------------------------ opening
    def open(self, install=()):
        """The registry of the installed addons; a new database gets base and ``install``."""
        with self.engine.connect() as connection:
            installed = self.installed_names(connection)
        if not installed:
            install = ["base"] + [n for n in install if n != "base"]
        if installed:
            with self._owner() as owner:
                self.registry = self._build_registry(installed, owner)
            return self.registry
        self.install(install)
        return self.registry

    def env(self, cr):
        return Environment(cr, SUPERUSER_ID, {})

    # ------------------------------------------------------------ install
    def _to_install(self, names, installed):
        unknown = [n for n in names if n not in self.manifests]
        if unknown:
            raise ModuleError(f"unknown addon(s) {', '.join(unknown)}: not on the addons path "
                              f"({os.pathsep.join(self.addons_paths)})")
        try:
            wanted = set(load_order(self.manifests, names)) - set(installed)
        except DependencyError as exc:
            raise ModuleError(str(exc)) from None
        for name in wanted:
            if not self.manifests[name].installable:
                raise ModuleError(f"addon {name!r} is not installable")
        # glue addons install themselves once all their dependencies are there
        changed = True
        while changed:
            changed = False
            present = set(installed) | wanted
            for name, manifest in sorted(self.manifests.items()):
                auto = manifest.auto_install
                if name in present or not auto or not manifest.installable:
                    continue
                triggers = set(auto) if isinstance(auto, (list, tuple)) else set(manifest.depends)
                if triggers <= present and set(manifest.depends) <= present | {"base"}:
                    wanted |= set(load_order(self.manifests, [name])) - set(installed)
                    changed = True
        return wanted

    def install(self, names, cr=None):
        """Install ``names``, their dependencies and the glue addons they complete."""
        return self._run(cr, lambda owner: self._install(names, owner))

    def _run(self, cr, operation):
        i18n.clear_cache()  # catalogs edited since the last run are read again
        if cr is not None:
            return operation(cr)
        with self._owner() as owner:
            return operation(owner)

    def _install(self, names, owner):
        installed = self.installed_names(owner.connection)
        todo = self._to_install(list(names), installed)
        if not todo:
            return []
        order = load_order(self.manifests, set(installed) | todo)
        registry = self._build_registry(order, owner)
        cr = BorrowedCursor(registry, owner)
        env = self.env(cr)
        self._reflect(env)
        self.update_list(env)
        demo = self.demo if not installed else self._database_demo(env)
        new = [name for name in order if name in todo]
        # the states say what is under way (seen by hooks and by code the data files call)
        env["ir.module.module"].search([("name", "in", new)]).write({"state": "to install"})
        for name in new:
            self._load_module(env, name, "init", demo, set(order))
        if not installed:
            if not env["res.users"].browse(SUPERUSER_ID).exists():
                raise ModuleError(f"the base addon's data did not create the superuser "
                                  f"(res.users {SUPERUSER_ID}, base.user_root)")
            env["ir.config_parameter"]._init_defaults()
        cr.flush()
        self._put_in_service(registry, owner)
        return new

    def _database_demo(self, env):
        base = env["ir.module.module"].search([("name", "=", "base")], limit=1)
        return bool(base.demo)

    def _load_module(self, env, name, mode, demo, installed):
        manifest = self.manifests[name]
        package = importlib.import_module(f"addons.{name}")
        start = time.perf_counter()
        if mode == "init" and manifest.pre_init_hook:
            getattr(package, manifest.pre_init_hook)(env)
        loader = DataLoader(env, name, manifest.path, mode, installed)
        for filename in manifest.data:
            loader.load_file(filename)
        if demo and mode == "init":
            demo_loader = DataLoader(env, name, manifest.path, mode, installed, noupdate=True)
            for filename in manifest.demo:
                demo_loader.load_file(filename)
            loader.count += demo_loader.count
        self._load_translations(env, name, manifest)
        if mode == "init" and manifest.post_init_hook:
            getattr(package, manifest.post_init_hook)(env)
        if mode == "init":
            env.registry.hooks.hook.post_install(env=env, module=name)
        module = env["ir.module.module"].search([("name", "=", name)], limit=1)
        module.write({"state": "installed", "latest_version": manifest.version,
                      "demo": bool(demo and mode == "init") or module.demo})
        self.progress("module", action="installed" if mode == "init" else "upgraded", module=name,
                      records=loader.count, seconds=time.perf_counter() - start,
                      skipped=loader.skipped)
        return loader

    def _load_translations(self, env, name, manifest):
        for lang in env["res.lang"].search([("active", "=", True), ("code", "!=", "en_US")]):
            i18n.load_data_translations(env, name, manifest.path, lang.code)

    # ------------------------------------------------------------ reflection
    def _reflect(self, env):
        """Rows of ir.model / ir.model.fields for every model, in step with the code."""
        reflection.reflect(env)

    def refresh_module_list(self):
        """Register the addons found on the addons path (the Apps list); returns the new count."""
        with self.registry.cursor() as cr:
            return self.update_list(self.env(cr))

    def update_list(self, env):
        """Create or refresh one ir.module.module row per addon found; returns the count of new ones."""
        Module = env["ir.module.module"]
        rows = {m.name: m for m in Module.search([])}
        created = 0
        for name, manifest in sorted(self.manifests.items()):
            values = {"shortdesc": manifest.title, "summary": manifest.summary,
                      "description": manifest.description, "author": manifest.author,
                      "website": manifest.website, "license": manifest.license,
                      "category": manifest.category, "sequence": manifest.sequence,
                      "application": manifest.application, "auto_install": bool(manifest.auto_install),
                      "published_version": manifest.version}
            module = rows.get(name)
            if module is None:
                values.update(name=name, state="uninstalled" if manifest.installable else "uninstallable",
                              dependencies_id=[(0, 0, {"name": dep}) for dep in manifest.depends])
                Module.create(values)
                created += 1
            else:
                changed = {key: value for key, value in values.items() if module[key] != value}
                if changed:  # most installs change nothing here: no write per addon
                    module.write(changed)
        return created

    # ------------------------------------------------------------ upgrade
    def upgrade(self, names, cr=None):
        """Reload the data of ``names`` (and of the installed addons depending on them)."""
        return self._run(cr, lambda owner: self._upgrade(names, owner))

    def _upgrade(self, names, owner):
        installed = self.installed_names(owner.connection)
        missing = [n for n in names if n not in installed]
        if missing:
            raise ModuleError(f"cannot upgrade {', '.join(missing)}: not installed")
        todo = set(names) | dependents(self.manifests, names, installed)
        registry = self._build_registry(installed, owner)
        cr = BorrowedCursor(registry, owner)
        env = self.env(cr)
        self._reflect(env)
        self.update_list(env)
        done = []
        env["ir.module.module"].search([("name", "in", sorted(todo))]).write({"state": "to upgrade"})
        for name in installed:
            if name in todo:
                loader = self._load_module(env, name, "update", False, set(installed))
                self._remove_unseen(env, name, loader.seen)
                done.append(name)
        cr.flush()
        self._put_in_service(registry, owner)
        return done

    def _remove_unseen(self, env, module, seen):
        """Records an addon's files no longer define go (unless noupdate)."""
        Data = env["ir.model.data"]
        reflected = ("ir.model", "ir.model.fields")
        rows = Data.search([("module", "=", module), ("noupdate", "=", False),
                            ("model", "not in", reflected)], order="id desc")
        for row in rows:
            if f"{module}.{row.name}" not in seen:
                record = env[row.model].browse(row.res_id).exists() if row.model in env else None
                if record:
                    record.with_context(module_uninstall=True).unlink()
                row.unlink()

    # ------------------------------------------------------------ uninstall
    def plan_uninstall(self, names, cr=None):
        """What uninstalling ``names`` would remove, without changing anything."""
        return self._run(cr, lambda owner: self._plan(names, owner))

    def _plan(self, names, owner):
        installed = self.installed_names(owner.connection)
        unknown = [n for n in names if n not in installed]
        if unknown:
            raise ModuleError(f"cannot uninstall {', '.join(unknown)}: not installed")
        if "base" in names:
            raise ModuleError("base cannot be uninstalled")
        removed = set(names) | dependents(self.manifests, names, installed)
        order = [n for n in reversed(installed) if n in removed]
        owners = sa.Table(OWNER_TABLE, sa.MetaData(), autoload_with=owner.connection)
        rows = owner.connection.execute(sa.select(owners).where(owners.c.module.in_(order))).all()
        tables = sorted(r.table_name for r in rows if r.column_name == "")
        columns = sorted(f"{r.table_name}.{r.column_name}" for r in rows
                         if r.column_name and r.table_name not in tables)
        registry = self._registry_for(owner, installed)
        env = self.env(BorrowedCursor(registry, owner))
        models = sorted(name for name, cls in registry.models.items()
                        if not cls._abstract and cls._auto and cls._table in tables)
        records = {}
        for row in env["ir.model.data"].search_read([("module", "in", order)], ["model"]):
            if row["model"] not in models:
                records[row["model"]] = records.get(row["model"], 0) + 1
        files = []
        if "ir.attachment" in env and models:
            attachments = env["ir.attachment"].search([("res_model", "in", models)])
            files = sorted({a.store_fname for a in attachments if getattr(a, "store_fname", False)})
        counts = {name: env[name].with_context(active_test=False).search_count([]) for name in models}
        return {"modules": order, "dependents": sorted(removed - set(names)), "models": models,
                "record_counts": counts, "tables": tables, "columns": columns,
                "owned_records": records, "files": files}

    def uninstall(self, names, cr=None):
        """Uninstall ``names`` and every installed addon that depends on them."""
        return self._run(cr, lambda owner: self._uninstall(names, owner))

    def _uninstall(self, names, owner):
        plan = self._plan(names, owner)
        installed = self.installed_names(owner.connection)
        order = plan["modules"]
        old = self._build_registry(installed, owner)
        env = Environment(BorrowedCursor(old, owner), SUPERUSER_ID, {"module_uninstall": True})
        env["ir.module.module"].search([("name", "in", order)]).write({"state": "to remove"})
        for name in order:
            manifest = self.manifests[name]
            package = importlib.import_module(f"addons.{name}")
            if manifest.uninstall_hook:
                getattr(package, manifest.uninstall_hook)(env)
            old.hooks.hook.pre_uninstall(env=env, module=name)
        env.cr.flush()
        # the addons' columns and tables first: their rows go with them, and nothing of
        # theirs can then refuse the deletion of the records they referred to
        with _ddl_allowed(owner.connection):
            self._drop_schema(owner.connection, plan, _drop_order(old.metadata, plan["tables"]))
        remaining = [n for n in installed if n not in order]
        registry = self._build_registry(remaining, owner)
        cr = BorrowedCursor(registry, owner)
        env = Environment(cr, SUPERUSER_ID, {"module_uninstall": True})
        self._delete_owned_records(env, order, plan)
        self._reflect(env)  # the models the removed addons extended lose their fields' rows
        env["ir.module.module"].search([("name", "in", order)]).write(
            {"state": "uninstalled", "latest_version": False, "demo": False})
        cr.flush()
        self._put_in_service(registry, owner)
        for name in order:
            self.progress("module", action="uninstalled", module=name, records=0, seconds=0.0, skipped=[])
        return order

    def _delete_owned_records(self, env, modules, plan):
        """Records created by the addons' files, newest first; shared ones are kept."""
        Data = env["ir.model.data"]
        rows = Data.search([("module", "in", modules)], order="id desc")
        keep = {(r["model"], r["res_id"]) for r in Data.search_read(
            [("module", "not in", modules)], ["model", "res_id"])}
        dropped = set(plan["models"])
        for row in rows:
            model, res_id = row.model, row.res_id
            if model in dropped or (model, res_id) in keep or model not in env:
                continue
            record = env[model].with_context(active_test=False).browse(res_id).exists()
            if record:
                record.unlink()
        rows.unlink()

    def _drop_schema(self, connection, plan, ordered_tables):
        owners = sa.Table(OWNER_TABLE, sa.MetaData(), autoload_with=connection)
        inspector = sa.inspect(connection)
        dialect = connection.dialect.name
        for column in plan["columns"]:
            table, name = column.split(".", 1)
            for index in inspector.get_indexes(table):
                if name in index["column_names"]:
                    connection.execute(sa.text(f'DROP INDEX "{index["name"]}"'))
            connection.execute(sa.text(f'ALTER TABLE "{table}" DROP COLUMN "{name}"'))
            connection.execute(sa.delete(owners).where(owners.c.table_name == table,
                                                       owners.c.column_name == name))
        for table in ordered_tables:
            cascade = " CASCADE" if dialect == "postgresql" else ""
            connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"{cascade}'))
            connection.execute(sa.delete(owners).where(owners.c.table_name == table))

    def modules(self):
        """``[(name, state, version)]`` of every addon found, installed or not."""
        with self.engine.connect() as connection:
            installed = set(self.installed_names(connection))
            states = {}
            if "ir_module_module" in sa.inspect(connection).get_table_names():
                table = sa.table("ir_module_module", sa.column("name"), sa.column("state"),
                                 sa.column("latest_version"))
                states = {r.name: (r.state, r.latest_version) for r in connection.execute(sa.select(table))}
        result = []
        for name, manifest in sorted(self.manifests.items()):
            state, version = states.get(name, ("uninstalled" if manifest.installable else "uninstallable",
                                               None))
            if name in installed:
                state = "installed"
            result.append((name, state, version or manifest.version))
        return result


__all__ = ["DataFileError", "ModuleError", "ModuleManager"]
