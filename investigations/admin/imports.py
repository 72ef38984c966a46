"""Import batches in the admin: upload → preview → confirm, batch detail, undo, and the
rejected rows and blank templates as spreadsheets.

Every step calls ``investigations.importers.service.run_import``, as the command does.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from investigations.admin.base import RecordOnlyAdmin
from investigations.importers.kinds import KINDS
from investigations.importers.mapping import groups_parties, targets
from investigations.importers.matching import NEW
from investigations.importers.service import run_import
from investigations.importers.spreadsheets import rejected_dataset, template_book, template_dataset
from investigations.importers.undo import UndoRefused, may_undo, undo_batch
from investigations.models import ImportBatch, ImportMapping
from investigations.roles import can_publish
from investigations.tasks import (
    confirm_import,
    is_stale,
    mark_failed,
    mark_running,
    preview_import,
    progress_at,
    run_confirm,
    run_preview,
    stored_path,
)

MAX_SHOWN_ERRORS = 200
# Above this many rows (or bytes, for a preview) the import runs as a task in the worker
# (investigations/tasks.py) and the batch page shows its progress, so no request waits on it.
BACKGROUND_ROWS = 20_000
BACKGROUND_BYTES = 2 * 1024 * 1024  # about 20,000 rows of CSV: checking them takes seconds
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="CSV, XLSX or ODS (a workbook with one sheet per kind), or OCDS JSON: a "
        "release or record package, or JSON lines of releases (.json, .jsonl)."
    )
    kind = forms.ChoiceField(
        choices=[("", "Work it out from the sheet names")] + [(k, k) for k in KINDS],
        required=False,
    )
    skip_invalid = forms.BooleanField(
        required=False, help_text="Write the valid rows and list the rejected ones."
    )
    publish = forms.BooleanField(
        required=False, help_text="Editors only: publish each record that passes the gate."
    )
    mapping = forms.ModelChoiceField(
        ImportMapping.objects.all(),
        required=False,
        empty_label="None: the file has the template's columns",
        help_text="A saved column mapping, such as Contracts Finder's; the preview can change it.",
    )
    zero_is_unknown = forms.BooleanField(
        required=False,
        label="Read a value of 0 as unknown",
        help_text="Procurement portals write 0 where no value was given. Always so for OCDS.",
    )
    refuse_name_matches = forms.BooleanField(
        required=False,
        label="Refuse matches by name alone",
        help_text="By default a row whose name matches one record exactly updates it; the "
        "preview lists every such match, and near misses, for you to accept or reject.",
    )
    strict_identifiers = forms.BooleanField(
        required=False,
        label="Reject rows with identifiers that cannot be filed",
        help_text="By default such a row imports without the identifier, with a warning.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.1f} MB; the limit is "
                f"{limit / 1048576:.1f} MB. Split it into smaller files."
            )
        return upload


@admin.register(ImportBatch)
class ImportBatchAdmin(RecordOnlyAdmin):
    list_display = (
        "__str__", "kind", "user", "state", "rows_created", "rows_updated", "rows_skipped",
        "rows_rejected",
    )  # fmt: skip
    list_filter = ("state", "kind")
    list_select_related = ("user",)
    search_fields = ("file_name", "file_sha256")
    change_list_template = "admin/imports/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="imports_upload"),
            path("template/<str:name>.xlsx", view(self.template_view), name="imports_template"),
            path("<int:pk>/confirm/", view(self.confirm_view), name="imports_confirm"),
            path("<int:pk>/remap/", view(self.remap_view), name="imports_remap"),
            path("<int:pk>/decide/", view(self.decide_view), name="imports_decide"),
            path("<int:pk>/undo/", view(self.undo_view), name="imports_undo"),
            path("<int:pk>/give-up/", view(self.give_up_view), name="imports_give_up"),
            path("<int:pk>/rejected.<str:fmt>", view(self.rejected_view), name="imports_rejected"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def upload_view(self, request):
        if not _may_import(request.user):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            return self._preview(request, form.cleaned_data)
        context = self._context(request, form=form, title="Import a spreadsheet", kinds=KINDS)
        return TemplateResponse(request, "admin/imports/upload.html", context)

    def _preview(self, request, data):
        if data["publish"] and not _may_publish(request.user):
            raise PermissionDenied("Only editors can publish imported records.")
        content = data["file"].read()
        batch = ImportBatch.objects.create(
            user=request.user,
            file_name=data["file"].name[:300],
            file_sha256=hashlib.sha256(content).hexdigest(),
        )
        stored = stored_path(batch)
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(content)
        options = {
            "kind": data["kind"] or None,
            "skip_invalid": data["skip_invalid"],
            "publish": data["publish"],
            "zero_is_unknown": data["zero_is_unknown"] or None,  # None: the format's default
            "strict_identifiers": data["strict_identifiers"],
            "mapping": data["mapping"].as_mapping() if data["mapping"] else {},
            "match_by_name": not data["refuse_name_matches"],
        }
        _run_preview(request, batch, content, options)
        return self._back(batch)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = get_object_or_404(ImportBatch.objects.select_related("user"), pk=object_id)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        sheets = _sheets(batch)
        context = self._context(
            request,
            batch=batch,
            title=str(batch),
            sheets=sheets,
            not_published=batch.summary.get("_not_published", []),
            left_pending=batch.summary.get("_left_pending", []),
            revisions=batch.revisions.select_related("content_type"),
            errors=batch.errors[:MAX_SHOWN_ERRORS],
            more_errors=max(len(batch.errors) - MAX_SHOWN_ERRORS, 0),
            may_undo=may_undo(request.user) and batch.state == ImportBatch.State.COMMITTED,
            may_confirm=batch.state == ImportBatch.State.PREVIEWED and _may_import(request.user),
            running=batch.state == ImportBatch.State.RUNNING,
            progress_at=progress_at(batch),
            stale=is_stale(batch),
            item_counts=_item_counts(batch),
            may_remap=_may_remap(request.user, batch),
            mapping_rows=_mapping_rows(batch),
            may_group=any(
                groups_parties(KINDS[s["kind"]]) for _, s in sheets if s["kind"] in KINDS
            ),
            may_save_mapping=request.user.has_perm("investigations.add_importmapping"),
            candidates=_candidates(batch),
        )
        return TemplateResponse(request, "admin/imports/batch.html", context)

    @staticmethod
    def _back(batch):
        return redirect("admin:investigations_importbatch_change", batch.pk)

    def confirm_view(self, request, pk):
        return require_POST(self._confirm)(request, pk)

    def _confirm(self, request, pk):
        batch = get_object_or_404(ImportBatch, pk=pk, state=ImportBatch.State.PREVIEWED)
        if not _may_import(request.user) or (batch.publish and not _may_publish(request.user)):
            raise PermissionDenied
        batch.skip_invalid = batch.skip_invalid or bool(request.POST.get("skip_invalid"))
        if batch.rows_total > BACKGROUND_ROWS:
            mark_running(batch, skip_invalid=batch.skip_invalid)
            confirm_import.enqueue(batch.pk)
            messages.info(request, "The import is queued; this page shows its progress.")
            return self._back(batch)
        result = run_confirm(batch)
        _report(request, result)
        return self._back(batch)

    def remap_view(self, request, pk):
        return require_POST(self._remap)(request, pk)

    def _remap(self, request, pk):
        """Preview the stored file again with the mapping the form gives (saved if named)."""
        batch = get_object_or_404(ImportBatch, pk=pk)
        if not _may_remap(request.user, batch):
            raise PermissionDenied
        mapping = _posted_mapping(request.POST, batch)
        if mapping is None:
            messages.error(request, "The mapping names a column that is not in the form.")
            return self._back(batch)
        name = request.POST.get("save_as", "").strip()
        if name and not self._save_mapping(request, name, mapping, batch):
            return self._back(batch)
        options = {**_options(batch), "mapping": mapping}
        _run_preview(request, batch, stored_path(batch).read_bytes(), options)
        return self._back(batch)

    @staticmethod
    def _save_mapping(request, name, mapping, batch):
        if not request.user.has_perm("investigations.add_importmapping"):
            raise PermissionDenied
        if ImportMapping.objects.filter(name=name).exists():
            messages.error(request, f"A mapping named “{name}” exists; choose another name.")
            return False
        kind = batch.kind or mapping["kind"] or _only_kind(batch)
        ImportMapping.objects.create(
            name=name[:100],
            kind=kind,
            columns=mapping["columns"],
            one_row_per_party=mapping["one_row_per_party"],
            created_by=request.user,
        )
        mapping.update(name=name[:100], kind=kind)
        messages.success(request, f"The mapping was saved as “{name}”.")
        return True

    def decide_view(self, request, pk):
        return require_POST(self._decide)(request, pk)

    def _decide(self, request, pk):
        """Keep the user's choices among name candidates and preview the file again with
        them, so the preview still predicts what confirming writes."""
        batch = get_object_or_404(ImportBatch, pk=pk, state=ImportBatch.State.PREVIEWED)
        if not _may_import(request.user) or (batch.publish and not _may_publish(request.user)):
            raise PermissionDenied
        batch.name_decisions = {**batch.name_decisions, **_decisions(request.POST)}
        _run_preview(request, batch, stored_path(batch).read_bytes(), _options(batch))
        messages.info(request, "Previewed again with your choices of matches.")
        return self._back(batch)

    def undo_view(self, request, pk):
        if request.method != "POST":
            raise Http404
        batch = get_object_or_404(ImportBatch, pk=pk)
        try:
            undo_batch(batch, request.user)
            messages.success(request, f"Batch #{batch.pk} was undone.")
        except UndoRefused as error:
            messages.error(request, str(error))
        return self._back(batch)

    def give_up_view(self, request, pk):
        """Mark failed a batch whose worker has stopped, so it does not stay "running"."""
        if request.method != "POST" or not _may_import(request.user):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=pk)
        if is_stale(batch):
            mark_failed(
                batch,
                "No progress for too long: the worker stopped or none is running. "
                "Anything it had written was taken back; import the file again.",
            )
            messages.warning(request, f"Batch #{batch.pk} was marked failed.")
        return self._back(batch)

    def rejected_view(self, request, pk, fmt):
        batch = get_object_or_404(ImportBatch, pk=pk)
        if fmt not in FORMATS or not self.has_view_permission(request, batch):
            raise Http404
        result = run_import(
            stored_path(batch).read_bytes(), batch.file_name, kind=batch.kind or None,
            zero_is_unknown=batch.zero_is_unknown,
            strict_identifiers=batch.strict_identifiers, mapping=batch.mapping,
            match_by_name=batch.match_by_name, name_decisions=batch.name_decisions, dry_run=True,
        )  # fmt: skip
        return _download(rejected_dataset(result), f"batch-{batch.pk}-rejected", fmt)

    def template_view(self, request, name):
        if name == "workbook":
            return _download(template_book(), "import-workbook-template", "xlsx")
        if name not in KINDS:
            raise Http404
        return _download(template_dataset(name), f"import-{name}-template", "xlsx")


def _candidates(batch):
    """(sheet, match) of every row the preview matched, or could match, by name alone."""
    return [
        (name, match)
        for name, sheet in batch.summary.items()
        if not name.startswith("_")
        for match in sheet.get("candidates", ())
    ]


def _run_preview(request, batch, content, options):
    if len(content) > BACKGROUND_BYTES:
        mark_running(batch)
        preview_import.enqueue(batch.pk, request.user.pk, options)
    else:
        run_preview(batch, content, request.user, options)


def _options(batch):
    """The options a batch was previewed with, to preview it again."""
    names = ("skip_invalid", "publish", "zero_is_unknown", "strict_identifiers", "match_by_name")
    return {
        "kind": batch.kind or None,
        "mapping": batch.mapping,
        "name_decisions": batch.name_decisions,
        **{name: getattr(batch, name) for name in names},
    }


def _decisions(post):
    """{"sheet:row": record id or "new"} from the preview's fields named "match:sheet:row"."""
    return {
        name.removeprefix("match:"): value
        for name, value in post.items()
        if name.startswith("match:") and (value == NEW or value.isdigit())
    }


def _report(request, result):
    batch = result.batch
    if batch.state == ImportBatch.State.UNCHANGED:
        messages.info(request, "Nothing changed: no valid row differs from the database.")
    elif result.written:
        messages.success(
            request,
            f"Imported: {batch.rows_created} created, {batch.rows_updated} updated, "
            f"{batch.rows_skipped} unchanged, {batch.rows_rejected} rejected.",
        )
    else:
        messages.error(request, "Nothing was imported: the file has errors.")


def _sheets(batch):
    return [(name, sheet) for name, sheet in batch.summary.items() if not name.startswith("_")]


def _may_remap(user, batch):
    """A batch that has written nothing may be previewed again with another mapping."""
    unwritten = batch.state == ImportBatch.State.PREVIEWED or (
        batch.state == ImportBatch.State.FAILED and not batch.items.exists()
    )
    return unwritten and _may_import(user)


def _mapping_rows(batch):
    """The file's columns the mapping form lists, those mapped then those to be dropped,
    each with the targets of its sheet's kind and the one preselected (the suggestion)."""
    rows, listed = [], set()
    for _name, sheet in _sheets(batch):
        if sheet.get("kind") not in KINDS:
            continue
        choices = [("", "— drop this column —"), *targets(KINDS[sheet["kind"]])]
        for column, selected in [*sheet.get("mapped", {}).items(), *sheet.get("unmapped", [])]:
            if column not in listed:
                listed.add(column)
                rows.append({"column": column, "selected": selected, "choices": choices})
    return rows


def _posted_mapping(post, batch):
    """The mapping the form gives, over the batch's own; None if a choice is not offered."""
    previous = batch.mapping or {}
    columns = dict(previous.get("columns", {}))
    offered = {row["column"]: {v for v, _ in row["choices"]} for row in _mapping_rows(batch)}
    for key, target in post.items():
        column = key.removeprefix("column:")
        if key == column:
            continue
        if target not in offered.get(column, ()):
            return None
        if target:
            columns[column] = target
        else:
            columns.pop(column, None)
    one_row_per_party = bool(post.get("one_row_per_party"))
    unchanged = (columns, one_row_per_party) == (
        previous.get("columns", {}),
        previous.get("one_row_per_party", False),
    )
    return {
        "name": previous.get("name", "") if unchanged else "",
        "kind": previous.get("kind", ""),
        "columns": columns,
        "one_row_per_party": one_row_per_party,
    }


def _only_kind(batch):
    kinds = {sheet.get("kind") for _, sheet in _sheets(batch)}
    return kinds.pop() if len(kinds) == 1 else ""


def _item_counts(batch):
    from django.db.models import Count

    rows = batch.items.values("content_type__model", "action").annotate(n=Count("id"))
    return sorted((r["content_type__model"], r["action"], r["n"]) for r in rows)


def _download(data, stem, fmt):
    response = HttpResponse(data.export(fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _may_import(user):
    return user.has_perm("investigations.import_importbatch")


def _may_publish(user):
    return all(can_publish(user, k.model) for k in KINDS.values() if hasattr(k.model, "status"))


__all__ = ["ImportBatchAdmin", "reverse"]
