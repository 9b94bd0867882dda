"""Values as the user reads and types them: numbers, amounts, dates and times in the
user's language and time zone, with Babel.

``Formatter(env)`` is made once per request; ``display(record, name)`` gives the text of
a field value for lists and read-only forms, ``input_value(record, name)`` the text put
into an input, and ``parse(field, text)`` reads what the user typed back into the value
the ORM takes (raising :class:`ParseError` with a message for the field).

Dates travel in ISO form (``<input type="date">``); datetimes are shown and typed in
the user's time zone (``tz`` of the context, UTC when unset) and stored in UTC.
"""
import datetime
import decimal
import functools
import zoneinfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from core.i18n import translate


class ParseError(ValueError):
    """Text typed into a field that is not a value of the field's type."""


def _locale(lang):
    try:
        return Locale.parse(lang or "en_US")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


@functools.lru_cache(maxsize=32)
def _thousands(locale):
    """(group, decimal) symbols when ``locale`` writes numbers as Python's ``f"{x:,.2f}"``
    does but for the symbols (groups of three, a plain minus), else None.  Numbers are
    then formatted without Babel's general machinery: a pivot table shows thousands of
    them, and Babel's way costs some 25 µs each."""
    pattern = locale.decimal_formats[None]
    if tuple(pattern.grouping) != (3, 3) or babel_numbers.get_minus_sign_symbol(locale) != "-":
        return None
    return babel_numbers.get_group_symbol(locale), babel_numbers.get_decimal_symbol(locale)


def _timezone(name):
    try:
        return zoneinfo.ZoneInfo(name) if name else datetime.timezone.utc
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.timezone.utc


class Formatter:
    """Formats and parses values for the user of ``env``."""

    def __init__(self, env):
        self.env = env
        self.lang = env.lang
        self.locale = _locale(self.lang)
        self._symbols = _thousands(self.locale)
        self.tz = _timezone(env.context.get("tz"))

    def _(self, message):
        return translate(message, self.lang, ("web", "base"))

    # ------------------------------------------------------------ numbers
    def number(self, value, digits=None):
        if value is None or value is False:
            return ""
        if digits is None:
            return babel_numbers.format_decimal(value, locale=self.locale, decimal_quantization=False)
        if self._symbols and isinstance(value, (int, float)):
            # Babel rounds half-even on the decimal value: so does Decimal's formatting
            text = f"{decimal.Decimal(repr(value)) if isinstance(value, float) else value:,.{digits}f}"
            return self._localize(text)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return babel_numbers.format_decimal(value, format=pattern, locale=self.locale)

    def integer(self, value):
        if value is None or value is False:
            return ""
        if self._symbols:
            return self._localize(f"{int(value):,}")
        return babel_numbers.format_decimal(int(value), locale=self.locale)

    def _localize(self, text):
        group, point = self._symbols
        if (group, point) == (",", "."):
            return text
        return text.replace(",", "\0").replace(".", point).replace("\0", group)

    def monetary(self, value, currency=None):
        if value is None or value is False:
            return ""
        if currency:
            return babel_numbers.format_currency(value, currency.name, locale=self.locale)
        return self.number(value, 2)

    # ------------------------------------------------------------ dates
    def date(self, value):
        if not value:
            return ""
        return babel_dates.format_date(value, format="medium", locale=self.locale)

    def to_local(self, value):
        """A naive UTC datetime as an aware datetime in the user's time zone."""
        return value.replace(tzinfo=datetime.timezone.utc).astimezone(self.tz)

    def datetime(self, value):
        if not value:
            return ""
        return babel_dates.format_datetime(self.to_local(value), format="short", locale=self.locale)

    def group_label(self, field, value, selection=None):
        """The label of a group's value (read_group's) for ``field``: lists, boards, charts
        and pivot headers name their groups alike.  ``selection``: the field's {value: label}."""
        if field.type == "boolean":
            return self._("Yes") if value else self._("No")
        if value is False or value is None or value == "":
            return self._("None")
        if field.type == "many2one":
            return value[1] if isinstance(value, (list, tuple)) else str(value)
        if selection is not None:
            return str(selection.get(value, value))
        if field.type == "integer" and not isinstance(value, str):
            return self.integer(value)
        if field.type in ("float", "monetary") and not isinstance(value, str):
            return self.number(value)
        return str(value)

    # ------------------------------------------------------------ fields
    def display(self, record, name):
        """The text of field ``name`` of ``record`` as a list or read-only form shows it."""
        field = record._fields[name]
        value = record[name]
        kind = field.type
        if kind == "boolean":
            return self._("Yes") if value else self._("No")
        if kind == "integer":
            return self.integer(value)
        if kind == "float":
            return self.number(value, _scale(field))
        if kind == "monetary":
            currency_field = getattr(field, "currency_field", None)
            currency = record[currency_field] if currency_field and currency_field in record._fields else None
            return self.monetary(value, currency)
        if kind == "date":
            return self.date(value)
        if kind == "datetime":
            return self.datetime(value)
        if kind == "selection":
            return dict(selection_of(record, name)).get(value, value or "")
        if kind == "many2one":
            return value.display_name if value else ""
        if kind in ("one2many", "many2many"):
            return ", ".join(r.display_name or "" for r in value)
        if kind == "binary":
            return ""
        return "" if value is False or value is None else str(value)

    def input_value(self, record, name):
        """The text put into the input of field ``name`` (editable forms)."""
        field = record._fields[name]
        value = record[name]
        if value is False or value is None:
            return ""
        if field.type == "date":
            return value.isoformat()
        if field.type == "datetime":
            return self.to_local(value).replace(tzinfo=None).isoformat(timespec="minutes")
        if field.type in ("float", "monetary"):
            return self.number(value, _scale(field) if field.type == "float" else 2)
        if field.type == "integer":
            return str(value)
        if field.type == "many2one":
            return value.id
        return str(value) if not field.relational else value.ids

    def parse(self, field, text):
        """The value of ``field`` typed as ``text`` (an empty text is "no value")."""
        kind = field.type
        text = text.strip() if isinstance(text, str) else text
        if kind == "boolean":
            return text not in (None, "", "0", "false", "False", "off")
        if text in (None, ""):
            return 0 if kind in ("integer",) and field.required else False
        try:
            if kind == "integer":
                return int(babel_numbers.parse_number(text, locale=self.locale))
            if kind in ("float", "monetary"):
                return float(babel_numbers.parse_decimal(text, locale=self.locale, strict=False))
            if kind == "date":
                return datetime.date.fromisoformat(text)
            if kind == "datetime":
                local = datetime.datetime.fromisoformat(text)
                if local.tzinfo is None:
                    local = local.replace(tzinfo=self.tz)
                return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            if kind == "many2one":
                return int(text)
        except (ValueError, decimal.InvalidOperation, babel_numbers.NumberFormatError):
            raise ParseError(self._(EXPECTED.get(kind, INVALID))) from None
        return text


def _t(message):
    """Marks a text for the catalog export; it is translated where it is shown."""
    return message


EXPECTED = {
    "integer": _t("Expected a whole number."),
    "float": _t("Expected a number."),
    "monetary": _t("Expected an amount."),
    "date": _t("Expected a date."),
    "datetime": _t("Expected a date and a time."),
    "many2one": _t("Choose a record from the list."),
}
INVALID = _t("Invalid value.")


def _scale(field):
    digits = getattr(field, "digits", None)
    if isinstance(digits, (tuple, list)):
        return digits[1]
    return 2


def selection_of(record, name):
    """The ``[(value, label)]`` of selection field ``name``, translated."""
    description = record.fields_get([name], ["selection"])[name]
    return description.get("selection") or []
