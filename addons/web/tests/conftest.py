"""Fixtures of the web addon's tests.

The shared ones come from tests/plugin.py: ``web_server`` / ``start_web_server`` (a database
served on loopback, tests.support.web) and ``browser``, ``page``, ``phone_page``, ``admin_page``
(Chromium, tests.support.browser).  This file adds only what the web addon's tests alone need.
"""
import pytest


@pytest.fixture
def admin_client(web_server):
    """An HTTP client (no browser) logged in as admin on ``web_server``."""
    return web_server.login_client()
