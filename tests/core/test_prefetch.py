"""Cache and prefetch: query counts that do not depend on the number of records."""
import pytest


@pytest.fixture
def partners(env):
    countries = env["test.country"].create([{"name": f"Country {i}", "code": f"C{i}"} for i in range(5)])
    parents = env["test.partner"].create([{"name": f"Parent {i}"} for i in range(4)])
    records = env["test.partner"].create([{
        "name": f"Partner {i:03d}", "city": f"City {i}", "color": i,
        "country_id": countries[i % 5].id, "parent_id": parents[i % 4].id,
    } for i in range(80)])
    env.invalidate_all()
    return records


def test_read_six_fields_with_two_many2one_names_of_80_records(env, partners, count_queries):
    records = env["test.partner"].browse(partners.ids)
    with count_queries() as counter:
        rows = records.read(["name", "city", "color", "kind", "country_id", "parent_id"])
    assert len(rows) == 80 and rows[5]["country_id"][1] == "Country 0"
    assert rows[5]["parent_id"][1] == "Parent 1"
    assert counter.count <= 3


def test_search_read_query_count_does_not_grow_with_the_page(env, partners, count_queries):
    counts = []
    for limit in (10, 80):
        env.invalidate_all()
        with count_queries() as counter:
            env["test.partner"].search_read([("name", "like", "Partner")], 
                                            ["name", "country_id", "parent_id"], limit=limit)
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 4


def test_reading_one_field_of_one_record_loads_the_whole_set(env, partners, count_queries):
    records = env["test.partner"].search([("name", "like", "Partner")])
    with count_queries() as counter:
        cities = [r.city for r in records]
        colors = [r.color for r in records]
    assert len(cities) == 80 and colors[3] == 3
    assert counter.count == 1


def test_many2one_names_fetched_once_per_comodel(env, partners, count_queries):
    records = env["test.partner"].search([("name", "like", "Partner")])
    with count_queries() as counter:
        names = [r.country_id.name for r in records]
    assert names[0] == "Country 0"
    assert counter.count == 2  # the partners' columns, then the countries'


def test_cached_values_cost_no_query(env, partners, count_queries):
    record = partners[0]
    record.name
    with count_queries() as counter:
        record.name, record.city, record.color
    assert counter.count == 0
