"""The admin's import pages: upload a WordPress or Disqus export, read the
dry-run report, confirm, and watch the import (run by articles.import_jobs).

Linked from the Articles list; open to staff who may add stories
(`articles.add_article`, which the Editors group has). The status page
refreshes itself with a meta refresh while a job runs: no JavaScript.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from articles.import_jobs import import_job_cancel, import_job_confirm, import_job_create
from articles.models import Article, ImportJob

REFRESH_SECONDS = 2


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file is",
        choices=ImportJob.Kind.choices,
        widget=forms.RadioSelect,
        initial=ImportJob.Kind.WORDPRESS,
    )
    file = forms.FileField(
        label="Export file",
        help_text="WordPress: Tools → Export, all content. Disqus: Moderation → Export. "
        "An .xml file (a .gz must be unpacked first).",
    )
    create_stubs = forms.BooleanField(
        label="Disqus: create an unpublished story for each thread that matches none",
        required=False,
    )


def _check_permission(request) -> None:
    if not request.user.has_perm(f"{Article._meta.app_label}.add_article"):
        raise PermissionDenied


def import_upload_view(admin_site, request):
    _check_permission(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            create_stubs=form.cleaned_data["create_stubs"],
            user=request.user,
        )
        return redirect("admin:articles_import_status", job_id=job.pk)
    context = {
        **admin_site.each_context(request),
        "title": "Import from WordPress or Disqus",
        "opts": Article._meta,
        "form": form,
        "jobs": ImportJob.objects.select_related("created_by")[:10],
    }
    return TemplateResponse(request, "admin/articles/import_upload.html", context)


def import_status_view(admin_site, request, job_id):
    _check_permission(request)
    job = get_object_or_404(ImportJob, pk=job_id)
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            if import_job_confirm(job=job):
                messages.success(request, f"Importing {job.original_name}.")
        elif request.POST.get("action") == "cancel" and import_job_cancel(job=job):
            messages.info(request, f"{job.original_name} was not imported.")
        return redirect("admin:articles_import_status", job_id=job.pk)
    context = {
        **admin_site.each_context(request),
        "title": f"Import of {job.original_name}",
        "opts": Article._meta,
        "job": job,
        "refresh": REFRESH_SECONDS if job.is_running else None,
        "upload_url": reverse("admin:articles_import"),
    }
    return TemplateResponse(request, "admin/articles/import_status.html", context)
