"""Imports an editor starts in the admin, run outside the request.

An upload is stored through the default storage and becomes an `ImportJob`
("checking"). A runner, `manage.py run_import_jobs`, checks it (the same
dry run as `import_wordpress --dry-run` / `import_disqus --dry-run`) and
leaves the report for the editor ("ready"); once the editor confirms
("importing") the next run imports it, recording its progress story by
story, then the final report ("done"), or the error with the file and line
("failed"). The upload is deleted once the job ends.

How the runner starts is `NEWSROOM_IMPORT_JOBS`: "spawn" (the default)
starts `manage.py run_import_jobs --job <id>` as a background process when a
job is created or confirmed; "worker" leaves jobs to a `run_import_jobs`
run by cron or a service manager (for hosts where the web process may not
start others). Either way no request waits for an import, and nothing
beyond the database and the storage is needed.
"""

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from articles.disqus_import import disqus_import
from articles.models import ImportJob
from articles.wordpress.importing import wordpress_import
from articles.xmlstream import XmlImportError

_PROJECT = Path(settings.BASE_DIR)


def import_job_create(*, upload, kind: str, create_stubs: bool, user) -> ImportJob:
    """Store the uploaded export and queue its check."""
    name = default_storage.save(f"imports/{kind}.xml", upload)
    job = ImportJob.objects.create(
        kind=kind,
        file=name,
        original_name=Path(upload.name).name[:255],
        create_stubs=create_stubs and kind == ImportJob.Kind.DISQUS,
        created_by=user,
    )
    transaction.on_commit(lambda: _start(job.pk))
    return job


def import_job_confirm(*, job: ImportJob) -> bool:
    """Queue the import of a checked job; False if it is not waiting for that."""
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.IMPORTING
    )
    if started:
        transaction.on_commit(lambda: _start(job.pk))
    return bool(started)


def import_job_cancel(*, job: ImportJob) -> bool:
    """Drop a checked job instead of importing it; False if it is past that."""
    cancelled = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.CANCELLED
    )
    if cancelled:
        default_storage.delete(job.file)
    return bool(cancelled)


def _start(job_id: int) -> None:
    if settings.NEWSROOM_IMPORT_JOBS != "spawn":
        return
    subprocess.Popen(
        [sys.executable, str(_PROJECT / "manage.py"), "run_import_jobs", "--job", str(job_id)],
        cwd=_PROJECT,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def import_jobs_run(*, job_id: int | None = None) -> int:
    """Run every job waiting for a check or an import (or only `job_id`);
    return how many ran. A job is claimed with a row lock, so two runners
    never run the same job."""
    ran = 0
    while True:
        with transaction.atomic():
            waiting = ImportJob.objects.select_for_update(skip_locked=True).filter(
                status__in=[ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING],
                running=False,
            )
            if job_id is not None:
                waiting = waiting.filter(pk=job_id)
            job = waiting.order_by("created_at").first()
            if job is None:
                return ran
            job.running = True
            job.save(update_fields=["running", "updated_at"])
        _run(job)
        ran += 1


def _run(job: ImportJob) -> None:
    checking = job.status == ImportJob.Status.CHECKING

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress=done, total=total)

    try:
        with _local_copy(job.file) as path:
            if job.kind == ImportJob.Kind.WORDPRESS:
                report = wordpress_import(path=path, dry_run=checking, progress=progress)
            else:
                report = disqus_import(
                    path=path,
                    dry_run=checking,
                    create_stubs=job.create_stubs,
                    progress=progress,
                )
    except XmlImportError as error:
        _finish(job, status=ImportJob.Status.FAILED, error=_named(error, job))
        return
    except Exception as error:  # recorded for the editor, never left "running"
        _finish(job, status=ImportJob.Status.FAILED, error=f"{job.original_name}: {error}")
        raise
    report.filename = job.original_name
    text = "\n".join(report.lines())
    if checking:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.READY, report=text, running=False
        )
    else:
        _finish(job, status=ImportJob.Status.DONE, report=text)


def _named(error: XmlImportError, job: ImportJob) -> str:
    return f"{job.original_name}, line {error.line}: {error.reason}. Nothing was imported."


def _finish(job: ImportJob, *, status: str, report: str = "", error: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, report=report, error=error, running=False
    )
    default_storage.delete(job.file)


@contextmanager
def _local_copy(name: str):
    """A path to the stored upload: the file itself on local storage, else a
    temporary copy (object storage)."""
    try:
        local = default_storage.path(name)
    except NotImplementedError:
        local = None
    if local is not None:
        yield local
        return
    with tempfile.NamedTemporaryFile(suffix=".xml") as copy:
        with default_storage.open(name, "rb") as stored:
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                copy.write(chunk)
        copy.flush()
        yield copy.name
