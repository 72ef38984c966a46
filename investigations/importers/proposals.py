"""What a batch would change in published records becomes their pending revisions.

Before the bulk write, ``divert`` takes out of the plan every update of a published
record, and every new child row or citation of one. The rest is written as usual; then
``propose`` makes each published record's share one pending revision linked to the batch,
through the same ``revisions.propose`` the admin uses. An editor's batch with "publish"
publishes those revisions that pass the gate and leaves the rest pending.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from investigations import models as m
from investigations import revisions
from investigations.publication import PublicationRefused

from .rows import NewRow
from .write import prepare


@dataclass
class LiveChange:
    record: object
    fields: set = field(default_factory=set)
    rows: list = field(default_factory=list)  # NewRow of child rows
    citations: list = field(default_factory=list)  # NewRow of Citation
    row_number: int | None = None


def divert(plan):
    """Take the changes to published records out of ``plan``; returns {key: LiveChange}."""
    changes = {}
    _divert_updates(plan, changes)
    _divert_rows(plan, changes)
    _divert_citations(plan, changes)
    live = {id(change.record) for change in changes.values()}
    plan.publishable[:] = [r for r in plan.publishable if id(r) not in live]
    return changes


def _change(changes, record):
    return changes.setdefault((type(record), record.pk), LiveChange(record))


def _divert_updates(plan, changes):
    for model, updated in plan.updated.items():
        if not issubclass(model, m.Publishable):
            continue
        for obj in [obj for obj in updated if obj.is_published]:
            change = _change(changes, obj)
            change.fields |= updated.pop(obj)
            change.row_number = plan.rows.get(id(obj))


def _divert_rows(plan, changes):
    for model, parent_field in revisions.CHILD_PARENT_FIELDS.items():
        rows = plan.created.get(model, [])
        attname = model._meta.get_field(parent_field).attname
        parents = _live(model._meta.get_field(parent_field).related_model, rows, attname)
        if parents:
            kept = []
            for row in rows:
                parent = parents.get(_value(row, attname))
                if parent is None:
                    kept.append(row)
                else:
                    _change(changes, parent).rows.append(row)
            rows[:] = kept


def _live(model, rows, attname):
    """The published records among those the rows point at, by id."""
    ids = {_value(row, attname) for row in rows} - {None}
    return model.objects.published().in_bulk(ids) if ids else {}


def _divert_citations(plan, changes):
    kept = []
    owners = _citation_owners(plan.citations)
    # A citation of a child row planned in this batch goes where that row went.
    diverted = {id(row): change for change in changes.values() for row in change.rows}
    for citation in plan.citations:
        owner = owners.get((citation.get("content_type_id"), citation.get("object_id")))
        planned = diverted.get(id(_cited_row(citation)))
        if planned is not None:
            planned.citations.append(citation)
        elif owner is None:
            kept.append(citation)
        else:
            _change(changes, owner).citations.append(citation)
    plan.citations[:] = kept


def _cited_row(citation):
    """The planned child row a citation backs, if it backs one (``rows.NewRow``)."""
    value = citation.values[citation.names.index("object_id")]
    return value if isinstance(value, NewRow) else None


def _citation_owners(citations):
    """{(content type, id): published owner} for the cited records that have one."""
    ids_by_type = {}
    for citation in citations:
        if citation.get("object_id") is not None:
            ids_by_type.setdefault(citation.get("content_type_id"), set()).add(
                citation.get("object_id")
            )
    owners = {}
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for obj in _with_owner(model).filter(pk__in=ids):
            owner = revisions.owner_of(obj)
            if revisions.is_live(owner):
                owners[(type_id, obj.pk)] = owner
    return owners


def _with_owner(model):
    parent_field = revisions.CHILD_PARENT_FIELDS.get(model)
    queryset = model._default_manager.all()
    return queryset.select_related(parent_field) if parent_field else queryset


def propose(changes, batch, user, publish):
    """One pending revision per published record; returns [[row, record, reason]] of those
    an editor's "publish" left pending."""
    left_pending = []
    for change in changes.values():
        _, kept = revisions.propose([change.record], user, _applier(change), batch=batch)
        for revision in kept if publish else ():
            try:
                revisions.publish_revision(revision, user)
            except PublicationRefused as refused:
                left_pending.append(
                    [change.row_number, str(change.record), str(refused.missing[0])]
                )
    return left_pending


def _applier(change):
    def apply():
        record = type(change.record).objects.get(pk=change.record.pk)
        for name in change.fields:
            setattr(
                record, name, getattr(change.record, name)
            )  # a record planned here has its id now
        record.save()
        for row in [*change.rows, *change.citations]:
            saved = _instance(row)
            saved.save()
            if isinstance(row, NewRow):
                row.pk = saved.pk  # a citation of this row, saved after it, points at it

    return apply


def _value(row, attname):
    """A planned row's value: a ``NewRow``'s, or an instance's (sheets of child rows)."""
    return row.get(attname) if isinstance(row, NewRow) else getattr(row, attname)


def _instance(row):
    if isinstance(row, NewRow):
        return row.instance()
    prepare(row)  # its parent may be a record planned in this batch, written since
    return row


def withdraw(batch, user):
    """Undoing a batch withdraws the revisions it proposed that are still pending."""
    for revision in batch.revisions.pending():
        revisions.withdraw_revision(revision, user, f"Import batch #{batch.pk} was undone.")
