"""Scheduled actions: what to call, on which model, how often.

This module holds the definitions and the running of one job (``_run_job``): call
the method, then move ``nextcall`` forward.  The scheduler (``core/cron.py``) finds
the due jobs with ``_due_jobs``, claims each so that only one worker runs it (the
``lock_*`` columns are its lease on SQLite), and calls ``_run_job`` in a transaction
of its own.

What a job calls is given either as ``function`` (a method name of ``model_name``,
with optional literal ``args``) or as ``code`` in the form Odoo's data files use,
``model.method(arguments)``: one call per line, arguments being Python literals.
Code is parsed, never executed as Python, so a cron record cannot run anything
but public or private methods of its model.
"""
import ast
import calendar
import logging
import traceback
from datetime import timedelta

from core import _, api, fields, models
from core.api import SUPERUSER_ID
from core.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

INTERVAL_TYPES = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
]


def add_interval(moment, interval_type, interval_number):
    """``moment`` plus ``interval_number`` units; months keep the day, clamped to the month's end."""
    if interval_type == "months":
        month_index = moment.month - 1 + interval_number
        year, month = moment.year + month_index // 12, month_index % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    if interval_type not in ("minutes", "hours", "days", "weeks"):
        raise ValueError(f"unknown interval type {interval_type!r}: expected one of "
                         f"{', '.join(k for k, _label in INTERVAL_TYPES)}")
    return moment + timedelta(**{interval_type: interval_number})


def parse_code(code):
    """``"model.a(1)\\nmodel.b(x=2)"`` -> ``[("a", (1,), {}), ("b", (), {"x": 2})]``; ValueError otherwise."""
    try:
        tree = ast.parse(code or "", mode="exec")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse the code: {exc.msg} (line {exc.lineno})") from None
    calls = []
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "model"):
            raise ValueError(f"line {statement.lineno}: only calls 'model.method(literal arguments)' "
                             f"are allowed, got {ast.unparse(statement)!r}")
        try:
            args = tuple(ast.literal_eval(arg) for arg in call.args)
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
        except ValueError:
            raise ValueError(f"line {statement.lineno}: arguments must be Python literals, got "
                             f"{ast.unparse(call)!r}") from None
        if any(kw.arg is None for kw in call.keywords):
            raise ValueError(f"line {statement.lineno}: '**' arguments are not allowed")
        calls.append((call.func.attr, args, kwargs))
    return calls


class IrCron(models.Model):
    _name = "ir.cron"
    _description = "Scheduled Actions"
    _order = "priority, name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one("res.users", string="Scheduler User", ondelete="restrict",
                              default=lambda self: self.env.uid,
                              help="The job runs as this user (the superuser when empty)")
    model_id = fields.Many2one("ir.model", string="Model", ondelete="cascade")
    model_name = fields.Char(string="Model Name", compute="_compute_model_name", store=True,
                             readonly=False, help="Technical name of the model, e.g. res.partner")
    function = fields.Char(string="Method", help="Name of the method to call on the model")
    args = fields.Text(string="Arguments", help="A Python literal tuple of arguments, e.g. (10, 'x')")
    code = fields.Text(help="Calls of the form model.method(literal arguments), one per line")
    interval_number = fields.Integer(default=1, required=True, help="Repeat every x units")
    interval_type = fields.Selection(INTERVAL_TYPES, string="Interval Unit", default="months",
                                     required=True)
    nextcall = fields.Datetime(string="Next Execution Date", required=True,
                               default=lambda self: fields.Datetime.now())
    lastcall = fields.Datetime(string="Last Execution Date", readonly=True)
    numbercall = fields.Integer(string="Number of Calls", default=-1,
                                help="How many times the job still runs; -1 for ever. "
                                     "The job is archived when it reaches 0.")
    priority = fields.Integer(default=5, help="Lower runs first when several jobs are due")
    failure_count = fields.Integer(readonly=True, copy=False,
                                   help="Failed runs since the last one that succeeded")
    last_failure = fields.Datetime(string="Last Failure", readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False, help="The traceback of the last failed run")
    # the scheduler's lease on SQLite (core/cron.py): who runs the job, until when at most
    lock_owner = fields.Char(readonly=True, copy=False)
    lock_until = fields.Datetime(readonly=True, copy=False)

    @api.depends("model_id")
    def _compute_model_name(self):
        for cron in self:
            if cron.model_id:
                cron.model_name = cron.model_id.model

    @api.constrains("interval_number")
    def _check_interval(self):
        for cron in self:
            if cron.interval_number <= 0:
                raise ValidationError(
                    _("The interval of scheduled action '%s' must be positive.") % cron.name)

    @api.constrains("code", "function", "args")
    def _check_callable(self):
        for cron in self:
            if not (cron.code or cron.function):
                raise ValidationError(_("Scheduled action '%s' needs code or a method to call.") % cron.name)
            try:
                cron._calls()
            except ValueError as exc:
                raise ValidationError(_("Scheduled action '%s': %s") % (cron.name, exc)) from None

    # ------------------------------------------------------------ running
    def _calls(self):
        """The calls this job makes: ``[(method name, args, kwargs)]``."""
        if self.code:
            return parse_code(self.code)
        args = ast.literal_eval(self.args) if self.args else ()
        if not isinstance(args, (tuple, list)):
            args = (args,)
        return [(self.function, tuple(args), {})]

    def _callback(self):
        """Call the job's methods as its user."""
        model_name = self.model_name or self.model_id.model
        if not model_name or model_name not in self.env:
            raise UserError(_("Scheduled action '%s' names an unknown model %r.") % (self.name, model_name))
        env = self.env(user=self.user_id.id or SUPERUSER_ID, context={"lastcall": self.lastcall})
        model = env[model_name]
        for method_name, args, kwargs in self._calls():
            method = getattr(model, method_name, None)
            if not callable(method):
                raise UserError(_("Scheduled action '%s': model %s has no method %r.")
                                % (self.name, model_name, method_name))
            method(*args, **kwargs)

    def _run_job(self, now=None):
        """Run this job once, then schedule the next call; True if the call succeeded.

        An error in the called method is logged and undone (savepoint) but does not
        stop the schedule: it is counted in ``failure_count`` and its traceback kept in
        ``last_error``.  Calls missed while the server was down are not made up:
        ``nextcall`` jumps to the first moment after ``now`` (default: the current
        time).  ``numbercall`` counts down (unless negative) and the job is archived
        when it reaches 0.
        """
        self.ensure_one()
        cron = self.sudo()
        now = now or fields.Datetime.now()
        try:
            with self.env.cr.savepoint():
                cron._callback()
        except Exception:
            _logger.exception("scheduled action %r (ir.cron %s) failed", cron.name, cron.id)
            cron._schedule_next(now, error=traceback.format_exc())
            return False
        cron._schedule_next(now)
        return True

    def _schedule_next(self, now, error=None):
        """Record a run made at ``now`` (failed with the traceback ``error`` if given) and
        move ``nextcall`` on; the scheduler also calls it for a run whose transaction failed."""
        values = {"lastcall": now, "nextcall": self._next_call(now)}
        if error:
            values.update(failure_count=self.failure_count + 1, last_failure=now, last_error=error)
        elif self.failure_count:
            values["failure_count"] = 0
        if self.numbercall > 0:
            values["numbercall"] = self.numbercall - 1
            if values["numbercall"] == 0:
                values["active"] = False
        self.write(values)

    def _next_call(self, now):
        """The first moment after ``now`` on this job's schedule."""
        nextcall = self.nextcall or now
        if nextcall <= now and self.interval_type != "months":
            # skip whole missed periods at once (a minutely job after a week of downtime)
            step = add_interval(nextcall, self.interval_type, self.interval_number) - nextcall
            nextcall += step * ((now - nextcall) // step)
        while nextcall <= now:
            nextcall = add_interval(nextcall, self.interval_type, self.interval_number)
        return nextcall

    @api.model
    def _due_jobs(self, now=None):
        """Active jobs whose time has come, in the order they should run."""
        now = now or fields.Datetime.now()
        return self.sudo().search([("active", "=", True), ("nextcall", "<=", now),
                                   ("numbercall", "!=", 0)], order="priority, nextcall, id")

    def method_direct_trigger(self):
        """Run the jobs now (the "Run Manually" button); their schedule moves on as usual."""
        self._check_access("write")
        for cron in self:
            cron._run_job()
        return True
