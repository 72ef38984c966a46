"""Concerns: what is wrong — enforcement, fines, legal cases, political links, market power."""

from django.db import models
from django.urls import reverse

from .base import Citable, Publishable, Sluggable
from .dates import PartialDateField
from .money import CurrencyField, MoneyField
from .visibility import published_index


class Concern(Sluggable, Publishable):
    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", "Enforcement action"
        FINE = "fine", "Fine or penalty"
        LEGAL_CASE = "legal_case", "Legal case or challenge"
        POLITICAL = "political", "Political influence or conflict of interest"
        MARKET_POWER = "market_power", "Competition and market power"
        FINANCIAL_COLLAPSE = "financial_collapse", "Financial collapse"
        SERVICE_FAILURE = "service_failure", "Service failure"

    class ConcernStatus(models.TextChoices):
        REPORTED = "reported", "Reported"
        ALLEGED = "alleged", "Alleged"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"
        SETTLED = "settled", "Settled"

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    concern_status = models.CharField(
        "concern status",
        max_length=20,
        choices=ConcernStatus.choices,
        default=ConcernStatus.REPORTED,
    )
    regulator = models.ForeignKey(
        "investigations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns_raised",
        help_text="The regulator, court or body that acted or was asked to.",
    )
    occurred = PartialDateField("date")
    ended = PartialDateField("end date")
    action_count = models.PositiveIntegerField(
        "number of actions", null=True, blank=True, help_text="For a tally of several actions."
    )
    penalty = MoneyField("penalty")
    currency = CurrencyField()
    summary = models.TextField(help_text="Markdown, cited with [^key] markers.")
    contracts = models.ManyToManyField(
        "investigations.Contract", blank=True, related_name="concerns"
    )
    people = models.ManyToManyField("investigations.Person", blank=True, related_name="concerns")

    slug_source_field = "title"
    claim_fields = ("concern_status", "regulator", "occurred", "ended", "action_count", "penalty")
    prose_fields = ("summary",)
    claim_children = ("parties",)

    class Meta:
        ordering = ["-occurred", "title"]
        permissions = [("publish_concern", "Can publish and unpublish concerns")]
        indexes = [
            models.Index(fields=["status", "kind", "-occurred"]),
            # The public list in its order, read and counted from the index alone.
            published_index("-occurred", "title", "id", name="concern_public_by_date"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("concern_detail", args=[self.slug])


class ConcernParty(Citable):
    """An organisation a concern is about, with its parent at the time of the events."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "investigations.Organisation", on_delete=models.PROTECT, related_name="concern_parties"
    )
    named_as = models.CharField(
        max_length=300, blank=True, help_text="The name the source uses, if different."
    )
    parent_at_time = models.ForeignKey(
        "investigations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Its parent company when the events happened, which may differ from today's.",
    )

    claim_fields = ("parent_at_time",)
    public_parents = ("concern", "organisation")

    class Meta:
        verbose_name_plural = "concern parties"
        ordering = ["concern", "pk"]

    def __str__(self):
        return f"{self.organisation} in {self.concern}"
