"""The Apps page through a real HTTP server: listing, filters, install, upgrade, the uninstall plan
and uninstall, refusals, access rights, and failures that leave nothing behind.

The addons installed here live in ``addons/web/tests/addons``: ``test_web_app`` (an application:
a model, its menu, window action, list view and a page of its own), ``test_web_app_extra``
(depends on it), ``test_web_app_broken`` (its data file fails after its table was created) and
``test_web_app_orphan`` (depends on an addon that does not exist).
"""
import os
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import sqlalchemy as sa

TEST_ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")


@pytest.fixture
def server(start_web_server):
    return start_web_server(addons=("web",), addons_paths=[TEST_ADDONS])


@pytest.fixture
def admin(server):
    return server.login_client()


# ---------------------------------------------------------------- helpers
def cls(name):
    """An XPath test: the element has the class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def cards(reply):
    """``{addon name: card element}`` of an Apps page."""
    assert reply.status in (200, 400), reply.text[:2000]
    root = lxml.html.fromstring(reply.text)
    return {card.get("data-module"): card for card in root.xpath(f"//li[{cls('o-app-card')}]")}


def text(element):
    return " ".join(element.text_content().split())


def alert(reply, kind):
    root = lxml.html.fromstring(reply.text)
    found = root.xpath(f"//*[{cls('o-alert-' + kind)}]")
    return text(found[0]) if found else None


def buttons(card):
    """The operations a card offers: the labels of its buttons and links."""
    return sorted(text(b) for b in card.xpath(f".//*[{cls('o-app-actions')}]//*[self::button or self::a]"))


def section_items(page, heading_id):
    """The items of the list that follows the heading ``heading_id`` on the plan page."""
    return page.xpath(f"//h2[@id='{heading_id}']/following-sibling::ul[1]/li")


def post(client, path, data=None):
    token = client.csrf_token("/web/apps")
    return client.post(path, dict(data or {}, csrf_token=token))


def follow(client, reply):
    assert reply.status == 303, f"{reply.status}: {reply.text[:2000]}"
    location = reply.headers["Location"]
    parts = urlsplit(location)
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""))


def has_table(server, table):
    return sa.inspect(server.manager.engine).has_table(table)


def states(server, *names):
    with server.env() as env:
        modules = env["ir.module.module"].search([("name", "in", names)])
        return {m.name: m.state for m in modules}


# ---------------------------------------------------------------- listing
def test_apps_page_lists_addons_with_their_state_and_operations(server, admin):
    reply = admin.get("/web/apps?filter=all")
    assert reply.status == 200
    found = cards(reply)
    assert {"base", "web", "test_web_app", "test_web_app_extra"} <= set(found)

    app = found["test_web_app"]
    assert text(app.xpath(".//h2")[0]) == "Test Web App"
    assert text(app.xpath(f".//*[{cls('o-badge')}]")[0]) == "Not installed"
    assert "An app for the Apps page's tests" in text(app)
    assert "Tessera tests" in text(app) and "Productivity" in text(app) and "Version 1.0" in text(app)
    assert buttons(app) == ["Install"]
    form = app.xpath(".//form")[0]
    assert form.get("method") == "post" and form.get("action") == "/web/apps/test_web_app/install"
    assert form.get("data-busy") == "Installing Test Web App…"
    assert form.get("data-busy")
    assert form.xpath(".//input[@name='csrf_token']")[0].get("value")

    # installed: Upgrade; never Uninstall for base and web
    for name in ("base", "web"):
        assert text(found[name].xpath(f".//*[{cls('o-badge')}]")[0]) == "Installed"
        assert buttons(found[name]) == ["Upgrade"]
    # the page works without a menu, and keeps the one it was opened from
    assert 'name="menu_id"' not in reply.text
    assert 'name="menu_id" value="7"' in admin.get("/web/apps?filter=all&menu_id=7").text


def test_filters_and_search(server, admin):
    apps = cards(admin.get("/web/apps"))               # the default filter: applications
    assert "test_web_app" in apps and "test_web_app_extra" not in apps and "base" not in apps
    installed = cards(admin.get("/web/apps?filter=installed"))
    assert {"base", "web"} <= set(installed) and "test_web_app" not in installed
    not_installed = cards(admin.get("/web/apps?filter=not_installed"))
    assert {"test_web_app", "test_web_app_extra"} <= set(not_installed) and "base" not in not_installed
    everything = set(cards(admin.get("/web/apps?filter=all")))
    assert everything == set(installed) | set(not_installed)

    # the search looks at the name, title, summary and category
    assert set(cards(admin.get("/web/apps?filter=all&search=extra+app"))) == set()
    assert set(cards(admin.get("/web/apps?filter=all&search=Web+App+Extra"))) == {"test_web_app_extra"}
    assert set(cards(admin.get("/web/apps?filter=all&search=_orphan"))) == {"test_web_app_orphan"}
    assert set(cards(admin.get("/web/apps?filter=all&search=TAGS+AND+a+priority"))) == {"test_web_app_extra"}
    assert "test_web_app" in cards(admin.get("/web/apps?filter=all&search=productivity"))
    assert set(cards(admin.get("/web/apps?filter=all&search=half-way"))) == {"test_web_app_broken"}
    empty = admin.get("/web/apps?filter=installed&search=half-way")
    assert cards(empty) == {} and "No addon matches “half-way”." in text(lxml.html.fromstring(empty.text))

    # the current filter is marked, and the other links keep the search
    page = lxml.html.fromstring(admin.get("/web/apps?filter=installed&search=web").text)
    current = page.xpath(f"//*[{cls('o-apps-filters')}]//a[@aria-current='page']")
    assert [text(a) for a in current] == ["Installed"]
    links = {text(a): a.get("href") for a in page.xpath(f"//*[{cls('o-apps-filters')}]//a")}
    assert links["All"] == "/web/apps?filter=all&search=web"
    assert links["Apps"] == "/web/apps?search=web"


def test_bad_filter_or_search_is_a_clear_error(server, admin):
    reply = admin.get("/web/apps?filter=everything")
    assert reply.status == 400 and "Unknown filter &#39;everything&#39;" in reply.text
    reply = admin.get("/web/apps?search=" + "x" * 101)
    assert reply.status == 400 and "too long" in reply.text
    assert admin.get("/web/apps/no_such_addon/uninstall").status == 404
    assert post(admin, "/web/apps/no_such_addon/install").status == 404


# ---------------------------------------------------------------- install
def test_install_pulls_dependencies_in_and_serves_the_app(server, admin):
    assert not has_table(server, "test_web_app_note")
    assert admin.get("/test_web_app/notes").status == 404      # no route before the install
    reply = post(admin, "/web/apps/test_web_app_extra/install", {"filter": "all", "search": "web"})
    assert reply.status == 303
    location = urlsplit(reply.headers["Location"])
    assert location.path == "/web/apps"
    assert parse_qs(location.query) == {"filter": ["all"], "search": ["web"], "done": ["installed"],
                                        "module": ["test_web_app_extra"], "also": ["test_web_app"]}
    page = follow(admin, reply)
    assert alert(page, "success") == ("Test Web App Extra is installed. "
                                      "Installed with it: Test Web App.")
    assert text(cards(page)["test_web_app"].xpath(f".//*[{cls('o-badge')}]")[0]) == "Installed"
    assert buttons(cards(page)["test_web_app"]) == ["Uninstall", "Upgrade"]

    assert has_table(server, "test_web_app_note") and has_table(server, "test_web_app_tag")
    assert states(server, "test_web_app", "test_web_app_extra") == {
        "test_web_app": "installed", "test_web_app_extra": "installed"}
    # its app on the home page, its menu opening its action, its own page and template
    home = lxml.html.fromstring(admin.get("/web").text)
    app = [a for a in home.xpath(f"//a[{cls('o-app')}]") if a.text_content().endswith("Web App Test")]
    assert app, [text(a) for a in home.xpath(f"//a[{cls('o-app')}]")]
    opened = admin.get(app[0].get("href"))
    assert opened.status == 303 and "/web/action/" in opened.headers["Location"]
    notes = admin.get("/test_web_app/notes")
    assert notes.status == 200 and "<li>Welcome note</li>" in notes.text


def test_install_refusals(server, admin):
    reply = post(admin, "/web/apps/base/install")
    assert reply.status == 400 and alert(reply, "danger") == "Base is already installed."
    # without the CSRF token: refused before anything runs
    reply = admin.post("/web/apps/test_web_app/install", {})
    assert reply.status == 400 and "CSRF" in reply.text
    assert not has_table(server, "test_web_app_note")
    assert states(server, "test_web_app") == {"test_web_app": "uninstalled"}
    # the operations are POSTs only
    assert admin.get("/web/apps/test_web_app/install").status == 405


def test_install_failing_half_way_leaves_nothing(server, admin):
    reply = post(admin, "/web/apps/test_web_app_broken/install", {"filter": "all"})
    assert reply.status == 400
    message = alert(reply, "danger")
    assert message.startswith("Installing Test Web App Broken failed, nothing was installed: ")
    assert "test_web_app_broken/data/broken_data.xml:8" in message and "base.no_such_partner" in message
    # the page is the Apps page, with the user's filter
    assert text(cards(reply)["test_web_app_broken"].xpath(f".//*[{cls('o-badge')}]")[0]) == "Not installed"

    # its table was created before the data file failed: it is gone with the rest
    assert not has_table(server, "test_web_app_broken")
    with server.env() as env:
        assert env["ir.module.module"].search([("name", "=", "test_web_app_broken")]).state == "uninstalled"
        assert not env["ir.model"].search([("model", "=", "test.web.app.broken")])
        assert not env["ir.model.data"].search([("module", "=", "test_web_app_broken")])
        assert "test.web.app.broken" not in env
    # the server goes on with the addons it had, and installs the next one
    assert "test.web.app.broken" not in server.manager.registry.models
    assert admin.get("/web").status == 200
    reply = post(admin, "/web/apps/test_web_app/install")
    assert reply.status == 303 and has_table(server, "test_web_app_note")


def test_install_with_a_missing_dependency_says_which(server, admin):
    reply = post(admin, "/web/apps/test_web_app_orphan/install")
    assert reply.status == 400
    assert alert(reply, "danger") == (
        "Installing Test Web App Orphan failed, nothing was installed: addon 'test_web_app_nowhere' is "
        f"not on the addons path (a dependency of 'test_web_app_orphan' in "
        f"{TEST_ADDONS}/test_web_app_orphan/__manifest__.py)")
    assert states(server, "test_web_app_orphan") == {"test_web_app_orphan": "uninstalled"}


# ---------------------------------------------------------------- upgrade
def test_upgrade_reloads_the_addons_data(server, admin):
    assert post(admin, "/web/apps/test_web_app/install").status == 303
    with server.env() as env:
        env.ref("test_web_app.note_welcome").unlink()      # the addon's data file made it
    reply = post(admin, "/web/apps/test_web_app/upgrade", {"filter": "installed"})
    assert reply.status == 303
    page = follow(admin, reply)
    assert alert(page, "success") == "Test Web App is upgraded."
    with server.env() as env:
        assert env.ref("test_web_app.note_welcome").name == "Welcome note"   # made again
    reply = post(admin, "/web/apps/test_web_app_extra/upgrade")
    assert reply.status == 400 and alert(reply, "danger") == "Test Web App Extra is not installed."


# ---------------------------------------------------------------- uninstall
def test_uninstall_shows_the_plan_then_removes_the_addon_and_its_dependants(server, admin):
    assert post(admin, "/web/apps/test_web_app_extra/install").status == 303
    with server.env() as env:
        env["test.web.app.note"].create([{"name": "Second"}, {"name": "Third"}])

    apps = cards(admin.get("/web/apps?filter=installed&menu_id=3"))
    link = [a for a in apps["test_web_app"].xpath(".//a") if text(a) == "Uninstall"][0].get("href")
    assert link == "/web/apps/test_web_app/uninstall?filter=installed&menu_id=3"
    reply = admin.get(link)
    assert reply.status == 200
    page = lxml.html.fromstring(reply.text)
    modules = [text(li) for li in page.xpath(f"//*[{cls('o-plan-modules')}]/li")]
    assert modules == ["Test Web App Extra test_web_app_extra depends on Test Web App",
                       "Test Web App test_web_app"]
    rows = page.xpath(f"//table[{cls('o-plan-table')}]/tbody/tr")
    models = [[text(td) for td in tr.xpath("td")] for tr in rows]
    assert models == [["Test Note", "test.web.app.note", "3"], ["Test Note Tag", "test.web.app.tag", "0"]]
    schema = [text(li) for li in section_items(page, "plan-schema")]
    assert schema == ["test_web_app_note", "test_web_app_tag"]
    records = dict(text(li).split(": ") for li in section_items(page, "plan-records"))
    assert records["ir.ui.menu"] == "2" and records["ir.actions.act_window"] == "1"
    crumbs = page.xpath(f"//*[{cls('o-breadcrumbs')}]//a")
    assert [(text(a), a.get("href")) for a in crumbs] == [("Apps", "/web/apps?filter=installed&menu_id=3")]
    form = page.xpath(f"//form[{cls('o-plan-confirm')}]")[0]
    assert form.get("data-busy") == "Uninstalling Test Web App…"
    assert form.get("action") == "/web/apps/test_web_app/uninstall"
    # showing the plan changed nothing
    assert has_table(server, "test_web_app_note") and has_table(server, "test_web_app_tag")

    data = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    assert data.keys() == {"csrf_token", "filter", "menu_id"}
    reply = admin.post("/web/apps/test_web_app/uninstall", data)
    assert reply.status == 303
    page = follow(admin, reply)
    assert alert(page, "success") == "Test Web App is uninstalled. Uninstalled with it: Test Web App Extra."
    assert not has_table(server, "test_web_app_note") and not has_table(server, "test_web_app_tag")
    assert states(server, "test_web_app", "test_web_app_extra") == {
        "test_web_app": "uninstalled", "test_web_app_extra": "uninstalled"}
    with server.env() as env:
        assert not env["ir.model.data"].search([("module", "in", ("test_web_app", "test_web_app_extra"))])
        assert not env["ir.ui.menu"].search([("name", "=", "Web App Test")])
    assert "Web App Test" not in admin.get("/web").text
    assert admin.get("/test_web_app/notes").status == 404


def test_base_and_web_are_never_uninstalled(server, admin):
    reply = admin.get("/web/apps/base/uninstall")
    assert reply.status == 400
    assert alert(reply, "danger") == "Base cannot be uninstalled: every other addon is built on it."
    assert not lxml.html.fromstring(reply.text).xpath(f"//form[{cls('o-plan-confirm')}]")
    reply = post(admin, "/web/apps/base/uninstall")
    assert reply.status == 400 and "Base cannot be uninstalled" in reply.text
    reply = post(admin, "/web/apps/web/uninstall")
    assert reply.status == 400
    assert alert(reply, "danger") == "The web client cannot be uninstalled from the web client itself."
    reply = admin.get("/web/apps/test_web_app/uninstall")
    assert reply.status == 400 and alert(reply, "danger") == "Test Web App is not installed."
    assert states(server, "base", "web") == {"base": "installed", "web": "installed"}


# ---------------------------------------------------------------- menu
def test_settings_menu_opens_the_apps_page_for_administrators_only(server, admin):
    with server.env() as env:
        settings = env.ref("base.menu_administration")
        apps = env.ref("web.menu_apps")
        action = env.ref("web.action_apps")
        assert (action.url, action.target) == ("/web/apps", "self")
        assert apps.parent_id == settings and apps.action == f"ir.actions.act_url,{action.id}"
        settings_id, apps_id = settings.id, apps.id
    home = lxml.html.fromstring(admin.get("/web").text)
    assert f"/web/menu/{settings_id}" in [a.get("href") for a in home.xpath(f"//a[{cls('o-app')}]")]
    reply = admin.get(f"/web/menu/{settings_id}")          # its first entry is Apps
    assert reply.status == 303 and reply.headers["Location"].endswith(f"/web/apps?menu_id={settings_id}")
    page = admin.get(f"/web/apps?menu_id={settings_id}")
    assert f'href="/web/menu/{apps_id}"' in page.text      # the Settings app's menu bar, Apps in it
    demo = server.login_client("demo", "demo")
    assert f"/web/menu/{settings_id}" not in demo.get("/web").text
    assert demo.get(f"/web/menu/{apps_id}").status == 404


# ---------------------------------------------------------------- access
def test_non_administrators_get_403_and_change_nothing(server, admin):
    assert post(admin, "/web/apps/test_web_app/install").status == 303
    demo = server.login_client("demo", "demo")
    token = demo.csrf_token("/web")
    assert demo.get("/web/apps").status == 403
    assert "Only administrators" in demo.get("/web/apps").text
    assert demo.get("/web/apps/test_web_app/uninstall").status == 403
    for path in ("/web/apps/test_web_app_extra/install", "/web/apps/test_web_app/upgrade",
                 "/web/apps/test_web_app/uninstall", "/web/apps/update"):
        reply = demo.post(path, {"csrf_token": token})
        assert reply.status == 403, path
    assert has_table(server, "test_web_app_note") and not has_table(server, "test_web_app_tag")
    assert states(server, "test_web_app", "test_web_app_extra") == {
        "test_web_app": "installed", "test_web_app_extra": "uninstalled"}
    # and logged out: the login page
    anonymous = server.client()
    reply = anonymous.get("/web/apps")
    assert reply.status == 303 and "/web/login" in reply.headers["Location"]


def test_the_message_tells_only_what_the_database_shows(server, admin):
    # a crafted link cannot make the page claim an install that did not happen
    page = admin.get("/web/apps?done=installed&module=test_web_app&also=test_web_app_extra")
    assert alert(page, "success") is None
    page = admin.get("/web/apps?done=uninstalled&module=test_web_app&also=base")
    assert alert(page, "success") == "Test Web App is uninstalled."
    page = admin.get("/web/apps?done=exploded&module=base")
    assert alert(page, "success") is None


# ---------------------------------------------------------------- the apps list
def test_update_apps_list_restores_a_lost_row(server, admin):
    with server.env() as env:
        env["ir.module.module"].search([("name", "=", "test_web_app_orphan")]).unlink()
    assert "test_web_app_orphan" not in cards(admin.get("/web/apps?filter=all"))
    form = lxml.html.fromstring(admin.get("/web/apps").text).xpath("//form[@action='/web/apps/update']")[0]
    assert form.get("data-busy") == "Updating the apps list…"
    reply = post(admin, "/web/apps/update", {"filter": "all"})
    page = follow(admin, reply)
    assert alert(page, "success") == "The apps list is up to date: 1 new addon(s) found."
    assert text(cards(page)["test_web_app_orphan"].xpath(f".//*[{cls('o-badge')}]")[0]) == "Not installed"


def test_update_apps_list_finds_addons_added_since_the_start(start_web_server, tmp_path):
    dropped = tmp_path / "more_addons"
    dropped.mkdir()
    server = start_web_server(addons=("web",), addons_paths=[TEST_ADDONS, str(dropped)])
    admin = server.login_client()
    addon = dropped / "test_web_app_late"
    addon.mkdir()
    (addon / "__init__.py").write_text("")
    (addon / "__manifest__.py").write_text(repr({
        "name": "Test Web App Late", "summary": "Put on the addons path after the server started",
        "depends": ["base"], "license": "LGPL-3", "application": True}))
    assert "test_web_app_late" not in cards(admin.get("/web/apps?filter=all"))
    page = follow(admin, post(admin, "/web/apps/update"))
    assert alert(page, "success") == "The apps list is up to date: 1 new addon(s) found."
    assert "test_web_app_late" in cards(page)
    reply = post(admin, "/web/apps/test_web_app_late/install")
    assert reply.status == 303 and states(server, "test_web_app_late") == {"test_web_app_late": "installed"}

    # a broken manifest is reported, and the server goes on with what it knew
    broken = dropped / "test_web_app_garbled"
    broken.mkdir()
    (broken / "__manifest__.py").write_text("{'name': 'Garbled',")
    reply = post(admin, "/web/apps/update")
    assert reply.status == 400
    assert alert(reply, "danger").startswith("Updating the apps list failed: ")
    assert "test_web_app_garbled/__manifest__.py" in alert(reply, "danger")
    assert post(admin, "/web/apps/test_web_app/install").status == 303

