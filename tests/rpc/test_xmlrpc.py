"""XML-RPC over the wire: /xmlrpc/2/common, /xmlrpc/2/object, /xmlrpc/2/db and the legacy /xmlrpc/<service>.

Every call goes through ``xmlrpc.client`` to the real server on loopback; the database is looked
at directly only to check what a call wrote, or that a refused call wrote nothing.
"""
import re
import xmlrpc.client

import pytest

from core.config import Config

from .conftest import ADMIN, ADMIN_UID, DEMO, assert_no_traceback, execute_kw, http_post, proxy, unique

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
VERSION = {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""],
           "server_serie": "17.0", "protocol_version": 1}


def fault_of(call):
    """The xmlrpc.client.Fault ``call()`` raises (the test fails if it returns)."""
    with pytest.raises(xmlrpc.client.Fault) as info:
        call()
    return info.value


def partner_count(server, name):
    with server.env() as env:
        return env["res.partner"].with_context(active_test=False).search_count([("name", "=", name)])


def xmlid(server, ref):
    with server.env() as env:
        return env.ref(ref).id


# ---------------------------------------------------------------- common
def test_version_is_odoo_17s_structure(rpc_server):
    version = proxy(rpc_server, "common").version()
    assert {key: version[key] for key in VERSION} == VERSION
    assert set(version) - set(VERSION) <= {"tessera_version"}


def test_login_answers_the_uid_or_false(rpc_server, db_name, demo_uid, failer):
    common = proxy(rpc_server, "common")
    assert common.login(db_name, *ADMIN) == ADMIN_UID
    assert common.login(db_name, *DEMO) == demo_uid
    assert common.login(db_name, failer[1], "wrong password") is False
    assert common.login(db_name, "nobody-has-this-login", "x") is False


def test_authenticate_takes_a_user_agent_dict(rpc_server, db_name, failer):
    common = proxy(rpc_server, "common")
    assert common.authenticate(db_name, *ADMIN, {}) == ADMIN_UID
    assert common.authenticate(db_name, *ADMIN, {"interactive": False}) == ADMIN_UID
    assert common.authenticate(db_name, failer[1], "wrong password", {}) is False


def test_an_api_key_works_wherever_a_password_does(rpc_server, db_name, api_keys, demo_uid):
    common = proxy(rpc_server, "common")
    assert common.login(db_name, "admin", api_keys["admin"]) == ADMIN_UID
    assert common.authenticate(db_name, "demo", api_keys["demo"], {}) == demo_uid
    ids = proxy(rpc_server, "object").execute_kw(db_name, ADMIN_UID, api_keys["admin"], "res.partner", "search",
                                                 [[["is_company", "=", True]]], {"limit": 1})
    assert len(ids) == 1
    # a key is its owner's only: demo's key is not admin's password
    assert common.login(db_name, "admin", api_keys["demo"]) is False


def test_unknown_common_method_is_a_fault(rpc_server):
    fault = fault_of(lambda: proxy(rpc_server, "common").no_such_method())
    assert "no_such_method" in fault.faultString
    assert_no_traceback(fault.faultString)


# ---------------------------------------------------------------- object: reading
def test_search_returns_the_ids_the_orm_finds(rpc_server):
    ids = execute_kw(rpc_server, "res.partner", "search", [[["is_company", "=", True]]])
    with rpc_server.env() as env:
        assert ids == env["res.partner"].search([("is_company", "=", True)]).ids
    assert ids and all(isinstance(i, int) for i in ids)


def test_search_read_with_fields_limit_and_order(rpc_server):
    rows = execute_kw(rpc_server, "res.partner", "search_read", [[["is_company", "=", True]]],
                      {"fields": ["name"], "limit": 2, "order": "name desc"})
    with rpc_server.env() as env:
        expected = env["res.partner"].search([("is_company", "=", True)], limit=2, order="name desc")
        expected = [{"id": p.id, "name": p.name} for p in expected]
    assert rows == expected


def test_search_read_positional_arguments(rpc_server):
    # search_read(domain, fields, offset, limit, order) as positional args, like odoolib sends them
    rows = execute_kw(rpc_server, "res.partner", "search_read",
                      [[["is_company", "=", True]], ["name"], 1, 1, "name asc"])
    with rpc_server.env() as env:
        expected = env["res.partner"].search([("is_company", "=", True)], offset=1, limit=1, order="name asc")
        expected = [{"id": expected.id, "name": expected.name}]
    assert rows == expected


def test_read_many2one_as_pair_or_bare_id(rpc_server):
    partner_id = xmlid(rpc_server, "base.res_partner_1")
    germany = xmlid(rpc_server, "base.de")
    [pair] = execute_kw(rpc_server, "res.partner", "read", [[partner_id], ["country_id"]])
    assert pair == {"id": partner_id, "country_id": [germany, "Germany"]}
    [bare] = execute_kw(rpc_server, "res.partner", "read", [[partner_id], ["country_id"]],
                        {"load": "_classic_write"})
    assert bare == {"id": partner_id, "country_id": germany}


def test_read_of_a_single_id(rpc_server):
    # the first positional argument of a record method may be one id instead of a list
    partner_id = xmlid(rpc_server, "base.res_partner_1")
    rows = execute_kw(rpc_server, "res.partner", "read", [partner_id, ["name"]])
    assert rows == [{"id": partner_id, "name": "Müller Maschinenbau GmbH"}]


def test_execute_takes_positional_arguments(rpc_server, db_name):
    partner_id = xmlid(rpc_server, "base.res_partner_1")
    rows = proxy(rpc_server, "object").execute(db_name, ADMIN_UID, "admin", "res.partner", "read",
                                               [partner_id], ["name"])
    assert rows == [{"id": partner_id, "name": "Müller Maschinenbau GmbH"}]


def test_search_count_and_name_search(rpc_server):
    count = execute_kw(rpc_server, "res.partner", "search_count", [[["is_company", "=", True]]])
    partner_id = xmlid(rpc_server, "base.res_partner_1")
    found = execute_kw(rpc_server, "res.partner", "name_search", ["Müller Maschinen"], {"limit": 5})
    with rpc_server.env() as env:
        assert count == env["res.partner"].search_count([("is_company", "=", True)]) > 0
        assert [partner_id, env["res.partner"].browse(partner_id).display_name] in found
    assert all(isinstance(pair, list) and len(pair) == 2 for pair in found)


def test_fields_get_describes_types_and_relations(rpc_server):
    described = execute_kw(rpc_server, "res.partner", "fields_get", [["name", "country_id", "is_company"]],
                           {"attributes": ["string", "type", "relation"]})
    assert described["country_id"] == {"string": "Country", "type": "many2one", "relation": "res.country"}
    assert described["name"]["type"] == "char"
    assert described["is_company"]["type"] == "boolean"
    assert "relation" not in described["name"]


def test_context_lang_in_kwargs_translates(rpc_server):
    german = execute_kw(rpc_server, "res.partner", "fields_get", [["country_id", "is_company"]],
                        {"attributes": ["string"], "context": {"lang": "de_DE"}})
    assert german == {"country_id": {"string": "Land"}, "is_company": {"string": "Ist ein Unternehmen"}}
    english = execute_kw(rpc_server, "res.partner", "fields_get", [["country_id"]], {"attributes": ["string"]})
    assert english["country_id"]["string"] == "Country"


def test_read_group_counts_per_group(rpc_server):
    groups = execute_kw(rpc_server, "res.partner", "read_group", [[], ["name"], ["is_company"]])
    with rpc_server.env() as env:
        Partner = env["res.partner"]
        expected = {flag: Partner.search_count([("is_company", "=", flag)]) for flag in (True, False)}
    assert {g["is_company"]: g["is_company_count"] for g in groups} == expected
    assert all(isinstance(g["__domain"], list) for g in groups)


def test_default_get_is_a_model_method(rpc_server):
    defaults = execute_kw(rpc_server, "res.partner", "default_get", [["is_company", "active", "type"]])
    assert defaults == {"is_company": False, "active": True, "type": "contact"}


def test_a_model_method_takes_no_ids(rpc_server, db_name, demo_uid):
    context = proxy(rpc_server, "object").execute(db_name, demo_uid, "demo", "res.users", "context_get")
    assert context["uid"] == demo_uid
    assert context["lang"] == "en_US"
    assert context["tz"] is not None


def test_dates_and_datetimes_are_strings(rpc_server):
    with rpc_server.env() as env:
        currency = env.ref("base.EUR").id
    rate_id = execute_kw(rpc_server, "res.currency.rate", "create",
                         [{"name": "2031-03-05", "rate": 1.25, "currency_id": currency}])
    [row] = execute_kw(rpc_server, "res.currency.rate", "read", [[rate_id], ["name", "rate", "create_date"]])
    assert row["name"] == "2031-03-05"
    assert row["rate"] == 1.25
    assert isinstance(row["create_date"], str) and DATETIME.match(row["create_date"]), row["create_date"]


def test_empty_values_are_false_and_none_is_never_sent(rpc_server, db_name):
    name = unique()
    partner_id = execute_kw(rpc_server, "res.partner", "create", [{"name": name}])
    request = xmlrpc.client.dumps((db_name, ADMIN_UID, "admin", "res.partner", "read",
                                   [[partner_id]], {"fields": ["email", "parent_id", "function", "credit_limit"]}),
                                  "execute_kw")
    status, headers, body = http_post(rpc_server, "/xmlrpc/2/object", request.encode(),
                                      {"Content-Type": "text/xml"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/xml")
    assert b"<nil" not in body
    (rows,), _method = xmlrpc.client.loads(body)
    assert rows == [{"id": partner_id, "email": False, "parent_id": False, "function": False,
                     "credit_limit": 0.0}]


def test_control_characters_are_stripped_so_the_xml_stays_valid(rpc_server):
    # XML 1.0 cannot carry most characters below 32: a stored one must not break the answer
    with rpc_server.env() as env:
        partner_id = env["res.partner"].create({"name": "Bell\x07 and\ttab", "comment": False}).id
    [row] = execute_kw(rpc_server, "res.partner", "read", [[partner_id], ["name"]])
    assert row["name"] == "Bell and\ttab"


def test_a_method_returning_none_answers_false(rpc_server, db_name):
    # check_access_rule is public and answers None when the access is granted: the wire
    # carries False (the issue: "None never reaches XML-RPC (False instead)"), never <nil/>
    partner_id = xmlid(rpc_server, "base.res_partner_1")
    request = xmlrpc.client.dumps((db_name, ADMIN_UID, "admin", "res.partner", "check_access_rule",
                                   [[partner_id], "read"], {}), "execute_kw")
    status, _headers, body = http_post(rpc_server, "/xmlrpc/2/object", request.encode(),
                                       {"Content-Type": "text/xml"})
    assert status == 200
    assert b"<nil" not in body
    (result,), _method = xmlrpc.client.loads(body)
    assert result is False


# ---------------------------------------------------------------- object: writing
def test_create_one_dict_gives_an_id_a_list_gives_ids(rpc_server):
    one, two, three = unique(), unique(), unique()
    new_id = execute_kw(rpc_server, "res.partner", "create", [{"name": one}])
    new_ids = execute_kw(rpc_server, "res.partner", "create", [[{"name": two}, {"name": three}]])
    assert isinstance(new_id, int)
    assert isinstance(new_ids, list) and len(new_ids) == 2
    with rpc_server.env() as env:
        assert env["res.partner"].browse(new_id).name == one
        assert env["res.partner"].browse(new_ids).mapped("name") == [two, three]


def test_write_answers_true_and_writes(rpc_server):
    partner_id = execute_kw(rpc_server, "res.partner", "create", [{"name": unique()}])
    renamed = unique()
    assert execute_kw(rpc_server, "res.partner", "write", [[partner_id], {"name": renamed, "phone": "+49 1"}]) is True
    with rpc_server.env() as env:
        partner = env["res.partner"].browse(partner_id)
        assert (partner.name, partner.phone) == (renamed, "+49 1")


def test_unlink_removes(rpc_server):
    name = unique()
    partner_id = execute_kw(rpc_server, "res.partner", "create", [{"name": name}])
    assert execute_kw(rpc_server, "res.partner", "unlink", [[partner_id]]) is True
    assert partner_count(rpc_server, name) == 0


def test_writing_false_clears_a_field(rpc_server):
    # clients send False for "empty": writing False clears a field
    partner_id = execute_kw(rpc_server, "res.partner", "create", [{"name": unique(), "email": "a@example.com"}])
    assert execute_kw(rpc_server, "res.partner", "write", [[partner_id], {"email": False}]) is True
    with rpc_server.env() as env:
        assert env["res.partner"].browse(partner_id).email is False


# ---------------------------------------------------------------- object: errors, nothing written
def test_wrong_password_is_fault_3_and_writes_nothing(rpc_server, db_name, failer):
    uid, _login, _password = failer
    name = unique()
    fault = fault_of(lambda: proxy(rpc_server, "object").execute_kw(
        db_name, uid, "wrong password", "res.partner", "create", [{"name": name}], {}))
    assert fault.faultCode == 3
    assert_no_traceback(fault.faultString)
    assert partner_count(rpc_server, name) == 0


def test_unknown_uid_is_fault_3(rpc_server, db_name):
    fault = fault_of(lambda: proxy(rpc_server, "object").execute_kw(
        db_name, 987654, "admin", "res.partner", "search", [[]], {}))
    assert fault.faultCode == 3


def test_password_of_another_user_is_fault_3(rpc_server, db_name, demo_uid):
    fault = fault_of(lambda: proxy(rpc_server, "object").execute_kw(
        db_name, demo_uid, "admin", "res.partner", "search", [[]], {}))
    assert fault.faultCode == 3


def test_credentials_are_checked_on_every_call(rpc_server, db_name):
    login = unique("changer").replace(" ", "_")
    with rpc_server.env() as env:
        user = env["res.users"].create({"name": login, "login": login, "password": "first-pass",
                                        "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        uid = user.id
        key = env["res.users.apikeys"].with_user(uid)._generate("rpc", "revoked soon")
    object_ = proxy(rpc_server, "object")

    def count(password):
        return object_.execute_kw(db_name, uid, password, "res.partner", "search_count", [[]], {})

    assert count("first-pass") > 0
    assert count(key) > 0
    with rpc_server.env() as env:
        env["res.users"].browse(uid).password = "second-pass"
        env["res.users.apikeys"].search([("user_id", "=", uid)]).unlink()
    assert fault_of(lambda: count("first-pass")).faultCode == 3
    assert fault_of(lambda: count(key)).faultCode == 3
    assert count("second-pass") > 0
    with rpc_server.env() as env:
        env["res.users"].browse(uid).active = False
    assert fault_of(lambda: count("second-pass")).faultCode == 3


def test_failed_logins_are_throttled_per_login(rpc_server, db_name, monkeypatch):
    from core import login_throttle
    # a frozen clock: the block cannot run out while the test looks at it
    now = login_throttle.policy.clock()
    monkeypatch.setattr(login_throttle, "policy", login_throttle.Policy(clock=lambda: now))
    login = unique("guessed").replace(" ", "_")
    with rpc_server.env() as env:
        uid = env["res.users"].create({"name": login, "login": login, "password": "right-pass"}).id
    common = proxy(rpc_server, "common")
    for attempt in range(login_throttle.policy.max_failures):
        assert common.login(db_name, login, f"guess {attempt}") is False
    # blocked now: the right password is refused too, on every path that takes one
    assert common.login(db_name, login, "right-pass") is False
    fault = fault_of(lambda: proxy(rpc_server, "object").execute_kw(
        db_name, uid, "right-pass", "res.partner", "search_count", [[]], {}))
    assert fault.faultCode == 3
    assert "try again" in fault.faultString.lower()
    # other logins from the same address are not blocked
    assert common.login(db_name, *ADMIN) == ADMIN_UID


def test_unknown_model_is_fault_2_naming_it(rpc_server):
    fault = fault_of(lambda: execute_kw(rpc_server, "no.such.model", "search", [[]]))
    assert fault.faultCode == 2
    assert "no.such.model" in fault.faultString
    assert_no_traceback(fault.faultString)


def test_unknown_method_is_a_clear_fault(rpc_server):
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "no_such_method", [[]]))
    assert fault.faultCode in (1, 2)
    assert "no_such_method" in fault.faultString
    assert_no_traceback(fault.faultString)


@pytest.mark.parametrize("method", ["_check_credentials", "_generate", "sudo", "with_user", "invalidate_model"])
def test_private_methods_cannot_be_called(rpc_server, method):
    model = "res.users.apikeys" if method == "_generate" else "res.users"
    args = [[], "rpc", "sneaky"] if method == "_generate" else [[ADMIN_UID]]
    fault = fault_of(lambda: execute_kw(rpc_server, model, method, args, login=DEMO, uid=None))
    assert fault.faultCode in (2, 4)
    assert method in fault.faultString
    assert "private" in fault.faultString.lower()
    assert_no_traceback(fault.faultString)
    with rpc_server.env() as env:
        assert not env["res.users.apikeys"].search([("name", "=", "sneaky")])


def test_malformed_domain_is_fault_1_naming_the_bad_part(rpc_server):
    # as Odoo: a malformed domain is a ValueError, not a UserError, so fault 1 — but its
    # faultString is the message alone (the last line of Odoo's traceback), never a traceback
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "search", [[["name", "bogus_op", "x"]]]))
    assert fault.faultCode == 1
    assert fault.faultString.startswith("ValueError: ") and "bogus_op" in fault.faultString
    assert_no_traceback(fault.faultString)
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "search", [[["no_such_field", "=", 1]]]))
    assert fault.faultCode == 1
    assert "no_such_field" in fault.faultString
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "search", ["not a domain"]))
    assert fault.faultCode == 1
    assert_no_traceback(fault.faultString)


def test_wrong_argument_types_are_fault_2_and_write_nothing(rpc_server):
    partner_id = xmlid(rpc_server, "base.res_partner_1")
    name = unique()
    # not a UserError: Odoo's table gives 1 ("anything else"), Tessera may call it a user error (2);
    # either way a message naming the problem, not a traceback
    # ids must be ints: a string instead of the ids
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "write", ["abc", {"name": name}]))
    assert fault.faultCode in (1, 2)
    assert "abc" in fault.faultString
    assert_no_traceback(fault.faultString)
    # vals must be a dict
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "write", [[partner_id], "name"]))
    assert fault.faultCode in (1, 2)
    assert_no_traceback(fault.faultString)
    assert "incident" not in fault.faultString, "an unexplained internal error: " + fault.faultString
    # an unknown keyword argument
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "search", [[]], {"no_such_kwarg": 1}))
    assert fault.faultCode in (1, 2)
    assert "no_such_kwarg" in fault.faultString
    assert_no_traceback(fault.faultString)
    assert partner_count(rpc_server, name) == 0


def test_access_error_as_demo_is_fault_4_and_writes_nothing(rpc_server):
    partner_id = xmlid(rpc_server, "base.res_partner_1")
    name = unique()
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "write", [[partner_id], {"name": name}],
                                        login=DEMO))
    assert fault.faultCode == 4
    assert_no_traceback(fault.faultString)
    fault = fault_of(lambda: execute_kw(rpc_server, "res.users", "write", [[ADMIN_UID], {"name": name}],
                                        login=DEMO))
    assert fault.faultCode == 4
    with rpc_server.env() as env:
        model_id = env["ir.model"].search([("model", "=", "res.partner")]).id
        group_id = env.ref("base.group_user").id
    fault = fault_of(lambda: execute_kw(rpc_server, "ir.model.access", "create", [{
        "name": name, "model_id": model_id, "group_id": group_id,
        "perm_read": True, "perm_write": True, "perm_create": True, "perm_unlink": True}], login=DEMO))
    assert fault.faultCode == 4
    with rpc_server.env() as env:
        assert env["res.partner"].browse(partner_id).name == "Müller Maschinenbau GmbH"
        assert env["res.users"].browse(ADMIN_UID).name != name
        assert not env["ir.model.access"].search([("name", "=", name)])


def test_validation_error_is_fault_2_with_its_message(rpc_server):
    name = unique()
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "create", [{"name": name, "lang": "xx_XX"}]))
    assert fault.faultCode == 2
    assert "xx_XX" in fault.faultString
    assert_no_traceback(fault.faultString)
    assert partner_count(rpc_server, name) == 0


def test_a_multi_record_create_failing_halfway_leaves_nothing(rpc_server):
    first, second = unique(), unique()
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "create",
                                        [[{"name": first}, {"name": second, "lang": "xx_XX"}]]))
    assert fault.faultCode == 2
    assert partner_count(rpc_server, first) == 0
    assert partner_count(rpc_server, second) == 0


def test_missing_record_is_fault_2(rpc_server):
    fault = fault_of(lambda: execute_kw(rpc_server, "res.partner", "write", [[987654], {"name": "X"}]))
    assert fault.faultCode == 2
    assert "987654" in fault.faultString


def test_a_body_over_the_configured_limit_is_413(start_web_server):
    server = start_web_server(config=Config(max_request_body=4096))
    db = server.manager.db_name
    object_ = proxy(server, "object")
    # a small call still passes
    assert object_.execute_kw(db, ADMIN_UID, "admin", "res.partner", "search_count", [[]], {}) > 0
    name = unique()
    with pytest.raises(xmlrpc.client.ProtocolError) as info:
        object_.execute_kw(db, ADMIN_UID, "admin", "res.partner", "create",
                           [{"name": name, "comment": "x" * 10000}], {})
    assert info.value.errcode == 413
    with server.env() as env:
        assert env["res.partner"].search_count([("name", "=", name)]) == 0


@pytest.mark.parametrize("body", [b"<?xml version='1.0'?><methodCall><methodName>login",
                                  b"not xml at all",
                                  b"<?xml version='1.0'?><methodCall><params/></methodCall>"],
                         ids=["truncated", "not-xml", "no-method-name"])
def test_malformed_xml_is_a_fault_or_400_not_a_traceback(rpc_server, body):
    status, _headers, answer = http_post(rpc_server, "/xmlrpc/2/common", body, {"Content-Type": "text/xml"})
    assert status in (200, 400), (status, answer[:500])
    text = answer.decode("utf-8", "replace")
    assert_no_traceback(text)
    if status == 200:
        with pytest.raises(xmlrpc.client.Fault):
            xmlrpc.client.loads(answer)


def test_xml_entities_are_not_expanded(rpc_server, db_name):
    # an external entity must not be read (defusedxml or equivalent)
    body = (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/hostname'>]>"
            b"<methodCall><methodName>login</methodName><params>"
            b"<param><value><string>&e;</string></value></param></params></methodCall>")
    status, _headers, answer = http_post(rpc_server, "/xmlrpc/2/common", body, {"Content-Type": "text/xml"})
    assert status in (200, 400)
    assert_no_traceback(answer.decode("utf-8", "replace"))
    if status == 200:
        with pytest.raises(xmlrpc.client.Fault):
            xmlrpc.client.loads(answer)


def test_get_on_an_xmlrpc_route_is_refused(rpc_server):
    status, _headers, _body = http_post(rpc_server, "/xmlrpc/2/common", None, method="GET")
    assert status in (400, 405)


def test_unknown_service_is_404_or_fault(rpc_server):
    status, _headers, body = http_post(rpc_server, "/xmlrpc/2/nosuchservice",
                                       xmlrpc.client.dumps((), "version").encode(), {"Content-Type": "text/xml"})
    assert status in (200, 404)
    if status == 200:
        with pytest.raises(xmlrpc.client.Fault):
            xmlrpc.client.loads(body)


# ---------------------------------------------------------------- legacy routes: string fault codes
def test_legacy_common_and_object_work(rpc_server, db_name):
    assert proxy(rpc_server, "common", legacy=True).login(db_name, *ADMIN) == ADMIN_UID
    assert proxy(rpc_server, "common", legacy=True).version()["server_version"] == "17.0"
    ids = proxy(rpc_server, "object", legacy=True).execute_kw(db_name, ADMIN_UID, "admin", "res.partner",
                                                              "search", [[["is_company", "=", True]]], {})
    assert ids


def test_legacy_faults_use_string_codes(rpc_server, db_name, demo_uid, failer):
    legacy = proxy(rpc_server, "object", legacy=True)
    denied = fault_of(lambda: legacy.execute_kw(db_name, failer[0], "wrong", "res.partner", "search", [[]], {}))
    assert denied.faultCode == "AccessDenied"
    assert denied.faultString

    user_error = fault_of(lambda: legacy.execute_kw(db_name, ADMIN_UID, "admin", "no.such.model", "search", [[]], {}))
    assert user_error.faultCode.startswith("warning -- UserError\n\n")
    assert "no.such.model" in user_error.faultCode

    partner_id = xmlid(rpc_server, "base.res_partner_1")
    access = fault_of(lambda: legacy.execute_kw(db_name, demo_uid, "demo", "res.partner", "write",
                                                [[partner_id], {"name": "X"}], {}))
    assert access.faultCode.startswith("warning -- AccessError\n\n")

    missing = fault_of(lambda: legacy.execute_kw(db_name, ADMIN_UID, "admin", "res.partner", "write",
                                                 [[987654], {"name": "X"}], {}))
    assert missing.faultCode.startswith("warning -- MissingError\n\n")

    validation = fault_of(lambda: legacy.execute_kw(db_name, ADMIN_UID, "admin", "res.partner", "create",
                                                    [{"name": unique(), "lang": "xx_XX"}], {}))
    assert validation.faultCode.startswith("warning -- UserError\n\n")
    assert "xx_XX" in validation.faultCode


# ---------------------------------------------------------------- db service over the wire
def test_db_calls_without_master_password(rpc_server, db_name):
    db = proxy(rpc_server, "db")
    assert db_name in db.list()
    assert db.db_exist(db_name) is True
    assert db.db_exist("no_such_database_here") is False
    assert db.server_version() == "17.0"
    langs = db.list_lang()
    assert ["en_US", "English (US)"] in [list(pair) for pair in langs]


def test_db_management_without_a_configured_master_password_is_refused(rpc_server, db_name):
    db = proxy(rpc_server, "db")
    fault = fault_of(lambda: db.create_database("", "rpc_never", False, "en_US", "pw"))
    assert fault.faultCode == 3
    text = fault.faultString.lower()
    assert "master" in text or "disabled" in text or "admin_passwd" in text, fault.faultString
    fault = fault_of(lambda: db.drop("anything", db_name))
    assert fault.faultCode == 3
    assert db.db_exist(db_name) is True


def test_db_wrong_master_password_is_fault_3(start_web_server, tmp_path):
    from core.db.catalog import SQLiteCatalog
    server = start_web_server(config=Config(admin_passwd="s3cret master"), catalog=SQLiteCatalog(str(tmp_path)))
    db = proxy(server, "db")
    fault = fault_of(lambda: db.create_database("wrong", "rpc_never", False, "en_US", "pw"))
    assert fault.faultCode == 3
    assert db.db_exist("rpc_never") is False
    fault = fault_of(lambda: db.drop("wrong", server.manager.db_name))
    assert fault.faultCode == 3
    assert db.db_exist(server.manager.db_name) is True


def test_db_create_login_and_drop_with_the_master_password(start_web_server, tmp_path):
    """Slow-ish (installs base in a new database): the one full trip through the db service."""
    from core.db.catalog import SQLiteCatalog
    server = start_web_server(config=Config(admin_passwd="s3cret master"), catalog=SQLiteCatalog(str(tmp_path)))
    db, common = proxy(server, "db"), proxy(server, "common")
    assert db.create_database("s3cret master", "rpc_fresh", False, "en_US", "fresh pass", "admin") is True
    assert db.db_exist("rpc_fresh") is True
    assert "rpc_fresh" in db.list()
    uid = common.login("rpc_fresh", "admin", "fresh pass")
    assert isinstance(uid, int) and uid
    assert common.login("rpc_fresh", "admin", "admin") is False
    # demo=False: no demo partner in the new database
    names = proxy(server, "object").execute_kw("rpc_fresh", uid, "fresh pass", "res.partner", "search_read",
                                               [[["name", "=", "Müller Maschinenbau GmbH"]]], {"fields": ["name"]})
    assert names == []
    assert db.drop("s3cret master", "rpc_fresh") is True
    assert db.db_exist("rpc_fresh") is False
    assert "rpc_fresh" not in db.list()
