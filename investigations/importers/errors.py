"""What a planner reports of a bad row: which column, and why. A leaf: it imports nothing
of the package, so every stage can raise and report row errors."""


class RowError(ValueError):
    def __init__(self, column, message):
        self.column, self.message = column, message
        super().__init__(f"{column}: {message}")


def error_entry(sheet, row, column, message):
    """One error as a batch stores it and the preview shows it."""
    return {"sheet": sheet, "row": row, "column": column, "message": message}
