"""Activity types: the kinds of planned work (to-do, call, meeting, email…) with their
default summary, note, responsible and delay, which fill a new activity of the type."""
from datetime import timedelta

from core import _, api, fields, models
from core.exceptions import ValidationError

DELAY_UNITS = [("days", "days"), ("weeks", "weeks"), ("months", "months")]


def add_delay(start, count, unit):
    """``start`` (a date) plus ``count`` days, weeks or months; a month keeps its day,
    clamped to the last day of the target month (31 January + 1 month = 28/29 February)."""
    if unit == "days":
        return start + timedelta(days=count)
    if unit == "weeks":
        return start + timedelta(weeks=count)
    if unit == "months":
        import calendar
        index = start.month - 1 + count
        year, month = start.year + index // 12, index % 12 + 1
        return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))
    raise ValueError(f"unknown delay unit {unit!r}: expected one of days, weeks, months")


class MailActivityType(models.Model):
    _name = "mail.activity.type"
    _description = "Activity Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    summary = fields.Char(string="Default Summary", translate=True)
    default_note = fields.Html(string="Default Note", translate=True)
    default_user_id = fields.Many2one("res.users", string="Default User", ondelete="set null",
                                      help="Responsible of new activities of this type, "
                                           "instead of the user who schedules them")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    category = fields.Selection([("default", "None"), ("phonecall", "Phonecall"),
                                 ("meeting", "Meeting"), ("upload_file", "Upload Document")],
                                default="default", string="Action",
                                help="What marking an activity of this type does beyond closing it")
    icon = fields.Char(help="A Font Awesome icon name, e.g. fa-phone")
    decoration_type = fields.Selection([("warning", "Alert"), ("danger", "Error")],
                                       string="Decoration Type")
    delay_count = fields.Integer(string="Schedule", default=0,
                                 help="Number of days/weeks/months before the activity is due")
    delay_unit = fields.Selection(DELAY_UNITS, string="Delay units", default="days", required=True)
    delay_from = fields.Selection([("current_date", "after the scheduling date"),
                                   ("previous_activity", "after the previous activity's deadline")],
                                  string="Delay Type", default="current_date", required=True)
    res_model = fields.Char(string="Model", index=True,
                            help="The model this type is for; empty: every model")
    chaining_type = fields.Selection([("suggest", "Suggest Next Activity"),
                                      ("trigger", "Trigger Next Activity")],
                                     default="suggest", string="Chaining Type", required=True)
    triggered_next_type_id = fields.Many2one("mail.activity.type", string="Next Activity",
                                             ondelete="set null",
                                             help="Scheduled automatically when an activity of "
                                                  "this type is done (chaining type: trigger)")

    @api.constrains("delay_count")
    def _check_delay_count(self):
        for activity_type in self:
            if activity_type.delay_count < 0:
                raise ValidationError(_("The delay of the activity type “%s” cannot be negative.")
                                      % activity_type.name)

    @api.constrains("res_model")
    def _check_res_model(self):
        for activity_type in self:
            if activity_type.res_model and activity_type.res_model not in self.env:
                raise ValidationError(_("The activity type “%(type)s” names an unknown model %(model)r.")
                                      % {"type": activity_type.name, "model": activity_type.res_model})

    def _deadline_from(self, start):
        """The default deadline of an activity of this type scheduled on ``start``."""
        self.ensure_one()
        return add_delay(start, self.delay_count or 0, self.delay_unit or "days")
