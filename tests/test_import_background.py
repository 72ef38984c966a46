"""Large imports run as tasks in the worker: queued by the request, run by `db_worker`,
with their progress on the batch page, and never left "running" for ever."""

import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from investigations import models as m
from investigations import tasks

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture(autouse=True)
def every_import_is_large(monkeypatch):
    monkeypatch.setattr("investigations.admin.imports.BACKGROUND_BYTES", 0)
    monkeypatch.setattr("investigations.admin.imports.BACKGROUND_ROWS", 0)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_BACKEND


@pytest.fixture
def run_worker():
    """Run every queued task as `manage.py db_worker --batch` does, then stop."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield lambda: call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0
    )
    for sig, handler in handlers.items():  # the worker installs its own
        signal.signal(sig, handler)


def upload(client, name):
    file = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
    return client.post(reverse("admin:imports_upload"), {"file": file})


def batch_page(client, batch):
    page = client.get(reverse("admin:investigations_importbatch_change", args=[batch.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_it_queues_a_large_upload_instead_of_checking_it_in_the_request(
    researcher_client, researcher, database_tasks
):
    response = upload(researcher_client, "organisations.csv")
    batch = m.ImportBatch.objects.get()
    assert response.status_code == 302 and batch.state == "running"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "investigations.tasks.preview_import"
    assert queued.status == "READY" and queued.args_kwargs["args"][:2] == [batch.pk, researcher.pk]
    content = batch_page(researcher_client, batch)
    assert '<meta http-equiv="refresh" content="2">' in content
    assert "Waiting for the background worker" in content and "Confirm the import" not in content


def test_the_worker_runs_the_preview_then_the_confirm(
    researcher_client, transactional_db, database_tasks, run_worker
):
    upload(researcher_client, "workbook.xlsx")
    batch = m.ImportBatch.objects.get()
    run_worker()
    batch.refresh_from_db()
    assert batch.state == "previewed" and batch.rows_total == 8 and not m.Contract.objects.exists()
    assert "Confirm the import" in batch_page(researcher_client, batch)

    researcher_client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "running" and not m.Contract.objects.exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    batch.refresh_from_db()
    assert batch.state == "committed" and m.Contract.objects.count() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert "refresh" not in batch_page(researcher_client, batch)


def test_a_queued_confirm_keeps_the_choice_to_skip_invalid_rows(researcher_client):
    upload(researcher_client, "contracts_bad_row.csv")
    batch = m.ImportBatch.objects.get()
    confirm = reverse("admin:imports_confirm", args=[batch.pk])
    researcher_client.post(confirm, {"skip_invalid": "1"})
    batch.refresh_from_db()
    assert batch.state == "committed" and batch.skip_invalid and m.Contract.objects.count() == 2


def test_a_failing_task_marks_the_batch_failed(researcher_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks, "run_import", broken)
    upload(researcher_client, "organisations.csv")
    batch = m.ImportBatch.objects.get()
    assert batch.state == "failed" and batch.finished_at
    assert "RuntimeError: disk on fire" in batch_page(researcher_client, batch)


def test_the_worker_records_a_failing_task_as_failed_too(
    researcher_client, transactional_db, database_tasks, run_worker, monkeypatch
):
    monkeypatch.setattr(tasks, "run_import", lambda *a, **k: 1 / 0)
    upload(researcher_client, "organisations.csv")
    run_worker()
    assert m.ImportBatch.objects.get().state == "failed"
    assert DBTaskResult.objects.get().status == "FAILED"


def running_batch(user, minutes_since_progress):
    batch = m.ImportBatch.objects.create(
        user=user, file_name="big.csv", file_sha256="0" * 64, rows_total=100_000
    )
    tasks.mark_running(batch)
    moved = timezone.now() - timedelta(minutes=minutes_since_progress)
    m.ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=45_000, summary={"_progress_at": moved.isoformat()}
    )
    batch.refresh_from_db()
    return batch


def test_the_batch_page_shows_progress_and_refreshes_while_running(researcher_client, researcher):
    batch = running_batch(researcher, minutes_since_progress=1)
    content = batch_page(researcher_client, batch)
    assert "45000 of 100000 rows checked" in content
    assert "Progress last moved 1\xa0minute ago" in content
    assert '<meta http-equiv="refresh" content="2">' in content
    assert "Mark this import failed" not in content


def test_a_batch_whose_worker_died_can_be_marked_failed(researcher_client, researcher):
    batch = running_batch(researcher, minutes_since_progress=30)
    content = batch_page(researcher_client, batch)
    assert "Mark this import failed" in content and "refresh" not in content
    researcher_client.post(reverse("admin:imports_give_up", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "failed" and "worker stopped" in batch.errors[0]["message"]


def test_giving_up_takes_back_what_a_dead_worker_had_committed(researcher_client, researcher):
    batch = running_batch(researcher, minutes_since_progress=30)
    written = m.Contract.objects.create(title="Committed before the worker died")
    m.ImportBatchItem.objects.create(
        batch=batch,
        content_type=ContentType.objects.get_for_model(m.Contract),
        object_id=written.pk,
        action="created",
    )
    researcher_client.post(reverse("admin:imports_give_up", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "failed" and "taken back" in batch.errors[0]["message"]
    assert not m.Contract.objects.exists() and not batch.items.exists()


def test_a_batch_still_moving_cannot_be_marked_failed(researcher_client, researcher):
    batch = running_batch(researcher, minutes_since_progress=1)
    researcher_client.post(reverse("admin:imports_give_up", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "running"


def test_a_task_whose_batch_was_given_up_does_nothing(researcher):
    batch = running_batch(researcher, minutes_since_progress=30)
    tasks.mark_failed(batch, "given up")
    tasks.confirm_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.state == "failed" and not m.Contract.objects.exists()
