"""Cells as the importer reads them: blank cells and several values in one cell. A leaf: it
imports nothing of the package. Formulas kept from running are
``investigations.spreadsheet_cells``, shared with the exports."""

SEPARATOR = ";"  # between several parties, identifiers or aliases in one cell


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
