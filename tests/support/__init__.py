"""Helpers shared by the test suite (tests/ and addons/*/tests/).

- :mod:`tests.support.http`: ``Client``/``Reply`` (a urllib browser) and ``Server`` (an
  application served by werkzeug on loopback);
- :mod:`tests.support.web`: the ``start_web_server``/``web_server`` fixtures (a fresh database
  served over HTTP);
- :mod:`tests.support.browser`: the Playwright fixtures (``browser``, ``page``, ``phone_page``)
  and the ``login``/``screenshot`` helpers.

Fixtures are registered by tests/plugin.py; this package holds no test.
"""
