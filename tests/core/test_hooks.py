"""core.hooks: the specifications and the plugin manager of installed addons."""
import sys
import textwrap
import types
import uuid

import pytest

from core import hooks
from core.hooks import HookError, hookimpl


@pytest.fixture
def make_addon(tmp_path, monkeypatch):
    """Write a fake addon package with a unique name; returns (addon name, package name)."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(hooks_py=None, addon="demo"):
        package = f"hooktest_{uuid.uuid4().hex[:10]}"
        folder = tmp_path / package
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        if hooks_py is not None:
            (folder / "hooks.py").write_text(textwrap.dedent(hooks_py))
        return addon, package

    yield make
    for name in [n for n in sys.modules if n.startswith("hooktest_")]:
        del sys.modules[name]


def test_addons_without_hooks_py_are_fine(make_addon):
    manager = hooks.plugin_manager([make_addon()])
    assert manager.get_plugins() == set()
    assert manager.hook.register_routes(routes=[]) == []


def test_results_of_every_addon_are_collected(make_addon):
    first = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def register_routes(routes):
            routes.append("/first")
            return "first"
        ''', addon="first")
    second = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def register_routes(routes):
            routes.append("/second")
            return "second"

        @hookimpl
        def post_install(module):
            return f"second saw {module}"
        ''', addon="second")
    manager = hooks.plugin_manager([first, second])
    routes = []
    # the addon loaded last is called first: it comes before the addons it depends on
    assert manager.hook.register_routes(routes=routes) == ["second", "first"]
    assert routes == ["/second", "/first"]
    assert manager.hook.post_install(env=None, module="first") == ["second saw first"]
    assert manager.get_name(manager.get_plugins().pop()) in ("first", "second")
    assert {manager.get_name(p) for p in manager.get_plugins()} == {"first", "second"}


def test_only_the_given_addons_are_registered(make_addon):
    installed = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def register_routes(routes):
            return "installed"
        ''', addon="installed")
    not_installed = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def register_routes(routes):
            return "not installed"
        ''', addon="not_installed")
    manager = hooks.plugin_manager([installed])
    assert manager.hook.register_routes(routes=[]) == ["installed"]
    assert not_installed[1] + ".hooks" not in sys.modules


def test_first_result_wins(make_addon):
    general = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def route_incoming_mail(env, message):
            return "general"

        @hookimpl
        def render_report(report_name):
            return ("general", "text/plain") if report_name == "any" else None
        ''', addon="general")
    specific = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def route_incoming_mail(message):
            return "specific" if message == "for me" else None

        @hookimpl
        def render_report(report_name, docids):
            return (f"invoice {docids}", "application/pdf") if report_name == "invoice" else None
        ''', addon="specific")
    manager = hooks.plugin_manager([general, specific])
    assert manager.hook.route_incoming_mail(env=None, message="for me") == "specific"
    assert manager.hook.route_incoming_mail(env=None, message="other") == "general"
    assert manager.hook.render_report(env=None, report_name="invoice", docids=[1], data=None) == \
        ("invoice [1]", "application/pdf")
    assert manager.hook.render_report(env=None, report_name="any", docids=[], data=None) == \
        ("general", "text/plain")
    assert manager.hook.render_report(env=None, report_name="none", docids=[], data=None) is None


def test_a_misspelt_hook_fails_naming_the_addon_and_the_hook(make_addon):
    addon = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def post_instal(env, module):
            pass
        ''', addon="crm")
    with pytest.raises(HookError) as info:
        hooks.plugin_manager([addon])
    message = str(info.value)
    assert "Addon 'crm'" in message and "hooks.py" in message
    assert "unknown hook 'post_instal' (did you mean 'post_install'?)" in message


def test_an_argument_the_hook_lacks_fails_naming_the_addon(make_addon):
    addon = make_addon('''
        from core.hooks import hookimpl

        @hookimpl
        def pre_uninstall(env, module, registry):
            pass
        ''', addon="sale")
    with pytest.raises(HookError) as info:
        hooks.plugin_manager([addon])
    message = str(info.value)
    assert "Addon 'sale'" in message
    assert "hook 'pre_uninstall' takes only (env, module)" in message and "'registry'" in message


def test_a_hook_without_the_marker_fails(make_addon):
    addon = make_addon('''
        def post_install(env, module):
            pass
        ''', addon="mail")
    with pytest.raises(HookError, match=r"Addon 'mail' .*'post_install'.*@hookimpl"):
        hooks.plugin_manager([addon])


def test_an_error_inside_hooks_py_names_the_addon(make_addon):
    addon = make_addon("import no_such_module_anywhere\n", addon="documents")
    with pytest.raises(ModuleNotFoundError) as info:
        hooks.plugin_manager([addon])
    assert any("addon 'documents'" in note for note in info.value.__notes__)


def test_plugins_can_be_plain_objects_registered_directly():
    manager = hooks.new_manager()

    class Routes:
        @hookimpl
        def register_routes(self, routes):
            routes.append("/object")

    hooks.register(manager, "web", Routes())
    module = types.ModuleType("fake_hooks")

    @hookimpl
    def register_cli_commands(subparsers):
        subparsers.append("scaffold")

    module.register_cli_commands = register_cli_commands
    hooks.register(manager, "cli", module)
    hooks.check(manager)
    routes, commands = [], []
    manager.hook.register_routes(routes=routes)
    manager.hook.register_cli_commands(subparsers=commands)
    assert (routes, commands) == (["/object"], ["scaffold"])
    with pytest.raises(HookError, match="Addon 'web'"):
        hooks.register(manager, "web", Routes())


def test_names_given_alone_mean_packages_under_addons():
    # "base" has no hooks.py: registering it is a no-op, not an error
    manager = hooks.plugin_manager(["base"])
    assert manager.get_plugins() == set()


def test_the_specification_lists_the_extension_points():
    assert hooks.HOOK_NAMES == ("post_install", "pre_uninstall", "register_routes",
                                "register_cli_commands", "route_incoming_mail", "render_report",
                                "start_services", "render_chatter")
    manager = hooks.new_manager()
    assert manager.hook.route_incoming_mail.spec.opts["firstresult"]
    assert manager.hook.render_report.spec.opts["firstresult"]
    assert not manager.hook.post_install.spec.opts["firstresult"]
