"""What security costs in queries: read once per transaction, then almost nothing."""


def test_security_is_read_once_per_transaction(base_env):
    env = base_env
    partners = env(user=env.ref("base.user_demo").id)["res.partner"]
    partners.search([], limit=5)                     # groups, access rows, rules: read here
    start = env.cr.sql_count
    records = partners.search([], limit=5)
    assert env.cr.sql_count - start == 1             # the search itself, rules folded in
    records.read(["name"])
    start = env.cr.sql_count
    records.read(["name"])
    assert env.cr.sql_count - start == 1             # the record rule check of the read ids


def test_search_read_runs_the_record_rules_once(base_env):
    env = base_env
    demo = env.ref("base.user_demo").id
    partners = env(user=demo)["res.partner"]
    partners.search_read([], ["name"], limit=5)      # groups, access rows, rules: read here
    start = env.cr.sql_count
    rows = partners.search_read([], ["name"], offset=5, limit=5)     # records not in the cache yet
    assert env.cr.sql_count - start == 2             # the search (rules folded in), the names
    # the same rows as search + read, which checks the rules of the ids again
    assert rows == partners.search([], offset=5, limit=5).read(["name"])
    # a field the user may not read is refused, as read refuses it
    try:
        env(user=demo)["res.users"].search_read([], ["password"], limit=1)
    except Exception as exc:  # noqa: BLE001 -- the type is asserted below
        assert type(exc).__name__ == "AccessError"
    else:
        raise AssertionError("search_read returned a field restricted to administrators")


def test_models_without_rules_cost_no_rule_query(base_env):
    env = base_env
    langs = env(user=env.ref("base.user_demo").id)["res.lang"]
    records = langs.with_context(active_test=False).search([], limit=3)
    records.read(["name"])
    start = env.cr.sql_count
    records.read(["name"])
    assert env.cr.sql_count - start == 0


def test_memo_is_forgotten_at_commit(base_registry):
    from core.api import Environment
    with base_registry.cursor() as cr:
        env = Environment(cr, 1, {})
        demo = env.ref("base.user_demo").id
        env(user=demo)["res.partner"].search([], limit=1)
        cr.commit()
        start = cr.sql_count
        env(user=demo)["res.partner"].search([], limit=1)
        assert cr.sql_count - start > 1
        cr.rollback()
