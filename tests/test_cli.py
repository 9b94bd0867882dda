"""The server command, its sub-commands and configuration precedence, through real processes."""
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core import config as config_module

ROOT = Path(__file__).resolve().parent.parent
TEST_ADDONS = ROOT / "tests" / "modules" / "addons"


def run(*args, input=None, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "server.py"), *args], cwd=ROOT, input=input,
                          capture_output=True, text=True, timeout=timeout)


def test_precedence_flags_over_environment_over_file(tmp_path):
    conf = tmp_path / "odoo.conf"
    conf.write_text("[options]\nhttp_port = 9000\ndb_name = fromfile\nlog_level = warning\n"
                    "without_demo = true\n")
    config = config_module.load(str(conf), {"db_name": "fromflag"}, {"TESSERA_HTTP_PORT": "9100"})
    assert (config.db_name, config.http_port, config.log_level, config.without_demo) == \
        ("fromflag", 9100, "warning", True)


def test_example_file_lists_every_option_with_its_default():
    config = config_module.load(str(ROOT / "odoo.conf.example"), {}, {})
    assert config == config_module.Config()
    text = (ROOT / "odoo.conf.example").read_text()
    for name in config_module.OPTIONS:
        assert f"\n{name} =" in text


def test_bad_configuration_is_named(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("[options]\nhttp_prot = 1\n")
    with pytest.raises(ValueError, match="unknown option 'http_prot'"):
        config_module.load(str(conf), {}, {})
    with pytest.raises(ValueError, match="TESSERA_HTTP_PORT.*whole number"):
        config_module.load(None, {}, {"TESSERA_HTTP_PORT": "eighty"})
    with pytest.raises(ValueError, match="without_demo expects true or false"):
        config_module.load(None, {}, {"TESSERA_WITHOUT_DEMO": "maybe"})


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_server_creates_the_database_with_base_and_serves(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py"), "-d", "demo", "--data-dir", str(tmp_path),
         "--http-port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2) as response:
                    info = json.loads(response.read())
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise AssertionError(process.stdout.read().decode() if process.poll() is not None
                                         else "server did not answer")
                time.sleep(0.3)
        assert info == {"status": "pass"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/login", timeout=5) as response:
            page = response.read().decode()
        assert response.status == 200 and 'name="password"' in page
        assert (tmp_path / "demo.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_without_demo_needs_an_admin_password(tmp_path):
    result = run("-d", "nodemo", "--data-dir", str(tmp_path), "--without-demo", "--stop-after-init")
    assert result.returncode != 0 and "--admin-password" in result.stderr + result.stdout
    assert not (tmp_path / "nodemo.sqlite3").exists()  # refused before anything was created
    result = run("-d", "nodemo", "--data-dir", str(tmp_path), "--without-demo",
                 "--admin-password", "s3cret!", "--stop-after-init")
    assert result.returncode == 0, result.stderr
    check = (
        "from core.modules import ModuleManager; from core.api import Environment\n"
        f"m = ModuleManager('sqlite:///{tmp_path}/nodemo.sqlite3'); r = m.open()\n"
        "with r.cursor() as cr:\n"
        "    env = Environment(cr, 1, {})\n"
        "    print(env['res.users'].authenticate('admin', 's3cret!'))\n"
        "    print(env['res.partner'].search_count([('name', '=', 'Deco Addict')]))\n")
    out = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["2", "0"], out.stderr


def test_install_upgrade_dry_run_and_uninstall_from_the_command_line(tmp_path):
    common = ["-d", "cli", "--data-dir", str(tmp_path), "--addons-path", str(TEST_ADDONS), "--stop-after-init"]
    result = run(*common, "-i", "test_library")
    assert result.returncode == 0, result.stderr
    assert "installed base" in result.stdout and "installed test_library" in result.stdout
    modules = run("modules", "-d", "cli", "--data-dir", str(tmp_path), "--addons-path", str(TEST_ADDONS))
    states = dict(line.split()[:2] for line in modules.stdout.splitlines())
    assert states["test_library"] == "installed" and states["test_library_loans"] == "uninstalled"
    assert run(*common, "-u", "test_library").returncode == 0
    counted = run("library-count", "-d", "cli", "--data-dir", str(tmp_path), "--addons-path", str(TEST_ADDONS))
    assert counted.returncode == 0 and counted.stdout.strip().endswith("3 books"), counted.stderr
    dry = run(*common, "--uninstall", "test_library", "--dry-run")
    assert dry.returncode == 0 and "model library.book: 3 records deleted, table dropped" in dry.stdout
    refused = run(*common, "--uninstall", "test_library")  # no terminal, no --yes: nothing happens
    assert refused.returncode == 1 and "--yes" in refused.stderr
    done = run(*common, "--uninstall", "test_library", "--yes")
    assert done.returncode == 0, done.stderr
    modules = run("modules", "-d", "cli", "--data-dir", str(tmp_path), "--addons-path", str(TEST_ADDONS))
    assert "test_library                 uninstalled" in modules.stdout


def test_errors_are_named_not_tracebacks(tmp_path):
    result = run("-d", "err", "--data-dir", str(tmp_path), "--stop-after-init", "-i", "no_such_addon")
    assert result.returncode == 1 and "unknown addon(s) no_such_addon" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_list_create_drop(tmp_path):
    base = ["--data-dir", str(tmp_path)]
    assert run("db", "create", "alpha", *base).returncode == 0
    assert run("db", "list", *base).stdout.split() == ["alpha"]
    assert run("db", "drop", "alpha", *base).returncode == 0
    assert run("db", "list", *base).stdout.split() == []


def test_hash_password_makes_a_master_password_the_db_service_accepts():
    from core.config import Config
    from core.db.catalog import SQLiteCatalog
    from core.exceptions import AccessDenied
    from core.rpc.db_service import DatabaseService
    result = run("hash-password", input="s3cret master\n")
    hashed = result.stdout.strip()
    assert result.returncode == 0 and hashed.startswith("$") and "s3cret" not in hashed
    service = DatabaseService(SQLiteCatalog(str(ROOT / "no-such-folder")), Config(admin_passwd=hashed))
    assert service.check_super("s3cret master") is True
    with pytest.raises(AccessDenied):
        service.check_super("s3cret")
    assert run("hash-password", input="\n").returncode == 2


def test_scaffold_writes_an_addon(tmp_path):
    result = run("scaffold", "library_extra", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "library_extra" / "__manifest__.py").exists()


def test_shell_has_a_superuser_env(tmp_path):
    result = run("shell", "-d", "sh", "--data-dir", str(tmp_path),
                 input="print('users:', env['res.users'].with_context(active_test=False).search_count([]))\n")
    assert result.returncode == 0, result.stderr
    assert "users: " in result.stdout and int(result.stdout.split("users: ")[1].split()[0]) >= 3
