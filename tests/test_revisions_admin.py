"""A published record changes only through review: every admin route makes a pending revision."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.signals import template_rendered
from django.urls import reverse

from investigations import models, revisions
from investigations.models import Revision
from tests import factories
from tests.factories import admin_form_data, admin_url, post_action


def public_page(client, record):
    cache.clear()  # the page as rendered now, not as cached before the change
    client.logout()
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content


@pytest.fixture
def organisation(editor):
    organisation = factories.make_organisation(name="Alliance Medical Ltd", founded="1989")
    models.OrganisationAlias.objects.create(organisation=organisation, name="AML")
    return factories.make_published(organisation, editor)


def inline_prefix(page, model):
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise LookupError(model)


def as_researcher(client, researcher):
    client.force_login(researcher)
    return client


def pending(record):
    return Revision.objects.pending().for_record(record).get()


def test_a_researchers_edit_in_the_change_form_leaves_the_public_page_as_it_was(
    client, researcher, organisation
):
    before = public_page(client, organisation)
    client = as_researcher(client, researcher)
    page = client.get(admin_url(organisation))
    data = admin_form_data(page, founded="1975", summary="It paid no tax in 2022.")
    assert client.post(admin_url(organisation), data).status_code == 302
    assert public_page(client, organisation) == before
    fields = pending(organisation).snapshot["record"]["fields"]
    assert (fields["founded"], fields["summary"]) == ("1975", "It paid no tax in 2022.")
    assert pending(organisation).created_by == researcher


def test_an_inline_row_added_changed_or_deleted_waits_in_the_revision(
    client, researcher, organisation
):
    before = public_page(client, organisation)
    client = as_researcher(client, researcher)
    page = client.get(admin_url(organisation))
    prefix = inline_prefix(page, models.OrganisationAlias)
    data = admin_form_data(page, **{f"{prefix}-0-DELETE": "on"})
    new_row = {"name": "Alliance Medical Group", "kind": "variant"}
    data.update({f"{prefix}-1-{key}": value for key, value in new_row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = 2
    assert client.post(admin_url(organisation), data).status_code == 302
    assert public_page(client, organisation) == before
    assert list(organisation.aliases.values_list("name", flat=True)) == ["AML"]
    aliases = pending(organisation).snapshot["children"]["aliases"]
    assert [alias["fields"]["name"] for alias in aliases] == ["Alliance Medical Group"]


def test_deleting_a_citation_of_a_published_person_waits_for_review(client, researcher, editor):
    person = factories.make_published(factories.make_person(name="Pat Director"), editor)
    citation = person.citations.get(field_name="")
    before = public_page(client, person)
    client = as_researcher(client, researcher)
    page = client.get(admin_url(person))
    prefix = page.context["inline_admin_formsets"][-1].formset.prefix
    data = admin_form_data(page, **{f"{prefix}-0-DELETE": "on"})
    assert client.post(admin_url(person), data).status_code == 302
    assert public_page(client, person) == before
    assert models.Citation.objects.filter(pk=citation.pk).exists()
    assert pending(person).snapshot["citations"] == []


def test_deleting_a_citation_from_its_own_page_waits_for_review(client, researcher, organisation):
    citation = organisation.citations.get(field_name="founded")
    client = as_researcher(client, researcher)
    assert client.post(admin_url(citation, "delete"), {"post": "yes"}).status_code == 302
    assert models.Citation.objects.filter(pk=citation.pk).exists()
    remaining = {c["pk"] for c in pending(organisation).snapshot["citations"]}
    assert citation.pk not in remaining


def test_a_bulk_delete_of_child_rows_waits_for_review(client, researcher, organisation):
    draft = factories.make_organisation()
    draft_alias = models.OrganisationAlias.objects.create(organisation=draft, name="Draft alias")
    alias = organisation.aliases.get()
    before = public_page(client, organisation)
    client = as_researcher(client, researcher)
    response = post_action(
        client, models.OrganisationAlias, "delete_selected", [alias, draft_alias], post="yes"
    )
    assert response.status_code == 200
    assert public_page(client, organisation) == before
    assert organisation.aliases.exists()
    assert not models.OrganisationAlias.objects.filter(pk=draft_alias.pk).exists()
    assert pending(organisation).snapshot["children"]["aliases"] == []


def test_a_history_revert_of_a_published_record_waits_for_review(client, researcher, editor):
    contract = factories.make_contract(region="South West")
    contract.region = "North East"
    contract.save()
    contract = factories.make_published(contract, editor)
    first = contract.history.earliest()
    before = public_page(client, contract)
    client = as_researcher(client, researcher)
    url = reverse(
        "admin:investigations_contract_simple_history", args=[contract.pk, first.history_id]
    )
    page = client.get(url)
    assert client.post(url, admin_form_data(page)).status_code == 302
    assert public_page(client, contract) == before
    assert pending(contract).snapshot["record"]["fields"]["region"] == "South West"
    contract.refresh_from_db()
    assert contract.status == "published"


def test_a_child_rows_own_page_edits_the_parents_revision(client, researcher, editor):
    contract = factories.make_contract()
    party = factories.make_party(contract, note="Operator from 2022")
    contract = factories.make_published(contract, editor)
    client = as_researcher(client, researcher)
    page = client.get(admin_url(party))
    assert client.post(admin_url(party), admin_form_data(page, note="Operator")).status_code == 302
    party.refresh_from_db()
    assert party.note == "Operator from 2022"
    [row] = pending(contract).snapshot["children"]["parties"]
    assert row["fields"]["note"] == "Operator"


def test_later_edits_extend_the_one_open_revision(client, researcher, organisation):
    client = as_researcher(client, researcher)
    page = client.get(admin_url(organisation))
    client.post(admin_url(organisation), admin_form_data(page, founded="1975"))
    page = client.get(admin_url(organisation))
    assert page.context["adminform"].form["founded"].value() == "1975"  # the revision, staged
    client.post(admin_url(organisation), admin_form_data(page, website="https://example.org"))
    revision = pending(organisation)
    assert revision.version == 2
    assert revision.snapshot["record"]["fields"]["founded"] == "1975"
    assert revision.snapshot["record"]["fields"]["website"] == "https://example.org"


def test_a_second_editor_of_a_stale_form_gets_a_conflict_and_nothing_is_overwritten(
    client, researcher, organisation
):
    other = factories.make_researcher(username="dana")
    client = as_researcher(client, researcher)
    stale_page = client.get(admin_url(organisation))
    client.force_login(other)
    page = client.get(admin_url(organisation))
    client.post(admin_url(organisation), admin_form_data(page, founded="1975"))
    client.force_login(researcher)
    response = client.post(admin_url(organisation), admin_form_data(stale_page, founded="1980"))
    assert response.status_code == 200
    assert "dana changed" in response.content.decode()
    revision = pending(organisation)
    assert (revision.version, revision.snapshot["record"]["fields"]["founded"]) == (1, "1975")


def test_a_researchers_save_of_a_draft_still_writes_at_once(client, researcher):
    draft = factories.make_organisation(name="Draft Diagnostics Ltd")
    client = as_researcher(client, researcher)
    page = client.get(admin_url(draft))
    assert client.post(admin_url(draft), admin_form_data(page, founded="2001")).status_code == 302
    draft.refresh_from_db()
    assert str(draft.founded) == "2001"
    assert not Revision.objects.exists()


def test_an_editors_change_that_adds_an_uncited_claim_is_shown_the_gate(
    client, editor, organisation
):
    client.force_login(editor)
    page = client.get(admin_url(organisation))
    data = admin_form_data(page, summary="It paid no tax in 2022.")
    response = client.post(admin_url(organisation), data)
    revision = pending(organisation)
    assert response.url == admin_url(revision)
    organisation.refresh_from_db()
    assert organisation.summary == ""
    gate = client.get(response.url).content.decode()
    assert "It paid no tax in 2022." in gate and "has no citation" in gate


def test_an_editors_change_with_nothing_uncited_goes_live(client, editor, organisation):
    client.force_login(editor)
    page = client.get(admin_url(organisation))
    alias_prefix = inline_prefix(page, models.OrganisationAlias)
    data = admin_form_data(page, **{f"{alias_prefix}-0-DELETE": "on"})
    assert client.post(admin_url(organisation), data).status_code == 302
    assert not organisation.aliases.exists()
    assert Revision.objects.get().state == Revision.State.PUBLISHED


def test_a_textareas_crlf_line_endings_are_not_a_change(client, researcher, editor):
    organisation = factories.make_organisation()
    models.ProfileSection.objects.create(
        organisation=organisation, heading="strategy", body="One.[^a]\n\nTwo.[^b]"
    )
    organisation = factories.make_published(organisation, editor)
    client = as_researcher(client, researcher)
    page = client.get(admin_url(organisation))
    prefix = inline_prefix(page, models.ProfileSection)
    data = admin_form_data(page, founded="2001", **{f"{prefix}-0-body": "One.[^a]\r\n\r\nTwo.[^b]"})
    assert client.post(admin_url(organisation), data).status_code == 302
    revision = pending(organisation)
    [section] = revision.snapshot["children"]["sections"]
    assert section["fields"]["body"] == "One.[^a]\n\nTwo.[^b]"
    diff = client.get(admin_url(revision)).context["diff"]
    assert [change.label for change in diff.fields] == ["founded"]
    assert diff.rows == []


def test_an_editors_change_that_makes_a_citation_stale_is_shown_the_gate(
    client, editor, organisation
):
    client.force_login(editor)
    page = client.get(admin_url(organisation))
    response = client.post(admin_url(organisation), admin_form_data(page, founded="1975"))
    assert response.url == admin_url(pending(organisation))
    organisation.refresh_from_db()
    assert str(organisation.founded) == "1989"
    assert "cited for “1989”, not “1975”" in client.get(response.url).content.decode()


def test_re_confirming_a_citation_in_the_same_save_lets_the_revision_pass_the_gate(
    client, researcher, organisation
):
    from investigations import revisions

    client = as_researcher(client, researcher)
    page = client.get(admin_url(organisation))
    prefix = page.context["inline_admin_formsets"][-1].formset
    index = next(i for i, form in enumerate(prefix.forms) if form.instance.field_name == "founded")
    data = admin_form_data(page, founded="1975", **{f"{prefix.prefix}-{index}-reconfirm": "on"})
    assert client.post(admin_url(organisation), data).status_code == 302
    revision = pending(organisation)
    assert revisions.staged_missing_claims(revision) == []
    founded = [c for c in revision.snapshot["citations"] if c["fields"]["field_name"] == "founded"]
    assert founded[0]["fields"]["confirmed_value"] == "1975"


def with_a_pending_revision(client, researcher, organisation):
    """A researcher's pending edit of a field (its citation re-confirmed), of a citation's
    quote, and a new alias (uncited); the researcher has seen the page it led to."""
    client = as_researcher(client, researcher)
    page = client.get(admin_url(organisation))
    aliases = inline_prefix(page, models.OrganisationAlias)
    citations = page.context["inline_admin_formsets"][-1].formset
    fields = [form.instance.field_name for form in citations.forms]
    founded, whole = fields.index("founded"), fields.index("")
    data = admin_form_data(page, founded="1975")
    data[f"{citations.prefix}-{founded}-reconfirm"] = "on"
    data[f"{citations.prefix}-{whole}-quote"] = "Quoted again."
    data.update({f"{aliases}-1-name": "Alliance Medical Group", f"{aliases}-1-kind": "variant"})
    data[f"{aliases}-TOTAL_FORMS"] = 2
    assert client.post(admin_url(organisation), data, follow=True).status_code == 200
    return client


def rendered_form(client, record):
    """The change form's page without what differs from one request to the next, says
    which revision the form was made from, or why its uncited claims were published."""
    html = client.get(admin_url(record)).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'name="_revision_version" value="\d+"', "", html)
    html = re.sub(r'<p class="(revision-note|override-reason)">.*?</p>', "", html, flags=re.DOTALL)
    return " ".join(html.split())


def test_the_form_of_a_pending_revision_shows_what_its_record_shows_once_it_is_published(
    client, researcher, editor, organisation
):
    client = with_a_pending_revision(client, researcher, organisation)
    client.force_login(editor)
    staged = rendered_form(client, organisation)
    assert all(text in staged for text in ("1975", "Alliance Medical Group", "Quoted again."))
    revisions.publish_revision(pending(organisation), editor, "The alias is on its website.")
    assert rendered_form(client, organisation) == staged


@pytest.mark.django_db(transaction=True)
def test_the_form_of_a_pending_revision_is_rendered_outside_any_transaction(
    client, researcher, organisation
):
    # On SQLite a transaction that staged the revision holds the write lock: every import
    # chunk and every other save would wait for the page to render.
    client = with_a_pending_revision(client, researcher, organisation)
    rendering = []

    def note(sender, template, **kwargs):
        if template.name == "admin/investigations/publishable_change_form.html":
            rendering.append(connection.in_atomic_block)

    template_rendered.connect(note)
    try:
        page = client.get(admin_url(organisation))
    finally:
        template_rendered.disconnect(note)
    assert "1975" in page.content.decode()
    assert rendering == [False]
