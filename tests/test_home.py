"""The home page leads with the investigations editors chose, published ones only."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from investigations import models
from investigations.demo_data import load_demo_data
from investigations.publication import missing_claims
from tests.factories import (
    admin_form_data,
    admin_url,
    cite,
    make_organisation,
    make_published,
    make_site,
    make_source,
)

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def featured(client):
    cache.clear()  # the page as it is now, not as cached before a change
    client.logout()
    response = client.get("/")
    assert response.status_code == 200
    return response


def featured_names(client):
    return [str(record) for record in featured(client).context["featured"]]


def test_it_leads_with_the_featured_records_in_the_editors_order(client):
    make_organisation(name="Alliance Medical", feature_rank=2, status=PUBLISHED)
    make_site(name="Taunton centre", feature_rank=1, standfirst="One centre.", status=PUBLISHED)
    make_organisation(name="Not featured", status=PUBLISHED)
    response = featured(client)
    assert featured_names(client) == ["Taunton centre", "Alliance Medical"]
    html = response.content.decode()
    assert html.index("Investigations") < html.index("In the database")
    assert html.index("Taunton centre") < html.index("One centre.") < html.index("Alliance Medical")
    assert "Not featured" not in html.split("In the database")[0]


def test_a_featured_draft_or_deleted_record_never_shows(client):
    make_site(name="Draft centre", feature_rank=1, standfirst="zqxhidden")
    deleted = timezone.now()
    make_organisation(name="Deleted fund", feature_rank=1, status=PUBLISHED, deleted_at=deleted)
    make_organisation(name="Shown", feature_rank=3, status=PUBLISHED)
    html = featured(client).content.decode()
    assert featured_names(client) == ["Shown"]
    assert "Draft centre" not in html and "zqxhidden" not in html and "Deleted fund" not in html


def test_without_featured_records_it_has_no_empty_heading(client):
    make_organisation(name="Alliance Medical", status=PUBLISHED)
    assert "Investigations</h2>" not in featured(client).content.decode()


def test_a_standfirst_is_a_claim_that_needs_its_citation(db):
    site = make_site(name="Taunton centre", standfirst="Run by three companies in turn.")
    cite(site)
    assert [claim.field for claim in missing_claims(site)] == ["standfirst"]
    cite(site, "standfirst")
    assert missing_claims(site) == []


def test_a_standfirst_backed_only_by_an_unpublished_source_is_withheld(client):
    site = make_site(name="Taunton centre", feature_rank=1, status=PUBLISHED)
    site.standfirst = "From a source not yet published."
    site.save()
    cite(site, "standfirst", source=make_source(status="draft"))
    html = featured(client).content.decode()
    assert featured_names(client) == ["Taunton centre"]
    assert "From a source not yet published." not in html


def test_a_researcher_featuring_a_published_record_waits_for_review(client, researcher, editor):
    site = make_published(make_site(name="Taunton centre"), editor)
    client.force_login(researcher)
    page = client.get(admin_url(site))
    data = admin_form_data(page, feature_rank="1", standfirst="One centre, many companies.")
    assert client.post(admin_url(site), data).status_code == 302
    assert featured_names(client) == []
    revision = models.Revision.objects.pending().for_record(site).get()
    fields = revision.snapshot["record"]["fields"]
    assert (fields["feature_rank"], fields["standfirst"]) == (1, "One centre, many companies.")


def test_the_home_page_runs_few_queries_with_features(client, django_assert_max_num_queries):
    for rank in range(5):
        make_organisation(feature_rank=rank, standfirst="Cited.", status=PUBLISHED)
        make_site(feature_rank=rank, standfirst="Cited.", status=PUBLISHED)
    cache.clear()
    client.get("/")  # warm per-process caches (content types)
    cache.clear()
    with django_assert_max_num_queries(14):
        assert len(client.get("/").context["featured"]) == 10


def test_the_demo_data_leads_with_the_taunton_centre_then_alliance_medical(client):
    load_demo_data()
    response = featured(client)
    assert [record.slug for record in response.context["featured"]] == [
        "taunton-community-diagnostic-centre",
        "alliance-medical",
    ]
    for record in response.context["featured"]:
        assert record.standfirst in response.content.decode()


def test_the_admin_puts_the_home_page_choice_in_its_own_section(client, editor):
    client.force_login(editor)
    for record in (make_site(), make_organisation()):
        fieldsets = dict(client.get(admin_url(record)).context["adminform"].fieldsets)
        assert fieldsets["Home page"]["fields"] == ("feature_rank", "standfirst")
        assert "feature_rank" not in fieldsets[None]["fields"]
