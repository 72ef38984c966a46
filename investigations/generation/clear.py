"""Finding and deleting generated records, and nothing else.

Generated records carry slugs that begin ``generated--``; their child rows, citations and
search documents are found through them. Curated and demo records are never deleted: if one of them links
to a generated record, the database refuses the delete and nothing is lost.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from investigations import models, search

from .base import PREFIX

TOP_LEVEL = (
    models.Concern,
    models.Contract,
    models.Site,
    models.Framework,
    models.Person,
    models.Organisation,
    models.Source,
)
# (model, foreign key column, parent): children go before their parents, and a kind
# before the kinds it links to.
CHILDREN = (
    (models.Concern.contracts.through, "concern_id", models.Concern),
    (models.Concern.people.through, "concern_id", models.Concern),
    (models.ConcernParty, "concern_id", models.Concern),
    (models.ContractParty, "contract_id", models.Contract),
    (models.SiteRole, "site_id", models.Site),
    (models.FrameworkMembership, "framework_id", models.Framework),
    (models.Role, "person_id", models.Person),
    (models.Relationship, "subject_id", models.Organisation),
    (models.FinancialFiling, "organisation_id", models.Organisation),
    (models.Identifier, "organisation_id", models.Organisation),
    (models.OrganisationAlias, "organisation_id", models.Organisation),
)


def generated_counts():
    """How many generated records of each top-level kind the database holds."""
    counts = {}
    for model in TOP_LEVEL:
        count = model.objects.filter(slug__startswith=PREFIX).count()
        if count:
            counts[model._meta.verbose_name_plural] = count
    return counts


def _generated(model):
    return f"SELECT id FROM {model._meta.db_table} WHERE {_slug_matches()}"  # noqa: S608


def _slug_matches():
    # GLOB is case-sensitive, so SQLite reads it from the slug's index; LIKE is not.
    return "slug GLOB %s" if connection.vendor == "sqlite" else "slug LIKE %s"


def _pattern():
    return f"{PREFIX}*" if connection.vendor == "sqlite" else f"{PREFIX}%"


def delete_generated():
    """Delete every generated record with its child rows, citations and search documents,
    in one transaction."""
    pattern = [_pattern()]
    with transaction.atomic(), connection.cursor() as cursor:
        for kind in models.PUBLIC_KINDS:
            cursor.execute(
                f"DELETE FROM {search.TABLE} WHERE kind = %s"  # noqa: S608
                f" AND record_id IN ({_generated(kind.model)})",
                [kind.key, *pattern],
            )
        for model, column, parent in CHILDREN:
            rows = f"SELECT id FROM {model._meta.db_table} WHERE {column} IN ({_generated(parent)})"  # noqa: S608
            _delete_citations(cursor, model, rows, pattern)
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id IN ({rows})", pattern)  # noqa: S608
        for model in TOP_LEVEL:
            _delete_citations(cursor, model, _generated(model), pattern)
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE {_slug_matches()}", pattern)  # noqa: S608


def _delete_citations(cursor, model, rows, params):
    if model._meta.auto_created:
        return  # a many-to-many row is not cited
    content_type = ContentType.objects.get_for_model(model)
    cursor.execute(
        f"DELETE FROM {models.Citation._meta.db_table} WHERE content_type_id = %s"  # noqa: S608
        f" AND object_id IN ({rows})",
        [content_type.pk, *params],
    )
