"""The publication gate: what a record claims, which claims lack citations, and publishing.

A record's claims are its existence (and identity: name, kind), each non-empty field in
``claim_fields``, each passage of each field in ``prose_fields``, and the same for each child
row named in ``claim_children`` (a contract's parties, an organisation's filings). Only
citations whose source is itself published count, because the public could not follow the
others.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Citation
from .prose import markers_in, passages
from .roles import can_publish

EMPTY_VALUES = (None, "", "unknown")
# Fields only the gate writes; a form save, a history revert or a revision never changes them.
GATE_FIELDS = (
    "status",
    "published_at",
    "publication_override_reason",
    "publication_override_by",
    "deleted_at",
)


@dataclass(frozen=True)
class MissingClaim:
    record: object
    field: str
    description: str

    def __str__(self):
        return f"{_record_label(self.record)}: {self.description}"


class PublicationRefused(Exception):
    def __init__(self, record, missing):
        self.record = record
        self.missing = missing
        super().__init__(f"{record} has {len(missing)} uncited claim(s)")


def claim_targets(record):
    """The record and the child rows whose claims it publishes with it."""
    targets = [record]
    for name in record.claim_children:
        targets.extend(getattr(record, name).all())
    return targets


def missing_claims(record):
    """Every claim of the record (and its child rows) that no published source backs."""
    targets = claim_targets(record)
    citations = Citation.objects.for_objects(targets).with_published_source()
    return missing_claims_among(targets, citations)


def missing_claims_among(targets, citations):
    """The claims of ``targets`` that none of ``citations`` (of published sources) backs."""
    cited = defaultdict(set)
    for citation in citations:
        key = (citation.content_type_id, citation.object_id)
        cited[key].add((citation.field_name, citation.marker))
    missing = []
    for target in targets:
        missing.extend(_missing_for(target, cited[_key(target)]))
    return missing


def _key(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk, obj.pk


def _missing_for(target, cited):
    fields_cited = {field for field, _ in cited}
    if target.requires_record_citation and "" not in fields_cited:
        yield MissingClaim(target, "", "the record itself has no citation")
    for name in target.claim_fields:
        field = target._meta.get_field(name)
        if getattr(target, field.attname) not in EMPTY_VALUES and name not in fields_cited:
            yield MissingClaim(target, name, f"“{field.verbose_name}” has no citation")
    for name in target.prose_fields:
        yield from _missing_in_prose(target, name, cited)


def _missing_in_prose(target, name, cited):
    label = target._meta.get_field(name).verbose_name
    for passage in passages(getattr(target, name)):
        markers = markers_in(passage)
        if not markers:
            excerpt = passage if len(passage) <= 60 else passage[:57] + "…"
            yield MissingClaim(target, name, f"a passage of “{label}” has no citation: “{excerpt}”")
        for marker in markers:
            if (name, marker) not in cited:
                yield MissingClaim(target, name, f"[^{marker}] in “{label}” has no citation")


def _record_label(record):
    return f"{record._meta.verbose_name.capitalize()} “{record}”"


def publish(record, user, override_reason=""):
    """Publish a record, or refuse: without permission, or with uncited claims and no reason."""
    if not can_publish(user, type(record)):
        raise PermissionDenied("Only editors can publish.")
    override_reason = override_reason.strip()
    missing = missing_claims(record)
    if missing and not override_reason:
        raise PublicationRefused(record, missing)
    record.mark_published(override_reason if missing else "", user)
    _save_as(record, user)
    return missing


def unpublish(record, user):
    if not can_publish(user, type(record)):
        raise PermissionDenied("Only editors can unpublish.")
    record.mark_draft()
    _save_as(record, user)


def soft_delete(record, user):
    """Hide a record from everyone but the admin; an editor can restore it."""
    if record.is_published and not can_publish(user, type(record)):
        raise PermissionDenied("Only editors can delete a published record.")
    record.deleted_at = timezone.now()
    _save_as(record, user)


def restore(record, user):
    if not can_publish(user, type(record)):
        raise PermissionDenied("Only editors can restore a deleted record.")
    record.deleted_at = None
    _save_as(record, user)


def _save_as(record, user):
    record._history_user = user
    with transaction.atomic():
        record.save()
