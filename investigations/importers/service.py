"""The one import code path, used by the admin and by ``manage.py import_batch``.

Two phases, by design:
1. Read and validate every row, planning all writes in memory. Only reads: no lock held.
2. Unless the plan has rejected rows (and "skip invalid rows" is off) or this is a dry
   run, write the plan with bulk statements, a chunk of rows per transaction.

Atomic by default means no invalid row is ever written with the rest: validation is over
before the first write. The write itself commits chunk by chunk, so that on SQLite other
writers (an editor saving a record) wait for a chunk, never for the whole import; if a
chunk fails, the chunks already written are taken back as an undo would, and the batch
is marked failed. Readers in the admin may see a batch's drafts appear as it runs.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from investigations import models as m
from investigations.roles import can_publish

from . import proposals
from .kinds import KINDS, ORDER, kind_for_sheet
from .mapping import map_sheet, read_mapping, rename_columns
from .ocds import is_ocds, read_ocds
from .plan import Planner
from .publishing import publish_plan
from .reading import ImportFileError, read_file
from .undo import take_back
from .write import write_plan

MAX_STORED_ERRORS = 1000


@dataclass
class ImportResult:
    batch: m.ImportBatch
    sheets: list = field(default_factory=list)
    written: bool = False
    file_error: str = ""
    publish_refused: list = field(default_factory=list)
    left_pending: list = field(default_factory=list)  # revisions the gate kept from going live

    @property
    def errors(self):
        return [e for sheet in self.sheets for e in sheet.errors]

    @property
    def nothing_changed(self):
        """Every valid row already matches the database: there is nothing to write."""
        return not any(sheet.created or sheet.updated for sheet in self.sheets)

    @property
    def rejected_rows(self):
        return [(s.name, *row) for s in self.sheets for row in s.rejected_rows]


def run_import(
    data,
    file_name,
    *,
    user=None,
    kind=None,
    dry_run=False,
    skip_invalid=False,
    publish=False,
    zero_is_unknown=None,
    strict_identifiers=False,
    mapping=None,
    match_by_name=True,
    name_decisions=None,
    batch=None,
    progress=None,
):
    """Validate a file and, unless told otherwise or it has errors, write it as one batch.

    ``zero_is_unknown`` reads a money value of 0 as not given, as procurement portals mean
    it; unless given, on for OCDS files and off for spreadsheets, where 0 is what the
    researcher wrote. ``strict_identifiers`` rejects a row whose identifier cannot be filed,
    where by default it imports without it.
    ``mapping`` names the file's columns as the template's (``mapping.read_mapping``).
    ``match_by_name`` takes a row's one exact match by name or title alone (still listed as
    a candidate); without it such a row is refused, as the command line does unless given
    ``--match-by-name``. ``name_decisions`` ({"sheet:row": record id or "new"}) are the
    user's choices among a row's candidates (``matching``).
    """
    if zero_is_unknown is None:
        zero_is_unknown = is_ocds(data)
    if publish and user is not None and not _may_publish(user):
        raise PermissionError("Only editors can publish imported records.")
    batch = batch or m.ImportBatch(
        user=user, file_name=file_name, file_sha256=hashlib.sha256(data).hexdigest()
    )
    batch.kind, batch.skip_invalid, batch.publish = kind or "", skip_invalid, publish
    batch.zero_is_unknown, batch.strict_identifiers = zero_is_unknown, strict_identifiers
    batch.mapping = mapping or {}
    batch.match_by_name, batch.name_decisions = match_by_name, name_decisions or {}
    result = ImportResult(batch)
    planner = Planner(
        zero_is_unknown=zero_is_unknown,
        strict_identifiers=strict_identifiers,
        match_by_name=match_by_name,
        decisions=batch.name_decisions,
    )
    try:
        _plan(planner, data, file_name, kind, result, progress)
    except ImportFileError as error:
        result.file_error = str(error)
        # A preview's batch (the admin's) is kept, failed, so that its page says why.
        _record(
            batch,
            result,
            state=m.ImportBatch.State.FAILED,
            save=not dry_run or batch.pk is not None,
        )
        return result
    if dry_run or (result.errors and not skip_invalid):
        state = m.ImportBatch.State.PREVIEWED if dry_run else m.ImportBatch.State.FAILED
        _record(batch, result, state=state, save=not dry_run or batch.pk is not None)
        return result
    if result.nothing_changed:
        # Recorded, as every confirmed import is, but as a check: nothing to write or undo.
        _record(batch, result, state=m.ImportBatch.State.UNCHANGED, save=True)
        return result
    _write(planner, result, user, publish)
    return result


def _plan(planner, data, file_name, kind, result, progress):
    if kind and kind not in KINDS:
        raise ImportFileError(f"Unknown kind “{kind}”; choose one of {', '.join(KINDS)}.")
    mapping = read_mapping(result.batch.mapping)
    result.batch.mapping = mapping.as_json() if result.batch.mapping else {}  # as it was read
    sheets = read_ocds(data) if is_ocds(data) else read_file(data, file_name)
    sheets = [rename_columns(sheet, mapping) for sheet in sheets]
    result.batch.rows_total = sum(len(s.rows) for s in sheets)
    for sheet, sheet_kind in _in_dependency_order(sheets, kind or mapping.kind or None):
        mapped = map_sheet(sheet, sheet_kind, mapping)
        result.sheets.append(planner.plan_sheet(mapped, sheet_kind, progress))
    planner.forget_lookups()


def _in_dependency_order(sheets, requested):
    pairs = []
    for sheet in sheets:
        kind = kind_for_sheet(sheet.name, sheet.headers, requested if len(sheets) == 1 else None)
        if kind is None:
            raise ImportFileError(
                f"Sheet “{sheet.name}”: cannot tell what it holds. Name the sheet after a kind "
                f"({', '.join(KINDS)}) or choose the kind."
            )
        pairs.append((sheet, kind))
    return sorted(pairs, key=lambda pair: ORDER.index(pair[1].name))


def _write(planner, result, user, publish):
    batch = result.batch
    batch.state = m.ImportBatch.State.RUNNING
    batch.save()
    try:
        live_changes = proposals.divert(planner.plan)
        write_plan(planner.plan, batch, user)
        if publish:
            with transaction.atomic():
                result.publish_refused = publish_plan(planner.plan, batch, user)
        result.left_pending = proposals.propose(live_changes, batch, user, publish)
    except Exception as error:
        take_back(batch)
        # The batch page says why, rather than showing a failed batch with no error.
        result.file_error = f"The write failed and everything written was taken back: {error}"
        _record(batch, result, state=m.ImportBatch.State.FAILED, save=True)
        raise
    result.written = True
    _record(batch, result, state=m.ImportBatch.State.COMMITTED, save=True)


def _record(batch, result, state, save):
    sheets = result.sheets
    batch.state = state
    batch.rows_created = sum(s.created for s in sheets)
    batch.rows_updated = sum(s.updated for s in sheets)
    batch.rows_skipped = sum(s.unchanged for s in sheets)
    batch.rows_rejected = sum(s.rejected for s in sheets)
    batch.rows_done = batch.rows_total if state == m.ImportBatch.State.COMMITTED else 0
    batch.summary = {s.name: s.summary() for s in sheets}
    if result.publish_refused:
        batch.summary["_not_published"] = result.publish_refused[:MAX_STORED_ERRORS]
    if result.left_pending:
        batch.summary["_left_pending"] = result.left_pending[:MAX_STORED_ERRORS]
    batch.errors = _stored_errors(result)
    batch.finished_at = timezone.now() if state != m.ImportBatch.State.PREVIEWED else None
    if save:
        batch.save()


def _stored_errors(result):
    if result.file_error:
        return [{"sheet": None, "row": None, "column": None, "message": result.file_error}]
    return result.errors[:MAX_STORED_ERRORS]


def _may_publish(user):
    return all(can_publish(user, kind.model) for kind in KINDS.values() if _publishable(kind))


def _publishable(kind):
    return issubclass(kind.model, m.Publishable)
