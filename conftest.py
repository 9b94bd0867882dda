"""Root of the test suite: tests/ and every addon's tests/ share the fixtures of tests/plugin.py."""
pytest_plugins = ["tests.plugin"]
