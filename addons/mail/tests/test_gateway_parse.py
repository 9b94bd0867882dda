"""Reading raw messages (gateway/parse.py) and recognising bounces and auto-replies
(gateway/detect.py): pure functions, no database."""
import pytest

from addons.mail.gateway import detect, parse

from .messages import compose, load


@pytest.mark.parametrize("data, charset, expected", [
    (b"caf\xc3\xa9", "utf-8", "café"),
    (b"caf\xe9", "iso-8859-1", "café"),
    (b"\x93quoted\x94 \x80", "iso-8859-1", "“quoted” €"),      # C1 bytes: Windows-1252 really
    (b"\x93quoted\x94", "us-ascii", "“quoted”"),
    (b"caf\xe9 \x80", "utf-8", "café €"),                        # not UTF-8 at all
    (b"caf\xc3\xa9", "x-unknown-charset", "café"),
    (b"caf\xe9", None, "café"),
    (b"\xe4\xb8\xad", "utf-8", "中"),
])
def test_decode_text_grid(data, charset, expected):
    assert parse.decode_text(data, charset) == expected


@pytest.mark.parametrize("subject, expected", [
    ("Re: Printer", "printer"),
    ("AW: WG: RE: Fwd: Printer  jammed", "printer jammed"),
    ("Re[2]: Printer", "printer"),
    ("Printer: broken", "printer: broken"),
    ("", ""),
])
def test_normalize_subject(subject, expected):
    assert parse.normalize_subject(subject) == expected


def test_message_ids_and_addresses():
    assert parse.message_ids("<a@x> <b@y>\r\n <c@z>") == ["<a@x>", "<b@y>", "<c@z>"]
    assert parse.message_ids("bare@id") == ["<bare@id>"]
    assert parse.addresses('"Doe, J" <J.Doe@X.org>, b@y.org') == ["j.doe@x.org", "b@y.org"]


def test_raw_8bit_headers_are_decoded():
    raw = b"From: J\xc3\xbcrgen <j@example.de>\r\nSubject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nbody\r\n"
    msg = parse.parse(raw)
    assert msg["subject"] == "Grüße" and msg["from_address"] == "j@example.de"


def test_text_body_becomes_escaped_html():
    msg = parse.parse(compose("x", "a <b> & c\nnext line\n\nsecond paragraph"))
    assert msg["body"] == "<p>a &lt;b&gt; &amp; c<br>next line</p><p>second paragraph</p>"


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    (b"just some text without any header\r\n", "no header"),
    (load("broken_mime"), "NoBoundaryInMultipartDefect"),
])
def test_unreadable_messages_raise_broken_message(raw, reason):
    with pytest.raises(parse.BrokenMessage, match=reason):
        parse.parse(raw)


def test_detection():
    bounce, auto = (parse.read_message(load(name)) for name in ("bounce", "auto_reply"))
    assert detect.is_bounce(bounce) and not detect.is_auto_reply(parse.read_message(load("html_only")))
    assert detect.is_auto_reply(auto) and not detect.is_bounce(auto)
    plain = parse.read_message(compose("x", "y", "a@example.com"))
    assert not detect.is_bounce(plain) and detect.is_bounce(plain, envelope_from="")
    assert not detect.is_bounce(plain, envelope_from="a@example.com")
    for headers in ({"Auto-Submitted": "auto-generated"}, {"Precedence": "junk"}, {"X-Autorespond": "1"}):
        assert detect.is_auto_reply(parse.read_message(compose("x", "y", headers=headers))), headers
    assert not detect.is_auto_reply(parse.read_message(compose("x", "y", headers={"Auto-Submitted": "no"})))
    assert detect.is_bounce(parse.read_message(compose("x", "y", "MAILER-DAEMON@mx.example")))
