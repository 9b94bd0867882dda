"""The mail.activity.mixin: planned activities on the records of a model.

A model inherits it next to ``mail.thread`` (``_inherit = ["mail.thread",
"mail.activity.mixin"]``) and gets:

- ``activity_ids``: the record's planned activities, soonest first;
- a summary of the most urgent one — ``activity_state`` (overdue / today / planned),
  ``activity_user_id``, ``activity_type_id``, ``activity_date_deadline``,
  ``activity_summary`` — each searchable, for filters like "late activities" or
  "my activities";
- ``activity_schedule``, ``activity_feedback``, ``activity_unlink`` as in Odoo.

The summary fields of a whole list page are computed together with one query on
the activities.  Deleting records removes their planned activities; closed ones
stay, with the record's name, for analysis.
"""
from collections import defaultdict

import sqlalchemy as sa

from core import _, api, fields, models
from core.exceptions import ValidationError

from .mail_activity import DEFAULT_TYPE_XMLID, STATUSES

ACTIVITY_STATES = [s for s in STATUSES if s[0] in ("overdue", "today", "planned")]
_CODES = {"overdue": 0, "today": 1, "planned": 2}


class MailActivityMixin(models.AbstractModel):
    _name = "mail.activity.mixin"
    _description = "Activity Mixin"

    activity_ids = fields.One2many("mail.activity", compute="_compute_activity_fields",
                                   search="_search_activity_ids", string="Activities")
    activity_state = fields.Selection(ACTIVITY_STATES, string="Activity State",
                                      compute="_compute_activity_fields", search="_search_activity_state",
                                      help="Of the most urgent planned activity: overdue (its deadline "
                                           "has passed), today, or planned (later)")
    activity_user_id = fields.Many2one("res.users", string="Responsible User",
                                       compute="_compute_activity_fields", search="_search_activity_user_id")
    activity_type_id = fields.Many2one("mail.activity.type", string="Next Activity Type",
                                       compute="_compute_activity_fields", search="_search_activity_type_id")
    activity_date_deadline = fields.Date(string="Next Activity Deadline", compute="_compute_activity_fields",
                                         search="_search_activity_date_deadline")
    activity_summary = fields.Char(string="Next Activity Summary", compute="_compute_activity_fields",
                                   search="_search_activity_summary")

    # ------------------------------------------------------------ reading
    @api.depends_context("mail_activity_today", "mail_activity_now")
    def _compute_activity_fields(self):
        """All summary fields of the batch from one query on the planned activities.

        The activities are read as superuser: whoever may read these records may see
        their activities (see mail.activity's access), so nothing leaks."""
        real = [rid for rid in self._ids if isinstance(rid, int)]
        rows_by_record = defaultdict(list)
        if real:
            Activity = self.env["mail.activity"]
            table = self.env.registry.tables["mail.activity"]
            query = (sa.select(table.c.id, table.c.res_id, table.c.user_id, table.c.activity_type_id,
                               table.c.date_deadline, table.c.summary)
                     .where(table.c.res_model == self._name, table.c.state == "planned",
                            Activity._id_in(table.c.res_id, real))
                     .order_by(table.c.date_deadline, table.c.id))
            for row in self.env.cr.execute(query):
                rows_by_record[row.res_id].append(row)
            today = Activity._today_by_user({row.user_id for rows in rows_by_record.values() for row in rows})
        for record in self:
            rows = rows_by_record.get(record.id) if isinstance(record.id, int) else None
            if not rows:
                record.activity_ids = self.env["mail.activity"]
                record.activity_state = False
                record.activity_user_id = False
                record.activity_type_id = False
                record.activity_date_deadline = False
                record.activity_summary = False
                continue
            first = rows[0]
            codes = [_code(fields.Date.to_date(row.date_deadline), today.get(row.user_id or False, today[False]))
                     for row in rows]
            record.activity_ids = self.env["mail.activity"].browse([row.id for row in rows])
            record.activity_state = ACTIVITY_STATES[min(codes)][0]
            record.activity_user_id = first.user_id or False
            record.activity_type_id = first.activity_type_id or False
            record.activity_date_deadline = first.date_deadline
            record.activity_summary = first.summary or False

    # ------------------------------------------------------------ searching
    def _planned_activities(self):
        return self.env["mail.activity"].sudo().with_context(active_test=False)

    def _search_on_activities(self, domain):
        """``[("id", "in", ids)]`` of the records having a planned activity matching ``domain``
        (as superuser: the caller's own search applies the rules on this model's records)."""
        domain = [("res_model", "=", self._name), ("state", "=", "planned")] + list(domain)
        rows = self._planned_activities()._search_rows(domain, ["res_id"])
        return [("id", "in", sorted({res_id for _id, res_id in rows}))]

    def _search_activity_ids(self, operator, value):
        return self._search_on_activities([("id", operator, value)])

    def _search_activity_user_id(self, operator, value):
        return self._search_on_activities([("user_id", operator, value)])

    def _search_activity_type_id(self, operator, value):
        return self._search_on_activities([("activity_type_id", operator, value)])

    def _search_activity_date_deadline(self, operator, value):
        return self._search_on_activities([("date_deadline", operator, value)])

    def _search_activity_summary(self, operator, value):
        return self._search_on_activities([("summary", operator, value)])

    def _search_activity_state(self, operator, value):
        """Records whose most urgent planned activity is overdue / today / planned.

        One grouped query: per record the smallest urgency code over its activities,
        each judged against today in its responsible's time zone."""
        if operator not in ("=", "!=", "in", "not in"):
            raise ValidationError(_("The activity state is searched with =, !=, in or not in, not %r.") % operator)
        values = value if isinstance(value, (list, tuple)) else [value]
        unknown = [v for v in values if v not in _CODES and v is not False and v is not None]
        if unknown:
            raise ValidationError(_("Unknown activity state(s) %(values)s: expected %(known)s.")
                                  % {"values": unknown, "known": ", ".join(_CODES)})
        wanted = {_CODES[v] for v in values if v in _CODES}
        want_none = any(v is False or v is None for v in values)
        Activity = self._planned_activities()
        table = Activity._sql_table
        planned = sa.and_(table.c.res_model == self._name, table.c.state == "planned")
        user_ids = Activity.env.cr.execute(sa.select(table.c.user_id).distinct().where(planned)).scalars().all()
        today = Activity._today_by_user([u for u in user_ids if u])
        by_day = defaultdict(list)
        for uid in user_ids:
            by_day[today.get(uid or False, today[False])].append(uid)
        whens = []
        for day, uids in sorted(by_day.items()):
            known = [u for u in uids if u]
            who = table.c.user_id.in_(known) if known else sa.false()
            if None in uids:
                who = sa.or_(who, table.c.user_id.is_(None))
            whens.append((who, sa.case((table.c.date_deadline < day, 0), (table.c.date_deadline == day, 1),
                                       else_=2)))
        matched = set()
        if whens and wanted:
            code = sa.case(*whens, else_=2) if len(whens) > 1 else whens[0][1]
            urgency = sa.func.min(code)
            query = (sa.select(table.c.res_id).where(planned).group_by(table.c.res_id)
                     .having(urgency.in_(sorted(wanted))))
            matched = set(Activity.env.cr.execute(query).scalars())
        negative = operator in ("!=", "not in")
        if want_none:
            # "no planned activity": the records without any, plus the matched ones
            having = set(Activity.env.cr.execute(sa.select(table.c.res_id).distinct().where(planned)).scalars())
            if negative:
                return [("id", "in", sorted(having - matched))]
            return ["|", ("id", "not in", sorted(having)), ("id", "in", sorted(matched))]
        return [("id", "not in" if negative else "in", sorted(matched))]

    # ------------------------------------------------------------ writing
    def write(self, vals):
        result = super().write(vals)
        if self._rec_name and self._rec_name in vals:
            self._activity_rename()
        return result

    def _activity_rename(self):
        """Keep the stored record name of the activities in step with a renamed record."""
        activities = self.env["mail.activity"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", [i for i in self._ids if isinstance(i, int)])])
        activities._refresh_res_name()

    def unlink(self):
        """Delete the records and their planned activities; closed ones stay for analysis."""
        ids = [i for i in self._ids if isinstance(i, int)]
        name = self._name
        result = super().unlink()
        if ids:
            # the user was allowed to delete the records: their pending work goes with them
            self.env["mail.activity"].sudo().search(
                [("res_model", "=", name), ("res_id", "in", ids), ("state", "=", "planned")]).unlink()
        return result

    # ------------------------------------------------------------ API
    def _activity_type(self, act_type_xmlid):
        if act_type_xmlid:
            activity_type = self.env.ref(act_type_xmlid, raise_if_not_found=False)
            if activity_type is None or activity_type._name != "mail.activity.type":
                raise ValidationError(_("Unknown activity type %r: expected the external id of a "
                                        "mail.activity.type.") % act_type_xmlid)
            return activity_type
        default = self.env["mail.activity.type"].search(
            [("res_model", "=", self._name)], limit=1)
        return default or self.env.ref(DEFAULT_TYPE_XMLID, raise_if_not_found=False) \
            or self.env["mail.activity.type"]

    def activity_schedule(self, act_type_xmlid=None, date_deadline=None, summary=None, note=None,
                          user_id=None, **act_values):
        """Schedule one activity on each record; returns the new activities.

        The type is ``act_type_xmlid``, else ``activity_type_id`` among ``act_values``, else
        the model's own default type, else To-Do.  Without ``date_deadline`` the type's
        delay counts from the responsible's today; summary, note and responsible default
        to the type's."""
        if not self:
            return self.env["mail.activity"]
        base = {}
        if "activity_type_id" not in act_values or act_type_xmlid:
            activity_type = self._activity_type(act_type_xmlid)
            if activity_type:
                base["activity_type_id"] = activity_type.id
        # explicit values win over the defaults (as in Odoo), but a named type wins over both
        base = dict(act_values, **base) if act_type_xmlid else dict(base, **act_values)
        if date_deadline:
            base["date_deadline"] = date_deadline
        if summary is not None:
            base["summary"] = summary
        if note is not None:
            base["note"] = note
        if user_id:
            base["user_id"] = user_id.id if hasattr(user_id, "_ids") else user_id
        return self.env["mail.activity"].create(
            [dict(base, res_model=self._name, res_id=record.id) for record in self])

    def _activities_of_types(self, act_type_xmlids, user_id=None):
        type_ids = []
        for xmlid in act_type_xmlids or ():
            activity_type = self.env.ref(xmlid, raise_if_not_found=False)
            if activity_type is not None:
                type_ids.append(activity_type.id)
        if not type_ids or not self:
            return self.env["mail.activity"]
        domain = [("res_model", "=", self._name), ("res_id", "in", self.ids), ("state", "=", "planned"),
                  ("activity_type_id", "in", type_ids)]
        if user_id:
            domain.append(("user_id", "=", user_id.id if hasattr(user_id, "_ids") else user_id))
        return self.env["mail.activity"].search(domain)

    def activity_feedback(self, act_type_xmlids, user_id=None, feedback=None):
        """Mark done the planned activities of these types on the records (Odoo's API)."""
        activities = self._activities_of_types(act_type_xmlids, user_id)
        if activities:
            activities.action_done(feedback=feedback)
        return True

    def activity_unlink(self, act_type_xmlids, user_id=None):
        """Cancel the planned activities of these types on the records."""
        activities = self._activities_of_types(act_type_xmlids, user_id)
        if activities:
            activities.action_cancel()
        return True


def _code(deadline, today):
    return 0 if deadline < today else 1 if deadline == today else 2
