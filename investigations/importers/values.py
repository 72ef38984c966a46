"""Cell values into field values: dates, money, numbers, choices, text. Errors are ValueError
with a message a researcher can act on."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.db import models

from investigations.models import PartialDate, PartialDateField, parse_partial_date
from investigations.spreadsheet_cells import unquote_cell

from .cells import is_blank

EXCEL_EPOCH = datetime.date(1899, 12, 30)
SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD"}
SCALES = {
    "k": 3, "thousand": 3, "m": 6, "mn": 6, "million": 6, "bn": 9, "b": 9, "billion": 9,
}  # fmt: skip
_MONEY = re.compile(
    r"^(?P<neg>-)?\s*(?P<sym>[£€$])?\s*(?P<neg2>-)?\s*(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*"
    r"(?P<scale>k|thousand|mn|m|million|bn|b|billion)?\s*(?P<code>[A-Za-z]{3})?$",
    re.IGNORECASE,
)
# Money fields where a negative figure is meaningful (losses, deficits).
POSITIVE_FIELDS = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)
NEGATIVE_ALLOWED = {"operating_profit", "profit_before_tax", "net_assets"}


def parse_value(field, value):
    """The Python value for a model field from one cell; None for a blank cell.

    The value then passes the field's own validators (URL schemes, codes, number ranges),
    as an admin form would check it: the import writes in bulk, without ``full_clean``.
    """
    if is_blank(value):
        return None
    return validated(field, _parsed(field, value))


def validated(field, value):
    try:
        field.run_validators(value)
    except ValidationError as error:
        raise ValueError(f"{value!r}: {' '.join(error.messages)}") from None
    return value


def _parsed(field, value):
    if isinstance(value, str):
        value = unquote_cell(value.strip())
    if field.choices:
        return parse_choice(field, value)
    if isinstance(field, PartialDateField):
        return parse_date(value)
    if isinstance(field, models.DateField):
        return parse_full_date(value)
    if isinstance(field, models.DecimalField):
        return parse_money(value, negative=field.name in NEGATIVE_ALLOWED)[0]
    if isinstance(field, models.IntegerField):
        return parse_integer(value, positive=isinstance(field, POSITIVE_FIELDS))
    return parse_text(field, value)


def parse_date(value):
    """A partial date; Excel serial numbers and date cells keep day precision, a bare
    year stays a year."""
    if isinstance(value, str):
        return _parse_date_text(value)
    return _parse_date(value)


@lru_cache(maxsize=4096)
def _parse_date_text(text):
    """One date of a text, shared: a year of notices gives a few hundred days 100,000
    times, and a PartialDate, being a str, cannot change."""
    return _parse_date(text)


def _parse_date(value):
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        if 1000 <= number <= 9999 and number == int(number):
            return PartialDate(f"{int(number):04d}")
        if 10000 <= number < 2958466:
            return PartialDate((EXCEL_EPOCH + datetime.timedelta(days=int(number))).isoformat())
        raise ValueError(f"{value!r} is not a date this database can read")
    return parse_partial_date(value)


def parse_full_date(value):
    date = parse_date(value)
    if date.precision != "day":
        raise ValueError(f"{value!r} needs a full date (day, month and year)")
    return date.earliest()


def parse_money(value, negative=False):
    """(amount, currency or None) from "£350m", "350,000,000", "€18 million", "(1,200)"."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount of money")
    if isinstance(value, (int, float, Decimal)):
        amount, currency = Decimal(str(value)), None
    else:
        amount, currency = _money_text(str(value))
    if amount < 0 and not negative:
        raise ValueError(f"{value!r} is negative, and this amount cannot be below zero")
    amount = amount.quantize(Decimal("0.01"))
    if len(amount.as_tuple().digits) > 18:
        raise ValueError(f"{value!r} is too large")
    return amount, currency


def _money_text(text):
    cleaned = text.replace("\u00a0", " ").strip()
    bracketed = cleaned.startswith("(") and cleaned.endswith(")")
    match = _MONEY.match(cleaned.strip("()").strip())
    if not match:
        raise ValueError(f"{text!r} is not an amount of money (write £350m or 350000000)")
    try:
        amount = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount of money") from None
    if match["scale"]:
        amount *= Decimal(10) ** SCALES[match["scale"].lower()]
    if bracketed or match["neg"] or match["neg2"]:
        amount = -amount
    code = (match["code"] or "").upper() or SYMBOLS.get(match["sym"] or "")
    return amount, code or None


def parse_integer(value, positive=True):
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a whole number") from None
    if number != number.to_integral_value() or (positive and number < 0):
        raise ValueError(f"{value!r} is not a whole number{' of zero or more' * positive}")
    return int(number)


def parse_choice(field, value):
    found = _choices_by_text(field).get(_simplify(str(value)), NOT_A_CHOICE)
    if found is NOT_A_CHOICE:
        options = ", ".join(str(key) for key, _ in field.flatchoices)
        raise ValueError(f"{value!r} is not one of: {options}")
    return found


NOT_A_CHOICE = object()


@cache
def _choices_by_text(field):
    """{key or label, simplified: key}, the first choice to give a text winning."""
    choices = {}
    for key, label in field.flatchoices:
        choices.setdefault(_simplify(str(key)), key)
        choices.setdefault(_simplify(str(label)), key)
    return choices


_SPACING = re.compile(r"[\s_\-]+")


def _simplify(text):
    return _SPACING.sub(" ", text.strip().lower())


def parse_text(field, value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    check_length(field, text)
    return text


def check_length(field, text):
    """Said before the validators run, which would say it less plainly."""
    if field.max_length and len(text) > field.max_length:
        raise ValueError(f"is {len(text)} characters long; at most {field.max_length} allowed")
