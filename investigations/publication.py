"""The publication gate: what a record claims, which claims lack citations, and publishing.

A record's claims are its existence (and identity: name, kind), each non-empty field in
``claim_fields``, each passage of each field in ``prose_fields``, and the same for each child
row named in ``claim_children`` (a contract's parties, an organisation's filings). Only
citations whose source is itself published count, because the public could not follow the
others; and only fresh ones: a citation made for a value the record no longer has is stale.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Citation, claim_value, is_stale, needs_citation
from .prose import markers_in, passages
from .roles import can_publish

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
    """Every claim of the record (and its child rows) that no fresh published citation backs."""
    targets = claim_targets(record)
    citations = Citation.objects.for_objects(targets).with_published_source()
    return missing_claims_among(targets, citations)


def missing_claims_among(targets, citations):
    """The claims of ``targets`` that none of ``citations`` (of published sources) backs
    with the value it holds now."""
    by_key = {_key(target): target for target in targets}
    cited, stale = defaultdict(set), defaultdict(dict)
    for citation in citations:
        key = (citation.content_type_id, citation.object_id)
        claim = (citation.field_name, citation.marker)
        if is_stale(citation, by_key[key]):
            stale[key].setdefault(claim, citation.confirmed_value)
        else:
            cited[key].add(claim)
    missing = []
    for target in targets:
        key = _key(target)
        missing.extend(_missing_for(target, cited[key], stale[key]))
    return missing


def _key(obj):
    return ContentType.objects.get_for_model(obj).pk, obj.pk


def _missing_for(target, cited, stale):
    """The target's uncited claims; ``stale`` maps a claim cited only for an old value to it."""
    fields_cited = {field for field, _ in cited}
    if target.requires_record_citation and "" not in fields_cited:
        yield MissingClaim(target, "", "the record itself has no citation")
    for name in target.claim_fields:
        if needs_citation(target, name) and name not in fields_cited:
            yield MissingClaim(target, name, _uncited_field(target, name, stale.get((name, ""))))
    for name in target.prose_fields:
        yield from _missing_in_prose(target, name, cited, stale)


def _uncited_field(target, name, old_value):
    label = target._meta.get_field(name).verbose_name
    if old_value is None:
        return f"“{label}” has no citation"
    return f"“{label}” is cited for “{old_value}”, not “{claim_value(target, name)}”"


def _missing_in_prose(target, name, cited, stale):
    label = target._meta.get_field(name).verbose_name
    for passage in passages(getattr(target, name)):
        markers = markers_in(passage)
        if not markers:
            excerpt = _excerpt(passage)
            yield MissingClaim(target, name, f"a passage of “{label}” has no citation: “{excerpt}”")
        for marker in markers:
            if (name, marker) not in cited:
                why = _uncited_marker(stale.get((name, marker)))
                yield MissingClaim(target, name, f"[^{marker}] in “{label}” {why}")


def _uncited_marker(old_words):
    if old_words is None:
        return "has no citation"
    return f"is cited for other words: “{_excerpt(old_words)}”"


def _excerpt(text):
    return text if len(text) <= 60 else text[:57] + "…"


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
