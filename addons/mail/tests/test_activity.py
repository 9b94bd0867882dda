"""Planned activities: scheduling, done / cancelled kept for analysis, the stored
overdue flag, the activity_state filters, access through the record, the daily
digest, and what happens when the record is deleted.

"Today" is fixed through the context key ``mail_activity_today`` (or the clock
through ``mail_activity_now``), so nothing here depends on the date the tests run.
"""
import datetime

import pytest
import sqlalchemy as sa

from core.exceptions import AccessError, UserError, ValidationError

from addons.mail.models.mail_activity import today_in
from addons.mail.models.mail_activity_type import add_delay

TODAY = datetime.date(2024, 3, 10)
D = datetime.timedelta


@pytest.fixture
def fixed(env):
    """The superuser env with today fixed to 2024-03-10."""
    return env(context={"mail_activity_today": TODAY})


@pytest.fixture
def demo(env):
    return env.ref("base.user_demo")


def ticket(env, name="Ticket", **vals):
    return env["test.mail.ticket"].create(dict(vals, name=name))


def stored_overdue(env, activities):
    table = env.registry.tables["mail.activity"]
    rows = env.cr.execute(sa.select(table.c.id, table.c.is_overdue)
                          .where(table.c.id.in_(activities.ids))).all()
    return {rid: bool(flag) for rid, flag in rows}


# ------------------------------------------------------------------ scheduling
def test_add_delay_grid():
    start = datetime.date(2024, 1, 31)
    assert add_delay(start, 0, "days") == start
    assert add_delay(start, 3, "days") == datetime.date(2024, 2, 3)
    assert add_delay(start, 2, "weeks") == datetime.date(2024, 2, 14)
    assert add_delay(start, 1, "months") == datetime.date(2024, 2, 29)     # leap year, clamped
    assert add_delay(start, 13, "months") == datetime.date(2025, 2, 28)
    with pytest.raises(ValueError, match="unknown delay unit 'years'"):
        add_delay(start, 1, "years")


def test_today_follows_the_time_zone():
    now = datetime.datetime(2024, 3, 10, 12, 0)     # noon UTC
    assert today_in("Pacific/Kiritimati", now=now) == datetime.date(2024, 3, 11)   # UTC+14
    assert today_in("Pacific/Pago_Pago", now=now) == datetime.date(2024, 3, 10)    # UTC-11
    assert today_in(None, now=now) == datetime.date(2024, 3, 10)
    assert today_in("Not/AZone", now=now) == datetime.date(2024, 3, 10)
    assert today_in("Pacific/Kiritimati", fixed="2020-01-01", now=now) == datetime.date(2020, 1, 1)


def test_schedule_takes_deadline_summary_and_user_from_the_type(fixed, demo):
    record = ticket(fixed)
    call = record.activity_schedule("mail.mail_activity_data_call")
    assert call.date_deadline == TODAY + D(days=2)
    assert call.activity_type_id == fixed.ref("mail.mail_activity_data_call")
    assert call.user_id.id == fixed.uid
    assert call.state == "planned" and call.res_name == "Ticket" and call.res_model == "test.mail.ticket"
    todo = record.activity_schedule(summary="Send the offer", note="<p>with prices</p>")
    assert todo.activity_type_id == fixed.ref("mail.mail_activity_data_todo")
    assert todo.date_deadline == TODAY + D(days=5)
    assert todo.summary == "Send the offer"

    monthly = fixed["mail.activity.type"].create({
        "name": "Review", "delay_count": 1, "delay_unit": "months", "summary": "Monthly review",
        "default_user_id": demo.id})
    fixed["ir.model.data"].create({"module": "test_mail", "name": "type_review",
                                   "model": "mail.activity.type", "res_id": monthly.id})
    review = record.with_context(mail_activity_today="2024-01-31").activity_schedule("test_mail.type_review")
    assert review.date_deadline == datetime.date(2024, 2, 29)
    assert review.summary == "Monthly review" and review.user_id == demo
    by_id = record.activity_schedule(activity_type_id=fixed.ref("mail.mail_activity_data_meeting").id)
    assert by_id.activity_type_id == fixed.ref("mail.mail_activity_data_meeting")
    assert by_id.date_deadline == TODAY                                   # the meeting's delay: 0 days
    by_id.action_cancel()
    given = record.activity_schedule("mail.mail_activity_data_call", date_deadline="2024-05-01",
                                     summary="Mine", user_id=demo)
    assert (given.date_deadline, given.summary, given.user_id) == (datetime.date(2024, 5, 1), "Mine", demo)
    assert record.activity_ids.ids == [review.id, call.id, todo.id, given.id]     # soonest first


def test_schedule_on_several_records_is_one_batch(fixed):
    records = fixed["test.mail.ticket"].create([{"name": f"T{i}"} for i in range(20)])
    before = fixed.cr.sql_count
    activities = records.activity_schedule("mail.mail_activity_data_todo")
    fixed.flush_all()
    assert len(activities) == 20
    assert fixed.cr.sql_count - before < 15
    assert activities.mapped("res_name") == [f"T{i}" for i in range(20)]


def test_bad_input_is_refused_with_a_clear_message(fixed):
    record = ticket(fixed)
    Activity = fixed["mail.activity"]
    with pytest.raises(ValidationError, match="no such model"):
        Activity.create({"res_model": "no.such.model", "res_id": 1, "date_deadline": TODAY})
    with pytest.raises(ValidationError, match=r"test.mail.ticket records \[999999\]: they do not exist"):
        Activity.create({"res_model": "test.mail.ticket", "res_id": 999999})
    with pytest.raises(ValidationError, match="res_model and res_id are required"):
        Activity.create({"summary": "floating"})
    with pytest.raises(ValidationError, match="Unknown activity type 'mail.nope'"):
        record.activity_schedule("mail.nope")
    with pytest.raises(ValidationError, match="cannot be negative"):
        fixed["mail.activity.type"].create({"name": "Bad", "delay_count": -1})


# ------------------------------------------------------------------ done / cancel
def test_done_keeps_the_row_and_logs_on_the_chatter(fixed, demo):
    record = ticket(fixed, "Big deal")
    activity = record.activity_schedule("mail.mail_activity_data_call", summary="Ask <b>budget</b>",
                                        note="<p>Call before noon</p>", user_id=demo)
    messages_before = fixed["mail.message"].search([("model", "=", record._name), ("res_id", "=", record.id)])
    activity.action_done(feedback="Budget is 10k & growing")
    assert activity.exists()
    assert activity.state == "done" and activity.date_done == TODAY
    assert activity.done_uid.id == fixed.uid and activity.feedback == "Budget is 10k & growing"
    assert activity.is_overdue is False and activity.status == "done"
    assert not record.activity_ids and record.activity_state is False
    message = fixed["mail.message"].search([("model", "=", record._name), ("res_id", "=", record.id)])
    message = message - messages_before
    assert len(message) == 1
    assert message.subtype_id == fixed.ref("mail.mt_activities")
    assert "Call done" in message.body
    assert "Ask &lt;b&gt;budget&lt;/b&gt;" in message.body          # the summary is text, escaped
    assert "Call before noon" in message.body
    assert "Budget is 10k &amp; growing" in message.body
    # done activities stay queryable for analysis
    assert fixed["mail.activity"].search_count([("state", "=", "done"), ("res_id", "=", record.id)]) == 1
    with pytest.raises(UserError, match="already closed"):
        activity.action_done()


def test_feedback_api_and_cancel(fixed):
    record = ticket(fixed)
    call = record.activity_schedule("mail.mail_activity_data_call")
    meeting = record.activity_schedule("mail.mail_activity_data_meeting")
    record.activity_feedback(["mail.mail_activity_data_call"], feedback="reached")
    assert (call.state, call.feedback) == ("done", "reached")
    assert meeting.state == "planned"
    meeting.action_cancel()
    assert meeting.exists() and meeting.state == "cancelled" and meeting.status == "cancelled"
    assert not record.activity_ids
    with pytest.raises(UserError, match="already closed"):
        meeting.action_cancel()
    todo = record.activity_schedule()
    record.activity_unlink(["mail.mail_activity_data_todo"])
    assert todo.state == "cancelled"


def test_done_triggers_or_offers_the_next_activity(fixed):
    call_type = fixed.ref("mail.mail_activity_data_call")
    meeting_type = fixed.ref("mail.mail_activity_data_meeting")
    call_type.write({"chaining_type": "suggest", "triggered_next_type_id": meeting_type.id})
    record = ticket(fixed)
    call = record.activity_schedule("mail.mail_activity_data_call")
    action = call.action_done_schedule_next()
    assert call.state == "done"
    assert action["res_model"] == "mail.activity"
    assert action["context"]["default_res_id"] == record.id
    assert action["context"]["default_activity_type_id"] == meeting_type.id

    call_type.write({"chaining_type": "trigger"})
    meeting_type.write({"delay_count": 3, "delay_from": "previous_activity"})
    second = record.activity_schedule("mail.mail_activity_data_call", date_deadline="2024-03-20")
    second.action_done()
    follow_up = record.activity_ids
    assert follow_up.activity_type_id == meeting_type
    assert follow_up.date_deadline == datetime.date(2024, 3, 23)
    assert follow_up.previous_activity_type_id == call_type


# ------------------------------------------------------------------ overdue flag and state
def test_overdue_flag_is_stored_and_refreshed(fixed):
    record = ticket(fixed)
    late = record.activity_schedule(date_deadline=TODAY - D(days=1))
    today = record.activity_schedule(date_deadline=TODAY)
    later = record.activity_schedule(date_deadline=TODAY + D(days=1))
    assert stored_overdue(fixed, late | today | later) == {late.id: True, today.id: False, later.id: False}
    assert [a.status for a in (late, today, later)] == ["overdue", "today", "planned"]
    found = fixed["mail.activity"].search([("is_overdue", "=", True), ("res_id", "=", record.id)])
    assert found == late

    # two days later: the daily job flags both; it changes nothing when run again
    assert fixed["mail.activity"]._cron_refresh_overdue(today=TODAY + D(days=2)) >= 2
    assert stored_overdue(fixed, late | today | later) == {late.id: True, today.id: True, later.id: True}
    assert fixed["mail.activity"]._cron_refresh_overdue(today=TODAY + D(days=2)) == 0
    assert later.is_overdue is True                                  # the cache was refreshed

    # a write moves the deadline: the flag follows at once; closing clears it
    later.write({"date_deadline": TODAY + D(days=30)})
    assert stored_overdue(fixed, later) == {later.id: False}
    today.action_done()
    assert stored_overdue(fixed, today) == {today.id: False}
    # back to the 10th: the job clears what is no longer late
    fixed["mail.activity"]._cron_refresh_overdue(today=TODAY)
    assert stored_overdue(fixed, late | later) == {late.id: True, later.id: False}


def test_the_scheduled_jobs_run_through_the_scheduler(env, demo):
    """The data file's jobs, run as the scheduler runs them, with the real clock."""
    demo.partner_id.email = "demo@example.com"
    record = ticket(env)
    long_ago = record.with_context(mail_activity_today="1999-12-01").activity_schedule(
        date_deadline="2000-01-01", summary="Y2K check", user_id=demo.id)
    assert stored_overdue(env, long_ago) == {long_ago.id: False}
    for xmlid in ("mail.ir_cron_activity_overdue", "mail.ir_cron_activity_digest"):
        cron = env.ref(xmlid)
        assert cron._run_job() is True, cron.last_error
    assert stored_overdue(env, long_ago) == {long_ago.id: True}
    digest = env["mail.activity.digest"].search([("user_id", "=", demo.id)])
    assert digest.activity_ids == long_ago and "Y2K check" in digest.mail_id.body_html


def test_overdue_is_judged_in_the_responsible_time_zone(env, demo):
    env.ref("base.user_admin").partner_id.tz = "Pacific/Kiritimati"     # UTC+14
    demo.partner_id.tz = "Pacific/Pago_Pago"                             # UTC-11
    ctx = env(context={"mail_activity_now": datetime.datetime(2024, 3, 10, 12, 0)})
    record = ticket(ctx)
    admin_act = record.activity_schedule(date_deadline="2024-03-10", user_id=env.ref("base.user_admin").id)
    demo_act = record.activity_schedule(date_deadline="2024-03-10", user_id=demo.id)
    # on Kiritimati it is already the 11th: late; in Pago Pago still the 10th: today
    assert stored_overdue(ctx, admin_act | demo_act) == {admin_act.id: True, demo_act.id: False}
    assert (admin_act.status, demo_act.status) == ("overdue", "today")
    assert ctx["test.mail.ticket"].search([("activity_state", "=", "overdue")]) == record


def test_activity_state_filters(fixed, demo):
    Ticket = fixed["test.mail.ticket"]
    late, due, future, mixed, idle = Ticket.create([{"name": n} for n in ("late", "due", "future", "mixed", "idle")])
    late.activity_schedule(date_deadline=TODAY - D(days=3))
    due.activity_schedule(date_deadline=TODAY, user_id=demo.id)
    future.activity_schedule(date_deadline=TODAY + D(days=3))
    mixed.activity_schedule(date_deadline=TODAY + D(days=8))
    mixed.activity_schedule(date_deadline=TODAY - D(days=1), summary="Most urgent")
    done = idle.activity_schedule(date_deadline=TODAY - D(days=9))
    done.action_done()
    mine = Ticket.browse((late | due | future | mixed | idle).ids)

    def search(*domain):
        return Ticket.search([("id", "in", mine.ids)] + list(domain))

    assert search(("activity_state", "=", "overdue")) == late | mixed
    assert search(("activity_state", "=", "today")) == due
    assert search(("activity_state", "=", "planned")) == future
    assert search(("activity_state", "in", ["today", "planned"])) == due | future
    assert search(("activity_state", "!=", "overdue")) == due | future | idle
    assert search(("activity_state", "=", False)) == idle
    assert search(("activity_state", "!=", False)) == late | due | future | mixed
    assert search(("activity_user_id", "=", demo.id)) == due
    assert search(("activity_summary", "=", "Most urgent")) == mixed
    assert search(("activity_date_deadline", "<", TODAY)) == late | mixed
    with pytest.raises(ValidationError, match="Unknown activity state"):
        search(("activity_state", "=", "soon"))
    # the summary fields show the most urgent activity
    assert mixed.activity_state == "overdue" and mixed.activity_summary == "Most urgent"
    assert mixed.activity_date_deadline == TODAY - D(days=1)
    assert due.activity_user_id == demo and due.activity_state == "today"
    assert future.activity_state == "planned" and idle.activity_state is False


def test_list_of_80_records_reads_activity_fields_in_a_few_queries(fixed, mail_registry):
    records = fixed["test.mail.ticket"].create([{"name": f"L{i}"} for i in range(80)])
    records.activity_schedule(date_deadline=TODAY)
    records[:40].activity_schedule(date_deadline=TODAY - D(days=1))
    fixed.invalidate_all()
    names = ["name", "activity_state", "activity_user_id", "activity_type_id", "activity_date_deadline",
             "activity_summary", "activity_ids"]
    before = fixed.cr.sql_count
    rows = fixed["test.mail.ticket"].search([("id", "in", records.ids)]).read(names)
    spent = fixed.cr.sql_count - before
    assert [row["activity_state"] for row in rows] == ["overdue"] * 40 + ["today"] * 40
    assert all(len(row["activity_ids"]) in (1, 2) for row in rows)
    assert spent <= 10, spent


# ------------------------------------------------------------------ access
@pytest.fixture
def hidden_tickets(env, demo):
    """A record rule: employees read the tickets they are responsible for."""
    env["ir.rule"].create({
        "name": "test: own tickets", "model_id": env.ref("test_mail.model_test_mail_ticket").id,
        "groups": [(4, env.ref("base.group_user").id)], "domain_force": "[('user_id', '=', user.id)]"})
    admin = env.ref("base.user_admin")
    return (ticket(env, "Admin's", user_id=admin.id), ticket(env, "Demo's", user_id=demo.id))


def test_access_follows_the_record(env, demo, hidden_tickets):
    theirs, mine = hidden_tickets
    admin = env.ref("base.user_admin")
    a_hidden = theirs.activity_schedule(summary="hidden", user_id=admin.id)
    a_assigned = theirs.activity_schedule(summary="assigned to demo", user_id=demo.id)
    a_visible = mine.activity_schedule(summary="on demo's ticket", user_id=admin.id)
    as_demo = env(user=demo.id)["mail.activity"]
    assert as_demo.search([]) == (a_assigned | a_visible).with_env(as_demo.env)
    assert as_demo.search_count([]) == 2
    groups = as_demo.read_group([], ["summary"], ["user_id"])
    assert sum(group["user_id_count"] for group in groups) == 2
    with pytest.raises(AccessError, match=r"test.mail.ticket records \[%d\]" % theirs.id):
        as_demo.browse(a_hidden.id).read(["summary"])
    with pytest.raises(AccessError):
        as_demo.browse(a_hidden.id).write({"summary": "taken"})
    with pytest.raises(AccessError):
        as_demo.browse(a_hidden.id).action_done()
    with pytest.raises(AccessError):
        as_demo.create({"res_model": "test.mail.ticket", "res_id": theirs.id, "summary": "sneak"})
    # the responsible sees and closes his own, even on a record he cannot read
    assert as_demo.browse(a_assigned.id).summary == "assigned to demo"
    as_demo.browse(a_assigned.id).action_done(feedback="done by demo")
    assert a_assigned.state == "done" and a_assigned.done_uid == demo
    # on a record he can read he may schedule and edit anyone's activity
    new = as_demo.create({"res_model": "test.mail.ticket", "res_id": mine.id, "summary": "by demo"})
    assert new.user_id == demo
    as_demo.browse(a_visible.id).write({"summary": "edited"})
    # through the record's summary fields he sees the activities of what he reads
    demo_ticket = env(user=demo.id)["test.mail.ticket"].browse(mine.id)
    assert set(demo_ticket.activity_ids.mapped("summary")) == {"edited", "by demo"}
    # closed activities are kept: an employee may not delete them, an administrator may
    with pytest.raises(AccessError):
        as_demo.browse(a_assigned.id).unlink()
    as_demo.browse(new.id).unlink()


# ------------------------------------------------------------------ record deletion, renaming
def test_unlinking_the_record_removes_its_planned_activities_only(fixed):
    record = ticket(fixed, "Short lived")
    planned = record.activity_schedule(summary="pending")
    done = record.activity_schedule(summary="finished")
    done.action_done()
    other = ticket(fixed, "Stays").activity_schedule()
    record.unlink()
    assert not planned.exists()
    assert done.exists() and done.res_name == "Short lived" and done.state == "done"
    assert other.exists()


def test_renaming_the_record_renames_its_activities(fixed):
    record = ticket(fixed, "Old name")
    activity = record.activity_schedule()
    record.write({"name": "New name"})
    fixed.flush_all()
    fixed.invalidate_all()
    assert activity.res_name == "New name"


# ------------------------------------------------------------------ digest
def _digest_setup(env, demo):
    env.ref("base.user_admin").partner_id.email = "admin@example.com"
    demo.partner_id.write({"email": "demo@example.com", "lang": "en_US"})
    env["ir.config_parameter"].sudo().set_param("web.base.url", "http://erp.example.com")
    late, due, future = env["test.mail.ticket"].create([{"name": n} for n in ("Late one", "Due one", "Later one")])
    late.activity_schedule(date_deadline=TODAY - D(days=2), summary="Overdue call", user_id=demo.id)
    due.activity_schedule(date_deadline=TODAY, summary="Meeting of the day", user_id=demo.id)
    future.activity_schedule(date_deadline=TODAY + D(days=4), summary="Not yet", user_id=demo.id)
    future.activity_schedule(date_deadline=TODAY + D(days=1), summary="Admin tomorrow",
                             user_id=env.ref("base.user_admin").id)
    return late, due


def test_daily_digest_lists_due_activities_once_a_day(env, demo):
    late, due = _digest_setup(env, demo)
    digests = env["mail.activity"]._cron_send_digest(today=TODAY)
    assert digests.user_id == demo                     # admin has nothing due: no digest
    assert digests.date == TODAY
    mail = digests.mail_id
    assert mail and mail.state == "outgoing"
    assert mail.recipient_ids == demo.partner_id
    assert "Overdue call" in mail.body_html and "Meeting of the day" in mail.body_html
    assert "Not yet" not in mail.body_html and "Admin tomorrow" not in mail.body_html
    assert f"http://erp.example.com/web/model/test.mail.ticket/{late.id}" in mail.body_html
    assert "Late one" in mail.body_html
    assert "Your activities" in mail.subject
    # a second run the same day sends nothing more
    assert not env["mail.activity"]._cron_send_digest(today=TODAY)
    assert env["mail.activity.digest"].search_count([("user_id", "=", demo.id)]) == 1
    # the next day there is one again
    assert env["mail.activity"]._cron_send_digest(today=TODAY + D(days=1)).mapped("user_id") \
        == demo | env.ref("base.user_admin")


def test_digest_is_written_in_the_user_language(env, demo):
    from core import i18n
    _digest_setup(env, demo)
    demo.partner_id.lang = "de_DE"
    template = env.ref("mail.mail_template_activity_digest")
    template.with_context(lang="de_DE").subject = "Ihre Aktivitäten am {{ format_date(object.date) }}"
    digest = env["mail.activity"]._cron_send_digest(today=TODAY)
    german_date = i18n.format_date(TODAY, "de_DE")
    assert german_date != i18n.format_date(TODAY, "en_US")
    assert digest.mail_id.subject == f"Ihre Aktivitäten am {german_date}"
    assert "Overdue call" in digest.mail_id.body_html


def test_digest_is_delivered_by_the_queue(env, demo, smtp_sink):
    if not hasattr(env["mail.mail"], "process_email_queue"):
        pytest.skip("the outgoing queue (mail.mail.process_email_queue) is not there yet")
    env["ir.mail_server"].create({"name": "sink", "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port,
                                  "smtp_encryption": "none"})
    env["ir.config_parameter"].set_param("mail.catchall.domain", "example.com")   # the system sender
    _digest_setup(env, demo)
    digest = env["mail.activity"]._cron_send_digest(today=TODAY)
    assert digest.mail_id.state == "outgoing"
    env["mail.mail"].process_email_queue()
    mail = digest.mail_id.exists()
    assert not mail or mail.state == "sent", mail.failure_reason     # sent mail may be auto-deleted
    assert smtp_sink.received.wait(10)
    [message] = smtp_sink.messages
    assert "demo@example.com" in message["To"]
    assert message["Subject"].startswith("Your activities")
    body = message.get_body(("html",)).get_content()
    assert "Overdue call" in body and "Meeting of the day" in body and "Not yet" not in body


# ------------------------------------------------------------------ views
def test_views_load(env):
    views = env["ir.ui.view"].get_views("mail.activity", [(False, kind) for kind in
                                                          ("list", "form", "search", "calendar", "graph", "pivot")])
    assert set(views["views"]) >= {"list", "form", "search", "calendar", "graph", "pivot"}
    search = views["views"]["search"]["arch"]
    for name in ("my_activities", "overdue", "today", "planned", "done", "cancelled", "group_type", "group_user"):
        assert f'name="{name}"' in search
    assert env.ref("mail.menu_activity_type").parent_id == env.ref("mail.menu_email")


def test_activity_pages_render_for_an_employee(start_web_server):
    from addons.mail.tests.conftest import MAIL_ADDONS, TEST_ADDONS
    server = start_web_server(addons=MAIL_ADDONS, addons_paths=(TEST_ADDONS,))
    with server.env() as env:
        demo_user = env.ref("base.user_demo")
        record = env["test.mail.ticket"].create({"name": "Web ticket", "user_id": demo_user.id})
        activity = record.activity_schedule("mail.mail_activity_data_call", summary="Call from the web",
                                            user_id=demo_user.id)
        action = env.ref("mail.mail_activity_action").id
        analysis = env.ref("mail.mail_activity_action_analysis").id
        activity_id, day = activity.id, activity.date_deadline
    client = server.login_client("demo", "demo")
    for path in (f"/web/action/{action}", f"/web/action/{action}?view_type=calendar&date={day}",
                 f"/web/action/{action}/{activity_id}", f"/web/action/{analysis}",
                 f"/web/action/{analysis}?view_type=graph"):
        reply = client.get(path)
        assert reply.status == 200, (path, reply.status, reply.text[:2000])
    assert "Call from the web" in client.get(f"/web/action/{action}").text
    assert "Web ticket" in client.get(f"/web/action/{action}/{activity_id}").text
