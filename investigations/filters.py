"""FilterSets for the public lists. Every queryset and every choice is published-only.

Filter state lives in GET parameters, so a filtered list is a URL a reader can share.
Every parameter is validated by its form field: a value it cannot use is shown back with a
message, and the list is left unfiltered by it.
"""

import django_filters as filters
from django import forms
from django.db.models import F
from django.db.models.lookups import IContains
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django_filters.constants import EMPTY_VALUES

from investigations.models import (
    Concern,
    Contract,
    ContractParty,
    Framework,
    FrameworkMembership,
    Organisation,
    Person,
    ServiceCategory,
    Site,
    SiteRole,
    Source,
)


def published_organisations(request=None):
    return Organisation.objects.published().order_by("name")


def organisations_named(value):
    """Published organisations with this slug, or else with this text in their name."""
    by_slug = published_organisations().filter(slug=value)
    if by_slug.exists():
        return by_slug
    return published_organisations().filter(ContainsIgnoringCase(F("name"), value))


class QuickSelect(forms.Select):
    """A select written out in Python, every value escaped: the same HTML as Django's, which
    renders a template for every option and its attributes. The contracts list's form has
    over 200 options (every framework), and rendering them so took half its page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = "".join(
                f'<option value="{escape(option["value"])}"{_attributes(option["attrs"])}>'
                f"{escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                rendered = f'<optgroup label="{escape(group_name)}">{rendered}</optgroup>'
            groups.append(rendered)
        return mark_safe(  # noqa: S308 - every value in it passed through escape()
            f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>'
            f"{''.join(groups)}</select>"
        )


def _attributes(attrs):
    """As Django's flatatt writes them (a true one bare, a false or missing one left out),
    without its two format_html_join calls an option."""
    return "".join(
        f" {escape(key)}" if value is True else f' {escape(key)}="{escape(value)}"'
        for key, value in attrs.items()
        if value is not False and value is not None
    )


class QuickSelectFilter:
    """A django-filter choice filter drawn with a QuickSelect."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, **kwargs)


class ChoiceFilter(QuickSelectFilter, filters.ChoiceFilter):
    pass


class ModelChoiceFilter(QuickSelectFilter, filters.ModelChoiceFilter):
    """Its options read only each record's primary key, name and slug (which every record
    reads as it loads; any other field deferred would be a query an option): there may be
    hundreds."""

    def get_queryset(self, request):
        return super().get_queryset(request).only("pk", "name", "slug")


class YearField(forms.IntegerField):
    """A four-digit year. Every way of getting it wrong gets the same plain message."""

    MESSAGE = "Enter a year between 1000 and 9999, such as 2016."

    def __init__(self, **kwargs):
        messages = dict.fromkeys(("invalid", "min_value", "max_value"), self.MESSAGE)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1900, "max": 2100}))
        super().__init__(min_value=1000, max_value=9999, error_messages=messages, **kwargs)


class YearFilter(filters.Filter):
    """Partial dates from a year, up to and including a year, or within a year.

    Partial dates are ISO text ("2016", "2016-06", "2016-06-22"), so each bound is a string
    comparison; the last day of a year is the greatest text any date of that year can be.
    """

    field_class = YearField
    BOUNDS = ("from", "until", "within")

    def __init__(self, *args, bound="from", **kwargs):
        if bound not in self.BOUNDS:
            raise ValueError(f"bound must be one of {self.BOUNDS}")
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        lookups = {}
        if self.bound in ("from", "within"):
            lookups[f"{self.field_name}__gte"] = f"{value:04d}"
        if self.bound in ("until", "within"):
            lookups[f"{self.field_name}__lte"] = f"{value:04d}-12-31"
        # An unknown date is neither before nor after any year.
        return qs.filter(**lookups).exclude(**{self.field_name: ""})


class AmountFilter(filters.NumberFilter):
    """An amount of money, bounded like the MoneyField it compares with."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class ContainsIgnoringCase(IContains):
    """``icontains`` that PostgreSQL can estimate: ILIKE on the column rather than LIKE on
    UPPER(column), which has no statistics. Guessing that "imaging" matches a handful of
    contracts rather than a third of them, it sorted every match instead of walking the
    list's index. SQLite's LIKE already ignores case."""

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = compiler.compile(self.lhs)  # without icontains' UPPER()
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql}::text ILIKE {rhs_sql}", (*lhs_params, *rhs_params)


class TextFilter(filters.CharFilter):
    """Part of a name or title: longer text than any record holds is a mistake, not a search."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(ContainsIgnoringCase(F(self.field_name), value))


class OrganisationFilter(filters.FilterSet):
    name = TextFilter(label="Name contains")
    kind = ChoiceFilter(choices=Organisation.Kind.choices)
    org_status = ChoiceFilter(label="Status", choices=Organisation.OrgStatus.choices)
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("name", "name"), ("updated_at", "updated")),
        field_labels={"name": "Name", "updated_at": "Last updated"},
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "org_status"]


class LinkedOrganisationFilter(TextFilter):
    """Records linked to a published organisation, named by its slug or by part of its
    name. Text rather than a choice list: a list of every buyer or supplier would put
    thousands of options in the page. ``linked_ids`` says which records, and how."""

    def filter(self, qs, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(pk__in=self.linked_ids(organisations_named(value)))


class PartyFilter(LinkedOrganisationFilter):
    """Contracts with the organisation as a party in one of these roles."""

    def __init__(self, *args, roles, **kwargs):
        self.roles = roles
        super().__init__(*args, **kwargs)

    def linked_ids(self, organisations):
        parties = ContractParty.objects.filter(organisation__in=organisations, role__in=self.roles)
        return parties.values("contract_id")


class SiteRoleFilter(PartyFilter):
    """Sites where the organisation has one of these roles, at any time."""

    def linked_ids(self, organisations):
        roles = SiteRole.objects.filter(organisation__in=organisations, kind__in=self.roles)
        return roles.values("site_id")


class MemberFilter(LinkedOrganisationFilter):
    """Frameworks with the organisation among their suppliers."""

    def linked_ids(self, organisations):
        places = FrameworkMembership.objects.filter(organisation__in=organisations)
        return places.values("framework_id")


class ContractFilter(filters.FilterSet):
    title = TextFilter(label="Title contains")
    buyer = PartyFilter(label="Buyer (name)", roles=ContractParty.BUYER_ROLES)
    supplier = PartyFilter(label="Supplier (name)", roles=ContractParty.SUPPLIER_ROLES)
    value_min = AmountFilter(field_name="value", lookup_expr="gte", label="Value from (£)")
    value_max = AmountFilter(field_name="value", lookup_expr="lte", label="Value to (£)")
    awarded_from = YearFilter(field_name="awarded", label="Awarded from (year)")
    awarded_to = YearFilter(field_name="awarded", bound="until", label="Awarded to (year)")
    contract_status = ChoiceFilter(label="Status", choices=Contract.ContractStatus.choices)
    service_category = ChoiceFilter(label="Service", choices=ServiceCategory.choices)
    framework = ModelChoiceFilter(
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
    kind = ChoiceFilter(choices=Concern.Kind.choices)
    concern_status = ChoiceFilter(label="Status", choices=Concern.ConcernStatus.choices)
    regulator = ModelChoiceFilter(queryset=regulators, label="Regulator or court")
    year = YearFilter(field_name="occurred", bound="within", label="Year")
    penalty_min = AmountFilter(field_name="penalty", lookup_expr="gte", label="Penalty from (£)")
    penalty_max = AmountFilter(field_name="penalty", lookup_expr="lte", label="Penalty to (£)")
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("occurred", "date"), ("penalty", "penalty"), ("title", "title")),
        field_labels={"occurred": "Date", "penalty": "Penalty", "title": "Title"},
    )

    class Meta:
        model = Concern
        fields = ["kind"]


class SourceFilter(filters.FilterSet):
    title = TextFilter(label="Title contains")
    kind = ChoiceFilter(choices=Source.Kind.choices)
    source_type = ChoiceFilter(label="Type of source", choices=Source.Reliability.choices)
    publisher = TextFilter(label="Publisher contains")
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("title", "title"), ("published_on", "date")),
        field_labels={"title": "Title", "published_on": "Publication date"},
    )

    class Meta:
        model = Source
        fields = ["title"]


class SiteFilter(filters.FilterSet):
    name = TextFilter(label="Name contains")
    kind = ChoiceFilter(choices=Site.Kind.choices)
    place = TextFilter(field_name="locality", label="Town or city contains")
    operator = SiteRoleFilter(label="Operator (name)", roles=(SiteRole.Kind.OPERATOR,))
    owner = SiteRoleFilter(
        label="Owner or landlord (name)", roles=(SiteRole.Kind.OWNER, SiteRole.Kind.LANDLORD)
    )
    opened_from = YearFilter(field_name="opened", label="Opened from (year)")
    opened_to = YearFilter(field_name="opened", bound="until", label="Opened to (year)")
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("name", "name"), ("opened", "opened")),
        field_labels={"name": "Name", "opened": "Opening date"},
    )

    class Meta:
        model = Site
        fields = ["name", "kind"]


def framework_buyers(request=None):
    running = Framework.objects.published().values("buyer_id")
    return published_organisations().filter(pk__in=running)


class FrameworkFilter(filters.FilterSet):
    name = TextFilter(label="Name contains")
    service_category = ChoiceFilter(label="Service", choices=ServiceCategory.choices)
    buyer = ModelChoiceFilter(queryset=framework_buyers, label="Run by")
    member = MemberFilter(label="Supplier (name)")
    start_from = YearFilter(field_name="start", label="Starts from (year)")
    start_to = YearFilter(field_name="start", bound="until", label="Starts to (year)")
    sort = filters.OrderingFilter(
        label="Sort by",
        fields=(("name", "name"), ("start", "start"), ("value", "value")),
        field_labels={"name": "Name", "start": "Start date", "value": "Total value"},
    )

    class Meta:
        model = Framework
        fields = ["name"]


class PersonFilter(filters.FilterSet):
    name = TextFilter(label="Name contains")
    sort = filters.OrderingFilter(
        label="Sort by", fields=(("name", "name"),), field_labels={"name": "Name"}
    )

    class Meta:
        model = Person
        fields = ["name"]
