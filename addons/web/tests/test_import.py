"""The CSV import pages through a real HTTP server: upload (separators, encodings, byte order
mark, size), columns guessed from English and German headers, mapping changed by the user,
the test listing every error with its line and column, the import writing every line or none,
the file kept private to its user between the steps."""
import re
import urllib.parse
from pathlib import Path

import pytest

from addons.web import csv_import

from .form_support import multipart

ADDONS = str(Path(__file__).resolve().parent / "addons")


@pytest.fixture
def server(start_web_server):
    return start_web_server(addons=("web", "test_web_import"), addons_paths=(ADDONS,))


@pytest.fixture
def action(server):
    with server.env() as env:
        return env.ref("test_web_import.action_items").id


def upload(client, base, filename, raw):
    token = client.csrf_token(f"{base}/import")
    body, content_type = multipart({"csrf_token": token}, {"file": (filename, raw)})
    return client.post(f"{base}/import", data=body, headers={"Content-Type": content_type})


def uploaded(client, base, filename, raw):
    """The path of the mapping page of an uploaded file."""
    reply = upload(client, base, filename, raw)
    assert reply.status == 303, reply.text[:3000]
    path = urllib.parse.urlsplit(reply.headers["Location"]).path
    assert re.fullmatch(rf"{re.escape(base)}/import/\d+", path)
    return path


def mapping(html):
    """The field chosen for each column of the mapping page."""
    selects = re.findall(r'<select id="o-import-map-\d+" name="map"[^>]*>(.*?)</select>', html, re.S)
    return [(re.search(r'<option value="([^"]*)" selected>', s) or [None, None])[1] for s in selects]


def submit(client, path, maps, action, **options):
    token = client.csrf_token(path)
    data = [("csrf_token", token), ("action", action)] + [("map", m) for m in maps] + list(options.items())
    return client.post(path, data=urllib.parse.urlencode(data).encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})


def error_rows(html):
    return [tuple(re.sub(r"\s+", " ", cell).strip() for cell in cells) for cells in re.findall(
        r'<tr class="o-import-message" data-line="[^"]*">\s*<td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>', html, re.S)]


def unescape(text):
    import html
    return html.unescape(text)


# ---------------------------------------------------------------- reading files
def test_encodings_and_separators_are_detected():
    fmt = type("Fmt", (), {"_": staticmethod(lambda text: text)})()
    german = "Bezeichnung;Stückpreis\r\nMüller;1,5\r\n".encode("cp1252")
    csv_file = csv_import.CsvFile(german, fmt)
    assert (csv_file.encoding, csv_file.separator, csv_file.header) == ("cp1252", ";", ["Bezeichnung", "Stückpreis"])
    assert csv_file.rows == [["Müller", "1,5"]]
    bom = "\ufeffname,price\n\"Smith, John\",2\n".encode("utf-8")
    csv_file = csv_import.CsvFile(bom, fmt)
    assert (csv_file.encoding, csv_file.separator, csv_file.header[0]) == ("utf-8-sig", ",", "name")
    assert csv_file.rows == [["Smith, John", "2"]]
    tabbed = csv_import.CsvFile("a\tb\n1\t2\n\n3\t4\n".encode(), fmt)
    assert (tabbed.separator, tabbed.rows, tabbed.lines) == ("\t", [["1", "2"], ["3", "4"]], [2, 4])
    piped = csv_import.CsvFile(b"a|b|c\n'x|y'|2|3\n", fmt, quote="'")
    assert (piped.separator, piped.rows) == ("|", [["x|y", "2", "3"]])
    multiline = csv_import.CsvFile(b'name,note\n"A","two\nlines"\nB,x\n', fmt)
    assert multiline.lines == [2, 4]                      # a row starts on the line where it begins
    assert csv_import.decode(b"caf\xe9", fmt) == ("café", "cp1252")
    assert csv_import.decode(b"\x81\x8d", fmt) == ("\x81\x8d", "latin-1")  # bytes Windows-1252 lacks


def test_upload_refuses_empty_and_too_large_files(server, action):
    client = server.login_client()
    base = f"/web/action/{action}"
    reply = upload(client, base, "empty.csv", b"")
    assert reply.status == 400 and "The file is empty." in reply.text
    reply = upload(client, base, "big.csv", b"name\n" + b"x" * csv_import.MAX_SIZE)
    assert reply.status == 400 and "The file is too large" in reply.text
    assert 'enctype="multipart/form-data"' in reply.text         # the form again, to try another file


# ---------------------------------------------------------------- mapping
def test_semicolon_cp1252_german_headers_are_mapped_and_imported(server, action):
    with server.env() as env:
        env["res.lang"].with_context(active_test=False).search([("code", "=", "de_DE")]).active = True
        env.ref("base.user_admin").write({"lang": "de_DE", "tz": "Europe/Berlin"})
        env["test.import.tag"].create({"name": "Eilig"})
    client = server.login_client()
    base = f"/web/action/{action}"
    raw = ("Bezeichnung;Land;Stückpreis;Menge;Zustand;Dringend;Fälligkeitsdatum;Termin;Schlagwörter;Unbekannt\r\n"
           "Müller Auftrag;DE;1.234,56;2;Erledigt;ja;31.12.2024;01.07.2024 10:00;Eilig;egal\r\n").encode("cp1252")
    path = uploaded(client, base, "müller.csv", raw)
    html = client.get(path).text
    assert mapping(html) == ["name", "country_id", "price", "quantity", "state", "urgent", "date_due", "meeting",
                             "tag_ids", ""]
    assert "Windows-1252" in html
    reply = submit(client, path, mapping(html), "import", separator=";", encoding="cp1252")
    assert reply.status == 303, error_rows(reply.text) or reply.text[:3000]
    assert "created=1" in reply.headers["Location"]
    done = client.get(urllib.parse.urlsplit(reply.headers["Location"]).path + "?"
                      + urllib.parse.urlsplit(reply.headers["Location"]).query)
    assert 'class="o-alert o-alert-success o-import-done"' in done.text
    with server.env() as env:
        item = env["test.import.item"].search([("name", "=", "Müller Auftrag")])
        assert (item.country_id.code, item.price, item.quantity, item.state, item.urgent) == \
            ("DE", 1234.56, 2, "done", True)
        assert str(item.date_due) == "2024-12-31" and str(item.meeting) == "2024-07-01 08:00:00"
        assert item.tag_ids.mapped("name") == ["Eilig"]
        assert not env["ir.attachment"].search([("description", "=like", f"{csv_import.MARK}: %")])


def test_english_labels_ids_and_lines_are_guessed(server, action):
    client = server.login_client()
    base = "/web/model/test.import.item"
    raw = (b"External ID,Name,Customer / External ID,Country/.id,line_ids/product,Lines / Quantity,price\n"
           b"it1,First,base.partner_demo,,Bolt,2,1.5\n,,,,Nut,3,\n")
    path = uploaded(client, base, "lines.csv", raw)
    html = client.get(path).text
    assert mapping(html) == ["id", "name", "partner_id/id", "country_id/.id", "line_ids/product", "line_ids/qty",
                             "price"]
    assert reply_ok(submit(client, path, mapping(html), "import"))
    with server.env() as env:
        item = env.ref("__import__.it1")
        assert (item.name, item.partner_id, item.price) == ("First", env.ref("base.partner_demo"), 1.5)
        assert [(line.product, line.qty) for line in item.line_ids] == [("Bolt", 2.0), ("Nut", 3.0)]


def reply_ok(reply):
    assert reply.status == 303, error_rows(reply.text) or reply.text[:3000]
    return True


def test_the_user_changes_the_mapping(server, action):
    client = server.login_client()
    base = f"/web/action/{action}"
    path = uploaded(client, base, "codes.csv", b"Title,Reference,Ignored\nAlpha,A-1,zzz\nBeta,B-2,yyy\n")
    html = client.get(path).text
    assert mapping(html) == ["", "", ""]                 # nothing matches these headers
    reply = submit(client, path, ["", "", ""], "test")
    assert reply.status == 400 and "Choose the field of at least one column." in unescape(reply.text)
    reply = submit(client, path, ["name", "code", ""], "test")
    assert reply.status == 200
    assert "2 record(s) would be created and 0 updated" in reply.text
    assert mapping(reply.text) == ["name", "code", ""]       # the user's choice is kept
    assert reply_ok(submit(client, path, ["name", "code", ""], "import"))
    with server.env() as env:
        assert env["test.import.item"].search([("code", "in", ["A-1", "B-2"])]).mapped("name") == ["Alpha", "Beta"]


def test_options_read_the_file_again(server, action):
    client = server.login_client()
    path = uploaded(client, f"/web/action/{action}", "semi.csv", b"name;code\nA;1\n")
    reply = submit(client, path, [], "preview", separator=",", header="0")
    html = reply.text
    assert reply.status == 200
    assert len(mapping(html)) == 1                              # one column with a comma
    assert "Column 1" in html and "name;code" in html


# ---------------------------------------------------------------- test and import
BAD_FILE = ("name,price,quantity,urgent\n"
            "Good one,1.5,1,yes\n"
            "Bad price,abc,2,no\n"
            "Negative,-3,1,no\n"
            "Bad flag,2,1,perhaps\n"
            "Good two,2,2,0\n").encode()


def test_dry_run_lists_every_error_and_writes_nothing(server, action):
    client = server.login_client()
    path = uploaded(client, f"/web/action/{action}", "bad.csv", BAD_FILE)
    html = client.get(path).text
    reply = submit(client, path, mapping(html), "test")
    assert reply.status == 400
    rows = [tuple(unescape(c) for c in row) for row in error_rows(reply.text)]
    assert rows == [
        ("3", "price", "“abc” is not a number."),
        ("4", "", "Unit Price: a price cannot be negative (Negative)."),
        ("5", "urgent", "“perhaps” is not a yes/no value: use 1 or 0, true or false, yes or no."),
    ]
    assert "The test found 3 error(s)" in reply.text
    with server.env() as env:
        assert not env["test.import.item"].search([("name", "in", ["Good one", "Good two"])])


def test_a_bad_line_imports_nothing_then_the_fixed_file_imports_all(server, action):
    client = server.login_client()
    base = f"/web/action/{action}"
    path = uploaded(client, base, "bad.csv", BAD_FILE)
    reply = submit(client, path, ["name", "price", "quantity", "urgent"], "import")
    assert reply.status == 400
    assert "Nothing was imported" in reply.text and len(error_rows(reply.text)) == 3
    with server.env() as env:
        assert env["test.import.item"].search_count([]) == 0
    fixed = BAD_FILE.replace(b"abc", b"4").replace(b"-3", b"3").replace(b"perhaps", b"no")
    path = uploaded(client, base, "fixed.csv", fixed)
    reply = submit(client, path, ["name", "price", "quantity", "urgent"], "import")
    assert reply_ok(reply)
    assert "created=5" in reply.headers["Location"] and "updated=0" in reply.headers["Location"]
    with server.env() as env:
        items = env["test.import.item"].search([])
        assert items.mapped("name") == ["Good one", "Bad price", "Negative", "Bad flag", "Good two"]
        assert items.mapped("price") == [1.5, 4.0, 3.0, 2.0, 2.0]
    # the file is gone: the mapping page of a used file says so
    assert "upload it again" in unescape(client.get(path).text)


def test_uploads_are_private_to_their_user_and_model(server, action):
    admin = server.login_client()
    path = uploaded(admin, f"/web/action/{action}", "mine.csv", b"name\nA\n")
    upload_id = path.rsplit("/", 1)[1]
    with server.env() as env:
        tags = env.ref("test_web_import.action_tags").id
    other_model = admin.get(f"/web/action/{tags}/import/{upload_id}")
    assert other_model.status == 400 and "upload it again" in unescape(other_model.text)
    demo = server.login_client("demo", "demo")
    reply = demo.get(path)
    assert reply.status == 400 and "upload it again" in unescape(reply.text)
    assert admin.get(path).status == 200


def test_demo_user_without_rights_gets_one_clear_error(server, action):
    demo = server.login_client("demo", "demo")
    path = uploaded(demo, f"/web/action/{action}", "demo.csv", b"name\nA\nB\n")
    reply = submit(demo, path, ["name"], "import")
    assert reply.status == 400
    rows = error_rows(reply.text)
    assert len(rows) == 1 and rows[0][0] == "" and "not allowed" in rows[0][2].lower()
    with server.env() as env:
        assert env["test.import.item"].search_count([]) == 0


def test_large_files_are_announced_and_imported_in_one_go(server, action):
    client = server.login_client()
    lines = ["name,quantity"] + [f"Item {i},{i}" for i in range(csv_import.LARGE_FILE + 10)]
    path = uploaded(client, f"/web/action/{action}", "large.csv", "\n".join(lines).encode())
    html = client.get(path).text
    assert f"This file has {csv_import.LARGE_FILE + 10} lines" in html
    assert reply_ok(submit(client, path, ["name", "quantity"], "import"))
    with server.env() as env:
        assert env["test.import.item"].search_count([]) == csv_import.LARGE_FILE + 10


def test_load_over_json_rpc_for_scripts(server):
    client = server.login_client()
    reply = client.json("/web/dataset/call_kw", {
        "model": "test.import.item", "method": "load",
        "args": [["id", "name", "price"], [["rpc_one", "By RPC", "2.5"], ["rpc_two", "Broken", "x"]]], "kwargs": {}})
    result = reply.json()["result"]
    assert result["ids"] is False
    assert [(m["record"], m["rows"], m["field"]) for m in result["messages"]] == \
        [(1, {"from": 1, "to": 1}, "price")]
    reply = client.json("/web/dataset/call_kw", {
        "model": "test.import.item", "method": "load",
        "args": [["id", "name", "price"], [["rpc_one", "By RPC", "2.5"]]], "kwargs": {}})
    ids = reply.json()["result"]["ids"]
    with server.env() as env:
        assert env.ref("__import__.rpc_one").id == ids[0]
