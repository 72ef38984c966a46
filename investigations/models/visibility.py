"""What the public may see: the one rule, and the helpers every public page builds on.

A record with a publication status is public when it is published and not deleted. A row
that hangs from other records (an alias, a contract party, a relationship between two
organisations) is public when the records it names in ``public_parents`` are. Querysets
(``published()``), joins from a related row (``published_through``), one loaded record
(``is_public``) and loaded records' links (``blank_private_links``) all follow from it.
"""

from functools import cache

from django.db import models


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def published_through(relation=""):
    """The status rule for the record at the end of ``relation`` (blank: the row itself),
    as a join.

    ``contract__in=Contract.objects.published()`` makes SQLite list every published
    contract to test a handful of rows; the join tests just those rows.
    """
    prefix = f"{relation}__" if relation else ""
    return models.Q(
        **{f"{prefix}status": PublicationStatus.PUBLISHED, f"{prefix}deleted_at__isnull": True}
    )


def published_index(*fields, name):
    """An index of the rows the public may see, in the order of ``fields``.

    The rule is the index's condition, not its leading columns: PostgreSQL reads no order
    from an index after a column tested with IS NULL (``deleted_at``), so a list ordered
    by (status, deleted_at, name) sorted every published row to show 25 of them. The
    rule's columns still close the index: SQLite reads a row it does not hold from the
    table, even one its condition answers, and a deep page would read 10,000 rows.
    """
    columns = [*fields, "status", "deleted_at"]
    return models.Index(fields=columns, name=name, condition=published_through())


def has_status(model):
    """True for models an editor publishes; child rows have no status of their own."""
    return getattr(model, "Status", None) is PublicationStatus


def public_rule(model, relation=""):
    """The whole rule for a ``model`` row at the end of ``relation``: its status, then its
    parents', and theirs."""
    rule = published_through(relation) if has_status(model) else models.Q()
    for parent in model.public_parents:
        path = f"{relation}__{parent}" if relation else parent
        rule &= public_rule(model._meta.get_field(parent).related_model, path)
    return rule


class PublicQuerySet(models.QuerySet):
    def published(self):
        """The rows the public may see."""
        return self.filter(public_rule(self.model))


class PublishableQuerySet(PublicQuerySet):
    def visible_to(self, user):
        """Staff who may view these records see drafts too; everyone else what is published."""
        opts = self.model._meta
        may_view = user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        return self if user.is_active and user.is_staff and may_view else self.published()

    def drafts(self):
        return self.filter(status=PublicationStatus.DRAFT, deleted_at__isnull=True)


def has_public_status(record):
    """The status rule for one loaded record: published and not deleted."""
    return record.status == PublicationStatus.PUBLISHED and record.deleted_at is None


def is_public(record):
    """The whole rule for one loaded record. Parents not loaded are read from the database."""
    if record is None or (has_status(type(record)) and not has_public_status(record)):
        return False
    return all(is_public(getattr(record, parent)) for parent in record.public_parents)


@cache
def links_to_check(model):
    """Nullable foreign keys to records with a status: they may point at a draft."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and field.null and has_status(field.related_model)
    )


def blank_private_links(records):
    """Set to None, in memory, each nullable link to a record the public may not see, so
    that templates receive public records only. Returns the records.

    Links not loaded yet are read here, as the template would have read them.
    """
    for record in records:
        for field in links_to_check(type(record)):
            if getattr(record, field.attname) is not None and not is_public(
                getattr(record, field.name)
            ):
                setattr(record, field.name, None)
    return records
