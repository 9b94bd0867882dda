"""Settings > Technical > Email > Incoming Messages over HTTP (a real server, no browser):
the list with its status filter, the form with the error and the source, "Process again"."""
import re

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
