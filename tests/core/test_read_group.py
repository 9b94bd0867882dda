"""read_group: aggregates, granularities, lazy and eager grouping, ordering."""
import pytest


@pytest.fixture
def orders(env):
    partners = env["test.partner"].create([{"name": "Ann"}, {"name": "Bob"}])
    rows = [
        (partners[0], "2024-01-15", "draft", 10.0),
        (partners[0], "2024-01-20", "done", 20.0),
        (partners[1], "2024-02-03", "done", 5.0),
        (partners[1], "2024-04-30", "draft", 1.0),
        (partners[1], False, "draft", 2.0),
    ]
    return env["test.order"].create([
        {"partner_id": p.id, "date": d, "state": s, "discount": -a * 0 + 0, "name": str(a),
         "line_ids": [(0, 0, {"price": a})]} for p, d, s, a in rows])


def test_group_by_many2one_with_sum_and_lazy_count(env, orders):
    groups = env["test.order"].read_group([], ["amount_total:sum"], ["partner_id"])
    assert [(g["partner_id"][1], g["partner_id_count"], g["amount_total"]) for g in groups] == \
        [("Ann", 2, 30.0), ("Bob", 3, 8.0)]
    assert env["test.order"].search(groups[0]["__domain"]) == orders[:2]


def test_many2one_groups_ordered_by_the_comodel_or_by_aggregates(env, orders):
    # the groups are made first, then joined to the comodel for its order (one query)
    Order = env["test.order"]
    env.flush_all()
    env.invalidate_all()
    start = env.cr.sql_count
    groups = Order.read_group([], ["amount_total:sum"], ["partner_id"], orderby="partner_id desc")
    assert [g["partner_id"][1] for g in groups] == ["Bob", "Ann"]
    assert env.cr.sql_count - start <= 2            # the groups, the partners' names
    # by an aggregate the result does not read, and by the count
    groups = Order.read_group([], ["amount_total:sum"], ["partner_id", "state"], lazy=False,
                              orderby="amount_total:max desc, partner_id")
    assert [(g["partner_id"][1], g["state"], g["amount_total"]) for g in groups] == \
        [("Ann", "done", 20.0), ("Ann", "draft", 10.0), ("Bob", "done", 5.0), ("Bob", "draft", 3.0)]
    groups = Order.read_group([], [], ["partner_id"], orderby="__count desc")
    assert [(g["partner_id"][1], g["partner_id_count"]) for g in groups] == [("Bob", 3), ("Ann", 2)]


def test_group_by_selection_with_aggregates(env, orders):
    groups = env["test.order"].read_group(
        [], ["total:sum(amount_total)", "biggest:max(amount_total)", "amount_total:avg"], ["state"],
        orderby="state")
    assert [(g["state"], g["state_count"], g["total"], g["biggest"]) for g in groups] == \
        [("done", 2, 25.0, 20.0), ("draft", 3, 13.0, 10.0)]


def test_group_by_month_labels_ranges_and_domains(env, orders):
    groups = env["test.order"].read_group([], ["amount_total"], ["date:month"])
    labelled = [(g["date:month"], g["date_count"]) for g in groups]
    assert labelled == [("January 2024", 2), ("February 2024", 1), ("April 2024", 1), (False, 1)]
    assert groups[0]["__range"]["date:month"] == {"from": "2024-01-01", "to": "2024-02-01"}
    assert env["test.order"].search_count(groups[2]["__domain"]) == 1


@pytest.mark.parametrize("granularity,expected", [
    ("day", ["15 Jan 2024", "20 Jan 2024", "03 Feb 2024", "30 Apr 2024"]),
    ("week", ["W3 2024", "W5 2024", "W18 2024"]),
    ("quarter", ["Q1 2024", "Q2 2024"]),
    ("year", ["2024"]),
])
def test_date_granularities(env, orders, granularity, expected):
    groups = env["test.order"].read_group([("date", "!=", False)], ["amount_total"], [f"date:{granularity}"])
    assert [g[f"date:{granularity}"] for g in groups] == expected


def test_week_label_and_counts(env, orders):
    groups = env["test.order"].read_group([("date", "!=", False)], [], ["date:week"])
    assert [g["date_count"] for g in groups] == [2, 1, 1]
    assert groups[0]["__range"]["date:week"] == {"from": "2024-01-15", "to": "2024-01-22"}


def test_german_month_labels(env, orders):
    groups = env["test.order"].with_context(lang="de_DE").read_group(
        [("date", "!=", False)], [], ["date:month"])
    assert groups[1]["date:month"] == "Februar 2024"


def test_eager_grouping_on_two_fields(env, orders):
    groups = env["test.order"].read_group([], ["amount_total"], ["partner_id", "state"], lazy=False)
    assert [(g["partner_id"][1], g["state"], g["__count"]) for g in groups] == \
        [("Ann", "done", 1), ("Ann", "draft", 1), ("Bob", "done", 1), ("Bob", "draft", 2)]


def test_lazy_grouping_passes_remaining_groupbys(env, orders):
    groups = env["test.order"].read_group([], ["amount_total"], ["state", "partner_id"])
    assert groups[0]["__context"] == {"group_by": ["partner_id"]}


def test_order_limit_offset_on_aggregates(env, orders):
    groups = env["test.order"].read_group([], ["amount_total:sum"], ["partner_id"],
                                          orderby="amount_total:sum desc", limit=1)
    assert [g["partner_id"][1] for g in groups] == ["Ann"]
    groups = env["test.order"].read_group([], [], ["state"], orderby="__count desc", offset=1)
    assert [g["state"] for g in groups] == ["done"]


def test_number_granularities(env, orders):
    groups = env["test.order"].read_group([("date", "!=", False)], [], ["date:month_number"], lazy=False)
    assert sorted((g["date:month_number"], g["__count"]) for g in groups) == [(1, 2), (2, 1), (4, 1)]


def test_invalid_specs_are_refused(env, orders):
    Order = env["test.order"]
    with pytest.raises(ValueError, match="no field 'nope'"):
        Order.read_group([], [], ["nope"])
    with pytest.raises(ValueError, match="granularity"):
        Order.read_group([], [], ["date:fortnight"])
    with pytest.raises(ValueError, match="aggregate function"):
        Order.read_group([], ["x:explode(amount_total)"], ["state"])
    with pytest.raises(ValueError, match="not stored"):
        Order.read_group([], [], ["line_count"])
