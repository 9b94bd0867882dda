"""Field declarations and the value ladder of each field type."""
import base64
from datetime import date, datetime, timezone, timedelta

import pytest

from core import fields, models
from core.api import Environment
from core.exceptions import ValidationError
from core.registry import Registry


class Currency(models.Model):
    _name = "tfield.currency"
    _description = "Currency"
    name = fields.Char()
    decimal_places = fields.Integer(default=2)
    step = fields.Float(default=0.0)

    def round(self, amount):
        """A currency's own rounding: a 0.05 step for cash, say."""
        if not self.step:
            return fields.float_round(amount, self.decimal_places)
        return fields.float_round(fields.float_round(amount / self.step, 0) * self.step, self.decimal_places)


class Sample(models.Model):
    _name = "tfield.sample"
    _description = "Sample"

    name = fields.Char(size=5)
    partner_id = fields.Many2one("tfield.currency")
    currency_id = fields.Many2one("tfield.currency")
    amount = fields.Monetary()
    ratio = fields.Float(digits=(10, 3))
    level = fields.Selection("_level_selection")
    moment = fields.Datetime(default=lambda self: fields.Datetime.now())
    body = fields.Html()
    blob = fields.Binary()
    payload = fields.Json()
    state = fields.Selection([("a", "A")], default="a")

    def _level_selection(self):
        return [("low", "Low"), ("high", "High")]


@pytest.fixture
def env(db_uri):
    registry = Registry.new(db_uri, [Currency, Sample])
    with registry.cursor() as cr:
        yield Environment(cr, 1, {})
    registry.engine.dispose()


def test_labels_derive_from_names():
    assert fields.label_from_name("partner_id") == "Partner"
    assert fields.label_from_name("tag_ids") == "Tag"
    assert fields.label_from_name("date_open") == "Date Open"


def test_char_size_is_enforced(env):
    assert env["tfield.sample"].create({"name": "abcdefgh"}).name == "abcde"


def test_monetary_rounds_to_the_currency(env):
    yen = env["tfield.currency"].create({"name": "JPY", "decimal_places": 0})
    euro = env["tfield.currency"].create({"name": "EUR"})
    assert env["tfield.sample"].create({"amount": 10.456, "currency_id": euro.id}).amount == 10.46
    assert env["tfield.sample"].create({"amount": 10.5, "currency_id": yen.id}).amount == 11.0
    assert env["tfield.sample"]._fields["amount"].currency_field == "currency_id"
    cash = env["tfield.currency"].create({"name": "CHF cash", "step": 0.05})
    sample = env["tfield.sample"].create({"amount": 10.47, "currency_id": cash.id})
    assert sample.amount == 10.45
    sample.write({"amount": 3.03})
    assert sample.amount == 3.05


def test_float_digits_round_half_away_from_zero(env):
    assert env["tfield.sample"].create({"ratio": 2.0005}).ratio == 2.001
    assert env["tfield.sample"].create({"ratio": -2.0005}).ratio == -2.001


def test_selection_from_a_method(env):
    record = env["tfield.sample"].create({"level": "high"})
    assert record.level == "high"
    with pytest.raises(ValidationError, match=r"tfield\.sample\.level.*'medium'"):
        record.write({"level": "medium"})
    assert env["tfield.sample"].fields_get(["level"])["level"]["selection"] == [["low", "Low"], ["high", "High"]]


def test_datetime_is_naive_utc(env):
    aware = datetime(2024, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    record = env["tfield.sample"].create({"moment": aware})
    record.invalidate_recordset()
    assert record.moment == datetime(2024, 6, 1, 10, 0)
    assert fields.Datetime.to_string(record.moment) == "2024-06-01 10:00:00"
    with pytest.raises(ValidationError, match=r"tfield\.sample\.moment"):
        record.write({"moment": "tomorrow-ish"})


def test_date_helpers():
    assert fields.Date.to_date("2024-02-29") == date(2024, 2, 29)
    assert fields.Date.to_string(date(2024, 2, 29)) == "2024-02-29"
    assert fields.Datetime.to_datetime("2024-02-29") == datetime(2024, 2, 29)


def test_callable_default_runs_per_record(env):
    before = fields.Datetime.now()
    record = env["tfield.sample"].create({})
    assert record.moment >= before and record.state == "a"


def test_binary_round_trip_and_bin_size(env):
    record = env["tfield.sample"].create({"blob": base64.b64encode(b"x" * 2048).decode()})
    record.invalidate_recordset()
    assert base64.b64decode(record.blob) == b"x" * 2048
    assert record.with_context(bin_size=True).blob == "2.00 Kb"
    with pytest.raises(ValidationError, match="base64"):
        record.write({"blob": "not base64!!"})


def test_json_and_html(env):
    record = env["tfield.sample"].create({"payload": {"k": [1, {"x": None}]}, "body": "<p>Hi</p>"})
    record.invalidate_recordset()
    assert record.payload == {"k": [1, {"x": None}]} and record.body == "<p>Hi</p>"
    with pytest.raises(ValidationError, match=r"tfield\.sample\.payload"):
        record.write({"payload": {1, 2}})


def test_many2one_accepts_ids_records_and_pairs(env):
    currency = env["tfield.currency"].create({"name": "EUR"})
    Sample = env["tfield.sample"]
    assert Sample.create({"partner_id": currency}).partner_id == currency
    assert Sample.create({"partner_id": [currency.id, "EUR"]}).partner_id == currency
    with pytest.raises(ValidationError, match=r"tfield\.sample\.partner_id"):
        Sample.create({"partner_id": "EUR"})


def test_declaration_errors_name_model_and_field():
    with pytest.raises(ValueError, match=r"tfield\.broken\.ratio: digits"):
        class Broken(models.Model):
            _name = "tfield.broken"
            ratio = fields.Float(digits=3)
    with pytest.raises(ValueError, match=r"tfield\.broken2\.tags: One2many needs an inverse_name"):
        class Broken2(models.Model):
            _name = "tfield.broken2"
            tags = fields.One2many("tfield.currency")
    with pytest.raises(ValueError, match="index must be one of"):
        class Broken3(models.Model):
            _name = "tfield.broken3"
            name = fields.Char(index="hash")
