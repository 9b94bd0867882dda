"""The server command and its configuration precedence, through a real process."""
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


def test_precedence_flags_over_environment_over_file(tmp_path):
    conf = tmp_path / "odoo.conf"
    conf.write_text("[options]\nhttp_port = 9000\ndb_name = fromfile\nlog_level = warning\n")
    config = config_module.load(str(conf), {"db_name": "fromflag"}, {"TESSERA_HTTP_PORT": "9100"})
    assert (config.db_name, config.http_port, config.log_level) == ("fromflag", 9100, "warning")


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


def test_server_creates_sqlite_database_and_serves(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py"), "-d", "demo", "--data-dir", str(tmp_path),
         "--http-port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2) as response:
                    info = json.loads(response.read())
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise AssertionError(process.stdout.read().decode() if process.poll() is not None
                                         else "server did not answer")
                time.sleep(0.2)
        assert info["database"] == "demo" and info["dialect"] == "sqlite"
        assert (tmp_path / "demo.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
