"""Settings > Technical > Email > Incoming Messages over HTTP (a real server, no browser):
the list with its status filter, the form with the error and the source, "Process again"."""
import re
import urllib.parse

import pytest

from addons.mail.models.mail_inbox import deliver

from .conftest import MAIL_ADDONS, TEST_ADDONS
from .messages import DOMAIN, load


@pytest.fixture
def server(start_web_server):
    return start_web_server(addons=MAIL_ADDONS, addons_paths=(TEST_ADDONS,))


def test_inbox_list_form_and_process_again(server):
    with server.env() as env:
        env["ir.config_parameter"].set_param("mail.catchall.domain", DOMAIN)
        action_id = env.ref("mail.action_mail_inbox").id
    result = deliver(server.manager.registry, load("html_only"), "mailgate")
    assert result["status"] == "failed"
    client = server.login_client()

    listing = client.get(f"/web/action/{action_id}")
    assert listing.status == 200 and "HTML only" in listing.text and "carl@example.org" in listing.text

    url = f"/web/action/{action_id}/{result['id']}"
    page = client.get(url)
    assert page.status == 200
    assert "No record or alias matches" in page.text                 # the error
    assert "Content-Transfer-Encoding: base64" in page.text          # the raw source
    assert "Process again" in page.text

    with server.env() as env:
        env["mail.alias"].create({"alias_name": "support", "alias_model_id": "test.mail.ticket"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    reply = client.post(url + "/button", {"csrf_token": token, "_button": "object:action_process"})
    assert reply.status == 303, reply.text[:2000]
    with server.env() as env:
        row = env["mail.inbox"].browse(result["id"])
        assert (row.status, row.attempts, row.res_model) == ("processed", 2, "test.mail.ticket")
    # processed: the button is gone
    assert client.post(url + "/button", {"csrf_token": token, "_button": "object:action_process"}).status == 400


def bulk(client, action_id, token, operation, ids):
    body = urllib.parse.urlencode({"csrf_token": token, "operation": operation, "ids": ids}, doseq=True)
    return client.post(f"/web/action/{action_id}/bulk", body,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_the_inbox_list_processes_the_ticked_failures_again(server):
    with server.env() as env:
        env["ir.config_parameter"].set_param("mail.catchall.domain", DOMAIN)
        action_id = env.ref("mail.action_mail_inbox").id
    failed = [deliver(server.manager.registry, load(name), "mailgate")["id"]
              for name in ("html_only", "attachments")]
    client = server.login_client()
    listing = client.get(f"/web/action/{action_id}")
    assert 'value="object:action_process"' in listing.text, "the header button is offered on the list"
    token = re.search(r'name="csrf_token" value="([^"]+)"', listing.text).group(1)
    with server.env() as env:
        env["mail.alias"].create({"alias_name": "support", "alias_model_id": "test.mail.ticket"})
    reply = bulk(client, action_id, token, "object:action_process", failed)
    assert reply.status == 303, reply.text[:2000]
    assert "done=done&n=2" in reply.headers["Location"]
    with server.env() as env:
        assert set(env["mail.inbox"].browse(failed).mapped("status")) == {"processed"}
    # only the list's own buttons: no other method of the model
    reply = bulk(client, action_id, token, "object:unlink", failed[:1])
    assert reply.status == 400 and "no button" in reply.text
    with server.env() as env:
        assert env["mail.inbox"].browse(failed[0]).exists()
