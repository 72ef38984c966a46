"""Sites: diagnostic centres, hospitals, scanning units; who owns and who runs them."""

from django.db import models
from django.urls import reverse

from .base import Citable, Featurable, Publishable, Sluggable
from .dates import PartialDateField


class Site(Sluggable, Featurable, Publishable):
    class Kind(models.TextChoices):
        CDC = "cdc", "Community diagnostic centre"
        HOSPITAL = "hospital", "Hospital"
        SCANNING_UNIT = "scanning_unit", "Scanning unit"
        MOBILE_UNIT = "mobile_unit", "Mobile unit"
        PRODUCTION = "production", "Production facility"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    address = models.TextField(blank=True)
    locality = models.CharField(max_length=100, blank=True, help_text="Town or city.")
    region = models.CharField(max_length=100, blank=True)
    opened = PartialDateField()
    closed = PartialDateField()
    description = models.TextField(blank=True, help_text="Markdown, cited with [^key] markers.")

    claim_fields = ("address", "opened", "closed", "standfirst")
    prose_fields = ("description",)
    claim_children = ("roles",)

    class Meta:
        ordering = ["name"]
        permissions = [("publish_site", "Can publish and unpublish sites")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("site_detail", args=[self.slug])


class SiteRole(Citable):
    class Kind(models.TextChoices):
        OWNER = "owner", "Owner"
        OPERATOR = "operator", "Operator"
        LANDLORD = "landlord", "Landlord"
        EQUIPMENT_SUPPLIER = "equipment_supplier", "Equipment supplier"
        COMMISSIONER = "commissioner", "Commissioner"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        "investigations.Organisation", on_delete=models.CASCADE, related_name="site_roles"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start = PartialDateField()
    end = PartialDateField()

    claim_fields = ("start", "end")
    public_parents = ("site", "organisation")

    class Meta:
        ordering = ["site", "start"]

    def __str__(self):
        return f"{self.organisation} — {self.get_kind_display()} of {self.site}"
