"""The mail addon inside the real server process: its SMTP listener starts with the
server (``smtp_listen_port``), and its commands never create a database."""
import json
import os
import smtplib
import subprocess
import sys
import time
import urllib.request
from email.message import EmailMessage

from core.api import SUPERUSER_ID, Environment
from core.modules import ModuleManager

from .conftest import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def wait_for_health(process, port, deadline=120):
    end = time.time() + deadline
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            if time.time() > end or process.poll() is not None:
                raise AssertionError(process.stdout.read().decode() if process.poll() is not None
                                     else "the server did not answer")
            time.sleep(0.3)


def test_the_server_listens_for_mail_when_configured(tmp_path):
    http_port, smtp_port = free_port(), free_port()
    env = dict(os.environ, TESSERA_SMTP_LISTEN_PORT=str(smtp_port), TESSERA_MAX_CRON_THREADS="0")
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "server.py"), "-d", "mailsrv", "--data-dir", str(tmp_path),
         "-i", "mail", "--without-demo", "--admin-password", "x-secret-1", "--http-port", str(http_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert wait_for_health(process, http_port) == {"status": "pass"}
        message = EmailMessage()
        message["From"] = "Kunde <kunde@example.com>"
        message["To"] = "info@example.com"
        message["Subject"] = "Angebot für Stühle"
        message["Message-ID"] = "<listener-test-1@example.com>"
        message.set_content("Guten Tag")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
            refused = smtp.send_message(message)
        assert refused == {}
    finally:
        process.terminate()
        process.wait(timeout=20)
    manager = ModuleManager(f"sqlite:///{tmp_path}/mailsrv.sqlite3", data_dir=str(tmp_path))
    try:
        with manager.open().cursor() as cr:
            rows = Environment(cr, SUPERUSER_ID, {})["mail.inbox"].search(
                [("message_id", "=", "<listener-test-1@example.com>")])
            assert len(rows) == 1 and rows.source == "smtp" and rows.subject == "Angebot für Stühle"
    finally:
        manager.engine.dispose()


def test_mailgate_refuses_a_missing_database_and_creates_none(tmp_path):
    process = subprocess.run(
        [sys.executable, os.path.join(ROOT, "server.py"), "mailgate", "-d", "misspelt", "--data-dir", str(tmp_path)],
        cwd=ROOT, input=b"Subject: hello\n\nbody\n", capture_output=True, timeout=120)
    assert process.returncode == 75, process.stderr
    assert b"does not exist" in process.stderr
    assert not (tmp_path / "misspelt.sqlite3").exists()
