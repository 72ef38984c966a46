"""Merging two organisations, people or sources in the admin: an action picks the two, a
dry-run page lists what moves, confirming merges in one transaction; each merge has a page
with its report and an undo button. Editors only, checked in every view and action."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from investigations.admin.base import RecordOnlyAdmin
from investigations.merging import MergeRefused, may_merge, merge, plan_merge, undo_merge
from investigations.models import Merge


class MergeMixin:
    """For the admin of a mergeable model: the "merge the two selected" action and its page."""

    def has_merge_permission(self, request):
        return may_merge(request.user, self.model)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "merge/<str:kept_id>/<str:merged_id>/",
                self.admin_site.admin_view(self.merge_view),
                name=f"{opts.app_label}_{opts.model_name}_merge",
            ),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_merge_permission(request):
            actions["merge_selected"] = self.get_action("merge_selected")
        return actions

    @admin.action(description="Merge the two selected (a dry run first)")
    def merge_selected(self, request, queryset):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        records = sorted(queryset, key=lambda r: (not r.is_published, r.pk))
        if len(records) != 2:
            self.message_user(request, "Select exactly two records to merge.", messages.ERROR)
            return None
        kept, merged = records  # a published one is kept by default; the page can swap them
        return redirect(merge_url(self.model, kept.pk, merged.pk))

    def merge_view(self, request, kept_id, merged_id):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        kept, merged = self._record(kept_id), self._record(merged_id)
        refused = []
        if request.method == "POST":
            try:
                done = merge(kept, merged, request.user)
            except MergeRefused as error:
                refused = error.reasons
            else:
                self.message_user(request, f"Merged: {done}.", messages.SUCCESS)
                return redirect("admin:investigations_merge_change", done.pk)
        plan = plan_merge(kept, merged)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Merge “{merged}” into “{kept}”",
            "plan": plan,
            "refused": refused,
            "swap_url": merge_url(self.model, merged.pk, kept.pk),
        }
        return TemplateResponse(request, "admin/investigations/merge_confirm.html", context)

    def _record(self, object_id):
        record = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if record is None:
            raise Http404(f"No {self.model._meta.verbose_name} with ID {object_id}.")
        return record


def merge_url(model, kept_id, merged_id):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_merge", args=[kept_id, merged_id])


@admin.register(Merge)
class MergeAdmin(RecordOnlyAdmin):
    """Every merge, with what it moved; an editor can undo one from its page."""

    list_display = ("__str__", "content_type", "user", "created_at", "undone_at")
    list_filter = ("content_type",)
    list_select_related = ("content_type", "user")

    def get_urls(self):
        view = self.admin_site.admin_view(self.undo_view)
        return [path("<int:pk>/undo/", view, name="merges_undo"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        done = get_object_or_404(Merge.objects.select_related("content_type"), pk=object_id)
        model = done.content_type.model_class()
        if not self.has_view_permission(request, done):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(done),
            "merge": done,
            "kept": model._default_manager.filter(pk=done.kept_id).first(),
            "may_undo": may_merge(request.user, model) and not done.undone_at,
        }
        return TemplateResponse(request, "admin/investigations/merge_detail.html", context)

    def undo_view(self, request, pk):
        return require_POST(self._undo)(request, pk)

    def _undo(self, request, pk):
        done = get_object_or_404(Merge.objects.select_related("content_type"), pk=pk)
        if not may_merge(request.user, done.content_type.model_class()):
            raise PermissionDenied
        try:
            undo_merge(done, request.user)
            messages.success(request, f"Undone: {done}.")
        except MergeRefused as error:
            messages.error(request, str(error))
        return redirect("admin:investigations_merge_change", done.pk)
