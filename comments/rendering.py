"""The thread's HTML, built in one flat loop over precomputed nodes.

This is the one piece of markup written in Python rather than in a template,
for speed: a thread page can hold thousands of comments, and Django's
template engine spends ~0.1 ms per comment on variable lookups and
auto-escaping alone (measured by `make bench` against a plain template loop).
Here every value is escaped once with `html.escape` and joined; the markup
mirrors what a `_thread.html` loop would print, and the tests read it as a
reader's browser would.

Per-reader controls (like button state, Edit, Delete, CSRF token) are not
part of this shared HTML: a marker carrying the render's nonce marks where
`comments.context.apply_reader_controls` puts them.
"""

from __future__ import annotations

from html import escape

from comments.selectors.nodes import CommentNode

_PLACEHOLDER = (
    '<li class="comment-item comment-item--level-{level}">\n'
    '<article id="{anchor}" class="comment comment--{state}" aria-labelledby="{anchor}-by">\n'
    '<p class="comment__placeholder" id="{anchor}-by">{placeholder}</p>\n'
)
_COMMENT = (
    '<li class="comment-item comment-item--level-{level}">\n'
    '<article id="{anchor}" class="comment comment--{state}" aria-labelledby="{anchor}-by">\n'
    '<header class="comment__header">\n'
    '<span class="comment__author" id="{anchor}-by">{name}</span>\n'
    '<a class="comment__permalink" href="#{anchor}"><time datetime="{iso}">{human}</time></a>{edited}\n'
    "</header>{notice}\n"
    '<div class="comment__body">{body}</div>\n'
    '<footer class="comment__footer">\n'
    '<p class="comment__likes" data-like-label="{id}">{likes}</p>\n'
    "<!--controls:{nonce}:{id}-->\n"
    '<a class="comment__reply" href="{reply_url}" data-reply-to="{id}">Reply</a>\n'
    '<a class="comment__report" href="{flag_url}">Report</a>\n'
    "</footer>"
)
_EDITED = '\n<a class="comment__edited" href="{}">edited</a>'
_NOTICE = '\n<p class="comment__notice">{}</p>'
_CONTINUE = '\n<p class="comment__continue"><a href="{}">Continue this thread</a></p>'
_OPEN_REPLIES = (
    '<details class="comment-replies" open data-thread="{id}">'
    "<summary>{count} repl{suffix}</summary>"
)


def render_nodes(nodes: list[CommentNode], *, nonce: str) -> str:
    """The thread as one `<ol>`: nested lists from each node's opens/closes."""
    parts = ['<ol class="comment-thread">\n']
    append = parts.append
    for node in nodes:
        if node.placeholder:
            append(
                _PLACEHOLDER.format(
                    level=node.level,
                    anchor=node.anchor,
                    state=escape(node.state),
                    placeholder=escape(node.placeholder),
                )
            )
        else:
            append(
                _COMMENT.format(
                    level=node.level,
                    anchor=node.anchor,
                    state=escape(node.state),
                    name=escape(node.display_name),
                    iso=node.created_iso,
                    human=node.created_human,
                    edited=_EDITED.format(escape(node.history_url)) if node.edited else "",
                    notice=_NOTICE.format(escape(node.notice)) if node.notice else "",
                    # Sanitized on write (comments/sanitize.py): the one value not escaped.
                    body=node.body_html,
                    id=node.id,
                    likes=node.like_label,
                    nonce=nonce,
                    reply_url=escape(node.reply_url),
                    flag_url=escape(node.flag_url),
                )
            )
        if node.continue_url:
            append(_CONTINUE.format(escape(node.continue_url)))
        append("\n</article>\n")
        if node.opens:
            if node.level == 0:
                count = node.reply_count
                append(_OPEN_REPLIES.format(id=node.id, count=count, suffix="y" if count == 1 else "ies"))
            append('<ol class="comment-list">\n')
        else:
            append("</li>\n")
            for closes_thread in node.closes:
                append("</ol></details></li>\n" if closes_thread else "</ol></li>\n")
    append("</ol>\n")
    return "".join(parts)
