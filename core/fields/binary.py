"""Binary content.  Records see base64 bytes (as Odoo does); the column holds raw bytes."""
import base64
import binascii

import sqlalchemy as sa

from .base import Field


class Binary(Field):
    type = "binary"
    column_type = sa.LargeBinary()
    converts_from_column = True
    extra_args = frozenset({"attachment", "max_width", "max_height", "verify_resolution"})

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.prefetch = self._args.get("prefetch", False)
        self.copy = self._args.get("copy", True)

    def convert_to_cache(self, value, record, validate=True):
        """Cache holds the raw bytes; accepts base64 (str or bytes) as clients send."""
        if not value:
            return None
        if isinstance(value, memoryview):
            return bytes(value)
        if isinstance(value, str):
            value = value.encode()
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise self.validation_error(value[:40], "base64-encoded content was expected") from None

    def convert_from_column(self, value):
        return bytes(value) if value is not None else None

    def convert_to_record(self, value, record):
        if value is None:
            return False
        if record is not None and record.env.context.get("bin_size"):
            return human_size(len(value))
        return base64.b64encode(value)

    def convert_to_read(self, value, record, use_display_name=True):
        return value.decode() if isinstance(value, bytes) else value


def human_size(size):
    units = ["bytes", "Kb", "Mb", "Gb", "Tb"]
    size = float(size)
    unit = 0
    while size >= 1024 and unit < len(units) - 1:
        size /= 1024
        unit += 1
    return f"{size:.2f} {units[unit]}"
