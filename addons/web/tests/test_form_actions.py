"""The form view over HTTP (a real server, no browser): buttons, record actions (duplicate,
archive, delete), access rights, files, what a view's HTML may carry, windows and the pager."""
from lxml import html as lxml_html

from .form_support import csrf, field_error, form_values, lines_server, make_order  # noqa: F401 - fixture


def _doc(reply):
    return lxml_html.fromstring(reply.text)


# ---------------------------------------------------------------- buttons
def _press(client, url, button, values=None):
    page = client.get(url)
    data = dict(values if values is not None else {"csrf_token": csrf(page.text)})
    data["_button"] = button
    base, _sep, query = url.partition("?")
    return client.post(base + "/button" + ("?" + query if query else ""), data)


def test_object_button_changes_state(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    reply = _press(client, url, "object:action_confirm")
    assert reply.status == 303 and reply.headers["Location"] == url
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).state == "confirmed"
    # now hidden (invisible="state != 'draft'"): refused
    reply = _press(client, url, "object:action_confirm")
    assert reply.status == 400 and "cannot be used" in reply.text


def test_button_in_edit_mode_saves_first(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    values = form_values(client.get(url + "?edit=1").text)
    values["name"] = "SO-SAVED"
    reply = _press(client, url, "object:action_confirm", values)
    assert reply.status == 303
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert (order.name, order.state) == ("SO-SAVED", "confirmed")
    # a form that cannot be saved: the button does nothing, the form comes back
    values = form_values(client.get(url + "?edit=1").text)
    values["name"] = ""
    reply = _press(client, url, "object:action_done", values)
    assert reply.status == 422 and field_error(reply.text, "f-name") == "This field is required."
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).state == "confirmed"


def test_button_user_error_shows_the_record_with_the_message(lines_server):
    order_id, action_id = make_order(lines_server, line_ids=[])
    client = lines_server.login_client()
    reply = _press(client, f"/web/action/{action_id}/{order_id}", "object:action_confirm")
    assert reply.status == 400
    assert "Add a line before confirming the order." in _doc(reply).xpath('//*[@role="alert"]')[0].text_content()
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).state == "draft"


def test_private_unknown_or_unlisted_methods_are_refused(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    for button in ("object:_secret", "object:action_nothing", "object:unlink", "object:write",
                   "action:999999", "status:cancel", "status:nope", "eval:1", ""):
        reply = _press(client, url, button)
        assert reply.status == 400, (button, reply.status)
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert order.exists() and order.state == "draft"


def test_clickable_statusbar_sets_the_state(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    doc = _doc(client.get(url))
    assert doc.xpath('//button[@value="status:done"]')          # statusbar_visible, clickable
    assert not doc.xpath('//button[@value="status:cancel"]')    # not in statusbar_visible
    assert _press(client, url, "status:done").status == 303
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).state == "done"


def test_button_returning_actions_is_followed(lines_server):
    order_id, action_id = make_order(lines_server)
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        partner_id = order.partner_id.id
        tags_action = env.ref("test_web_lines.action_order_tags").id
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    reply = _press(client, url, "object:action_view_partner")
    assert reply.status == 303
    location = reply.headers["Location"]
    assert location.startswith(f"/web/model/res.partner/{partner_id}?back=")
    assert client.get(location).status == 200
    reply = _press(client, url, "object:action_view_lines")
    location = reply.headers["Location"]
    assert location.startswith("/web/model/test.order.line?")
    assert "domain=" in location and client.get(location).status == 200
    # type="action": the action, with the record as active_id
    reply = _press(client, url, f"action:{tags_action}")
    assert reply.status == 303
    assert reply.headers["Location"].startswith(f"/web/action/{tags_action}?context=")
    assert f"%22active_id%22%3A+{order_id}" in reply.headers["Location"]


# ---------------------------------------------------------------- record actions and access
def test_duplicate_archive_delete(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    token = csrf(client.get(url).text)
    reply = client.post(url + "/duplicate", {"csrf_token": token})
    assert reply.status == 303
    with lines_server.env() as env:
        copy = env["test.order"].search([("id", "!=", order_id)])
        assert len(copy) == 1 and copy.total == 260.0 and len(copy.line_ids) == 2
        copy_id = copy.id
    assert reply.headers["Location"].startswith(f"/web/action/{action_id}/{copy_id}?")
    assert "edit=1" in reply.headers["Location"]
    assert client.post(url + "/archive", {"csrf_token": token}).status == 303
    with lines_server.env() as env:
        assert not env["test.order"].browse(order_id).active
    doc = _doc(client.get(url))
    assert doc.xpath('//button[contains(@formaction, "/unarchive")]')
    assert client.post(url + "/unarchive", {"csrf_token": token}).status == 303
    reply = client.post(url + f"/delete?back=/web/action/{action_id}", {"csrf_token": token})
    assert reply.status == 303 and reply.headers["Location"] == f"/web/action/{action_id}"
    with lines_server.env() as env:
        assert not env["test.order"].browse(order_id).exists()
        assert not env["test.order.line"].search([("order_id", "=", order_id)])
    assert client.get(url).status == 404


def test_user_without_write_access_sees_no_edit_and_is_refused(lines_server):
    order_id, action_id = make_order(lines_server)
    demo = lines_server.login_client("demo", "demo")
    url = f"/web/action/{action_id}/{order_id}"
    reply = demo.get(url)
    assert reply.status == 200
    doc = _doc(reply)
    assert not doc.xpath('//a[contains(@class, "o-form-edit")]')
    assert not doc.xpath('//*[contains(@class, "o-form-actions")]')
    # ?edit=1 shows the read mode
    assert not _doc(demo.get(url + "?edit=1")).xpath('//input[@name="name"]')
    token = csrf(reply.text)
    for path, data in ((url, {"name": "Hacked"}), (url + "/delete", {}), (url + "/duplicate", {}),
                       (url + "/archive", {}), (f"/web/action/{action_id}/new", {"name": "New"})):
        reply = demo.post(path, dict(data, csrf_token=token))
        assert reply.status == 403, path
        assert "not allowed" in reply.text or "Access" in reply.text
    assert _press(demo, url, "object:action_confirm").status == 403
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert order.name == "SO-100" and order.active and order.state == "draft"
        assert env["test.order"].search_count([]) == 1


def test_post_without_csrf_token_is_refused(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    values = form_values(client.get(url + "?edit=1").text)
    values.pop("csrf_token")
    values["name"] = "No token"
    assert client.post(url, values).status == 400
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).name == "SO-100"


# ---------------------------------------------------------------- files, safety, windows
def test_binary_upload_download_and_clear(lines_server):
    from .form_support import multipart
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    values = form_values(client.get(url + "?edit=1").text)
    body, content_type = multipart(values, {"attachment": ("terms.txt", b"Pay within 30 days.")})
    reply = client.request("POST", url, data=body, headers={"Content-Type": content_type})
    assert reply.status == 303
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).attachment_name == "terms.txt"
    link = _doc(client.get(url)).xpath('//*[@data-name="attachment"]//a')[0]
    assert link.text == "terms.txt"
    download = client.get(link.get("href"))
    assert download.status == 200 and download.body == b"Pay within 30 days."
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Content-Type"] == "application/octet-stream"
    # only binary fields of the form can be downloaded
    assert client.get(url + "/binary/name").status == 404
    values = form_values(client.get(url + "?edit=1").text)
    values["attachment._clear"] = "1"
    assert client.post(url, values).status == 303
    with lines_server.env() as env:
        assert not env["test.order"].browse(order_id).attachment


def test_image_widget_shows_images_inline_and_never_svg(lines_server):
    from .form_support import multipart
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
           b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    body, content_type = multipart(form_values(client.get(url + "?edit=1").text), {"picture": ("dot.png", png)})
    assert client.request("POST", url, data=body, headers={"Content-Type": content_type}).status == 303
    image = _doc(client.get(url)).xpath('//*[@data-name="picture"]//img')[0]
    assert image.get("alt") == "Picture"
    reply = client.get(image.get("src"))
    assert reply.status == 200 and reply.body == png
    assert reply.headers["Content-Type"] == "image/png" and "Content-Disposition" not in reply.headers
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    body, content_type = multipart(form_values(client.get(url + "?edit=1").text), {"picture": ("evil.svg", svg)})
    assert client.request("POST", url, data=body, headers={"Content-Type": content_type}).status == 303
    reply = client.get(url + "/binary/picture")
    assert reply.headers["Content-Type"] == "application/octet-stream"
    assert reply.headers["Content-Disposition"].startswith("attachment")


def test_arch_html_is_copied_without_scripts(lines_server):
    with lines_server.env() as env:
        env["ir.ui.view"].create({"name": "tag.form.unsafe", "model": "test.order.tag", "priority": 1, "arch": """
            <form><sheet>
              <div class="oe_title" onclick="alert(1)" style="background:url(x)">
                <h1><field name="name"/></h1>
                <a href="javascript:alert(2)" title="evil">link</a>
                <a href="https://example.com/help" target="_blank">help</a>
                <p>Tags <b>group</b> orders.</p>
              </div>
              <group><field name="color"/></group>
            </sheet></form>"""})
        tag_id = env["test.order.tag"].create({"name": "<img src=x onerror=alert(3)>"}).id
    client = lines_server.login_client()
    for suffix in ("", "?edit=1"):
        reply = client.get(f"/web/model/test.order.tag/{tag_id}{suffix}")
        assert reply.status == 200
        assert "onclick" not in reply.text and "javascript:" not in reply.text and "<img src=x" not in reply.text
        assert "background:url" not in reply.text
        doc = _doc(reply)
        title = doc.xpath('//div[contains(@class, "oe_title")]')[0]
        assert title.xpath(".//p/b")[0].text == "group"
        links = title.xpath(".//a")
        assert links[0].get("href") is None and links[0].get("title") == "evil"
        assert links[1].get("href") == "https://example.com/help" and links[1].get("rel") == "noopener noreferrer"
    assert _doc(reply).xpath('//input[@name="name"]')[0].get("value") == "<img src=x onerror=alert(3)>"


def test_model_window_and_default_form(lines_server):
    """A model without a form view gets the default one; /web/model/<model> works like an action."""
    with lines_server.env() as env:
        tag_id = env["test.order.tag"].create({"name": "Blue", "color": 4}).id
    client = lines_server.login_client()
    url = f"/web/model/test.order.tag/{tag_id}"
    values = form_values(client.get(url + "?edit=1").text)
    assert values["name"] == "Blue" and values["color"] == "4"
    values["color"] = "7"
    reply = client.post(url, values)
    assert reply.status == 303 and reply.headers["Location"] == url
    with lines_server.env() as env:
        assert env["test.order.tag"].browse(tag_id).color == 7
    assert client.get("/web/model/test.order.tag/999999").status == 404
    assert client.get("/web/model/no.such.model/1").status == 404
    assert client.get("/web/model/test.order.tag/new?context=%7Bbroken").status == 400


def test_record_pager_follows_the_list_search(lines_server):
    order_id, action_id = make_order(lines_server, name="SO-A")
    ids = [order_id] + [make_order(lines_server, name=name)[0] for name in ("SO-B", "SO-C", "OTHER")]
    client = lines_server.login_client()
    # the list sorted by name, searched for "SO-": A, B, C
    back = f"/web/action/{action_id}?order=name+asc&search=name%3ASO-"
    from urllib.parse import quote
    doc = _doc(client.get(f"/web/action/{action_id}/{ids[1]}?back={quote(back, safe='')}"))
    assert doc.xpath('//*[contains(@class, "o-form-pager")]//*[@class="o-pager-value"]')[0].text == "2 / 3"
    previous = doc.xpath('//a[@rel="prev"]')[0].get("href")
    following = doc.xpath('//a[@rel="next"]')[0].get("href")
    assert previous.startswith(f"/web/action/{action_id}/{ids[0]}?") and "back=" in previous
    assert following.startswith(f"/web/action/{action_id}/{ids[2]}?")
    # breadcrumbs lead back to that list
    assert doc.xpath('//nav[contains(@class, "o-breadcrumbs")]//a')[0].get("href") == back


def test_action_window_context_from_the_url(lines_server):
    """The ``context`` of an action's URL (how type="action" buttons pass active_id) is
    added to the action's: defaults follow it, and the form's links keep it."""
    with lines_server.env() as env:
        action_id = env.ref("test_web_lines.action_orders").id
    client = lines_server.login_client()
    reply = client.get(f"/web/action/{action_id}/new?context=%7B%22default_name%22%3A+%22From+context%22%7D")
    assert reply.status == 200
    doc = _doc(reply)
    assert doc.xpath('//input[@name="name"]')[0].get("value") == "From context"
    assert doc.xpath('//input[@name="priority"][@checked]')[0].get("value") == "1"    # the action's own
    action = doc.xpath('//form[@id="o-form"]')[0].get("action")
    assert action == f"/web/action/{action_id}/new?context=%7B%22default_name%22%3A+%22From+context%22%7D"
    assert client.get(f"/web/action/{action_id}/new?context=%5B1%5D").status == 400
