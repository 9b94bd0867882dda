"""Real Odoo client libraries, unchanged, against the real server on loopback.

- OCA ``odoorpc`` 0.10.1: JSON-RPC; at connect it posts /web/webclient/version_info, logs in
  through ``common.login`` + ``res.users.context_get``, builds typed proxies from ``fields_get``,
  loads records with ``read(..., load='_classic_write')`` and follows many2one fields lazily.
- ``odoolib`` (odoo-client-lib 2.0.1): ``get_connection(protocol="xmlrpc"|"jsonrpc")`` over
  the legacy ``/xmlrpc/<service>`` routes or ``/jsonrpc``; its ``search_read`` is a positional
  ``search(domain, offset, limit, order)`` then ``read(ids, fields)``.

If one of these tests fails, an integrator's unchanged script fails the same way.
"""
from urllib.parse import urlsplit

import pytest

from .conftest import ADMIN_UID, unique

odoorpc = pytest.importorskip("odoorpc")
odoolib = pytest.importorskip("odoolib")


def port_of(server):
    return urlsplit(server.url).port


@pytest.fixture(scope="module")
def odoo(rpc_server, db_name):
    """An odoorpc.ODOO logged in as admin."""
    client = odoorpc.ODOO("127.0.0.1", port=port_of(rpc_server))
    client.login(db_name, "admin", "admin")
    return client


# ---------------------------------------------------------------- odoorpc
def test_odoorpc_connects_and_logs_in(odoo, rpc_server):
    assert odoo.version == "17.0"
    assert odoo.env.uid == ADMIN_UID
    with rpc_server.env() as env:
        assert odoo.env.user.name == env["res.users"].browse(ADMIN_UID).name
    assert odoo.env.context["lang"] == "en_US"


def test_odoorpc_wrong_password(rpc_server, db_name, failer):
    client = odoorpc.ODOO("127.0.0.1", port=port_of(rpc_server))
    with pytest.raises(odoorpc.error.RPCError):
        client.login(db_name, failer[1], "wrong")


def test_odoorpc_model_membership(odoo):
    assert "res.partner" in odoo.env
    assert "no.such.model" not in odoo.env


def test_odoorpc_search_browse_and_many2one_proxy(odoo, rpc_server):
    Partner = odoo.env["res.partner"]
    ids = Partner.search([("is_company", "=", True)], order="name")
    with rpc_server.env() as env:
        assert ids == env["res.partner"].search([("is_company", "=", True)], order="name").ids
        muller = env.ref("base.res_partner_1").id
    partner = Partner.browse(muller)
    assert partner.name == "Müller Maschinenbau GmbH"
    assert partner.is_company is True
    assert partner.country_id.name == "Germany"
    assert partner.country_id.code == "DE"
    records = Partner.browse(ids[:3])
    assert [p.id for p in records] == ids[:3]


def test_odoorpc_read_create_write_unlink(odoo, rpc_server):
    Partner = odoo.env["res.partner"]
    name = unique()
    new_id = Partner.create({"name": name, "email": "odoorpc@example.com"})
    assert isinstance(new_id, int)
    [row] = Partner.read([new_id], ["name", "email"])
    assert row == {"id": new_id, "name": name, "email": "odoorpc@example.com"}
    partner = Partner.browse(new_id)
    renamed = unique()
    partner.name = renamed          # auto_commit: one write() per assignment
    partner.write({"phone": "+49 3"})
    with rpc_server.env() as env:
        stored = env["res.partner"].browse(new_id)
        assert (stored.name, stored.phone) == (renamed, "+49 3")
    partner.unlink()
    with rpc_server.env() as env:
        assert not env["res.partner"].browse(new_id).exists()


def test_odoorpc_execute_and_execute_kw(odoo, rpc_server):
    count = odoo.execute_kw("res.partner", "search_count", [[("is_company", "=", True)]])
    names = odoo.execute("res.partner", "name_search", "Müller Maschinen")
    with rpc_server.env() as env:
        assert count == env["res.partner"].search_count([("is_company", "=", True)])
        muller = env.ref("base.res_partner_1").id
    assert muller in [pair[0] for pair in names]


def test_odoorpc_server_error_becomes_rpc_error(odoo):
    with pytest.raises(odoorpc.error.RPCError) as info:
        odoo.execute_kw("res.partner", "search", [[("name", "bogus_op", "x")]])
    assert "bogus_op" in str(info.value)


def test_odoorpc_builds_proxies_of_every_model(odoo, rpc_server):
    """Every model's fields_get must give odoorpc what it builds its typed fields from."""
    with rpc_server.env() as env:
        expected = {}
        for model in env["ir.model"].search([]).mapped("model"):
            fields = env[model]._fields
            expected[model] = {name: (field.type, getattr(field, "comodel_name", None) or False)
                               for name, field in fields.items() if name != "id"}
    assert len(expected) > 20
    for model, fields in expected.items():
        columns = odoo.env[model]._columns
        typed = {name: (column.type, getattr(column, "relation", False)) for name, column in columns.items()}
        # fields a user may not read (groups) may be left out of fields_get: compare what is there
        assert set(typed) <= set(fields), (model, set(typed) - set(fields))
        assert typed, model
        for name, (ftype, relation) in typed.items():
            assert (ftype, relation or False) == fields[name], (model, name)


def test_odoorpc_reads_every_field_of_a_record_of_each_main_model(odoo, rpc_server):
    # browse() reads every non-relational field with load='_classic_write'
    with rpc_server.env() as env:
        targets = {"res.partner": env.ref("base.res_partner_1").id, "res.users": ADMIN_UID,
                   "res.company": env.ref("base.main_company").id, "res.country": env.ref("base.de").id}
    for model, record_id in targets.items():
        record = odoo.env[model].browse(record_id)
        assert record.id == record_id
        assert record.display_name


# ---------------------------------------------------------------- odoolib
@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_odoolib_connection_and_search_read(rpc_server, db_name, protocol):
    conn = odoolib.get_connection(hostname="127.0.0.1", port=port_of(rpc_server), protocol=protocol,
                                  database=db_name, login="admin", password="admin")
    conn.check_login()
    assert conn.user_id == ADMIN_UID
    Partner = conn.get_model("res.partner")
    rows = Partner.search_read([("is_company", "=", True)], ["name", "country_id"], limit=3, order="name")
    with rpc_server.env() as env:
        expected = env["res.partner"].search([("is_company", "=", True)], limit=3, order="name")
        assert rows == [{"id": p.id, "name": p.name,
                         "country_id": [p.country_id.id, p.country_id.display_name] if p.country_id else False}
                        for p in expected]
    assert conn.get_user_context()["uid"] == ADMIN_UID


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_odoolib_create_write_read(rpc_server, db_name, protocol):
    conn = odoolib.get_connection(hostname="127.0.0.1", port=port_of(rpc_server), protocol=protocol,
                                  database=db_name, login="admin", password="admin")
    Partner = conn.get_model("res.partner")
    name = unique()
    new_id = Partner.create({"name": name})
    assert Partner.write([new_id], {"phone": "+49 4"}) is True
    row = Partner.read(new_id, ["name", "phone"])    # odoolib answers one dict for one id
    assert row == {"id": new_id, "name": name, "phone": "+49 4"}


def test_odoolib_wrong_password(rpc_server, db_name, failer):
    conn = odoolib.get_connection(hostname="127.0.0.1", port=port_of(rpc_server), protocol="xmlrpc",
                                  database=db_name, login=failer[1], password="wrong")
    from odoolib.tools import AuthenticationError
    with pytest.raises(AuthenticationError):
        conn.check_login()


def test_odoolib_with_an_api_key(rpc_server, db_name, api_keys):
    conn = odoolib.get_connection(hostname="127.0.0.1", port=port_of(rpc_server), protocol="jsonrpc",
                                  database=db_name, login="admin", password=api_keys["admin"])
    assert conn.get_model("res.partner").search_count([]) > 0
