"""The task of the calendar view's tests: dates without a time (a first and a last day)."""
from core import fields, models


class Task(models.Model):
    _name = "test.cal.task"
    _description = "Test Task"
    _order = "date, id"

    name = fields.Char(required=True)
    date = fields.Date(required=True)
    date_end = fields.Date(string="Last Day")
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0")
