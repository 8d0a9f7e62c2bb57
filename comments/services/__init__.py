"""Every write to comments: one service function per action (see DESIGN.md).

Views, the admin and management commands call these; nothing else writes
comment rows or tree fields. Each function runs in one transaction, refuses
a write it cannot make with `CommentError` (the reason for the reader) or
`PermissionDenied` (the wrong person), and sends
`comments.signals.thread_changed` in the write's transaction so cached
threads are rebuilt.

The package is split by concern: `writes` (the reader-facing actions and
the rules views share), `locks` (why and how tree writes are serialised),
`imports` (copying a thread from a story's original page), `rerender`
(stored HTML rendered again after the formatting rules change) and
`subscriptions` (a reader switching off their reply emails).
"""

from comments.exceptions import CommentError
from comments.services.erasure import reader_erase
from comments.services.imports import (
    ImportedComment,
    ImportedVersion,
    comment_import_thread,
    imported_contact,
)
from comments.services.locks import lock_new_tree, lock_thread
from comments.services.moderation import (
    comment_feature,
    comment_moderate,
    comment_note_add,
    comment_version_redact,
    user_ban,
    user_unban,
)
from comments.services.rerender import comment_html_rerender
from comments.services.subscriptions import reply_emails_stop
from comments.services.writes import (
    can_delete,
    can_edit,
    comment_create,
    comment_delete,
    comment_edit,
    comment_flag,
    delete_refusal,
    edit_deadline,
    edit_refusal,
    like_toggle,
)

__all__ = [
    "CommentError",
    "ImportedComment",
    "ImportedVersion",
    "can_delete",
    "can_edit",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_feature",
    "comment_flag",
    "comment_html_rerender",
    "imported_contact",
    "comment_import_thread",
    "comment_moderate",
    "comment_note_add",
    "comment_version_redact",
    "delete_refusal",
    "edit_deadline",
    "edit_refusal",
    "like_toggle",
    "lock_new_tree",
    "lock_thread",
    "reader_erase",
    "reply_emails_stop",
    "user_ban",
    "user_unban",
]
