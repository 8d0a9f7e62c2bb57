"""Signals the comment services send.

`thread_changed` is sent once a write to an article's comments has been
committed (never for a write that was rolled back), with `article_id` as the
only argument. The read side listens to bump the article's thread cache
version, so no stale thread is served after any write.
"""

from django.dispatch import Signal

thread_changed = Signal()
