"""Reading one raw RFC 5322 message into the ``msg_dict`` the routing and the models use.

Everything here is pure: bytes in, a dict out, no database.  The standard ``email``
package (``policy.default``) does the MIME work; this module adds what real mail
needs on top of it:

- text whose declared charset lies: a part labelled ``iso-8859-1`` or ``us-ascii``
  that holds bytes 0x80–0x9F (which are control codes there, but quotes and the euro
  sign in Windows-1252), or ``utf-8`` that does not decode, is read as Windows-1252;
- header values that do not parse (or carry raw 8-bit bytes) fall back to the raw
  text, decoded the same forgiving way, instead of failing the whole message;
- the body is the HTML part, sanitised, or the text part turned into HTML; the other
  parts become attachments: files, inline images (with their Content-ID) and
  forwarded messages (``message/rfc822``, kept whole as an ``.eml`` file).

A message whose MIME structure cannot be read (a multipart without its boundary)
raises :class:`BrokenMessage`: the inbox keeps it, marked failed, for a person to
look at.
"""
import email
import email.errors
import email.header
import email.message
import email.policy
import email.utils
import html
import re
from datetime import timezone

from addons.web.html_sanitize import sanitize_html

#: defects after which the parts of a message cannot be trusted to be what was sent
FATAL_DEFECTS = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
)
_LABELS_OF_CP1252 = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii", "iso-8859-15"}
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|tr|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class BrokenMessage(ValueError):
    """The raw bytes are not a message this gateway can read; the text says why."""


# ------------------------------------------------------------------ text and headers
def decode_text(data, charset=None):
    """``data`` (bytes) as text, in its declared ``charset`` unless that cannot be right.

    Windows-1252 is what mislabelled mail nearly always is: used for latin-1 and ASCII
    labels that carry C1 bytes, for UTF-8 that does not decode, and for unknown charsets
    that UTF-8 does not read either.
    """
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    label = (charset or "us-ascii").strip().strip('"').lower()
    if label in _LABELS_OF_CP1252:
        if _C1_BYTES.search(data) or (label in ("us-ascii", "ascii") and not data.isascii()):
            return data.decode("cp1252", errors="replace")
        return data.decode("iso-8859-1" if label not in ("iso-8859-15",) else "iso-8859-15")
    try:
        return data.decode(label)
    except LookupError:
        pass            # a charset Python does not know: try what it most likely is
    except UnicodeDecodeError:
        if label not in ("utf-8", "utf8"):
            return data.decode(label, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _raw_header(message, name):
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return value
    return None


def header(message, name):
    """The decoded value of header ``name`` ('' when missing); never raises on bad headers."""
    try:
        value = message.get(name)
    except Exception:       # the header parser has its bugs: keep the raw text then
        value = None
        raw = _raw_header(message, name)
        if raw is not None:
            value = _decode_raw_header(raw)
    if value is None:
        return ""
    text = str(value)
    if any("\udc80" <= c <= "\udcff" for c in text):
        # undecoded 8-bit bytes (surrogate escapes): decode them ourselves
        text = decode_text(text.encode("utf-8", "surrogateescape"), "utf-8")
    return " ".join(text.split())


def _decode_raw_header(raw):
    try:
        parts = email.header.decode_header(raw)
    except Exception:
        return raw
    return "".join(decode_text(chunk, charset) if isinstance(chunk, bytes) else chunk
                   for chunk, charset in parts)


def bare_address(text):
    """The one address in ``text``, lowercased ('' when there is none)."""
    addresses = [address for _name, address in email.utils.getaddresses([text or ""]) if "@" in address]
    return addresses[0].lower() if addresses else ""


def addresses(text):
    """Every bare address in ``text``, lowercased, in order."""
    return [address.lower() for _name, address in email.utils.getaddresses([text or ""]) if "@" in address]


def message_ids(text):
    """The ``<...>`` identifiers in a References / In-Reply-To value, in order."""
    found = re.findall(r"<[^<>\s]+>", text or "")
    if not found and (text or "").strip():
        found = [f"<{token.strip('<>')}>" for token in text.split() if "@" in token]
    return found


def normalize_subject(subject):
    """The subject without its reply and forward prefixes (Re:, Fwd:, AW:, WG:, …), lowercased."""
    return " ".join(_REPLY_PREFIX.sub("", subject or "").split()).lower()


def _date(message):
    value = header(message, "Date")
    try:
        moment = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


# ------------------------------------------------------------------ parts
def _payload_text(part):
    data = part.get_payload(decode=True)
    return decode_text(data, part.get_content_charset())


def _walk(part):
    """Every leaf part of ``part``, with forwarded messages as leaves (never opened)."""
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        for child in part.get_payload():
            yield from _walk(child)
    else:
        yield part


def _filename(part):
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        return " ".join(str(name).split()).replace("/", "_").replace("\\", "_")
    return None


def _body_parts(message):
    """The part chosen as body, and the parts that are other versions of it (not attachments)."""
    try:
        body = message.get_body(preferencelist=("html", "plain"))
    except Exception:
        body = None
    if body is None:
        return None, set()
    alternatives = {id(body)}
    # the other versions of the body (text next to html) are not attachments
    for part in message.walk():
        if part.get_content_type() == "multipart/alternative" and any(p is body for p in _walk(part)):
            alternatives.update(id(p) for p in _walk(part) if p.get_content_maintype() == "text"
                                and not _filename(p))
    return body, alternatives


def text_to_html(text):
    """Plain text as HTML paragraphs, line breaks kept, URLs as plain text."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return "".join("<p>%s</p>" % html.escape(p).replace("\n", "<br>") for p in paragraphs if p.strip())


def _html_content(text):
    """The inside of ``<body>`` of a whole HTML document (fragments pass unchanged)."""
    match = re.search(r"<body[^>]*>(.*?)(</body\s*>|$)", text, re.IGNORECASE | re.DOTALL)
    return match.group(1) if match else text


def _part_body(part):
    text = _payload_text(part)
    if part.get_content_subtype() == "html":
        return str(sanitize_html(_html_content(text)))
    return text_to_html(text)


def _attachment(part, index):
    ctype = part.get_content_type()
    cid = (header(part, "Content-ID") or "").strip().strip("<>") or None
    name = _filename(part)
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        content = inner.as_bytes(policy=email.policy.SMTP.clone(linesep="\r\n")) \
            if hasattr(inner, "as_bytes") else bytes(part.get_payload(decode=True) or b"")
        if not name:
            subject = header(inner, "Subject") if hasattr(inner, "get") else ""
            name = (re.sub(r"[^\w\- .]+", "_", subject).strip() or "forwarded") + ".eml"
        return name, content, {"mimetype": "message/rfc822", "cid": cid}
    content = part.get_payload(decode=True)
    if content is None:     # other message/* parts: their text as received
        payload = part.get_payload()
        content = b"".join(p.as_bytes() for p in payload) if isinstance(payload, list) \
            else str(payload or "").encode("utf-8", "surrogateescape")
    if not name:
        extension = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
                     "text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics",
                     "application/pdf": ".pdf"}.get(ctype, ".bin")
        name = (cid.split("@")[0] if cid else f"part-{index}") + extension
    return name, content, {"mimetype": ctype, "cid": cid}


# ------------------------------------------------------------------ the message
def read_message(raw):
    """``raw`` bytes as an ``EmailMessage``; :class:`BrokenMessage` if it is not one."""
    if not isinstance(raw, (bytes, bytearray)):
        raise BrokenMessage(f"a raw message must be bytes, got {type(raw).__name__}")
    if not raw.strip():
        raise BrokenMessage("the message is empty")
    message = email.message_from_bytes(bytes(raw), policy=email.policy.default)
    if not any(True for _ in message.raw_items()):
        raise BrokenMessage("the message has no header (is it an RFC 5322 message?)")
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, FATAL_DEFECTS):
                raise BrokenMessage(
                    f"broken MIME structure in the {part.get_content_type()} part: "
                    f"{type(defect).__name__} ({defect.__doc__.strip().splitlines()[0]})")
    return message


def parse(raw):
    """The ``msg_dict`` of ``raw`` (bytes, or a message from :func:`read_message`; see the
    module docstring); :class:`BrokenMessage` if unreadable.

    ``author_id`` and ``parent_id`` are left False: finding them needs the database.
    """
    message = raw if isinstance(raw, email.message.Message) else read_message(raw)
    body_part, alternatives = _body_parts(message)
    body = _part_body(body_part) if body_part is not None else ""
    attachments = []
    for index, part in enumerate(_walk(message), start=1):
        if id(part) in alternatives:
            continue
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "text" and part.get_content_type() in ("text/plain", "text/html") \
                and disposition != "attachment" and not _filename(part):
            body += _part_body(part)    # more text shown inline by a mail client
            continue
        try:
            attachments.append(_attachment(part, index))
        except Exception as exc:        # an undecodable part must not hide the others
            raise BrokenMessage(f"part {index} ({part.get_content_type()}) cannot be decoded: {exc}") from exc
    email_from = header(message, "From") or header(message, "Sender") or header(message, "Return-Path")
    return {
        "subject": header(message, "Subject"),
        "body": body,
        "email_from": email_from,
        "from_address": bare_address(email_from),
        "to": header(message, "To"),
        "cc": header(message, "Cc"),
        "delivered_to": header(message, "Delivered-To"),
        "message_id": (message_ids(header(message, "Message-ID")) or [""])[0],
        "in_reply_to": " ".join(message_ids(header(message, "In-Reply-To"))),
        "references": " ".join(message_ids(header(message, "References"))),
        "date": _date(message),
        "author_id": False,
        "attachments": attachments,
        "parent_id": False,
        "message_type": "email",
        "is_bounce": False,
        "is_auto": False,
    }
