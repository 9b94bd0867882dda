"""Odoo's ``db`` service: list, create, copy, rename, drop, dump and restore databases.

:class:`DatabaseService` answers the ``db`` calls of the external API (XML-RPC
``/xmlrpc/2/db``, JSON-RPC ``service: "db"``).  ``dispatch(method, params)`` calls
``exp_<method>(*params)``, as Odoo's services do:

- ``list``, ``db_exist``, ``list_lang`` and ``server_version`` need no password;
  ``list`` is refused when the configuration disables listing (``list_db``) and
  shows only the names ``dbfilter`` matches;
- every other method takes the master password (``admin_passwd`` of the
  configuration, plain or hashed) as its first argument; with no master password
  configured, database management is off.

Whole-database work is the catalog's (``core/db/catalog.py``); installing addons
is the module manager's.  This module owns the master password check, the setup of a
new database's administrator and company, and telling the HTTP layer (``forget``)
to close a database before it is dropped, renamed or upgraded.  It does not own the
wire format (``core/rpc/xmlrpc.py``, ``jsonrpc.py``) nor the mapping of its errors to
faults: it raises :mod:`core.exceptions` errors and returns XML-RPC-safe values
(never None).
"""
import base64
import binascii
import functools
import hmac
import inspect
import logging
import os
import re
import xml.etree.ElementTree as ElementTree

from .. import i18n, release, security
from ..db.catalog import validate_name
from ..exceptions import AccessDenied, UserError
from ..modules.manager import ROOT_ADDONS

_logger = logging.getLogger(__name__)

#: the methods callable without the master password
PUBLIC_METHODS = ("list", "db_exist", "list_lang", "server_version")
BASE_DATA = os.path.join(ROOT_ADDONS, "base", "data")


def db_filter(names, pattern, host=""):
    """The ``names`` that the ``dbfilter`` regular expression ``pattern`` matches in full.

    As in Odoo, ``%h`` in the pattern stands for the request's host name and ``%d``
    for its first label (``www.`` dropped); without a host both match nothing special.
    """
    if not pattern:
        return list(names)
    hostname = (host or "").partition(":")[0]
    if hostname.startswith("www."):
        hostname = hostname[4:]
    domain = hostname.partition(".")[0]
    expression = pattern.replace("%h", re.escape(hostname)).replace("%d", re.escape(domain))
    try:
        compiled = re.compile(expression)
    except re.error as exc:
        raise UserError(f"The dbfilter {pattern!r} of the configuration is not a valid regular expression: "
                        f"{exc}.") from None
    return [name for name in names if compiled.fullmatch(name)]


@functools.lru_cache(maxsize=None)
def _shipped_records(filename, model, *fields):
    """``[(field values)]`` of the ``model`` records of a data file of the base addon.

    What a server offers before any database exists (the languages to create one in,
    the countries of its company) is what the base addon's data will create.
    """
    root = ElementTree.parse(os.path.join(BASE_DATA, filename)).getroot()
    rows = []
    for record in root.iter("record"):
        if record.get("model") != model:
            continue
        values = {field.get("name"): (field.text or "").strip() for field in record.findall("field")}
        rows.append(tuple(values.get(name, "") for name in fields))
    return sorted(rows, key=lambda row: row[1])


def _first_email(text):
    match = re.search(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+", text or "")
    return match.group(0) if match else None


def renew_identity(manager, neutralize=False):
    """Give the copy of a database that ``manager`` (a ModuleManager) opens its own uuid
    and secret: sessions and tokens signed for the original must not open the copy.
    With ``neutralize``, also stop its scheduled actions, so that a test copy does not
    act on the real world."""
    registry = manager.registry or manager.open()
    with registry.cursor() as cr:
        env = manager.env(cr)
        env["ir.config_parameter"]._init_defaults(force=True)
        if neutralize:
            if "ir.cron" in env:
                env["ir.cron"].with_context(active_test=False).search([]).write({"active": False})
            env["ir.config_parameter"].set_param("database.is_neutralized", "True")


class DatabaseService:
    """The ``db`` service of one server, over the databases of ``catalog``.

    ``config`` is the server's :class:`core.config.Config` (``admin_passwd``,
    ``list_db``, ``dbfilter``); ``addons_paths`` and ``data_dir`` are given to the
    module manager of a database; ``forget(name)`` is called before a database is
    dropped or renamed, and after it is upgraded, so that whoever serves it lets go of
    its connections and its registry; ``served(host)``, when given, lists the databases
    (the HTTP application's own list: its fixed database too, the request's host for
    ``dbfilter``).
    """

    def __init__(self, catalog, config, *, addons_paths=(), data_dir=None, forget=lambda name: None,
                 served=None):
        self.catalog = catalog
        self.served = served
        self.config = config
        self.addons_paths = list(addons_paths)
        self.data_dir = os.path.abspath(data_dir) if data_dir else catalog.data_dir
        self.forget = forget

    # ------------------------------------------------------------ dispatch
    def dispatch(self, method, params):
        """The result of ``exp_<method>(*params)``; a UserError for an unknown method or
        arguments that do not fit it."""
        handler = getattr(self, f"exp_{method}", None) if isinstance(method, str) else None
        if handler is None:
            raise UserError(f"The db service has no method {method!r}.")
        if not isinstance(params, (list, tuple)):
            raise UserError(f"db.{method}: the parameters must be a list, not {type(params).__name__}.")
        try:
            inspect.signature(handler).bind(*params)
        except TypeError as exc:
            raise UserError(f"db.{method}: {exc}.") from None
        return handler(*params)

    def check_super(self, master):
        """True if ``master`` is the master password; AccessDenied otherwise."""
        stored = self.config.admin_passwd or ""
        if not stored:
            raise AccessDenied("Database management is disabled: set admin_passwd (the master password) "
                               "in the server's configuration file to enable it.")
        if not isinstance(master, str) or not master:
            raise AccessDenied()
        if stored.startswith(f"${security.PASSWORD_SCHEME}$"):
            matches = security.verify_password(master, stored)
        else:
            matches = hmac.compare_digest(master.encode("utf-8"), stored.encode("utf-8"))
        if not matches:
            _logger.warning("db service: wrong master password")
            raise AccessDenied()
        return True

    # ------------------------------------------------------------ without the master password
    def list_databases(self, host=""):
        """The databases this server shows (``list_db``, ``dbfilter`` for ``host``)."""
        if not self.config.list_db:
            raise AccessDenied("Listing the databases is disabled on this server (list_db).")
        if self.served is not None:
            return self.served(host or None)
        return db_filter(self.catalog.list(), self.config.dbfilter, host)

    def exp_list(self, document=False):
        """The database names; ``document`` is a legacy argument Odoo ignores too."""
        return self.list_databases()

    def exp_db_exist(self, name):
        if self.served is not None and name in self.served(None):
            return True
        return bool(self.catalog.exists(name))  # False too for a name no database can have

    def exp_list_lang(self):
        """``[[code, name]]`` of the languages a new database may be created in."""
        languages = _shipped_records("res_lang_data.xml", "res.lang", "code", "name")
        return [[code, name] for code, name in languages]

    def exp_server_version(self):
        return release.version_info()["server_version"]

    # ------------------------------------------------------------ with the master password
    def exp_create_database(self, master, name, demo, lang, user_password="admin", login="admin",
                            country_code=None, phone=None):
        """Create ``name`` with base (and the addons that install themselves), then set up
        its administrator and company; on any failure nothing is left behind."""
        self.check_super(master)
        self._check_text("user_password", user_password, required=True)
        self._check_text("login", login, required=True)
        lang = lang or i18n.DEFAULT_LANG
        self._check_text("lang", lang, required=True)
        self.catalog.create(name)
        try:
            manager = self._manager(name, demo=bool(demo))
            try:
                manager.open()
                self._set_up(manager, lang, user_password, login, country_code or None, phone or None)
            finally:
                manager.engine.dispose()
        except BaseException:
            self._drop_quietly(name)
            raise
        _logger.info("db service: created database %r", name)
        return True

    def exp_duplicate_database(self, master, old, new, neutralize_database=False):
        """Copy ``old`` to ``new``; the copy gets its own uuid and secret."""
        self.check_super(master)
        self.catalog.duplicate(old, new)
        self._after_copy(new, neutralize_database)
        _logger.info("db service: duplicated database %r as %r", old, new)
        return True

    def exp_drop(self, master, name):
        """Drop ``name``; False (as in Odoo) when there is no such database."""
        self.check_super(master)
        validate_name(name)
        if not self.catalog.exists(name):
            return False
        self.forget(name)
        self.catalog.drop(name)
        _logger.info("db service: dropped database %r", name)
        return True

    def exp_dump(self, master, name, format="zip"):
        """The base64 text of a zip of ``name`` (database, filestore, manifest)."""
        self.check_super(master)
        if format != "zip":
            raise UserError(f"Unsupported dump format {format!r}: Tessera dumps databases as 'zip'.")
        return base64.b64encode(self.catalog.dump(name)).decode("ascii")

    def exp_restore(self, master, name, data, copy=False):
        """Create ``name`` from the base64 text of a dump; ``copy``: give it a new uuid."""
        self.check_super(master)
        self.catalog.require_new(name)
        if not isinstance(data, (str, bytes)):
            raise UserError("db.restore: the dump must be base64 text.")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise UserError("db.restore: the dump is not valid base64 text.") from None
        self.catalog.restore(name, raw)
        if copy:
            self._after_copy(name, neutralize=False)
        _logger.info("db service: restored database %r", name)
        return True

    def exp_rename(self, master, old, new):
        self.check_super(master)
        self.catalog.require(old)
        self.catalog.require_new(new)
        self.forget(old)
        self.catalog.rename(old, new)
        _logger.info("db service: renamed database %r to %r", old, new)
        return True

    def exp_change_admin_password(self, master, new):
        """Refused: the master password lives in the configuration file, which Tessera
        never rewrites (it may be managed, read-only, or shared by several servers)."""
        self.check_super(master)
        raise UserError("The master password is the admin_passwd option of the server's configuration "
                        "file: change it there (core.security.hash_password makes a hash of it) and "
                        "restart the server.")

    def exp_list_countries(self, master):
        """``[[code, name]]`` of the countries a new database knows, from the base addon's data."""
        self.check_super(master)
        return [[code, name] for code, name in _shipped_records("res_country_data.xml", "res.country",
                                                                "code", "name")]

    def exp_migrate_databases(self, master, names):
        """Upgrade base, and so every installed addon, in each of ``names``."""
        self.check_super(master)
        if not isinstance(names, (list, tuple)):
            raise UserError("db.migrate_databases: give a list of database names.")
        for name in names:
            self.catalog.require(name)
        for name in names:
            manager = self._manager(name)
            try:
                manager.open()
                manager.upgrade(["base"])
            finally:
                manager.engine.dispose()
            self.forget(name)
            _logger.info("db service: upgraded database %r", name)
        return True

    # ------------------------------------------------------------ helpers
    def _manager(self, name, demo=True):
        from ..modules import ModuleManager
        return ModuleManager(self.catalog.uri(name), addons_paths=self.addons_paths, demo=demo,
                             data_dir=self.data_dir)

    @staticmethod
    def _check_text(argument, value, required=False):
        if not isinstance(value, str) or (required and not value.strip()):
            raise UserError(f"db.create_database: {argument} must be a non-empty text, got {value!r}.")

    def _set_up(self, manager, lang, password, login, country_code, phone):
        """The new database's administrator (login, password, language, email) and company."""
        with manager.registry.cursor() as cr:
            env = manager.env(cr)
            if lang != i18n.DEFAULT_LANG:
                env["res.lang"]._activate_lang(lang)
                self._load_translations(env, manager, lang)
            admin = env.ref("base.user_admin")
            values = {"login": login, "password": password, "lang": lang}
            email = _first_email(login)
            if email:
                values["email"] = email
            admin.write(values)
            company = env.ref("base.main_company")
            if country_code:
                self._check_text("country_code", country_code)
                country = env["res.country"].search([("code", "=", country_code.upper())], limit=1)
                if not country:
                    raise UserError(f"db.create_database: there is no country with the code "
                                    f"{country_code!r}.")
                company.country_id = country
            if phone:
                self._check_text("phone", phone)
                company.phone = phone

    @staticmethod
    def _load_translations(env, manager, lang):
        """A language activated after the install: load the installed addons' terms in it."""
        for module in manager.installed_names(env.cr.connection):
            i18n.load_data_translations(env, module, manager.manifests[module].path, lang)

    def _after_copy(self, name, neutralize):
        """A copy gets its own identity; a failure drops the copy."""
        try:
            manager = self._manager(name)
            try:
                renew_identity(manager, neutralize)
            finally:
                manager.engine.dispose()
        except BaseException:
            self._drop_quietly(name)
            raise

    def _drop_quietly(self, name):
        """Undo a half-made database; the original error is what the caller needs to see."""
        try:
            if self.catalog.exists(name):
                self.forget(name)
                self.catalog.drop(name)
        except Exception:
            _logger.exception("db service: could not drop the half-made database %r", name)
