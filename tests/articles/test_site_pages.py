"""The site's own pages (About, Contact, comment guidelines): written by editors
in the admin, linked from every page's footer and from the comment form."""

import pytest
from django.contrib.flatpages.models import FlatPage
from pytest_django.asserts import assertContains, assertNotContains

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "title"),
    [("/about/", "About us"), ("/contact/", "Contact us"), ("/comment-guidelines/", "Comment guidelines")],
)
def test_each_page_exists_from_the_start_and_every_footer_links_it(client, path, title):
    page = client.get(path)

    assertContains(page, f'<h1 id="site-page-heading" dir="auto">{title}</h1>', html=True)
    assertContains(client.get("/"), f'href="{path}"')


def test_an_editor_changes_a_page_in_the_admin_and_readers_see_it_sanitized(client, staff):
    client.force_login(staff)
    guidelines = FlatPage.objects.get(url="/comment-guidelines/")

    response = client.post(
        f"/admin/flatpages/flatpage/{guidelines.pk}/change/",
        {
            "url": "/comment-guidelines/",
            "title": "House rules",
            "content": "<p>Be kind.</p><script>alert(1)</script>",
            "sites": [1],
            "template_name": "",
            "registration_required": "",
        },
    )

    assert response.status_code == 302
    client.logout()
    page = client.get("/comment-guidelines/")
    assertContains(page, "<p>Be kind.</p>", html=True)
    assertContains(page, "House rules")
    assertNotContains(page, "<script>alert(1)</script>")


def test_the_comment_form_says_how_to_format_and_links_the_guidelines(client, article, user):
    client.force_login(user)

    page = client.get(article.get_absolute_url())

    assertContains(page, 'aria-describedby="comment-form-hint"')
    assertContains(page, "start a line with &gt; to quote")
    assertContains(page, '<a href="/comment-guidelines/">comment guidelines</a>', html=True)


def test_sign_up_links_the_guidelines_privacy_and_contact(client):
    page = client.get("/accounts/signup/")

    for path in ("/comment-guidelines/", "/privacy/comments/", "/contact/"):
        assertContains(page, f'href="{path}"')


def test_a_page_deleted_in_the_admin_falls_back_to_its_default(client):
    FlatPage.objects.filter(url="/contact/").delete()

    page = client.get("/contact/")

    assertContains(page, "Contact us")
    assertContains(page, "use the Report link under it")
