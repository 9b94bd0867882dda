"""Version facts: Tessera's own version, and the Odoo version its external API speaks.

Client libraries read ``server_version`` / ``server_version_info`` (from
``common.version()`` and ``/web/webclient/version_info``) to decide how to talk to
the server: odoorpc, for one, uses ``/jsonrpc`` from version 10 on.  Tessera
answers with the Odoo series whose wire protocol it implements, and names itself
in ``tessera_version``.
"""
#: Tessera's version
version = "0.1.0"
#: the Odoo series whose external API Tessera implements: (major, minor, micro, level, serial, suffix)
compatible_version_info = (17, 0, 0, "final", 0, "")
compatible_series = "17.0"
#: the external API's protocol version (Odoo's ``protocol_version``)
protocol_version = 1


def version_info():
    """The structure of ``common.version()`` and ``/web/webclient/version_info``."""
    return {
        "server_version": compatible_series,
        "server_version_info": list(compatible_version_info),
        "server_serie": compatible_series,
        "protocol_version": protocol_version,
        "tessera_version": version,
    }
