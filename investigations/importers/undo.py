"""Undo a batch: remove what it created, restore what it changed to the version before it.

Every step is recorded in history with the batch, so the undo itself can be audited.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from investigations import models as m

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
    items = _items_by_model(batch)
    try:
        with transaction.atomic():
            for model in reversed(WRITE_ORDER):
                created, updated = items[model]["created"], items[model]["updated"]
                _restore(model, updated, batch, user)
                _remove(model, created, batch, user)
            batch.state = m.ImportBatch.State.UNDONE
            batch.undone_at, batch.undone_by = timezone.now(), user
            batch.save()
    except ProtectedError as error:
        names = ", ".join(str(obj) for obj in list(error.protected_objects)[:5])
        raise UndoRefused(f"Records added since the import still depend on it: {names}") from None


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


def _restore(model, ids, batch, user):
    """Put back each record as its last version before the batch."""
    for obj in model.objects.filter(pk__in=ids):
        previous = (
            model.history.filter(id=obj.pk)
            .exclude(import_batch_id=batch.pk)
            .filter(history_date__lt=_batch_date(model, obj, batch))
            .order_by("-history_date", "-history_id")
            .first()
        )
        if previous is None:
            continue
        restored = previous.instance
        restored._history_user = user
        restored._change_reason = f"Restored by undoing import batch #{batch.pk}"
        restored._import_batch_id = batch.pk
        restored.save()


def _batch_date(model, obj, batch):
    row = model.history.filter(id=obj.pk, import_batch_id=batch.pk).order_by("history_date")
    first = row.first()
    return first.history_date if first else timezone.now()


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


def _tag_batch(sender, instance, history_instance, **kwargs):
    """A version saved by undo carries the batch it undoes."""
    batch_id = getattr(instance, "_import_batch_id", None)
    if batch_id:
        history_instance.import_batch_id = batch_id


pre_create_historical_record.connect(_tag_batch, dispatch_uid="import_undo_batch")
