"""Plain-text summaries of an import, for the command line and the admin's messages."""

MAX_LISTED_ERRORS = 50


def summary_lines(result):
    batch = result.batch
    if result.file_error:
        return [f"File refused: {result.file_error}"]
    lines = []
    for sheet in result.sheets:
        lines.append(
            f"{sheet.name} ({sheet.kind}): {sheet.created} created, {sheet.updated} updated, "
            f"{sheet.unchanged} unchanged, {sheet.rejected} rejected"
        )
        lines.extend(f"  warning: {w}" for w in sheet.warnings)
    errors = result.errors
    for error in errors[:MAX_LISTED_ERRORS]:
        lines.append("  " + error_text(error))
    if len(errors) > MAX_LISTED_ERRORS:
        lines.append(f"  … and {len(errors) - MAX_LISTED_ERRORS} more errors")
    for row, _record, reason in result.publish_refused[:MAX_LISTED_ERRORS]:
        lines.append(f"  not published (row {row}): {reason}")
    for row, _record, reason in result.left_pending[:MAX_LISTED_ERRORS]:
        lines.append(f"  change left pending review (row {row}): {reason}")
    pending = sum(1 for _ in result.batch.revisions.pending()) if result.batch.pk else 0
    if pending:
        lines.append(
            f"  {pending} published record(s) changed: pending revisions wait for an editor"
        )
    where = f"batch #{batch.pk}" if batch.pk else "no batch saved"
    if batch.state == batch.State.UNCHANGED:
        lines.append(f"Result: Nothing changed, no valid row differs from the database; {where}.")
        return lines
    state = "written" if result.written else "nothing written"
    lines.append(f"Result: {state}; {where}.")
    return lines


def error_text(error):
    place = f"{error['sheet']}, row {error['row']}" if error.get("row") else error.get("sheet")
    column = f", column {error['column']}" if error.get("column") else ""
    return f"{place or 'file'}{column}: {error['message']}"
