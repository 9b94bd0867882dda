"""Mail templates: rendering in the sandbox, in the recipient's language, and sending."""
from datetime import date

import pytest

from core.exceptions import AccessError, UserError, ValidationError


@pytest.fixture
def ticket(env):
    partner = env["res.partner"].create({"name": "Grete Müller", "email": "grete@example.de", "lang": "de_DE"})
    return env["test.mail.ticket"].create({"name": "Broken <heater>", "partner_id": partner.id,
                                           "amount": 1234.5, "deadline": date(2026, 3, 14)})


def template(env, **values):
    values = {"name": "Ticket update", "model": "test.mail.ticket",
              "subject": "Ticket {{ object.name }}",
              "body_html": "<p>Hello {{ object.partner_id.name }}, about {{ object.name }}</p>",
              "email_from": "Desk <desk@example.com>", "partner_to": "{{ object.partner_id.id }}", **values}
    return env["mail.template"].create(values)


def test_render_fields_escapes_html_only_in_the_body(env, ticket):
    tmpl = template(env)
    assert tmpl.render_field("subject", [ticket.id]) == {ticket.id: "Ticket Broken <heater>"}
    assert tmpl.render_field("body_html", ticket.ids)[ticket.id] == \
        "<p>Hello Grete Müller, about Broken &lt;heater&gt;</p>"
    # an empty field shows nothing, not "False"
    ticket.user_id = False
    assert template(env, subject="[{{ object.user_id.name }}]").render_field("subject", ticket.ids)[ticket.id] == "[]"


def test_helpers_and_record_methods(env, ticket):
    tmpl = template(env, subject="{{ format_date(object.deadline) }} | {{ format_amount(object.amount, 'EUR') }}"
                                 " | {{ object.mapped('partner_id.name')[0] }} | {{ user.name }} | {{ ctx.get('x') }}")
    assert tmpl.with_context(x="y").render_field("subject", ticket.ids)[ticket.id] == \
        "Mar 14, 2026 | €1,234.50 | Grete Müller | System | y"


def test_rendered_in_the_recipients_language(env, ticket):
    tmpl = template(env, lang="{{ object.partner_id.lang }}",
                    subject="Your ticket {{ object.name }} is due {{ format_date(object.deadline, 'long') }}",
                    body_html="<p>Amount: {{ format_amount(object.amount, 'EUR') }}</p>")
    tmpl.with_context(lang="de_DE").write({
        "subject": "Ihr Ticket {{ object.name }} ist am {{ format_date(object.deadline, 'long') }} fällig",
        "body_html": "<p>Betrag: {{ format_amount(object.amount, 'EUR') }}</p>"})
    english = env["res.partner"].create({"name": "Ann", "email": "ann@example.org", "lang": "en_US"})
    other = env["test.mail.ticket"].create({"name": "Leak", "partner_id": english.id, "amount": 1234.5,
                                            "deadline": date(2026, 3, 14)})
    subjects = tmpl.render_field("subject", [ticket.id, other.id])
    assert subjects == {ticket.id: "Ihr Ticket Broken <heater> ist am 14. März 2026 fällig",
                        other.id: "Your ticket Leak is due March 14, 2026"}
    assert tmpl.render_field("body_html", [ticket.id])[ticket.id] == "<p>Betrag: 1.234,50\xa0€</p>"


def test_send_mail_queues_and_sends_in_german(env, ticket, mail_server, smtp_sink):
    tmpl = template(env, lang="{{ object.partner_id.lang }}", email_cc="{{ 'boss@example.com' }}")
    tmpl.with_context(lang="de_DE").write({"subject": "Ticket {{ object.name }}: Rückmeldung"})
    mail_id = tmpl.send_mail(ticket.id, email_values={"auto_delete": False})
    mail = env["mail.mail"].browse(mail_id)
    assert (mail.state, mail.subject, mail.model, mail.res_id) == \
        ("outgoing", "Ticket Broken <heater>: Rückmeldung", "test.mail.ticket", ticket.id)
    assert mail.recipient_ids == ticket.partner_id and mail.email_cc == "boss@example.com"
    assert mail.email_from == "Desk <desk@example.com>" and not mail.auto_delete
    env["mail.mail"].process_email_queue()
    [message] = smtp_sink.messages
    assert message["Subject"] == "Ticket Broken <heater>: Rückmeldung"
    assert message["To"].addresses[0].addr_spec == "grete@example.de"
    sent = template(env, subject="Now").send_mail(ticket.id, force_send=True)
    assert not env["mail.mail"].browse(sent).exists()       # sent at once, then deleted (auto_delete)
    assert [m["Subject"] for m in smtp_sink.messages][-1] == "Now"


def test_send_mail_by_a_user_needs_read_access_to_the_record(env, ticket):
    tmpl = template(env)
    demo = env.ref("base.user_demo")
    mail_id = tmpl.with_user(demo).send_mail(ticket.id)
    assert env["mail.mail"].browse(mail_id).subject == "Ticket Broken <heater>"
    portal = env.ref("base.demo_user0")
    with pytest.raises(AccessError):
        tmpl.with_user(portal).send_mail(ticket.id)


@pytest.mark.parametrize("expression", [
    "object.__class__",
    "object.env",
    "object.env.cr",
    "object.sudo()",
    "object.write({'name': 'hacked'})",
    "object.partner_id.unlink()",
    "object.browse(1)",
    "user.env",
    "object|attr('env')",
    "'{0.env}'.format(object)",
    "object.with_user(1)",
    "format_date.__globals__",
])
def test_sandbox_refuses_unsafe_access(env, ticket, expression):
    tmpl = template(env, name="Evil", subject="Hello\n{{ %s }}" % expression)
    with pytest.raises(UserError, match=r"Template “Evil”, field subject, line 2: "):
        tmpl.render_field("subject", ticket.ids)
    assert ticket.name == "Broken <heater>" and ticket.partner_id.exists()


def test_errors_name_the_template_field_and_line(env, ticket):
    with pytest.raises(UserError, match=r"Template “Broken”, field body_html, line 3: unexpected 'end of print statement'"):
        template(env, name="Broken", body_html="<p>\n</p>\n{{ object.name + }}").render_field("body_html", ticket.ids)
    with pytest.raises(UserError, match=r"Template “Div”, field subject, line 2: division by zero"):
        template(env, name="Div", subject="a\n{{ 1 / 0 }}").render_field("subject", ticket.ids)
    with pytest.raises(UserError, match="“To \\(Partners\\)” must render contact ids"):
        template(env, partner_to="{{ object.name }}").send_mail(ticket.id)
    with pytest.raises(UserError, match="not a rendered field"):
        template(env).render_field("model", ticket.ids)
    with pytest.raises(UserError, match="there is no test.mail.ticket with id 99999"):
        template(env).render_field("subject", [99999])
    with pytest.raises(ValidationError, match="unknown model 'no.such.model'"):
        template(env, model="no.such.model")
