"""Changes to published records wait as pending revisions until an editor publishes them.

The public reads the live rows, which only the gate writes. Every other route (a change
form, a child row's page, a citation, a bulk action, a history revert, an import) runs its
usual code through ``propose``: inside a savepoint, the record's pending revision is first
written over the live rows, the change is made, the result is read back as a snapshot (the
record, its child rows and all their citations), and the savepoint is rolled back. The
snapshot becomes the pending revision; the live rows are as they were, byte for byte.

Publishing a revision writes its snapshot over the live rows for real, then asks the gate
(``publication.missing_claims``) about the result, in the same transaction: refused, it
rolls back; published, the history rows name who proposed and who approved it.
"""

import contextvars
import json

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from . import publication
from .models import PUBLISHABLE_MODELS, Citation, Publishable, Revision, Source
from .models.base import Sluggable
from .publication import GATE_FIELDS, PublicationRefused, missing_claims, missing_claims_among
from .roles import can_publish

# Bookkeeping every save rewrites: never a difference between two versions.
VOLATILE_FIELDS = {"created_at", "updated_at", "normalised_name"}


class RevisionConflict(Exception):
    """The change would overwrite or bypass somebody else's pending revision."""


# Child models, each with the foreign key to the record whose revision holds it.
CHILD_PARENT_FIELDS = {
    record_model._meta.get_field(name).related_model: record_model._meta.get_field(name).field.name
    for record_model in PUBLISHABLE_MODELS
    for name in record_model.claim_children
}


def owner_of(obj):
    """The main record whose revision would hold a change to ``obj``, or None."""
    if isinstance(obj, Citation):
        return owner_of(obj.record) if obj.record is not None else None
    if isinstance(obj, Publishable):
        return obj
    parent_field = CHILD_PARENT_FIELDS.get(type(obj))
    return getattr(obj, parent_field, None) if parent_field else None


def is_live(record):
    return record is not None and record.pk is not None and record.is_published


def pending_revision(record, lock=False):
    revisions = Revision.objects.pending().for_record(record)
    if lock and connection.features.has_select_for_update:
        revisions = revisions.select_for_update()
    return revisions.first()


# Snapshots: a record, its child rows and their citations, as JSON-ready data.


def snapshot(record):
    """The record as stored now, with its child rows and every citation of either."""
    record = type(record)._default_manager.get(pk=record.pk)
    children = {name: list(getattr(record, name).all()) for name in record.claim_children}
    rows = [row for listed in children.values() for row in listed]
    citations = Citation.objects.for_objects([record, *rows]).order_by("pk")
    return {
        "record": _serialised([record])[0],
        "children": {name: _serialised(listed) for name, listed in children.items()},
        "citations": _serialised(citations),
    }


def _serialised(objs):
    data = json.loads(json.dumps(serializers.serialize("python", objs), cls=DjangoJSONEncoder))
    for entry in data:
        for name, value in entry["fields"].items():
            if isinstance(value, str):
                # Browsers send a textarea's lines ending in CRLF: not a change of the text.
                entry["fields"][name] = value.replace("\r\n", "\n")
    return data


def comparable(data):
    """A snapshot without the bookkeeping that differs between two saves of the same data."""
    entries = [data["record"], *(r for rows in data["children"].values() for r in rows)]
    entries += data["citations"]
    return [
        (entry["model"], entry["pk"], _fields_of(entry))
        for entry in sorted(entries, key=lambda e: (e["model"], e["pk"]))
    ]


def _fields_of(entry):
    return {k: v for k, v in entry["fields"].items() if k not in VOLATILE_FIELDS}


def write_snapshot(data, user=None, reason=""):
    """Make the stored rows say what ``data`` says: the record, its rows, their citations.

    Only rows that differ are written, so history records just what changed. The record's
    publication state (``GATE_FIELDS``) is never taken from a snapshot.
    """
    record = _deserialised(data["record"])
    stored = snapshot(record)
    unchanged = _unchanged(stored, data)
    sluggable = isinstance(record, Sluggable)
    live = type(record)._default_manager.filter(pk=record.pk)
    live = live.values(*GATE_FIELDS, *(["slug"] if sluggable else [])).get()
    if sluggable:
        record._loaded_slug = live.pop("slug")  # so that a new slug keeps the old as a redirect
    for name, value in live.items():
        setattr(record, record._meta.get_field(name).attname, value)
    if _key(data["record"]) not in unchanged:
        _save(record, user, reason, data["record"])
    renamed = {}
    for name, rows in data["children"].items():
        model = record._meta.get_field(name).related_model
        old = stored["children"][name]
        for pk, new_pk in _write_rows(model, rows, old, unchanged, user, reason).items():
            renamed[(model, pk)] = new_pk
    _write_citations(data["citations"], stored["citations"], unchanged, renamed, user, reason)
    return record


def _key(entry):
    return entry["model"], entry["pk"]


def _unchanged(stored, data):
    """The (model, pk) of every entry of ``data`` that the stored rows already hold."""
    stored_fields = {(model, pk): fields for model, pk, fields in comparable(stored)}
    return {
        (model, pk)
        for model, pk, fields in comparable(data)
        if stored_fields.get((model, pk)) == fields
    }


def _deserialised(entry):
    return next(serializers.deserialize("python", [entry])).object


def _save(obj, user, reason, entry=None):
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
    for name, ids in (entry or {}).get("fields", {}).items():
        field = obj._meta.get_field(name)
        if field.many_to_many:
            getattr(obj, name).set(ids)


def _delete(model, pks, user, reason):
    for obj in model._default_manager.filter(pk__in=pks):
        obj._history_user, obj._change_reason = user, reason
        obj.delete()


def _write_rows(model, rows, stored_rows, unchanged, user, reason):
    """Write one relation's child rows; returns {snapshot pk: stored pk}."""
    current = {entry["pk"] for entry in stored_rows}
    _delete(model, current - {entry["pk"] for entry in rows}, user, reason)
    written = {}
    for entry in rows:
        if _key(entry) not in unchanged:
            row = _deserialised(entry)
            if row.pk not in current and model._default_manager.filter(pk=row.pk).exists():
                row.pk = None  # its reserved id was taken meanwhile: insert it afresh
            _save(row, user, reason)
            written[entry["pk"]] = row.pk
    return written


def _write_citations(citations, stored_citations, unchanged, renamed, user, reason):
    current = {entry["pk"] for entry in stored_citations}
    _delete(Citation, current - {entry["pk"] for entry in citations}, user, reason)
    for entry in citations:
        citation = _deserialised(entry)
        model = ContentType.objects.get_for_id(citation.content_type_id).model_class()
        target = renamed.get((model, citation.object_id), citation.object_id)
        if _key(entry) in unchanged and target == citation.object_id:
            continue
        citation.object_id = target
        if citation.pk not in current and Citation.objects.filter(pk=citation.pk).exists():
            citation.pk = None
        _save(citation, user, reason)


def reserve_ids(data):
    """Keep the ids a rolled-back savepoint gave new rows from being handed out again.

    PostgreSQL's sequences never go back; SQLite's AUTOINCREMENT counter does, with the
    savepoint, so it is moved past them here.
    """
    if connection.vendor != "sqlite":
        return
    entries = [r for rows in data["children"].values() for r in rows] + data["citations"]
    highest = {}
    for entry in entries:
        table = _table(entry["model"])
        highest[table] = max(highest.get(table, 0), entry["pk"])
    with connection.cursor() as cursor:
        for table, pk in highest.items():
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [pk, table]
            )
            if cursor.rowcount == 0:  # the table has never kept an inserted row
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, pk]
                )


def _table(label):
    return apps.get_model(label)._meta.db_table


# Proposing: run a change against the staged version and keep the result as a revision.

_touched = contextvars.ContextVar("revisions_touched", default=None)


def note_touched(sender, instance, **kwargs):
    """Signal receiver: while a change is being proposed, note the live records it reaches."""
    touched = _touched.get()
    if touched is None:
        return
    owner = owner_of(instance)
    if is_live(owner):
        touched[(type(owner), owner.pk)] = owner


def proposing():
    """True while a change is being captured (its writes will be rolled back)."""
    return _touched.get() is not None


def propose(records, user, change, *, keep=lambda result: True, batch=None, based_on=None):
    """Run ``change()``; what it does to live records becomes their pending revisions.

    ``records`` are the live records the change is known to edit: their pending revisions
    are staged first, so the change extends them. Any other live record it reaches must have
    no pending revision. When it reaches no live record, its writes are simply kept.
    ``based_on`` is the revision version the user's form was made from (0 for none); a
    different current version raises ``RevisionConflict``. Returns (result, revisions).
    """
    with transaction.atomic():
        staged = {(type(r), r.pk): (r, _checked(r, based_on)) for r in records if is_live(r)}
        savepoint = transaction.savepoint()
        token = _touched.set({})
        try:
            for _, revision in staged.values():
                if revision is not None:
                    write_snapshot(revision.snapshot)
            result = change()
            touched = _touched.get()
            if not (touched or staged):
                transaction.savepoint_commit(savepoint)
                return result, []
            after = _after(staged, touched) if keep(result) else None
        finally:
            _touched.reset(token)
        transaction.savepoint_rollback(savepoint)
        if after is None:
            return result, []
        revisions = [
            _keep(record, revision, after[key], user, batch)
            for key, (record, revision) in _all(staged, touched).items()
        ]
    return result, [r for r in revisions if r is not None]


def _checked(record, based_on):
    revision = pending_revision(record, lock=True)
    current = revision.version if revision else 0
    if based_on is not None and based_on != current:
        raise RevisionConflict(conflict_message(record, revision))
    return revision


def conflict_message(record, revision):
    if revision is None:
        return (
            f"The pending revision of “{record}” was published, rejected or withdrawn while you "
            "were editing. Nothing you entered was saved; reload the page to see the record now."
        )
    who = revision.changed_by or "an import"
    return (
        f"{who} changed “{record}” (pending revision #{revision.pk}, now at version "
        f"{revision.version}) while you were editing. Nothing you entered was saved. Review "
        "their change, or save this form again to replace it with what the form holds."
    )


def _after(staged, touched):
    after = {}
    for key, owner in _all(staged, touched).items():
        if key not in staged and pending_revision(owner[0]) is not None:
            raise RevisionConflict(
                f"“{owner[0]}” has a pending revision. Make this change from its own page, "
                "so that it joins that revision."
            )
        after[key] = snapshot(owner[0])
    return after


def _all(staged, touched):
    """Staged and touched live records alike, as {key: (record, pending revision or None)}."""
    found = dict(staged)
    for key, owner in (touched or {}).items():
        found.setdefault(key, (owner, None))
    return found


def _keep(record, revision, proposed, user, batch):
    """Store ``proposed`` as the record's pending revision, unless it is the live version.

    Called once the savepoint is rolled back, so the stored rows are the live version.
    """
    live = snapshot(record)
    if comparable(proposed) == comparable(live):
        if revision is not None:
            _close(revision, Revision.State.WITHDRAWN, user, "Its changes were undone.")
        return None
    if revision is not None and comparable(proposed) == comparable(revision.snapshot):
        return revision
    reserve_ids(proposed)
    revision = revision or Revision(record=record, created_by=user, import_batch=batch, version=0)
    revision.snapshot, revision.label = proposed, str(record)[:500]
    revision.version += 1
    revision.changed_by = user
    revision._history_user, revision._history_batch = user, batch
    revision.save()
    return revision


def history_batch(sender, instance, history_instance, **kwargs):
    """pre_create_historical_record receiver: a revision's history names the batch that
    extended it, as the history rows an import writes do."""
    history_instance.import_batch = getattr(instance, "_history_batch", None)


def _close(revision, state, user, note=""):
    revision.state = state
    revision.reviewed_by, revision.reviewed_at = user, timezone.now()
    revision.review_note = note or revision.review_note
    revision._history_user = user
    revision.save()


# Reviewing.


def staged_missing_claims(revision):
    """The claims the revision would publish without a citation, as the gate would see them.

    Read from the snapshot itself, so the cost is the same however many rows it holds.
    """
    data = revision.snapshot
    record = _deserialised(data["record"])
    children = [_deserialised(e) for rows in data["children"].values() for e in rows]
    citations = [_deserialised(entry) for entry in data["citations"]]
    published = Source.objects.published().filter(pk__in={c.source_id for c in citations})
    published_ids = set(published.values_list("pk", flat=True))
    _load_related(children)
    targets = [record, *children]
    return missing_claims_among(targets, [c for c in citations if c.source_id in published_ids])


def _load_related(objs):
    """Give rows their foreign-key targets, one query per model, so they can be named."""
    wanted = {}
    for obj in objs:
        for field in obj._meta.concrete_fields:
            if field.many_to_one and getattr(obj, field.attname) is not None:
                wanted.setdefault(field.related_model, set()).add(getattr(obj, field.attname))
    found = {model: model._default_manager.in_bulk(ids) for model, ids in wanted.items()}
    for obj in objs:
        for field in obj._meta.concrete_fields:
            target = field.many_to_one and found.get(field.related_model, {}).get(
                getattr(obj, field.attname)
            )
            if target:
                field.set_cached_value(obj, target)


def publish_revision(revision, user, override_reason=""):
    """Make the revision live through the gate, or raise ``PublicationRefused``."""
    model = revision.content_type.model_class()
    if not can_publish(user, model):
        raise PermissionDenied("Only editors can publish a revision.")
    override_reason = override_reason.strip()
    with transaction.atomic():
        revision = _pending_or_refuse(revision)
        reason = (
            f"Revision #{revision.pk} by {revision.changed_by or 'an import'}, approved by {user}"
        )
        savepoint = transaction.savepoint()
        record = write_snapshot(revision.snapshot, user, reason)
        missing = missing_claims(record)
        if missing and not override_reason:
            transaction.savepoint_rollback(savepoint)
            raise PublicationRefused(record, missing)
        transaction.savepoint_commit(savepoint)
        _record_override(record, user, override_reason if missing else "", reason)
        revision.override_reason = override_reason if missing else ""
        _close(revision, Revision.State.PUBLISHED, user)
    return missing


def _pending_or_refuse(revision):
    revisions = Revision.objects.filter(pk=revision.pk)
    if connection.features.has_select_for_update:
        revisions = revisions.select_for_update()
    current = revisions.get()
    if not current.is_pending:
        raise RevisionConflict(f"Revision #{current.pk} is already {current.get_state_display()}.")
    return current


def _record_override(record, user, override_reason, reason):
    if record.publication_override_reason == override_reason:
        return
    record.publication_override_reason = override_reason
    record.publication_override_by = user if override_reason else None
    record._history_user, record._change_reason = user, reason
    record.save()


def reject_revision(revision, user, note):
    if not can_publish(user, revision.content_type.model_class()):
        raise PermissionDenied("Only editors can reject a revision.")
    if not note.strip():
        raise ValueError("Say why, for the researcher who proposed it.")
    with transaction.atomic():
        _close(_pending_or_refuse(revision), Revision.State.REJECTED, user, note.strip())


def unpublish(record, user):
    """Unpublish through the gate; a pending revision's work moves into the draft's rows.

    A draft is edited directly, so a revision left pending would later overwrite those edits.
    """
    with transaction.atomic():
        publication.unpublish(record, user)
        revision = pending_revision(record, lock=True)
        if revision is not None:
            write_snapshot(revision.snapshot, user, f"Revision #{revision.pk} kept in the draft")
            _close(revision, Revision.State.WITHDRAWN, user, "Kept in the draft when unpublished.")


def withdraw_revision(revision, user, note=""):
    """Its author, or an editor, takes a pending revision back."""
    model = revision.content_type.model_class()
    if user != revision.created_by and not can_publish(user, model):
        raise PermissionDenied("Only its author or an editor can withdraw a revision.")
    with transaction.atomic():
        _close(_pending_or_refuse(revision), Revision.State.WITHDRAWN, user, note)
