"""Signals the articles app sends.

`stories_changed` is sent, inside the writer's transaction, by a write to
stories that Django sends no model signal for (a bulk `update()`); saves
and deletes are announced by Django's own `post_save` / `post_delete`. The
story page listens to all of them to invalidate cached pages.
"""

from django.dispatch import Signal

stories_changed = Signal()
