"""Recognising mail that must never create a record nor be answered: bounces and auto-replies.

Pure header checks on an ``EmailMessage``.  The checks that need the database —
loops (too many messages from one sender) and duplicates (a Message-ID seen
before) — are the inbox's (``mail.inbox._detect_ignored``).

- A *bounce* is a delivery status report (``multipart/report``, or a
  ``message/delivery-status`` part) or mail from the null sender: an empty
  envelope sender / ``Return-Path: <>``, or ``MAILER-DAEMON`` / ``postmaster`` as the
  author.
- An *auto-reply* carries ``Auto-Submitted`` with any value but ``no`` (RFC 3834),
  ``Precedence: bulk|junk|list|auto_reply``, ``X-Autoreply`` or ``X-Autorespond``
  (any value).
"""
from .parse import bare_address, header

BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
AUTO_PRECEDENCE = ("bulk", "junk", "list", "auto_reply", "auto-reply")


def is_bounce(message, envelope_from=None):
    """True when ``message`` reports a failed delivery (see the module docstring)."""
    if message.get_content_type() == "multipart/report":
        return True
    if any(part.get_content_type() == "message/delivery-status" for part in message.walk()):
        return True
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return True
    return_path = header(message, "Return-Path")
    if return_path and return_path.replace(" ", "") == "<>":
        return True
    local = bare_address(header(message, "From")).split("@")[0]
    return local in BOUNCE_SENDERS


def is_auto_reply(message):
    """True when ``message`` was sent by a program answering mail (see the module docstring)."""
    auto_submitted = header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if header(message, "Precedence").strip().lower() in AUTO_PRECEDENCE:
        return True
    return bool(header(message, "X-Autoreply") or header(message, "X-Autorespond"))
