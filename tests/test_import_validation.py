"""One import path, and it checks every value with the model's own rules: the attacker's
payloads of issue 10 are refused per row and column, and never reach a public page."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from investigations import models as m
from investigations.importers.service import run_import
from tests import factories

pytestmark = pytest.mark.django_db

JAVASCRIPT = "javascript:alert(document.domain)"
DATA_URL = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def imported(kind, *lines, user=None):
    return run_import(csv_bytes(*lines), f"{kind}.csv", user=user, kind=kind)


def only_error(result):
    [error] = result.errors
    return error


def test_no_admin_offers_the_per_row_import_any_more(researcher_client):
    for model in admin.site._registry:
        opts = model._meta
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{opts.app_label}_{opts.model_name}_import")
        url = f"/admin/{opts.app_label}/{opts.model_name}/import/"
        assert researcher_client.get(url).status_code != 200, url


def test_every_admin_still_exports(researcher_client):
    response = researcher_client.get(reverse("admin:investigations_organisation_export"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("kind", "header", "value"),
    [
        ("organisations", "name,website", f"Alliance Medical,{JAVASCRIPT}"),
        ("sources", "title,url", f"Annual report,{JAVASCRIPT}"),
        ("sources", "title,archived_url", f'Annual report,"{DATA_URL}"'),
        ("sources", "title,url", "Annual report,ftp://example.org/report.pdf"),
    ],
)
def test_it_refuses_web_addresses_that_are_not_http_or_https(researcher, kind, header, value):
    result = imported(kind, header, value, user=researcher)
    error = only_error(result)
    assert (error["row"], error["column"]) == (2, header.split(",")[1])
    assert "http:// or https://" in error["message"]
    assert not m.Organisation.objects.exists() and not m.Source.objects.exists()


def test_it_refuses_a_citations_source_url_that_is_not_http_or_https(researcher):
    result = imported(
        "contracts", "title,source_url,quote", f"PET-CT,{JAVASCRIPT},valued at £350m",
        user=researcher,
    )  # fmt: skip
    assert only_error(result)["column"] == "source_url"
    assert not m.Source.objects.exists() and not m.Contract.objects.exists()


@pytest.mark.parametrize(
    ("kind", "header", "value", "column"),
    [
        ("sources", "title,kind", "Annual report,bogus_kind", "kind"),
        ("organisations", "name,org_status", "Alliance Medical,<b>x</b>", "org_status"),
        ("organisations", "name,country", "Alliance Medical,GBRUK", "country"),
        ("organisations", "name,country", "Alliance Medical,G1", "country"),
        ("contracts", "title,currency", "PET-CT,gb1", "currency"),
    ],
)
def test_it_refuses_invalid_choices_and_codes(researcher, kind, header, value, column):
    error = only_error(imported(kind, header, value, user=researcher))
    assert (error["row"], error["column"]) == (2, column)


def test_a_country_error_says_what_a_country_code_is(researcher):
    result = imported("organisations", "name,country", "Alliance Medical,gb", user=researcher)
    assert "two-letter" in only_error(result)["message"]


def test_it_accepts_a_two_letter_country_and_https_addresses(researcher):
    imported(
        "organisations", "name,country,website", "Alliance Medical,GB,https://example.org",
        user=researcher,
    )  # fmt: skip
    assert m.Organisation.objects.get().country == "GB"


@pytest.mark.parametrize(
    ("header", "value", "column"),
    [
        ("name,aliases", "Alliance Medical," + "A" * 301, "aliases"),
        ("name,source,locator", "Alliance Medical,Annual report," + "p" * 201, "locator"),
        ("name,source,quote", "Alliance Medical," + "T" * 501 + ",a quote", "source"),
    ],
)
def test_it_refuses_child_and_citation_values_longer_than_their_fields(
    researcher, header, value, column
):
    error = only_error(imported("organisations", header, value, user=researcher))
    assert error["column"] == column and "characters long" in error["message"]
    assert not m.Organisation.objects.exists()


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (m.Organisation, "website", JAVASCRIPT),
        (m.Source, "url", JAVASCRIPT),
        (m.Source, "archived_url", DATA_URL),
        (m.Organisation, "country", "GBRUK"),
    ],
)
def test_the_models_themselves_refuse_the_payloads(model, field, value):
    with pytest.raises(ValidationError):
        model._meta.get_field(field).run_validators(value)


def test_a_public_page_never_links_a_javascript_address_stored_before_the_checks(client):
    source = factories.make_source(url=JAVASCRIPT, archived_url=DATA_URL)
    org = factories.make_organisation(status=m.Organisation.Status.PUBLISHED, website=JAVASCRIPT)
    factories.cite(org, "website", source)
    for page in (
        client.get(reverse("source_detail", args=[source.slug])),
        client.get(reverse("organisation_detail", args=[org.slug])),
    ):
        html = page.content.decode()
        assert page.status_code == 200
        assert 'href="javascript:' not in html and 'href="data:' not in html
        assert "javascript:alert(document.domain)" in html  # shown as text, not a link
