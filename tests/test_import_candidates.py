"""Matches by name alone are candidates (issue 11): scored in the preview, accepted or
rejected by the user, refused on the command line unless asked; renames keep the old name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from investigations import models as m
from investigations.importers import service
from investigations.importers.matching import IDENTIFIER_BOOST
from investigations.revisions import publish_revision
from tests import factories
from tests.test_valid_html import parse_errors

pytestmark = pytest.mark.django_db


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def organisations(*lines, **kwargs):
    return service.run_import(csv_bytes(*lines), "o.csv", kind="organisations", **kwargs)


def candidates(result):
    return [c for sheet in result.sheets for c in sheet.summary()["candidates"]]


def warnings(result):
    return " ".join(w for sheet in result.sheets for w in sheet.warnings)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def upload(client, *lines, **options):
    file = SimpleUploadedFile("o.csv", csv_bytes(*lines))
    client.post(reverse("admin:imports_upload"), {"file": file, "kind": "organisations", **options})
    return m.ImportBatch.objects.latest("pk")


def batch_page(client, batch):
    return client.get(reverse("admin:investigations_importbatch_change", args=[batch.pk]))


def decide(client, batch, **choices):
    data = {f"match:o:{row.removeprefix('row')}": value for row, value in choices.items()}
    client.post(reverse("admin:imports_decide", args=[batch.pk]), data)
    batch.refresh_from_db()
    return batch


def confirm(client, batch):
    client.post(reverse("admin:imports_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    return batch


def test_the_preview_lists_an_exact_match_by_name_with_a_score_of_100(researcher):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    result = organisations("name,country", "ALLIANCE MEDICAL,GB", dry_run=True)
    [match] = candidates(result)
    assert (match["row"], match["text"], match["chosen"]) == (2, "ALLIANCE MEDICAL", str(org.pk))
    assert match["candidates"] == [
        {"id": org.pk, "label": f"Alliance Medical Ltd (#{org.pk})", "score": 100, "shared": False}
    ]


def test_a_near_miss_is_a_candidate_never_applied_without_acceptance(researcher):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    result = organisations("name,country", "Aliance Medical,GB")
    [match] = candidates(result)
    assert match["candidates"][0]["id"] == org.pk and 85 <= match["candidates"][0]["score"] < 100
    assert match["chosen"] == "new" and "resembles Alliance Medical Ltd" in warnings(result)
    assert m.Organisation.objects.count() == 2
    org.refresh_from_db()
    assert org.country == ""


def test_an_accepted_near_miss_updates_the_record_and_keeps_its_name(researcher):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    result = organisations(
        "name,country", "Aliance Medical,GB", name_decisions={"o:2": str(org.pk)}
    )
    org.refresh_from_db()
    assert result.batch.rows_updated == 1 and m.Organisation.objects.count() == 1
    assert (org.name, org.country) == ("Alliance Medical Ltd", "GB")
    assert [a.name for a in org.aliases.all()] == ["Aliance Medical"]
    assert "as chosen in the preview" in warnings(result)


def test_a_rejected_exact_match_makes_a_new_record(researcher):
    factories.make_organisation(name="Acme Ltd")
    result = organisations("name", "Acme", name_decisions={"o:2": "new"})
    assert result.batch.rows_created == 1 and m.Organisation.objects.count() == 2


def test_a_choice_among_several_records_of_one_name_picks_that_one(researcher):
    factories.make_organisation(name="Acme Ltd")
    second = factories.make_organisation(name="Acme Limited")
    refused = organisations("name,country", "Acme,GB", dry_run=True)
    assert "matches several records" in refused.errors[0]["message"]
    assert len(candidates(refused)[0]["candidates"]) == 2
    organisations("name,country", "Acme,GB", name_decisions={"o:2": str(second.pk)})
    second.refresh_from_db()
    assert second.country == "GB"


def test_a_shared_identifier_value_boosts_a_candidate(researcher):
    plain = factories.make_organisation(name="Alliance Medical Group")
    holder = factories.make_organisation(name="Alliance Medical Groups")
    m.Identifier.objects.create(organisation=holder, value="02128897")
    # XX-COH is no scheme the database knows: the row imports without it, but it still hints.
    result = organisations("name,identifiers", "Aliance Medical Group,XX-COH-2128897")
    [match] = candidates(result)
    scores = {c["id"]: (c["score"], c["shared"]) for c in match["candidates"]}
    assert scores[holder.pk][1] and not scores[plain.pk][1]
    assert scores[holder.pk][0] > scores[plain.pk][0]
    assert match["candidates"][0]["id"] == holder.pk
    assert IDENTIFIER_BOOST > 0 and match["chosen"] == "new"


def test_no_candidate_reaches_a_record_with_another_strong_key(researcher):
    factories.make_contract(title="MRI scanning services", reference="CF-1")
    result = service.run_import(
        csv_bytes("title,reference", "MRI scanning service,CF-2"), "c.csv", kind="contracts"
    )
    assert candidates(result) == [] and result.batch.rows_created == 1


def test_the_command_line_refuses_a_match_by_name_alone(tmp_path, researcher):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    path = tmp_path / "o.csv"
    path.write_bytes(csv_bytes("name,country", "Alliance Medical,GB"))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_batch", str(path), "--kind", "organisations")
    batch = m.ImportBatch.objects.get()
    assert "by name alone" in batch.errors[0]["message"] and not batch.match_by_name
    call_command("import_batch", str(path), "--kind", "organisations", "--match-by-name")
    org.refresh_from_db()
    assert org.country == "GB" and m.Organisation.objects.count() == 1


def test_the_admin_preview_offers_the_candidates_with_the_default_checked(
    researcher_client, var_dir
):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    batch = upload(researcher_client, "name,country", "Alliance Medical,GB", "Aliance Medical,FR")
    page = batch_page(researcher_client, batch).content.decode()
    assert "Matches by name alone" in page
    assert f'name="match:o:2" value="{org.pk}" checked' in page
    assert 'name="match:o:3" value="new" checked' in page
    assert "score 100" in page


def test_the_admin_keeps_the_choices_from_preview_to_confirm(researcher_client, var_dir):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    batch = upload(researcher_client, "name,country", "Alliance Medical,GB", "Aliance Medical,FR")
    batch = decide(researcher_client, batch, row2="new", row3=str(org.pk))
    assert batch.name_decisions == {"o:2": "new", "o:3": str(org.pk)}
    assert (batch.state, batch.rows_created, batch.rows_updated) == ("previewed", 1, 1)
    batch = confirm(researcher_client, batch)
    org.refresh_from_db()
    assert batch.state == "committed" and org.country == "FR"
    assert m.Organisation.objects.filter(name="Alliance Medical", country="GB").exists()


def test_the_admin_can_refuse_matches_by_name_as_the_command_line_does(researcher_client, var_dir):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    batch = upload(
        researcher_client, "name,country", "Alliance Medical,GB", refuse_name_matches="1"
    )
    assert not batch.match_by_name and batch.rows_rejected == 1
    assert 'value="new" checked' not in batch_page(researcher_client, batch).content.decode()
    batch = decide(researcher_client, batch, row2=str(org.pk))
    assert batch.rows_rejected == 0 and batch.rows_updated == 1


def test_only_importers_may_choose_matches(client, var_dir, researcher):
    batch = m.ImportBatch.objects.create(user=researcher, file_name="o.csv", file_sha256="0")
    client.force_login(factories.make_user())
    response = client.post(reverse("admin:imports_decide", args=[batch.pk]), {"match:o:2": "new"})
    batch.refresh_from_db()
    assert response.status_code == 403 and batch.name_decisions == {}


def test_a_rename_of_a_draft_keeps_a_dated_former_name(researcher):
    org = factories.make_organisation(name="Alliance Medical Ltd")
    m.Identifier.objects.create(organisation=org, value="02128897")
    result = organisations("name,identifiers", "AML Imaging,GB-COH-02128897")
    org.refresh_from_db()
    former = org.aliases.get()
    assert org.name == "AML Imaging" and former.kind == "former"
    assert former.end == result.batch.created_at.date().isoformat()
    assert candidates(result) == []
    again = organisations("name,identifiers", "Alliance Medical,GB-COH-02128897")
    org.refresh_from_db()
    assert org.name == "AML Imaging" and again.batch.state == "unchanged"


def test_a_rename_of_a_published_organisation_waits_in_a_pending_revision(researcher, editor):
    org = factories.make_published(factories.make_organisation(name="Alliance Medical Ltd"), editor)
    identifier = m.Identifier.objects.create(organisation=org, value="02128897")
    factories.cite(identifier)
    result = organisations("name,identifiers", "AML Imaging,GB-COH-02128897", user=researcher)
    org.refresh_from_db()
    assert result.written and org.name == "Alliance Medical Ltd" and not org.aliases.exists()
    revision = m.Revision.objects.get()
    assert revision.snapshot["record"]["fields"]["name"] == "AML Imaging"
    [alias] = revision.snapshot["children"]["aliases"]
    assert (alias["fields"]["name"], alias["fields"]["kind"]) == ("Alliance Medical Ltd", "former")
    publish_revision(revision, editor, override_reason="The former name is on the register.")
    org.refresh_from_db()
    assert org.name == "AML Imaging" and org.aliases.get().kind == "former"


def test_the_preview_with_candidates_is_well_formed_html(researcher_client, var_dir):
    factories.make_organisation(name="Alliance Medical Ltd")
    batch = upload(researcher_client, "name,country", "Alliance Medical,GB", "Aliance Medical,FR")
    assert parse_errors(batch_page(researcher_client, batch).content.decode()) == []
