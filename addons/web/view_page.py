"""What every view page of a window shares: the search, the URLs, the view switcher.

A window (``window.py``) is shown through one of its views: the list, a kanban board,
a calendar, a graph, a pivot table — chosen by ``view_type=`` in the window's URL
(``/web/action/7?view_type=kanban``), the action's first view by default.  Each view
type registers the function that renders its page with :func:`register`; the window's
root route (``controllers/listview.py``) looks it up with :func:`renderer`.

:class:`ViewPage` is the base of one request's page of any view type: the search view
and the user's search state (``search.py``), the domain they give with the action's,
and the URLs that keep the whole state in the query — so that the search panel
(``templates/web/search_panel.html``) and the view switcher
(``templates/web/view_switcher.html``) work the same on every view.  A subclass adds
its own parameters by extending :meth:`query`.
"""
from urllib.parse import parse_qsl, urlsplit

from core import domain as dom
from core.exceptions import UserError

from .formatting import Formatter, _t
from .search import SearchState, SearchView
from .window import Window, back_param, breadcrumbs

#: view type -> function(window, args) returning the page (a werkzeug Response or HTML)
_RENDERERS = {}
#: the label of each view type in the switcher (translated when shown)
VIEW_LABELS = {"list": _t("List"), "kanban": _t("Kanban"), "calendar": _t("Calendar"), "graph": _t("Graph"),
               "pivot": _t("Pivot")}


def register(view_type):
    """Decorator: ``@register("kanban") def kanban_page(window, args): ...``."""
    def decorate(function):
        _RENDERERS[view_type] = function
        return function
    return decorate


def renderer(view_type):
    """The function rendering ``view_type`` pages, or None if this client cannot show it."""
    return _RENDERERS.get(view_type)


def shown_views():
    """The view types this client shows in a page of their own (the form aside)."""
    return tuple(_RENDERERS)


class ViewPage:
    """One request's page of a window in one view type, as the query ``args`` describes it."""

    #: the view type of the page (``list``, ``kanban``...), set by subclasses
    view_type = None

    def __init__(self, window, args, fmt):
        self.window = window
        self.fmt = fmt
        self.model = window.records
        self.search = SearchView(window, fmt)
        self.state = SearchState.from_args(self.search, args)
        self.back = back_param(args.get("back")) if args.get("back") else None
        try:
            self.domain = dom.AND([window.domain, self.state.domain()])
            dom.normalize(self.domain)
        except ValueError as exc:
            raise UserError(fmt._("Invalid search: %s") % exc) from None
        self._url = None

    # ------------------------------------------------------------ URLs
    def query(self, state=None, **changes):
        """The query of this page's URL with ``state`` (default: the current search) and ``changes``."""
        query = (state or self.state).query()
        query["back"] = self.back
        query["view_type"] = self.view_type if self.view_type != self.window.default_view_type() else None
        query.update(changes)
        return query

    def url(self, state=None, **changes):
        return self.window.url(**self.query(state, **changes))

    @property
    def current_url(self):
        if self._url is None:
            self._url = self.url()
        return self._url

    def search_url(self, state):
        """This view with another search state (from its start: first page, nothing expanded)."""
        return self.url(state)

    def hidden_fields(self, url=None, exclude=()):
        """``[(name, value)]`` of ``url``'s query (default: this page), for GET forms."""
        return [(k, v) for k, v in parse_qsl(urlsplit(url or self.current_url).query, keep_blank_values=True)
                if k not in exclude]

    # ------------------------------------------------------------ opening and rendering
    @classmethod
    def open(cls, env, action_id, model, params, args):
        """The loaded page of the window of a request under a window root (``window_paths``),
        for a route of this view type (its CSV export, say): UserError if the window has no
        such view."""
        window = Window.from_request(env, action_id, model, params)
        fmt = Formatter(window.env)
        if cls.view_type not in window.view_modes:
            raise UserError(fmt._("This window has no “%s” view.") % cls.view_type)
        return cls(window, args, fmt).load()

    def load(self):
        """Read what the page shows; returns the page."""
        return self

    def render(self, template, **values):
        """The page rendered with ``template`` in the layout, with its breadcrumbs."""
        from .controllers.home import render_page
        return render_page(template, {"page": self, "crumbs": breadcrumbs(self.window.env, self.back, self.window.name),
                                      **values}, window=self.window)

    # ------------------------------------------------------------ the view switcher
    def views(self):
        """``[(view_type, label, url, current)]`` of the window's views, for the switcher:
        each keeps the search (filters, text, group-bys) and nothing else of this view."""
        default = self.window.default_view_type()
        result = []
        for mode in self.window.view_modes:
            if mode == "form" or renderer(mode) is None:
                continue
            query = self.state.query()
            query["back"] = self.back
            query["view_type"] = mode if mode != default else None
            result.append((mode, self.fmt._(VIEW_LABELS.get(mode, mode)), self.window.url(**query),
                           mode == self.view_type))
        return result
