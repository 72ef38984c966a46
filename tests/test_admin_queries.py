"""Admin pages run a fixed number of queries, however many rows or inline rows they show."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations.admin.inlines import MAX_INLINE_ROWS
from investigations.models import Citation
from tests import factories

CHANGELISTS = [
    model._meta.model_name
    for model, model_admin in admin.site._registry.items()
    if type(model_admin).__module__.startswith("investigations.admin.")
    and not type(model_admin).__module__.endswith(".imports")  # tested by their owner
]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def add_contracts(count):
    for _ in range(count):
        contract = factories.make_contract(value=1_000_000)
        factories.make_party(contract, role="buyer")
        party = factories.make_party(contract, role="supplier")
        source = factories.cite(contract).source
        factories.cite(party, source=source)


def add_concerns(count):
    for _ in range(count):
        concern = factories.make_concern(regulator=factories.make_organisation())
        concern.parties.create(organisation=factories.make_organisation())


def add_rows(count):
    """Rows for every list: contracts and concerns with links, and one of everything else."""
    add_contracts(count)
    add_concerns(count)
    for _ in range(count):
        factories.make_framework(buyer=factories.make_organisation())
        factories.make_one_of_each()


@pytest.mark.parametrize("model", CHANGELISTS)
def test_it_lists_fifty_rows_in_as_many_queries_as_one(
    editor_client, django_assert_max_num_queries, model
):
    url = reverse(f"admin:investigations_{model}_changelist")
    add_rows(1)
    with_one = queries_for(editor_client, url)
    add_rows(49)
    with django_assert_max_num_queries(with_one):
        editor_client.get(url)


def add_contract_party(contract):
    contract.parties.create(organisation=factories.make_organisation(), role="supplier")


def add_concern_party(concern):
    organisation, parent = factories.make_organisation(), factories.make_organisation()
    concern.parties.create(organisation=organisation, parent_at_time=parent)


def add_membership(framework):
    framework.memberships.create(organisation=factories.make_organisation())


def add_site_role(site):
    site.roles.create(organisation=factories.make_organisation(), kind="operator")


def add_role(person):
    person.roles.create(organisation=factories.make_organisation())


def add_organisation_children(organisation):
    number = organisation.aliases.count()
    organisation.aliases.create(name=f"Alias {number}")
    organisation.identifiers.create(value=f"{organisation.pk}{number:04d}")
    organisation.sections.create(heading="strategy", body="A paragraph.")
    organisation.filings.create(period_end=f"{2000 + number}-12-31")


# Each parent, and a child row with an autocomplete (or several inlines) to add to it.
INLINE_PARENTS = {
    "contract": (factories.make_contract, add_contract_party),
    "concern": (factories.make_concern, add_concern_party),
    "framework": (factories.make_framework, add_membership),
    "site": (factories.make_site, add_site_role),
    "person": (factories.make_person, add_role),
    "organisation": (factories.make_organisation, add_organisation_children),
    "contractparty": (factories.make_party, lambda party: None),  # its citations only
}


@pytest.mark.parametrize("model", INLINE_PARENTS)
def test_it_shows_as_many_inline_rows_as_it_shows_at_most_in_as_many_queries_as_one(
    editor_client, django_assert_max_num_queries, model
):
    make_parent, add_child = INLINE_PARENTS[model]
    record = make_parent()
    url = reverse(f"admin:investigations_{model}_change", args=[record.pk])
    add_inline_rows(record, add_child, 1)
    with_one = queries_for(editor_client, url)
    add_inline_rows(record, add_child, MAX_INLINE_ROWS - 1)
    assert Citation.objects.count() == MAX_INLINE_ROWS
    with django_assert_max_num_queries(with_one):
        editor_client.get(url)


@pytest.mark.parametrize("model", INLINE_PARENTS)
def test_it_shows_a_parent_of_many_rows_in_one_query_more_than_one_of_few(
    editor_client, django_assert_max_num_queries, model
):
    """The one more per inline: counting the rows it does not show."""
    make_parent, add_child = INLINE_PARENTS[model]
    record = make_parent()
    url = reverse(f"admin:investigations_{model}_change", args=[record.pk])
    add_inline_rows(record, add_child, 1)
    with_one = queries_for(editor_client, url)
    add_inline_rows(record, add_child, 3 * MAX_INLINE_ROWS)
    inlines = len(admin.site._registry[type(record)].inlines)
    with django_assert_max_num_queries(with_one + inlines):
        editor_client.get(url)


def add_inline_rows(record, add_child, count):
    """Child rows and citations (each citation with a source autocomplete)."""
    for _ in range(count):
        add_child(record)
        factories.cite(record, "")
