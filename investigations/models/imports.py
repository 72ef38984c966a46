"""Import batches: who loaded which spreadsheet when, and what it created or changed."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .base import history


class ImportBatch(models.Model):
    class State(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        RUNNING = "running", "Running"
        COMMITTED = "committed", "Committed"
        UNCHANGED = "unchanged", "Nothing changed"  # confirmed; every row already matched
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=300)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=50, blank=True, help_text="Blank for a whole workbook.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEWED)
    skip_invalid = models.BooleanField(default=False)
    publish = models.BooleanField(default=False)
    zero_is_unknown = models.BooleanField(
        default=False, help_text="A value of 0 was read as unknown, as portals mean it."
    )
    strict_identifiers = models.BooleanField(
        default=False, help_text="An identifier that cannot be filed rejects its row."
    )
    mapping = models.JSONField(
        default=dict, blank=True, help_text="The column mapping the file was read with."
    )
    match_by_name = models.BooleanField(
        default=False, help_text="A row's one exact match by name or title alone was taken."
    )
    name_decisions = models.JSONField(
        default=dict,
        blank=True,
        help_text='Choices among name candidates: {"sheet:row": record id or "new"}.',
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0, help_text="Progress of a running import.")
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"
        permissions = [("undo_importbatch", "Can undo an import batch")]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class ImportBatchItem(models.Model):
    """One record a batch created or changed, so the batch can be listed and undone."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=10, choices=Action.choices)
    row_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "content_type"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.content_type.model} #{self.object_id}"


class ImportMapping(models.Model):
    """A column mapping saved under a name, reused in the admin and by ``import_batch
    --mapping NAME``; its shape is ``investigations.importers.mapping``'s."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=50, blank=True, help_text="The kind of sheet it reads.")
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"the file\'s column": "template column"}; "identifiers:GB-COH" reads a '
        "column of bare numbers as identifiers of that scheme.",
    )
    one_row_per_party = models.BooleanField(
        default=False,
        help_text="Rows sharing a reference are one contract with several parties, as "
        "procurement portals publish them.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def as_mapping(self):
        """The mapping as ``run_import`` takes it."""
        return {
            "name": self.name,
            "kind": self.kind,
            "columns": self.columns,
            "one_row_per_party": self.one_row_per_party,
        }
