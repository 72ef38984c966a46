"""What a batch of records may say in an export, and the citations that back it.

The pages' own rule (``Footnotes``) withholds claims backed only by unpublished sources;
an export must withhold the same ones. What backs the rest is each record's fresh
citations to published sources, fetched for the whole batch in one query.
"""

from collections import defaultdict
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from investigations.citations import Footnotes
from investigations.models import Citation, blank_private_links, is_stale
from investigations.prose import MARKER


def record_id(record):
    """A record's id in every export: ``<FTM_ID_PREFIX>-<model>-<pk>``, which a rename keeps."""
    return f"{settings.FTM_ID_PREFIX}-{record._meta.model_name}-{record.pk}"


def public_url(path, base_url=None):
    """An absolute address on the public site: ``base_url`` (a request's) or the setting's."""
    return urljoin(base_url or settings.PUBLIC_SITE_URL, path)


class Provenance:
    """The records of one batch, as the public may read them, with their citations."""

    def __init__(self, records):
        records = blank_private_links([record for record in records if record is not None])
        self.footnotes = Footnotes(records)
        self.shown = {_key(record) for record in self.footnotes.withhold(records)}
        self._citations = defaultdict(list)
        by_key = {_key(record): record for record in records}
        citations = Citation.objects.for_objects(records).with_published_source()
        for citation in citations.select_related("source").order_by("pk"):
            record = by_key[(citation.content_type_id, citation.object_id)]
            if not is_stale(citation, record):
                self._citations[_key(record)].append(citation)

    def is_shown(self, record):
        """False for a row whose existence only unpublished sources back."""
        return _key(record) in self.shown

    def citations(self, record):
        return self._citations.get(_key(record), [])

    def prose(self, record, field_name):
        """The prose without withheld passages, and without its ``[^key]`` markers."""
        return MARKER.sub("", self.footnotes.visible_prose(record, field_name)).strip()


def _key(record):
    return ContentType.objects.get_for_model(record).pk, record.pk
