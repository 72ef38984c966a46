"""A change form shows a parent's first child rows, says how many there are, and links to all."""

import pytest

from investigations.admin.base import MISSING_LISTED
from investigations.admin.inlines import MAX_INLINE_ROWS
from investigations.models import FrameworkMembership, Revision
from investigations.publication import missing_claims
from tests import factories
from tests.factories import admin_form_data, admin_url, changelist_url


def make_framework_with_members(count):
    framework = factories.make_framework()
    for number in range(count):
        organisation = factories.make_organisation(name=f"Member {number:03d} Ltd")
        framework.memberships.create(organisation=organisation, lot=f"lot {number}")
    return framework


def memberships_formset(page):
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is FrameworkMembership:
            return inline.formset
    raise LookupError(FrameworkMembership)


@pytest.fixture
def framework(db):
    return make_framework_with_members(MAX_INLINE_ROWS + 5)


def test_it_shows_the_first_rows_and_links_to_all_of_them(editor_client, framework):
    page = editor_client.get(admin_url(framework))
    assert page.status_code == 200
    assert len(memberships_formset(page).forms) == MAX_INLINE_ROWS
    content = page.content.decode()
    total = MAX_INLINE_ROWS + 5
    assert f"Showing the first {MAX_INLINE_ROWS} of {total} framework memberships" in content
    link = f"{changelist_url(FrameworkMembership)}?framework__id__exact={framework.pk}"
    assert f'<a href="{link}">See and edit all {total}</a>' in content
    shown = [form.instance.organisation.name for form in memberships_formset(page).forms]
    assert shown == [f"Member {number:03d} Ltd" for number in range(MAX_INLINE_ROWS)]


def test_its_link_lists_every_row_of_the_parent_and_no_other(researcher_client, framework):
    make_framework_with_members(1)
    link = f"{changelist_url(FrameworkMembership)}?framework__id__exact={framework.pk}"
    page = researcher_client.get(link)
    assert page.status_code == 200
    assert page.context["cl"].result_count == MAX_INLINE_ROWS + 5
    assert f"Member {MAX_INLINE_ROWS + 4:03d} Ltd" in page.content.decode()


def test_it_says_nothing_of_more_rows_when_it_shows_them_all(editor_client, db):
    framework = make_framework_with_members(MAX_INLINE_ROWS)
    page = editor_client.get(admin_url(framework))
    assert len(memberships_formset(page).forms) == MAX_INLINE_ROWS
    assert "See and edit all" not in page.content.decode()


def test_saving_the_form_edits_the_rows_it_showed_and_keeps_the_others(editor_client, framework):
    page = editor_client.get(admin_url(framework))
    prefix = memberships_formset(page).prefix
    data = admin_form_data(page, **{f"{prefix}-0-lot": "lot A", f"{prefix}-1-DELETE": "on"})
    assert editor_client.post(admin_url(framework), data).status_code == 302
    lots = list(framework.memberships.order_by("organisation__name").values_list("lot", flat=True))
    assert lots[0] == "lot A"
    assert len(lots) == MAX_INLINE_ROWS + 4
    assert lots[-1] == f"lot {MAX_INLINE_ROWS + 4}"


def test_a_row_added_meanwhile_among_the_first_is_not_overwritten(editor_client, framework):
    page = editor_client.get(admin_url(framework))
    prefix = memberships_formset(page).prefix
    data = admin_form_data(page, **{f"{prefix}-0-lot": "lot A"})
    early = factories.make_organisation(name="Aardvark Imaging Ltd")
    framework.memberships.create(organisation=early, lot="lot new")
    assert editor_client.post(admin_url(framework), data).status_code == 302
    lots = dict(framework.memberships.values_list("organisation__name", "lot"))
    assert (lots["Aardvark Imaging Ltd"], lots["Member 000 Ltd"]) == ("lot new", "lot A")


def test_a_published_parents_shown_rows_change_through_its_revision(
    client, researcher, editor, framework
):
    factories.make_published(framework, editor)
    client.force_login(researcher)
    page = client.get(admin_url(framework))
    prefix = memberships_formset(page).prefix
    data = admin_form_data(page, **{f"{prefix}-0-lot": "lot A"})
    assert client.post(admin_url(framework), data).status_code == 302
    assert framework.memberships.filter(lot="lot A").count() == 0
    members = Revision.objects.pending().for_record(framework).get().snapshot["children"]
    lots = {member["fields"]["lot"] for member in members["memberships"]}
    assert "lot A" in lots and len(lots) == MAX_INLINE_ROWS + 5


def test_the_coverage_lists_the_first_uncited_claims_and_counts_the_rest(editor_client, db):
    framework = make_framework_with_members(MISSING_LISTED + 10)
    missing = len(missing_claims(framework))
    page = editor_client.get(admin_url(framework)).content.decode()
    assert f"{missing} claims without a citation" in page
    coverage = page.split('<div class="citation-coverage">')[1].split("</ul>")[0]
    assert coverage.count("<li>") == MISSING_LISTED + 1
    assert f"<li>and {missing - MISSING_LISTED} more</li>" in coverage
