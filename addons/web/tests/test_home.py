"""The frame of the web client over real HTTP: home page, menu navigation,
breadcrumbs and the user's preferences."""
import re
from urllib.parse import quote

from tests.support.http import Client


def test_home_lists_the_apps_the_user_may_see(web_server):
    admin = web_server.login_client()
    page = admin.get("/web")
    assert page.status == 200
    assert 'class="o-app"' in page.text
    assert ">Contacts<" in page.text and ">Settings<" in page.text

    demo = web_server.login_client("demo", "demo")
    page = demo.get("/web")
    assert page.status == 200
    assert ">Contacts<" in page.text
    assert ">Settings<" not in page.text  # base.group_system only


def test_menu_opens_its_first_action_and_keeps_the_app(web_server):
    admin = web_server.login_client()
    with web_server.env() as env:
        contacts = env.ref("base.menu_contacts")
        action = env.ref("base.action_partner_form")
    reply = admin.get(f"/web/menu/{contacts.id}")
    assert reply.status == 303
    assert reply.headers["Location"].endswith(f"/web/action/{action.id}?menu_id={contacts.id}")
    # the app's sub-menus are shown around the action's page
    page = admin.get(f"/web/action/{action.id}?menu_id={contacts.id}")
    assert page.status == 200
    assert 'class="o-app-name"' in page.text and ">Contacts</a>" in page.text


def test_a_menu_of_another_group_is_not_found(web_server):
    demo = web_server.login_client("demo", "demo")
    with web_server.env() as env:
        settings = env.ref("base.menu_administration")
    reply = demo.get(f"/web/menu/{settings.id}")
    assert reply.status == 404
    assert "Traceback" not in reply.text


def test_breadcrumbs_follow_the_back_links(web_server):
    admin = web_server.login_client()
    with web_server.env() as env:
        action = env.ref("base.action_partner_form")
        partner = env["res.partner"].search([("is_company", "=", True)], limit=1)
        name = partner.display_name
    back = f"/web/action/{action.id}?filter=companies"
    page = admin.get(f"/web/action/{action.id}/{partner.id}?back={quote(back, safe='')}")
    assert page.status == 200
    crumbs = re.search(r'<nav class="o-breadcrumbs".*?</nav>', page.text, re.S).group(0)
    assert f'href="{back}"' in crumbs
    assert f'aria-current="page">{name}<' in crumbs.replace("&#39;", "'").replace("&amp;", "&")


def test_breadcrumbs_refuse_foreign_back_links(web_server):
    admin = web_server.login_client()
    with web_server.env() as env:
        action = env.ref("base.action_partner_form")
        partner = env["res.partner"].search([], limit=1)
    page = admin.get(f"/web/action/{action.id}/{partner.id}?back={quote('//evil.example/web', safe='')}")
    assert page.status == 200
    assert "evil.example" not in page.text


def _csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_preferences_change_the_language_of_the_interface(web_server):
    demo = web_server.login_client("demo", "demo")
    page = demo.get("/web/preferences")
    assert page.status == 200 and 'for="pref-lang"' in page.text
    with web_server.env() as env:
        env["res.lang"].with_context(active_test=False).search([("code", "=", "de_DE")]).active = True
    reply = demo.post("/web/preferences", {"csrf_token": _csrf(demo, "/web/preferences"), "name": "Demo User",
                                           "email": "demo@example.com", "lang": "de_DE", "tz": "Europe/Berlin"})
    assert reply.status == 303
    with web_server.env() as env:
        user = env.ref("base.user_demo")
        assert (user.lang, user.tz, user.email) == ("de_DE", "Europe/Berlin", "demo@example.com")
    # the session follows at once: the next page is in German
    page = demo.get("/web/preferences?saved=1")
    assert 'lang="de"' in page.text
    assert "Einstellungen" in page.text or "Präferenzen" in page.text


def test_preferences_with_a_wrong_password_save_nothing(web_server):
    demo = web_server.login_client("demo", "demo")
    reply = demo.post("/web/preferences", {
        "csrf_token": _csrf(demo, "/web/preferences"), "name": "Renamed", "email": "", "lang": "en_US",
        "tz": "", "old_password": "wrong", "new_password": "n3w-secret", "confirm_password": "n3w-secret"})
    assert reply.status == 400
    assert "current password is wrong" in reply.text
    with web_server.env() as env:
        assert env.ref("base.user_demo").name != "Renamed"
    assert web_server.client().login("demo", "demo").status == 303


def test_password_change_keeps_this_session_and_ends_the_others(web_server):
    demo = web_server.login_client("demo", "demo")
    other = web_server.login_client("demo", "demo")
    reply = demo.post("/web/preferences", {
        "csrf_token": _csrf(demo, "/web/preferences"), "name": "Demo User", "email": "", "lang": "en_US",
        "tz": "", "old_password": "demo", "new_password": "n3w-secret", "confirm_password": "n3w-secret"})
    assert reply.status == 303
    assert demo.get("/web").status == 200
    assert other.get("/web").status == 303  # sent to the login page
    assert Client(web_server.url).login("demo", "n3w-secret").status == 303


def test_preferences_refuse_unknown_values(web_server):
    demo = web_server.login_client("demo", "demo")
    reply = demo.post("/web/preferences", {"csrf_token": _csrf(demo, "/web/preferences"), "name": "",
                                           "email": "", "lang": "xx_XX", "tz": "Mars/Olympus"})
    assert reply.status == 400
    assert reply.text.count('aria-invalid="true"') == 3


def test_api_keys_from_the_preferences(web_server):
    import xmlrpc.client
    demo = web_server.login_client("demo", "demo")
    db = web_server.manager.db_name
    common = xmlrpc.client.ServerProxy(f"{web_server.url}/xmlrpc/2/common")
    # the password confirms it; a wrong one (or nothing named) makes no key
    for data, status in (({"name": "CI", "password": "wrong"}, 400), ({"name": " ", "password": "demo"}, 400)):
        reply = demo.post("/web/preferences/apikey", {"csrf_token": _csrf(demo, "/web/preferences"), **data})
        assert reply.status == status
    with web_server.env() as env:
        assert not env["res.users.apikeys"].search([("user_id", "=", env.ref("base.user_demo").id)])
    reply = demo.post("/web/preferences/apikey", {"csrf_token": _csrf(demo, "/web/preferences"),
                                                  "name": "Nightly sync", "password": "demo"})
    assert reply.status == 200 and reply.headers["Cache-Control"] == "no-store"
    key = re.search(r'<code class="o-api-key"[^>]*>([0-9a-f]{40})</code>', reply.text).group(1)
    assert common.authenticate(db, "demo", key, {}) > 0          # it opens the external API
    page = demo.get("/web/preferences").text
    assert "Nightly sync" in page and key not in page             # listed, never shown again
    # another user cannot revoke it; its owner can, and then it opens nothing
    with web_server.env() as env:
        key_id = env["res.users.apikeys"].search([("name", "=", "Nightly sync")]).id
    portal = web_server.login_client("portal", "portal")
    assert portal.post(f"/web/preferences/apikey/{key_id}/delete",
                       {"csrf_token": _csrf(portal, "/web/preferences")}).status == 404
    reply = demo.post(f"/web/preferences/apikey/{key_id}/delete", {"csrf_token": _csrf(demo, "/web/preferences")})
    assert reply.status == 303
    assert common.authenticate(db, "demo", key, {}) is False
