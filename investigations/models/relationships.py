"""Typed, dated relationships between two organisations."""

from django.db import models

from .base import Publishable
from .dates import PartialDateField
from .money import CurrencyField, MoneyField


class Relationship(Publishable):
    """``subject`` <kind> ``object``: "Life Healthcare acquired Alliance Medical"."""

    class Kind(models.TextChoices):
        PARENT_OF = "parent_of", "is the parent of"
        SHAREHOLDER_IN = "shareholder_in", "holds shares in"
        ACQUIRED = "acquired", "acquired"
        JOINT_VENTURE = "joint_venture", "is in a joint venture with"
        PARTNER_OF = "partner_of", "is in partnership with"
        MEMBER_OF = "member_of", "is a member of"
        LENDER_TO = "lender_to", "lends to"
        LANDLORD_OF = "landlord_of", "is the landlord of"
        CONTRACTOR_TO = "contractor_to", "is a contractor to"
        ADVISER_TO = "adviser_to", "advises"
        INVESTOR_IN = "investor_in", "invests in"
        SUPPLIER_TO = "supplier_to", "supplies"

    subject = models.ForeignKey(
        "investigations.Organisation", on_delete=models.CASCADE, related_name="relationships_out"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object = models.ForeignKey(
        "investigations.Organisation", on_delete=models.CASCADE, related_name="relationships_in"
    )
    share_min = models.DecimalField(
        "share from (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    share_max = models.DecimalField(
        "share to (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    value = MoneyField("price or value")
    currency = CurrencyField()
    start = PartialDateField()
    end = PartialDateField()
    description = models.TextField(blank=True, help_text="Markdown, cited with [^key] markers.")

    claim_fields = ("share_min", "share_max", "value", "start", "end")
    prose_fields = ("description",)
    public_parents = ("subject", "object")  # public only when both its ends are

    class Meta:
        ordering = ["subject__name", "kind", "start"]
        permissions = [("publish_relationship", "Can publish and unpublish relationships")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject=models.F("object")), name="relationship_not_reflexive"
            ),
            models.CheckConstraint(
                condition=models.Q(share_min__isnull=True)
                | models.Q(share_max__isnull=True)
                | models.Q(share_min__lte=models.F("share_max")),
                name="relationship_share_range_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.subject} {self.get_kind_display()} {self.object}"
