"""Delegation inheritance (_inherits): the child reads and writes its parent's fields."""


def test_create_makes_the_parent_record(env):
    user = env["test.user"].create({"name": "Ada", "login": "ada", "city": "London"})
    assert user.partner_id.name == "Ada" and user.partner_id.city == "London"
    assert user.name == "Ada" and user.city == "London"


def test_write_inherited_field_lands_in_parent(env):
    user = env["test.user"].create({"name": "Ada", "login": "ada"})
    user.write({"city": "Paris", "login": "ada2"})
    assert user.partner_id.city == "Paris" and user.login == "ada2"


def test_search_and_order_on_inherited_fields(env):
    env["test.user"].create([{"name": "Zoe", "login": "z", "city": "X"},
                             {"name": "Ann", "login": "a", "city": "Y"}])
    assert env["test.user"].search([("city", "=", "Y")]).mapped("login") == ["a"]
    assert env["test.user"].search([], order="name").mapped("login") == ["a", "z"]


def test_existing_parent_can_be_given(env):
    partner = env["test.partner"].create({"name": "Existing"})
    user = env["test.user"].create({"partner_id": partner.id, "login": "e"})
    assert user.name == "Existing"
    assert env["test.partner"].search_count([]) == 1


def test_read_and_fields_get_include_inherited(env):
    user = env["test.user"].create({"name": "Ada", "login": "ada"})
    assert user.read(["name", "login"])[0] == {"id": user.id, "name": "Ada", "login": "ada"}
    assert env["test.user"].fields_get(["name"])["name"]["type"] == "char"
