"""Followers: subscribe / unsubscribe, default subtypes, no duplicates, who may do what,
and partners found by their email address."""
import pytest

from core.exceptions import AccessError


@pytest.fixture
def ticket(env):
    return env["test.mail.ticket"].create({"name": "Followed"})


@pytest.fixture
def customer(env):
    return env["res.partner"].create({"name": "Customer", "email": "customer@example.com"})


def _followers(env, record):
    return env["mail.followers"].search([("res_model", "=", record._name), ("res_id", "=", record.id)])


def test_subscribe_is_idempotent(env, ticket, customer):
    ticket.message_subscribe([customer.id])
    ticket.message_subscribe([customer.id, customer.id])
    assert len(_followers(env, ticket)) == 2          # the creator and the customer
    assert ticket.message_partner_ids == env.user.partner_id | customer


def test_default_subtypes_customers_never_get_internal_ones(env, ticket, customer):
    internal_default = env["mail.message.subtype"].create(
        {"name": "Internal default", "default": True, "internal": True})
    other_model = env["mail.message.subtype"].create(
        {"name": "Elsewhere", "default": True, "res_model": "res.partner"})
    demo_partner = env.ref("base.user_demo").partner_id
    ticket.message_subscribe([customer.id, demo_partner.id])
    by_partner = {f.partner_id: f.subtype_ids for f in _followers(env, ticket)}
    comment = env.ref("mail.mt_comment")
    assert comment in by_partner[customer] and internal_default not in by_partner[customer]
    assert comment in by_partner[demo_partner] and internal_default in by_partner[demo_partner]
    assert other_model not in by_partner[customer] | by_partner[demo_partner]
    assert env.ref("mail.mt_note") not in by_partner[demo_partner]     # notes are not a default


def test_given_subtypes_replace_those_of_existing_followers(env, ticket, customer):
    note = env.ref("mail.mt_note")
    ticket.message_subscribe([customer.id])
    ticket.message_subscribe([customer.id], subtype_ids=[note.id])
    follower = _followers(env, ticket).filtered(lambda f: f.partner_id == customer)
    assert follower.subtype_ids == note


def test_unsubscribe(env, ticket, customer):
    other = env["test.mail.ticket"].create({"name": "Other"})
    (ticket | other).message_subscribe([customer.id])
    ticket.message_unsubscribe([customer.id])
    assert customer not in ticket.message_partner_ids
    assert customer in other.message_partner_ids
    assert ticket.message_unsubscribe([customer.id]) is True     # nothing left to remove


def test_bad_partner_ids_are_refused(env, ticket):
    with pytest.raises(ValueError, match="partner_ids"):
        ticket.message_subscribe(["not an id"])


def test_user_subscribes_himself_with_read_access_only(env, ticket, customer):
    demo = env.ref("base.user_demo")
    env["ir.rule"].create({
        "name": "demo writes no ticket", "model_id": env["ir.model"].search([("model", "=", ticket._name)]).id,
        "domain_force": "[(0, '=', 1)]", "perm_read": False, "perm_create": False, "perm_unlink": False,
        "groups": [(6, 0, [env.ref("base.group_user").id])]})
    as_demo = ticket.with_user(demo)
    as_demo.message_subscribe([demo.partner_id.id])
    assert as_demo.message_is_follower
    with pytest.raises(AccessError):
        as_demo.message_subscribe([customer.id])
    with pytest.raises(AccessError):
        env["mail.followers"].with_user(demo).create(
            {"res_model": ticket._name, "res_id": ticket.id, "partner_id": customer.id})
    as_demo.message_unsubscribe([demo.partner_id.id])
    assert not as_demo.message_is_follower


def test_followers_of_unreadable_documents_are_hidden(env, ticket, customer):
    demo = env.ref("base.user_demo")
    hidden = env["test.mail.ticket"].create({"name": "Secret"})
    hidden.message_subscribe([customer.id])
    ticket.message_subscribe([customer.id])
    env["ir.rule"].create({
        "name": "demo reads one ticket", "model_id": env["ir.model"].search([("model", "=", ticket._name)]).id,
        "domain_force": f"[('id', '=', {ticket.id})]", "groups": [(6, 0, [env.ref("base.group_user").id])]})
    Followers = env["mail.followers"].with_user(demo)
    visible = Followers.search([("partner_id", "=", customer.id)])
    assert set(visible.mapped("res_id")) == {ticket.id}
    secret = _followers(env, hidden)
    with pytest.raises(AccessError):
        secret.with_user(demo).read(["partner_id"])


def test_find_partners_by_email(env):
    Partner = env["res.partner"]
    plain = Partner.create({"name": "Plain", "email": "Dup@Example.com"})
    user_partner = env.ref("base.user_demo").partner_id
    user_partner.email = "dup@example.com"
    found = Partner._mail_find_partners(["Someone <DUP@example.com>", "nobody@example.com", "no address"])
    assert found == {"dup@example.com": user_partner}        # a user's partner comes first
    assert plain.email_normalized == "dup@example.com"
    assert Partner._find_or_create_from_email("x <dup@example.com>") == user_partner
    assert not Partner._find_or_create_from_email("new@example.com", create=False)
    created = Partner._find_or_create_from_email("Neue Kundin <Neue@Example.com>")
    assert (created.name, created.email) == ("Neue Kundin", "neue@example.com")
    assert not Partner._find_or_create_from_email("not an address")
    partners = Partner._find_or_create_from_emails(
        ["Neue Kundin <neue@example.com>, Other <other@example.com>", "dup@example.com"])
    assert partners[0] == created and partners[2] == user_partner
    assert partners[1].name == "Other" and partners[1].email == "other@example.com"
