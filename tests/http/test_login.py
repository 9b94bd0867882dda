"""Login, logout, sessions and the ``auth`` modes, through a real HTTP server."""
import http.cookiejar

from core.http import Application, safe_redirect_target
from core.http.sessions import session_table
from tests.http.conftest import TEST_ADDONS, Client, db_env


def test_login_page_is_accessible_form(client):
    reply = client.get("/web/login")
    assert reply.status == 200
    html = reply.text
    for field in ("login", "password"):
        assert f'<label for="{field}">' in html and f'id="{field}" name="{field}"' in html
    assert 'name="csrf_token"' in html


def test_login_success_sets_flagged_cookie_and_rotates_sid(client):
    client.get("/web/login")
    anonymous_sid = client.sid
    assert anonymous_sid        # the login form's CSRF token needs a session
    reply = client.login(redirect="/test/whoami?x=1")
    assert reply.status == 303
    assert reply.headers["Location"].endswith("/test/whoami?x=1")
    cookie = next(c for c in reply.cookies() if c.startswith("session_id="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert client.sid and client.sid != anonymous_sid
    whoami = client.get("/test/whoami")
    assert whoami.status == 200
    assert whoami.json() == {"uid": 2, "lang": "en_US", "login": "admin"}


def test_redirect_after_login_only_to_relative_paths(client):
    reply = client.login(redirect="https://evil.example/x")
    assert reply.status == 303 and reply.headers["Location"].endswith("/web")
    assert safe_redirect_target("//evil.example") == "/web"
    assert safe_redirect_target("/\\evil.example") == "/web"
    assert safe_redirect_target("/crm?id=1") == "/crm?id=1"


def test_wrong_password_shows_error_and_no_session(client):
    client.get("/web/login")
    anonymous_sid = client.sid
    reply = client.login(password="wrong")
    assert reply.status == 401
    assert "Wrong login or password." in reply.text and 'role="alert"' in reply.text
    assert client.sid == anonymous_sid
    assert client.get("/test/whoami").status == 303


def test_auth_user_redirects_when_logged_out(client):
    reply = client.get("/test/whoami?a=1")
    assert reply.status == 303
    assert reply.headers["Location"].endswith("/web/login?redirect=%2Ftest%2Fwhoami%3Fa%3D1")
    reply = client.json("/test/json/echo", {"a": 1})
    assert reply.status == 200
    error = reply.json()["error"]
    assert error["code"] == 100 and error["message"] == "Odoo Session Expired"
    assert error["data"]["name"] == "odoo.http.SessionExpiredException"


def test_auth_public_uses_public_user(client, http_db):
    public_uid = db_env(http_db, lambda env: env.ref("base.public_user").id)
    assert client.get("/test/public").json() == {"uid": public_uid}
    client.login()
    assert client.get("/test/public").json() == {"uid": 2}


def test_logout_destroys_session(client, http_db):
    client.login()
    sid = client.sid
    assert client.get("/web/logout").status == 200        # a confirmation form
    assert client.get("/test/whoami").status == 200         # GET alone logs nobody out
    token = client.csrf_token("/web/logout")
    reply = client.post("/web/logout", {"csrf_token": token})
    assert reply.status == 303
    assert client.sid is None
    rows = db_env(http_db, lambda env: env.cr.execute(
        session_table.select().where(session_table.c.sid == sid)).all())
    assert rows == []
    # the old cookie, replayed, is worth nothing
    other = Client(client.base_url)
    other.jar.set_cookie(_cookie(sid))
    assert other.get("/test/whoami").status == 303


def _cookie(sid):
    return http.cookiejar.Cookie(0, "session_id", sid, None, False, "127.0.0.1", False, False, "/", True,
                                 False, None, False, None, None, {})


def test_sessions_shared_between_workers(http_db, serve):
    first = Application(http_db, addons_paths=[TEST_ADDONS])
    second = Application(http_db, addons_paths=[TEST_ADDONS])
    url_one, url_two = serve(first), serve(second)
    client = Client(url_one)
    client.login()
    # the same browser, its next request served by the other worker
    other = Client(url_two)
    other.jar.set_cookie(_cookie(client.sid))
    assert other.get("/test/whoami").json()["uid"] == 2
    token = other.csrf_token("/web/logout")
    assert other.post("/web/logout", {"csrf_token": token}).status == 303
    assert client.get("/test/whoami").status == 303


def test_session_expires_after_inactivity(client, http_db):
    import datetime
    client.login()
    sid = client.sid
    store = session_table
    expires = db_env(http_db, lambda env: env.cr.execute(
        store.select().where(store.c.sid == sid)).one().expires)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert datetime.timedelta(days=6, hours=23) < expires - now <= datetime.timedelta(days=7)
    db_env(http_db, lambda env: env.cr.execute(
        store.update().where(store.c.sid == sid).values(expires=now - datetime.timedelta(seconds=1))))
    assert client.get("/test/whoami").status == 303


def test_password_change_ends_other_sessions(client, http_db):
    client.login()
    assert client.get("/test/whoami").status == 200

    def change(env):
        env["res.users"].browse(2).write({"password": "changed-elsewhere"})
        env.cr.commit()
    db_env(http_db, change)
    # the session logged in with the old password is over: back to the login page
    assert client.get("/test/whoami").status == 303
