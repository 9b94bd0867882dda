"""Date and Datetime fields.  Datetimes are naive UTC, in the database and in code."""
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from .base import Field

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Date(Field):
    type = "date"
    column_type = sa.Date()
    default_aggregator = None

    @staticmethod
    def to_date(value):
        """A ``date`` from a date, a datetime or an ISO string; False for nothing."""
        if not value:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            return datetime.strptime(value[:10], DATE_FORMAT).date()
        raise TypeError(f"cannot make a date of {value!r}")

    @staticmethod
    def to_string(value):
        return value.strftime(DATE_FORMAT) if value else False

    @staticmethod
    def today(*args):
        return date.today()

    @staticmethod
    def context_today(record, timestamp=None):
        """Today in the user's time zone (context ``tz``)."""
        now = timestamp or datetime.now(timezone.utc).replace(tzinfo=None)
        tz_name = record.env.context.get("tz")
        if tz_name:
            from zoneinfo import ZoneInfo
            now = now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name))
        return now.date()

    @staticmethod
    def add(value, **delta):
        return value + _relativedelta(**delta)

    def convert_to_cache(self, value, record, validate=True):
        try:
            return self.to_date(value)
        except (TypeError, ValueError):
            raise self.validation_error(value, "a date 'YYYY-MM-DD' was expected") from None



class Datetime(Field):
    type = "datetime"
    column_type = sa.DateTime()

    @staticmethod
    def to_datetime(value):
        """A naive UTC ``datetime`` from a datetime, a date or a string."""
        if not value:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(timezone.utc).replace(tzinfo=None)
            return value
        if isinstance(value, date):
            return datetime.combine(value, time.min)
        if isinstance(value, str):
            text = value.strip().replace("T", " ")
            if len(text) == 10:
                return datetime.strptime(text, DATE_FORMAT)
            parsed = datetime.fromisoformat(text)
            return Datetime.to_datetime(parsed)
        raise TypeError(f"cannot make a datetime of {value!r}")

    @staticmethod
    def to_string(value):
        return value.strftime(DATETIME_FORMAT) if value else False

    @staticmethod
    def now(*args):
        return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)

    @staticmethod
    def context_timestamp(record, timestamp):
        """``timestamp`` (naive UTC) in the user's time zone, as an aware datetime."""
        from zoneinfo import ZoneInfo
        tz_name = record.env.context.get("tz") or "UTC"
        return timestamp.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name))

    def convert_to_cache(self, value, record, validate=True):
        try:
            value = self.to_datetime(value)
        except (TypeError, ValueError):
            raise self.validation_error(value, "a datetime 'YYYY-MM-DD HH:MM:SS' in UTC was expected") from None
        return value.replace(microsecond=0) if value else value



def _relativedelta(years=0, months=0, **kwargs):
    if years or months:
        raise ValueError("months and years need calendar arithmetic: use date.replace")
    return timedelta(**kwargs)
