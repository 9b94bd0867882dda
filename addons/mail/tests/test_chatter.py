"""The chatter under forms, over HTTP: what the form page shows, and every chatter route
(post, note, files, followers, activities, older messages) against a served database."""
import re
import uuid
from html import unescape

import pytest

from core.api import Environment
from core.fields import Command
from tests.support.sql import statements_of
from tests.support.web import ADMIN_PASSWORD

from .conftest import MAIL_ADDONS, TEST_ADDONS

TICKET = "test.mail.ticket"


@pytest.fixture
def server(start_web_server):
    return start_web_server(addons=MAIL_ADDONS, addons_paths=(TEST_ADDONS,))


@pytest.fixture
def client(server):
    return server.login_client()


def new_ticket(server, **values):
    with server.env() as env:
        return env[TICKET].create({"name": "Printer on fire", **values}).id


def form_url(ticket_id):
    return f"/web/model/{TICKET}/{ticket_id}"


def chatter_url(ticket_id, suffix):
    return f"/mail/chatter/{TICKET}/{ticket_id}{suffix}"


def token(client, ticket_id):
    return client.csrf_token(form_url(ticket_id))


def post(client, path, ticket_id, **data):
    """POST a chatter form (the CSRF token of the form page) with ``back`` = the form."""
    data = {"csrf_token": token(client, ticket_id), "back": form_url(ticket_id), **data}
    return client.post(path, data)


def post_multipart(client, path, fields, files):
    """POST multipart/form-data: ``fields`` {name: text}, ``files`` [(input name, filename, bytes)]."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return client.request("POST", path, data=b"".join(parts),
                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def messages_of(server, ticket_id):
    with server.env() as env:
        found = env["mail.message"].search([("model", "=", TICKET), ("res_id", "=", ticket_id)], order="id")
        return [(m.message_type, m.subtype_id.name, m.body, m.author_id.name) for m in found]


def chatter_html(client, ticket_id):
    page = client.get(form_url(ticket_id))
    assert page.status == 200, page.text[:2000]
    match = re.search(r'<section class="o-chatter".*', page.text, re.S)
    return match.group(0) if match else None


def text_of(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def partner(server, name, email):
    with server.env() as env:
        return env["res.partner"].create({"name": name, "email": email}).id


def make_user(server, login, groups=("base.group_user",)):
    with server.env() as env:
        user = env["res.users"].create({
            "name": login.title(), "login": login, "password": ADMIN_PASSWORD,
            "groups_id": [Command.set([env.ref(g).id for g in groups])]})
        return user.id


# ---------------------------------------------------------------- the form page
def test_saved_record_shows_the_chatter_new_and_edited_do_not(server, client):
    ticket_id = new_ticket(server)
    html = chatter_html(client, ticket_id)
    assert html is not None
    for label in ("Send message", "Log note", "Activities", "Attach files", "Follow"):
        assert label in html, label
    # the chatter is outside the record's form: its own forms cannot nest in it
    page = client.get(form_url(ticket_id)).text
    assert page.index("</form>") < page.index('id="o-chatter"') or \
        page.rindex("</form>", 0, page.index('id="o-chatter"')) > page.index('id="o-form"')
    assert 'href="/mail/static/src/css/chatter.css"' in page
    assert "o-chatter" not in client.get(f"/web/model/{TICKET}/new").text
    assert 'id="o-chatter"' not in client.get(form_url(ticket_id) + "?edit=1").text


def test_a_model_without_mail_thread_shows_no_chatter(server, client):
    with server.env() as env:
        partner_id = env["res.partner"].create({"name": "No chatter"}).id
    page = client.get(f"/web/model/res.partner/{partner_id}")
    assert page.status == 200
    assert 'id="o-chatter"' not in page.text


def test_oe_chatter_div_renders_the_chatter_and_hides_its_fields(server, client):
    with server.env() as env:
        env["ir.ui.view"].create({"name": "ticket odoo form", "model": TICKET, "priority": 1, "arch": """
            <form><sheet><group><field name="name"/></group></sheet>
              <div class="oe_chatter">
                <field name="message_follower_ids"/><field name="activity_ids"/><field name="message_ids"/>
              </div></form>"""})
        ticket_id = env[TICKET].create({"name": "Odoo style"}).id
    page = client.get(form_url(ticket_id))
    assert page.status == 200, page.text[:3000]
    assert 'id="o-chatter"' in page.text
    assert 'data-name="message_ids"' not in page.text
    # editing and saving the form still works (the chatter's fields are not posted)
    edit = client.get(form_url(ticket_id) + "?edit=1").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', edit).group(1)
    saved = client.post(form_url(ticket_id), {"csrf_token": csrf, "_mode": "edit", "name": "Renamed"})
    assert saved.status == 303, saved.text[:2000]
    with server.env() as env:
        assert env[TICKET].browse(ticket_id).name == "Renamed"


# ---------------------------------------------------------------- messages and notes
def test_send_message_notifies_the_followers_by_email(server, client):
    customer = partner(server, "Carla Customer", "carla@example.com")
    ticket_id = new_ticket(server)
    with server.env() as env:
        env[TICKET].browse(ticket_id).message_subscribe(partner_ids=[customer])
    html = chatter_html(client, ticket_id)
    assert "To the followers: Carla Customer" in text_of(html)

    reply = post(client, chatter_url(ticket_id, "/post"), ticket_id, kind="message",
                 body="Hello <b>Carla</b>\nwe are on it")
    assert reply.status == 303
    assert reply.headers["Location"].endswith(form_url(ticket_id))
    kind, subtype, body, author = messages_of(server, ticket_id)[-1]
    assert (kind, subtype, author) == ("comment", "Discussions", "Administrator") or subtype
    assert "Hello &lt;b&gt;Carla&lt;/b&gt;<br>we are on it" in body
    with server.env() as env:
        mails = env["mail.mail"].search([("model", "=", TICKET), ("res_id", "=", ticket_id)])
        assert [m.recipient_ids.ids for m in mails] == [[customer]]
        assert mails.state == "outgoing"
    html = chatter_html(client, ticket_id)
    assert "Hello &lt;b&gt;Carla&lt;/b&gt;<br>we are on it" in html
    assert "o-message-comment" in html


def test_log_note_is_marked_and_mails_nobody(server, client):
    customer = partner(server, "Nora", "nora@example.com")
    ticket_id = new_ticket(server)
    with server.env() as env:
        env[TICKET].browse(ticket_id).message_subscribe(partner_ids=[customer])
    reply = post(client, chatter_url(ticket_id, "/post"), ticket_id, kind="note", body="Internal: call back")
    assert reply.status == 303
    with server.env() as env:
        message = env["mail.message"].search([("model", "=", TICKET), ("res_id", "=", ticket_id)], limit=1)
        assert message.subtype_id == env.ref("mail.mt_note")
        assert not env["mail.mail"].search([("model", "=", TICKET), ("res_id", "=", ticket_id)])
    html = chatter_html(client, ticket_id)
    note = re.search(r'<li class="o-message o-message-note".*?</li>', html, re.S).group(0)
    assert "Internal: call back" in note and ">Note<" in note


def test_empty_message_is_refused_with_a_message_and_nothing_posted(server, client):
    ticket_id = new_ticket(server)
    before = messages_of(server, ticket_id)
    reply = post(client, chatter_url(ticket_id, "/post"), ticket_id, kind="message", body="   ")
    assert reply.status == 303
    assert messages_of(server, ticket_id) == before
    html = chatter_html(client, ticket_id)
    assert "Write a message or attach a file first." in html
    assert '<details class="o-chatter-panel" data-panel="message" open>' in html
    # said once: the next page is clean
    assert "Write a message or attach a file first." not in chatter_html(client, ticket_id)


def test_a_post_without_csrf_token_is_refused(server, client):
    ticket_id = new_ticket(server)
    before = messages_of(server, ticket_id)
    reply = client.post(chatter_url(ticket_id, "/post"), {"kind": "note", "body": "forged"})
    assert reply.status == 400
    assert messages_of(server, ticket_id) == before


def test_unknown_model_or_record_is_404(server, client):
    ticket_id = new_ticket(server)
    assert client.get(f"/mail/chatter/no.such.model/{ticket_id}/messages").status == 404
    assert client.get("/mail/chatter/res.partner/1/messages").status == 404      # no mail.thread
    assert post(client, chatter_url(999999, "/post"), ticket_id, body="x").status == 404


def test_files_sent_with_a_message_are_attached_and_downloadable(server, client):
    ticket_id = new_ticket(server)
    fields = {"csrf_token": token(client, ticket_id), "back": form_url(ticket_id), "kind": "note",
              "body": "See the files"}
    reply = post_multipart(client, chatter_url(ticket_id, "/post"), fields,
                           [("attachments", "report.txt", b"all good\n"), ("attachments", "data.csv", b"a,b\n1,2\n")])
    assert reply.status == 303, reply.text[:2000]
    with server.env() as env:
        message = env["mail.message"].search([("model", "=", TICKET), ("res_id", "=", ticket_id)], limit=1)
        assert sorted(message.attachment_ids.mapped("name")) == ["data.csv", "report.txt"]
        attachment = message.attachment_ids.filtered(lambda a: a.name == "report.txt")
        assert (attachment.res_model, attachment.res_id) == (TICKET, ticket_id)
    html = chatter_html(client, ticket_id)
    assert f'href="/mail/attachment/{attachment.id}"' in html
    assert 'class="o-chatter-attachment-count">2<' in html
    download = client.get(f"/mail/attachment/{attachment.id}")
    assert download.status == 200 and download.body == b"all good\n"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_attach_files_to_the_record(server, client):
    ticket_id = new_ticket(server)
    fields = {"csrf_token": token(client, ticket_id), "back": form_url(ticket_id)}
    reply = post_multipart(client, chatter_url(ticket_id, "/attach"), fields, [("files", "plan.txt", b"plan")])
    assert reply.status == 303
    with server.env() as env:
        found = env["ir.attachment"].search([("res_model", "=", TICKET), ("res_id", "=", ticket_id)])
        assert found.mapped("name") == ["plan.txt"]
    # no file: refused, said on the page
    reply = post_multipart(client, chatter_url(ticket_id, "/attach"), fields, [])
    assert "Choose the files to attach first." in chatter_html(client, ticket_id)


# ---------------------------------------------------------------- followers
def test_follow_and_unfollow(server, client):
    ticket_id = new_ticket(server)
    with server.env() as env:
        env[TICKET].browse(ticket_id).message_unsubscribe(partner_ids=env.ref("base.user_admin").partner_id.ids)
        admin_partner = env.ref("base.user_admin").partner_id.id
    assert '>Follow</button>' in chatter_html(client, ticket_id)
    assert post(client, chatter_url(ticket_id, "/follow"), ticket_id).status == 303
    with server.env() as env:
        assert admin_partner in env[TICKET].browse(ticket_id).message_partner_ids.ids
    html = chatter_html(client, ticket_id)
    assert "Following" in html and 'aria-pressed="true"' in html
    assert post(client, chatter_url(ticket_id, "/unfollow"), ticket_id).status == 303
    with server.env() as env:
        assert admin_partner not in env[TICKET].browse(ticket_id).message_partner_ids.ids


def test_add_a_follower_by_id_or_by_name_and_remove_it(server, client):
    ticket_id = new_ticket(server)
    first = partner(server, "Zelda Unique", "zelda@example.com")
    partner(server, "Twin One", "t1@example.com")
    partner(server, "Twin Two", "t2@example.com")
    assert post(client, chatter_url(ticket_id, "/followers/add"), ticket_id, partner_name="Zelda Unique").status == 303
    with server.env() as env:
        assert first in env[TICKET].browse(ticket_id).message_partner_ids.ids
    html = chatter_html(client, ticket_id)
    assert "Zelda Unique" in text_of(html)
    # ambiguous and unknown names: refused with the reason, what was typed kept
    post(client, chatter_url(ticket_id, "/followers/add"), ticket_id, partner_name="Twin")
    html = chatter_html(client, ticket_id)
    assert "Several contacts match “Twin”" in unescape(html) and 'value="Twin"' in html
    post(client, chatter_url(ticket_id, "/followers/add"), ticket_id, partner_name="Nobody At All")
    assert "No contact matches “Nobody At All”" in unescape(chatter_html(client, ticket_id))
    # by id (the autocomplete)
    twin = partner(server, "Twin Three", "t3@example.com")
    post(client, chatter_url(ticket_id, "/followers/add"), ticket_id, partner_id=str(twin), partner_name="Twin")
    post(client, chatter_url(ticket_id, f"/followers/{first}/remove"), ticket_id)
    with server.env() as env:
        followers = env[TICKET].browse(ticket_id).message_partner_ids.ids
        assert twin in followers and first not in followers


# ---------------------------------------------------------------- activities
def test_schedule_then_mark_done_and_cancel_activities(server, client):
    ticket_id = new_ticket(server)
    with server.env() as env:
        call = env["mail.activity.type"].search([], limit=1, order="id desc")
        call_id, call_name = call.id, call.name
        admin = env.ref("base.user_admin").id
    reply = post(client, chatter_url(ticket_id, "/activity/schedule"), ticket_id, activity_type_id=str(call_id),
                 summary="Call the customer", date_deadline="2001-01-01", user_id=str(admin), note="ask about it")
    assert reply.status == 303
    post(client, chatter_url(ticket_id, "/activity/schedule"), ticket_id, summary="Later one",
         date_deadline="2999-12-31", user_id=str(admin))
    with server.env() as env:
        activities = env["mail.activity"].search([("res_model", "=", TICKET), ("res_id", "=", ticket_id)],
                                                 order="date_deadline")
        assert [(a.summary, a.activity_type_id.id, a.state) for a in activities][0] == \
            ("Call the customer", call_id, "planned")
        first, second = activities.ids
    html = chatter_html(client, ticket_id)
    overdue = re.search(rf'<li class="o-activity o-activity-overdue" data-activity="{first}".*?</li>', html, re.S)
    assert overdue and call_name in overdue.group(0) and "Call the customer" in overdue.group(0)
    assert f'<li class="o-activity o-activity-planned" data-activity="{second}"' in html
    # a bad date: refused, said, nothing scheduled
    post(client, chatter_url(ticket_id, "/activity/schedule"), ticket_id, summary="x", date_deadline="soon")
    assert "is not a date" in unescape(chatter_html(client, ticket_id))

    reply = post(client, f"/mail/chatter/activity/{first}/done", ticket_id, feedback="Customer happy")
    assert reply.status == 303
    reply = post(client, f"/mail/chatter/activity/{second}/cancel", ticket_id)
    assert reply.status == 303
    with server.env() as env:
        states = dict(env["mail.activity"].browse([first, second]).mapped(lambda a: (a.id, a.state)))
        assert states == {first: "done", second: "cancelled"}
        assert env["mail.activity"].search_count([("res_model", "=", TICKET), ("state", "=", "planned"),
                                                  ("res_id", "=", ticket_id)]) == 0
    html = chatter_html(client, ticket_id)
    assert "o-activity-overdue" not in html
    assert "Customer happy" in html      # the done activity is logged on the thread


# ---------------------------------------------------------------- tracking, paging
def test_tracking_values_show_old_and_new(server, client):
    ticket_id = new_ticket(server)
    with server.env() as env:
        env[TICKET].browse(ticket_id).write({"stage": "open", "amount": 12.5})
    html = text_of(chatter_html(client, ticket_id))
    assert "Stage: New → In Progress" in html
    assert "12.50" in html


def test_older_messages_are_paged(server, client):
    ticket_id = new_ticket(server)
    with server.env() as env:
        ticket = env[TICKET].browse(ticket_id)
        for index in range(45):
            ticket.message_post(body=f"<p>number {index}</p>", subtype_xmlid="mail.mt_note")
    html = chatter_html(client, ticket_id)
    assert "number 44" in html and "number 15" in html and "number 14" not in html
    older = re.search(r'href="([^"]*/messages\?[^"]*)"', html).group(1)
    fragment = client.get(unescape(older) + "&fragment=1")
    assert fragment.status == 200
    assert "number 14" in fragment.text and "number 0" in fragment.text
    assert "Load older messages" not in fragment.text
    assert "<html" not in fragment.text
    page = client.get(unescape(older))          # without script: a page of its own
    assert page.status == 200 and "number 14" in page.text and "Back to" in page.text


# ---------------------------------------------------------------- access
def test_a_user_who_cannot_read_the_record_gets_403_and_changes_nothing(server):
    ticket_id = new_ticket(server)
    make_user(server, "outsider", groups=())
    outsider = server.login_client("outsider")
    before = messages_of(server, ticket_id)
    csrf = outsider.csrf_token("/web")
    reply = outsider.post(chatter_url(ticket_id, "/post"), {"csrf_token": csrf, "kind": "message", "body": "hi"})
    assert reply.status == 403, reply.text[:1000]
    assert "Traceback" not in reply.text
    assert outsider.get(chatter_url(ticket_id, "/messages")).status == 403
    assert outsider.post(chatter_url(ticket_id, "/follow"), {"csrf_token": csrf}).status == 403
    assert messages_of(server, ticket_id) == before


def test_read_only_user_sees_the_chatter_but_cannot_log_notes(server):
    ticket_id = new_ticket(server)
    make_user(server, "reader")
    with server.env() as env:
        env["ir.rule"].create({"name": "tickets read only for readers", "model_id": env["ir.model"].search(
            [("model", "=", TICKET)]).id, "domain_force": "[(0, '=', 1)]",
            "groups": [Command.set([env.ref("base.group_user").id])],
            "perm_read": False, "perm_write": True, "perm_create": False, "perm_unlink": False})
        env["res.users"].browse(env.ref("base.user_admin").id)      # admin is in group_user too
    reader = server.login_client("reader")
    html = chatter_html(reader, ticket_id)
    assert html is not None
    assert "Log note" not in html and "Schedule" not in html
    reply = post(reader, chatter_url(ticket_id, "/post"), ticket_id, kind="note", body="sneaky")
    assert reply.status == 403
    assert "sneaky" not in str(messages_of(server, ticket_id))
    # following oneself needs read access only
    assert post(reader, chatter_url(ticket_id, "/follow"), ticket_id).status == 303


# ---------------------------------------------------------------- cost
def test_the_chatter_reads_a_bounded_number_of_statements(server):
    from addons.mail.controllers.chatter_view import ChatterView

    def cost(count):
        with server.env() as env:
            ticket = env[TICKET].create({"name": f"{count} messages"})
            for index in range(count):
                ticket.write({"amount": index + 1})                     # a tracking value each
                ticket.message_post(body=f"<p>{index}</p>", subtype_xmlid="mail.mt_note",
                                    attachments=[(f"f{index}.txt", b"x%d" % index)])
            ticket.activity_schedule(summary="call", user_id=env.ref("base.user_admin").id)
            ticket_id = ticket.id
        with server.env() as env:
            admin_env = Environment(env.cr, env.ref("base.user_admin").id, {"tz": "Europe/Brussels"})
            # what the form page around the chatter has read already: the user, his groups
            admin_env[TICKET].browse(ticket_id).check_access_rule("read")
            assert admin_env.user.partner_id
            with statements_of(server.manager.registry.engine) as statements:
                values = ChatterView(admin_env, admin_env[TICKET].browse(ticket_id), "/x").values()
            return values, statements

    cost(1)                           # the process' caches warm (xml ids of subtypes, groups)
    small, small_statements = cost(3)
    large, large_statements = cost(50)
    assert len(large["messages"]) == 30 and large["more"]
    assert any(m["tracking"] for m in large["messages"]) and any(m["attachments"] for m in large["messages"])
    assert len(large_statements) <= 15, "\n".join(large_statements)
    assert len(large_statements) == len(small_statements)


def test_without_the_mail_addon_the_chatter_tag_shows_nothing(start_web_server):
    bare = start_web_server()                  # web only: nobody implements render_chatter
    with bare.env() as env:
        env["ir.ui.view"].create({"name": "partner with chatter", "model": "res.partner", "priority": 1,
                                  "arch": '<form><sheet><field name="name"/></sheet><chatter/></form>'})
        partner_id = env["res.partner"].create({"name": "Plain"}).id
    page = bare.login_client().get(f"/web/model/res.partner/{partner_id}")
    assert page.status == 200 and "Plain" in page.text
    assert "o-chatter" not in page.text
