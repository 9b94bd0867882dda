#!/usr/bin/env python3
"""Tessera's one-command developer entry point (standard library only).

    python3 dev.py bootstrap        create .venv and install the pinned dependencies (with "test")
    python3 dev.py serve [ARGS]     bootstrap, then exec server.py (default: -d tessera --data-dir ./data
                                    -i all: a SQLite database with every addon and demo data)
    python3 dev.py test [OPTIONS]   bootstrap, then run the whole pytest suite twice: on SQLite, and
                                    on a throw-away PostgreSQL 15 cluster that this script starts
    python3 dev.py bench [NAME] [ARGS]  bootstrap, then run bench/NAME.py (orm: the ORM against raw
                                    SQLAlchemy Core; install: base with demo data into an empty
                                    database), JSON lines on stdout; with --pg on a throw-away
                                    PostgreSQL cluster, else on SQLite; other ARGS go to the script

Test options: --sqlite-only or --pg-only run one backend; everything else goes to pytest, which
gets `-n 2` (pytest-xdist) unless -n, -x or --pdb is given. The exit code is non-zero if any run
failed, including a run that collected no test (pytest's exit code 5).

The dependencies are (re)installed whenever pyproject.toml changes: a stamp in .venv keeps its hash.
The PostgreSQL binaries are taken from PATH or /usr/lib/postgresql/*/bin; if there are none, root
installs Debian's `postgresql` package with apt-get. As root the cluster runs as the `postgres` user.

The browser tests drive Debian's Chromium through the `playwright` package (test extra). `test`
installs the `chromium` package with apt-get (as root, else through sudo) when the browser is
missing; `playwright install` is never run: the tests launch the system browser (TESSERA_CHROMIUM,
else `chromium` on PATH, else /usr/bin/chromium).
"""
import glob
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PY = VENV / "bin" / "python"
STAMP = VENV / "tessera-deps.json"
PG_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockdir}'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
"""


def say(msg):
    print(msg, flush=True)


def die(msg):
    say(f"dev.py: {msg}")
    sys.exit(1)


def bootstrap(extras=()):
    """Make sure .venv exists and holds the dependencies of the current pyproject.toml."""
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(pyproject).hexdigest()
    if not VENV_PY.exists():
        say(f"== creating {VENV} ==")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        stamp = {}
    if stamp.get("sha256") == digest and set(extras) <= set(stamp.get("extras", [])):
        return
    project = tomllib.loads(pyproject.decode())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    say("== installing dependencies: " + " ".join(reqs) + " ==")
    subprocess.run([str(VENV_PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", *reqs],
                   check=True)
    STAMP.write_text(json.dumps({"sha256": digest, "extras": sorted(extras)}))


def cmd_serve(args):
    bootstrap()
    if not (ROOT / "server.py").exists():
        die("server.py does not exist yet: there is no server to start in this checkout.")
    os.chdir(ROOT)
    argv = [str(VENV_PY), "server.py", *(args or ["-d", "tessera", "--data-dir", "./data", "-i", "all"])]
    os.execv(argv[0], argv)


def run_child(cmd, **kwargs):
    """Run cmd to its end; on Ctrl-C or SIGTERM give it time to finish its own shutdown."""
    proc = subprocess.Popen(cmd, **kwargs)
    try:
        return proc.wait()
    except BaseException as exc:
        if not isinstance(exc, KeyboardInterrupt):  # Ctrl-C already reached the whole group
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except BaseException:
            proc.kill()
        raise


def find_pg_bindir():
    """The folder with initdb and pg_ctl: from PATH first, else the newest /usr/lib/postgresql/N."""
    found = [shutil.which(name) for name in ("pg_ctl", "initdb")]
    dirs = [os.path.dirname(os.path.realpath(path)) for path in found if path]
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    dirs += sorted(versioned, key=lambda d: int(re.sub(r"\D", "", d) or 0), reverse=True)
    for d in dirs:
        if all(os.access(os.path.join(d, n), os.X_OK) for n in ("initdb", "pg_ctl", "postgres")):
            return Path(d)
    return None


def install_postgresql():
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        die("no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin.\n"
            "Install PostgreSQL 15 (Debian: apt-get install postgresql), run this as root so that\n"
            "it installs them, or run `python3 dev.py test --sqlite-only`.")
    say("== installing PostgreSQL with apt-get ==")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "postgresql"], check=True, env=env)
    return find_pg_bindir() or die("apt-get installed postgresql, but initdb/pg_ctl are not found")


def chromium_path():
    """The browser the tests launch: TESSERA_CHROMIUM, else `chromium` on PATH, else /usr/bin/chromium."""
    return os.environ.get("TESSERA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def ensure_chromium():
    """Install Debian's chromium package when the browser of the browser tests is missing."""
    if os.access(chromium_path(), os.X_OK):
        return chromium_path()
    if os.environ.get("TESSERA_CHROMIUM"):
        die(f"TESSERA_CHROMIUM={os.environ['TESSERA_CHROMIUM']!r} is not an executable file")
    if not shutil.which("apt-get"):
        die("no chromium for the browser tests and no apt-get to install it: install Chromium and\n"
            "set TESSERA_CHROMIUM to its executable")
    if os.geteuid() == 0:
        prefix = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        die("no chromium for the browser tests (/usr/bin/chromium): run this as root, or with sudo\n"
            "available, so that it installs Debian's chromium package; or install it yourself\n"
            "(apt-get install chromium) or set TESSERA_CHROMIUM to a Chromium executable")
    say("== installing Chromium with apt-get (browser tests) ==")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if prefix:
        prefix = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive"]
    subprocess.run([*prefix, "apt-get", "update"], check=True, env=env)
    subprocess.run([*prefix, "apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                   check=True, env=env)
    if not os.access(chromium_path(), os.X_OK):
        die("apt-get installed chromium, but no chromium executable is found")
    return chromium_path()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_cluster(bindir):
    """Start a fresh, fast, loopback-only cluster in a temp folder; yield (major version, port)."""
    out = subprocess.run([str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True,
                         check=True).stdout  # "pg_ctl (PostgreSQL) 15.18 (Debian ...)"
    version = re.search(r"\)\s*(\d+)", out).group(1)
    as_root = os.geteuid() == 0
    if as_root:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                            "--shell", "/usr/sbin/nologin", "postgres"], check=True)
            pw = pwd.getpwnam("postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    tmp = Path(tempfile.mkdtemp(prefix="tessera-pg-"))
    data, log = tmp / "data", tmp / "server.log"

    def pg(tool, *args, **kwargs):  # own session: a Ctrl-C in the terminal never hits the server
        return subprocess.run([*prefix, str(bindir / tool), *map(str, args)], cwd=tmp,
                              start_new_session=True, capture_output=True, text=True, **kwargs)

    try:
        if as_root:
            os.chown(tmp, pw.pw_uid, pw.pw_gid)
        init = pg("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        if init.returncode:
            die(f"initdb failed:\n{init.stdout}{init.stderr}")
        port = free_port()
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(PG_CONF.format(port=port, sockdir=tmp))
        start = pg("pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start")
        if start.returncode:
            die(f"pg_ctl start failed:\n{start.stdout}{start.stderr}"
                + (log.read_text() if log.exists() else ""))
        yield version, port
    finally:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        try:
            if (data / "postmaster.pid").exists():
                if pg("pg_ctl", "-D", data, "-m", "fast", "-w", "stop").returncode:
                    pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
            shutil.rmtree(tmp, ignore_errors=True)
        finally:
            signal.signal(signal.SIGINT, old)


def run_pytest(banner, backend, pytest_args, pg_uri=None):
    say(f"\n== {banner} ==")
    env = {k: v for k, v in os.environ.items() if k != "TESSERA_TEST_PG_URI"}
    env["TESSERA_TEST_DB"] = backend
    if pg_uri:
        env["TESSERA_TEST_PG_URI"] = pg_uri
    started = time.monotonic()
    rc = run_child([str(VENV_PY), "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
    return rc, time.monotonic() - started


def cmd_test(args):
    backends = ["sqlite", "postgresql"]
    if "--sqlite-only" in args and "--pg-only" in args:
        die("--sqlite-only and --pg-only exclude each other")
    if "--sqlite-only" in args:
        backends = ["sqlite"]
    elif "--pg-only" in args:
        backends = ["postgresql"]
    pytest_args = [a for a in args if a not in ("--sqlite-only", "--pg-only")]
    serial = any(a in ("-x", "--exitfirst", "--pdb") or re.match(r"-n|--numprocesses", a)
                 for a in pytest_args)
    if not serial:
        pytest_args = ["-n", "2", *pytest_args]
    bootstrap(extras=("test",))
    ensure_chromium()
    bindir = (find_pg_bindir() or install_postgresql()) if "postgresql" in backends else None
    results = {}
    if "sqlite" in backends:
        results["sqlite"] = run_pytest("tests on sqlite", "sqlite", pytest_args)
    if "postgresql" in backends:
        with postgres_cluster(bindir) as (version, port):
            uri = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
            banner = f"tests on postgresql {version} (port {port})"
            results["postgresql"] = run_pytest(banner, "postgresql", pytest_args, pg_uri=uri)
    say("")
    for backend, (rc, seconds) in results.items():
        verdict = "ok" if rc == 0 else "FAILED" + (" (no tests collected)" if rc == 5 else "")
        say(f"== {backend}: {verdict}, pytest exit code {rc}, {seconds:.1f}s ==")
    return 0 if all(rc == 0 for rc, _ in results.values()) else 1


BENCHES = ("orm", "install", "web", "rpc", "analysis", "crm")


def cmd_bench(args):
    bootstrap()
    script = "orm"
    if args and args[0] in BENCHES:
        script, args = args[0], args[1:]
    argv = [str(VENV_PY), f"bench/{script}.py", *[a for a in args if a != "--pg"]]
    if "--pg" not in args:
        return run_child(argv, cwd=ROOT)
    bindir = find_pg_bindir() or install_postgresql()
    with postgres_cluster(bindir) as (version, port):
        # stdout carries only the JSON lines of the benchmark
        print(f"== bench on postgresql {version} (port {port}) ==", file=sys.stderr, flush=True)
        uri = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        return run_child([*argv, "--pg-admin-uri", uri], cwd=ROOT)


def main(argv):
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    commands = {"bootstrap": lambda args: bootstrap(extras=("test",)), "serve": cmd_serve,
                "test": cmd_test, "bench": cmd_bench}
    if not argv or argv[0] not in commands:
        say(__doc__)
        return 2
    try:
        return commands[argv[0]](argv[1:]) or 0
    except subprocess.CalledProcessError as exc:
        say(f"dev.py: command failed with exit code {exc.returncode}: {' '.join(map(str, exc.cmd))}")
        return 1
    except KeyboardInterrupt:
        say("\ndev.py: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
