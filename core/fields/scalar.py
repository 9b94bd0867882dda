"""Scalar field types: booleans, numbers, text, selections and JSON."""
import json
import math

import sqlalchemy as sa

from .base import Field


class Boolean(Field):
    type = "boolean"
    column_type = sa.Boolean()

    def convert_to_cache(self, value, record, validate=True):
        return bool(value)

    def convert_to_record(self, value, record):
        return bool(value)


class Integer(Field):
    type = "integer"
    column_type = sa.Integer()
    null_value = 0
    default_aggregator = "sum"

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value) if not isinstance(value, float) or value.is_integer() else int(round(value))
        except (TypeError, ValueError):
            raise self.validation_error(value, "an integer was expected") from None

    def convert_to_record(self, value, record):
        return value or 0


def float_round(value, digits):
    """Round half away from zero at ``digits`` decimals, robust to binary noise."""
    if value is None:
        return None
    factor = 10 ** digits
    scaled = abs(value) * factor
    rounded = math.floor(scaled + 0.5 + 1e-9 * max(1.0, scaled) * 1e-3)
    return math.copysign(rounded / factor, value) if rounded else 0.0


class Float(Field):
    """A floating point number; ``digits=(precision, scale)`` rounds on write."""

    type = "float"
    column_type = sa.Float()
    extra_args = frozenset({"digits"})
    null_value = 0.0
    default_aggregator = "sum"

    def check_args(self, model, name, args):
        digits = args.get("digits")
        if digits is not None and not (isinstance(digits, str) or (
                isinstance(digits, (tuple, list)) and len(digits) == 2
                and all(isinstance(d, int) for d in digits))):
            raise ValueError(f"{model}.{name}: digits must be (precision, scale) or a name, got {digits!r}")

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.digits = self._args.get("digits")

    def scale(self, record):
        if isinstance(self.digits, (tuple, list)):
            return self.digits[1]
        return None

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise self.validation_error(value, "a number was expected") from None
        scale = self.scale(record)
        return float_round(value, scale) if scale is not None else value

    def convert_to_record(self, value, record):
        return value or 0.0

    def get_description(self, env):
        desc = super().get_description(env)
        if isinstance(self.digits, (tuple, list)):
            desc["digits"] = list(self.digits)
        return desc


class Monetary(Float):
    """An amount in the currency named by ``currency_field`` (default ``currency_id``)."""

    type = "monetary"
    extra_args = frozenset({"currency_field"})

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.currency_field = self._args.get("currency_field") or (
            "currency_id" if "currency_id" in model_cls._fields else None)

    def scale(self, record):
        if record is not None and self.currency_field and len(record._ids) == 1:
            currency = record[self.currency_field] if self.currency_field in record._fields else None
            return self.currency_scale(currency)
        return None

    @staticmethod
    def currency_scale(currency):
        if currency and "decimal_places" in currency._fields:
            return currency.decimal_places
        return None

    def convert_to_cache(self, value, record, validate=True):
        value = super().convert_to_cache(value, record, validate)
        currency = self._currency_of(record)
        # the currency's own rounding (a 0.05 step too), the one function for money
        return currency.round(value) if value is not None and currency is not None else value

    def _currency_of(self, record):
        if record is None or len(record._ids) != 1 or not self.currency_field \
                or self.currency_field not in record._fields:
            return None
        currency = record[self.currency_field]
        return currency if currency and hasattr(currency, "round") else None

    def round_in_row(self, row, model):
        """Round this amount in a row about to be inserted, with the row's currency."""
        currency_id = row.get(self.currency_field) if self.currency_field else None
        if row.get(self.name) is not None and currency_id:
            comodel = model._fields[self.currency_field].comodel_name
            currency = model.env[comodel].browse(currency_id)
            if hasattr(currency, "round"):
                row[self.name] = currency.round(row[self.name])
            elif self.currency_scale(currency) is not None:
                row[self.name] = float_round(row[self.name], self.currency_scale(currency))

    def get_description(self, env):
        desc = super().get_description(env)
        desc["currency_field"] = self.currency_field
        return desc


class _String(Field):
    """Shared by Char, Text and Html: optional translation in one JSON column."""

    extra_args = frozenset()

    def sql_type(self, dialect_name):
        if self.translate:
            return _json_type(dialect_name)
        return self.plain_type

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        if self.translate and isinstance(value, dict):
            return {str(k): (None if v is False else v) for k, v in value.items()}
        if not isinstance(value, str):
            if isinstance(value, bytes):
                value = value.decode()
            elif validate and not isinstance(value, (int, float)):
                raise self.validation_error(value, "a string was expected")
            else:
                value = str(value)
        return value

    def convert_to_record(self, value, record):
        if isinstance(value, dict):
            lang = record.env.lang if record is not None else "en_US"
            value = value.get(lang) or value.get("en_US")
        return False if value is None else value


class Char(_String):
    type = "char"
    plain_type = sa.String()
    column_type = plain_type

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.size = self._args.get("size")
        self.trim = self._args.get("trim", True)

    def convert_to_cache(self, value, record, validate=True):
        value = super().convert_to_cache(value, record, validate)
        if isinstance(value, str):
            if self.trim:
                value = value.strip()
            if self.size and len(value) > self.size:
                value = value[: self.size]
        return value

    def get_description(self, env):
        desc = super().get_description(env)
        if self.size:
            desc["size"] = self.size
        return desc


class Text(_String):
    type = "text"
    plain_type = sa.Text()
    column_type = plain_type


class Html(_String):
    """HTML text; sanitising for display belongs to the web layer."""

    type = "html"
    plain_type = sa.Text()
    column_type = plain_type


class Selection(Field):
    """A value among ``selection`` (a list of (value, label), or a method name).

    ``selection_add`` on an extending definition appends values, or inserts them
    before the value they are followed by: ``[('new', 'New'), ('done',)]``.
    """

    type = "selection"
    column_type = sa.String()
    extra_args = frozenset({"selection", "selection_add", "ondelete"})

    def __init__(self, selection=None, string=None, **kwargs):
        if selection is not None:
            kwargs["selection"] = selection
        if string is not None:
            kwargs["string"] = string
        super().__init__(**kwargs)

    def check_args(self, model, name, args):
        selection = args.get("selection")
        if selection is not None and not (callable(selection) or isinstance(selection, (str, list, tuple))):
            raise ValueError(f"{model}.{name}: selection must be a list of pairs or a method name")
        for item in args.get("selection_add", ()):
            if not isinstance(item, (tuple, list)) or not 1 <= len(item) <= 2:
                raise ValueError(f"{model}.{name}: selection_add items are (value, label) or (value,)")

    def new_from(self, definitions):
        field = super().new_from(definitions)
        selection = None
        for definition in definitions:
            args = definition._args
            if "selection" in args:
                base = args["selection"]
                selection = list(base) if isinstance(base, (list, tuple)) else base
            for item in args.get("selection_add", ()):
                if not isinstance(selection, list):
                    raise ValueError(f"{definition.module}: selection_add on a field whose selection is a method")
                values = [v for v, _ in selection]
                if len(item) == 2 and item[0] not in values:
                    selection.append(tuple(item))
                elif len(item) == 2:
                    selection[values.index(item[0])] = tuple(item)
                else:
                    # (value,) marks the place: previously added items go before it
                    pass
            if args.get("selection_add"):
                selection = _place_markers(selection, args["selection_add"])
        field._args = dict(field._args, selection=selection)
        field._args.pop("selection_add", None)
        return field

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.selection = self._args.get("selection")

    def get_values(self, env):
        return [value for value, _ in self._selection_pairs(env)]

    def _selection_pairs(self, env):
        selection = self.selection
        if isinstance(selection, str):
            return getattr(env[self.model_name], selection)()
        if callable(selection):
            return selection(env[self.model_name])
        return selection or []

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        if validate and record is not None:
            if value not in self.get_values(record.env):
                raise self.validation_error(value, f"not one of {self.get_values(record.env)}")
        return value

    def convert_to_read(self, value, record, use_display_name=True):
        return value

    def get_description(self, env):
        desc = super().get_description(env)
        desc["selection"] = [list(pair) for pair in self._selection_pairs(env)]
        return desc


def _place_markers(selection, added):
    """Apply the ordering markers of one selection_add: items before a ``(value,)``."""
    order = [v for v, _ in selection]
    pending = []
    for item in added:
        if len(item) == 2:
            pending.append(item[0])
        elif item[0] in order and pending:
            for value in pending:
                order.remove(value)
            at = order.index(item[0])
            order[at:at] = pending
            pending = []
    labels = dict(selection)
    return [(value, labels[value]) for value in order]


def _json_type(dialect_name):
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB
        return JSONB()
    return sa.JSON()


class Json(Field):
    """Any JSON value, stored as JSON (jsonb on PostgreSQL)."""

    type = "json"

    @property
    def column_type(self):
        return sa.JSON()

    def sql_type(self, dialect_name):
        return _json_type(dialect_name)

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        try:
            json.dumps(value)
        except TypeError:
            raise self.validation_error(value, "a JSON-serialisable value was expected") from None
        return value
