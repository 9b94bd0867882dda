"""Framework extension points: pluggy hook specifications and the plugin manager.

Business models are extended with ``_inherit``; everything else an addon plugs into
the framework — install and uninstall steps, HTTP routes, CLI commands, mail routing,
the chatter under forms, report rendering — goes through the hooks declared here.  An
addon implements them in its own ``hooks.py``, with plain functions marked ``@hookimpl``::

    # addons/crm/hooks.py
    from core.hooks import hookimpl

    @hookimpl
    def post_install(env, module):
        if module == "crm":       # called for every install: act on our own
            env["crm.stage"].create({"name": "New"})

An implementation may take any subset of the specification's arguments, by name.
Only installed addons are registered (``plugin_manager``), and registration checks
everything up front: a marked function whose name is not a hook, an argument the
hook does not have, or a hook-named function without the marker fails with an error
that names the addon.

Calling order is pluggy's: the last registered first, so an addon is called before
the addons it depends on; for ``firstresult`` hooks the most specific addon wins.

This module owns the specifications and the manager's construction; when each hook
is called belongs to the callers (module loader, HTTP layer, CLI, mail gateway).
"""
import difflib
import importlib
import importlib.util
import inspect

import pluggy

PROJECT = "tessera"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class TesseraHooks:
    """The hook specifications (the functions' bodies are never run)."""

    @hookspec
    def post_install(self, env, module):
        """Addon ``module`` was just installed: its models, data and translations are loaded.

        Called on every registered addon (including the new one, registered first),
        in the installing transaction with a superuser ``env``.  Check ``module`` to
        act on your own install only; react to another addon's install otherwise.
        """

    @hookspec
    def pre_uninstall(self, env, module):
        """Addon ``module`` is about to be uninstalled: its data and tables still exist.

        Called on every registered addon, the leaving one included, with a superuser ``env``.
        """

    @hookspec
    def register_routes(self, routes):
        """Add HTTP routes and controllers to ``routes`` (the web layer's route collection)."""

    @hookspec
    def register_cli_commands(self, subparsers):
        """Add sub-commands to the command line: ``subparsers`` is argparse's ``add_subparsers()``."""

    @hookspec(firstresult=True)
    def route_incoming_mail(self, env, message):
        """The record an incoming ``message`` (``email.message.EmailMessage``) belongs to, or None.

        The first implementation returning a record wins; None passes the message on.
        """

    @hookspec(firstresult=True)
    def render_report(self, env, report_name, docids, data):
        """Render report ``report_name`` for the records ``docids``: ``(content, mimetype)`` or None.

        The first implementation that knows the report returns its rendering.
        """

    @hookspec
    def start_services(self, config, open_registry):
        """The server process starts: start the addon's long-running services besides HTTP
        (an inbound SMTP listener, …) and return an object with a ``stop()`` method, or None.

        ``config`` is the server's :class:`~core.config.Config`; ``open_registry()`` gives the
        served database's current registry (an install replaces it: call it for each unit of
        work).  Called once, after the HTTP application is built; ``stop()`` is called when
        the server ends.
        """

    @hookspec(firstresult=True)
    def render_chatter(self, env, record, page_url):
        """The chatter shown under the form of the saved ``record`` (``Markup``), or None.

        Called by the web client, with the request user's ``env``, when a form view holds
        ``<chatter/>`` (or Odoo's ``<div class="oe_chatter">``); ``page_url`` is the
        form page's address, where the chatter's forms come back to.  The first
        implementation returning something wins; with none the tag shows nothing.
        """


HOOK_NAMES = tuple(name for name, value in vars(TesseraHooks).items()
                   if callable(value) and not name.startswith("_"))


class HookError(pluggy.PluginValidationError):
    """An addon's ``hooks.py`` does not fit the specifications; the message names the addon."""


def new_manager():
    """An empty plugin manager that knows Tessera's hook specifications."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(TesseraHooks)
    return manager


def plugin_manager(modules):
    """The plugin manager of the installed addons ``modules``, checked.

    ``modules`` are ``(name, package)`` pairs in load order (``("crm", "addons.crm")``);
    a plain name stands for ``(name, "addons.<name>")``.  Each addon's optional
    ``<package>.hooks`` module is imported and registered under the addon's name.
    Raises :class:`HookError` naming the addon when a hook is unknown (misspelt),
    takes an argument its specification lacks, or is not marked ``@hookimpl``; an
    error while importing ``hooks.py`` propagates with a note naming the addon.
    """
    manager = new_manager()
    for item in modules:
        name, package = (item, f"addons.{item}") if isinstance(item, str) else item
        module = _import_hooks(name, package)
        if module is not None:
            register(manager, name, module)
    check(manager)
    return manager


def _import_hooks(name, package):
    """``<package>.hooks``, or None when the addon has no ``hooks.py``."""
    try:
        missing = importlib.util.find_spec(f"{package}.hooks") is None
    except ModuleNotFoundError as exc:
        raise HookError(None, f"Addon {name!r}: cannot import its package {package!r}: {exc}") from exc
    if missing:
        return None
    try:
        return importlib.import_module(f"{package}.hooks")
    except Exception as exc:
        exc.add_note(f"while importing the hooks of addon {name!r} ({package}.hooks)")
        raise


def register(manager, name, plugin):
    """Register ``plugin`` (a module or object) for addon ``name``, checking its implementations."""
    where = _where(name, plugin)
    for attr, value in sorted(vars(plugin).items()) if inspect.ismodule(plugin) else ():
        if (attr in HOOK_NAMES and inspect.isfunction(value) and value.__module__ == plugin.__name__
                and manager.parse_hookimpl_opts(plugin, attr) is None):
            raise HookError(plugin, f"{where}: function {attr!r} has the name of a hook but is not "
                                    f"marked: decorate it with @hookimpl (from core.hooks import hookimpl)")
    try:
        manager.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        detail = str(exc).split("\n", 1)[-1].replace("\n", "; ")
        hook_name = next((h for h in HOOK_NAMES if f"for hook {h!r}" in str(exc)), None)
        if hook_name:
            allowed = ", ".join(getattr(manager.hook, hook_name).spec.argnames)
            detail = f"hook {hook_name!r} takes only ({allowed}): {detail}"
        raise HookError(exc.plugin, f"{where}: {detail}") from exc
    except ValueError as exc:  # registered twice
        raise HookError(plugin, f"{where}: {exc}") from exc


def check(manager):
    """Fail on a marked implementation of a hook that does not exist (a misspelt name)."""
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        plugin = exc.plugin
        name = manager.get_name(plugin) or repr(plugin)
        unknown = sorted(
            hook_name for hook_name, caller in vars(manager.hook).items()
            if not hook_name.startswith("_") and not caller.has_spec()
            and any(impl.plugin is plugin for impl in caller.get_hookimpls()))
        hints = []
        for hook_name in unknown:
            close = difflib.get_close_matches(hook_name, HOOK_NAMES, n=1)
            hints.append(f"{hook_name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise HookError(plugin, f"{_where(name, plugin)}: unknown hook {', '.join(hints)}; "
                                f"the hooks are: {', '.join(HOOK_NAMES)}") from exc


def _where(name, plugin):
    path = getattr(plugin, "__file__", None)
    return f"Addon {name!r}" + (f" ({path})" if path else "")
