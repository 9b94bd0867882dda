"""Currencies: the one rounding rule for money (a test grid), rates and conversion, seed data."""
import pytest

from addons.base.models.res_currency import decimal_places, round_amount
from core.exceptions import ValidationError


@pytest.fixture
def env(installed_env):
    return installed_env


# ------------------------------------------------------------------ rounding grid
# (rounding factor, amount, rounded): half away from zero, exact decimals, no binary noise
ROUNDING_GRID = [
    # cents (EUR, USD…)
    (0.01, 2.675, 2.68),           # stored as 2.67499999…
    (0.01, -2.675, -2.68),
    (0.01, 1.005, 1.01),           # stored as 1.00499999…
    (0.01, 1.015, 1.02),
    (0.01, 0.125, 0.13),
    (0.01, 0.565, 0.57),           # 57 * 0.01 would be 0.5700000000000001
    (0.01, 0.124999, 0.12),
    (0.01, 0.0049, 0.0),
    (0.01, -0.0049, 0.0),          # never -0.0
    (0.01, -0.005, -0.01),
    (0.01, 0.1 + 0.2, 0.3),
    (0.01, 1234567.895, 1234567.9),
    (0.01, 19.99 * 3, 59.97),
    (0.01, 0.0, 0.0),
    # whole units (JPY, KRW)
    (1.0, 2.5, 3.0),
    (1.0, -2.5, -3.0),
    (1.0, 0.5, 1.0),
    (1.0, 99.5, 100.0),
    (1.0, 1234.4999, 1234.0),
    # mils (BHD, KWD)
    (0.001, 1.0005, 1.001),
    (0.001, -1.0005, -1.001),
    (0.001, 2.0004, 2.0),
    # cash rounding to 5 cents
    (0.05, 1.025, 1.05),
    (0.05, 1.024, 1.0),
    (0.05, 1.075, 1.1),
    (0.05, 0.024, 0.0),
    (0.05, 0.025, 0.05),
    (0.05, -0.025, -0.05),
    (0.05, 12.34, 12.35),
    (0.05, 0.57, 0.55),
    # tens
    (10.0, 15.0, 20.0),
    (10.0, 14.99, 10.0),
]


@pytest.mark.parametrize("rounding, amount, expected", ROUNDING_GRID)
def test_round_amount_grid(rounding, amount, expected):
    result = round_amount(amount, rounding)
    assert result == expected
    assert repr(result) == repr(float(expected))     # the same float, not 0.5700000000000001


@pytest.mark.parametrize("rounding, places", [
    (0.01, 2), (1.0, 0), (0.001, 3), (0.05, 2), (0.1, 1), (0.5, 1), (0.000001, 6), (10.0, 0),
])
def test_decimal_places(rounding, places):
    assert decimal_places(rounding) == places


def test_currency_methods_follow_the_grid(env):
    """res.currency.round is the grid's function, for every rounding the seed data uses."""
    currencies = {
        0.01: env.ref("base.EUR"), 1.0: env.ref("base.JPY"), 0.001: env.ref("base.BHD"),
        0.05: env["res.currency"].create({"name": "XTS", "symbol": "¤", "rounding": 0.05}),
    }
    for rounding, amount, expected in ROUNDING_GRID:
        if rounding in currencies:
            assert currencies[rounding].round(amount) == expected, (rounding, amount)
    assert [currencies[r].decimal_places for r in (0.01, 1.0, 0.001, 0.05)] == [2, 0, 3, 2]


IS_ZERO_GRID = [
    ("EUR", 0.004, True), ("EUR", -0.004, True), ("EUR", 0.005, False), ("EUR", 0.0, True),
    ("EUR", 1e-10, True), ("JPY", 0.49, True), ("JPY", 0.5, False), ("BHD", 0.0004, True),
    ("BHD", 0.0005, False),
]
COMPARE_GRID = [
    ("EUR", 10.004, 10.0, 0), ("EUR", 10.005, 10.0, 1), ("EUR", 9.995, 10.0, 0),
    ("EUR", 9.994, 10.0, -1), ("EUR", 1.0, 2.0, -1), ("EUR", 0.1 + 0.2, 0.3, 0),
    ("EUR", -0.005, 0.0, -1), ("JPY", 100.4, 100.0, 0), ("JPY", 100.5, 100.0, 1),
    ("BHD", 1.0004, 1.0, 0), ("BHD", 1.0005, 1.0, 1),
]


def test_is_zero_and_compare_amounts_grids(env):
    """Both round first, with the same function: 10.004 and 10.0 are equal in EUR."""
    for code, amount, zero in IS_ZERO_GRID:
        assert env.ref(f"base.{code}").is_zero(amount) is zero, (code, amount)
    for code, a, b, result in COMPARE_GRID:
        currency = env.ref(f"base.{code}")
        assert (currency.compare_amounts(a, b), currency.compare_amounts(b, a)) == (result, -result), \
            (code, a, b)


# ------------------------------------------------------------------ rates and conversion
@pytest.fixture
def rates(env):
    """USD and GBP rates of the main company (EUR, rate 1), plus a shared USD rate."""
    company = env.ref("base.main_company")
    usd, gbp = env.ref("base.USD"), env.ref("base.GBP")
    Rate = env["res.currency.rate"]
    Rate.create([
        {"currency_id": usd.id, "name": "2024-01-01", "rate": 1.10, "company_id": company.id},
        {"currency_id": usd.id, "name": "2024-02-01", "rate": 1.08, "company_id": company.id},
        {"currency_id": usd.id, "name": "2024-02-01", "rate": 1.50, "company_id": False},
        {"currency_id": usd.id, "name": "2024-03-01", "rate": 1.05, "company_id": False},
        {"currency_id": gbp.id, "name": "2024-01-01", "rate": 0.86, "company_id": company.id},
    ])
    return company


CONVERT_GRID = [
    ("2024-01-01", 110.0),      # on the day of a rate
    ("2024-01-15", 110.0),      # the latest rate before the date
    ("2024-02-01", 108.0),      # the company's own rate wins over a shared one of the same day
    ("2024-02-20", 108.0),
    ("2024-03-15", 105.0),      # a newer shared rate applies
    ("2023-06-30", 110.0),      # before the first rate: the first rate
]


def test_convert_uses_latest_rate_on_or_before_date(env, rates):
    eur, usd = env.ref("base.EUR"), env.ref("base.USD")
    for date, expected in CONVERT_GRID:
        assert eur._convert(100.0, usd, rates, date) == expected, date


def test_convert_both_ways_and_across_currencies(env, rates):
    eur, usd, gbp = env.ref("base.EUR"), env.ref("base.USD"), env.ref("base.GBP")
    assert usd._convert(108.0, eur, rates, "2024-02-20") == 100.0
    assert usd._convert(100.0, gbp, rates, "2024-01-15") == 78.18        # 100 * 0.86 / 1.10
    assert usd._convert(100.0, gbp, rates, "2024-01-15", round=False) == pytest.approx(78.181818, 1e-6)
    assert eur._convert(12.345, eur, rates, "2024-01-15") == 12.35       # same currency: rounded
    assert eur._convert(0.0, usd, rates, "2024-01-15") == 0.0
    assert env["res.currency"]._get_conversion_rate(eur, usd, rates, "2024-01-15") == pytest.approx(1.10)


def test_convert_rounds_to_the_target_currency(env, rates):
    eur, jpy = env.ref("base.EUR"), env.ref("base.JPY")
    env["res.currency.rate"].create({"currency_id": jpy.id, "name": "2024-01-01", "rate": 160.123,
                                     "company_id": rates.id})
    assert eur._convert(100.0, jpy, rates, "2024-01-02") == 16012.0
    assert jpy._convert(16012.0, eur, rates, "2024-01-02") == 100.0


def test_convert_without_rates_is_one_to_one(env):
    chf, usd = env.ref("base.CHF"), env.ref("base.USD")
    assert chf._convert(10.0, usd, env.ref("base.main_company"), "2024-01-01") == 10.0


def test_rates_of_another_company_do_not_apply(env, rates):
    eur, usd = env.ref("base.EUR"), env.ref("base.USD")
    other = env["res.company"].create({"name": "Tochter GmbH", "currency_id": eur.id})
    env["res.currency.rate"].create({"currency_id": usd.id, "name": "2024-01-01", "rate": 2.0,
                                     "company_id": other.id})
    assert eur._convert(100.0, usd, rates, "2024-01-15") == 110.0
    assert eur._convert(100.0, usd, other, "2024-01-15") == 200.0
    # a branch uses the rates of its root company
    branch = env["res.company"].create({"name": "Tochter GmbH Zweigstelle", "parent_id": other.id,
                                        "currency_id": eur.id})
    assert eur._convert(100.0, usd, branch, "2024-01-15") == 200.0


def test_current_rate_field(env, rates):
    usd = env.ref("base.USD").with_context(date="2024-01-15", allowed_company_ids=[rates.id])
    assert usd.rate == pytest.approx(1.10)
    assert usd.inverse_rate == pytest.approx(1 / 1.10)
    assert env.ref("base.EUR").rate == 1.0


def test_rate_checks(env, rates):
    usd = env.ref("base.USD")
    with pytest.raises(ValidationError, match="strictly positive"), env.cr.savepoint():
        env["res.currency.rate"].create({"currency_id": usd.id, "name": "2024-05-01", "rate": 0.0,
                                         "company_id": rates.id})
    with pytest.raises(ValidationError, match="one currency rate per day"), env.cr.savepoint():
        env["res.currency.rate"].create({"currency_id": usd.id, "name": "2024-01-01", "rate": 1.2,
                                         "company_id": rates.id})
    rate = env["res.currency.rate"].create({"currency_id": usd.id, "name": "2024-06-01",
                                            "rate": 1.25, "company_id": rates.id})
    assert rate.inverse_rate == pytest.approx(0.8)
    rate.inverse_rate = 0.5
    assert rate.rate == pytest.approx(2.0)


def test_rate_defaults_to_today_and_current_company(env):
    from core.fields import Date
    rate = env["res.currency.rate"].create({"currency_id": env.ref("base.USD").id, "rate": 1.1})
    assert rate.name == Date.context_today(rate)
    assert rate.company_id == env.ref("base.main_company")


# ------------------------------------------------------------------ currency records
def test_currency_code_is_iso(env):
    currency = env["res.currency"].create({"name": "xts", "symbol": "¤"})
    assert currency.name == "XTS"
    with pytest.raises(ValidationError, match="ISO 4217"), env.cr.savepoint():
        env["res.currency"].create({"name": "X1", "symbol": "¤"})
    with pytest.raises(ValidationError, match="must be unique"), env.cr.savepoint():
        env["res.currency"].create({"name": "EUR", "symbol": "€"})
    with pytest.raises(ValidationError, match="greater than 0"), env.cr.savepoint():
        env["res.currency"].create({"name": "XXX", "symbol": "¤", "rounding": 0.0})


def test_company_currency_cannot_be_archived(env):
    with pytest.raises(ValidationError, match="currency of the company"), env.cr.savepoint():
        env.ref("base.EUR").active = False
    env.ref("base.CHF").active = False
    assert not env.ref("base.CHF").active


def test_seed_currencies(env):
    Currency = env["res.currency"].with_context(active_test=False)
    eur = env.ref("base.EUR")
    assert (eur.name, eur.symbol, eur.rounding, eur.decimal_places, eur.position, eur.active) == \
        ("EUR", "€", 0.01, 2, "after", True)
    assert (env.ref("base.USD").symbol, env.ref("base.USD").position) == ("$", "before")
    assert env.ref("base.GBP").symbol == "£"
    assert env.ref("base.CHF").name == "CHF"
    jpy = env.ref("base.JPY")
    assert (jpy.rounding, jpy.decimal_places) == (1.0, 0)
    assert env.ref("base.BHD").decimal_places == 3
    active = set(env["res.currency"].search([]).mapped("name"))
    assert {"EUR", "USD", "GBP", "CHF", "JPY"} <= active
    assert not env.ref("base.SEK").active                    # the others wait to be activated
    assert Currency.search_count([]) >= 30
    for currency in Currency.search([]):
        assert currency.full_name and currency.symbol and currency.iso_numeric, currency.name


def test_a_draft_currency_has_the_rate_of_its_original(env, rates):
    usd = env.ref("base.USD").with_context(date="2024-03-15")
    assert env["res.currency"].new({"name": "XTS"}).rate == 1.0   # a new one has no rates yet
    draft = usd.new({"symbol": "US$"}, origin=usd)
    assert draft.rate == pytest.approx(1.05)
