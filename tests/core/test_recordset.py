"""The recordset protocol and the search API."""
import pytest

from core.exceptions import ValidationError


@pytest.fixture
def partners(env):
    return env["test.partner"].create([
        {"name": "Carl", "city": "Bonn", "color": 3},
        {"name": "Anna", "city": "Köln", "color": 1},
        {"name": "Bert", "city": False, "color": 2},
    ])


def test_iteration_indexing_and_ids(partners):
    carl, anna, bert = partners
    assert partners.ids == [carl.id, anna.id, bert.id]
    assert partners[1] == anna and partners[:2] == carl | anna
    assert [p.name for p in partners] == ["Carl", "Anna", "Bert"]
    assert anna in partners and "name" in partners


def test_set_operations_keep_order_and_uniqueness(partners):
    carl, anna, bert = partners
    assert (carl | anna | carl).ids == [carl.id, anna.id]
    assert (partners & (bert | carl)).ids == [carl.id, bert.id]
    assert (partners - anna).ids == [carl.id, bert.id]
    assert (carl + carl).ids == [carl.id, carl.id]
    with pytest.raises(TypeError, match="inconsistent models"):
        carl | carl.env["test.country"]


def test_ensure_one_and_singleton_access(partners):
    with pytest.raises(ValueError, match="Expected singleton"):
        partners.ensure_one()
    with pytest.raises(ValueError, match="Expected singleton"):
        partners.name
    assert partners[0].ensure_one() == partners[0]
    empty = partners.browse()
    assert empty.name is False and empty.color == 0 and not empty.id


def test_mapped_filtered_sorted(partners):
    assert partners.mapped("name") == ["Carl", "Anna", "Bert"]
    assert partners.mapped(lambda p: p.color * 2) == [6, 2, 4]
    assert partners.filtered("city").mapped("name") == ["Carl", "Anna"]
    assert partners.filtered(lambda p: p.color > 1).mapped("name") == ["Carl", "Bert"]
    assert partners.sorted("color").mapped("name") == ["Anna", "Bert", "Carl"]
    assert partners.sorted().mapped("name") == ["Anna", "Bert", "Carl"]          # by _order
    assert partners.sorted(key=lambda p: p.name, reverse=True).mapped("name") == ["Carl", "Bert", "Anna"]


def test_mapped_through_relations_unions_records(env, partners):
    country = env["test.country"].create({"name": "DE", "code": "DE"})
    partners.write({"country_id": country.id})
    assert partners.mapped("country_id") == country
    assert partners.mapped("country_id.code") == ["DE"]


def test_filtered_domain_keeps_order(partners):
    assert partners.filtered_domain([("color", ">=", 2)]).mapped("name") == ["Carl", "Bert"]


def test_search_order_limit_offset(env, partners):
    Partner = env["test.partner"]
    assert Partner.search([], order="color desc").mapped("color") == [3, 2, 1]
    assert Partner.search([], order="city asc").mapped("name") == ["Carl", "Anna", "Bert"]  # NULLs last
    assert Partner.search([], order="city desc").mapped("name") == ["Bert", "Anna", "Carl"]
    assert Partner.search([], order="city asc nulls first").mapped("name")[0] == "Bert"
    assert Partner.search([], limit=1, offset=1).mapped("name") == ["Bert"]
    for bad in ("name; drop table test_partner", "nope", "name sideways", "line_count", "lower(name)"):
        with pytest.raises(ValueError, match="Invalid order"):
            Partner.search([], order=bad)
    with pytest.raises(ValueError, match="Invalid limit"):
        Partner.search([], limit=-1)


def test_order_by_many2one_uses_the_comodel_order(env, partners):
    carl, anna, bert = partners
    carl.parent_id = anna
    bert.parent_id = carl
    found = env["test.partner"].search([("parent_id", "!=", False)], order="parent_id")
    assert found.mapped("name") == ["Carl", "Bert"]  # parents Anna < Carl


def test_search_count_with_cap(env, partners):
    assert env["test.partner"].search_count([]) == 3
    assert env["test.partner"].search_count([], limit=2) == 2


def test_search_read_and_name_search(env, partners):
    rows = env["test.partner"].search_read([("color", ">", 1)], ["name"], order="name")
    assert rows == [{"id": partners[2].id, "name": "Bert"}, {"id": partners[0].id, "name": "Carl"}]
    assert env["test.partner"].name_search("an") == [(partners[1].id, "Anna")]
    assert [n for _, n in env["test.partner"].name_search("", limit=2)] == ["Anna", "Bert"]
    new_id, name = env["test.partner"].name_create("Dora")
    assert env["test.partner"].browse(new_id).name == name == "Dora"


def test_display_name(env, partners):
    assert partners[0].display_name == "Carl"
    task = env["test.task"].create({})
    assert task.display_name is False
    assert env["test.order.line"].create({
        "order_id": env["test.order"].create({"partner_id": partners[0].id}).id}).display_name \
        .startswith("test.order.line,")


def test_fields_get_describes_fields_in_odoo_format(env):
    desc = env["test.partner"].fields_get()
    assert desc["parent_id"]["type"] == "many2one" and desc["parent_id"]["relation"] == "test.partner"
    assert desc["child_ids"]["relation_field"] == "parent_id"
    assert desc["kind"]["selection"] == [["person", "Person"], ["company", "Company"]]
    assert desc["name"]["required"] is True and desc["name"]["string"] == "Name"
    assert desc["country_code"]["related"] == "country_id.code" and desc["country_code"]["store"] is False
    assert desc["credit_limit"]["digits"] == [16, 2]
    assert desc["category_ids"]["string"] == "Tags"
    assert not any(value is None for d in desc.values() for value in d.values())
    only = env["test.partner"].fields_get(["name"], attributes=["type", "string"])
    assert only == {"name": {"type": "char", "string": "Name"}}


def test_with_context_and_sudo_keep_records(env, partners):
    ctx = partners.with_context(lang="de_DE", x=1)
    assert ctx.env.context == {"lang": "de_DE", "x": 1} and ctx.ids == partners.ids
    assert partners.with_context({"y": 2}).env.context == {"y": 2}
    assert partners.with_user(2).env.uid == 2 and not partners.with_user(2).env.su
    assert partners.with_user(2).sudo().env.su


def test_exists_and_browse_without_query(env, partners, count_queries):
    with count_queries() as counter:
        ghost = env["test.partner"].browse([partners[0].id, 999999])
    assert counter.count == 0
    assert ghost.exists() == partners[0]


def test_write_on_empty_recordset_is_a_no_op(env):
    assert env["test.partner"].browse().write({"name": "x"}) is True
    with pytest.raises(ValidationError):
        env["test.partner"].create({"name": False})
