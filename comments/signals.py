"""Signals the comment services send.

`thread_changed` is sent by every write to an article's comments, inside
the write's transaction and after its last statement, with `article_id` as
the only argument. The story page listens to change the story's page
version in that same transaction (`storypage.versions`), so a write that
commits has made every cached copy of the thread stale, and a write that
rolls back has not.
"""

from django.dispatch import Signal

thread_changed = Signal()
