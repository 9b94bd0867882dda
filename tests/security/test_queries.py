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
