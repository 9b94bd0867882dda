"""Numbering sequences: ``env["ir.sequence"].next_by_code("sale.order")`` -> ``"SO/2024/00042"``.

A sequence has a prefix and a suffix (with ``%(year)s``, ``%(month)s``, ``%(day)s``,
``%(y)s``… taken from the sequence date, ``%(range_year)s``… from the start of the
date range, ``%(current_year)s``… from now), a padding and an increment.  With
``use_date_range`` the numbers live in one sub-sequence per period
(``ir.sequence.date_range``), created on demand for the calendar year of the
sequence date: numbering starts again at 1 every year.

Two implementations, as in Odoo:

``no_gap``
    The number is the ``number_next`` column of the row, read under a row lock
    (``SELECT ... FOR UPDATE``) and increased in the same transaction.  A rolled-back
    transaction gives its number back, so numbers are contiguous; concurrent
    transactions queue on the lock.  On PostgreSQL (REPEATABLE READ) a transaction
    that waited for another one's commit fails with a serialization error and is
    retried by the request boundary (``Registry.run``); on SQLite the database write
    lock serialises them the same way ("database is locked", retried too).
``standard``
    On PostgreSQL a real database sequence ``ir_sequence_<id>`` (``_<range id>`` for
    date ranges): ``nextval`` never waits nor conflicts, and numbers taken by a
    transaction that rolls back are lost (gaps).  ``number_next`` then only holds
    the starting point; ``number_next_actual`` reads the database sequence.  On
    SQLite, which has no sequences, standard sequences use the row lock as well.
"""
import logging
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from core import _, api, fields, models
from core.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

#: interpolation keys of prefix and suffix -> strftime format
_DATE_KEYS = {
    "year": "%Y", "month": "%m", "day": "%d", "y": "%y", "doy": "%j", "woy": "%W",
    "weekday": "%w", "h24": "%H", "h12": "%I", "min": "%M", "sec": "%S",
}


def _current_company_id(env):
    """The company of the environment (``allowed_company_ids`` first, then the user's)."""
    ids = env.context.get("allowed_company_ids")
    if ids:
        return ids[0]
    user = env["res.users"].sudo().browse(env.uid).exists()
    return user.company_id.id if user else False


def _db_sequence_name(sequence_id, range_id=None):
    return f"ir_sequence_{sequence_id:03d}" if range_id is None \
        else f"ir_sequence_{sequence_id:03d}_{range_id:03d}"


# Database sequences are not models: these helpers are the one place that handles
# them, through SQLAlchemy's sequence constructs (names are built from integer ids).
def _create_db_sequence(cr, name, number_next, increment):
    bounds = {"minvalue": min(number_next, 1)} if increment > 0 else {"maxvalue": max(number_next, -1)}
    cr.execute(sa.schema.CreateSequence(
        sa.Sequence(name, start=number_next, increment=increment, **bounds), if_not_exists=True))


def _drop_db_sequence(cr, name):
    cr.execute(sa.schema.DropSequence(sa.Sequence(name), if_exists=True))


def _alter_db_sequence(cr, name, number_next=None, increment=None):
    # ALTER SEQUENCE has no SQLAlchemy construct; every value is an integer
    clauses = []
    if increment is not None:
        clauses.append(f"INCREMENT BY {int(increment)}")
    if number_next is not None:
        number_next = int(number_next)
        clauses.append(f"MINVALUE {min(number_next, 1)}" if (increment or 1) > 0
                       else f"MAXVALUE {max(number_next, -1)}")
        clauses.append(f"RESTART WITH {number_next}")
    if clauses:
        cr.execute(sa.text(f"ALTER SEQUENCE {name} {' '.join(clauses)}"))


def _db_sequence_next_actual(cr, name, increment):
    """The number ``nextval`` will return next, read without consuming it."""
    row = cr.execute(sa.select(sa.column("last_value"), sa.column("is_called"))
                     .select_from(sa.table(name))).one()
    return row.last_value + increment if row.is_called else row.last_value


def _next_locked(records, increment):
    """The row's ``number_next``, increased under a row lock in this transaction (gap-free).

    Plain SQL rather than ``read`` + ``write``: the ORM neither locks rows nor
    increments a column in place.
    """
    table = records._sql_table
    cr = records.env.cr
    number = cr.execute(sa.select(table.c.number_next).where(table.c.id == records.id)
                        .with_for_update()).scalar_one()
    cr.execute(sa.update(table).where(table.c.id == records.id)
               .values(number_next=table.c.number_next + increment))
    records.invalidate_recordset(["number_next", "number_next_actual"])
    return number


class IrSequence(models.Model):
    _name = "ir.sequence"
    _description = "Sequence"
    _order = "name"

    name = fields.Char(required=True)
    code = fields.Char(string="Sequence Code", index=True)
    implementation = fields.Selection(
        [("standard", "Standard"), ("no_gap", "No gap")], required=True, default="standard",
        help="No gap: numbers are given under a row lock and come back when a transaction "
             "rolls back, so there is never a hole; concurrent transactions wait for each "
             "other. Standard: faster, but a rolled-back transaction leaves a gap.")
    active = fields.Boolean(default=True)
    prefix = fields.Char(help="Prefix of the number; may hold %(year)s, %(month)s, %(day)s, %(y)s…")
    suffix = fields.Char(help="Suffix of the number; the same interpolation as the prefix")
    number_next = fields.Integer(string="Next Number", required=True, default=1)
    number_next_actual = fields.Integer(
        string="Actual Next Number", compute="_compute_number_next_actual",
        inverse="_inverse_number_next_actual",
        help="The number the next call will give (standard sequences on PostgreSQL keep it "
             "in a database sequence)")
    number_increment = fields.Integer(string="Step", required=True, default=1)
    padding = fields.Integer(string="Sequence Size", required=True, default=0,
                             help="The number is left-padded with zeros to this many digits")
    company_id = fields.Many2one("res.company", string="Company",
                                 default=lambda self: _current_company_id(self.env))
    use_date_range = fields.Boolean(string="Use subsequences per date range")
    date_range_ids = fields.One2many("ir.sequence.date_range", "sequence_id", string="Subsequences")

    # ------------------------------------------------------------ constraints
    @api.constrains("number_increment", "padding")
    def _check_numbers(self):
        for seq in self:
            if not seq.number_increment:
                raise ValidationError(_("The step of sequence '%s' must not be zero.") % seq.name)
            if seq.padding < 0:
                raise ValidationError(_("The size of sequence '%s' must not be negative.") % seq.name)

    # ------------------------------------------------------------ database sequences
    def _uses_db_sequence(self):
        return self.implementation == "standard" and self.env.cr.dialect == "postgresql"

    def init(self):
        """Recreate missing database sequences (records created by other means than create)."""
        if self.env.cr.dialect != "postgresql":
            return
        for seq in self.sudo().with_context(active_test=False).search([("implementation", "=", "standard")]):
            _create_db_sequence(self.env.cr, _db_sequence_name(seq.id), seq.number_next, seq.number_increment)
            for sub in seq.date_range_ids:
                _create_db_sequence(self.env.cr, _db_sequence_name(seq.id, sub.id),
                                    sub.number_next, seq.number_increment)

    @api.depends("number_next", "number_increment", "implementation")
    def _compute_number_next_actual(self):
        for seq in self:
            if seq.id and seq._uses_db_sequence():
                seq.number_next_actual = _db_sequence_next_actual(
                    self.env.cr, _db_sequence_name(seq.id), seq.number_increment)
            else:
                seq.number_next_actual = seq.number_next

    def _inverse_number_next_actual(self):
        for seq in self:
            seq.write({"number_next": seq.number_next_actual or 1})

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        seqs = super().create(vals_list)
        for seq in seqs:
            if seq._uses_db_sequence():
                _create_db_sequence(self.env.cr, _db_sequence_name(seq.id), seq.number_next,
                                    seq.number_increment)
        return seqs

    def write(self, vals):
        if self.env.cr.dialect != "postgresql" or not (
                {"implementation", "number_next", "number_increment"} & set(vals)):
            return super().write(vals)
        before = {seq.id: (seq.implementation, seq.number_next_actual) for seq in self}
        result = super().write(vals)
        cr = self.env.cr
        for seq in self:
            was, actual = before[seq.id]
            name = _db_sequence_name(seq.id)
            if was == "standard" and seq.implementation == "standard":
                _alter_db_sequence(cr, name,
                                   number_next=vals.get("number_next"),
                                   increment=vals.get("number_increment"))
                if "number_increment" in vals:
                    for sub in seq.date_range_ids:
                        _alter_db_sequence(cr, _db_sequence_name(seq.id, sub.id),
                                           increment=vals["number_increment"])
            elif was == "standard":
                # leaving the database sequence: carry on from where it was
                if "number_next" not in vals:
                    super(IrSequence, seq).write({"number_next": actual})
                for sub in seq.date_range_ids:
                    sub_actual = _db_sequence_next_actual(
                        cr, _db_sequence_name(seq.id, sub.id), seq.number_increment)
                    sub.write({"number_next": sub_actual})
                    _drop_db_sequence(cr, _db_sequence_name(seq.id, sub.id))
                _drop_db_sequence(cr, name)
            elif seq.implementation == "standard":
                _create_db_sequence(cr, name, seq.number_next, seq.number_increment)
                for sub in seq.date_range_ids:
                    _create_db_sequence(cr, _db_sequence_name(seq.id, sub.id), sub.number_next,
                                        seq.number_increment)
        return result

    def unlink(self):
        self._check_access("unlink")
        # their database sequences go with them (ON DELETE CASCADE would skip this)
        self.sudo().with_context(active_test=False).mapped("date_range_ids").unlink()
        ids = list(self._ids)
        result = super().unlink()
        if self.env.cr.dialect == "postgresql":
            for sid in ids:
                _drop_db_sequence(self.env.cr, _db_sequence_name(sid))
        return result

    # ------------------------------------------------------------ numbers
    def _interpolation(self, sequence_date=None, range_date=None):
        tz_name = self.env.context.get("tz") or "UTC"
        try:
            from zoneinfo import ZoneInfo
            now = datetime.now(ZoneInfo(tz_name))
        except (ValueError, KeyError, ImportError, OSError):
            now = datetime.now(timezone.utc)
        effective = sequence_date or self.env.context.get("ir_sequence_date")
        effective = fields.Datetime.to_datetime(effective) if effective else now
        in_range = range_date or self.env.context.get("ir_sequence_date_range")
        in_range = fields.Datetime.to_datetime(in_range) if in_range else effective
        values = {}
        for key, fmt in _DATE_KEYS.items():
            values[key] = effective.strftime(fmt)
            values["range_" + key] = in_range.strftime(fmt)
            values["current_" + key] = now.strftime(fmt)
        return values

    def _get_prefix_suffix(self, sequence_date=None, range_date=None):
        values = self._interpolation(sequence_date, range_date)
        try:
            return ((self.prefix or "") % values, (self.suffix or "") % values)
        except (KeyError, ValueError, TypeError):
            raise UserError(_("Invalid prefix or suffix for sequence '%s': use %%(year)s, "
                              "%%(month)s, %%(day)s, %%(y)s and the like.") % self.name) from None

    def get_next_char(self, number_next):
        """The formatted number: prefix, ``number_next`` padded, suffix."""
        prefix, suffix = self._get_prefix_suffix()
        return f"{prefix}{'%0*d' % (self.padding, number_next)}{suffix}"

    def _next_do(self):
        if self._uses_db_sequence():
            number = self.env.cr.execute(
                sa.select(sa.Sequence(_db_sequence_name(self.id)).next_value())).scalar_one()
            self.invalidate_recordset(["number_next_actual"])
        else:
            number = _next_locked(self, self.number_increment)
        return self.get_next_char(number)

    def _next(self, sequence_date=None):
        """The next number of this sequence, in its date range for ``sequence_date``."""
        self.ensure_one()
        seq = self.with_context(ir_sequence_date=sequence_date) if sequence_date else self
        if not self.use_date_range:
            return seq._next_do()
        day = fields.Date.to_date(sequence_date or self.env.context.get("ir_sequence_date")) \
            or fields.Date.context_today(self)
        ranges = seq.env["ir.sequence.date_range"].sudo()
        sub = ranges.search([("sequence_id", "=", self.id), ("date_from", "<=", day),
                             ("date_to", ">=", day)], limit=1)
        if not sub:
            sub = seq._create_date_range_seq(day)
        return sub.with_context(ir_sequence_date_range=sub.date_from)._next()

    def _create_date_range_seq(self, day):
        """A sub-sequence for the calendar year of ``day``, not overlapping the others."""
        # Lock this sequence's row first: two transactions creating the same period
        # then conflict on it (retryable) instead of on the unique constraint.
        table = self._sql_table
        self.env.cr.execute(sa.update(table).where(table.c.id == self.id)
                            .values(write_date=fields.Datetime.now()))
        self.invalidate_recordset(["write_date"])
        ranges = self.env["ir.sequence.date_range"].sudo()
        date_from, date_to = date(day.year, 1, 1), date(day.year, 12, 31)
        later = ranges.search([("sequence_id", "=", self.id), ("date_from", ">=", day),
                               ("date_from", "<=", date_to)], order="date_from", limit=1)
        if later:
            date_to = later.date_from - timedelta(days=1)
        earlier = ranges.search([("sequence_id", "=", self.id), ("date_to", "<=", day),
                                 ("date_to", ">=", date_from)], order="date_to desc", limit=1)
        if earlier:
            date_from = earlier.date_to + timedelta(days=1)
        return ranges.create({"sequence_id": self.id, "date_from": date_from, "date_to": date_to})

    def next_by_id(self, sequence_date=None):
        """The next number of this sequence (``sequence_date`` picks the date range)."""
        self.ensure_one()
        self._check_access("read")
        return self.sudo()._next(sequence_date)

    @api.model
    def next_by_code(self, sequence_code, sequence_date=None):
        """The next number of the sequence with code ``sequence_code``; False if none.

        The sequence of the current company wins over one shared by all companies.
        """
        self._check_access("read")
        company_id = _current_company_id(self.env)
        domain = [("code", "=", sequence_code)]
        domain += ["|", ("company_id", "=", company_id), ("company_id", "=", False)] if company_id \
            else [("company_id", "=", False)]
        seqs = self.sudo().search(domain)
        if not seqs:
            _logger.debug("no ir.sequence has the code %r (company %s)", sequence_code, company_id)
            return False
        seq = next((s for s in seqs if s.company_id.id == company_id), seqs[0])
        return seq._next(sequence_date)


class IrSequenceDateRange(models.Model):
    _name = "ir.sequence.date_range"
    _description = "Sequence Date Range"
    _rec_name = "sequence_id"
    _order = "sequence_id, date_from"

    sequence_id = fields.Many2one("ir.sequence", string="Main Sequence", required=True,
                                  ondelete="cascade", index=True)
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    number_next = fields.Integer(string="Next Number", required=True, default=1)
    number_next_actual = fields.Integer(
        string="Actual Next Number", compute="_compute_number_next_actual",
        inverse="_inverse_number_next_actual")

    _sql_constraints = [("sequence_period_uniq", "unique(sequence_id, date_from)",
                         "A sequence has one sub-sequence per period.")]

    def _compute_display_name(self):
        for sub in self:
            sub.display_name = f"{sub.sequence_id.name} ({sub.date_from} – {sub.date_to})"

    def _uses_db_sequence(self):
        return self.sequence_id._uses_db_sequence()

    @api.depends("number_next", "sequence_id.implementation", "sequence_id.number_increment")
    def _compute_number_next_actual(self):
        for sub in self:
            if sub.id and sub._uses_db_sequence():
                sub.number_next_actual = _db_sequence_next_actual(
                    self.env.cr, _db_sequence_name(sub.sequence_id.id, sub.id),
                    sub.sequence_id.number_increment)
            else:
                sub.number_next_actual = sub.number_next

    def _inverse_number_next_actual(self):
        for sub in self:
            sub.write({"number_next": sub.number_next_actual or 1})

    @api.model_create_multi
    def create(self, vals_list):
        subs = super().create(vals_list)
        for sub in subs:
            if sub._uses_db_sequence():
                _create_db_sequence(self.env.cr, _db_sequence_name(sub.sequence_id.id, sub.id),
                                    sub.number_next, sub.sequence_id.number_increment)
        return subs

    def write(self, vals):
        result = super().write(vals)
        if "number_next" in vals:
            for sub in self:
                if sub._uses_db_sequence():
                    _alter_db_sequence(self.env.cr, _db_sequence_name(sub.sequence_id.id, sub.id),
                                       number_next=vals["number_next"])
        return result

    def unlink(self):
        names = [_db_sequence_name(sub.sequence_id.id, sub.id) for sub in self.sudo()]
        result = super().unlink()
        if self.env.cr.dialect == "postgresql":
            for name in names:
                _drop_db_sequence(self.env.cr, name)
        return result

    def _next(self):
        seq = self.sequence_id
        if self._uses_db_sequence():
            number = self.env.cr.execute(sa.select(
                sa.Sequence(_db_sequence_name(seq.id, self.id)).next_value())).scalar_one()
            self.invalidate_recordset(["number_next_actual"])
        else:
            number = _next_locked(self, seq.number_increment)
        return seq.get_next_char(number)
