"""What the API shows of loaded records' claims, by the rules the public pages follow.

Links to records the public may not see are blanked (``blank_private_links``); claims
backed only by unpublished sources are withheld (``Footnotes.withhold``); each record gets
its citations to published sources, each marked stale or not by ``is_stale``, the rule that
also keeps stale citations out of the pages' footnotes.
"""

from django.contrib.contenttypes.models import ContentType

from investigations.citations import Footnotes
from investigations.models import Citation, blank_private_links, is_stale


def record_key(record):
    return ContentType.objects.get_for_model(record).pk, record.pk


def public_claims(records):
    """Blank private links; return the records' ``Footnotes`` (one query), which
    ``attach_citations`` and ``withhold_claims`` then use."""
    return Footnotes(blank_private_links([record for record in records if record is not None]))


def attach_citations(footnotes, records):
    """Give each record ``public_citations``: those to published sources, each marked stale
    or not, of every claim not withheld. One query; call before ``withhold_claims``, since
    staleness is judged against the values as they stand."""
    by_key = {}
    for record in records:
        record.public_citations = []
        by_key[record_key(record)] = record
    citations = (
        Citation.objects.for_objects(records)
        .with_published_source()
        .select_related("source")
        .order_by("pk")
    )
    for citation in citations:
        record = by_key[(citation.content_type_id, citation.object_id)]
        if not footnotes.withheld(record, citation.field_name, citation.marker):
            citation.stale = is_stale(citation, record)
            record.public_citations.append(citation)


def withhold_claims(footnotes, records):
    """Blank withheld fields and prose passages; return the records not withheld whole."""
    shown = footnotes.withhold(records)
    for record in records:
        for name in record.prose_fields:
            setattr(record, name, footnotes.visible_prose(record, name))
    return shown
