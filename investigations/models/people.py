"""People, and the roles they hold at organisations over time."""

from django.db import models
from django.urls import reverse

from .base import Citable, Publishable, Sluggable
from .dates import PartialDateField
from .visibility import published_index


class Person(Sluggable, Publishable):
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True, help_text="Who they are, in a line.")
    biography = models.TextField(blank=True, help_text="Markdown, cited with [^key] markers.")

    claim_fields = ("description",)
    prose_fields = ("biography",)
    claim_children = ("roles",)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        permissions = [("publish_person", "Can publish and unpublish people")]
        # The public list in its order, read and counted from the index alone.
        indexes = [published_index("name", "id", name="person_public_by_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("person_detail", args=[self.slug])


class Role(Citable):
    class Kind(models.TextChoices):
        DIRECTOR = "director", "Director"
        NON_EXECUTIVE = "non_executive", "Non-executive director"
        EXECUTIVE = "executive", "Executive"
        CHAIR = "chair", "Chair"
        POLITICIAN = "politician", "Elected politician"
        ADVISER = "adviser", "Adviser"
        SHAREHOLDER = "shareholder", "Shareholder"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        "investigations.Organisation", on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DIRECTOR)
    title = models.CharField(max_length=200, blank=True, help_text="As the source words it.")
    start = PartialDateField()
    end = PartialDateField()

    claim_fields = ("title", "start", "end")
    public_parents = ("person", "organisation")

    class Meta:
        ordering = ["person", "start"]

    def __str__(self):
        return f"{self.person} — {self.title or self.get_kind_display()}, {self.organisation}"
