"""The kanban board through a real HTTP server: cards from the arch's template (fields,
widgets, escaping, QWeb directives), columns (counts, empty and folded stages, progress
bars and sums, load more), quick create, moving cards (allowed, refused by a record rule,
a constraint or a bad column, nothing written), the priority stars, bad arches."""
import os
import re

import pytest
from lxml import html as lxml_html

ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")


@pytest.fixture
def board(start_web_server):
    """web and test_web_kanban served; (server, action id, {stage name: id})."""
    server = start_web_server(addons=("web", "test_web_kanban"), addons_paths=[ADDONS])
    with server.env() as env:
        action = env.ref("test_web_kanban.action_tasks").id
        stages = {stage.name: stage.id for stage in env["test.kanban.stage"].search([])}
    return server, action, stages


def make_tasks(server, stages, *rows):
    """Create tasks from (name, stage name, values) rows; their ids in order."""
    with server.env() as env:
        ids = []
        for name, stage, values in rows:
            ids.append(env["test.kanban.task"].create(dict(
                {"name": name, "stage_id": stages[stage] if stage else False}, **values)).id)
        return ids


def document(text):
    return lxml_html.fromstring(text)


def columns(doc):
    """{column label: (count, [card ids])} of a board page."""
    result = {}
    for section in doc.xpath('//section[contains(@class, "o-kanban-column")]'):
        label = section.xpath('.//a[contains(@class, "o-kanban-toggle")]')[0].text_content().strip()
        count = int(section.xpath('.//span[@class="o-kanban-count"]')[0].text_content())
        ids = [int(card.get("data-id")) for card in section.xpath('.//article[@class="o-kanban-card"]')]
        result[label] = (count, ids)
    return result


def rpc(client, url, **params):
    reply = client.json(url, params)
    assert reply.status == 200, reply.text[:500]
    return reply.json()


def test_board_columns_cards_and_widgets(board):
    server, action, stages = board
    with server.env() as env:
        tag = env["test.kanban.tag"].create({"name": "Hot", "color": 2})
        demo = env.ref("base.user_demo")
    ids = make_tasks(server, stages,
                     ("Big deal <b>bold</b>", "New", {"amount": 1500, "priority": "2", "tag_ids": [(6, 0, [tag.id])],
                                                      "user_id": demo.id, "color": 3,
                                                      "description": "<script>alert(1)</script>"}),
                     ("Small deal", "New", {"priority": "1", "state": "blocked"}),
                     ("Third", "Qualified", {}))
    client = server.login_client()
    reply = client.get(f"/web/action/{action}")
    assert reply.status == 200, reply.text[:3000]
    text = reply.text
    doc = document(text)
    cols = columns(doc)
    # every stage is a column (group_expand), in the stages' order; Lost is folded
    assert list(cols) == ["New", "Qualified", "Won", "Lost"]
    assert cols["New"] == (2, ids[:2]) and cols["Qualified"] == (1, [ids[2]]) and cols["Won"] == (0, [])
    assert doc.xpath('//section[@data-key="%d"]/@class' % stages["Lost"]) == ["o-kanban-column o-folded"]
    card = doc.xpath('//article[@data-id="%d"]' % ids[0])[0]
    body = lxml_html.tostring(card, encoding="unicode")
    # record text is escaped, never markup
    assert "Big deal &lt;b&gt;bold&lt;/b&gt;" in body and "<b>bold</b>" not in body
    assert "<script>" not in text
    assert card.xpath('.//p[@class="o-description"]')[0].text == "<script>alert(1)</script>"
    # the colour class from t-attf-class, the tags, the stars, the avatar's initials
    assert card.xpath('.//div[contains(@class, "oe_kanban_card") and contains(@class, "oe_kanban_color_3")]')
    assert [t.text for t in card.xpath('.//span[contains(concat(" ", @class, " "), " o-tag ")]')] == ["Hot"]
    stars = card.xpath('.//form[@class="o-priority"]//button')
    assert len(stars) == 3 and [s.get("aria-pressed") for s in stars] == ["true", "true", "false"]
    assert card.xpath('.//span[contains(@class, "o-avatar")]')[0].text == "MD"
    # t-if / t-elif / t-else, t-att, monetary formatting
    amount = card.xpath('.//span[@class="o-amount"]')[0]
    assert "1,500.00" in amount.text_content() and amount.get("title") == amount.text_content().strip()
    other = doc.xpath('//article[@data-id="%d"]' % ids[1])[0]
    assert other.xpath('.//span[@class="o-blocked"]') and not other.xpath('.//span[@class="o-amount"]')
    third = doc.xpath('//article[@data-id="%d"]' % ids[2])[0]
    assert third.xpath('.//span[@class="o-no-amount"]')
    # t-foreach / t-as: one item per tag, with its index
    assert [(li.get("data-tag"), li.text) for li in card.xpath('.//ul[@class="o-tag-names"]/li')] == [(str(tag.id), "0")]
    # the card opens the form, keeping the board as its back link
    link = card.xpath('.//a[@class="o-kanban-open"]/@href')[0]
    assert link.startswith(f"/web/action/{action}/{ids[0]}?back=")
    assert card.xpath('.//a[@class="o-open-link"]/@href') == [link]
    # progress bar: priority shares; sum of the amounts per stage
    new = doc.xpath('//section[@data-key="%d"]' % stages["New"])[0]
    bars = {bar.get("data-value"): bar.get("class") for bar in new.xpath('.//div[@class="o-kanban-progress"]/span')}
    assert bars == {"1": "o-progress-warning", "2": "o-progress-danger"}
    assert new.xpath('.//span[@class="o-kanban-sum"]')[0].text.strip() == "€1,500.00"
    # the switcher offers the list; the search panel is there
    assert doc.xpath('//nav[@class="o-view-switcher"]/a[contains(@class, "o-switch-list")]')
    assert doc.xpath('//div[@role="search"]')


def kanban_action(server, arch, name="Cards"):
    """A window action showing tasks through a kanban view of ``arch``; its id."""
    with server.env() as env:
        view = env["ir.ui.view"].create({"name": f"test.kanban.task.{name}", "model": "test.kanban.task",
                                         "type": "kanban", "arch": arch})
        return env["ir.actions.act_window"].create({
            "name": name, "res_model": "test.kanban.task", "view_mode": "kanban,list,form",
            "view_id": view.id}).id


def test_folding_load_more_and_search_group_by(board):
    server, action, stages = board
    ids = make_tasks(server, stages, *[(f"Task {i}", "New", {"priority": str(i % 2)}) for i in range(5)],
                     ("Lost one", "Lost", {"amount": 10}))
    client = server.login_client()
    doc = document(client.get(f"/web/action/{action}").text)
    cols = columns(doc)
    # limit="3" in the arch: three cards, then "Load more (2)" leading to the column with six
    assert cols["New"] == (5, ids[:3])
    more = doc.xpath('//section[@data-key="%d"]//a[contains(@class, "o-kanban-more")]' % stages["New"])[0]
    assert more.text.strip() == "Load more (2)"
    doc = document(client.get(more.get("href")).text)
    assert columns(doc)["New"] == (5, ids[:5])
    assert not doc.xpath('//a[contains(@class, "o-kanban-more")]')
    # the JSON call of "load more" gives the next cards
    answer = rpc(client, f"/web/action/{action}/kanban/json/cards", query=f"/web/action/{action}",
                 key=str(stages["New"]), offset=3)["result"]
    assert answer["count"] == 2
    assert [int(i) for i in re.findall(r'<article class="o-kanban-card" data-id="(\d+)"', answer["html"])] == ids[3:5]
    # the folded Lost column unfolds by its link, and folds again; any column folds
    doc = document(client.get(f"/web/action/{action}").text)
    lost = doc.xpath('//section[@data-key="%d"]' % stages["Lost"])[0]
    assert not lost.xpath(".//article")
    toggle = lost.xpath('.//a[@class="o-kanban-toggle"]')[0]
    assert toggle.get("aria-expanded") == "false" and "unfold=" in toggle.get("href")
    doc = document(client.get(toggle.get("href")).text)
    assert columns(doc)["Lost"] == (1, [ids[5]])
    toggle = doc.xpath('//section[@data-key="%d"]//a[@class="o-kanban-toggle"]' % stages["New"])[0]
    doc = document(client.get(toggle.get("href")).text)
    assert columns(doc)["New"] == (5, []) and columns(doc)["Lost"] == (1, [ids[5]])
    # the search panel's group-by wins over default_group_by
    doc = document(client.get(f"/web/action/{action}?groupby=priority").text)
    assert list(columns(doc)) == ["Normal", "Good"]
    assert {label: count for label, (count, _) in columns(doc).items()} == {"Normal": 4, "Good": 2}
    # a filter narrows every column (the stages stay)
    doc = document(client.get(f"/web/action/{action}?search=name:Task%201").text)
    assert {label: count for label, (count, _) in columns(doc).items()} == {"New": 1, "Qualified": 0, "Won": 0,
                                                                             "Lost": 0}


def test_ungrouped_board_with_pager_and_default_view(board):
    server, _action, stages = board
    ids = make_tasks(server, stages, *[(f"Card {i:02d}", "New", {}) for i in range(5)])
    action = kanban_action(server, """
        <kanban limit="2"><templates><t t-name="card"><field name="name"/></t></templates></kanban>""")
    client = server.login_client()
    doc = document(client.get(f"/web/action/{action}").text)
    cards = [int(c.get("data-id")) for c in doc.xpath('//article[@class="o-kanban-card"]')]
    assert cards == ids[:2] and not doc.xpath("//section")
    assert doc.xpath('//span[@class="o-pager-total"]')[0].text == "5"
    following = doc.xpath('//a[contains(@class, "o-pager-next")]/@href')[0]
    doc = document(client.get(following).text)
    assert [int(c.get("data-id")) for c in doc.xpath('//article[@class="o-kanban-card"]')] == ids[2:4]
    # a model without a kanban view gets one with the name on each card
    with server.env() as env:
        countries = env["ir.actions.act_window"].create({"name": "Lands", "res_model": "res.country",
                                                          "view_mode": "kanban,list,form"}).id
    text = client.get(f"/web/action/{countries}").text
    assert 'class="o-kanban-card"' in text and "Germany" in text


def test_quick_create_in_a_column(board):
    server, action, stages = board
    client = server.login_client()
    page = client.get(f"/web/action/{action}")
    doc = document(page.text)
    form = doc.xpath('//section[@data-key="%d"]//form[@class="o-kanban-quick-form"]' % stages["Qualified"])[0]
    values = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input")}
    values["name"] = "Made <quick>"
    reply = client.post(form.get("action"), data=values)
    assert reply.status == 303
    with server.env() as env:
        task = env["test.kanban.task"].search([("name", "=", "Made <quick>")])
        # the group's value, and the action context's default
        assert task.stage_id.id == stages["Qualified"] and task.description == "Created on the board"
    assert columns(document(client.get(reply.headers["Location"]).text))["Qualified"] == (1, [task.id])
    # JSON: the card and the column's new header
    answer = rpc(client, f"/web/action/{action}/kanban/json/quick_create", query=f"/web/action/{action}",
                 key=str(stages["Won"]), name="Won fast")
    assert "error" in answer and "cannot be won without an expected amount" in answer["error"]["data"]["message"]
    answer = rpc(client, f"/web/action/{action}/kanban/json/quick_create", query=f"/web/action/{action}",
                 key=str(stages["New"]), name="Second")["result"]
    assert "Second" in answer["card"]
    assert re.search(r'class="o-kanban-count"[^>]*>1<', answer["headers"][str(stages["New"])])
    for bad in ({"name": "   "}, {"key": "999999"}, {"key": "nope"}):
        params = dict({"key": str(stages["New"]), "name": "x"}, **bad)
        answer = rpc(client, f"/web/action/{action}/kanban/json/quick_create", query=f"/web/action/{action}",
                     **params)
        assert "error" in answer, bad
    with server.env() as env:
        assert env["test.kanban.task"].search_count([("name", "in", ["x", "Won fast"])]) == 0
    # quick_create="0" takes the forms away
    other = kanban_action(server, """
        <kanban default_group_by="stage_id" quick_create="0"><templates><t t-name="card">
        <field name="name"/></t></templates></kanban>""")
    text = client.get(f"/web/action/{other}").text
    assert "o-kanban-quick-form" not in text and 'class="o-kanban-column' in text


def test_move_cards_allowed_and_refused(board):
    server, action, stages = board
    ids = make_tasks(server, stages, ("Free", "New", {}), ("Locked", "New", {"locked": True}),
                     ("No amount", "Qualified", {}))
    url = f"/web/action/{action}/kanban/json/move"
    demo = server.login_client("demo", "demo")
    answer = rpc(demo, url, query=f"/web/action/{action}", id=ids[0], key=str(stages["Qualified"]))["result"]
    assert f'data-id="{ids[0]}"' in answer["card"]
    headers = answer["headers"]
    assert set(headers) == {str(stages["New"]), str(stages["Qualified"])}
    assert re.search(r'class="o-kanban-count"[^>]*>1<', headers[str(stages["New"])])
    assert re.search(r'class="o-kanban-count"[^>]*>2<', headers[str(stages["Qualified"])])
    with server.env() as env:
        assert env["test.kanban.task"].browse(ids[0]).stage_id.id == stages["Qualified"]
    # a record rule: the demo user may not change a locked task
    answer = rpc(demo, url, query=f"/web/action/{action}", id=ids[1], key=str(stages["Won"]))
    assert answer["error"]["data"]["name"].endswith("AccessError")
    # a constraint: no Won without an amount
    answer = rpc(demo, url, query=f"/web/action/{action}", id=ids[2], key=str(stages["Won"]))
    assert "cannot be won without an expected amount" in answer["error"]["data"]["message"]
    # a column that does not exist, a record that does not
    for params in ({"id": ids[2], "key": "12345"}, {"id": ids[2], "key": "{}"}, {"id": 999999, "key": "false"}):
        assert "error" in rpc(demo, url, query=f"/web/action/{action}", **params), params
    with server.env() as env:
        tasks = env["test.kanban.task"].browse(ids)
        assert [t.stage_id.id for t in tasks] == [stages["Qualified"], stages["New"], stages["Qualified"]]
    # the "Move to" menu without JavaScript: a form per card
    doc = document(demo.get(f"/web/action/{action}").text)
    form = doc.xpath('//article[@data-id="%d"]//details[contains(@class, "o-kanban-move")]/form' % ids[0])[0]
    buttons = form.xpath(".//button")
    assert [b.text for b in buttons] == ["New", "Qualified", "Won", "Lost"]
    assert [b.get("disabled") is not None for b in buttons] == [False, True, False, False]
    values = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    reply = demo.post(form.get("action"), data=dict(values, key=str(stages["Lost"])))
    assert reply.status == 303
    with server.env() as env:
        assert env["test.kanban.task"].browse(ids[0]).stage_id.id == stages["Lost"]
    reply = demo.post(form.get("action"), data=dict(values, id=str(ids[1]), key=str(stages["Lost"])))
    assert reply.status in (400, 403)
    with server.env() as env:
        assert env["test.kanban.task"].browse(ids[1]).stage_id.id == stages["New"]
    # grouped by a date (not movable): no menu, moves refused
    doc = document(demo.get(f"/web/action/{action}?groupby=create_date:day").text)
    assert doc.xpath("//section") and not doc.xpath('//details[contains(@class, "o-kanban-move")]')
    answer = rpc(demo, url, query=f"/web/action/{action}?groupby=create_date:day", id=ids[0], key="false")
    assert "cannot be moved" in answer["error"]["data"]["message"]


def test_move_keeps_the_order_of_the_column(board):
    server, action, stages = board
    ids = make_tasks(server, stages, *[(f"S{i}", "New", {"sequence": i}) for i in range(3)],
                     ("Mover", "Qualified", {"sequence": 1}))
    client = server.login_client()
    order = [ids[0], ids[3], ids[1], ids[2]]
    rpc(client, f"/web/action/{action}/kanban/json/move", query=f"/web/action/{action}", id=ids[3],
        key=str(stages["New"]), ids=order)
    with server.env() as env:
        assert env["test.kanban.task"].search([("stage_id", "=", stages["New"])]).ids == order


def test_priority_stars(board):
    server, action, stages = board
    (task,) = make_tasks(server, stages, ("Starred", "New", {"priority": "1"}))
    client = server.login_client()
    answer = rpc(client, f"/web/action/{action}/kanban/json/priority", query=f"/web/action/{action}",
                 id=task, field="priority", value="3")["result"]
    assert answer["card"].count('aria-pressed="true"') == 3
    with server.env() as env:
        assert env["test.kanban.task"].browse(task).priority == "3"
    for params in ({"field": "priority", "value": "9"}, {"field": "name", "value": "x"}):
        assert "error" in rpc(client, f"/web/action/{action}/kanban/json/priority", query="", id=task, **params)
    # without JavaScript: the stars are buttons of a form
    doc = document(client.get(f"/web/action/{action}").text)
    form = doc.xpath('//article[@data-id="%d"]//form[@class="o-priority"]' % task)[0]
    values = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    star = form.xpath(".//button")[2]       # the highest star given, clicked again: back to Normal
    values.update(value=star.get("value"), return_url=f"/web/action/{action}")
    assert client.post(form.get("action"), data=values).status == 303
    with server.env() as env:
        assert env["test.kanban.task"].browse(task).priority == "0"


def test_template_directives_tolerated_and_bad_expressions(board, caplog):
    server, _action, stages = board
    make_tasks(server, stages, ("Card <one>", "New", {"amount": 5}))
    tolerant = kanban_action(server, """
        <kanban default_group_by="stage_id"><field name="amount"/><templates><t t-name="kanban-box">
        <div t-on-click="doSomething" onclick="alert(1)" class="box"
             t-att-data-big="record.amount.raw_value &gt; 3 &amp;&amp; !false">
          <script>alert(2)</script>
          <a href="javascript:alert(3)" class="bad">x</a>
          <a href="java&#9;script:alert(4)" class="split">y</a>
          <t t-call="some.template"/>
          <button type="object" name="unlink">Delete</button>
          <span class="ok" t-esc="record.name.value"/>
          <t t-set="double" t-value="record.amount.raw_value * 2"/><em t-out="double"/>
        </div></t></templates></kanban>""", name="Tolerant")
    client = server.login_client()
    with caplog.at_level("WARNING", logger="addons.web.kanban"):
        reply = client.get(f"/web/action/{tolerant}")
    assert reply.status == 200, reply.text[:2000]
    doc = document(reply.text)
    box = doc.xpath('//div[@class="box"]')[0]
    assert box.get("data-big") == "True" and box.get("onclick") is None
    assert not box.xpath(".//script") and box.xpath('.//a[@class="bad"]')[0].get("href") is None
    assert box.xpath('.//a[@class="split"]')[0].get("href") is None     # a tab inside the scheme
    assert not box.xpath(".//button")
    assert box.xpath('.//span[@class="ok"]')[0].text == "Card <one>"
    assert box.xpath(".//em")[0].text == "10.0"
    assert any("t-on-click" in record.getMessage() for record in caplog.records)
    for expression in ("record.nope.value", "record.name.value.format(1)", "__import__('os')", "record.("):
        bad = kanban_action(server, f"""
            <kanban><templates><t t-name="card"><span t-esc="{expression}"/></t></templates></kanban>""",
                            name=f"Bad {expression}")
        reply = client.get(f"/web/action/{bad}")
        assert reply.status == 400, (expression, reply.status)
        assert "cannot show its cards" in reply.text
