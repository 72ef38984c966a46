"""Merges of two records into one, kept so that each can be shown in history and undone."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Merge(models.Model):
    """One record (``merged_id``) folded into another (``kept_id``) of the same model.

    ``moved`` is what the merge did, in enough detail to take it back: the rows whose
    foreign key now points at the kept record, the rows dropped because the kept record
    already had them (serialised), the alias made of the merged record's name, the
    redirects it added, and the merged record's own state before the merge.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    kept_id = models.PositiveBigIntegerField()
    merged_id = models.PositiveBigIntegerField()
    kept_label = models.CharField(max_length=500)
    merged_label = models.CharField(max_length=500)
    moved = models.JSONField(default=dict)
    report = models.JSONField(default=list, help_text="The report the editor saw, line by line.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "kept_id"])]

    def __str__(self):
        return f"“{self.merged_label}” merged into “{self.kept_label}”"
