"""Addresses and identifiers shared by the outgoing and the incoming side of mail.

- :func:`make_message_id` gives every message sent or stored an RFC 5322 Message-ID.
- :func:`reply_address` gives the Reply-To of mail about one record: the catchall
  alias with the record and a signature in its "+tag", so that a reply finds its
  record even when the mail client drops In-Reply-To and References.
  :func:`parse_reply_address` reads it back and checks the signature, so that nobody
  can post on a record by guessing its id.

The catchall alias and domain are the system parameters ``mail.catchall.alias``
(default ``catchall``) and ``mail.catchall.domain`` (no default: without a domain
there is no reply address and replies are threaded by their headers only).
"""
import hashlib
import hmac
import re
import socket
import time
import uuid

TOKEN_LENGTH = 12
_HOST = socket.gethostname() or "localhost"     # never getfqdn(): it may wait on DNS
_TAG = re.compile(r"^(?P<model>[a-z][a-z0-9_.]*)-(?P<res_id>[0-9]+)-(?P<token>[0-9a-f]{%d})$" % TOKEN_LENGTH)


def _params(env):
    return env["ir.config_parameter"].sudo()


def catchall(env):
    """``(alias, domain)`` of the catchall address; the domain is None when not configured."""
    params = _params(env)
    return (params.get_param("mail.catchall.alias") or "catchall",
            params.get_param("mail.catchall.domain") or None)


def thread_token(env, model, res_id):
    """The signature of record ``model``/``res_id`` in reply addresses (hex, 12 digits)."""
    secret = (_params(env).get_param("database.secret") or "").encode()
    digest = hmac.new(secret, f"mail-thread:{model}:{int(res_id)}".encode(), hashlib.sha256)
    return digest.hexdigest()[:TOKEN_LENGTH]


def reply_address(env, model, res_id):
    """``catchall+<model>-<id>-<token>@<domain>``, or None without a catchall domain."""
    alias, domain = catchall(env)
    if not domain or not model or not res_id:
        return None
    return f"{alias}+{model}-{int(res_id)}-{thread_token(env, model, res_id)}@{domain}"


def parse_reply_address(env, address):
    """``(model, res_id)`` named by a reply address made by :func:`reply_address`, else None.

    ``address`` is a bare address (``local@domain``); the signature must match.
    """
    local = (address or "").rsplit("@", 1)[0].lower()
    if "+" not in local:
        return None
    tag = local.split("+", 1)[1]
    match = _TAG.match(tag)
    if not match:
        return None
    model, res_id = match["model"], int(match["res_id"])
    if not hmac.compare_digest(match["token"], thread_token(env, model, res_id)):
        return None
    return model, res_id


def make_message_id(model=None, res_id=None):
    """A new, globally unique Message-ID in angle brackets.

    The record is written into it (``…-tessera-<model>-<id>@host``) for people reading
    headers; routing never trusts it, it uses stored messages and signed addresses.
    """
    unique = f"{uuid.uuid4().hex[:16]}.{time.time():.6f}"
    record = f"-tessera-{model}-{int(res_id)}" if model and res_id else "-tessera"
    return f"<{unique}{record}@{_HOST}>"
