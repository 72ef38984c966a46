"""Model rules: partial dates, money, identifiers and name matching."""

import datetime
from decimal import Decimal

import pytest

from investigations.models import (
    Contract,
    Identifier,
    PartialDate,
    format_money,
    normalise_name,
    parse_partial_date,
)
from tests import factories


@pytest.mark.parametrize(
    ("written", "stored", "precision", "shown"),
    [
        ("22/11/2022", "2022-11-22", "day", "22 November 2022"),
        ("Nov 2022", "2022-11", "month", "November 2022"),
        ("November 2022", "2022-11", "month", "November 2022"),
        ("11/2022", "2022-11", "month", "November 2022"),
        ("2016", "2016", "year", "2016"),
        ("22 November 2022", "2022-11-22", "day", "22 November 2022"),
        (datetime.date(2023, 8, 1), "2023-08-01", "day", "1 August 2023"),
    ],
)
def test_it_reads_partial_dates_as_researchers_write_them(written, stored, precision, shown):
    date = parse_partial_date(written)
    assert (date, date.precision, date.display) == (stored, precision, shown)


@pytest.mark.parametrize("written", ["31/02/2022", "Smarch 2022", "2022-13", "sometime"])
def test_it_refuses_what_is_not_a_date(written):
    with pytest.raises(ValueError):
        parse_partial_date(written)


def test_it_knows_the_range_a_partial_date_covers():
    assert PartialDate("2016").earliest() == datetime.date(2016, 1, 1)
    assert PartialDate("2024-02").latest() == datetime.date(2024, 2, 29)


def test_it_keeps_the_precision_of_a_partial_date_through_the_database(db):
    contract = factories.make_contract(awarded="Nov 2022", start="2016")
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.awarded.precision, contract.awarded.display) == ("month", "November 2022")
    assert contract.start.precision == "year"
    assert list(Contract.objects.filter(awarded__gte="2022")) == [contract]


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("350000000", "GBP", "£350m"),
        ("169600000", "GBP", "£169.6m"),
        ("1250000", "GBP", "£1.25m"),
        ("10700000", "GBP", "£10.7m"),
        ("10000000000", "GBP", "£10bn"),
        ("18000000", "EUR", "€18m"),
        ("471000", "GBP", "£471,000"),
        ("1234.5", "GBP", "£1,234.50"),
        ("-2500000", "GBP", "-£2.5m"),
        ("5000000", "ZAR", "5m ZAR"),
        (None, "GBP", ""),
    ],
)
def test_it_formats_money_as_researchers_write_it(amount, currency, shown):
    assert format_money(Decimal(amount) if amount else None, currency) == shown


@pytest.mark.parametrize("written", ["2128897", " 02128897 ", "0212 8897"])
def test_it_normalises_a_companies_house_number_to_an_org_id(db, written):
    organisation = factories.make_organisation()
    identifier = Identifier.objects.create(organisation=organisation, value=written)
    assert identifier.org_id == "GB-COH-02128897"
    assert identifier.register_url.endswith("/company/02128897")


@pytest.mark.parametrize(
    "name",
    [
        "Alliance Medical",
        "Alliance Medical Ltd",
        "ALLIANCE MEDICAL LIMITED",
        "Alliance Medical Ltd.",
        "Alliance Medical PLC",
        "Alliance Medical LLP",
        "Alliance Medical LP",
        "Alliance Medical Holdings Limited",
    ],
)
def test_it_matches_names_without_their_company_suffix(name):
    assert normalise_name(name) == "alliance medical"


def test_it_keeps_a_name_that_is_only_a_suffix():
    assert normalise_name("PLC") == "plc"


def test_it_stores_the_normalised_name_of_organisations_and_aliases(db):
    organisation = factories.make_organisation(name="Alliance Medical Ltd")
    alias = organisation.aliases.create(name="AML Limited")
    assert (organisation.normalised_name, alias.normalised_name) == ("alliance medical", "aml")
