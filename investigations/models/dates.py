"""Partial dates: a date known only to the year, the month or the day.

Stored as ISO text of 4, 7 or 10 characters ("2016", "2016-06", "2016-06-22"), so the
precision travels with the value and plain string order is date order.
"""

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

YEAR, MONTH, DAY = "year", "month", "day"
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9


class PartialDate(str):
    """An ISO partial date string that knows its precision and how to show itself."""

    def __new__(cls, value):
        match = _ISO.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a partial date (YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = (int(part) if part else None for part in match.groups())
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{value!r} has no month {month}")
        if day is not None:
            datetime.date(year, month, day)
        return super().__new__(cls, value)

    @property
    def precision(self):
        return {4: YEAR, 7: MONTH, 10: DAY}[len(self)]

    @property
    def year(self):
        return int(self[:4])

    @property
    def month(self):
        return int(self[5:7]) if len(self) >= 7 else None

    @property
    def day(self):
        return int(self[8:10]) if len(self) == 10 else None

    @property
    def display(self):
        """As known: "2016", "June 2022", "22 November 2022"."""
        if self.precision == YEAR:
            return str(self.year)
        month_name = calendar.month_name[self.month]
        if self.precision == MONTH:
            return f"{month_name} {self.year}"
        return f"{self.day} {month_name} {self.year}"

    def earliest(self):
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def latest(self):
        month = self.month or 12
        return datetime.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])


def parse_partial_date(value):
    """Read the ways researchers write dates; day-first, as in the UK.

    Accepts "2016", "2016-06", "2016-06-22", "22/11/2022", "11/2022", "Nov 2022",
    "November 2022", "22 November 2022", and date objects. Returns None for blank input.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return PartialDate(value.isoformat())
    text = " ".join(str(value).replace(",", " ").split())
    if not text:
        return None
    if _ISO.match(text):
        return PartialDate(text)
    parts = re.split(r"[/\-. ]", text)
    try:
        return PartialDate(_from_parts(parts))
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"{value!r} is not a date this database can read") from None


def _from_parts(parts):
    numbers = [p for p in parts if p]
    if len(numbers) == 3:
        day, month, year = numbers
        month = _month_number(month)
        year = _full_year(year)
        return f"{year:04d}-{month:02d}-{int(day):02d}"
    if len(numbers) == 2:
        month, year = numbers
        return f"{_full_year(year):04d}-{_month_number(month):02d}"
    raise ValueError(parts)


def _month_number(text):
    return int(text) if text.isdigit() else _MONTHS[text.lower()]


def _full_year(text):
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


class PartialDateFormField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "A year (2016), a month (June 2022 or 06/2022) or a day (22/11/2022)."
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_partial_date(value) or ""
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        return value.display if isinstance(value, PartialDate) else value


class PartialDateField(models.CharField):
    """A date known to the year, month or day; blank when unknown."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 10
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return PartialDate(value) if value else value

    def to_python(self, value):
        if isinstance(value, PartialDate) or value in (None, ""):
            return value
        try:
            return parse_partial_date(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None

    def get_prep_value(self, value):
        value = self.to_python(value)
        return "" if value is None else str.__str__(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PartialDateFormField, **kwargs})
