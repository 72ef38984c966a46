"""Every parameter of every public list, fed junk, answers 200 with a message or 400: never 500."""

import pytest
from django.test import Client
from django.urls import reverse

from investigations import filters
from investigations.views.lists import PAGE_SIZE
from tests.factories import make_concern, make_contract, make_organisation, make_source

pytestmark = pytest.mark.django_db
PUBLISHED = "published"

JUNK = (
    "0",
    "-1",
    "999999999999999999999999",
    "1e400",
    "1.5",
    "NaN",
    "Infinity",
    "２０１５",  # full-width digits
    "٢٠١٥",  # Arabic-Indic digits
    "1' OR '1'='1",
    "1; DROP TABLE investigations_contract; --",
    "%",
    "_",
    "\x00",
    "x" * 10_240,
)

LISTS = {
    "organisation_list": filters.OrganisationFilter,
    "contract_list": filters.ContractFilter,
    "concern_list": filters.ConcernFilter,
    "source_list": filters.SourceFilter,
    "person_list": filters.PersonFilter,
    "site_list": filters.SiteFilter,
    "framework_list": filters.FrameworkFilter,
}


def parameters_of(filterset_class):
    return [*filterset_class.base_filters, "page"]


@pytest.fixture
def some_records():
    regulator = make_organisation(name="Care Quality Commission", status=PUBLISHED)
    make_contract(title="PET-CT", value=1_000, awarded="2015", status=PUBLISHED)
    make_concern(title="Fine", regulator=regulator, penalty=10, status=PUBLISHED)
    make_source(title="Annual report")


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
@pytest.mark.parametrize("name", LISTS)
def test_it_never_answers_a_junk_filter_value_with_a_server_error(some_records, name, junk):
    client = Client(raise_request_exception=False)
    for parameter in parameters_of(LISTS[name]):
        response = client.get(reverse(name), {parameter: junk})
        assert response.status_code in (200, 400), (parameter, response.status_code)


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_it_never_answers_a_junk_search_with_a_server_error(some_records, junk):
    response = Client(raise_request_exception=False).get(reverse("search"), {"q": junk})
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_it_answers_a_junk_sitemap_page_with_not_found_at_worst(some_records, junk):
    response = Client(raise_request_exception=False).get(reverse("sitemap"), {"p": junk})
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "999999999999999999999999", "twenty"])
@pytest.mark.parametrize("parameter", ["awarded_from", "awarded_to"])
def test_it_says_what_is_wrong_with_a_year_it_cannot_use(client, parameter, value):
    make_contract(title="PET-CT", awarded="2015", status=PUBLISHED)
    response = client.get(reverse("contract_list"), {parameter: value})
    assert response.status_code == 200
    assert "Enter a year between 1000 and 9999" in response.content.decode()
    assert [str(row) for row in response.context["page"].object_list] == ["PET-CT"]


def test_it_reads_full_width_digits_as_the_year_they_spell(client):
    make_contract(title="PET-CT", awarded="2015-06", status=PUBLISHED)
    make_contract(title="MRI", awarded="2016", status=PUBLISHED)
    response = client.get(reverse("contract_list"), {"awarded_to": "２０１５"})
    assert [str(row) for row in response.context["page"].object_list] == ["PET-CT"]


def test_a_year_range_includes_every_date_within_its_last_year(client):
    for awarded in ("2014-12-31", "2015", "2015-12", "2015-12-31", "2016-01-01", ""):
        make_contract(title=awarded or "unknown", awarded=awarded, status=PUBLISHED)
    response = client.get(reverse("contract_list"), {"awarded_from": 2015, "awarded_to": 2015})
    shown = sorted(str(row) for row in response.context["page"].object_list)
    assert shown == ["2015", "2015-12", "2015-12-31"]


def test_it_finds_concerns_of_the_last_possible_year_without_failing(client):
    make_concern(title="Far future", occurred="9999-01", status=PUBLISHED)
    response = client.get(reverse("concern_list"), {"year": 9999})
    assert [str(row) for row in response.context["page"].object_list] == ["Far future"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "Enter a number."),
        ("-5", "greater than or equal to 0"),
        ("1e400", "Ensure that there are no more than 18 digits in total."),
    ],
)
def test_it_says_what_is_wrong_with_an_amount_and_leaves_the_list_unfiltered(
    client, value, message
):
    make_contract(title="PET-CT", value=1_000, status=PUBLISHED)
    response = client.get(reverse("contract_list"), {"value_min": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert [str(row) for row in response.context["page"].object_list] == ["PET-CT"]


def test_it_refuses_a_name_longer_than_any_record_holds_with_a_message(client):
    response = client.get(reverse("organisation_list"), {"name": "x" * 10_240})
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()


def test_it_answers_a_page_number_past_the_end_with_the_last_page(client):
    for number in range(PAGE_SIZE + 1):  # two pages
        make_contract(title=f"PET-CT {number}", status=PUBLISHED)
    response = client.get(reverse("contract_list"), {"page": "99999999999999999999"})
    assert response.status_code == 200
    assert response.context["page"].number == 2
