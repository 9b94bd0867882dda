"""The Apps page: the addons found on the addons path and their state in this database;
installing, upgrading and uninstalling them from the browser.

``/web/apps`` lists the addons (``ir.module.module``) with filters (apps, installed,
not installed, all) and a text search.  Every operation is a POST carrying the CSRF
token; it runs the module manager in the request's transaction, inside a savepoint:

- when it fails, everything it did (tables, records, states) is undone and the Apps
  page shows why, with status 400;
- when it succeeds, the browser is sent back (303) to the Apps page, whose message
  names what changed, dependencies pulled in included (``?done=installed&module=x&also=y``).

Uninstalling first shows the dry-run plan (``GET /web/apps/<name>/uninstall``): the
addons that go with it, the models with their record counts, the tables and columns
dropped, the other records removed; its form confirms (POST to the same URL).  Only
administrators (``base.group_system``) may see or use any of it; ``base`` and ``web``
are never uninstalled from here.

It does not own the life cycle of addons (core/modules/manager.py, reached through
``ir.module.module``), nor the application's rebuild of routes and templates once an
addon came or went (core/http/application.py), nor the busy overlay (static/src/js/layout.js).
"""
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from core.exceptions import AccessError, UserError
from core.http import Controller, request, route
from core.i18n import translate

from .home import render_page

#: states of an addon whose code is loaded in the registry
INSTALLED = ("installed", "to upgrade", "to remove")
#: the filters of the page: name -> domain
FILTERS = {
    "apps": [("application", "=", True)],
    "installed": [("state", "in", INSTALLED)],
    "not_installed": [("state", "not in", INSTALLED)],
    "all": [],
}
DEFAULT_FILTER = "apps"
#: the framework itself and the client showing this page: never uninstalled from here
PROTECTED = ("base", "web")
MAX_SEARCH = 100
#: operation -> (the state it starts from, the ir.module.module method, what the message says)
OPERATIONS = {
    "install": ("uninstalled", "button_immediate_install", "installed"),
    "upgrade": ("installed", "button_immediate_upgrade", "upgraded"),
    "uninstall": ("installed", "button_immediate_uninstall", "uninstalled"),
}


def _t(message, **values):
    """``message`` in the user's language, ``%(name)s`` placeholders filled from ``values``."""
    text = translate(message, request.env.lang, ("web", "base"))
    return text % values if values else text


def check_admin():
    """Only administrators may see the addons or change them (a clean 403 for the others)."""
    if not request.env.user.has_group("base.group_system"):
        raise AccessError(_t("Only administrators (the Settings group) may manage apps."))


def view_state(params):
    """The page's filter, search text and menu from the request; bad values are refused."""
    name = params.get("filter") or DEFAULT_FILTER
    if name not in FILTERS:
        raise UserError(_t("Unknown filter '%(name)s': use one of %(names)s.",
                           name=name, names=", ".join(FILTERS)))
    search = (params.get("search") or "").strip()
    if len(search) > MAX_SEARCH:
        raise UserError(_t("The search text is too long (at most %(max)s characters).", max=MAX_SEARCH))
    menu_id = params.get("menu_id")
    return {"filter": name, "search": search,
            "menu_id": int(menu_id) if isinstance(menu_id, str) and menu_id.isdigit() else None}


def apps_url(view, **extra):
    """The Apps page's URL keeping the view's filter, search and menu; ``extra`` is added."""
    query = {"filter": view["filter"] if view["filter"] != DEFAULT_FILTER else None,
             "search": view["search"], "menu_id": view["menu_id"]}
    query.update(extra)
    query = {key: value for key, value in query.items() if value not in (None, "", [], ())}
    return "/web/apps" + ("?" + urlencode(query) if query else "")


def find_module(name):
    module = request.env["ir.module.module"].search([("name", "=", name)], limit=1)
    if not module:
        raise NotFound(_t("There is no addon named '%(name)s' on this server.", name=name))
    return module


def run_operation(module, method):
    """``module.<method>()`` in a savepoint of the request's transaction: all of it or nothing.

    The module manager puts the new registry in service when the request commits; a
    rolled back savepoint cancels that, so the server goes on serving the addons the
    database really has.
    """
    try:
        with request.env.cr.savepoint():
            return getattr(module, method)()
    except BaseException:
        request.env.invalidate_all()
        raise


def _title(module):
    return module.shortdesc or module.name


class Apps(Controller):
    """The Apps page, its operations and the uninstall plan."""

    # ------------------------------------------------------------ the list
    @route("/web/apps", methods=["GET"], auth="user")
    def apps(self, **params):
        check_admin()
        view = view_state(params)
        return self._render_list(view, notice=self._notice(params))

    def _render_list(self, view, notice=None, error=None, status=200):
        Module = request.env["ir.module.module"]
        domain = list(FILTERS[view["filter"]])
        if view["search"]:
            text = view["search"]
            domain += ["|", "|", "|", ("name", "ilike", text), ("shortdesc", "ilike", text),
                       ("summary", "ilike", text), ("category", "ilike", text)]
        modules = Module.search(domain)
        rows = [{
            "name": module.name, "title": _title(module), "summary": module.summary or "",
            "author": module.author or "", "category": module.category or "",
            "version": module.latest_version or module.published_version or "",
            "state": module.state, "application": module.application,
            "can_install": module.state == "uninstalled",
            "can_upgrade": module.state == "installed",
            "can_uninstall": module.state == "installed" and module.name not in PROTECTED,
        } for module in modules]
        values = {"view": view, "rows": rows, "filters": list(FILTERS), "notice": notice, "error": error,
                  "link": lambda **changes: apps_url({**view, **changes}),
                  "query": apps_url(view)[len("/web/apps"):],
                  "max_search": MAX_SEARCH, "csrf_token": request.csrf_token()}
        return render_page("web/apps.html", values, status=status)

    def _notice(self, params):
        """What the previous operation did (``?done=...``), told from the database's state:
        names that do not match it are not shown."""
        done = params.get("done")
        if done == "updated":
            count = params.get("count") or "0"
            return {"kind": "updated", "count": int(count) if count.isdigit() else 0, "others": []}
        if done not in ("installed", "upgraded", "uninstalled"):
            return None
        main = params.get("module") or ""
        also = [name for name in (params.get("also") or "").split(",") if name and name != main][:50]
        modules = request.env["ir.module.module"].search([("name", "in", [main] + also)])
        present = {m.name: m for m in modules if (m.state in INSTALLED) == (done != "uninstalled")}
        if main not in present:
            return None
        return {"kind": done, "module": _title(present[main]),
                "others": [_title(present[name]) for name in also if name in present]}

    # ------------------------------------------------------------ operations
    @route("/web/apps/update", methods=["POST"], auth="user")
    def update_list(self, **params):
        """Scan the addons path again and refresh the list (new addons, changed manifests)."""
        check_admin()
        view = view_state(params)
        try:
            with request.env.cr.savepoint():
                created = request.env["ir.module.module"].update_list()
        except (ValueError, UserError) as exc:
            return self._render_list(view, error=_t("Updating the apps list failed: %(error)s", error=exc),
                                     status=400)
        return redirect(apps_url(view, done="updated", count=created), 303)

    @route("/web/apps/<string:name>/install", methods=["POST"], auth="user")
    def install(self, name, **params):
        return self._operate(name, "install", params)

    @route("/web/apps/<string:name>/upgrade", methods=["POST"], auth="user")
    def upgrade(self, name, **params):
        return self._operate(name, "upgrade", params)

    def _operate(self, name, operation, params):
        check_admin()
        view = view_state(params)
        module = find_module(name)
        start_state, method, done = OPERATIONS[operation]
        title = _title(module)
        if module.state != start_state:
            message = (_t("%(name)s is already installed.", name=title) if operation == "install"
                       else _t("%(name)s is not installed.", name=title))
            return self._render_list(view, error=message, status=400)
        try:
            names = run_operation(module, method) or []
        except (ValueError, UserError) as exc:
            if operation == "install":
                message = _t("Installing %(name)s failed, nothing was installed: %(error)s",
                             name=title, error=exc)
            else:
                message = _t("Upgrading %(name)s failed, nothing was changed: %(error)s",
                             name=title, error=exc)
            return self._render_list(view, error=message, status=400)
        others = ",".join(n for n in names if n != name)
        return redirect(apps_url(view, done=done, module=name, also=others), 303)

    # ------------------------------------------------------------ uninstall
    @route("/web/apps/<string:name>/uninstall", methods=["GET", "POST"], auth="user")
    def uninstall(self, name, **params):
        """GET: what uninstalling would remove; POST (the confirmation): uninstall."""
        check_admin()
        view = view_state(params)
        module = find_module(name)
        refusal = self._refusal(module)
        if refusal:
            return self._render_plan(module, view, error=refusal, status=400)
        if request.method == "GET":
            try:
                plan = module.plan_uninstall()
            except (ValueError, UserError) as exc:
                return self._render_plan(module, view, error=str(exc), status=400)
            return self._render_plan(module, view, plan=plan)
        try:
            names = run_operation(module, "button_immediate_uninstall") or []
        except (ValueError, UserError) as exc:
            error = _t("Uninstalling %(name)s failed, nothing was removed: %(error)s",
                       name=_title(module), error=exc)
            return self._render_plan(module, view, error=error, status=400)
        others = ",".join(n for n in names if n != name)
        return redirect(apps_url(view, done="uninstalled", module=name, also=others), 303)

    @staticmethod
    def _refusal(module):
        if module.name == "base":
            return _t("Base cannot be uninstalled: every other addon is built on it.")
        if module.name == "web":
            return _t("The web client cannot be uninstalled from the web client itself.")
        if module.state != "installed":
            return _t("%(name)s is not installed.", name=_title(module))
        return None

    def _render_plan(self, module, view, plan=None, error=None, status=200):
        values = {"module": {"name": module.name, "title": _title(module)}, "view": view, "error": error,
                  "plan": None, "apps_url": apps_url(view), "csrf_token": request.csrf_token()}
        if plan is not None:
            env = request.env
            titles = {m.name: _title(m) for m in env["ir.module.module"].search(
                [("name", "in", plan["modules"])])}
            values["plan"] = {
                "modules": [{"name": name, "title": titles.get(name, name),
                             "dependent": name in plan["dependents"]} for name in plan["modules"]],
                "models": [{"model": name, "label": env[name]._description if name in env else name,
                            "count": plan["record_counts"].get(name, 0)} for name in plan["models"]],
                "tables": plan["tables"], "columns": plan["columns"],
                "records": sorted(plan["owned_records"].items()),
                "files": len(plan["files"]),
            }
        return render_page("web/apps_uninstall.html", values, status=status)
