"""Fetching mailboxes: poplib and imaplib against small real POP3 and IMAP servers written
here (no POP3 or IMAP server package is available to the tests), over loopback sockets.

The POP3 server speaks the part of RFC 1939 that the fetch loop uses (USER, PASS, STAT,
RETR, DELE, QUIT) and, as real servers do, deletes only at QUIT; the IMAP one the part
of IMAP4rev1 it uses (see ``ImapHandler``).
"""
import socketserver
import threading

import pytest

from core.exceptions import UserError

from .messages import compose, gateway, load  # noqa: F401 (gateway: fixture)

TICKET = "test.mail.ticket"


class Pop3Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write(line + b"\r\n")

    def handle(self):
        box = self.server.mailbox
        deleted = set()
        self.send(b"+OK test POP3 server ready")
        user = None
        for line in self.rfile:
            command, _sp, argument = line.strip().partition(b" ")
            command = command.upper()
            if command == b"USER":
                user = argument
                self.send(b"+OK")
            elif command == b"PASS":
                if (user, argument) != (b"tessera", b"secret"):
                    self.send(b"-ERR invalid login")
                    continue
                self.send(b"+OK logged in")
            elif command == b"STAT":
                self.send(b"+OK %d %d" % (len(box), sum(len(m) for m in box)))
            elif command == b"RETR":
                data = box[int(argument) - 1].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                self.send(b"+OK %d octets" % len(data))
                for body_line in data.split(b"\r\n")[:-1] if data.endswith(b"\r\n") else data.split(b"\r\n"):
                    self.send(b"." + body_line if body_line.startswith(b".") else body_line)
                self.send(b".")
            elif command == b"DELE":
                deleted.add(int(argument) - 1)
                self.send(b"+OK deleted")
            elif command == b"QUIT":
                box[:] = [m for i, m in enumerate(box) if i not in deleted]
                self.send(b"+OK bye")
                return
            else:
                self.send(b"-ERR unknown command")


@pytest.fixture
def pop3():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Pop3Handler)
    server.daemon_threads = True
    server.mailbox = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _mailbox(gateway, pop3, password="secret"):
    return gateway.run(lambda env: env["fetchmail.server"].create({
        "name": "Support box", "server_type": "pop3", "server": "127.0.0.1",
        "port": pop3.server_address[1], "is_ssl": False, "user": "tessera", "password": password,
        "model_id": env["ir.model"].search([("model", "=", TICKET)]).id}).id)


def test_fetch_stores_processes_and_deletes_after_the_commit(gateway, pop3):
    gateway.alias("support")
    pop3.mailbox.extend([load("html_only"), load("german_subject"),
                         compose(".leading dot", ".a line starting with a dot", to="nobody@tessera.test")])
    server_id = _mailbox(gateway, pop3)
    assert gateway.run(lambda env: env["fetchmail.server"].browse(server_id).fetch_mail()) == 3
    assert pop3.mailbox == []
    rows = gateway.run(lambda env: env["mail.inbox"].search([], order="id").read(
        ["status", "source", "fetchmail_server_id", "route", "error"]))
    assert [(r["status"], r["source"]) for r in rows] == [("processed", "pop3")] * 3, rows
    assert [r["route"] for r in rows] == ["alias", "alias", "fallback model"]
    assert gateway.count(TICKET) == 3
    names = gateway.run(lambda env: env[TICKET].search([], order="id").mapped("name"))
    assert names[1] == "Grüße aus München- Straße" and names[2] == ".leading dot"
    body = gateway.run(lambda env: str(env["mail.message"].search(
        [("model", "=", TICKET), ("message_type", "=", "email")], order="id desc", limit=1).body))
    assert ".a line starting with a dot" in body
    server = gateway.run(lambda env: env["fetchmail.server"].browse(server_id).read(
        ["date", "error", "message_count"])[0])
    assert server["date"] and not server["error"] and server["message_count"] == 3


def test_messages_stay_on_the_server_when_the_transaction_fails(gateway, pop3):
    gateway.alias("support")
    pop3.mailbox.append(load("html_only"))
    server_id = _mailbox(gateway, pop3)
    with gateway.registry.cursor() as cr:
        from core.api import SUPERUSER_ID, Environment
        env = Environment(cr, SUPERUSER_ID, {})
        assert env["fetchmail.server"].browse(server_id).fetch_mail() == 1
        cr.rollback()
    assert len(pop3.mailbox) == 1 and gateway.count("mail.inbox") == 0
    # the scheduled action fetches it again
    cron = gateway.run(lambda env: env.ref("mail.ir_cron_mail_gateway_fetch").read(
        ["interval_number", "interval_type", "active"])[0])
    assert (cron["interval_number"], cron["interval_type"], cron["active"]) == (5, "minutes", True)
    gateway.run(lambda env: env.ref("mail.ir_cron_mail_gateway_fetch").method_direct_trigger())
    assert pop3.mailbox == [] and gateway.count(TICKET) == 1


def test_login_failure_is_shown_on_the_server_and_by_the_test_button(gateway, pop3):
    pop3.mailbox.append(load("html_only"))
    server_id = _mailbox(gateway, pop3, password="wrong")
    assert gateway.run(lambda env: env["fetchmail.server"].browse(server_id).fetch_mail()) == 0
    error = gateway.run(lambda env: env["fetchmail.server"].browse(server_id).error)
    assert "invalid login" in error
    assert len(pop3.mailbox) == 1 and gateway.count("mail.inbox") == 0

    def test_button(env):
        with pytest.raises(UserError, match="invalid login"):
            env["fetchmail.server"].browse(server_id).button_confirm_login()
    gateway.run(test_button)
    gateway.run(lambda env: env["fetchmail.server"].browse(server_id).write({"password": "secret"}))
    assert gateway.run(lambda env: env["fetchmail.server"].browse(server_id).button_confirm_login()) is True


# ---------------------------------------------------------------- IMAP
class ImapHandler(socketserver.StreamRequestHandler):
    """The part of IMAP4rev1 that imaplib's fetch loop uses: CAPABILITY, LOGIN, SELECT,
    UID SEARCH / FETCH / STORE, EXPUNGE, LOGOUT; messages by UID in ``server.mailbox``."""

    def send(self, line):
        self.wfile.write(line + b"\r\n")

    def handle(self):
        box = self.server.mailbox          # {uid: bytes}
        flagged = set()
        self.send(b"* OK test IMAP server ready")
        for line in self.rfile:
            tag, _sp, rest = line.strip().partition(b" ")
            command, _sp, argument = rest.partition(b" ")
            command = command.upper()
            if command == b"UID":
                command, _sp, argument = argument.partition(b" ")
                command = b"UID " + command.upper()
            if command == b"CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif command == b"LOGIN":
                if [word.strip(b"\"") for word in argument.split()] != [b"tessera", b"secret"]:
                    self.send(tag + b" NO invalid login")
                    continue
            elif command == b"SELECT":
                self.send(b"* %d EXISTS" % len(box))
            elif command == b"UID SEARCH":
                self.send(b"* SEARCH " + b" ".join(str(uid).encode() for uid in sorted(box)))
            elif command == b"UID FETCH":
                uid = int(argument.split()[0])
                data = box[uid].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                self.wfile.write(b"* 1 FETCH (UID %d RFC822 {%d}\r\n" % (uid, len(data)) + data + b")\r\n")
            elif command == b"UID STORE":
                flagged.add(int(argument.split()[0]))
            elif command == b"EXPUNGE":
                for uid in flagged:
                    box.pop(uid, None)
            elif command == b"LOGOUT":
                self.send(b"* BYE")
                self.send(tag + b" OK LOGOUT completed")
                return
            else:
                self.send(tag + b" BAD unknown command")
                continue
            self.send(tag + b" OK " + command + b" completed")


def test_imap_fetch_stores_then_deletes_after_the_commit(gateway):
    gateway.alias("support")
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), ImapHandler)
    server.daemon_threads = True
    server.mailbox = {7: load("multipart_alternative"), 9: load("attachments")}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        server_id = gateway.run(lambda env: env["fetchmail.server"].create({
            "name": "IMAP box", "server_type": "imap", "server": "127.0.0.1", "port": server.server_address[1],
            "is_ssl": False, "user": "tessera", "password": "secret"}).id)
        assert gateway.run(lambda env: env["fetchmail.server"].browse(server_id).fetch_mail()) == 2
        assert server.mailbox == {}
        rows = gateway.run(lambda env: env["mail.inbox"].search([], order="id").read(["status", "source"]))
        assert [(r["status"], r["source"]) for r in rows] == [("processed", "imap")] * 2
        assert gateway.count("ir.attachment", [("res_model", "=", TICKET), ("name", "=", "invoice 42.pdf")]) == 1
    finally:
        server.shutdown()
        server.server_close()
