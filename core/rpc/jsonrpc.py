"""JSON-RPC: ``/jsonrpc`` and the web routes Odoo's JSON clients use.

- ``POST /jsonrpc`` with ``params: {service, method, args}`` runs the same services as
  XML-RPC (``service.py``); JSON has null, so None stays None.
- ``/web/webclient/version_info``, ``/web/database/list``: no session needed.
- ``/web/session/authenticate {db, login, password}`` logs a session in (cookie
  ``session_id``, and ``tessera_db`` for the database) and answers the session info;
  ``get_session_info``, ``check``, ``modules`` and ``destroy`` work on that session;
  ``/web/action/load {action_id}`` gives an action's dict (by id or external id).
- ``/web/dataset/call_kw[/<model>/<method>]`` and ``/web/dataset/call_button`` call a
  model method as the session's user (``kwargs.context`` over the session's context).

Each request is one transaction (the application's); errors take Odoo's JSON shape
(``errors.py``): a call without a valid session gets code 100 "Odoo Session Expired".
"""
from collections.abc import Mapping

from .. import release
from ..http.controllers import end_session, start_session
from ..http.request import request
from ..http.routing import Controller, route
from . import service as rpc_service
from .errors import caller_mistakes
from .marshal import to_wire


class JsonRpc(Controller):
    """``/jsonrpc`` and the ``/web/session``, ``/web/dataset``, ``/web/database`` JSON routes."""

    @route("/jsonrpc", type="json", auth="none", csrf=False)
    def jsonrpc(self, service=None, method=None, args=None, **extra):
        with caller_mistakes():
            if not isinstance(service, str) or not isinstance(method, str):
                raise TypeError("/jsonrpc: params must name a 'service' and a 'method' (strings), "
                                "with their 'args' as a list")
            if not isinstance(args if args is not None else [], list):
                raise TypeError(f"/jsonrpc: 'args' must be a list, got {args!r:.80}")
        return rpc_service.dispatch(request.app, service, method, args or [])

    @route("/web/webclient/version_info", type="json", auth="none", csrf=False)
    def version_info(self, **params):
        return release.version_info()

    @route("/web/database/list", type="json", auth="none", csrf=False)
    def database_list(self, **params):
        return request.app.db_service().list_databases(request.host)

    # ------------------------------------------------------------ sessions
    @route("/web/session/authenticate", type="json", auth="public", csrf=False, database="db")
    def authenticate(self, db=None, login=None, password=None, **params):
        # a browser session: the password, never an API key (as Odoo's interactive login)
        uid = request.env["res.users"].authenticate(login, password, interactive=True)
        start_session(uid)
        return session_info(request.env(user=uid, context=request.session["context"]))

    @route("/web/session/get_session_info", type="json", auth="user", csrf=False)
    def get_session_info(self, **params):
        return session_info(request.env)

    @route("/web/session/check", type="json", auth="user", csrf=False)
    def check(self, **params):
        return None

    @route("/web/session/modules", type="json", auth="user", csrf=False)
    def modules(self, **params):
        return list(request.registry.installed)

    @route("/web/session/destroy", type="json", auth="user", csrf=False)
    def destroy(self, **params):
        end_session()
        return None

    # ------------------------------------------------------------ actions
    @route("/web/action/load", type="json", auth="user", csrf=False)
    def load_action(self, action_id=None, **params):
        """The dict of an action, by id (a window action) or by external id (any kind)."""
        env = request.env
        with caller_mistakes():
            if isinstance(action_id, str) and not action_id.isdigit():
                record = env["ir.model.data"]._xmlid_to_record(action_id, raise_if_not_found=False)
                if record is None or not record._name.startswith("ir.actions."):
                    raise ValueError(f"/web/action/load: there is no action {action_id!r}")
            else:
                record = env["ir.actions.act_window"].browse(int(action_id)).exists()
                if not record:
                    raise ValueError(f"/web/action/load: there is no window action {action_id!r}")
        record.check_access_rule("read")
        if record._name == "ir.actions.act_window":
            return to_wire(record.read_action())
        return to_wire({"id": record.id, "type": record._name, "name": record.name, "url": record.url,
                        "target": record.target})

    # ------------------------------------------------------------ calling models
    @route(["/web/dataset/call_kw", "/web/dataset/call_kw/<path:path>"], type="json", auth="user", csrf=False)
    def call_kw(self, model=None, method=None, args=None, kwargs=None, path=None, **params):
        return to_wire(_call(model, method, args, kwargs))

    @route("/web/dataset/call_button", type="json", auth="user", csrf=False)
    def call_button(self, model=None, method=None, args=None, kwargs=None, **params):
        result = _call(model, method, args, kwargs)
        return to_wire(result) if isinstance(result, Mapping) and result.get("type") else False


def _call(model, method, args, kwargs):
    """``model.method(*args, **kwargs)`` as the session's user; ``kwargs['context']``
    updates the session's context."""
    with caller_mistakes():
        if not isinstance(method, str):
            raise TypeError("call_kw: params must name the 'model' and the 'method' (strings)")
        args = [] if args is None else args
        if not isinstance(args, list) or not isinstance(kwargs or {}, Mapping):
            raise TypeError("call_kw: 'args' must be a list and 'kwargs' an object")
        kwargs = dict(kwargs or {})
        context = kwargs.pop("context", None) or {}
        if not isinstance(context, Mapping):
            raise TypeError(f"call_kw: the context must be an object, got {context!r:.80}")
    env = request.env(context=dict(request.env.context, **context))
    return rpc_service.call_kw(rpc_service.model_of(env, model), method, args, kwargs)


def session_info(env):
    """What Odoo's ``session_info`` tells a JSON client about its session's user."""
    user = env.user
    companies = user.company_ids or user.company_id
    currencies = env["res.currency"].sudo().search([])
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url") or request.host_url.rstrip("/")
    user_context = env["res.users"].context_get()
    return to_wire({
        "uid": user.id,
        "is_system": user._is_system(),
        "is_admin": user._is_admin(),
        "is_public": user._is_public(),
        "user_context": user_context,
        "db": request.db,
        "server_version": release.compatible_series,
        "server_version_info": list(release.compatible_version_info),
        "name": user.name,
        "username": user.login,
        "partner_display_name": user.partner_id.display_name,
        "partner_id": user.partner_id.id,
        "web.base.url": base_url,
        "user_companies": {
            "current_company": user.company_id.id,
            "allowed_companies": {company.id: {"id": company.id, "name": company.name,
                                               "currency_id": company.currency_id.id}
                                  for company in companies.sudo()},
            "disallowed_ancestor_companies": {},
        },
        "currencies": {currency.id: {"symbol": currency.symbol, "position": currency.position,
                                     "digits": [69, currency.decimal_places]} for currency in currencies},
        "user_settings": {"user_id": {"id": user.id}},
        "home_action_id": False,
        "max_file_upload_size": request.app.config.max_request_body,
        "bundle_params": {"lang": user_context["lang"]},
        "display_switch_company_menu": len(companies) > 1,
        "groups": {"base.group_system": user._is_system()},
    })
