"""Write a validated plan: bulk inserts and updates, history rows carrying the batch, and
one ImportBatchItem per record touched.

Per-row ``save()`` would cost several queries a row (slug uniqueness, history signal); here
every model costs a handful of bulk statements whatever the number of rows.

Each chunk of rows (records, their history rows and batch items) is a transaction of its
own, so SQLite's write lock is held a chunk at a time and other writers get their turn in
between; ``service`` takes back the chunks already written if a later one fails.
"""

import time
from contextlib import contextmanager
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from investigations import models as m
from investigations.models.base import Sluggable
from investigations.models.organisations import normalise_identifier

from . import fastinsert
from .kinds import WRITE_ORDER
from .rows import NewRow

CHUNK = 2000
WRITER_TURN_SECONDS = 0.02
ITEM_COLUMNS = ("batch_id", "content_type_id", "object_id", "action", "row_number")
CREATED = m.ImportBatchItem.Action.CREATED


def write_plan(plan, batch, user):
    """Insert and update everything in ``plan``; returns {model: (created, updated)}."""
    now = timezone.now()
    plan_citations(plan)
    counts = {}
    for model in WRITE_ORDER:
        created = plan.created.get(model, [])
        updated = plan.updated.get(model, {})
        if created:
            _create(model, created, plan, batch, user, now)
        if updated:
            _update(model, updated, plan, batch, user, now)
        counts[model] = (len(created), len(updated))
    return counts


def plan_citations(plan):
    """Citations go in last, when every record they back has its id."""
    plan.created[m.Citation].extend(plan.citations)


def _create(model, objs, plan, batch, user, now):
    planned = isinstance(objs[0], NewRow)  # rows the plan holds as plain values
    numbers = [row.number if planned else plan.rows.get(id(row)) for row in objs]
    if not planned and issubclass(model, Sluggable):
        # Once for all rows: reading every slug again for each chunk would cost more.
        assign_slugs(model, objs)
    stamp = _stamp(batch, user, now, "+")
    for start in range(0, len(objs), CHUNK):
        chunk = objs[start : start + CHUNK]
        with _chunk_transaction():
            if not planned:
                for obj in chunk:
                    prepare(obj)  # its parent may have been written in the chunk before
            fastinsert.insert(model, chunk, stamp, batch_size=CHUNK)
            _items(model, chunk, numbers[start : start + CHUNK], batch, CREATED)


def _update(model, changes, plan, batch, user, now):
    objs = list(changes)
    fields = set().union(*changes.values())
    for obj in objs:
        prepare(obj)
    if hasattr(model, "updated_at"):
        for obj in objs:
            obj.updated_at = now
        fields.add("updated_at")
    if model is m.Organisation:
        fields.add("normalised_name")
    stamp = _stamp(batch, user, now, "~")
    for start in range(0, len(objs), CHUNK):
        chunk = objs[start : start + CHUNK]
        with _chunk_transaction():
            model.objects.bulk_update(chunk, sorted(fields), batch_size=CHUNK)
            fastinsert.insert_history(model, chunk, stamp)
            numbers = [plan.rows.get(id(obj)) for obj in chunk]
            _items(model, chunk, numbers, batch, m.ImportBatchItem.Action.UPDATED)


@contextmanager
def _chunk_transaction():
    """One chunk's transaction; then, on SQLite, a pause long enough for a writer waiting
    on the lock (its busy handler retries every few milliseconds) to take it."""
    with transaction.atomic():
        yield
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        time.sleep(WRITER_TURN_SECONDS)


def prepare(obj):
    """What ``save()`` would have done: ids of parents just written, derived fields."""
    for name, attname in _relations(type(obj)):
        if name in obj._state.fields_cache:
            setattr(obj, attname, getattr(obj, name).pk)
    if isinstance(obj, (m.Organisation, m.OrganisationAlias)):
        obj.normalised_name = m.normalise_name(obj.name)
    if isinstance(obj, m.Identifier):
        obj.value = normalise_identifier(obj.scheme, obj.value)


@cache
def _relations(model):
    return [(f.name, f.attname) for f in model._meta.concrete_fields if f.is_relation]


def assign_slugs(model, objs):
    """Unique slugs for new records, checked against all existing slugs in one query."""
    taken = set(model.objects.values_list("slug", flat=True).iterator(5000))
    for obj in objs:
        base = slugify(getattr(obj, obj.slug_source_field))[:180] or model._meta.model_name
        slug, suffix = base, 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(slug)
        obj.slug = slug


def _stamp(batch, user, now, history_type):
    return fastinsert.Stamp(user, f"Import batch #{batch.pk}", now, history_type, batch.pk)


def _items(model, objs, numbers, batch, action):
    """One ImportBatchItem per record, as plain rows: no instance, no id read back."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    rows = (
        (batch.pk, content_type_id, obj.pk, action.value, number)
        for obj, number in zip(objs, numbers, strict=True)
    )
    fastinsert.insert_values(m.ImportBatchItem, ITEM_COLUMNS, rows, batch_size=CHUNK)
