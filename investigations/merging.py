"""Merging two records of one kind (organisations, people, sources) into one, and undoing it.

``plan_merge`` is the dry run: every row that points at the merged record and would move to
the kept one, every row dropped because the kept record already has its like (the same
party twice), and whatever blocks the merge. ``merge`` does it in one transaction:

- the rows move, each saved with a reason, so their history says "merged";
- a dropped row's citations move to the kept record's row of which it was a repeat;
- an organisation's merged name becomes a variant alias of the kept one, cited by what
  cited the merged record; people and sources have no aliases, so their old name or title
  stays in the Merge row and in history only;
- the merged record is soft-deleted and its address (and the old addresses it had) redirect
  permanently to the kept record;
- the publication gate still holds: if the kept record, or a published record that owns a
  moved row, would gain an uncited claim, the whole merge is refused and nothing changes.

A record with a pending revision (or a moved row whose owner has one) is not merged: the
revision's snapshot still names the merged record. ``undo_merge`` takes every step back
from the ``Merge`` row's JSON record of what moved.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from investigations import models as m
from investigations.publication import missing_claims
from investigations.revisions import owner_of, pending_revision
from investigations.roles import can_publish, curated_models

MERGEABLE = (m.Organisation, m.Person, m.Source)

# Among one kind of row pointing at a record, the fields that make two rows "the same row":
# a second one pointing at the kept record would repeat it or break a unique constraint.
SAME_ROW = {
    (m.ContractParty, "organisation"): ("contract_id", "role"),
    (m.ConcernParty, "organisation"): ("concern_id",),
    (m.FinancialFiling, "organisation"): ("period_end", "period_months"),
    (m.FrameworkMembership, "organisation"): ("framework_id", "lot"),
    (m.OrganisationAlias, "organisation"): ("normalised_name",),
    (m.SiteRole, "organisation"): ("site_id", "kind", "start"),
    (m.Role, "organisation"): ("person_id", "kind", "start"),
    (m.Role, "person"): ("organisation_id", "kind", "start"),
    (m.Relationship, "subject"): ("kind", "object_id", "start"),
    (m.Relationship, "object"): ("subject_id", "kind", "start"),
    (m.Citation, "source"): (
        "content_type_id", "object_id", "field_name", "marker", "quote", "locator",
    ),
}  # fmt: skip
SAME_CITATION = ("field_name", "marker", "source_id", "quote", "locator")
# A relationship between the two records would become one from the kept record to itself.
REFLEXIVE = {(m.Relationship, "subject"): "object_id", (m.Relationship, "object"): "subject_id"}


class MergeRefused(Exception):
    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


@dataclass
class Move:
    row: object
    field: str  # the foreign key that points at the merged record, or "record" (citations)
    instead: object = None  # for a dropped row: the kept record's row it repeats
    why: str = ""

    def line(self):
        label = f"{self.row._meta.verbose_name} “{self.row}” (#{self.row.pk})"
        if self.why:
            return f"Dropped {label}: {self.why}"
        return f"Moves {label} ({self.field})"


@dataclass
class MergePlan:
    kept: object
    merged: object
    moves: list = field(default_factory=list)
    drops: list = field(default_factory=list)
    members: list = field(default_factory=list)  # (record, field) naming it in a many-to-many
    alias: str = ""  # the merged organisation's name, to become an alias of the kept one
    blockers: list = field(default_factory=list)

    def lines(self):
        lines = [move.line() for move in self.moves]
        lines += [
            f"Moves {r._meta.verbose_name} “{r}” (#{r.pk}) ({name})" for r, name in self.members
        ]
        lines += [drop.line() for drop in self.drops]
        if self.alias:
            lines.append(f"Keeps “{self.alias}” as an alias of “{self.kept}”")
        lines.append(f"Redirects the address of “{self.merged}” to “{self.kept}” (301)")
        return lines


def may_merge(user, model):
    """Editors only: a merge changes published records without a revision."""
    return model in MERGEABLE and can_publish(user, model)


def plan_merge(kept, merged):
    """The dry run: what would move, what would be dropped, and what blocks the merge."""
    plan = MergePlan(kept, merged)
    plan.blockers = _blockers(kept, merged)
    if plan.blockers and type(kept) is not type(merged):
        return plan
    for model, name, many in _pointing_fields(type(merged)):
        if many:
            rows = model._default_manager.filter(**{name: merged})
            plan.members += [(row, name) for row in rows]
        else:
            _plan_rows(plan, model, name)
    _plan_citations(plan)
    if isinstance(merged, m.Organisation) and _new_alias(plan):
        plan.alias = merged.name
    plan.blockers += _pending_owners(plan)
    return plan


def _pointing_fields(model):
    """(model, field name, is many-to-many) of every curated field that points at ``model``,
    hidden ones ("its parent at the time") included."""
    for other in curated_models():
        for found in other._meta.get_fields():
            pointing = found.concrete and found.is_relation and found.related_model is model
            if pointing and (found.many_to_one or found.many_to_many):
                yield other, found.name, found.many_to_many


def _blockers(kept, merged):
    if type(kept) is not type(merged) or type(kept) not in MERGEABLE:
        return ["Only two organisations, two people or two sources can be merged."]
    blockers = []
    if kept.pk == merged.pk:
        blockers.append("A record cannot be merged into itself.")
    if merged.deleted_at or kept.deleted_at:
        blockers.append("A deleted record cannot be merged: restore it first.")
    for record in (kept, merged):
        if pending_revision(record):
            blockers.append(f"“{record}” has a pending revision: publish or withdraw it first.")
    return blockers


def _plan_rows(plan, model, name):
    kept, merged = plan.kept, plan.merged
    rows = list(_with_labels(model).filter(**{name: merged}))
    same = SAME_ROW.get((model, name))
    kept_rows = {}
    if same:
        for row in model._default_manager.filter(**{name: kept}):
            kept_rows.setdefault(tuple(getattr(row, f) for f in same), row)
    for row in rows:
        other = REFLEXIVE.get((model, name))
        if other and getattr(row, other) == kept.pk:
            plan.drops.append(Move(row, name, why=f"it would tie “{kept}” to itself"))
            continue
        repeat = same and kept_rows.get(tuple(getattr(row, f) for f in same))
        if repeat:
            why = f"“{kept}” already has it (#{repeat.pk}); its citations move there"
            plan.drops.append(Move(row, name, instead=repeat, why=why))
        else:
            plan.moves.append(Move(row, name))


def _with_labels(model):
    """Rows loaded with the records their labels (``__str__``) and owners name."""
    related = [f.name for f in model._meta.fields if f.many_to_one and f.name != "content_type"]
    return model._default_manager.select_related(*related)


def _plan_citations(plan):
    kept_citations = {
        tuple(getattr(c, f) for f in SAME_CITATION) for c in plan.kept.citations.all()
    }
    for citation in plan.merged.citations.select_related("source"):
        if tuple(getattr(citation, f) for f in SAME_CITATION) in kept_citations:
            plan.drops.append(Move(citation, "record", why=f"“{plan.kept}” has the same citation"))
        else:
            plan.moves.append(Move(citation, "record"))


def _new_alias(plan):
    """Whether the merged name is a spelling the kept record does not have yet (a spelling
    that only normalises to the same name is still kept: it is what the record was called)."""
    aliases = [*plan.kept.aliases.all()]
    aliases += [move.row for move in plan.moves if isinstance(move.row, m.OrganisationAlias)]
    names = {plan.kept.name.lower(), *(alias.name.lower() for alias in aliases)}
    return plan.merged.name.lower() not in names


def _pending_owners(plan):
    owners = {}
    ends = {_key(plan.kept), _key(plan.merged)}
    for row in [*(move.row for move in [*plan.moves, *plan.drops]), *(r for r, _ in plan.members)]:
        owner = owner_of(row)
        if owner is not None and _key(owner) not in ends:
            owners[_key(owner)] = owner
    return [
        f"“{owner}” has a pending revision that names “{plan.merged}”: publish or withdraw it first."
        for owner in owners.values()
        if pending_revision(owner)
    ]


def merge(kept, merged, user):
    """Merge ``merged`` into ``kept`` in one transaction; returns the ``Merge`` row."""
    if not may_merge(user, type(kept)):
        raise PermissionDenied("Only editors can merge records.")
    with transaction.atomic():
        plan = plan_merge(kept, merged)
        if plan.blockers:
            raise MergeRefused(plan.blockers)
        before = _gate(plan)
        moved = _carry_out(plan, user)
        _hold_the_gate(plan, before)
        return m.Merge.objects.create(
            content_type=ContentType.objects.get_for_model(kept),
            kept_id=kept.pk,
            merged_id=merged.pk,
            kept_label=str(kept)[:500],
            merged_label=str(merged)[:500],
            moved=moved,
            report=plan.lines(),
            user=user,
        )


def _gate(plan):
    """{published record: its uncited claims} for the records whose claims a merge touches."""
    owners = {_key(plan.kept): plan.kept}
    for row in [*(move.row for move in plan.moves), *(r for r, _ in plan.members)]:
        owner = owner_of(row)
        if owner is not None and _key(owner) != _key(plan.merged):
            owners[_key(owner)] = owner
    fresh = {key: _fresh(owner) for key, owner in owners.items()}
    return {
        key: {str(claim) for claim in missing_claims(owner)}
        for key, owner in fresh.items()
        if owner.is_published
    }


def _hold_the_gate(plan, before):
    after = _gate(plan)
    added = sorted(
        claim for key, claims in after.items() for claim in claims - before.get(key, set())
    )
    if added:
        raise MergeRefused(["The merge would publish uncited claims:", *added])


def _key(record):
    return type(record), record.pk


def _fresh(record):
    return type(record)._default_manager.get(pk=record.pk)


def _carry_out(plan, user):
    kept, merged = plan.kept, plan.merged
    reason = f"Merged “{merged}” (#{merged.pk}) into “{kept}” (#{kept.pk})"
    moved = {"rows": [], "dropped": [], "members": []}
    for drop in plan.drops:
        moved["dropped"].append(_drop(drop, user, reason))
    for move in plan.moves:
        _point(move.row, move.field, kept, user, reason)
        moved["rows"].append([_label(move.row), move.row.pk, move.field])
    for row, name in plan.members:
        getattr(row, name).remove(merged)
        getattr(row, name).add(kept)
        moved["members"].append([_label(row), row.pk, name])
    moved["alias"] = _make_alias(plan, user, reason)
    moved["redirects"] = _redirect(kept, merged)
    moved["merged_deleted_at"] = None
    merged.deleted_at = timezone.now()
    _save(merged, user, reason)
    _save(kept, user, reason)
    return moved


def _point(row, name, record, user, reason):
    if name == "record":
        row.object_id = record.pk
    else:
        setattr(row, row._meta.get_field(name).attname, record.pk)
    _save(row, user, reason)


def _drop(drop, user, reason):
    """Delete a repeated row, first moving its citations to the row it repeats; a row that
    repeats none (a tie of the kept record to itself) is kept, citations and all, in JSON."""
    row = drop.row
    citations = list(row.citations.all()) if hasattr(row, "citations") else []
    kept = citations if drop.instead is None else []
    for citation in citations if drop.instead is not None else ():
        _point(citation, "record", drop.instead, user, reason)
    data = serializers.serialize("json", [row, *kept])
    row.delete()
    return {"rows": data, "citations": [c.pk for c in citations if drop.instead is not None]}


def _make_alias(plan, user, reason):
    if not plan.alias:
        return None
    alias = m.OrganisationAlias(organisation=plan.kept, name=plan.alias)
    _save(alias, user, reason)
    record_citations = m.Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(plan.kept), object_id=plan.kept.pk,
        field_name="", pk__in=[move.row.pk for move in plan.moves if move.field == "record"],
    )  # fmt: skip
    for citation in record_citations:
        copy = m.Citation(record=alias, source_id=citation.source_id, quote=citation.quote,
                          locator=citation.locator, confidence=citation.confidence)  # fmt: skip
        _save(copy, user, reason)
    return alias.pk


def _redirect(kept, merged):
    """The merged record's address, and every old address it had, now lead to the kept one."""
    content_type = ContentType.objects.get_for_model(kept)
    old = m.SlugRedirect.objects.filter(content_type=content_type, object_id=merged.pk)
    repointed = list(old.values_list("pk", flat=True))
    old.update(object_id=kept.pk)
    made = m.SlugRedirect.objects.create(
        content_type=content_type, object_id=kept.pk, old_slug=merged.slug
    )
    return {"repointed": repointed, "made": made.pk}


def _save(obj, user, reason):
    obj._history_user = user
    obj._change_reason = reason
    obj.save()


def _label(row):
    return row._meta.label_lower


def undo_merge(merge_row, user):
    """Take a merge back: the merged record returns with every row that moved or was dropped."""
    model = merge_row.content_type.model_class()
    if not may_merge(user, model):
        raise PermissionDenied("Only editors can undo a merge.")
    if merge_row.undone_at:
        raise MergeRefused(["This merge was undone already."])
    with transaction.atomic():
        kept = model._default_manager.filter(pk=merge_row.kept_id).first()
        merged = model._default_manager.filter(pk=merge_row.merged_id).first()
        if kept is None or merged is None:
            raise MergeRefused(["One of the two records has since been deleted for good."])
        moved, reason = merge_row.moved, f"Undid the merge of “{merged}” into “{kept}”"
        if moved["alias"]:
            m.OrganisationAlias.objects.filter(pk=moved["alias"]).delete()
        _take_back_redirects(moved["redirects"], merged)
        for label, pk, name in moved["rows"]:
            row = _model(label)._default_manager.filter(pk=pk).first()
            if row is not None:
                _point(row, name, merged, user, reason)
        for label, pk, name in moved["members"]:
            for row in _model(label)._default_manager.filter(pk=pk):
                getattr(row, name).remove(kept)
                getattr(row, name).add(merged)
        for dropped in moved["dropped"]:
            _restore(dropped, user, reason)
        merged.deleted_at = moved["merged_deleted_at"]
        _save(merged, user, reason)
        _save(kept, user, reason)
        merge_row.undone_at, merge_row.undone_by = timezone.now(), user
        merge_row.save()


def _take_back_redirects(redirects, merged):
    m.SlugRedirect.objects.filter(pk=redirects["made"]).delete()
    m.SlugRedirect.objects.filter(pk__in=redirects["repointed"]).update(object_id=merged.pk)


def _restore(dropped, user, reason):
    row, *citations = (
        restored.object for restored in serializers.deserialize("json", dropped["rows"])
    )
    for obj in (row, *citations):
        _save(obj, user, reason)
    for citation in m.Citation.objects.filter(pk__in=dropped["citations"]):
        _point(citation, "record", row, user, reason)


def _model(label):
    app_label, model_name = label.split(".")
    return ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
