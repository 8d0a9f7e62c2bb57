"""The spam pipeline `comment_create` runs before it saves a comment, and
`comment_edit` before it saves new text (`editing`: the comment edited).

Checks run in this order, cheapest and most certain first, so the network
call to Akismet is made only for comments nothing else refused:

1. ban         - an active Ban: REJECT, with its reason and end date
2. honeypot    - the hidden form field was filled in: REJECT
3. flood       - too soon after the author's last comment, or too many in
                 an hour: REJECT, saying how long to wait (an edit: too
                 soon after the comment's last edit)
4. duplicate   - the author's own recent words again (an edit: words of
                 another of their comments): REJECT
5. links       - NEWSROOM_HOLD_LINK_COUNT links or more: HOLD
6. blocklist   - an active BlockedPhrase: HOLD, naming it
7. new commenter - with NEWSROOM_PREMODERATE_NEW_COMMENTERS, no approved
                 comment yet: HOLD
8. akismet     - when AKISMET_API_KEY is set: spam HOLD (status SPAM),
                 "discard" REJECT, no answer HOLD (status PENDING)

The first REJECT ends the run. HOLDs are collected: the comment is held with
every reason, joined, and with status SPAM if any check called it spam.

The checks that need the author's history in the database (an active ban,
recent comments, the blocklist's version) share one query for all of it,
made by the first of them that runs (`Submission.author_history`).

Moderators (`comments.visibility.is_moderator`) run the honeypot check
only. They moderate the queue the other checks feed, so holding or
rate-limiting them would only stand in their way; a filled honeypot, though, means a script rather than a person is posting,
whoever's session it uses.
"""

import logging

from comments.models import Comment
from comments.spam.checks import (
    Action,
    Submission,
    Verdict,
    check_akismet,
    check_ban,
    check_blocklist,
    check_duplicate,
    check_flood,
    check_honeypot,
    check_links,
    check_new_commenter,
)
from comments.visibility import is_moderator

logger = logging.getLogger(__name__)

CHECKS = (
    check_ban,
    check_honeypot,
    check_flood,
    check_duplicate,
    check_links,
    check_blocklist,
    check_new_commenter,
    check_akismet,
)
STAFF_CHECKS = (check_honeypot,)

_HOLD_REASON_MAX = Comment._meta.get_field("hold_reason").max_length


def _combine(holds: list[Verdict]) -> Verdict:
    spam = any(hold.status == Comment.Status.SPAM for hold in holds)
    reason = "; ".join(hold.reason for hold in holds)
    if len(reason) > _HOLD_REASON_MAX:
        reason = reason[: _HOLD_REASON_MAX - 1] + "…"
    return Verdict.hold(reason, code=holds[0].code, spam=spam)


def run_pipeline(
    *,
    article,
    author,
    body: str,
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    referrer: str = "",
    honeypot: str = "",
    permalink: str = "",
    html: str = "",
    editing: Comment | None = None,
) -> Verdict:
    """Decide what happens to a new comment by `author` (a signed-in user),
    or to new text for the comment `editing`.

    Returns ALLOW (publish), HOLD (save with the verdict's status and reason)
    or REJECT (do not save; show the reason). Runs the checks listed in this
    module's docstring; never raises for a decision, and Akismet failures
    become a HOLD.
    """
    submission = Submission(
        article=article,
        author=author,
        body=body,
        parent=parent,
        ip_address=ip_address,
        user_agent=user_agent or "",
        referrer=referrer or "",
        honeypot=honeypot or "",
        permalink=permalink or "",
        html=html,
        editing=editing,
    )
    holds = []
    for check in STAFF_CHECKS if is_moderator(author) else CHECKS:
        verdict = check(submission)
        if verdict.action is Action.REJECT:
            logger.info("Comment by user %s rejected (%s)", author.pk, verdict.code)
            return verdict
        if verdict.action is Action.HOLD:
            holds.append(verdict)
    if not holds:
        return Verdict.allow()
    return _combine(holds)


__all__ = ["CHECKS", "STAFF_CHECKS", "Action", "Submission", "Verdict", "run_pipeline"]
