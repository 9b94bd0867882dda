"""Currencies, their exchange rates, and the one rounding rule for money.

Every amount of money is rounded by :meth:`Currency.round` (and compared by
:meth:`Currency.compare_amounts` / :meth:`Currency.is_zero`, which round first), so
an invoice line, a tax and a payment agree to the cent.  Rounding is half away from
zero to a multiple of the currency's ``rounding`` (0.01, 1, 0.001, or 0.05 for cash
currencies), through :func:`core.fields.float_round`, which absorbs the binary noise of
floats (2.675 is stored as 2.67499999…, and still rounds to 2.68).

A rate says how many units of the currency buy one unit of the reference currency
(the one whose rate is 1, usually the company's).  Converting an amount uses, for each
currency, the latest rate on or before the date; a company's own rate wins over a
shared one (no company) of the same day.
"""
import math
import re

from core import api, fields, models
from core.exceptions import ValidationError
from core.fields import float_round

from .res_company import current_company


def decimal_places(rounding):
    """Decimals an amount shows for a rounding factor: 0.01 -> 2, 0.05 -> 2, 1 -> 0."""
    if not rounding or rounding >= 1:
        return 0
    # the tolerance keeps 10 ** -n (inexact in binary) from gaining a decimal
    return max(0, math.ceil(-math.log10(rounding) - 1e-9))


def round_amount(amount, rounding):
    """``amount`` rounded half away from zero to a multiple of ``rounding``."""
    if not amount:
        return 0.0
    places = decimal_places(rounding)
    if math.isclose(rounding, 10 ** -places, rel_tol=1e-9):
        return float_round(amount, places)
    # 0.05 or 10: count the steps, then show the result with the currency's decimals
    return float_round(float_round(amount / rounding, 0) * rounding, places)


class Currency(models.Model):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"
    _rec_names_search = ["name", "full_name"]

    name = fields.Char(string="Currency", size=3, required=True, help="ISO 4217 code: EUR, USD…")
    full_name = fields.Char(string="Name", help="The currency's name: Euro, US Dollar…")
    symbol = fields.Char(required=True, help="Shown next to amounts: €, $…")
    iso_numeric = fields.Integer(string="ISO Numeric Code")
    rounding = fields.Float(string="Rounding Factor", digits=(12, 6), default=0.01,
                            help="Amounts are multiples of this: 0.01 for cents, 1 for yen")
    decimal_places = fields.Integer(compute="_compute_decimal_places", store=True)
    active = fields.Boolean(default=True)
    position = fields.Selection([("after", "After Amount"), ("before", "Before Amount")],
                                string="Symbol Position", default="after")
    rate_ids = fields.One2many("res.currency.rate", "currency_id", string="Rates")
    rate = fields.Float(string="Current Rate", compute="_compute_current_rate",
                        depends_context=("company", "date"),
                        help="Units of this currency for one unit of the company's reference "
                             "currency, at the context's date (today without one)")
    inverse_rate = fields.Float(compute="_compute_current_rate", depends_context=("company", "date"))
    date = fields.Date(string="Last Rate Date", compute="_compute_date")

    _sql_constraints = [
        ("unique_name", "unique(name)", "The currency code must be unique!"),
        ("rounding_gt_zero", "check(rounding > 0)", "The rounding factor must be greater than 0!"),
    ]

    # ------------------------------------------------------------ money arithmetic
    def round(self, amount):
        """``amount`` rounded to this currency (the one rounding used for money)."""
        self.ensure_one()
        return round_amount(amount, self.rounding)

    def is_zero(self, amount):
        """True when ``amount`` rounds to zero in this currency."""
        self.ensure_one()
        return self.round(amount) == 0.0

    def compare_amounts(self, amount1, amount2):
        """-1, 0 or 1 as ``amount1`` is below, equal to or above ``amount2``, once both
        are rounded to this currency: 10.004 and 10.0 are equal in EUR."""
        self.ensure_one()
        delta = self.round(amount1) - self.round(amount2)
        if self.is_zero(delta):
            return 0
        return -1 if delta < 0 else 1

    # ------------------------------------------------------------ rates
    def _get_rates(self, company=None, date=None):
        """``{currency id: rate}`` at ``date`` for ``company`` (1.0 without any rate).

        The latest rate on or before the date counts; a company's own rate wins over a
        shared one of the same day.  Before the first rate, the first rate applies.
        """
        company = (company or current_company(self.env))
        company = company.root_id if company else company
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        Rate = self.env["res.currency.rate"].sudo()
        companies = [company.id, False] if company else [False]
        rates = {}
        for currency in self:
            # a draft (a form's new record, an onchange) has the rates of its original
            currency_id = currency.id if isinstance(currency.id, int) else getattr(currency.id, "origin", None)
            if not currency_id:
                rates[currency.id] = 1.0
                continue
            domain = [("currency_id", "=", currency_id), ("company_id", "in", companies)]
            found = Rate.search(domain + [("name", "<=", date)], order="name desc, id desc", limit=2)
            if len(found) == 2 and found[0].name == found[1].name:
                found = found.filtered(lambda r: r.company_id) or found
            if not found:
                found = Rate.search(domain, order="name asc", limit=1)
            rates[currency.id] = found[:1].rate if found else 1.0
        return rates

    @api.model
    def _get_conversion_rate(self, from_currency, to_currency, company=None, date=None):
        """How many ``to_currency`` one ``from_currency`` buys at ``date``."""
        if from_currency == to_currency:
            return 1.0
        rates = (from_currency | to_currency)._get_rates(company, date)
        return rates[to_currency.id] / rates[from_currency.id]

    def _convert(self, from_amount, to_currency, company=None, date=None, round=True):
        """``from_amount`` in this currency, converted to ``to_currency`` at the rates of
        ``company`` on ``date`` (default: the current company, today) and rounded to
        ``to_currency`` unless ``round`` is False."""
        self, to_currency = self or to_currency, to_currency or self
        if not self or not to_currency:
            raise ValueError("_convert needs a currency to convert from and one to convert to")
        self.ensure_one()
        to_currency.ensure_one()
        if not from_amount:
            return 0.0
        amount = from_amount * self._get_conversion_rate(self, to_currency, company, date)
        return to_currency.round(amount) if round else amount

    @api.depends("rounding")
    def _compute_decimal_places(self):
        for currency in self:
            currency.decimal_places = decimal_places(currency.rounding)

    @api.depends("rate_ids.rate")
    def _compute_current_rate(self):
        # the cache does not yet tell contexts apart: _convert and _get_rates never read this
        rates = self._get_rates(current_company(self.env), self.env.context.get("date"))
        for currency in self:
            currency.rate = rates.get(currency.id) or 1.0
            currency.inverse_rate = 1.0 / currency.rate

    @api.depends("rate_ids.name")
    def _compute_date(self):
        for currency in self:
            currency.date = currency.rate_ids[:1].name

    # ------------------------------------------------------------ checks
    @api.constrains("name")
    def _check_name(self):
        for currency in self:
            if not re.fullmatch(r"[A-Z]{3}", currency.name or ""):
                raise ValidationError(
                    f"The currency code {currency.name!r} is not an ISO 4217 code: "
                    f"three capital letters such as EUR or USD were expected.")

    @api.constrains("active")
    def _check_company_currency_stays_active(self):
        inactive = self.filtered(lambda c: not c.active)
        if inactive and "res.company" in self.env:
            used = self.env["res.company"].sudo().search([("currency_id", "in", inactive.ids)])
            if used:
                raise ValidationError(
                    f"The currency {used[0].currency_id.name} is the currency of the company "
                    f"{used[0].name!r} and cannot be archived.")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if isinstance(vals.get("name"), str):
                vals["name"] = vals["name"].upper()
        return super().create(vals_list)

    def write(self, vals):
        if isinstance(vals.get("name"), str):
            vals = dict(vals, name=vals["name"].upper())
        return super().write(vals)


class CurrencyRate(models.Model):
    _name = "res.currency.rate"
    _description = "Currency Rate"
    _order = "name desc, id desc"

    name = fields.Date(string="Date", required=True, index=True,
                       default=lambda self: fields.Date.context_today(self))
    rate = fields.Float(default=1.0, help="Units of the currency for one unit of the reference "
                                          "currency (the one whose rate is 1)")
    inverse_rate = fields.Float(compute="_compute_inverse_rate", inverse="_inverse_inverse_rate",
                                help="Units of the reference currency for one unit of the currency")
    currency_id = fields.Many2one("res.currency", string="Currency", required=True,
                                  ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", string="Company",
                                 default=lambda self: current_company(self.env))

    _sql_constraints = [
        ("unique_name_per_day", "unique(name, currency_id, company_id)",
         "Only one currency rate per day allowed!"),
        ("currency_rate_check", "check(rate > 0)", "The currency rate must be strictly positive."),
    ]

    @api.depends("rate")
    def _compute_inverse_rate(self):
        for rate in self:
            rate.inverse_rate = 1.0 / rate.rate if rate.rate else 0.0

    def _inverse_inverse_rate(self):
        for rate in self:
            if not rate.inverse_rate:
                raise ValidationError("The inverse rate of a currency must be strictly positive.")
            rate.rate = 1.0 / rate.inverse_rate
