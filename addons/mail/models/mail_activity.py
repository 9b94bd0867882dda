"""Planned activities: a to-do, call, meeting or email due on a date, with a
responsible user, attached to one record (``res_model`` / ``res_id``).

Activities are never deleted when they are closed: marking one done or cancelled
keeps the row (with the done date, the user and the feedback) for analysis; only
deleting the record it belongs to removes its *planned* activities
(``mail.activity.mixin``).

``is_overdue`` is stored and indexed so that "late activities" is a cheap query over
many rows: it is set on create and write, and refreshed every day by a scheduled
action (``_cron_refresh_overdue``), since a deadline becomes late by the calendar
alone.  "Today" is the responsible user's date in his time zone; the context key
``mail_activity_today`` (a date) fixes it, and ``mail_activity_now`` (a naive UTC
datetime) replaces the clock, for tests and for replaying a day.

Access: besides the access rights of ``mail.activity`` itself, a user reaches an
activity when he may read its record, or when he is its responsible.  The check
lives in the ORM (``_check_access`` for given records, ``_rules_expression`` for
searches, counts and groupings), so every path applies it.

Also here: ``mail.activity.digest``, the daily reminder sent to each user, one per
user and day.
"""
import html
import logging
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from core import _, api, fields, models, security
from core.exceptions import AccessError, UserError, ValidationError

_logger = logging.getLogger(__name__)

STATES = [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")]
STATUSES = [("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned"),
            ("done", "Done"), ("cancelled", "Cancelled")]
DEFAULT_TYPE_XMLID = "mail.mail_activity_data_todo"


def today_in(tz_name, fixed=None, now=None):
    """Today's date in time zone ``tz_name`` (UTC when empty or unknown), or ``fixed``.

    ``now`` (a naive UTC datetime) replaces the clock."""
    if fixed:
        return fields.Date.to_date(fixed)
    now = now.replace(tzinfo=timezone.utc) if now else datetime.now(timezone.utc)
    if tz_name:
        try:
            return now.astimezone(ZoneInfo(tz_name)).date()
        except (ZoneInfoNotFoundError, ValueError):
            _logger.debug("unknown time zone %r: UTC is used", tz_name)
    return now.date()


class MailActivity(models.Model):
    _name = "mail.activity"
    _description = "Activity"
    _order = "date_deadline, id"
    _rec_name = "summary"

    res_model = fields.Char(string="Related Document Model", required=True, index=True)
    res_id = fields.Integer(string="Related Document ID", required=True, index=True)
    res_name = fields.Char(string="Document Name", compute="_compute_res_name", store=True,
                           help="The display name of the record, kept when it is deleted")
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity Type", index=True,
                                       ondelete="restrict")
    activity_category = fields.Selection(related="activity_type_id.category")
    icon = fields.Char(related="activity_type_id.icon")
    summary = fields.Char()
    note = fields.Html()
    date_deadline = fields.Date(string="Due Date", required=True, index=True,
                                default=lambda self: self._today_for(self.env.uid))
    user_id = fields.Many2one("res.users", string="Assigned to", index=True, ondelete="set null",
                              default=lambda self: self.env.uid)
    state = fields.Selection(STATES, default="planned", required=True, index=True, readonly=True)
    date_done = fields.Date(string="Done Date", readonly=True, copy=False)
    done_uid = fields.Many2one("res.users", string="Done by", readonly=True, copy=False,
                               ondelete="set null")
    feedback = fields.Text(copy=False)
    is_overdue = fields.Boolean(string="Overdue", index=True, readonly=True, copy=False,
                                help="Planned and due before today in the responsible's time zone "
                                     "(refreshed daily)")
    status = fields.Selection(STATUSES, compute="_compute_status", string="Status")
    record_url = fields.Char(compute="_compute_record_url", string="Link",
                             help="The address of the record in the web client")
    previous_activity_type_id = fields.Many2one("mail.activity.type", string="Previous Activity Type",
                                                readonly=True, ondelete="set null")

    # ------------------------------------------------------------ "today"
    def _user_tz(self, user_ids):
        """``{user id: time zone name}`` (sudo: a time zone is no secret, and the deadline
        of somebody else's activity is judged in his time zone)."""
        ids = sorted({uid for uid in user_ids if uid})
        if not ids:
            return {}
        users = self.env["res.users"].sudo().with_context(active_test=False).browse(ids)
        return {row["id"]: row["tz"] for row in users.read(["tz"], load=None)}

    def _today_by_user(self, user_ids):
        """``{user id (or False): today in his time zone}``."""
        fixed = self.env.context.get("mail_activity_today")
        now = self.env.context.get("mail_activity_now")
        tzs = self._user_tz(user_ids)
        result = {uid: today_in(tzs.get(uid), fixed, now) for uid in tzs}
        result[False] = today_in(None, fixed, now)
        return result

    def _today_for(self, uid):
        today = self._today_by_user([uid])
        return today.get(uid or False, today[False])

    # ------------------------------------------------------------ computes
    @api.depends("res_model", "res_id")
    def _compute_res_name(self):
        by_model = defaultdict(set)
        for activity in self:
            if activity.res_model and activity.res_id:
                by_model[activity.res_model].add(activity.res_id)
        names = {}
        for model, ids in by_model.items():
            if model not in self.env:
                continue
            # the stored name is the record's, whoever schedules: read it as superuser
            records = self.env[model].sudo().with_context(active_test=False).browse(sorted(ids)).exists()
            for record in records:
                names[(model, record.id)] = record.display_name
        for activity in self:
            name = names.get((activity.res_model, activity.res_id))
            if name is not None:
                activity.res_name = name
            elif not activity.res_name:
                activity.res_name = False

    def _refresh_res_name(self):
        """Take the record's current name again (it was renamed); stored on the next flush."""
        if self:
            self.env.transaction.add_to_compute(self._fields["res_name"], self._ids)

    @api.depends("state", "date_deadline", "user_id")
    @api.depends_context("mail_activity_today", "mail_activity_now")
    def _compute_status(self):
        today = self._today_by_user(self.mapped("user_id").ids)
        for activity in self:
            if activity.state != "planned":
                activity.status = activity.state
                continue
            day = today.get(activity.user_id.id or False, today[False])
            deadline = activity.date_deadline
            activity.status = "overdue" if deadline < day else "today" if deadline == day else "planned"

    @api.depends("res_model", "res_id")
    def _compute_record_url(self):
        base = (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")
        for activity in self:
            activity.record_url = (f"{base}/web/model/{activity.res_model}/{activity.res_id}"
                                   if activity.res_model and activity.res_id else False)

    def _overdue_values(self, rows):
        """``is_overdue`` for each ``(state, date_deadline, user_id)`` of ``rows``."""
        today = self._today_by_user([row[2] for row in rows])
        result = []
        for state, deadline, uid in rows:
            deadline = fields.Date.to_date(deadline)
            result.append(bool(state == "planned" and deadline
                               and deadline < today.get(uid or False, today[False])))
        return result

    # ------------------------------------------------------------ create / write
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        self._check_documents_exist(vals_list)
        type_ids = {vals["activity_type_id"] for vals in vals_list if vals.get("activity_type_id")}
        types = {t.id: t for t in self.env["mail.activity.type"].sudo().browse(sorted(type_ids)).exists()}
        for vals in vals_list:
            activity_type = types.get(vals.get("activity_type_id"))
            if activity_type:
                if "summary" not in vals and activity_type.summary:
                    vals["summary"] = activity_type.summary
                if "note" not in vals and activity_type.default_note:
                    vals["note"] = activity_type.default_note
                if "user_id" not in vals and activity_type.default_user_id:
                    vals["user_id"] = activity_type.default_user_id.id
            vals.setdefault("user_id", self.env.context.get("default_user_id", self.env.uid))
        # default deadlines: the type's delay from the responsible's today
        today = self._today_by_user([vals.get("user_id") for vals in vals_list])
        for vals in vals_list:
            if not vals.get("date_deadline") and "default_date_deadline" not in self.env.context:
                activity_type = types.get(vals.get("activity_type_id"))
                day = today.get(vals.get("user_id") or False, today[False])
                vals["date_deadline"] = activity_type._deadline_from(day) if activity_type else day
            vals.pop("is_overdue", None)
        rows = [(vals.get("state", "planned"),
                 vals.get("date_deadline") or self.env.context.get("default_date_deadline"),
                 vals.get("user_id")) for vals in vals_list]
        for vals, overdue in zip(vals_list, self._overdue_values(rows)):
            vals["is_overdue"] = overdue
        return super().create(vals_list)

    def write(self, vals):
        vals = dict(vals)
        vals.pop("is_overdue", None)
        moving = "res_model" in vals or "res_id" in vals
        if moving:
            self._check_documents_exist([{"res_model": vals.get("res_model") or a.res_model,
                                          "res_id": vals.get("res_id") or a.res_id} for a in self])
        result = super().write(vals)
        if moving:
            self._check_access("write")     # the new document must be reachable too
        if {"state", "date_deadline", "user_id"} & set(vals):
            self._refresh_overdue_flags()
        return result

    def _refresh_overdue_flags(self):
        """Set ``is_overdue`` of these activities from their current values (two UPDATEs at most)."""
        if not self:
            return
        rows = [(a.state, a.date_deadline, a.user_id.id) for a in self]
        wanted = defaultdict(list)
        for activity, value, current in zip(self, self._overdue_values(rows), self.mapped("is_overdue")):
            if value != current:
                wanted[value].append(activity.id)
        for value, ids in wanted.items():
            # a derived flag the system keeps: the user's own write was checked already
            super(MailActivity, self.sudo().browse(ids)).write({"is_overdue": value})

    def _check_documents_exist(self, vals_list):
        """Each activity names an existing record of a real model; ValidationError otherwise."""
        by_model = defaultdict(set)
        for vals in vals_list:
            model, res_id = vals.get("res_model"), vals.get("res_id")
            if not model or not res_id:
                raise ValidationError(_("An activity needs the record it is about: res_model and res_id "
                                        "are required (got %(model)r, %(id)r).") % {"model": model, "id": res_id})
            if model not in self.env or self.env.registry.models[model]._abstract:
                raise ValidationError(_("An activity cannot be attached to %r: there is no such model.") % model)
            if isinstance(res_id, bool) or not isinstance(res_id, int):
                raise ValidationError(_("The res_id of an activity must be a record id, got %r.") % (res_id,))
            by_model[model].add(res_id)
        for model, ids in by_model.items():
            found = set(self.env[model].sudo().with_context(active_test=False).browse(sorted(ids)).exists()._ids)
            missing = sorted(ids - found)
            if missing:
                raise ValidationError(_("Cannot schedule an activity on %(model)s records %(ids)s: they do not "
                                        "exist.") % {"model": model, "ids": missing})

    # ------------------------------------------------------------ access
    def _check_access(self, operation):
        super()._check_access(operation)
        if self._ids and not self.env.su and self.env.registry.access_checker is not None:
            self._check_documents(operation)

    def _activity_rows(self):
        table = self._sql_table
        ids = [i for i in self._ids if isinstance(i, int)]
        rows = []
        for start in range(0, len(ids), 1000):
            rows += self.env.cr.execute(
                sa.select(table.c.id, table.c.res_model, table.c.res_id, table.c.user_id)
                .where(self._id_in(table.c.id, ids[start:start + 1000]))).all()
        return rows

    def _check_documents(self, operation):
        """Raise AccessError unless the user may read the record of each activity, or is
        its responsible (not when creating: one cannot schedule on a record one cannot read)."""
        uid = self.env.uid
        by_model = defaultdict(set)
        for row in self._activity_rows():
            if row.user_id == uid and operation != "create":
                continue
            by_model[row.res_model].add(row.res_id)
        for model, ids in by_model.items():
            readable = self._readable_ids(model, ids)
            refused = sorted(ids - readable)
            if refused:
                raise AccessError(_("You may not %(operation)s activities of %(model)s records %(ids)s: you "
                                    "cannot read those records and you are not responsible for the "
                                    "activities.") % {"operation": _operation_verb(operation),
                                                      "model": model, "ids": refused})

    def _readable_ids(self, model, ids):
        """The ids among ``ids`` of ``model`` records the user may read (one query)."""
        if model not in self.env or not security.check_model_access(self.env, model, "read",
                                                                      raise_exception=False):
            return set()
        records = self.env[model].with_context(active_test=False)
        table = self.env.registry.tables[model]
        where = records._id_in(table.c.id, sorted(ids))
        rules = security.rule_expression(records, table, "read")
        if rules is not None:
            where = sa.and_(where, rules)
        return set(self.env.cr.execute(sa.select(table.c.id).where(where)).scalars())

    def _rules_expression(self, table):
        """The record rules, and: the user may read the activity's record or is responsible."""
        expr = super()._rules_expression(table)
        if self.env.su or self.env.registry.rule_builder is None:
            return expr
        reachable = self._document_expression(table)
        return reachable if expr is None else sa.and_(expr, reachable)

    def _document_expression(self, table):
        own = self.env.registry.tables[self._name]
        models_used = self.env.cr.execute(sa.select(own.c.res_model).distinct()).scalars().all()
        conditions = [table.c.user_id == self.env.uid]
        for model in sorted(m for m in models_used if m):
            if model not in self.env or self.env.registry.models[model]._abstract:
                continue
            if not security.check_model_access(self.env, model, "read", raise_exception=False):
                continue
            doc_table = self.env.registry.tables[model].alias()
            readable = sa.select(doc_table.c.id)
            rules = security.rule_expression(self.env[model].with_context(active_test=False), doc_table, "read")
            if rules is not None:
                readable = readable.where(rules)
            conditions.append(sa.and_(table.c.res_model == model, table.c.res_id.in_(readable)))
        return sa.or_(*conditions)

    # ------------------------------------------------------------ actions
    def _ensure_planned(self):
        closed = self.filtered(lambda a: a.state != "planned")
        if closed:
            raise UserError(_("These activities are already closed: %s.")
                            % ", ".join(f"{a.summary or a.activity_type_id.name or a.id} ({a.state})" for a in closed))

    def action_done(self, feedback=None):
        """Mark the activities done (the rows stay, for analysis), log each on its
        record's chatter, and schedule the next activity of types that chain one."""
        self._action_done(feedback)
        return True

    def _action_done(self, feedback=None):
        """Mark done; returns the activities scheduled next (chaining type "trigger")."""
        if not self:
            return self.browse()
        self._ensure_planned()
        today = self._today_by_user(self.mapped("user_id").ids)
        by_day = defaultdict(list)
        for activity in self:
            by_day[today.get(activity.user_id.id or False, today[False])].append(activity.id)
        values = {"state": "done", "done_uid": self.env.uid}
        if feedback:
            values["feedback"] = feedback
        for day, ids in by_day.items():
            # state, date_done and done_uid are readonly in forms, not for this action
            self.browse(ids).write(dict(values, date_done=day))
        self._post_done_messages(feedback)
        return self._schedule_triggered_next()

    def _post_done_messages(self, feedback):
        subtype = "mail.mt_activities" if self.env.ref("mail.mt_activities", raise_if_not_found=False) \
            else "mail.mt_note"
        author = self.env.user.partner_id.id
        by_model = defaultdict(set)
        for activity in self:
            model = self.env.registry.models.get(activity.res_model)
            if model is not None and hasattr(model, "message_post"):
                by_model[activity.res_model].add(activity.res_id)
        existing = {(model, rid) for model, ids in by_model.items()
                    for rid in self.env[model].sudo().browse(sorted(ids)).exists()._ids}
        for activity in self:
            if (activity.res_model, activity.res_id) not in existing:
                continue
            record = self.env[activity.res_model].browse(activity.res_id)
            # logging what the user did on a record he may read; posting may need more
            # rights on the record than closing the activity does
            record.sudo().message_post(body=activity._done_message_body(feedback), subtype_xmlid=subtype,
                                       message_type="notification", author_id=author)

    def _done_message_body(self, feedback):
        label = self.activity_type_id.name or _("Activity")
        title = _("%s done") % label
        parts = [f"<p><b>{html.escape(title)}</b>"]
        if self.summary:
            parts.append(f": {html.escape(self.summary)}")
        parts.append("</p>")
        if self.note:
            from addons.web.html_sanitize import sanitize_html
            parts.append(f"<div>{sanitize_html(self.note)}</div>")
        if feedback or self.feedback:
            parts.append(f"<p>{html.escape(_('Feedback:'))} {html.escape(feedback or self.feedback)}</p>")
        return "".join(parts)

    def _schedule_triggered_next(self):
        vals_list = []
        for activity in self:
            next_type = activity.activity_type_id.triggered_next_type_id
            if activity.activity_type_id.chaining_type == "trigger" and next_type:
                vals_list.append(activity._next_activity_values(next_type))
        return self.create(vals_list) if vals_list else self.browse()

    def _next_activity_values(self, next_type):
        start = self.date_deadline if next_type.delay_from == "previous_activity" \
            else self._today_by_user([self.user_id.id]).get(self.user_id.id or False)
        return {"res_model": self.res_model, "res_id": self.res_id, "activity_type_id": next_type.id,
                "previous_activity_type_id": self.activity_type_id.id,
                "user_id": (next_type.default_user_id or self.user_id).id,
                "date_deadline": next_type._deadline_from(start)}

    def action_feedback(self, feedback=False):
        """Odoo's name: mark done with a feedback."""
        return self.action_done(feedback=feedback or None)

    def action_done_schedule_next(self):
        """Mark done and open a form to schedule the next activity on the same record."""
        self.ensure_one()
        triggered = self._action_done()
        if triggered:
            return True
        next_type = self.activity_type_id.triggered_next_type_id
        context = {"default_res_model": self.res_model, "default_res_id": self.res_id,
                   "default_previous_activity_type_id": self.activity_type_id.id}
        if next_type:
            context["default_activity_type_id"] = next_type.id
            context["default_date_deadline"] = fields.Date.to_string(
                self._next_activity_values(next_type)["date_deadline"])
        return {"type": "ir.actions.act_window", "name": _("Schedule an Activity"),
                "res_model": "mail.activity", "view_mode": "form", "views": [[False, "form"]],
                "target": "new", "context": context}

    def action_cancel(self):
        """Cancel the activities; the rows stay, for analysis."""
        if not self:
            return True
        self._ensure_planned()
        self.write({"state": "cancelled"})
        return True

    def action_open_document(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
                "views": [[False, "form"]], "view_mode": "form", "target": "current"}

    # ------------------------------------------------------------ onchange
    @api.onchange("activity_type_id")
    def _onchange_activity_type_id(self):
        activity_type = self.activity_type_id
        if not activity_type:
            return
        if activity_type.summary and not self.summary:
            self.summary = activity_type.summary
        if activity_type.default_note and not self.note:
            self.note = activity_type.default_note
        if activity_type.default_user_id:
            self.user_id = activity_type.default_user_id
        today = self._today_by_user([self.user_id.id])
        self.date_deadline = activity_type._deadline_from(today.get(self.user_id.id or False, today[False]))

    # ------------------------------------------------------------ scheduled jobs
    @api.model
    def _cron_refresh_overdue(self, today=None):
        """Refresh the stored ``is_overdue`` flag of every planned activity; returns the
        number of rows changed.  ``today`` (a date) replaces each user's today."""
        model = self.sudo()   # a system job over everybody's activities
        if today:
            model = model.with_context(mail_activity_today=today)
        model.env.flush_all()
        table = model._sql_table
        cr = model.env.cr
        user_ids = cr.execute(sa.select(table.c.user_id).distinct()
                              .where(table.c.state == "planned")).scalars().all()
        today_by_user = model._today_by_user([u for u in user_ids if u])
        by_day = defaultdict(list)
        for uid in user_ids:
            by_day[today_by_user.get(uid or False, today_by_user[False])].append(uid)
        changed = 0
        for day, uids in sorted(by_day.items()):
            known = [u for u in uids if u]
            who = table.c.user_id.in_(known) if known else sa.false()
            if None in uids:
                who = sa.or_(who, table.c.user_id.is_(None))
            planned = sa.and_(table.c.state == "planned", who)
            not_flagged = sa.or_(table.c.is_overdue.is_(None), table.c.is_overdue == sa.false())
            changed += cr.execute(sa.update(table).where(planned, table.c.date_deadline < day, not_flagged)
                                  .values(is_overdue=True)).rowcount
            changed += cr.execute(sa.update(table).where(planned, table.c.date_deadline >= day,
                                                         table.c.is_overdue == sa.true())
                                  .values(is_overdue=False)).rowcount
        changed += cr.execute(sa.update(table).where(table.c.state != "planned", table.c.is_overdue == sa.true())
                              .values(is_overdue=False)).rowcount
        model.invalidate_model(["is_overdue"])
        return changed

    @api.model
    def _cron_send_digest(self, today=None):
        """Queue today's reminder to every user with activities due today or late."""
        return self.env["mail.activity.digest"].sudo()._send_digests(today)


def _operation_verb(operation):
    return {"read": _("read"), "write": _("modify"), "create": _("create"), "unlink": _("delete")}[operation]


class MailActivityDigest(models.Model):
    """One reminder per user and day: which activities it listed and the mail queued.

    The row makes the job idempotent: a user gets no second reminder for a day
    whatever the number of runs (the pair user/day is unique)."""

    _name = "mail.activity.digest"
    _description = "Activity Reminder"
    _order = "date desc, id desc"
    _rec_name = "date"

    user_id = fields.Many2one("res.users", string="User", required=True, index=True, ondelete="cascade")
    date = fields.Date(required=True, index=True, help="The user's day the reminder is for")
    activity_ids = fields.Many2many("mail.activity", "mail_activity_digest_rel", "digest_id", "activity_id",
                                    string="Activities")
    mail_id = fields.Many2one("mail.mail", string="Email", ondelete="set null")

    _sql_constraints = [("user_date_uniq", "unique (user_id, date)",
                         "A user gets one activity reminder a day.")]

    @api.model
    def _send_digests(self, today=None):
        """Create and queue the reminders still missing today; returns the digests made."""
        activities = self.env["mail.activity"].sudo()
        if today:
            activities = activities.with_context(mail_activity_today=today)
        activities.env.flush_all()
        table = activities._sql_table
        user_ids = activities.env.cr.execute(
            sa.select(table.c.user_id).distinct()
            .where(table.c.state == "planned", table.c.user_id.isnot(None))).scalars().all()
        if not user_ids:
            return self.browse()
        today_by_user = activities._today_by_user(user_ids)
        latest = max(today_by_user[uid] for uid in user_ids)
        due = activities.search([("state", "=", "planned"), ("user_id", "in", user_ids),
                                 ("date_deadline", "<=", latest)], order="date_deadline, id")
        by_user = defaultdict(list)
        for activity in due:
            uid = activity.user_id.id
            if activity.date_deadline <= today_by_user[uid]:
                by_user[uid].append(activity.id)
        done = {(row["user_id"], row["date"]) for row in self.search_read(
            [("user_id", "in", list(by_user)), ("date", "in", sorted({today_by_user[u] for u in by_user}))],
            ["user_id", "date"], load=None)}
        users = self.env["res.users"].browse(sorted(by_user))
        vals_list = []
        for user in users:
            day = today_by_user[user.id]
            if (user.id, day) in done or not user.active or user.share or not user.partner_id.email:
                continue
            vals_list.append({"user_id": user.id, "date": day,
                              "activity_ids": [(6, 0, by_user[user.id])]})
        digests = self.create(vals_list)
        template = self.env.ref("mail.mail_template_activity_digest", raise_if_not_found=False)
        if template is None:
            raise UserError(_("The activity reminder template mail.mail_template_activity_digest is missing."))
        for digest in digests:
            mail_id = template.send_mail(digest.id)
            digest.mail_id = mail_id
        return digests
