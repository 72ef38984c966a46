"""Cells as spreadsheets hold them: blank cells, several values in one cell, and formulas
kept from running. A leaf: it imports nothing of the package."""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = ";"  # between several parties, identifiers or aliases in one cell

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def column_name(header):
    """A header as the import names columns: "Awarded Date" is ``awarded_date``."""
    return str(header).strip().lower().replace(" ", "_")


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def split_items(text):
    """The values of a cell that holds several, separated by ``SEPARATOR``."""
    if is_blank(text):
        return []
    return [item.strip() for item in str(text).split(SEPARATOR) if item.strip()]


def safe_cell(value):
    """A cell a spreadsheet program will show as text, never run as a formula.

    A plain negative number ("-1200.00") is left alone: no program runs it, and quoting it
    would turn a loss into text.
    """
    formula_like = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    if formula_like and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def unquote_cell(value):
    """Undo ``safe_cell`` on the way back in, so an export re-imports unchanged."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value
