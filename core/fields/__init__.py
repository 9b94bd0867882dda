"""Field types, one family per module; this package only re-exports them."""
from .base import NOT_SET, Field, label_from_name
from .binary import Binary
from .relational import Command, Many2many, Many2one, One2many
from .scalar import Boolean, Char, Float, Html, Integer, Json, Monetary, Selection, Text, float_round
from .temporal import Date, Datetime

Image = Binary

__all__ = [
    "Binary", "Boolean", "Char", "Command", "Date", "Datetime", "Field", "Float", "Html",
    "Image", "Integer", "Json", "Many2many", "Many2one", "Monetary", "NOT_SET", "One2many",
    "Selection", "Text", "float_round", "label_from_name",
]
