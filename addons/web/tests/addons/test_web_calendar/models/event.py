"""The event of the calendar view's tests: a start and a stop (or a duration), all-day or
timed, an organiser and a customer to colour by, and a lock that forbids moving it."""
from core import api, fields, models
from core.exceptions import UserError, ValidationError


class Event(models.Model):
    _name = "test.cal.event"
    _description = "Test Event"
    _order = "start, id"

    name = fields.Char(string="Subject", required=True)
    start = fields.Datetime(required=True)
    stop = fields.Datetime(string="End")
    allday = fields.Boolean(string="All Day")
    duration = fields.Float(string="Duration (hours)", digits=(16, 2))
    user_id = fields.Many2one("res.users", string="Organiser", default=lambda self: self.env.user)
    partner_id = fields.Many2one("res.partner", string="Customer")
    kind = fields.Selection([("meeting", "Meeting"), ("call", "Call"), ("trip", "Trip")], default="meeting")
    locked = fields.Boolean(help="A locked event keeps its dates")

    @api.constrains("start", "stop")
    def _check_dates(self):
        for event in self:
            if event.stop and event.stop < event.start:
                raise ValidationError(f"End: “{event.name}” cannot end before it starts.")

    def write(self, vals):
        if {"start", "stop", "duration"} & set(vals) and any(event.locked for event in self):
            raise UserError("This event is locked: its dates cannot change.")
        return super().write(vals)
