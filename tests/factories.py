"""Plain factory functions: each makes one valid record; keyword arguments override defaults."""

import itertools

from django.contrib.auth.models import Group, User

from investigations import models
from investigations.roles import EDITORS, RESEARCHERS

_counter = itertools.count(1)


def make_user(group=None, **kwargs):
    number = next(_counter)
    kwargs.setdefault("username", f"user{number}")
    kwargs.setdefault("is_staff", True)
    user = User.objects.create_user(password="pw-for-tests-only", **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_researcher(**kwargs):
    return make_user(RESEARCHERS, **kwargs)


def make_editor(**kwargs):
    return make_user(EDITORS, **kwargs)


def make_source(**kwargs):
    kwargs.setdefault("title", f"Annual report {next(_counter)}")
    kwargs.setdefault("publisher", "Companies House")
    kwargs.setdefault("status", models.Source.Status.PUBLISHED)
    return models.Source.objects.create(**kwargs)


def make_organisation(**kwargs):
    kwargs.setdefault("name", f"Example Diagnostics {next(_counter)} Ltd")
    return models.Organisation.objects.create(**kwargs)


def make_contract(**kwargs):
    kwargs.setdefault("title", f"Imaging services contract {next(_counter)}")
    return models.Contract.objects.create(**kwargs)


def make_concern(**kwargs):
    kwargs.setdefault("title", f"Enforcement action {next(_counter)}")
    kwargs.setdefault("kind", models.Concern.Kind.ENFORCEMENT)
    kwargs.setdefault("summary", "")
    return models.Concern.objects.create(**kwargs)


def make_person(**kwargs):
    kwargs.setdefault("name", f"Pat Example {next(_counter)}")
    return models.Person.objects.create(**kwargs)


def cite(record, field_name="", source=None, **kwargs):
    kwargs.setdefault("quote", "As stated in the source.")
    return models.Citation.objects.create(
        record=record, field_name=field_name, source=source or make_source(), **kwargs
    )


def cite_everything(record, source=None):
    """Give every claim of a record (and its child rows) a citation, so it can be published."""
    from investigations.prose import markers_in
    from investigations.publication import missing_claims

    source = source or make_source()
    for claim in missing_claims(record):
        target = claim.record
        if claim.field and claim.field in target.prose_fields:
            for marker in markers_in(getattr(target, claim.field)):
                models.Citation.objects.get_or_create(
                    content_type_id=_ct(target),
                    object_id=target.pk,
                    field_name=claim.field,
                    marker=marker,
                    defaults={"source": source, "quote": "Quoted."},
                )
        else:
            cite(target, claim.field, source)
    return source


def _ct(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def make_site(**kwargs):
    kwargs.setdefault("name", f"Community diagnostic centre {next(_counter)}")
    return models.Site.objects.create(**kwargs)


def make_framework(**kwargs):
    kwargs.setdefault("name", f"Imaging framework {next(_counter)}")
    return models.Framework.objects.create(**kwargs)


def make_relationship(**kwargs):
    kwargs.setdefault("subject", make_organisation())
    kwargs.setdefault("object", make_organisation())
    kwargs.setdefault("kind", models.Relationship.Kind.ACQUIRED)
    return models.Relationship.objects.create(**kwargs)


def make_party(contract=None, **kwargs):
    kwargs.setdefault("organisation", make_organisation())
    kwargs.setdefault("role", models.ContractParty.Role.SUPPLIER)
    return models.ContractParty.objects.create(contract=contract or make_contract(), **kwargs)


def make_one_of_each():
    """One record of every curated model, children included, keyed by model."""
    organisation = make_organisation()
    person = make_person()
    site = make_site()
    framework = make_framework()
    contract = make_contract()
    concern = make_concern()
    records = [
        organisation,
        person,
        site,
        framework,
        contract,
        concern,
        make_relationship(),
        make_party(contract),
        cite(contract),
        models.OrganisationAlias.objects.create(organisation=organisation, name="EDL"),
        models.Identifier.objects.create(organisation=organisation, value=f"{next(_counter):08d}"),
        models.ProfileSection.objects.create(
            organisation=organisation, heading="strategy", body="x"
        ),
        models.FinancialFiling.objects.create(organisation=organisation, period_end="2022-12-31"),
        models.Role.objects.create(person=person, organisation=organisation),
        models.SiteRole.objects.create(site=site, organisation=organisation, kind="operator"),
        models.FrameworkMembership.objects.create(framework=framework, organisation=organisation),
        models.ConcernParty.objects.create(concern=concern, organisation=organisation),
    ]
    records.append(records[8].source)
    return {type(record): record for record in records}


def admin_form_data(response, **changes):
    """What an admin change page would POST if saved as shown, plus ``changes``."""
    forms, data = [response.context["adminform"].form], {}
    for inline in response.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    if response.context.get("live_owner"):
        data["_revision_version"] = response.context["revision_version"]  # the hidden input
    data.update(changes)
    return data


def make_published(record, editor, source=None):
    """Cite every claim of the record and publish it, as an editor would."""
    from investigations.publication import publish

    cite_everything(record, source)
    publish(record, editor)
    record.refresh_from_db()
    return record


def admin_url(record, view="change"):
    from django.urls import reverse

    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[record.pk])


def changelist_url(model):
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def post_action(client, model, action, records, query="", **extra):
    """Run a changelist action as the admin's form would, following the redirect."""
    data = {"action": action, "_selected_action": [record.pk for record in records], **extra}
    return client.post(changelist_url(model) + query, data, follow=True)
