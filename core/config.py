"""Configuration: defaults, an ``odoo.conf``-style file, environment, command line.

Precedence, highest first: command-line flags, ``TESSERA_<OPTION>`` environment
variables, the ``[options]`` section of the configuration file, the defaults below.
Every option is listed, with its default, in ``odoo.conf.example``.
"""
import configparser
import os
from dataclasses import dataclass, fields

import sqlalchemy as sa


@dataclass
class Config:
    db_name: str = "tessera"
    db_uri: str = ""            # full SQLAlchemy URL; overrides db_name / db_host ...
    db_host: str = ""           # set: PostgreSQL on this host; empty: SQLite in data_dir
    db_port: int = 5432
    db_user: str = ""
    db_password: str = ""
    data_dir: str = "./data"
    addons_path: str = ""       # extra addon folders, comma-separated (the repository's addons/ always)
    without_demo: bool = False  # new databases without demo data
    admin_password: str = ""    # password of 'admin' in a new database without demo data
    http_interface: str = "127.0.0.1"
    http_port: int = 8069
    admin_passwd: str = ""      # master password of database management (db service); empty: disabled
    list_db: bool = True        # may clients list the databases (selector, db.list, /web/database/list)
    dbfilter: str = ""          # regular expression the served database names must match; empty: all
    max_request_body: int = 128 * 1024 * 1024   # bytes; a larger request body is refused (413)
    max_cron_threads: int = 1   # scheduler threads of the HTTP server; 0: none (run `server.py cron`)
    cron_interval: int = 60     # seconds the scheduler sleeps between two rounds of due jobs
    smtp_server: str = ""       # outgoing mail server when the database has no ir.mail_server; empty: none
    smtp_port: int = 25
    smtp_encryption: str = "none"   # none | starttls | ssl
    smtp_user: str = ""
    smtp_password: str = ""
    email_from: str = ""        # sender of system mail when no user sends it (e.g. notifications)
    smtp_listen_port: int = 0   # inbound SMTP listener (mail gateway) of the server; 0: off
    smtp_listen_interface: str = "127.0.0.1"
    log_level: str = "info"

    def database_uri(self):
        """The SQLAlchemy URL of the configured database."""
        if self.db_uri:
            return self.db_uri
        if self.db_host:
            return sa.URL.create("postgresql+psycopg", username=self.db_user or None,
                                 password=self.db_password or None, host=self.db_host,
                                 port=self.db_port, database=self.db_name).render_as_string(False)
        path = os.path.join(os.path.abspath(self.data_dir), f"{self.db_name}.sqlite3")
        return f"sqlite:///{path}"


OPTIONS = {f.name: f for f in fields(Config)}

#: the configuration this process loaded (see :func:`active`)
_active = None


def active():
    """The configuration :func:`load` gave last in this process; the defaults before any load.

    For code that has no configuration passed to it, such as models reading the
    ``smtp_*`` options when the database lists no outgoing mail server.
    """
    return _active if _active is not None else Config()


def _convert(name, value, source):
    kind = OPTIONS[name].type
    if kind in (bool, "bool"):
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in ("1", "true", "yes", "on"):
            return True
        if str(value).strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{source}: option {name} expects true or false, got {value!r}")
    if kind in (int, "int"):
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{source}: option {name} expects a whole number, got {value!r}") from None
    return value


def addons_paths(config):
    """The configured extra addon folders, as a list."""
    return [p.strip() for p in config.addons_path.split(",") if p.strip()]


def load(path=None, flags=None, environ=None):
    """The configuration from defaults, file, environment and flags, in that order."""
    config = Config()
    environ = os.environ if environ is None else environ
    if path:
        parser = configparser.ConfigParser()
        if not parser.read(path):
            raise FileNotFoundError(f"configuration file {path} not found")
        if parser.has_section("options"):
            for name, value in parser.items("options"):
                if name not in OPTIONS:
                    raise ValueError(f"{path}: unknown option {name!r} in [options]")
                setattr(config, name, _convert(name, value, path))
    for name in OPTIONS:
        key = f"TESSERA_{name.upper()}"
        if key in environ:
            setattr(config, name, _convert(name, environ[key], key))
    for name, value in (flags or {}).items():
        if value is not None:
            setattr(config, name, _convert(name, value, f"--{name.replace('_', '-')}"))
    global _active
    _active = config
    return config
