"""Undo a batch: remove what it created, restore what it changed to the version before it.

Every step is recorded in history with the batch, so the undo itself can be audited.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Min, ProtectedError
from django.utils import timezone

from investigations import models as m
from investigations.caching import invalidate_public_pages

from . import proposals
from .kinds import WRITE_ORDER


class UndoRefused(Exception):
    pass


def may_undo(user):
    return user.has_perm("investigations.undo_importbatch")


def undo_batch(batch, user):
    """Undo in reverse write order (citations first), as one transaction."""
    if not may_undo(user):
        raise PermissionDenied("Only editors can undo an import batch.")
    if batch.state != m.ImportBatch.State.COMMITTED:
        raise UndoRefused(f"Only a committed batch can be undone; this one is {batch.state}.")
    try:
        with transaction.atomic():
            _revert(batch, user)
            proposals.withdraw(batch, user)
            batch.state = m.ImportBatch.State.UNDONE
            batch.undone_at, batch.undone_by = timezone.now(), user
            batch.save()
    except ProtectedError as error:
        names = ", ".join(str(obj) for obj in list(error.protected_objects)[:5])
        raise UndoRefused(f"Records added since the import still depend on it: {names}") from None


def take_back(batch):
    """Remove what a batch that failed part-way had written, as undo would, and its items:
    the batch stays, failed, as the record of the attempt."""
    with transaction.atomic():
        _revert(batch, batch.user)
        batch.revisions.pending().update(state=m.Revision.State.WITHDRAWN)
        batch.items.all().delete()
    invalidate_public_pages()  # published records it updated were visible for a while


def _revert(batch, user):
    items = _items_by_model(batch)
    for model in reversed(WRITE_ORDER):
        created, updated = items[model]["created"], items[model]["updated"]
        _restore(model, updated, batch, user)
        _remove(model, created, batch, user)


def _items_by_model(batch):
    items = defaultdict(lambda: {"created": [], "updated": []})
    for item in batch.items.select_related("content_type"):
        items[item.content_type.model_class()][item.action].append(item.object_id)
    return items


def _remove(model, ids, batch, user):
    if not ids:
        return
    objs = list(model.objects.filter(pk__in=ids))
    _history(model, objs, batch, user, "-", f"Removed by undoing import batch #{batch.pk}")
    model.objects.filter(pk__in=ids).delete()


RESTORE_CHUNK = 2000


def _restore(model, ids, batch, user):
    """Put back each record as its last version before the batch, a chunk at a time, with
    bulk statements: an update batch of 100,000 rows is not 100,000 saves."""
    for start in range(0, len(ids), RESTORE_CHUNK):
        restored = _versions_before(model, ids[start : start + RESTORE_CHUNK], batch)
        if restored:
            fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
            model.objects.bulk_update(restored, fields, batch_size=500)
            reason = f"Restored by undoing import batch #{batch.pk}"
            _history(model, restored, batch, user, "~", reason)


def _versions_before(model, ids, batch):
    """The instance each record was just before the batch first changed it, if known."""
    history = model.history.model.objects
    first_change = dict(
        history.filter(id__in=ids, import_batch_id=batch.pk)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    earlier = (
        history.filter(id__in=first_change)
        .exclude(import_batch_id=batch.pk)
        .order_by("id", "-history_date", "-history_id")
    )
    latest = {}
    for version in earlier:
        if version.id not in latest and version.history_date < first_change[version.id]:
            latest[version.id] = version.instance
    return list(latest.values())


def _history(model, objs, batch, user, history_type, reason):
    now = timezone.now()
    rows = [
        model.history.model(
            history_date=now,
            history_user=user,
            history_change_reason=reason,
            history_type=history_type,
            import_batch_id=batch.pk,
            **{f.attname: getattr(obj, f.attname) for f in model.history.model.tracked_fields},
        )
        for obj in objs
    ]
    model.history.model.objects.bulk_create(rows, batch_size=2000)
