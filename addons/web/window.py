"""A window: one action being shown in the browser, and the URLs inside it.

Every page of the web client shows a model through a *window*: the window action
of a menu (``/web/action/<id>``), or a model alone with its default views
(``/web/model/<model>``), which is where many2one links and the action dicts that
buttons return lead.  A window knows its model, the action's domain and context
(evaluated for the current user), its view types in order, and builds the links
that stay inside it: the list (``url()``), a record (``url(7)``), a new record
(``url('new')``), with the menu the user came from kept along.

Breadcrumbs need no server state: a page reached from another carries the URL of
that page in its ``back`` parameter, and :func:`breadcrumbs` follows the chain.
"""
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from lxml import etree
from werkzeug.exceptions import NotFound

from core import security
from core.exceptions import UserError
from core.i18n import translate
from core.http import safe_redirect_target
from core.tools.safe_eval import EvalError, safe_eval

#: the two roots of a window's URLs: an action, or a model with its default views
WINDOW_BASES = ("/web/action/<int:action_id>", "/web/model/<string:model>")
#: the view types an action may name (``tree`` is read as ``list``); those this client
#: cannot show are left out of a window (see ``view_page.renderer``)
VIEW_TYPES = ("list", "form", "kanban", "calendar", "graph", "pivot")
#: how deep a breadcrumb chain is followed
MAX_CRUMBS = 6


class Window:
    """A model shown through an action (or through its default views)."""

    def __init__(self, env, model, *, action_id=None, name=None, domain=None, context=None,
                 view_modes=("list", "form"), view_ids=None, search_view_id=None, limit=80,
                 help=None, menu_id=None):
        if model not in env:
            raise NotFound(f"There is no model {model!r}.")
        self.model = model
        self.action_id = action_id
        self.context = dict(env.context, **(context or {}))
        self.env = env(context=self.context)
        self.records = self.env[model]
        self.name = name or self.records._description or model
        self.domain = list(domain or [])
        modes = [("list" if mode == "tree" else mode) for mode in view_modes]
        self.view_modes = [mode for mode in modes if mode in VIEW_TYPES and _shown(mode)]
        if any(mode != "form" for mode in modes) and all(mode == "form" for mode in self.view_modes):
            self.view_modes.insert(0, "list")      # views this client cannot show: the list instead
        if "form" not in self.view_modes:
            self.view_modes.append("form")
        self.view_ids = dict(view_ids or {})
        self.search_view_id = search_view_id
        self.limit = limit or 80
        self.help = help
        self.menu_id = menu_id
        self._views = {}
        self._domain_param = self._context_param = None

    # ------------------------------------------------------------ construction
    @classmethod
    def from_action(cls, env, action_id, menu_id=None, extra_context=None):
        action = env["ir.actions.act_window"].browse(action_id).exists()
        if not action:
            raise NotFound(f"There is no window action {action_id}.")
        info = action.read_action()
        names = evaluation_names(env, extra_context)
        context = evaluate(info["context"] or "{}", names, dict, f"action {action_id}: context")
        names["context"] = dict(env.context, **context)
        domain = evaluate(info["domain"] or "[]", names, list, f"action {action_id}: domain")
        view_ids = {("list" if t == "tree" else t): vid for vid, t in info["views"] if vid}
        return cls(env, info["res_model"], action_id=action.id, name=info["name"], domain=domain,
                   context=dict(context, **(extra_context or {})), view_modes=info["view_mode"],
                   view_ids=view_ids,
                   search_view_id=info["search_view_id"][0] if info["search_view_id"] else None,
                   limit=info["limit"], help=info["help"], menu_id=menu_id)

    @classmethod
    def from_request(cls, env, action_id, model, params):
        """The window of a request under ``/web/action/<action_id>`` or ``/web/model/<model>``.

        A ``context`` (JSON) in the query of an action's URL is added to the action's:
        that is how ``type="action"`` buttons pass ``active_id``.  Bad parameters raise
        a UserError that says which.
        """
        try:
            if action_id:
                extra = _json_param(params.get("context"), dict, "context")
                window = cls.from_action(env, action_id, menu_id=int_param(params.get("menu_id")),
                                         extra_context=extra)
                window._context_param = params.get("context") if extra else None
                return window
            return cls.from_params(env, dict(params, model=model))
        except ValueError as exc:
            raise UserError(str(exc)) from None

    @classmethod
    def from_model(cls, env, model, menu_id=None, domain=None, context=None, name=None):
        return cls(env, model, domain=domain, context=context, name=name, menu_id=menu_id)

    @classmethod
    def from_params(cls, env, params):
        """The window of a request to ``/web/model/<model>``: ``domain`` and ``context``
        may come as JSON in the query (where action dicts of buttons lead)."""
        domain = _json_param(params.get("domain"), list, "domain")
        context = _json_param(params.get("context"), dict, "context")
        window = cls.from_model(env, params["model"], menu_id=int_param(params.get("menu_id")), domain=domain,
                                context=context, name=params.get("name"))
        window._domain_param = params.get("domain") if domain else None
        window._context_param = params.get("context") if context else None
        return window

    # ------------------------------------------------------------ URLs
    @property
    def base_url(self):
        return f"/web/action/{self.action_id}" if self.action_id else f"/web/model/{self.model}"

    def url(self, record=None, suffix="", **params):
        """The URL of this window's list (``record`` None), of a record (an id or a
        record), or of a new record (``'new'``); ``params`` become the query."""
        path = self.base_url
        if record is not None:
            path += "/new" if record == "new" else f"/{int(getattr(record, 'id', record))}"
        path += suffix
        query = {}
        if self.menu_id:
            query["menu_id"] = self.menu_id
        # the domain and context given in the URL (a model's window; an action's window
        # may get a context too: the active_id of a type="action" button) stay along
        for key in ("domain", "context"):
            value = getattr(self, f"_{key}_param", None)
            if value:
                query[key] = value
        query.update((k, v) for k, v in params.items() if v not in (None, "", False, [], ()))
        return path + ("?" + urlencode(query, doseq=True) if query else "")

    # ------------------------------------------------------------ views
    def view(self, view_type):
        """The view description of ``get_view`` with its parsed ``root`` element."""
        view_type = "list" if view_type == "tree" else view_type
        if view_type not in self._views:
            view_id = self.search_view_id if view_type == "search" else self.view_ids.get(view_type)
            description = self.env["ir.ui.view"].get_view(self.model, view_type, view_id)
            description["root"] = etree.fromstring(description["arch"])
            self._views[view_type] = description
        return self._views[view_type]

    def default_view_type(self):
        return self.view_modes[0]

    def can(self, operation):
        """May the user ``create`` / ``write`` / ``unlink`` records of this model at all?"""
        return security.check_model_access(self.env, self.model, operation, raise_exception=False) \
            if not self.env.su else True


def _shown(mode):
    from .view_page import renderer
    return mode == "form" or renderer(mode) is not None


def window_paths(suffix=""):
    """The route paths of ``suffix`` under both window roots (``/new``, ``/<int:res_id>``...)."""
    return [base + suffix for base in WINDOW_BASES]


# ---------------------------------------------------------------- expressions
def evaluation_names(env, extra_context=None):
    """The names action domains and contexts may use (as in Odoo's web client)."""
    import datetime
    import time
    context = dict(env.context, **(extra_context or {}))
    return {
        "uid": env.uid, "user": env.user, "context": context, "time": time,
        "datetime": datetime, "context_today": datetime.date.today,
        "active_id": context.get("active_id"), "active_ids": context.get("active_ids", []),
        "active_model": context.get("active_model"), "allowed_company_ids": [env.company.id],
        "current_company_id": env.company.id,
    }


def evaluate(expression, names, kind, where):
    """``expression`` evaluated safely; it must give a ``kind`` (list or dict)."""
    if not isinstance(expression, str):
        value = expression
    else:
        try:
            value = safe_eval(expression, names)
        except EvalError as exc:
            raise ValueError(f"{where}: {exc}") from None
    if not isinstance(value, kind):
        raise ValueError(f"{where}: {expression!r} is not a {kind.__name__}")
    return value


def _json_param(text, kind, name):
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError(f"The {name} parameter is not valid JSON.") from None
    if not isinstance(value, kind):
        raise ValueError(f"The {name} parameter must be a JSON {kind.__name__}.")
    return value


def int_param(value):
    """``value`` (a URL parameter) as an int, or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- breadcrumbs
_WINDOW_PATH = re.compile(r"^/web/(?:action/(?P<action>\d+)|model/(?P<model>[\w.]+))"
                          r"(?:/(?P<record>\d+|new))?$")


def back_param(url):
    """The ``back`` value to put on links leaving the page at ``url``."""
    return safe_redirect_target(url, default=None)


def breadcrumbs(env, back, current_label):
    """``[(label, url)]`` from the oldest page to the current one (whose url is None).

    ``back`` is the URL of the page the user came from; that page's own ``back``
    parameter leads further, up to :data:`MAX_CRUMBS` pages.  Labels are the action's
    name for a list and the record's name for a record.
    """
    crumbs = [(current_label, None)]
    seen = 0
    while back and seen < MAX_CRUMBS:
        back = safe_redirect_target(back, default=None)
        if not back:
            break
        parts = urlsplit(back)
        match = _WINDOW_PATH.match(parts.path)
        if not match:
            break
        crumbs.insert(0, (_crumb_label(env, match), back))
        back = dict(parse_qsl(parts.query)).get("back")
        seen += 1
    return crumbs


def _crumb_label(env, match):
    model = match["model"]
    label = None
    if match["action"]:
        action = env["ir.actions.act_window"].browse(int(match["action"])).exists()
        model = action.res_model if action else None
        label = action.name if action else "?"
    if model not in env:
        return label or "?"
    if match["record"] == "new":
        return translate("New", env.lang, ("web",))
    if match["record"]:
        record = env[model].browse(int(match["record"])).exists()
        return record.display_name if record else "?"
    return label or env[model]._description or model
