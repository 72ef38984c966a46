"""FilterSets for the public lists. Every queryset and every choice is published-only.

Filter state lives in GET parameters, so a filtered list is a URL a reader can share.
Partial dates are ISO text, so a year range is a plain string comparison.
"""

import django_filters as filters
from django import forms

from investigations.models import (
    Concern,
    Contract,
    ContractParty,
    Framework,
    Organisation,
    Person,
    ServiceCategory,
    Source,
)


def published_organisations(request=None):
    return Organisation.objects.published().order_by("name")


class YearFilter(filters.NumberFilter):
    """A partial date from (or up to and including) a year."""

    def __init__(self, *args, until=False, **kwargs):
        self.until = until
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1900, "max": 2100}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        year = int(value)
        if self.until:
            return qs.filter(**{f"{self.field_name}__lt": str(year + 1)}).exclude(
                **{self.field_name: ""}
            )
        return qs.filter(**{f"{self.field_name}__gte": str(year)})


class OrganisationFilter(filters.FilterSet):
    name = filters.CharFilter(label="Name contains", lookup_expr="icontains")
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices)
    org_status = filters.ChoiceFilter(label="Status", choices=Organisation.OrgStatus.choices)
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("name", "name"), ("updated_at", "updated")),
        field_labels={"name": "Name", "updated_at": "Last updated"},
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "org_status"]


class PartyFilter(filters.CharFilter):
    """Contracts with a published organisation in one of these roles, named by its slug
    or by part of its name. Text rather than a choice list: a list of every buyer or
    supplier would put thousands of options in the page."""

    def __init__(self, *args, roles, **kwargs):
        self.roles = roles
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = value.strip()
        if not value:
            return qs
        organisations = published_organisations().filter(slug=value)
        if not organisations.exists():
            organisations = published_organisations().filter(name__icontains=value)
        parties = ContractParty.objects.filter(organisation__in=organisations, role__in=self.roles)
        return qs.filter(pk__in=parties.values("contract_id"))


class ContractFilter(filters.FilterSet):
    title = filters.CharFilter(label="Title contains", lookup_expr="icontains")
    buyer = PartyFilter(label="Buyer (name)", roles=ContractParty.BUYER_ROLES)
    supplier = PartyFilter(label="Supplier (name)", roles=ContractParty.SUPPLIER_ROLES)
    value_min = filters.NumberFilter(field_name="value", lookup_expr="gte", label="Value from (£)")
    value_max = filters.NumberFilter(field_name="value", lookup_expr="lte", label="Value to (£)")
    awarded_from = YearFilter(field_name="awarded", label="Awarded from (year)")
    awarded_to = YearFilter(field_name="awarded", until=True, label="Awarded to (year)")
    contract_status = filters.ChoiceFilter(label="Status", choices=Contract.ContractStatus.choices)
    service_category = filters.ChoiceFilter(label="Service", choices=ServiceCategory.choices)
    framework = filters.ModelChoiceFilter(
        queryset=lambda request: Framework.objects.published().order_by("name")
    )
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("awarded", "awarded"), ("value", "value"), ("title", "title")),
        field_labels={"awarded": "Award date", "value": "Value", "title": "Title"},
    )

    class Meta:
        model = Contract
        fields = ["title"]


def regulators(request=None):
    acting = Concern.objects.published().values("regulator_id")
    return published_organisations().filter(pk__in=acting)


class ConcernFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Concern.Kind.choices)
    concern_status = filters.ChoiceFilter(label="Status", choices=Concern.ConcernStatus.choices)
    regulator = filters.ModelChoiceFilter(queryset=regulators, label="Regulator or court")
    year = filters.NumberFilter(field_name="occurred", lookup_expr="startswith", label="Year")
    penalty_min = filters.NumberFilter(
        field_name="penalty", lookup_expr="gte", label="Penalty from (£)"
    )
    penalty_max = filters.NumberFilter(
        field_name="penalty", lookup_expr="lte", label="Penalty to (£)"
    )
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("occurred", "date"), ("penalty", "penalty"), ("title", "title")),
        field_labels={"occurred": "Date", "penalty": "Penalty", "title": "Title"},
    )

    class Meta:
        model = Concern
        fields = ["kind"]


class SourceFilter(filters.FilterSet):
    title = filters.CharFilter(label="Title contains", lookup_expr="icontains")
    kind = filters.ChoiceFilter(choices=Source.Kind.choices)
    source_type = filters.ChoiceFilter(label="Type of source", choices=Source.Reliability.choices)
    publisher = filters.CharFilter(label="Publisher contains", lookup_expr="icontains")
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("title", "title"), ("published_on", "date")),
        field_labels={"title": "Title", "published_on": "Publication date"},
    )

    class Meta:
        model = Source
        fields = ["title"]


class PersonFilter(filters.FilterSet):
    name = filters.CharFilter(label="Name contains", lookup_expr="icontains")
    sort = filters.OrderingFilter(
        label="Sort by", fields=(("name", "name"),), field_labels={"name": "Name"}
    )

    class Meta:
        model = Person
        fields = ["name"]
