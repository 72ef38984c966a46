"""A citation backs a value, not a field: when the value changes, the citation goes stale.

A stale citation does not count for the gate, is marked in the admin, gives no footnote,
and a researcher re-confirms it against the new value in one step, recorded in history.
"""

import importlib

import pytest
import tablib
from django.apps import apps

from investigations import models as m
from investigations.importers.service import run_import
from investigations.publication import PublicationRefused, missing_claims, publish
from tests import factories
from tests.factories import admin_form_data, admin_url, changelist_url, post_action

pytestmark = pytest.mark.django_db

SUMMARY = "Alliance Medical was founded in 1989.[^founding]\n\nIt runs scanners.[^scanners]"


def refetch(record):
    return type(record).objects.get(pk=record.pk)


def fully_cited_organisation(**kwargs):
    organisation = factories.make_organisation(**kwargs)
    factories.cite_everything(organisation)
    return refetch(organisation)


def change(record, **values):
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    return refetch(record)


def citation_of(record, field_name, marker=""):
    return m.Citation.objects.get(object_id=record.pk, field_name=field_name, marker=marker)


def test_it_confirms_a_new_citation_against_the_value_it_is_made_for():
    organisation = factories.make_organisation(founded="1989")
    assert factories.cite(organisation, "founded").confirmed_value == "1989"
    assert factories.cite(organisation).confirmed_value == ""  # the record: never stale


def test_it_makes_a_citation_stale_when_the_value_changes():
    organisation = fully_cited_organisation(founded="1989")
    assert not citation_of(organisation, "founded").is_stale()
    change(organisation, founded="1975")
    assert citation_of(organisation, "founded").is_stale()


def test_the_gate_refuses_a_value_whose_only_citation_is_stale(editor):
    organisation = change(fully_cited_organisation(founded="1989"), founded="1975")
    assert [str(c) for c in missing_claims(organisation)] == [
        f"Organisation “{organisation}”: “founded” is cited for “1989”, not “1975”"
    ]
    with pytest.raises(PublicationRefused):
        publish(organisation, editor)


def test_it_keeps_a_citation_fresh_when_an_unrelated_field_changes():
    organisation = change(fully_cited_organisation(founded="1989"), website="https://a.example")
    assert not citation_of(organisation, "founded").is_stale()


def test_a_money_value_read_back_from_the_database_is_the_same_value():
    contract = factories.make_contract(value=350_000_000)
    factories.cite(contract, "value")
    assert citation_of(contract, "value").confirmed_value == "350000000"
    assert not citation_of(contract, "value").is_stale(refetch(contract))


def test_a_prose_citation_goes_stale_when_its_passage_changes_and_the_gate_says_so(editor):
    organisation = fully_cited_organisation(summary=SUMMARY)
    assert citation_of(organisation, "summary", "founding").confirmed_value == (
        "Alliance Medical was founded in 1989."
    )
    changed = SUMMARY.replace("1989", "1975")
    organisation = change(organisation, summary=changed)
    assert citation_of(organisation, "summary", "founding").is_stale()
    assert not citation_of(organisation, "summary", "scanners").is_stale()
    assert [c.description for c in missing_claims(organisation)] == [
        "[^founding] in “summary” is cited for other words: “Alliance Medical was founded in 1989.”"
    ]
    with pytest.raises(PublicationRefused):
        publish(organisation, editor)


def test_a_prose_citation_stays_fresh_when_its_passage_gains_another_marker():
    organisation = fully_cited_organisation(summary=SUMMARY)
    more = SUMMARY.replace("1989.[^founding]", "1989.[^founding][^filing]")
    organisation = change(organisation, summary=more)
    assert not citation_of(organisation, "summary", "founding").is_stale()


def test_a_prose_citation_whose_marker_is_gone_is_stale():
    organisation = fully_cited_organisation(summary=SUMMARY)
    organisation = change(organisation, summary="It runs scanners.[^scanners]")
    assert citation_of(organisation, "summary", "founding").is_stale()


def reconfirm_in_the_inline(client, record, citation):
    page = client.get(admin_url(record))
    formset = page.context["inline_admin_formsets"][-1].formset
    index = next(i for i, form in enumerate(formset.forms) if form.instance.pk == citation.pk)
    data = admin_form_data(page, **{f"{formset.prefix}-{index}-reconfirm": "on"})
    return client.post(admin_url(record), data)


def test_the_inline_marks_a_stale_citation_with_the_value_it_was_checked_against(
    researcher_client,
):
    organisation = change(fully_cited_organisation(founded="1989"), founded="1975")
    page = researcher_client.get(admin_url(organisation)).content.decode()
    assert "checked against “1989”" in page
    assert page.count("checked against “") == 1


def test_re_confirming_in_the_inline_clears_it_and_is_recorded_in_history(
    researcher_client, researcher
):
    organisation = change(fully_cited_organisation(founded="1989"), founded="1975")
    citation = citation_of(organisation, "founded")
    assert reconfirm_in_the_inline(researcher_client, organisation, citation).status_code == 302
    citation.refresh_from_db()
    assert (citation.confirmed_value, citation.is_stale()) == ("1975", False)
    latest = citation.history.first()
    assert latest.confirmed_value == "1975"
    assert latest.history_change_reason == "Re-confirmed against the current value"
    assert latest.history_user == researcher
    assert missing_claims(organisation) == []


def test_re_confirming_a_prose_citation_in_the_inline_clears_it(researcher_client):
    organisation = fully_cited_organisation(summary=SUMMARY)
    organisation = change(organisation, summary=SUMMARY.replace("1989", "1975"))
    citation = citation_of(organisation, "summary", "founding")
    reconfirm_in_the_inline(researcher_client, organisation, citation)
    citation.refresh_from_db()
    assert citation.confirmed_value == "Alliance Medical was founded in 1975."
    assert citation.history.count() == 2
    assert missing_claims(organisation) == []


def test_the_citations_list_re_confirms_the_selected_stale_citations(researcher_client):
    organisation = change(fully_cited_organisation(founded="1989"), founded="1975")
    stale = citation_of(organisation, "founded")
    listing = researcher_client.get(changelist_url(m.Citation)).content.decode()
    assert "checked against “1989”" in listing
    post_action(researcher_client, m.Citation, "reconfirm_selected", m.Citation.objects.all())
    stale.refresh_from_db()
    assert stale.confirmed_value == "1975"
    assert stale.history.first().history_change_reason == "Re-confirmed against the current value"


def test_the_public_page_gives_no_footnote_beside_a_changed_value(client, editor):
    organisation = fully_cited_organisation(founded="1989")
    publish(organisation, editor)
    change(organisation, founded="1975")
    page = client.get(organisation.get_absolute_url()).content.decode()
    founded = page[page.index("<dt>Founded</dt>") :].split("</dd>")[0]
    assert "1975" in founded
    assert 'class="fn"' not in founded
    assert 'class="uncited"' in founded


def migration():
    return importlib.import_module("investigations.migrations.0008_citation_confirmed_value")


def test_the_migration_confirms_existing_citations_against_todays_values():
    organisation = fully_cited_organisation(founded="1989", summary=SUMMARY)
    m.Citation.objects.update(confirmed_value="")
    migration().confirm_existing_citations(apps, None)
    assert citation_of(organisation, "founded").confirmed_value == "1989"
    assert citation_of(organisation, "summary", "scanners").confirmed_value == "It runs scanners."
    assert citation_of(organisation, "").confirmed_value == ""
    assert missing_claims(organisation) == []


def test_the_migration_reads_records_a_model_at_a_time(django_assert_max_num_queries):
    for year in ("1989", "1990", "1991"):
        fully_cited_organisation(founded=year)
    factories.cite(factories.make_contract(value=5), "value")
    m.Citation.objects.update(confirmed_value="")
    # Citations, content types, organisations, contracts, the update; then the empty chunk.
    with django_assert_max_num_queries(8):
        migration().confirm_existing_citations(apps, None)


def import_workbook(sheets, user):
    book = tablib.Databook(
        [tablib.Dataset(*rows[1:], headers=rows[0], title=name) for name, rows in sheets.items()]
    )
    return run_import(book.export("xlsx"), "book.xlsx", user=user)


def test_an_imported_citation_is_confirmed_against_the_imported_value(researcher):
    sheets = {
        "organisations": [
            ["name", "founded", "cited_field", "source", "quote"],
            ["Alliance Medical Ltd", "1989", "founded", "Companies House", "Incorporated 1989"],
        ],
        "frameworks": [
            ["name", "buyer", "cited_field", "source", "quote"],
            ["Imaging framework", "Alliance Medical Ltd", "buyer", "Award notice", "Run by AM"],
        ],
    }
    result = import_workbook(sheets, researcher)
    assert not result.errors, result.errors
    organisation, framework = m.Organisation.objects.get(), m.Framework.objects.get()
    assert citation_of(organisation, "founded").confirmed_value == "1989"
    buyer = citation_of(framework, "buyer")
    assert (buyer.confirmed_value, buyer.is_stale()) == (str(organisation.pk), False)


def test_a_citations_sheet_confirms_against_the_record_and_its_passage(researcher):
    site = factories.make_site(name="Taunton CDC", description="It opened in 2022.[^opening]")
    contract = factories.make_contract(title="National PET-CT", value=350_000_000)
    text = (
        "record_kind,record,cited_field,marker,source,quote\n"
        "contracts,national-pet-ct,value,,Award notice,valued at £350 million\n"
        "sites,Taunton CDC,description,opening,Trust board papers,opened in 2022\n"
    )
    result = run_import(text.encode(), "citations.csv", user=researcher, kind="citations")
    assert not result.errors, result.errors
    assert citation_of(contract, "value").confirmed_value == "350000000"
    assert citation_of(site, "description", "opening").confirmed_value == "It opened in 2022."
