"""The external API: Odoo-compatible XML-RPC and JSON-RPC, JSON-2, model descriptions.

- ``service.py``: the ``common``, ``object`` and ``db`` services and ``call_kw``, the
  one place a remote call becomes a model method call;
- ``marshal.py``: results to wire data, XML-RPC bodies in and out;
- ``errors.py``: an exception as each protocol tells it (faults, JSON errors, statuses);
- ``describe.py``: which methods are callable remotely, and model descriptions;
- ``db_service.py``: database management (the ``db`` service, master password);
- ``xmlrpc.py``, ``jsonrpc.py``, ``json2.py``: the HTTP endpoints, added to every
  :class:`core.http.Application`.

Nothing is imported here, so that ``core.http`` and ``core.rpc`` can import each other's
modules without a cycle.
"""
