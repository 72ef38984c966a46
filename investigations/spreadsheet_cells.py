"""Cells that a spreadsheet program shows as text and never runs as a formula.

Shared by everything that writes spreadsheets (the importer's templates and rejected rows,
the admin's exports, the public downloads) and by the importer, which undoes it on the way in.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


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
