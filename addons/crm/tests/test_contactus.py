"""The public contact form over real HTTP: a lead (and its partner) per request,
validation, the honeypot, the rate limit."""
import pytest


@pytest.fixture
def crm_web(start_web_server):
    return start_web_server(addons=("crm",))


def submit(server, **values):
    client = server.client()
    token = client.csrf_token("/contactus")
    data = {"contact_name": "Anna Berg", "email_from": "anna@contact.test", "phone": "+49 30 1",
            "partner_name": "Berg GmbH", "name": "40 office chairs", "description": "Do you deliver?\nBy May.",
            "csrf_token": token}
    data.update(values)
    return client.post("/contactus", data)


def leads(server):
    with server.env() as env:
        return [(lead.name, lead.contact_name, lead.partner_id.name, lead.partner_id.parent_id.name,
                 lead.type, lead.medium_id.name, lead.user_id.id, lead.description)
                for lead in env["crm.lead"].search([("email_from", "ilike", "contact.test")])]


def test_the_form_is_public_and_creates_a_lead_with_its_partner(crm_web):
    page = crm_web.client().get("/contactus")
    assert page.status == 200 and 'name="email_from"' in page.text
    reply = submit(crm_web)
    assert reply.status == 200 and "Thank you" in reply.text
    (name, contact, partner, company, kind, medium, user, body), = leads(crm_web)
    assert (name, contact, partner, company, kind, medium, user) == \
        ("40 office chairs", "Anna Berg", "Anna Berg", "Berg GmbH", "lead", "Website", False)
    assert "Do you deliver?<br/>By May." in body
    submit(crm_web, name="and desks")              # same address: the same partner, no new one
    with crm_web.env() as env:
        assert env["res.partner"].search_count([("email", "=", "anna@contact.test")]) == 1


def test_the_partner_of_a_known_address_is_linked(crm_web):
    with crm_web.env() as env:
        known = env["res.partner"].create({"name": "Anna (known)", "email": "ANNA@contact.test"})
        known_id = known.id
    submit(crm_web)
    with crm_web.env() as env:
        assert env["crm.lead"].search([("email_from", "ilike", "contact.test")]).partner_id.id == known_id


def test_missing_fields_are_named_and_nothing_is_stored(crm_web):
    reply = submit(crm_web, email_from="not an address", description="")
    assert reply.status == 400
    assert 'id="email_from-error"' in reply.text and 'id="description-error"' in reply.text
    assert 'value="Anna Berg"' in reply.text, "what was typed is kept"
    assert leads(crm_web) == []


def test_the_honeypot_stores_nothing(crm_web):
    reply = submit(crm_web, website_url="http://spam.example")
    assert reply.status == 200 and "Thank you" in reply.text
    assert leads(crm_web) == []


def test_one_address_is_limited(crm_web):
    with crm_web.env() as env:
        env["ir.config_parameter"].set_param("crm.contact_form_limit", "2")
    assert submit(crm_web).status == 200
    assert submit(crm_web).status == 200
    reply = submit(crm_web)
    assert reply.status == 429 and reply.headers["Retry-After"] == "3600"
    assert "try again later" in reply.text
    assert len(leads(crm_web)) == 2


def test_a_post_without_the_csrf_token_is_refused(crm_web):
    reply = crm_web.client().post("/contactus", {"contact_name": "x", "email_from": "x@example.com",
                                                 "description": "x"})
    assert reply.status in (400, 403)
    assert leads(crm_web) == []
