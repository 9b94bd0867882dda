"""Bulk actions of the list page through a real HTTP server: archive, unarchive, delete
the ticked rows or the whole search; CSRF; access rights refuse cleanly and keep everything."""
import re
import urllib.parse

import pytest

from .test_list_support import contacts, message, row_ids


@pytest.fixture
def setup(web_server):
    with web_server.env() as env:
        records = env["res.partner"].create([{"name": f"Bulk {i}", "city": "Trier"} for i in range(5)])
    ids = contacts(web_server)
    return web_server, ids["action"], records.ids


def _post(client, path, pairs):
    body = urllib.parse.urlencode(pairs).encode()
    return client.request("POST", path, data=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})


def _active(server, ids):
    with server.env() as env:
        return env["res.partner"].with_context(active_test=False).browse(ids).mapped("active")


def test_archive_and_unarchive_selected_rows(setup):
    server, action, ids = setup
    client = server.login_client()
    page = client.get(f"/web/action/{action}?search=city:Trier").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return_url = re.search(r'name="return_url" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    reply = _post(client, f"/web/action/{action}/bulk", [
        ("csrf_token", token), ("operation", "archive"), ("ids", ids[0]), ("ids", ids[1]),
        ("return_url", return_url)])
    assert reply.status == 303
    location = reply.headers["Location"]
    assert location.startswith(return_url) and "done=archive&n=2" in location
    assert _active(server, ids) == [False, False, True, True, True]
    html = client.get(location).text
    assert "2 record(s) archived." in html
    assert sorted(row_ids(html)) == sorted(ids[2:])
    reply = _post(client, f"/web/action/{action}/bulk", [
        ("csrf_token", token), ("operation", "unarchive"), ("ids", ids[0])])
    assert reply.status == 303
    assert _active(server, ids) == [True, False, True, True, True]


def test_delete_the_whole_search(setup):
    server, action, ids = setup
    client = server.login_client()
    token = client.csrf_token(f"/web/action/{action}")
    reply = _post(client, f"/web/action/{action}/bulk", [
        ("csrf_token", token), ("operation", "delete"), ("all", "1"), ("search", "city:Trier"),
        ("ids", ids[0])])
    assert reply.status == 303 and "done=delete&n=5" in reply.headers["Location"]
    with server.env() as env:
        assert not env["res.partner"].browse(ids).exists()
        assert env["res.partner"].search_count([]) > 0          # only the search was deleted


def test_bulk_needs_csrf_and_a_known_operation(setup):
    server, action, ids = setup
    client = server.login_client()
    reply = _post(client, f"/web/action/{action}/bulk", [("operation", "delete"), ("ids", ids[0])])
    assert reply.status == 400
    token = client.csrf_token(f"/web/action/{action}")
    reply = _post(client, f"/web/action/{action}/bulk", [("csrf_token", token), ("operation", "explode"),
                                                         ("ids", ids[0])])
    assert reply.status == 400 and "Unknown operation" in message(reply.text)
    reply = _post(client, f"/web/action/{action}/bulk", [("csrf_token", token), ("operation", "delete"),
                                                         ("ids", "1 OR 1=1")])
    assert reply.status == 400 and "Invalid record id" in message(reply.text)
    reply = _post(client, f"/web/action/{action}/bulk", [("csrf_token", token), ("operation", "delete")])
    assert reply.status == 400 and "Select at least one record" in message(reply.text)
    with server.env() as env:
        assert len(env["res.partner"].browse(ids).exists()) == 5


def test_user_without_rights_gets_a_clean_error_and_nothing_changes(setup):
    server, action, ids = setup
    client = server.login_client("demo", "demo")       # internal user: may read partners only
    html = client.get(f"/web/action/{action}?search=city:Trier").text
    assert sorted(row_ids(html)) == sorted(ids)
    # no delete, archive or New button for this user
    assert 'value="delete"' not in html and 'value="archive"' not in html and "o-list-new" not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    for operation in ("delete", "archive"):
        reply = _post(client, f"/web/action/{action}/bulk", [
            ("csrf_token", token), ("operation", operation), ("ids", ids[0]), ("ids", ids[1])])
        assert reply.status == 403, operation
        assert "<html" in reply.text and "Traceback" not in reply.text
        assert message(reply.text)
    with server.env() as env:
        assert len(env["res.partner"].browse(ids).exists()) == 5
    assert _active(server, ids) == [True] * 5
