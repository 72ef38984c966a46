"""The publication gate in the admin: publish and unpublish pages, bulk actions, soft deletion.

Every path goes through ``investigations.publication``, which checks the user's
``publish_<model>`` permission itself; the checks here only decide what the admin offers.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from investigations import publication, revisions
from investigations.models import Publishable
from investigations.roles import can_publish

from .forms import PublishForm

PUBLISHED = Publishable.Status.PUBLISHED


def admin_change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


class DeletedFilter(admin.SimpleListFilter):
    """Soft-deleted records stay out of the way unless asked for."""

    title = "deletion"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return (("yes", "Deleted"), ("all", "All, deleted or not"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Not deleted",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class PublicationGateMixin:
    """For the admin of a Publishable model. Editors hold the ``publish_<model>`` permission."""

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    # Publishing, one record at a time.

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/publish/", view(self.publish_view), name=f"{prefix}_publish"),
            path(
                "<path:object_id>/unpublish/",
                view(self.unpublish_view),
                name=f"{prefix}_unpublish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        record = self._record_for_gate(request, object_id)
        missing = publication.missing_claims(record)
        data = request.POST if request.method == "POST" else None  # an empty POST is a POST
        form = PublishForm(data, reason_required=bool(missing))
        if form.is_valid():
            publication.publish(record, request.user, form.cleaned_data["reason"])
            self.message_user(request, f"Published “{record}”.", messages.SUCCESS)
            return redirect(admin_change_url(record))
        context = {"title": f"Publish “{record}”", "missing": missing, "form": form}
        return self._gate_page(request, record, "publish", context)

    def unpublish_view(self, request, object_id):
        record = self._record_for_gate(request, object_id)
        if request.method == "POST":
            revisions.unpublish(record, request.user)
            self.message_user(request, f"Unpublished “{record}”.", messages.SUCCESS)
            return redirect(admin_change_url(record))
        return self._gate_page(request, record, "unpublish", {"title": f"Unpublish “{record}”"})

    def _record_for_gate(self, request, object_id):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404(f"No {self.model._meta.verbose_name} with ID {object_id}.")
        return record

    def _gate_page(self, request, record, action, context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": record,
            "record": record,
            "action": action,
            **context,
        }
        return TemplateResponse(request, "admin/investigations/publish.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": self.has_publish_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Publishing in bulk.

    @admin.action(description="Publish selected", permissions=("publish",))
    def publish_selected(self, request, queryset):
        published, refused = 0, []
        for record in queryset:
            try:
                publication.publish(record, request.user)
                published += 1
            except publication.PublicationRefused:
                refused.append(f"“{record}”")
        self.message_user(request, f"Published {published}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                "Not published, because some claims are uncited: "
                f"{', '.join(refused)}. Cite them, or publish each from its page with a reason.",
                messages.WARNING,
            )

    @admin.action(description="Unpublish selected", permissions=("publish",))
    def unpublish_selected(self, request, queryset):
        for record in queryset:
            revisions.unpublish(record, request.user)
        self.message_user(request, f"Unpublished {len(queryset)}.", messages.SUCCESS)

    @admin.action(description="Restore selected deleted records", permissions=("publish",))
    def restore_selected(self, request, queryset):
        deleted = queryset.filter(deleted_at__isnull=False)
        for record in deleted:
            publication.restore(record, request.user)
        self.message_user(request, f"Restored {len(deleted)}.", messages.SUCCESS)

    # Deletion: published records are hidden (soft-deleted) by editors; drafts really go.

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == PUBLISHED and not self.has_publish_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        published = [obj for obj in objs if obj.status == PUBLISHED]
        drafts = [obj for obj in objs if obj.status != PUBLISHED]
        deleted, counts, perms_needed, protected = super().get_deleted_objects(drafts, request)
        if published and not self.has_publish_permission(request):
            perms_needed.add(f"published {self.model._meta.verbose_name_plural}")
        hidden = [f"{obj} (published: hidden, an editor can restore it)" for obj in published]
        return hidden + deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        if obj.status == PUBLISHED:
            self._soft_delete(request, [obj])
        else:
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._soft_delete(request, queryset.filter(status=PUBLISHED))
        super().delete_queryset(request, queryset.exclude(status=PUBLISHED))

    def _soft_delete(self, request, records):
        names = []
        for record in records:
            publication.soft_delete(record, request.user)
            names.append(f"“{record}”")
        if names:
            message = f"Hidden from the public, and listed under “Deleted”: {', '.join(names)}."
            self.message_user(request, message, messages.INFO)
