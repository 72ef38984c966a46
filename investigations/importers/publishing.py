"""The "publish" option: the publication gate, applied row by row after writing.

A record whose claims are all cited by published sources is published; the others stay
drafts and are listed, with the first missing claim, in the batch summary.
"""

from django.utils import timezone

from investigations import models as m
from investigations.publication import missing_claims


def publish_plan(plan, batch, user):
    """Publish what passes the gate; returns [[row, record, reason]] for what did not."""
    refused = []
    sources = [r for r in plan.publishable if isinstance(r, m.Source)]
    others = [r for r in plan.publishable if not isinstance(r, m.Source)]
    # Sources first: a citation counts only once its source is public.
    for group in (sources, others):
        passed = []
        for record in group:
            missing = missing_claims(record)
            if missing:
                refused.append([plan.rows.get(id(record)), str(record), str(missing[0])])
            else:
                record.mark_published(user=user)
                passed.append(record)
        _save_published(passed, batch, user)
    return refused


def _save_published(records, batch, user):
    """Bulk status update plus history rows carrying the batch."""
    by_model = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record)
    now = timezone.now()
    for model, objs in by_model.items():
        model.objects.bulk_update(objs, ["status", "published_at"], batch_size=2000)
        model.history.bulk_history_create(
            objs,
            update=True,
            default_user=user,
            default_change_reason=f"Published by import batch #{batch.pk}",
            default_date=now,
            custom_historical_attrs={"import_batch_id": batch.pk},
        )
