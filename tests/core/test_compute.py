"""Computed fields: stored ones recomputed through relations, non-stored on read."""
import pytest
import sqlalchemy as sa

from core import Command


@pytest.fixture
def order(env):
    partner = env["test.partner"].create({"name": "Buyer", "city": "Bonn"})
    return env["test.order"].create({
        "partner_id": partner.id,
        "line_ids": [Command.create({"product": "a", "quantity": 2, "price": 5.0}),
                     Command.create({"product": "b", "quantity": 1, "price": 1.5})],
    })


def stored_total(env, order):
    """The value in the database, bypassing the cache."""
    env.flush_all()
    table = env.registry.tables["test.order"]
    return env.cr.execute(table.select().where(table.c.id == order.id)).mappings().one()["amount_total"]


def test_stored_compute_on_create(env, order):
    assert order.amount_total == 11.5
    assert stored_total(env, order) == 11.5


def test_recomputed_when_a_line_changes(env, order):
    order.line_ids[0].write({"price": 10.0})
    assert order.amount_total == 21.5
    assert stored_total(env, order) == 21.5


def test_recomputed_when_a_line_is_added_removed_or_moved(env, order):
    env["test.order.line"].create({"order_id": order.id, "price": 100.0})
    assert order.amount_total == 111.5
    order.line_ids[-1].unlink()
    assert order.amount_total == 11.5
    other = env["test.order"].create({"partner_id": order.partner_id.id})
    order.line_ids[0].write({"order_id": other.id})
    assert (order.amount_total, other.amount_total) == (1.5, 10.0)
    assert stored_total(env, other) == 10.0


def test_recomputed_through_x2many_commands(env, order):
    first, second = order.line_ids
    order.write({"line_ids": [Command.update(first.id, {"quantity": 3}), Command.delete(second.id)]})
    assert order.amount_total == 15.0
    order.write({"line_ids": [Command.create({"price": 1.0})]})
    assert order.amount_total == 16.0


def test_same_record_dependency(env, order):
    order.discount = 1.5
    assert order.amount_total == 10.0


def test_stale_value_is_recomputed_before_search(env, order):
    order.line_ids[0].price = 50.0
    assert env["test.order"].search([("amount_total", ">", 100)]) == order


def test_non_stored_compute_follows_changes(env, order):
    assert order.line_count == 2
    env["test.order.line"].create({"order_id": order.id})
    assert order.line_count == 3


def test_related_stored_follows_the_target(env, order):
    assert order.partner_city == "Bonn"
    order.partner_id.city = "Berlin"
    assert order.partner_city == "Berlin"
    assert env["test.order"].search([("partner_city", "=", "Berlin")]) == order


def test_related_non_stored_reads_and_searches(env):
    country = env["test.country"].create({"name": "Germany", "code": "DE"})
    partner = env["test.partner"].create({"name": "P", "country_id": country.id})
    assert partner.country_code == "DE"
    country.code = "AT"
    assert partner.country_code == "AT"
    assert env["test.partner"].search([("country_code", "=", "AT")]) == partner


def test_related_field_writes_through(env):
    country = env["test.country"].create({"name": "Germany", "code": "DE"})
    partner = env["test.partner"].create({"name": "P", "country_id": country.id})
    partner.write({"country_code": "CH"})
    assert country.code == "CH"


def test_computes_run_in_batch(env, count_queries):
    partner = env["test.partner"].create({"name": "Buyer"})
    orders = env["test.order"].create([
        {"partner_id": partner.id, "line_ids": [Command.create({"price": float(i)})]} for i in range(10)])
    env.flush_all()
    orders.invalidate_recordset()
    env["test.order.line"].invalidate_model()
    with count_queries() as counter:
        counts = [o.line_count for o in orders]
    assert counts == [1] * 10
    assert counter.count <= 2


def test_onchange_recomputes_and_warns(env):
    partner = env["test.partner"].create({"name": "Far", "city": "Nowhere"})
    result = env["test.order"].onchange(
        {"partner_id": partner.id, "discount": 0.0,
         "line_ids": [Command.create({"price": 4.0, "quantity": 2})]},
        ["partner_id"], ["partner_id", "amount_total", "partner_city"])
    assert result["warning"]["message"] == "This partner lives nowhere."
    assert result["value"]["partner_city"] == "Nowhere"
    result = env["test.order"].onchange(
        {"partner_id": partner.id, "discount": 1.0,
         "line_ids": [Command.create({"price": 4.0, "quantity": 2})]},
        ["discount"], ["amount_total"])
    assert result["value"]["amount_total"] == 7.0
    assert env["test.order"].search_count([]) == 0  # nothing was written


def test_onchange_of_a_changed_existing_line_recomputes_its_subtotal_and_the_total(env):
    partner = env["test.partner"].create({"name": "Buyer"})
    order = env["test.order"].create({"partner_id": partner.id, "line_ids": [
        Command.create({"price": 4.0, "quantity": 2}), Command.create({"price": 1.0, "quantity": 1})]})
    env.flush_all()
    first, second = order.line_ids
    assert order.amount_total == 9.0
    result = order.onchange(
        {"id": order.id, "partner_id": partner.id, "discount": 0.0,
         "line_ids": [Command.update(first.id, {"quantity": 5}), Command.link(second.id)]},
        ["line_ids"], ["amount_total", "line_ids"])
    assert result["value"]["amount_total"] == 21.0
    # a draft copy of a line recomputes what depends on the values it was given
    draft = env["test.order.line"].new({"quantity": 3}, origin=first)
    assert draft.subtotal == 12.0
    assert first.subtotal == 8.0 and order.amount_total == 9.0  # nothing written


def test_onchange_follows_the_fields_an_onchange_method_changed(env):
    germany = env["test.country"].create({"name": "Germany", "code": "DE"})
    result = env["test.shipment"].onchange({"country_id": germany.id, "carrier": False, "tracking_url": False},
                                           ["country_id"], ["carrier", "tracking_url", "label"])
    assert result["value"] == {"carrier": "Post", "tracking_url": "https://track.example/post",
                               "label": "Post: https://track.example/post"}


def test_inverse_and_search_methods_of_a_non_stored_compute(env):
    partner = env["test.partner"].create({"name": "P", "city": "bonn"})
    assert partner.upper_city == "BONN"
    partner.upper_city = "KÖLN"
    assert partner.city == "Köln"
    assert env["test.partner"].search([("upper_city", "=", "KÖLN")]) == partner


def test_model_without_table_reads_its_sql_view(env):
    partner = env["test.partner"].create({"name": "P"})
    env["test.order"].create([{"partner_id": partner.id}, {"partner_id": partner.id}])
    env.flush_all()
    [row] = env["test.order.report"].search_read([], ["partner_id", "order_count"])
    assert row["partner_id"] == (partner.id, "P") and row["order_count"] == 2


def test_create_override_receives_a_list(env):
    from core import api as api_module

    class Probe:
        received = None

        @api_module.model_create_multi
        def create(self, vals_list):
            Probe.received = vals_list
            return vals_list

    Probe().create({"a": 1})
    assert Probe.received == [{"a": 1}]


def test_stored_related_field_writes_through_when_not_readonly(env):
    country = env["test.country"].create({"name": "Germany", "code": "DE"})
    order_partner = env["test.partner"].create({"name": "P", "city": "Bonn", "country_id": country.id})
    order = env["test.order"].create({"partner_id": order_partner.id})
    field = env["test.order"]._fields["partner_city"]
    field.readonly = False
    try:
        order.write({"partner_city": "Ulm"})
        assert order_partner.city == "Ulm"
    finally:
        field.readonly = True


def test_a_search_inside_a_compute_leaves_what_depends_on_it_for_later(env):
    """The compute of owner_id searches (a flush); owner_city and label, which depend on
    owner_id, must not be computed by that flush from the value not yet assigned."""
    env["test.partner"].create({"name": "Nobody"})
    owner = env["test.partner"].create({"name": "Owner", "city": "Bonn"})
    record = env["test.assignment"].create({"name": "A"})
    assert record.owner_id == owner
    assert (record.owner_city, record.label) == ("Bonn", "A @ Bonn")
    env.flush_all()
    record.invalidate_recordset()
    assert (record.owner_id, record.owner_city, record.label) == (owner, "Bonn", "A @ Bonn")


def test_a_writable_compute_keeps_the_value_it_does_not_assign(env):
    env["test.partner"].create({"name": "Default", "city": "Bonn"})
    chosen = env["test.partner"].create({"name": "Chosen", "city": "Köln"})
    record = env["test.assignment"].create({"name": "A"})
    record.owner_id = chosen
    record.country_id = env["test.country"].create({"name": "Germany", "code": "DE"})
    env.flush_all()
    record.invalidate_recordset()
    assert record.owner_id == chosen, "the recompute triggered by country_id kept the owner set by hand"
    assert record.owner_city == "Köln"


def test_a_value_that_depends_on_the_user_is_kept_per_user(env):
    """depends_context("uid", "su"): what the superuser computed is not what a user reads."""
    partner = env["test.partner"].create({"name": "Seen"})
    uid = 7                                           # another user than the superuser
    as_root = partner.viewer
    as_user = partner.with_user(uid).viewer
    assert as_root == f"uid={env.uid} su=True"
    assert as_user == f"uid={uid} su=False"
    assert partner.viewer == as_root, "each environment reads its own value from the cache"
    partner.invalidate_recordset(["viewer"])
    assert partner.with_user(uid).sudo().viewer == f"uid={uid} su=True"
    assert partner.with_user(uid).viewer == f"uid={uid} su=False"


def test_a_value_that_depends_on_a_context_key(env):
    partner = env["test.partner"].create({"name": "Seen"})
    assert partner.with_context(tone="loud").greeting == "HELLO SEEN"
    assert partner.with_context(tone="soft").greeting == "hello seen"
    assert partner.greeting == "Hello Seen"


def _updates_of(env, call):
    from tests.support.sql import statements_of
    with statements_of(env.registry.engine) as statements:
        call()
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE")]


def test_a_flush_writes_each_record_once_with_all_its_recomputed_columns(env):
    env["test.partner"].create({"name": "Owner", "city": "Bonn"})
    env.flush_all()

    def create():
        env["test.assignment"].create([{"name": f"A{i}"} for i in range(20)])
        env.flush_all()
    updates = _updates_of(env, create)
    # owner_id is computed first (its method searches, which flushes); owner_city and label
    # after it: two UPDATEs for the 20 records, not one per field
    assert len(updates) <= 2, updates
    table = env.registry.tables["test.assignment"]
    rows = env.cr.execute(sa.select(table.c.owner_city, table.c.label)).all()
    assert len(rows) == 20 and all(row == ("Bonn", row.label) and row.label.endswith("@ Bonn") for row in rows)


def test_held_back_values_survive_a_failed_savepoint_and_a_fetch(env):
    env["test.partner"].create({"name": "Owner", "city": "Bonn"})
    record = env["test.assignment"].create({"name": "A"})
    env.flush_all()
    record.name = "B"                       # label is stale now
    assert record.label == "B @ Bonn"       # recomputed on read: held back, not written yet
    record.invalidate_recordset(["name"])   # a fetch of the row must not bring back the old label
    assert record.name == "B" and record.label == "B @ Bonn"
    with pytest.raises(ZeroDivisionError):
        with env.cr.savepoint(flush=False):
            1 / 0
    env.flush_all()
    table = env.registry.tables["test.assignment"]
    assert env.cr.execute(sa.select(table.c.label).where(table.c.id == record.id)).scalar_one() == "B @ Bonn"
