"""Command-line entry points of the mail gateway (``server.py COMMAND -d DB ...``).

- ``mailgate [--model M]``: one RFC 5322 message on standard input, for an MTA pipe
  (e.g. Postfix ``mailbox_command`` or an alias ``"|server.py mailgate -d db"``).
  Exit 0 once the message is stored, even when processing it failed (the inbox keeps
  it; an MTA must not bounce what we have); 75 (EX_TEMPFAIL: the MTA tries again
  later) when it could not be stored; 65 (EX_DATAERR) for empty input.
- ``mail-listen [--interface IP] [--port N]``: the inbound SMTP listener in the
  foreground until SIGTERM or Ctrl-C (defaults: ``smtp_listen_interface`` /
  ``smtp_listen_port`` of the configuration).
- ``mail-retry (--all | ID...)``: process failed inbox rows again (``--all``: every
  failed one, and new ones a crash left behind); exit 1 if some still fail.
- ``mail-fetch``: fetch every active incoming mail server now.
"""
import argparse
import logging
import signal
import sys
import threading

_logger = logging.getLogger(__name__)

EX_DATAERR, EX_TEMPFAIL = 65, 75


def add_commands(subparsers):
    mailgate = subparsers.add_parser("mailgate", help="store and process one message read on standard input")
    mailgate.add_argument("--model", help="model of the new record when no route matches (e.g. crm.lead)")
    mailgate.set_defaults(func=cmd_mailgate)

    listen = subparsers.add_parser("mail-listen", help="run the inbound SMTP listener in the foreground")
    listen.add_argument("--interface", help="address to listen on (default: smtp_listen_interface)")
    listen.add_argument("--port", type=int, help="port to listen on (default: smtp_listen_port, else 2525)")
    listen.set_defaults(func=cmd_mail_listen)

    retry = subparsers.add_parser("mail-retry", help="process failed incoming messages again")
    retry.add_argument("--all", action="store_true", help="every failed message (and new ones left behind)")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="ids of mail.inbox rows")
    retry.set_defaults(func=cmd_mail_retry)

    fetch = subparsers.add_parser("mail-fetch", help="fetch the incoming mail servers now")
    fetch.set_defaults(func=cmd_mail_fetch)


def _read_stdin():
    return sys.stdin.buffer.read()


def cmd_mailgate(env, args):
    from ..models.mail_inbox import deliver
    raw = _read_stdin()
    if not raw.strip():
        print("mailgate: error: no message on standard input", file=sys.stderr)
        return EX_DATAERR
    if args.model and args.model not in env:
        # stored all the same (the row says why it failed): the message must not be lost
        print(f"mailgate: warning: unknown model {args.model!r}", file=sys.stderr)
    try:
        result = deliver(env.registry, raw, "mailgate", model=args.model or None)
    except Exception as exc:    # not stored: the MTA must keep it and try again
        _logger.exception("mailgate: the message could not be stored")
        print(f"mailgate: error: the message could not be stored: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    where = f" → {result['res_model']} {result['res_id']}" if result["status"] == "processed" else ""
    why = f" ({result['ignored_reason']})" if result["status"] == "ignored" else ""
    print(f"mailgate: stored as mail.inbox {result['id']}: {result['status']}{why}{where}", flush=True)
    if result["status"] == "failed":
        print(f"mailgate: processing failed (server.py mail-retry {result['id']} to try again): "
              f"{(result['error'] or '').splitlines()[0] if result['error'] else ''}", file=sys.stderr)
    return 0


def cmd_mail_listen(env, args):
    from core.cli import add_config_options, load_config

    from .listener import Listener
    # the command gets the database, not the configuration: read it as server.py did
    options = argparse.ArgumentParser(add_help=False)
    add_config_options(options)
    config = load_config(options.parse_known_args(sys.argv[1:])[0])
    interface = args.interface or config.smtp_listen_interface or "127.0.0.1"
    port = args.port or config.smtp_listen_port or 2525
    registry = env.registry
    env.cr.rollback()       # nothing to do in the command's own transaction: hold no snapshot
    listener = Listener(lambda: registry, interface, port).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    print(f"mail-listen: SMTP listener on {interface}:{port} (Ctrl-C to stop)", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        listener.stop()
    print("mail-listen: stopped", flush=True)
    return 0


def cmd_mail_retry(env, args):
    if not args.all and not args.ids:
        print("mail-retry: error: give inbox ids or --all", file=sys.stderr)
        return 2
    inbox = env["mail.inbox"]
    counts = inbox.retry_failed(None if args.all else args.ids)
    env.cr.commit()
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "nothing to do"
    print(f"mail-retry: {summary}", flush=True)
    return 1 if counts.get("failed") else 0


def cmd_mail_fetch(env, args):
    count = env["fetchmail.server"]._fetch_mails()
    env.cr.commit()
    print(f"mail-fetch: {count} message(s) read", flush=True)
    return 0
