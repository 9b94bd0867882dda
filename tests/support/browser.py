"""Real-browser fixtures: the system Chromium driven by Playwright's sync API.

- ``browser`` (one per session and xdist worker): Chromium launched from TESSERA_CHROMIUM, else
  ``chromium`` on PATH, else /usr/bin/chromium (``python3 dev.py test`` installs Debian's
  package; ``playwright install`` is never used).  Without that browser the browser tests are
  skipped with the reason shown, unless the environment variable ``CI`` is set: then they fail.
- ``page`` (1280x800, en-US) and ``phone_page`` (390x844, a touch phone): a new browser context
  per test.  At the test's end the page is saved to ``artefacts/screenshots/<test id>.png`` and
  its console errors to ``<test id>.console.txt`` (``<test id>-phone.*`` for ``phone_page``); a JavaScript error the page did not catch
  (``pageerror``) fails the test.  Each Playwright step times out after 10 s; a browser test
  still running after TESSERA_BROWSER_TEST_LIMIT seconds (180) ends its process with a stack dump
  (pytest-xdist reports that test as crashed and goes on), so a hung browser never hangs the run.
- ``admin_page``: a ``page`` already logged in as admin on ``web_server`` (at /web).
- Every test that uses ``browser`` gets the ``browser`` marker (``-m "not browser"`` skips them).
- ``login(page, server)`` logs in through the real login form; ``screenshot(page, name)`` saves
  ``artefacts/screenshots/<name>.png``.

This module owns no server (tests.support.web).
"""
import faulthandler
import os
import re
import shutil
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artefacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000          # a step that takes longer fails the test (Playwright's default: 30 s)
# some Playwright calls have no timeout (evaluate, context.close...): a browser test that takes
# longer than this in all (setup, call, teardown) ends its test process instead of hanging the run
TEST_LIMIT_S = float(os.environ.get("TESSERA_BROWSER_TEST_LIMIT") or 180)
_ERRORS = pytest.StashKey()  # item -> the uncaught page errors of its pages
_REPORTED = pytest.StashKey()  # item -> how many of them already failed its call


def chromium_path():
    """The Chromium executable the tests launch (it may not exist)."""
    return os.environ.get("TESSERA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _safe_name(name):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:200] or "page"


def screenshot(page, name):
    """Save the whole page as ``artefacts/screenshots/<name>.png``; the file's path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, server, login="admin", password="admin"):
    """Log in through the login page of ``server`` (a WebServer or a base URL); ends on /web."""
    base = getattr(server, "url", server)
    page.goto(base + "/web/login")
    page.get_by_label("Login", exact=True).fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/web")
    return page


_capture = None


def pytest_configure(config):
    global _capture
    _capture = config.pluginmanager.getplugin("capturemanager")
    config.addinivalue_line("markers", "browser: drives a real Chromium (set on every test that "
                                       "uses the browser fixture)")


@contextmanager
def _watchdog(what, seconds=TEST_LIMIT_S):
    """End this process (pytest-xdist reports the crash of the running test) if the block hangs."""
    def expire():
        if _capture is not None:  # the output of the test is captured: show this one
            _capture.suspend_global_capture(in_=False)
        sys.stderr.write(f"\n\n{what}: still running after {seconds:.0f} s, a browser call hangs; "
                         f"ending this test process\n")
        faulthandler.dump_traceback(all_threads=True)
        sys.stderr.flush()
        os._exit(3)
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@pytest.fixture(scope="session")
def browser():
    """Chromium, launched once per session (and xdist worker)."""
    executable = chromium_path()
    if not os.access(executable, os.X_OK):
        reason = (f"no Chromium at {executable} (`python3 dev.py test` installs Debian's chromium; "
                  f"or set TESSERA_CHROMIUM)")
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            with _watchdog("closing Chromium", 60):
                browser.close()
    finally:
        with _watchdog("stopping Playwright", 60):
            playwright.stop()


def _open_page(browser, request, **options):
    context = browser.new_context(locale="en-US", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = request.node.stash.setdefault(_ERRORS, [])
    console = []

    def on_page_error(exc):
        errors.append(f"{page.url}: {getattr(exc, 'stack', None) or exc}")

    def on_console(message):
        if message.type == "error":
            console.append(f"{page.url}: {message.text}")

    page.on("pageerror", on_page_error)
    page.on("console", on_console)
    return context, page, errors, console


def _close_page(request, context, page, errors, console, suffix=""):
    name = _safe_name(request.node.nodeid) + suffix
    try:
        if not page.is_closed() and page.url != "about:blank":
            screenshot(page, name)    # also lets late page errors arrive
    finally:
        context.close()
    log = SCREENSHOTS / f"{name}.console.txt"
    if console:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        log.write_text("\n".join(console) + "\n")
    elif log.exists():
        log.unlink()
    reported = request.node.stash.get(_REPORTED, 0)
    if len(errors) > reported:
        pytest.fail("JavaScript error(s) on the page after the test:\n" + "\n".join(errors[reported:]),
                    pytrace=False)


@pytest.fixture
def page(browser, request):
    """A new 1280x800 en-US page (own context: no cookies shared with other tests)."""
    with _watchdog(request.node.nodeid):
        context, page, errors, console = _open_page(browser, request, viewport={"width": 1280, "height": 800})
        yield page
        _close_page(request, context, page, errors, console)


@pytest.fixture
def phone_page(browser, request):
    """Like ``page``, on a 390x844 touch phone screen."""
    with _watchdog(request.node.nodeid):
        context, page, errors, console = _open_page(
            browser, request, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        yield page
        _close_page(request, context, page, errors, console, suffix="-phone")


@pytest.fixture
def admin_page(page, web_server):
    """``page`` logged in as admin on ``web_server``, on the home page /web."""
    return login(page, web_server)


@pytest.hookimpl(tryfirst=True)  # before `-m` selects
def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test whose page raised an uncaught JavaScript error fails, even if its asserts passed."""
    result = yield
    errors = item.stash.get(_ERRORS, None)
    if errors:
        item.stash[_REPORTED] = len(errors)
        pytest.fail("JavaScript error(s) on the page:\n" + "\n".join(errors), pytrace=False)
    return result
