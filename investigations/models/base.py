"""What every record shares: citations, history, publication status, soft deletion, slugs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from .visibility import PublicationStatus, PublicQuerySet, PublishableQuerySet, has_public_status


class HistoryWithBatch(models.Model):
    """Extra columns on every history row: the import batch a change came from, if any."""

    import_batch = models.ForeignKey(
        "investigations.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        abstract = True


def history():
    return HistoricalRecords(inherit=True, bases=[HistoryWithBatch])


class Citable(models.Model):
    """A record whose existence, field values and prose are claims that need citations.

    Subclasses say which of their parts are claims:
    - ``claim_fields``: fields whose non-empty value needs its own citation;
    - ``prose_fields``: Markdown fields; each paragraph needs a ``[^marker]`` citation;
    - ``claim_children``: related names of child rows, each a claim in its own right.

    ``public_parents`` names the foreign keys to records that must be public for this row
    to be (see ``visibility``); the first is the record whose page shows the row.
    """

    claim_fields: tuple[str, ...] = ()
    prose_fields: tuple[str, ...] = ()
    claim_children: tuple[str, ...] = ()
    requires_record_citation = True
    public_parents: tuple[str, ...] = ()

    citations = GenericRelation("investigations.Citation")
    history = history()

    objects = PublicQuerySet.as_manager()

    class Meta:
        abstract = True


class Publishable(Citable):
    """A record the public can see once an editor publishes it."""

    Status = PublicationStatus

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When an editor last checked this record against its sources.",
    )
    publication_override_reason = models.TextField(
        blank=True,
        help_text="Why this record was published although some of its claims are uncited.",
    )
    publication_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self):
        """Its own status only; ``visibility.is_public`` also asks its parents."""
        return has_public_status(self)

    def mark_published(self, override_reason="", user=None):
        self.status = self.Status.PUBLISHED
        self.published_at = self.published_at or timezone.now()
        self.publication_override_reason = override_reason
        self.publication_override_by = user if override_reason else None

    def mark_draft(self):
        self.status = self.Status.DRAFT


class Sluggable(models.Model):
    """A record with a readable URL. A changed slug is remembered so old links redirect."""

    slug = models.SlugField(max_length=200, unique=True, blank=True)
    slug_source_field = "name"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug(slugify(getattr(self, self.slug_source_field))[:180])
        super().save(*args, **kwargs)
        loaded_slug = getattr(self, "_loaded_slug", None)
        if loaded_slug and loaded_slug != self.slug:
            SlugRedirect.remember(self, loaded_slug)
        self._loaded_slug = self.slug

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = getattr(instance, "slug", None)
        return instance

    def _unique_slug(self, base):
        base = base or type(self)._meta.model_name
        candidate, suffix = base, 2
        others = type(self)._default_manager.exclude(pk=self.pk)
        while others.filter(slug=candidate).exists():
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        return candidate


class SlugRedirect(models.Model):
    """An old slug of a record, kept so that links made before a rename still work."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    old_slug = models.SlugField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "old_slug"], name="unique_old_slug")
        ]

    def __str__(self):
        return self.old_slug

    @classmethod
    def remember(cls, record, old_slug):
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(record)
        cls.objects.filter(content_type=content_type, old_slug=record.slug).delete()
        cls.objects.update_or_create(
            content_type=content_type, old_slug=old_slug, defaults={"object_id": record.pk}
        )


class Featurable(models.Model):
    """A record an editor may choose to lead the home page with: one of the investigations.

    The choice is a field of the published record, so a change to it is reviewed like any
    other; a draft never shows, whatever its position. The standfirst is a claim like any
    other field and needs its citation.
    """

    feature_rank = models.PositiveSmallIntegerField(
        "home page position",
        null=True,
        blank=True,
        help_text="Leads the home page, lowest first, once published. Blank: not featured.",
    )
    standfirst = models.CharField(
        max_length=200,
        blank=True,
        help_text="One line under its name on the home page and at the head of its page.",
    )

    class Meta:
        abstract = True
