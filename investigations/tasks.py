"""Imports too large for a web request, run as tasks by the worker (`manage.py db_worker`).

The admin enqueues them; their arguments are ids and options only (tasks are stored as
JSON), and the file is read back from where the upload left it. Each records its progress
on the batch, and a task that fails leaves the batch FAILED rather than "running".
"""

from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import task

from investigations.importers.service import run_import
from investigations.importers.undo import take_back
from investigations.models import ImportBatch

# A running import records progress every few thousand rows; one that has not moved for
# this long has lost its worker (or none is running) and may be marked failed.
STALE_AFTER = timedelta(minutes=10)


def stored_path(batch):
    """Where an uploaded file waits between preview and confirm."""
    suffix = Path(batch.file_name).suffix.lower()[:5]
    return Path(settings.VAR_DIR) / "imports" / f"{batch.file_sha256}{suffix}"


def run_preview(batch, content, user, options):
    return run_import(
        content,
        batch.file_name,
        user=user,
        dry_run=True,
        batch=batch,
        progress=_recorder(batch),
        **options,
    )


def run_confirm(batch):
    return run_import(
        stored_path(batch).read_bytes(),
        batch.file_name,
        user=batch.user,
        kind=batch.kind or None,
        skip_invalid=batch.skip_invalid,
        publish=batch.publish,
        zero_is_unknown=batch.zero_is_unknown,
        strict_identifiers=batch.strict_identifiers,
        mapping=batch.mapping,
        match_by_name=batch.match_by_name,
        name_decisions=batch.name_decisions,
        batch=batch,
        progress=_recorder(batch),
    )


@task()
def preview_import(batch_id, user_id, options):
    batch = _claim(batch_id)
    if batch is not None:
        user = get_user_model().objects.filter(pk=user_id).first()
        with _failing(batch):
            run_preview(batch, stored_path(batch).read_bytes(), user, options)


@task()
def confirm_import(batch_id):
    batch = _claim(batch_id)
    if batch is not None:
        batch.state = ImportBatch.State.PREVIEWED
        with _failing(batch):
            run_confirm(batch)


def mark_running(batch, **fields):
    """Hand a batch to the worker: RUNNING, with the time progress was last seen."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.RUNNING,
        rows_done=0,
        summary={**batch.summary, "_progress_at": timezone.now().isoformat()},
        **fields,
    )


def progress_at(batch):
    """When a running batch last recorded progress (or was queued), or None."""
    stamp = batch.summary.get("_progress_at")
    return datetime.fromisoformat(stamp) if stamp else None


def is_stale(batch, now=None):
    if batch.state != ImportBatch.State.RUNNING:
        return False
    last = progress_at(batch) or batch.created_at
    return (now or timezone.now()) - last > STALE_AFTER


def mark_failed(batch, reason):
    """Give up on a batch, keeping the reason on it, and take back the chunks a worker
    that died part-way through the write had committed."""
    take_back(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.FAILED,
        finished_at=timezone.now(),
        errors=[{"message": reason}, *batch.errors],
    )


def _claim(batch_id):
    # A batch marked failed (or undone) while its task waited in the queue stays so.
    return (
        ImportBatch.objects.select_related("user")
        .filter(pk=batch_id, state=ImportBatch.State.RUNNING)
        .first()
    )


def _recorder(batch):
    """Record progress, with rows_total (known once the file is read) and the time."""
    summary = dict(batch.summary)

    def progress(rows):
        summary["_progress_at"] = timezone.now().isoformat()
        ImportBatch.objects.filter(pk=batch.pk).update(
            rows_done=rows, rows_total=batch.rows_total, summary=summary
        )

    return progress


@contextmanager
def _failing(batch):
    """Mark the batch FAILED if the import raises (or the worker is made to stop), then let
    the exception reach the worker, which records it on the task."""
    try:
        yield
    except BaseException as error:
        mark_failed(batch, f"The import stopped: {type(error).__name__}: {error}")
        raise
