"""Who owned whom on a date, when dates are known to the year, the month or the day."""

import datetime

import pytest

from investigations.models import PartialDate
from investigations.network.as_of import HELD, UNCERTAIN, parse_as_of, standing_on
from investigations.network.graph import neighbourhood
from investigations.views.profiles import ownership_chains
from tests.factories import cite, make_organisation, make_relationship

pytestmark = pytest.mark.django_db
PUBLISHED = "published"


def on(text):
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "day", "standing"),
    [
        ("2016", "2015-12-31", None),
        ("2016", "2016-01-01", UNCERTAIN),
        ("2016", "2016-03-01", UNCERTAIN),
        ("2016", "2016-12-31", HELD),
        ("2016-03", "2016-02-29", None),
        ("2016-03", "2016-03-01", UNCERTAIN),
        ("2016-03", "2016-03-31", HELD),
        ("2016-03-01", "2016-02-29", None),
        ("2016-03-01", "2016-03-01", HELD),
    ],
)
def test_a_link_begins_with_the_precision_its_start_is_known_to(start, day, standing):
    assert standing_on(PartialDate(start), "", on(day)) == standing


@pytest.mark.parametrize(
    ("end", "day", "standing"),
    [
        ("2020", "2019-12-31", HELD),
        ("2020", "2020-06-30", UNCERTAIN),
        ("2020", "2021-01-01", None),
        ("2020-06", "2020-05-31", HELD),
        ("2020-06", "2020-06-15", UNCERTAIN),
        ("2020-06", "2020-07-01", None),
        ("2020-06-15", "2020-06-15", HELD),
        ("2020-06-15", "2020-06-16", None),
    ],
)
def test_a_link_ends_with_the_precision_its_end_is_known_to(end, day, standing):
    assert standing_on(PartialDate("2010"), PartialDate(end), on(day)) == standing


def test_an_undated_link_holds_on_any_day_and_every_link_holds_with_no_day():
    assert standing_on("", "", on("1900-01-01")) == HELD
    assert standing_on(PartialDate("2030"), "", None) == HELD


def test_the_date_asked_for_must_be_a_whole_day():
    assert parse_as_of("2020-01-01") == on("2020-01-01")
    assert parse_as_of("01/03/2016") == on("2016-03-01")  # day first, as in the UK
    assert parse_as_of("") is None
    for text in ("2016", "March 2016", "2016-02-30", "soon"):
        with pytest.raises(ValueError, match="day|date"):
            parse_as_of(text)


@pytest.fixture
def chain():
    """Life Healthcare acquired Alliance Medical in 2016; it owned a unit from March 2015
    to 31 July 2019."""
    company = make_organisation(name="Alliance Medical Ltd", status=PUBLISHED)
    parent = make_organisation(name="Life Healthcare Group", status=PUBLISHED)
    unit = make_organisation(name="Scanning Unit Ltd", status=PUBLISHED)
    acquisition = make_relationship(
        subject=parent, object=company, kind="acquired", start="2016", status=PUBLISHED
    )
    make_relationship(
        subject=company,
        object=unit,
        kind="parent_of",
        start="2015-03",
        end="2019-07-31",
        status=PUBLISHED,
    )
    cite(acquisition, "start")
    return company, parent, unit


def names(links):
    return [(link.organisation.name, link.standing) for link in links]


def test_the_chain_on_a_date_keeps_the_links_that_held_and_marks_the_uncertain(chain):
    company, parent, unit = chain
    assert names(ownership_chains(company, on("2015-12-31"))[0]) == []
    assert names(ownership_chains(company, on("2016-03-01"))[0]) == [
        ("Life Healthcare Group", UNCERTAIN)
    ]
    assert names(ownership_chains(company, on("2017-01-01"))[0]) == [
        ("Life Healthcare Group", HELD)
    ]
    assert names(ownership_chains(company, on("2015-03-10"))[1]) == [
        ("Scanning Unit Ltd", UNCERTAIN)
    ]
    assert names(ownership_chains(company, on("2019-07-31"))[1]) == [("Scanning Unit Ltd", HELD)]
    assert names(ownership_chains(company, on("2019-08-01"))[1]) == []


def test_a_chain_through_an_uncertain_link_is_uncertain_beyond_it(chain):
    company, parent, unit = chain
    owners_of_unit, _ = ownership_chains(unit, on("2016-06-01"))
    assert names(owners_of_unit) == [
        ("Alliance Medical Ltd", HELD),
        ("Life Healthcare Group", UNCERTAIN),
    ]


def test_the_profile_shows_the_chain_on_the_date_and_says_what_uncertain_means(client, chain):
    company, parent, unit = chain
    response = client.get(company.get_absolute_url(), {"as_of": "2016-03-01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "(uncertain on 1 March 2016)" in body
    assert "A link that began in 2016 is certain from 31 December 2016" in body
    owners = body[body.index("Owners, up the chain") :]
    assert "Life Healthcare Group" in owners
    later = client.get(company.get_absolute_url(), {"as_of": "2020-01-01"}).content.decode()
    assert (
        "Scanning Unit Ltd</a>"
        not in later[later.index('id="ownership"') : later.index("Changes of ownership")]
    )
    assert "(uncertain on" not in later


def test_the_profile_has_a_timeline_of_ownership_changes_that_link_to_the_chain_then(client, chain):
    company, parent, unit = chain
    body = client.get(company.get_absolute_url()).content.decode()
    changes = body[body.index("Changes of ownership") :]
    expected = [
        '<time datetime="2015-03">March 2015</time> Alliance Medical Ltd is the parent of Scanning Unit Ltd',
        '<time datetime="2016">2016</time> Life Healthcare Group acquired Alliance Medical Ltd',
        '<time datetime="2019-07-31">31 July 2019</time> Ended: Alliance Medical Ltd is the parent',
    ]
    positions = [changes.index(text) for text in expected]
    assert positions == sorted(positions)
    assert 'href="?as_of=2016-12-31#ownership"' in changes
    assert 'href="?as_of=2019-08-01#ownership"' in changes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2016", "“2016” is not a single day"),
        ("March 2016", "“March 2016” is not a single day"),
        ("2016-02-30", "not a date this site can read"),
        ("\x00", "not a date this site can read"),
        ("1' OR '1'='1", "not a date this site can read"),
        ("x" * 10_240, "not a date this site can read"),
    ],
)
def test_a_date_that_is_not_a_day_gets_a_400_with_a_message(client, chain, value, message):
    company, _, _ = chain
    response = client.get(company.get_absolute_url(), {"as_of": value})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_network_on_a_date_leaves_out_what_had_not_begun_and_dashes_the_uncertain(
    client, chain
):
    company, parent, unit = chain
    before = neighbourhood(company, as_of=on("2015-01-01"))
    assert set(before.nodes) == {"organisation:alliance-medical-ltd"}
    during = neighbourhood(company, as_of=on("2016-03-01"))
    assert {(e.source, e.standing) for e in during.edges} == {
        ("organisation:life-healthcare-group", UNCERTAIN),
        ("organisation:alliance-medical-ltd", HELD),
    }
    response = client.get(
        "/network/", {"around": "organisation:alliance-medical-ltd", "as_of": "2016-03-01"}
    )
    body = response.content.decode()
    assert body.count('stroke-dasharray="6 4"') == 1
    assert "acquired 2016 (uncertain)" in body
    assert "Uncertain</td>" in body
