"""An editor imports a WordPress export in the admin: upload, read the dry run,
confirm, watch it finish, and find the story with its thread."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.management.commands.ensure_editor import editors_group
from articles.models import Article, ImportJob
from comments.models import Comment
from tests.browser.axe import assert_accessible
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

EXPORT = Path(__file__).parents[1] / "articles" / "fixtures" / "wordpress.xml"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_an_editor_checks_then_imports_a_wordpress_export(signed_in, settings, media_root, javascript):
    # Jobs left to a worker, as cron runs it on hosts where the web process
    # may not start others; the test runs the worker where cron would.
    settings.NEWSROOM_IMPORT_JOBS = "worker"
    editor = UserFactory(username="desk", is_staff=True)
    editor.groups.add(editors_group())
    admin = signed_in(editor, javascript=javascript)

    admin.goto("/admin/articles/article/")
    admin.get_by_role("link", name="Import from WordPress or Disqus").click()
    if javascript:  # axe runs in the page; the HTML is the same either way
        assert_accessible(admin)
    admin.get_by_label("WordPress export (WXR)").check()
    admin.get_by_label("Export file").set_input_files(str(EXPORT))
    admin.get_by_role("button", name="Upload and check").click()

    expect(admin.get_by_role("heading", name="Status: Checking the file")).to_be_visible()
    assert not Article.objects.exists()
    call_command("run_import_jobs")

    # The status page refreshes itself (a meta refresh: no script needed).
    expect(admin.get_by_role("heading", name="What the import would do (dry run)")).to_be_visible()
    report = admin.locator("pre")
    expect(report).to_contain_text("created")
    expect(report).to_contain_text("skipped")
    if javascript:
        assert_accessible(admin)
    assert not Article.objects.exists()  # a dry run writes nothing
    admin.get_by_role("button", name="Import it").click()

    expect(admin.get_by_role("heading", name="Status: Importing")).to_be_visible()
    call_command("run_import_jobs")

    expect(admin.get_by_role("heading", name="What the import did")).to_be_visible()
    expect(admin.get_by_role("status")).to_have_text("Imported.")
    if javascript:
        assert_accessible(admin)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    ferry = Article.objects.get(import_key__endswith="#11")
    assert Comment.objects.filter(article=ferry).count() > 10

    admin.goto(ferry.get_absolute_url())
    expect(admin.locator("article.comment", has_text="Niamh Ó Súilleabháin").first).to_be_visible()
