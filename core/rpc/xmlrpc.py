"""XML-RPC over HTTP: ``/xmlrpc/2/<service>`` and the legacy ``/xmlrpc/<service>``.

A POST carries one ``methodCall``; the answer is a ``methodResponse`` with the result
or a fault — always HTTP 200, as XML-RPC clients expect (only a body refused whole,
too large for ``max_request_body``, gets HTTP 413).  ``/xmlrpc/2`` faults carry
Odoo's integer codes, the legacy routes its string codes (see ``errors.py``).  The
services themselves are in ``service.py``.
"""
from xmlrpc.client import Fault

from werkzeug.wrappers import Response

from ..http.request import request
from ..http.routing import Controller, route
from . import errors, marshal, service


class XmlRpc(Controller):
    """The XML-RPC endpoints (no session, no CSRF: every call carries its credentials)."""

    @route("/xmlrpc/2/<string:service_name>", methods=["POST"], auth="none", csrf=False)
    def xmlrpc_2(self, service_name):
        return answer(service_name, legacy=False)

    @route("/xmlrpc/<string:service_name>", methods=["POST"], auth="none", csrf=False)
    def xmlrpc_legacy(self, service_name):
        return answer(service_name, legacy=True)


def answer(service_name, legacy):
    """The XML-RPC response to the current request, for ``service_name``."""
    data = request.get_data(cache=False)     # too large: HTTP 413, before any parsing
    try:
        method, params = marshal.loads_xmlrpc(data)
        result = service.dispatch(request.app, service_name, method, params, xmlrpc=True)
        body = marshal.dumps_xmlrpc(result)
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a fault
        body = marshal.dumps_xmlrpc(fault=fault(exc, legacy))
    return Response(body, mimetype="text/xml")


def fault(exc, legacy):
    """The ``Fault`` telling ``exc`` to an XML-RPC client."""
    error = errors.describe(exc)
    return Fault(error.legacy_code if legacy else error.fault_code, error.message)
