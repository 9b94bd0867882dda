"""The Apps page in a real Chromium: install an app (busy overlay, buttons disabled while it runs),
find it on the home page, uninstall it through the plan page; the cards at phone width."""
import os
import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import login, screenshot

TEST_ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")


@pytest.fixture
def server(start_web_server):
    return start_web_server(addons=("web",), addons_paths=[TEST_ADDONS])


#: Playwright cannot look at a page while its form submission is under way (it waits for the
#: navigation), so the page itself notes what it shows while busy: on every change of the overlay
#: or of a button, while the overlay is visible, its text and the operation buttons' state go to
#: sessionStorage, which the next page (same tab, same origin) still has.
RECORDER = """
document.addEventListener('DOMContentLoaded', () => {
  const record = () => {
    const busy = document.querySelector('.o-busy');
    if (!busy || busy.hidden) { return; }
    sessionStorage.setItem('apps-busy', JSON.stringify({
      busy: busy.querySelector('.o-busy-text').textContent,
      disabled: Array.from(document.querySelectorAll('form[data-busy] button[disabled]'),
                           b => b.getAttribute('aria-label') || b.textContent.trim()),
      enabled: document.querySelectorAll('form[data-busy] button:not([disabled])').length,
    }));
  };
  new MutationObserver(record).observe(document.body,
    {attributes: true, subtree: true, attributeFilter: ['hidden', 'disabled']});
});
"""


def while_busy(page):
    """What the previous page showed while its operation ran (see RECORDER), then forgotten."""
    state = page.evaluate("() => { const s = sessionStorage.getItem('apps-busy');"
                          " sessionStorage.removeItem('apps-busy'); return JSON.parse(s); }")
    assert state, "the busy overlay was never shown"
    return state


def test_install_then_uninstall_an_app_from_the_apps_page(server, page):
    page.add_init_script(RECORDER)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/web/apps/" in r.url
            else None)
    login(page, server)
    page.goto(server.url + "/web/apps")
    card = page.locator("li.o-app-card[data-module='test_web_app']")
    expect(card.locator(".o-badge")).to_have_text("Not installed")
    expect(card).to_contain_text("An app for the Apps page's tests")
    screenshot(page, "apps")

    # a double click sends one request: the first submit disables every operation button
    card.get_by_role("button", name="Install Test Web App").dblclick()
    page.wait_for_url(re.compile(r".*/web/apps\?done=installed&module=test_web_app$"))
    expect(page.get_by_role("status").filter(has_text="installed")).to_have_text("Test Web App is installed.")
    state = while_busy(page)
    assert state["busy"] == "Installing Test Web App…" and state["enabled"] == 0
    assert {"Update Apps List", "Install Test Web App"} <= set(state["disabled"])
    assert posts == [server.url + "/web/apps/test_web_app/install"]
    expect(page.locator(".o-busy")).to_be_hidden()
    expect(card.locator(".o-badge")).to_have_text("Installed")
    expect(card.get_by_role("button", name="Upgrade Test Web App")).to_be_enabled()

    # the app is on the home page, and its own page (route and template) is served
    page.goto(server.url + "/web")
    expect(page.locator("a.o-app", has_text="Web App Test")).to_be_visible()
    page.goto(server.url + "/test_web_app/notes")
    expect(page.locator(".test-notes li")).to_have_text(["Welcome note"])

    # uninstall: the plan first, then the confirmation
    page.goto(server.url + "/web/apps?filter=installed")
    page.locator("li.o-app-card[data-module='test_web_app']").get_by_role(
        "link", name="Uninstall Test Web App").click()
    page.wait_for_url(server.url + "/web/apps/test_web_app/uninstall?filter=installed")
    expect(page.locator(".o-plan-modules li")).to_have_text([re.compile(r"Test Web App\s+test_web_app")])
    expect(page.locator(".o-plan-table tbody tr")).to_have_text(
        [re.compile(r"Test Note\s*test\.web\.app\.note\s*1")])
    expect(page.get_by_role("button", name="Confirm uninstall")).to_be_visible()
    screenshot(page, "apps-uninstall-plan")

    page.get_by_role("button", name="Confirm uninstall").click()
    page.wait_for_url(re.compile(r".*/web/apps\?filter=installed&done=uninstalled&module=test_web_app$"))
    expect(page.get_by_role("status").filter(has_text="uninstalled")).to_have_text(
        "Test Web App is uninstalled.")
    assert while_busy(page) == {"busy": "Uninstalling Test Web App…", "disabled": ["Confirm uninstall"],
                                "enabled": 0}
    expect(page.locator("li.o-app-card[data-module='test_web_app']")).to_have_count(0)
    page.goto(server.url + "/web")
    expect(page.locator("a.o-app", has_text="Web App Test")).to_have_count(0)


def test_install_with_dependant_and_plan_names_it(server, page):
    login(page, server)
    page.goto(server.url + "/web/apps?filter=all&search=extra")
    page.get_by_role("button", name="Install Test Web App Extra").click()
    page.wait_for_url(re.compile(r".*done=installed.*"))
    expect(page.locator(".o-alert-success")).to_have_text(
        "Test Web App Extra is installed. Installed with it: Test Web App.")
    page.goto(server.url + "/web/apps/test_web_app/uninstall")
    expect(page.locator(".o-plan-modules li").first).to_contain_text("depends on Test Web App")
    expect(page.locator(".o-plan-modules li")).to_have_count(2)
    # cancelling changes nothing
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(server.url + "/web/apps")
    expect(page.locator("li.o-app-card[data-module='test_web_app'] .o-badge")).to_have_text("Installed")


def test_a_failing_install_shows_why_on_the_apps_page(server, page):
    login(page, server)
    page.goto(server.url + "/web/apps?filter=all&search=broken")
    page.get_by_role("button", name="Install Test Web App Broken").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Installing Test Web App Broken failed, nothing was installed")
    expect(alert).to_contain_text("base.no_such_partner")
    expect(page.locator(".o-busy")).to_be_hidden()
    # the buttons work again for the next attempt
    expect(page.get_by_role("button", name="Install Test Web App Broken")).to_be_enabled()
    expect(page.locator("li.o-app-card[data-module='test_web_app_broken'] .o-badge")).to_have_text(
        "Not installed")


def test_apps_page_at_phone_width(server, phone_page):
    page = phone_page
    login(page, server)
    page.goto(server.url + "/web/apps?filter=all")
    cards = page.locator("li.o-app-card")
    assert cards.count() >= 6
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert second["y"] > first["y"] and abs(second["x"] - first["x"]) < 1     # one column
    assert first["x"] >= 0 and first["x"] + first["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390      # nothing overflows
    expect(page.get_by_role("searchbox")).to_be_visible()
    screenshot(page, "apps-phone")
