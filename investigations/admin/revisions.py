"""Edits of published records in the admin become pending revisions; editors review them.

``ProposesRevisions`` routes every write an admin page makes (change and add forms with
their inlines, deletions, history reverts, bulk actions) through ``revisions.propose``; the
gate's own pages and actions (publish, unpublish, restore, soft deletion) are not routed.
``RevisionAdmin`` lists pending revisions and shows each as a diff with the gate's verdict.
"""

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from investigations import revisions
from investigations.models import PUBLISHABLE_MODELS, Publishable, Revision
from investigations.publication import PublicationRefused, missing_claims
from investigations.revision_diff import revision_diff
from investigations.roles import can_publish

from .forms import PublishForm
from .pagination import LookaheadPaginationMixin
from .publishing import admin_change_url

GATE_ACTIONS = {"publish_selected", "unpublish_selected", "restore_selected", "delete_selected"}


def revision_url(revision):
    return reverse("admin:investigations_revision_change", args=[revision.pk])


class ProposesRevisions:
    """For CurationAdmin: what a user changes on a live record waits for an editor."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        owner = self._live_owner(request, object_id)

        def view():
            context = {**(extra_context or {}), **self._revision_context(request, owner)}
            return super(ProposesRevisions, self).changeform_view(
                request, object_id, form_url, context
            )

        return self._through_revisions(request, owner, view)

    def delete_view(self, request, object_id, extra_context=None):
        if issubclass(self.model, Publishable):
            return super().delete_view(request, object_id, extra_context)  # the gate's
        owner = self._live_owner(request, object_id)
        view = super().delete_view
        return self._through_revisions(
            request, owner, lambda: view(request, object_id, extra_context)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        owner = self._live_owner(request, object_id)
        view = super().history_form_view
        return self._through_revisions(
            request, owner, lambda: view(request, object_id, version_id, extra_context)
        )

    def delete_queryset(self, request, queryset):
        if issubclass(self.model, Publishable):
            return super().delete_queryset(request, queryset)
        delete = super().delete_queryset
        return self._by_owner(request, queryset, lambda rows: delete(request, rows))

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, (function, action_name, description) in list(actions.items()):
            if name not in GATE_ACTIONS:
                actions[name] = (self._routed_action(function), action_name, description)
        return actions

    def _routed_action(self, function):
        def action(modeladmin, request, queryset):
            return self._by_owner(
                request, queryset, lambda rows: function(modeladmin, request, rows)
            )

        return action

    def _by_owner(self, request, queryset, run):
        """Run a bulk change once for the rows of drafts, and once per live record's rows."""
        groups, others = {}, []
        for obj in queryset:
            owner = revisions.owner_of(obj)
            if revisions.is_live(owner):
                groups.setdefault((type(owner), owner.pk), (owner, []))[1].append(obj.pk)
            else:
                others.append(obj.pk)
        if others:
            run(queryset.filter(pk__in=others))
        for owner, ids in groups.values():
            self._propose(request, [owner], lambda ids=ids: run(queryset.filter(pk__in=ids)))

    # The routing itself.

    def _through_revisions(self, request, owner, view):
        if request.method != "POST":
            return self._staged(request, owner, view)
        try:
            return self._propose(
                request, [owner] if owner else [], _rendered(view), _based_on(request)
            )
        except revisions.RevisionConflict as conflict:
            # The form again, with what the user entered and the conflict as its error; in
            # a savepoint that is rolled back, so nothing of it can reach a live record.
            request.revision_conflict = str(conflict)
            owners = [owner] if owner else []
            return revisions.propose(owners, request.user, _rendered(view), keep=_never)[0]

    def _staged(self, request, owner, view):
        """The page as the record's pending revision has it: its forms are made, and what
        they show of the record's rows is read, with the revision staged in a savepoint that
        is then rolled back. It is rendered afterwards, outside the transaction, which on
        SQLite holds the write lock that imports and every other save wait for."""
        if owner is None or revisions.pending_revision(owner) is None:
            return view()
        response, _ = revisions.propose([owner], request.user, _read_ahead(view), keep=_never)
        return response

    def _propose(self, request, owners, change, based_on=None):
        request.held_messages = []
        try:
            result, kept = revisions.propose(
                owners, request.user, change, keep=_succeeded, based_on=based_on
            )
        finally:
            held = request.__dict__.pop("held_messages")
        if not kept:
            for message, level in held:
                super().message_user(request, message, level)
            return result
        return self._proposed(request, kept, result)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        held = getattr(request, "held_messages", None)
        if held is None:
            return super().message_user(request, message, level, *args, **kwargs)
        held.append((message, level))  # said only if the change is kept as it was made

    def _proposed(self, request, kept, response):
        for revision in kept:
            record = revision.record
            if not can_publish(request.user, type(record)):
                self._say_pending(request, revision)
            elif not _publish_if_nothing_new_is_uncited(revision, record, request.user):
                self.message_user(
                    request,
                    f"Your change to “{record}” is not live yet: it would publish claims "
                    "without a citation. Cite them, or publish it with a reason.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(revision_url(revision))
            else:
                self.message_user(
                    request, f"Published your change to “{record}”.", messages.SUCCESS
                )
        return response

    def _say_pending(self, request, revision):
        message = format_html(
            "Saved as <a href='{}'>pending revision #{}</a> of “{}”. The public page is "
            "unchanged until an editor publishes it.",
            revision_url(revision),
            revision.pk,
            revision.record,
        )
        self.message_user(request, message, messages.SUCCESS)

    def _live_owner(self, request, object_id):
        if object_id is None:
            return None
        obj = self.get_object(request, unquote(object_id))
        owner = (
            revisions.owner_of(obj)
            if obj is not None
            else _owner_in_revisions(self.model, object_id)
        )
        return owner if revisions.is_live(owner) else None

    def _revision_context(self, request, owner):
        if owner is None:
            return {}
        pending = revisions.pending_revision(owner)
        rejected = Revision.objects.for_record(owner).filter(state=Revision.State.REJECTED).first()
        return {
            "live_owner": owner,
            "pending_revision": pending,
            "revision_version": pending.version if pending else 0,
            "rejected_revision": rejected if rejected and not pending else None,
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        conflict = getattr(request, "revision_conflict", None)
        return _refusing(form, conflict) if conflict else form


def _rendered(view):
    def render():
        response = view()
        if hasattr(response, "render"):
            response.render()  # inside the savepoint, before it is rolled back
        return response

    return render


def _read_ahead(view):
    """The view, with the values of its forms' read-only fields (citation coverage, a
    citation's freshness) computed at once: its forms' rows are loaded already."""

    def read():
        response = view()
        context = getattr(response, "context_data", None) or {}
        adminform = context.get("adminform")
        if adminform is not None:
            adminform.model_admin = ComputedReadonly(
                adminform.model_admin, adminform.readonly_fields, [adminform.form]
            )
        for inline in context.get("inline_admin_formsets", ()):
            inline.opts = ComputedReadonly(
                inline.opts, inline.readonly_fields, inline.formset.forms
            )
        return response

    return read


class ComputedReadonly:
    """A model admin whose read-only display methods answer, for these forms' instances, the
    values they had when this was made; for any other object, they are called as usual."""

    def __init__(self, model_admin, names, forms):
        self._model_admin = model_admin
        methods = {name: _display_method(model_admin, name) for name in names}
        self._methods = {name: method for name, method in methods.items() if method}
        self._values = {
            (name, id(form.instance)): method(form.instance)
            for name, method in self._methods.items()
            for form in forms
        }
        self._instances = [form.instance for form in forms]  # so that no id is reused

    def __getattr__(self, name):
        method = self.__dict__.get("_methods", {}).get(name)
        if method is None:
            return getattr(self._model_admin, name)

        @functools.wraps(method)
        def computed(obj):
            key = (name, id(obj))
            return self._values[key] if key in self._values else method(obj)

        return computed


def _display_method(model_admin, name):
    """The model admin's method that ``lookup_field`` would call for this read-only field."""
    if not isinstance(name, str) or name == "__str__":
        return None
    try:
        model_admin.model._meta.get_field(name)
        return None
    except FieldDoesNotExist:
        method = getattr(model_admin, name, None)
        return method if callable(method) else None


def _never(response):
    return False


def _succeeded(response):
    return response is None or response.status_code in (301, 302)


def _based_on(request):
    version = request.POST.get("_revision_version")
    return int(version) if version and version.isdigit() else None


def _refusing(form_class, message):
    def clean(self):
        super(refusing, self).clean()
        raise ValidationError(message)

    refusing = type(form_class.__name__, (form_class,), {"clean": clean})
    return refusing


def _owner_in_revisions(model, object_id):
    """The live record whose pending revision adds this child row (it is nowhere else)."""
    parent_field = revisions.CHILD_PARENT_FIELDS.get(model)
    if parent_field is None or not str(object_id).isdigit():
        return None
    label = model._meta.label_lower
    for revision in Revision.objects.pending().select_related("content_type"):
        for rows in revision.snapshot["children"].values():
            if any(r["model"] == label and r["pk"] == int(object_id) for r in rows):
                return revision.record
    return None


def _publish_if_nothing_new_is_uncited(revision, record, user):
    """An editor's own change goes live at once unless it adds an uncited or stale claim."""
    already = {str(claim) for claim in missing_claims(record)}
    added = [c for c in revisions.staged_missing_claims(revision) if str(c) not in already]
    if added:
        return False
    reason = record.publication_override_reason if already else ""
    revisions.publish_revision(revision, user, reason)
    return True


class PendingRevisionFilter(admin.SimpleListFilter):
    """Records with a pending revision; for child rows, those whose record has one."""

    title = "pending revision"
    parameter_name = "pending_revision"

    def lookups(self, request, model_admin):
        return (("yes", "Has a pending revision"), ("no", "No pending revision"))

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        model, path = queryset.model, "pk"
        parent_field = revisions.CHILD_PARENT_FIELDS.get(model)
        if parent_field:
            model = model._meta.get_field(parent_field).related_model
            path = f"{parent_field}_id"
        pending = Revision.objects.pending().filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef(path)
        )
        has = Exists(pending)
        return queryset.filter(has) if self.value() == "yes" else queryset.exclude(has)


class RecordKindFilter(admin.SimpleListFilter):
    """The kinds of record that can have revisions, not every content type there is."""

    title = "kind of record"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        types = ContentType.objects.get_for_models(*PUBLISHABLE_MODELS)
        return [(str(types[m].pk), m._meta.verbose_name_plural.capitalize()) for m in types]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(content_type_id=value) if value and value.isdigit() else queryset


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Why reject it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the researchers who made the change.",
    )


@admin.register(Revision)
class RevisionAdmin(LookaheadPaginationMixin, admin.ModelAdmin):
    list_display = ("label", "record_kind", "state", "changed_by", "changed_at", "import_batch")
    list_filter = ("state", RecordKindFilter)
    list_select_related = ("content_type", "changed_by", "import_batch")
    search_fields = ("label",)
    date_hierarchy = "changed_at"

    def get_changelist(self, request, **kwargs):
        # Pending revisions are what a reviewer comes for.
        if "state__exact" not in request.GET and not request.GET.get("all"):
            request.GET = request.GET.copy()
            request.GET["state__exact"] = Revision.State.PENDING
        return super().get_changelist(request, **kwargs)

    @admin.display(description="kind", ordering="content_type")
    def record_kind(self, obj):
        return obj.content_type.name

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:revision_id>/change/",
                view(self.review_view),
                name="investigations_revision_change",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, revision_id):
        revision = get_object_or_404(
            Revision.objects.select_related("content_type"), pk=revision_id
        )
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request, revision)
        return self._review_page(request, revision)

    def _review_page(self, request, revision, publish_form=None, reject_form=None):
        record = revision.record
        missing = revisions.staged_missing_claims(revision) if revision.is_pending else []
        live = revisions.snapshot(record) if record is not None else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(revision),
            "revision": revision,
            "record": record,
            "record_url": admin_change_url(record) if record is not None else "",
            "diff": revision_diff(live, revision.snapshot) if live else None,
            "missing": missing,
            "can_review": revision.is_pending and can_publish(request.user, type(record)),
            "can_withdraw": revision.is_pending and request.user == revision.created_by,
            "publish_form": publish_form or PublishForm(reason_required=bool(missing)),
            "reject_form": reject_form or ReviewForm(),
            "history": revision.history.select_related("history_user", "import_batch"),
        }
        return TemplateResponse(request, "admin/investigations/revision_review.html", context)

    def _decide(self, request, revision):
        decision = request.POST.get("decision")
        if decision in ("publish", "reject") and not can_publish(
            request.user, revision.content_type.model_class()
        ):
            raise PermissionDenied("Only editors can publish or reject a revision.")
        try:
            if decision == "publish":
                return self._publish(request, revision)
            if decision == "reject":
                return self._reject(request, revision)
            if decision == "withdraw":
                revisions.withdraw_revision(revision, request.user)
                self.message_user(request, f"Withdrew {revision}.", messages.SUCCESS)
                return HttpResponseRedirect(revision_url(revision))
        except revisions.RevisionConflict as conflict:
            self.message_user(request, str(conflict), messages.ERROR)
            return HttpResponseRedirect(revision_url(revision))
        return self._review_page(request, revision)

    def _publish(self, request, revision):
        missing = revisions.staged_missing_claims(revision)
        form = PublishForm(request.POST, reason_required=bool(missing))
        if not form.is_valid():
            return self._review_page(request, revision, publish_form=form)
        try:
            revisions.publish_revision(revision, request.user, form.cleaned_data["reason"])
        except PublicationRefused:
            return self._review_page(request, revision, publish_form=form)
        self.message_user(request, f"Published {revision}.", messages.SUCCESS)
        return HttpResponseRedirect(revision_url(revision))

    def _reject(self, request, revision):
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self._review_page(request, revision, reject_form=form)
        revisions.reject_revision(revision, request.user, form.cleaned_data["note"])
        self.message_user(request, f"Rejected {revision}.", messages.SUCCESS)
        return HttpResponseRedirect(revision_url(revision))
