"""``server.py mailgate`` (an MTA pipe) and ``server.py mail-retry``, run as real processes
against the committed database of the test."""
import os
import subprocess
import sys

import pytest

from .conftest import TEST_ADDONS
from .messages import compose, gateway, load  # noqa: F401 (gateway: fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TICKET = "test.mail.ticket"


@pytest.fixture
def server(gateway, mail_db_uri, tmp_path):
    """``server(*args, stdin=b"")``: run server.py on the test's database; (code, stdout, stderr)."""
    def run(*args, stdin=b""):
        process = subprocess.run(
            [sys.executable, os.path.join(ROOT, "server.py"), *args, "--db-uri", mail_db_uri,
             "--addons-path", TEST_ADDONS, "--data-dir", str(tmp_path / "data")],
            cwd=ROOT, input=stdin, capture_output=True, timeout=120)
        return process.returncode, process.stdout.decode(), process.stderr.decode()
    return run


def test_mailgate_creates_a_ticket_and_threads_the_reply(gateway, server):
    gateway.alias("support", "{'stage': 'open'}")
    code, out, err = server("mailgate", stdin=load("multipart_alternative"))
    assert code == 0, err
    assert "processed" in out and TICKET in out
    ticket_id = gateway.run(lambda env: env[TICKET].search([("name", "=", "Printer on floor 3 is jammed")]).id)
    assert ticket_id and gateway.run(lambda env: env[TICKET].browse(ticket_id).stage) == "open"
    ours = gateway.run(lambda env: env[TICKET].browse(ticket_id).message_post(
        body="Looking.", message_type="comment", subtype_xmlid="mail.mt_comment").message_id)
    reply = compose("Re: Printer on floor 3 is jammed", "Thanks", "anna.becker@example.com",
                    message_id="<gate-reply@example.com>", in_reply_to=ours)
    code, out, err = server("mailgate", stdin=reply)
    assert code == 0, err
    assert f"{TICKET} {ticket_id}" in out
    assert gateway.count(TICKET) == 1
    row = gateway.run(lambda env: env["mail.inbox"].search([], limit=1).read(["source", "route"])[0])
    assert (row["source"], row["route"]) == ("mailgate", "in-reply-to")


def test_mailgate_keeps_what_it_cannot_process_and_mail_retry_runs_it_again(gateway, server):
    # no alias: the message is stored, fails, and the MTA is told all is well (exit 0)
    code, out, err = server("mailgate", stdin=load("html_only"))
    assert code == 0 and "failed" in out
    assert "No record or alias matches" in err and "mail-retry" in err
    code, out, err = server("mailgate", stdin=load("broken_mime"))
    assert code == 0 and "failed" in out and "NoBoundaryInMultipartDefect" in err
    assert gateway.count("mail.inbox", [("status", "=", "failed")]) == 2
    gateway.alias("support")
    code, out, err = server("mail-retry", "--all")
    assert code == 1, err                       # the broken one still fails
    assert "1 failed, 1 processed" in out
    assert gateway.count(TICKET) == 1
    assert server("mail-retry")[0] == 2         # neither ids nor --all


def test_mailgate_fallback_model_and_empty_input(gateway, server):
    code, out, err = server("mailgate", "--model", TICKET, stdin=load("cp1252_mislabelled"))
    assert code == 0, err
    assert gateway.run(lambda env: env[TICKET].search([]).name) == "Price question"
    code, out, err = server("mailgate", stdin=b"  \n")
    assert code == 65 and "no message" in err
    assert gateway.count("mail.inbox") == 1
