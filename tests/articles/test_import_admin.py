"""Editors import WordPress and Disqus exports in the admin: upload, read the
dry-run report, confirm, and the import runs outside the request."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, ImportJob
from comments.models import Comment
from tests.factories import ArticleFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
UPLOAD = reverse("admin:articles_import")


@pytest.fixture(autouse=True)
def _jobs_run_by_a_worker(settings, media_root):
    # The tests run the worker themselves (`manage.py run_import_jobs`), as cron would.
    settings.NEWSROOM_IMPORT_JOBS = "worker"


def _upload(client, name, kind="wordpress", **extra):
    data = (FIXTURES / name).read_bytes()
    return client.post(
        UPLOAD,
        {"kind": kind, "file": SimpleUploadedFile(name, data, "text/xml"), **extra},
    )


def _status(job):
    return reverse("admin:articles_import_status", kwargs={"job_id": job.pk})


def test_the_articles_list_links_to_the_import_page(editor):
    response = editor.get(reverse("admin:articles_article_changelist"))

    assert response.status_code == 200
    assert f'href="{UPLOAD}"' in response.content.decode()
    assert editor.get(UPLOAD).status_code == 200


def test_staff_who_may_not_add_stories_cannot_import(client, db):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(UPLOAD).status_code == 403
    assert _upload(client, "wordpress.xml").status_code == 403
    assert not ImportJob.objects.exists()


def test_upload_dry_run_report_confirm_and_done(editor, media_root):
    response = _upload(editor, "wordpress.xml")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == _status(job)

    # Checked outside the request: until a runner has, the page says so and refreshes.
    page = editor.get(_status(job)).content.decode()
    assert "Status: Checking the file" in page
    assert '<meta http-equiv="refresh" content="2">' in page

    call_command("run_import_jobs")
    page = editor.get(_status(job)).content.decode()
    assert "What the import would do (dry run)" in page
    assert "stories would be created: 7" in page
    assert "pingbacks and trackbacks skipped" in page
    assert "http-equiv" not in page
    assert not Article.objects.exists()

    response = editor.post(_status(job), {"action": "confirm"})
    assert response.status_code == 302
    assert "Status: Importing" in editor.get(_status(job)).content.decode()
    call_command("run_import_jobs")

    page = editor.get(_status(job)).content.decode()
    assert "Status: Imported" in page
    assert "stories created: 7" in page
    assert Article.objects.count() == 7
    assert Comment.objects.exists()
    job.refresh_from_db()
    assert (job.progress, job.total) == (7, 7)
    # The upload (commenters' addresses in it) is not kept.
    assert not any(path.is_file() for path in (media_root / "imports").iterdir())


def test_a_confirmed_job_is_imported_once(editor):
    _upload(editor, "wordpress.xml")
    job = ImportJob.objects.get()
    call_command("run_import_jobs")
    editor.post(_status(job), {"action": "confirm"})
    editor.post(_status(job), {"action": "confirm"})
    call_command("run_import_jobs")
    call_command("run_import_jobs")

    assert Article.objects.count() == 7
    assert ImportJob.objects.get().status == ImportJob.Status.DONE


def test_a_cancelled_job_writes_nothing(editor):
    _upload(editor, "wordpress.xml")
    job = ImportJob.objects.get()
    call_command("run_import_jobs")

    editor.post(_status(job), {"action": "cancel"})
    call_command("run_import_jobs")

    assert "Status: Cancelled" in editor.get(_status(job)).content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "name, line, reason",
    [
        ("wordpress_xxe.xml", 3, "refused: the file declares entities"),
        ("wordpress_bomb.xml", 3, "refused: the file declares entities"),
        ("wordpress_malformed.xml", 9, "the XML is malformed (mismatched tag)"),
    ],
)
def test_hostile_or_malformed_files_show_the_file_and_line(editor, name, line, reason):
    _upload(editor, name)
    job = ImportJob.objects.get()
    call_command("run_import_jobs")

    page = editor.get(_status(job)).content.decode()
    assert "Status: Failed" in page
    assert f"{name}, line {line}: {reason}" in page
    assert "Import it" not in page
    assert not Article.objects.exists()


def test_a_disqus_export_attaches_its_threads(editor):
    story = ArticleFactory(original_url="https://www.bbc.co.uk/news/world-asia-57500000/")
    _upload(editor, "disqus.xml", kind="disqus")
    job = ImportJob.objects.get()
    call_command("run_import_jobs")
    page = editor.get(_status(job)).content.decode()
    assert "threads would be attached to stories" in page

    editor.post(_status(job), {"action": "confirm"})
    call_command("run_import_jobs")

    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert Comment.objects.filter(article=story).exists()
