"""The access rights of the base addon, model by model and group by group.

The base addon is installed by the module loader; each case logs in as a user with
one role and reads, writes, creates or deletes a record of one model through the
ORM, without sudo.  The matrix below is the specification of
``addons/base/security/ir.model.access.csv``: a model of base missing from it fails
``test_every_model_is_in_the_matrix``.
"""
import pytest

from core.exceptions import AccessError
from core.fields import Command

ROLES = {
    "public": ["base.group_public"],
    "portal": ["base.group_portal"],
    "internal": ["base.group_user"],
    "contacts": ["base.group_user", "base.group_partner_manager"],
    "access_rights": ["base.group_erp_manager"],
    "settings": ["base.group_system"],
}

#                                  public portal  internal contacts access  settings
MATRIX = {
    "ir.actions.act_window":       ("r",   "r",    "r",     "r",     "r",    "rwcu"),
    "ir.actions.act_url":          ("r",   "r",    "r",     "r",     "r",    "rwcu"),
    "ir.attachment":               ("r",   "rc",   "rwcu",  "rwcu",  "rwcu", "rwcu"),
    "ir.config_parameter":         ("",    "",     "",      "",      "",     "rwcu"),
    "ir.cron":                     ("",    "",     "",      "",      "",     "rwcu"),
    "ir.model":                    ("",    "",     "r",     "r",     "r",    "rwcu"),
    "ir.model.access":             ("",    "",     "r",     "r",     "rwcu", "rwcu"),
    "ir.model.data":               ("",    "",     "r",     "r",     "r",    "rwcu"),
    "ir.model.fields":             ("",    "",     "r",     "r",     "r",    "rwcu"),
    "ir.module.module":            ("",    "",     "r",     "r",     "r",    "rwcu"),
    "ir.module.module.dependency": ("",    "",     "r",     "r",     "r",    "rwcu"),
    "ir.rule":                     ("",    "",     "r",     "r",     "rwcu", "rwcu"),
    "ir.sequence":                 ("",    "",     "r",     "r",     "r",    "rwcu"),
    "ir.sequence.date_range":      ("",    "",     "r",     "r",     "r",    "rwcu"),
    "ir.ui.menu":                  ("r",   "r",    "r",     "r",     "r",    "rwcu"),
    "ir.ui.view":                  ("r",   "r",    "r",     "r",     "r",    "rwcu"),
    "res.company":                 ("r",   "r",    "r",     "r",     "rwcu", "rwcu"),
    "res.country":                 ("r",   "r",    "r",     "rwcu",  "r",    "r"),
    "res.country.state":           ("r",   "r",    "r",     "rwcu",  "r",    "r"),
    "res.currency":                ("r",   "r",    "r",     "r",     "r",    "rwcu"),
    "res.currency.rate":           ("r",   "r",    "r",     "r",     "r",    "rwcu"),
    "res.groups":                  ("",    "",     "r",     "r",     "rwcu", "rwcu"),
    "res.lang":                    ("r",   "r",    "r",     "r",     "r",    "rwcu"),
    "res.partner":                 ("r",   "r",    "r",     "rwcu",  "r",    "r"),
    "res.partner.category":        ("",    "",     "r",     "rwcu",  "r",    "r"),
    "res.users":                   ("r",   "r",    "r",     "r",     "rwcu", "rwcu"),
    "res.users.apikeys":           ("",    "ru",   "ru",    "ru",    "ru",   "ru"),
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
#: operations that write another model too, and the groups they need for it when allowed:
#: a new company writes its name on its partner (a stored related field)
ALSO_NEEDS = {("res.company", "create"): ["base.group_partner_manager"]}


def values(env, model, user):
    """Valid values to create a record of ``model``, made by the superuser where needed."""
    model_of = lambda name: env["ir.model"].search([("model", "=", name)]).id  # noqa: E731
    eur = env.ref("base.EUR").id
    factories = {
        "ir.actions.act_window": lambda: {"name": "Matrix", "res_model": "res.partner"},
        "ir.actions.act_url": lambda: {"name": "Matrix", "url": "/web/apps"},
        "ir.attachment": lambda: {"name": "matrix", "type": "url", "url": "https://example.com/m"},
        "ir.config_parameter": lambda: {"key": "matrix.key", "value": "1"},
        "ir.cron": lambda: {"name": "Matrix", "model_id": model_of("res.partner"), "function": "exists"},
        "ir.model": lambda: {"name": "Matrix", "model": "x_matrix"},
        "ir.model.access": lambda: {"name": "matrix", "model_id": model_of("res.partner"), "perm_read": True},
        "ir.model.data": lambda: {"name": "matrix", "module": "matrix", "model": "res.partner", "res_id": 1},
        "ir.model.fields": lambda: {"name": "x_matrix", "model": "res.partner",
                                    "model_id": model_of("res.partner"), "ttype": "char"},
        "ir.module.module": lambda: {"name": "matrix_module"},
        "ir.module.module.dependency": lambda: {
            "name": "base", "module_id": env["ir.module.module"].search([("name", "=", "base")]).id},
        "ir.rule": lambda: {"name": "matrix", "model_id": model_of("res.partner"), "domain_force": "[]"},
        "ir.sequence": lambda: {"name": "Matrix"},
        "ir.sequence.date_range": lambda: {
            "sequence_id": env["ir.sequence"].create({"name": "Matrix main"}).id,
            "date_from": "2001-01-01", "date_to": "2001-12-31"},
        "ir.ui.menu": lambda: {"name": "Matrix"},
        "ir.ui.view": lambda: {"name": "matrix", "model": "res.partner", "type": "form",
                               "arch_db": "<form><field name='name'/></form>"},
        "res.company": lambda: {"partner_id": env["res.partner"].create({"name": "Matrix Co"}).id,
                                "currency_id": eur},
        "res.country": lambda: {"name": "Matrixland", "code": "XM"},
        "res.country.state": lambda: {"name": "Matrix State", "code": "MS",
                                      "country_id": env["res.country"].create({"name": "Statia",
                                                                               "code": "XS"}).id},
        "res.currency": lambda: {"name": "XMT", "symbol": "¤"},
        "res.currency.rate": lambda: {"currency_id": eur, "rate": 1.5, "name": "2001-01-01"},
        "res.groups": lambda: {"name": "Matrix Group"},
        "res.lang": lambda: {"name": "Matrix", "code": "xx_XX"},
        "res.partner": lambda: {"name": "Matrix Partner"},
        "res.partner.category": lambda: {"name": "Matrix Tag"},
        "res.users": lambda: {"name": "Matrix User", "login": "matrix_user"},
        "res.users.apikeys": lambda: {"name": "matrix", "user_id": user.id, "key": "0123456789abcdef" * 3},
    }
    return factories[model]()


#: a field each model lets us write without side effects on another model
WRITES = {"ir.config_parameter": {"value": "2"}, "ir.sequence.date_range": {"number_next": 5},
          "res.company": {"sequence": 3}, "res.currency": {"symbol": "¤¤"},
          "res.currency.rate": {"rate": 2.0}, "res.users": {"signature": "<p>m</p>"},
          "ir.attachment": {"description": "changed"}, "ir.model.data": {"name": "matrix_changed"}}


def role_user(env, role, extra=()):
    groups = [env.ref(xmlid).id for xmlid in list(ROLES[role]) + list(extra)]
    return env["res.users"].create({
        "name": f"Matrix {role}", "login": f"matrix_{role}", "groups_id": [Command.set(groups)],
        "company_id": env.ref("base.main_company").id})


def cases():
    for model, rights in sorted(MATRIX.items()):
        for role, allowed in zip(ROLES, rights):
            for letter, operation in OPERATIONS.items():
                yield pytest.param(model, role, operation, letter in allowed,
                                   id=f"{model}-{role}-{operation}")


def test_every_model_is_in_the_matrix(base_env):
    models = {name for name, cls in base_env.registry.models.items() if not cls._abstract}
    assert models - set(MATRIX) == set(), "models of base without a line in the access matrix"
    assert set(MATRIX) - models == set()
    without_rows = sorted(name for name in models if not base_env["ir.model.access"].search(
        [("model_id.model", "=", name)]))
    assert without_rows == [], "models of base without access rights in ir.model.access.csv"


@pytest.mark.parametrize("model, role, operation, allowed", list(cases()))
def test_access_matrix(base_env, model, role, operation, allowed):
    env = base_env
    user = role_user(env, role, ALSO_NEEDS.get((model, operation), ()) if allowed else ())
    uenv = env(user=user.id)
    # attachments attached to no document belong to their creator: let the user own it
    owner = uenv(su=True) if model == "ir.attachment" else env
    calls = {
        "read": lambda: uenv[model].search([], limit=1).read(),
        "write": lambda: owner[model].create(values(env, model, user)).with_env(uenv).write(
            WRITES.get(model, {"name": "Matrix changed"})),
        "create": lambda: uenv[model].create(values(env, model, user)),
        "unlink": lambda: owner[model].create(values(env, model, user)).with_env(uenv).unlink(),
    }
    if allowed:
        calls[operation]()
    else:
        with pytest.raises(AccessError) as info:
            calls[operation]()
        assert model in str(info.value)


def test_creating_a_company_needs_contact_creation_too(base_env):
    """The new company's name is written on its partner, as the user."""
    user = role_user(base_env, "access_rights")
    partner = base_env["res.partner"].create({"name": "Matrix Co"})
    with pytest.raises(AccessError) as info:
        base_env(user=user.id)["res.company"].create({"partner_id": partner.id,
                                                      "currency_id": base_env.ref("base.EUR").id})
    assert "res.partner" in str(info.value)
