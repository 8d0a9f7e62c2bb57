"""The moderation queue and the audit log, in the Django admin.

The Comment changelist is the queue (`queue`): it opens on the comments
waiting for a decision, shows each with its story, the comment it answers,
its author's record and why it was held. Every status change goes through
`comment_moderate` and every text edit through `comment_edit`, so the audit
log and edit history stay complete and the tree is never touched: comments
cannot be added, moved or deleted here, only removed. `records` holds the
audit log (read-only), blocked phrases and bans.
"""

from comments.admin import queue, records

__all__ = ["queue", "records"]
