"""Differential test of the story page caches.

A small site (two stories, two readers, a moderator) goes through random
writes (comments, edits, deletions, likes, reports, moderation, bans,
story edits and unpublishing, renames) while the cache fails in random
ways (down, hanging, refusing writes, silently dropping them). After every
step, once the stated bound has passed, each viewer (a guest, reader A,
reader B, the moderator) gets from the cached path exactly the page an
uncached render gives them (per-request CSRF tokens aside).

Bounded for CI; `make differential` runs a long one
(NEWSROOM_DIFFERENTIAL_EXAMPLES, NEWSROOM_DIFFERENTIAL_STEPS).
"""

from __future__ import annotations

import itertools
import os
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from articles.models import Article
from comments.exceptions import CommentError
from comments.models import Comment
from comments.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_feature,
    comment_flag,
    comment_moderate,
    like_toggle,
    user_ban,
    user_unban,
)
from tests.factories import ArticleFactory, StaffFactory, UserFactory
from tests.storypage.faulty_cache import MODES, FaultyCache

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = int(os.environ.get("NEWSROOM_DIFFERENTIAL_EXAMPLES", "20"))
STEPS = int(os.environ.get("NEWSROOM_DIFFERENTIAL_STEPS", "30"))
# The same examples on every CI run; `make differential` explores afresh.
DERANDOMIZE = os.environ.get("NEWSROOM_DIFFERENTIAL_RANDOM", "") == ""

_serial = itertools.count()
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
UNCACHED = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _normalised(response) -> tuple[int, str]:
    body = response.content.decode() if response.status_code == 200 else ""
    return response.status_code, _CSRF.sub(r"\1…\2", body)


class Clock:
    """Stands for time.monotonic in `storypage.versions`: moved on by hand."""

    def __init__(self):
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now


class StoryPages(RuleBasedStateMachine):
    clock: Clock

    @initialize()
    def site(self):
        FaultyCache.mode = "ok"
        n = next(_serial)
        self.stories = [ArticleFactory(title=f"Story {n}-{i}") for i in range(2)]
        self.readers = [
            UserFactory(username=f"diff{n}a", first_name="Ann"),
            UserFactory(username=f"diff{n}b", first_name="Bob"),
        ]
        self.moderator = StaffFactory(username=f"diffmod{n}")
        self.viewers = {"guest": Client()}
        for name, user in (("a", self.readers[0]), ("b", self.readers[1])):
            self.viewers[name] = Client()
            self.viewers[name].force_login(user)
        self.viewers["moderator"] = Client()
        self.viewers["moderator"].force_login(self.moderator)
        # The plain page, and another sort with a parameter that names nothing.
        self.queries = ["", "?sort=newest&utm_source=feed"]

    # Helpers ---------------------------------------------------------------

    def _comments(self, story=None):
        comments = Comment.objects.filter(article__in=self.stories).order_by("pk")
        return list(comments.filter(article=story) if story else comments)

    def _pick(self, data, items):
        return data.draw(st.sampled_from(items)) if items else None

    def _try(self, write):
        """Make the write; one the services refuse changes nothing, and is fine."""
        try:
            write()
        except (CommentError, PermissionDenied):
            pass

    # Cache faults ------------------------------------------------------------

    @rule(mode=st.sampled_from(MODES))
    def cache_fails(self, mode):
        FaultyCache.mode = mode

    # Writes --------------------------------------------------------------------

    @rule(data=st.data(), who=st.integers(0, 1), story=st.integers(0, 1), reply=st.booleans())
    def post(self, data, who, story, reply):
        article = self.stories[story]
        parent = self._pick(data, self._comments(article)) if reply else None
        body = f"Comment {next(_serial)} by {'AB'[who]}"
        self._try(
            lambda: comment_create(
                article=article, author=self.readers[who], body=body, parent=parent
            )
        )

    @rule(data=st.data())
    def edit(self, data):
        comment = self._pick(data, self._comments())
        if comment is not None and comment.author_id:
            author = comment.author
            body = f"Edited {next(_serial)}"
            self._try(lambda: comment_edit(comment=comment, editor=author, body=body))

    @rule(data=st.data())
    def delete(self, data):
        comment = self._pick(data, self._comments())
        if comment is not None and comment.author_id:
            self._try(lambda: comment_delete(comment=comment, actor=comment.author))

    @rule(data=st.data(), who=st.integers(0, 1))
    def like(self, data, who):
        comment = self._pick(data, self._comments())
        if comment is not None:
            self._try(lambda: like_toggle(comment=comment, user=self.readers[who]))

    @rule(data=st.data(), who=st.integers(0, 1))
    def flag(self, data, who):
        comment = self._pick(data, self._comments())
        if comment is not None:
            self._try(
                lambda: comment_flag(comment=comment, user=self.readers[who], reason="abuse")
            )

    @rule(data=st.data(), action=st.sampled_from(["approve", "spam", "not_spam", "remove", "restore"]))
    def moderate(self, data, action):
        comment = self._pick(data, self._comments())
        if comment is not None:
            self._try(
                lambda: comment_moderate(comments=[comment], moderator=self.moderator, action=action)
            )

    @rule(data=st.data(), featured=st.booleans())
    def feature(self, data, featured):
        comment = self._pick(data, self._comments())
        if comment is not None:
            self._try(
                lambda: comment_feature(
                    comment=comment, moderator=self.moderator, featured=featured
                )
            )

    @rule(who=st.integers(0, 1), ban=st.booleans())
    def ban(self, who, ban):
        change = user_ban if ban else user_unban
        self._try(lambda: change(user=self.readers[who], moderator=self.moderator))

    @rule(story=st.integers(0, 1), published=st.booleans())
    def publish(self, story, published):
        article = Article.objects.get(pk=self.stories[story].pk)
        article.status = Article.Status.PUBLISHED if published else Article.Status.DRAFT
        article.save()

    @rule(story=st.integers(0, 1))
    def retitle(self, story):
        article = Article.objects.get(pk=self.stories[story].pk)
        article.title = f"Retitled {next(_serial)}"
        article.save()

    @rule(who=st.integers(0, 1))
    def rename(self, who):
        user = self.readers[who]
        user.username = f"renamed{next(_serial)}"
        user.save()

    @rule(story=st.integers(0, 1), viewer=st.sampled_from(["guest", "a", "b", "moderator"]))
    def read(self, story, viewer):
        """A reader comes by: what they get may be stored for the next."""
        self.viewers[viewer].get(self.stories[story].get_absolute_url())

    # The guarantee ---------------------------------------------------------

    @invariant()
    def cached_pages_are_what_an_uncached_render_gives(self):
        if not hasattr(self, "stories"):
            return
        self.clock.now += 1.001  # the stated bound has passed (1 s)
        for story in self.stories:
            for query in self.queries:
                url = story.get_absolute_url() + query
                for name, client in self.viewers.items():
                    cached = _normalised(client.get(url))
                    with override_settings(CACHES=UNCACHED, NEWSROOM_PAGE_MEMORY_BYTES=0):
                        fresh = _normalised(client.get(url))
                    assert cached == fresh, f"{name} at {url} (cache {FaultyCache.mode})"
            # What the live notice polls, stored under the same versions.
            status = reverse("storypage:status", kwargs={"article_id": story.pk})
            guest = self.viewers["guest"]
            cached = _normalised(guest.get(status))
            with override_settings(CACHES=UNCACHED, NEWSROOM_PAGE_MEMORY_BYTES=0):
                fresh = _normalised(guest.get(status))
            assert cached == fresh, f"status of {story.pk} (cache {FaultyCache.mode})"


def test_cached_story_pages_equal_uncached_renders_under_writes_and_cache_faults(
    settings_fixture_for_faults, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr("storypage.versions.time.monotonic", clock.monotonic)
    StoryPages.clock = clock
    try:
        run_state_machine_as_test(
            StoryPages,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None,
                derandomize=DERANDOMIZE,
            ),
        )
    finally:
        FaultyCache.mode = "ok"


@pytest.fixture
def settings_fixture_for_faults(settings):
    settings.CACHES = {"default": {"BACKEND": "tests.storypage.faulty_cache.FaultyCache"}}
    settings.NEWSROOM_COMMENT_FLAGS_TO_HIDE = 1
    return settings
