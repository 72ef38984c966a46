"""Sources, and the citations that tie one claim to one source."""

import hashlib
from pathlib import PurePosixPath

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from investigations.uploads import stored_file_name, validate_source_file

from .base import Publishable, Sluggable, history
from .claim_values import claim_value, is_stale
from .dates import PartialDateField
from .validators import web_address
from .visibility import published_index, published_through


class Source(Sluggable, Publishable):
    """Where claims come from: a document, web page, filing, FOI response or dataset."""

    class Kind(models.TextChoices):
        NEWS_ARTICLE = "news_article", "News article"
        PRESS_RELEASE = "press_release", "Press release"
        COMPANY_FILING = "company_filing", "Company filing"
        ANNUAL_REPORT = "annual_report", "Annual report or results statement"
        REGULATOR_RECORD = "regulator_record", "Regulator record"
        FOI_RESPONSE = "foi_response", "FOI response"
        OFFICIAL_REPORT = "official_report", "Official report"
        WEBSITE = "website", "Organisation's website"
        DATASET = "dataset", "Dataset or database"
        INVESTIGATION = "investigation", "Published investigation"
        OTHER = "other", "Other"

    class Reliability(models.TextChoices):
        """Source types of the Beneficial Ownership Data Standard."""

        OFFICIAL_REGISTER = "official_register", "Official register"
        SELF_DECLARATION = "self_declaration", "Self-declaration"
        THIRD_PARTY = "third_party", "Third party"
        PRIMARY_RESEARCH = "primary_research", "Primary research"

    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    source_type = models.CharField(
        max_length=20, choices=Reliability.choices, default=Reliability.THIRD_PARTY
    )
    publisher = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_on = PartialDateField("publication date")
    url = models.URLField("URL", max_length=1000, blank=True, validators=[web_address])
    archived_url = models.URLField(
        "archived copy URL", max_length=1000, blank=True, validators=[web_address]
    )
    accessed_on = models.DateField("date accessed", null=True, blank=True)
    file = models.FileField(
        upload_to=stored_file_name,
        blank=True,
        validators=[validate_source_file],
        help_text="A PDF, a PNG, JPEG or WebP image, plain text or CSV, or an XLSX, DOCX, ODS "
        "or ODT document. It is stored under a random name and served only while the "
        "source is published.",
    )
    original_name = models.CharField(
        "original file name", max_length=255, blank=True, editable=False
    )
    file_sha256 = models.CharField("file SHA-256", max_length=64, blank=True, editable=False)
    notes = models.TextField(blank=True)

    slug_source_field = "title"
    requires_record_citation = False

    class Meta:
        ordering = ["title"]
        permissions = [("publish_source", "Can publish and unpublish sources")]
        indexes = [
            models.Index(fields=["status", "-updated_at"]),
            # The admin's list: not deleted, by title and then newest first.
            models.Index(fields=["deleted_at", "title", "-id"]),
            # The public list in its orders, read and counted from the index alone.
            published_index("title", "id", name="source_public_by_title"),
            published_index("-published_on", "id", name="source_public_by_date"),
            # The list of one kind in its default order: else PostgreSQL sorts every news
            # article at a million contracts to show 25 (12 ms), and counts them from the table.
            published_index("kind", "title", "id", name="source_public_by_kind"),
        ]

    def __str__(self):
        date = f" ({self.published_on.display})" if self.published_on else ""
        return f"{self.title}{date}"

    def get_absolute_url(self):
        return reverse("source_detail", args=[self.slug])

    def save(self, *args, **kwargs):
        if not self.file:
            self.original_name = self.file_sha256 = ""
        elif not self.file._committed:  # a new upload, replacing any earlier file
            self.original_name = PurePosixPath(self.file.name).name[:255]
            self.file_sha256 = sha256_of(self.file)
        elif not self.file_sha256:
            self.file_sha256 = sha256_of(self.file)
        super().save(*args, **kwargs)


def sha256_of(file):
    digest = hashlib.sha256()
    file.open("rb")
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


class CitationQuerySet(models.QuerySet):
    def for_objects(self, objects):
        """Citations of any of these records (of any models), in one query."""
        by_type = {}
        for obj in objects:
            by_type.setdefault(ContentType.objects.get_for_model(obj), set()).add(obj.pk)
        condition = models.Q(pk__in=[])
        for content_type, ids in by_type.items():
            condition |= models.Q(content_type=content_type, object_id__in=ids)
        return self.filter(condition)

    def with_published_source(self):
        return self.filter(published_through("source"))


class Citation(models.Model):
    """One claim backed by one source.

    The claim is a whole record (``field_name`` blank), one field's value (``field_name``
    names the field), or a passage of prose (``field_name`` names the Markdown field and
    ``marker`` is the key the prose uses, as in ``[^marker]``).
    """

    class Confidence(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(
        max_length=100, blank=True, help_text="Blank when the citation backs the whole record."
    )
    marker = models.SlugField(
        max_length=50, blank=True, help_text="For prose: the key used in the text as [^key]."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="supported_claims")
    quote = models.TextField("quoted passage", blank=True)
    locator = models.CharField(
        max_length=200, blank=True, help_text="Page, paragraph, table or timestamp."
    )
    confidence = models.CharField(max_length=6, choices=Confidence.choices, default=Confidence.HIGH)
    note = models.TextField(blank=True)
    confirmed_value = models.TextField(
        "checked against",
        blank=True,
        editable=False,
        help_text="The claim's value (or passage) when the citation was made or re-confirmed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CitationQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["content_type", "object_id", "field_name", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "field_name"]),
            # A source's page reads its citations in order, a page at a time.
            models.Index(fields=["source", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quote="", locator=""), name="citation_has_quote_or_locator"
            ),
        ]

    def __str__(self):
        claim = self.field_name or "record"
        if self.marker:
            claim = f"{claim} [^{self.marker}]"
        return f"{claim} ← {self.source.title}"

    def save(self, *args, **kwargs):
        if not self.confirmed_value and self.field_name:
            self.confirm()
        super().save(*args, **kwargs)

    def confirm(self, record=None):
        """Confirm against the claim's value as the record (given, or loaded) has it now."""
        record = record if record is not None else self.record
        if record is not None:
            self.confirmed_value = claim_value(record, self.field_name, self.marker)

    def is_stale(self, record=None):
        record = record if record is not None else self.record
        return record is not None and is_stale(self, record)
