"""The Formatter's fast number path writes exactly what Babel writes, in every locale it takes."""
import random

import pytest
from babel import numbers as babel_numbers

from addons.web.formatting import Formatter


class _Env:
    def __init__(self, lang):
        self.lang, self.context = lang, {}


VALUES = [0, 1, -1, 0.5, 1.005, 2.675, -2.5, 1234.5, -1234.565, 1e9 + 0.125, 123456789.987654, 0.045, -0.0049]


@pytest.mark.parametrize("lang", ["en_US", "de_DE", "fr_FR", "de_CH", "hi_IN"])
def test_numbers_as_babel_writes_them(lang):
    rng = random.Random(lang)
    values = VALUES + [rng.uniform(-1e7, 1e7) for _ in range(300)] + [round(rng.uniform(-1e4, 1e4), 3)
                                                                       for _ in range(300)]
    fmt = Formatter(_Env(lang))
    for value in values:
        for digits in (0, 2, 3):
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            assert fmt.number(value, digits) == babel_numbers.format_decimal(value, format=pattern,
                                                                              locale=fmt.locale), (value, digits)
    for value in [0, 7, -12345, 10 ** 12] + [rng.randint(-10 ** 9, 10 ** 9) for _ in range(200)]:
        assert fmt.integer(value) == babel_numbers.format_decimal(value, locale=fmt.locale), value
