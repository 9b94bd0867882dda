"""Helpers of the security tests: users, groups, access rows and rules in a few words."""
from core.fields import Command


def make_user(env, login, groups=(), company="base.main_company", companies=None, **values):
    """A user in ``groups`` (xml ids), working in ``company`` (and ``companies``)."""
    company_id = env.ref(company).id
    company_ids = [env.ref(c).id for c in (companies or [company])]
    return env["res.users"].create({
        "name": login.title(), "login": login, "company_id": company_id,
        "company_ids": [Command.set(company_ids)],
        "groups_id": [Command.set([env.ref(g).id for g in groups])], **values})


def make_group(env, name, implied=()):
    return env["res.groups"].create({"name": name,
                                     "implied_ids": [Command.set([env.ref(g).id for g in implied])]})


def model_id(env, model):
    return env["ir.model"].search([("model", "=", model)]).id


def grant(env, model, group=None, perms="rwcu"):
    """An access row on ``model`` for ``group`` (an xml id, a record or None for everyone)."""
    if isinstance(group, str):
        group = env.ref(group)
    return env["ir.model.access"].create({
        "name": f"{model} {group.name if group else 'all'} {perms}", "model_id": model_id(env, model),
        "group_id": group.id if group else False,
        "perm_read": "r" in perms, "perm_write": "w" in perms,
        "perm_create": "c" in perms, "perm_unlink": "u" in perms})


def add_rule(env, model, domain, groups=(), perms="rwcu", name=None):
    """A record rule on ``model``; ``groups``: xml ids or records."""
    gids = [env.ref(g).id if isinstance(g, str) else g.id for g in groups]
    return env["ir.rule"].create({
        "name": name or f"{model} {domain}", "model_id": model_id(env, model), "domain_force": domain,
        "groups": [Command.set(gids)],
        "perm_read": "r" in perms, "perm_write": "w" in perms,
        "perm_create": "c" in perms, "perm_unlink": "u" in perms})
