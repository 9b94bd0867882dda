"""Smoke tests of the web client in a real Chromium: log in, log out, the keyboard, and the
browser harness itself (screenshots, uncaught JavaScript errors fail a test)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.browser import SCREENSHOTS, login, screenshot

ROOT = Path(__file__).resolve().parents[3]


def _rename_admin(web_server, name):
    with web_server.env() as env:
        env.ref("base.user_admin").name = name


def test_login_wrong_password_then_right_one_then_logout(web_server, page):
    _rename_admin(web_server, "Ada Lovelace")
    page.goto(web_server.url + "/web")
    assert page.url.startswith(web_server.url + "/web/login")  # not logged in: sent to the login
    screenshot(page, "web-login")

    page.get_by_label("Login", exact=True).fill("admin")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "Wrong login or password."
    assert page.url == web_server.url + "/web/login"
    assert page.get_by_label("Login", exact=True).input_value() == "admin"  # kept for a retry
    # the browser's session is still anonymous
    assert page.request.get(web_server.url + "/web", max_redirects=0).status == 303
    screenshot(page, "web-login-error")

    page.get_by_label("Password", exact=True).fill("admin")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(web_server.url + "/web")
    assert page.locator(".o-user-menu summary").inner_text() == "Ada Lovelace"
    assert page.get_by_role("alert").count() == 0
    screenshot(page, "web-home")

    page.locator(".o-user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(web_server.url + "/web/login")
    page.goto(web_server.url + "/web")   # the session is gone: back to the login page
    assert page.url.startswith(web_server.url + "/web/login")
    assert page.locator(".o-user-menu").count() == 0


def test_login_with_keyboard_only(web_server, page):
    page.goto(web_server.url + "/web/login")
    # the login field has the focus on arrival; Tab goes to the password, Enter submits
    page.wait_for_function("document.activeElement && document.activeElement.id === 'login'")
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("admin")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == web_server.url + "/web"
    assert page.locator(".o-user-menu summary").inner_text() == "Administrator"


def test_login_helper_and_phone_screen(web_server, phone_page):
    login(phone_page, web_server)
    assert phone_page.url == web_server.url + "/web"
    width = phone_page.evaluate("document.documentElement.clientWidth")
    assert width == 390
    path = screenshot(phone_page, "web-home-phone")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


HARNESS_PROBE = '''
def test_clean(page):
    page.goto("data:text/html,<p>calm</p>")

def test_uncaught_error(page):
    page.goto("data:text/html,<button onclick=\\"setTimeout(function () { throw new Error('boom-42') })\\">go</button>")
    page.get_by_role("button").click()
    page.wait_for_timeout(50)
'''


def test_harness_fails_a_test_whose_page_throws_and_keeps_screenshots(tmp_path, browser):
    """The ``page`` fixture, run by a separate pytest: screenshot saved, a JS error fails."""
    probe = tmp_path / "test_harness_probe_b7.py"
    probe.write_text(textwrap.dedent(HARNESS_PROBE))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(probe), "-p", "tests.plugin", "-p", "no:cacheprovider",
         "-q", "--rootdir", str(tmp_path), "-c", os.devnull],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 failed, 1 passed" in output, output
    assert "FAILED test_harness_probe_b7.py::test_uncaught_error" in output, output
    assert "boom-42" in output, output
    shots = [SCREENSHOTS / f"test_harness_probe_b7.py_{name}.png" for name in ("test_clean", "test_uncaught_error")]
    try:
        for shot in shots:
            assert shot.read_bytes()[:4] == b"\x89PNG", shot
    finally:
        for shot in shots:
            shot.unlink(missing_ok=True)


def test_a_hung_browser_test_ends_its_process_instead_of_the_run(tmp_path, browser):
    probe = tmp_path / "test_hang_probe.py"
    probe.write_text("def test_hangs(page):\n    page.evaluate('new Promise(() => {})')\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TESSERA_BROWSER_TEST_LIMIT="2")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(probe), "-p", "tests.plugin", "-p", "no:cacheprovider",
         "-q", "--rootdir", str(tmp_path), "-c", os.devnull],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "test_hang_probe.py::test_hangs: still running after 2 s" in result.stderr, result.stderr


def test_missing_chromium_skips_locally_and_fails_in_ci(tmp_path):
    probe = tmp_path / "test_no_chromium_probe.py"
    probe.write_text("def test_needs_browser(page):\n    pass\n")
    outputs = {}
    for ci in ("", "true"):
        env = dict(os.environ, PYTHONPATH=str(ROOT), TESSERA_CHROMIUM=str(tmp_path / "no-chromium"))
        env.pop("CI", None)
        if ci:
            env["CI"] = ci
        result = subprocess.run(
            [sys.executable, "-m", "pytest", str(probe), "-p", "tests.plugin", "-p", "no:cacheprovider",
             "-q", "-rs", "--rootdir", str(tmp_path), "-c", os.devnull],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        outputs[ci] = (result.returncode, result.stdout + result.stderr)
    code, output = outputs[""]
    assert code == 0 and "1 skipped" in output and "no Chromium at" in output, output
    code, output = outputs["true"]
    assert code == 1 and "1 error" in output and "browser tests cannot run in CI" in output, output
