"""Pending revisions: a published record's proposed next version, waiting for an editor.

The public reads the live rows; a change to a published record is kept here as a JSON
snapshot of the record, its child rows and their citations until an editor publishes it
through the gate (``investigations.revisions``) or rejects it.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .base import history


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Revision.State.PENDING)

    def for_record(self, record):
        content_type = ContentType.objects.get_for_model(record)
        return self.filter(content_type=content_type, object_id=record.pk)


class Revision(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    label = models.CharField(max_length=500, help_text="The record's name when last changed.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    snapshot = models.JSONField(encoder=DjangoJSONEncoder)
    version = models.PositiveIntegerField(
        default=1, help_text="Counts the edits it holds; a form saved from an older one is refused."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)
    import_batch = models.ForeignKey(
        "investigations.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        help_text="The batch that proposed it, if an import did.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="Why it was rejected, for its authors.")
    override_reason = models.TextField(
        blank=True, help_text="Why it was published although some of its claims are uncited."
    )

    objects = RevisionQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["state", "content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state="pending"),
                name="one_pending_revision_per_record",
            )
        ]

    def __str__(self):
        return f"Revision #{self.pk} of {self.label}"

    @property
    def is_pending(self):
        return self.state == self.State.PENDING
