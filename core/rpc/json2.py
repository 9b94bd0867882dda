"""JSON-2: plain JSON over HTTP, authenticated by an API key — the API new integrations use.

- ``POST /json/2/<model>/<method>`` with ``Authorization: bearer <API key>`` and a JSON
  object body: ``ids`` (for methods working on records), ``context``, and the method's
  arguments by name.  The answer is the result as plain JSON (recordsets as lists of
  ids); an error is an HTTP status with a JSON body ``{name, message, arguments,
  context, debug}``: 401 bad or missing key, 403 access refused, 404 unknown model,
  method or record, 422 a business rule refused it, 400 malformed request.
- ``GET /doc/index.json`` lists the models the key's user may read; ``GET
  /doc/<model>.json`` describes one: its fields (as ``fields_get``) and its public
  methods with their parameters (``describe.py``).

The database is the one named by the ``X-Odoo-Database`` header, else the request's
(the only one served).  Each call is one transaction with the key's user's rights.
"""
import json
from collections.abc import Mapping

from werkzeug.exceptions import BadRequest, NotFound, UnsupportedMediaType
from werkzeug.wrappers import Response

from .. import login_throttle
from ..api import SUPERUSER_ID, Environment
from ..exceptions import AccessDenied
from ..http.request import request
from ..http.routing import Controller, route
from . import describe, errors, service
from .marshal import to_wire

DATABASE_HEADER = "X-Odoo-Database"


class Json2(Controller):
    """The JSON-2 endpoints and the model descriptions."""

    @route("/json/2/<string:model>/<string:method>", methods=["POST"], auth="none", csrf=False)
    def call(self, model, method):
        def run(env):
            body = _body()
            ids = body.pop("ids", None)
            context = body.pop("context", None) or {}
            if not isinstance(context, Mapping):
                raise BadRequest(f"'context' must be a JSON object, got {context!r:.80}")
            records = _model(env(context=dict(env.context, **context)), model)
            function = describe.rpc_method(records, method)
            if not describe.is_model_method(function):
                if ids is None:
                    raise BadRequest(f"{model}.{method} works on records: give their 'ids'")
                records = records.browse(service.record_ids(ids, f"{model}.{method}"))
            elif ids is not None:
                raise BadRequest(f"{model}.{method} works on the model: it takes no 'ids'")
            bound = getattr(records, method)
            service.check_arguments(bound, f"{model}.{method}", [], body)
            return service.downgrade(function, [body.get("vals_list")], bound(**body))
        return _answer(run)

    @route("/doc/index.json", methods=["GET"], auth="none", csrf=False)
    def index(self):
        return _answer(lambda env: describe.describe_models(env))

    @route("/doc/<string:model>.json", methods=["GET"], auth="none", csrf=False)
    def model(self, model):
        return _answer(lambda env: describe.describe_model(env, _model(env, model)._name))


def _answer(function):
    """Run ``function(env)`` as the bearer key's user in one transaction; a JSON response."""
    try:
        key = _bearer_key()
        db = request.headers.get(DATABASE_HEADER) or request.db

        def run(cr):
            # wrong keys from one address are throttled like wrong passwords
            with login_throttle.guard(cr, login_throttle.BEARER_KEY):
                uid = Environment(cr, SUPERUSER_ID, {})["res.users.apikeys"]._check_credentials(scope="rpc", key=key)
                if not uid:
                    raise AccessDenied("Invalid API key.")
            env = Environment(cr, uid, {})
            env = env(context=env["res.users"].context_get())
            with errors.caller_mistakes():
                return to_wire(function(env))
        result = request.app.run_in(db, run)
        return Response(json.dumps(result), mimetype="application/json")
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a JSON error answer
        error = errors.describe(exc)
        response = Response(json.dumps(error.json2_body()), status=error.status, mimetype="application/json")
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="tessera"'
        if error.retry_after:
            response.headers["Retry-After"] = str(error.retry_after)
        return response


def _bearer_key():
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AccessDenied("An API key is needed: send the header 'Authorization: bearer <API key>'.")
    return key.strip()


def _body():
    """The request's JSON object (empty allowed); 400 / 415 otherwise."""
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("JSON-2 takes a JSON body (Content-Type: application/json).")
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object of named arguments.")
    return body


def _model(env, name):
    if name not in env:
        raise NotFound(f"There is no model {name!r}.")
    return env[name]
