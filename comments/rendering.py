"""The thread's HTML, built in one flat loop over precomputed nodes.

This is the one piece of markup written in Python rather than in a template,
for speed: a thread page can hold thousands of comments, and Django's
template engine spends ~0.1 ms per comment on variable lookups and
auto-escaping alone (measured by `make bench` against a plain template loop).
Here every value is escaped once with `html.escape` and joined.

The result is shared by every reader of the same kind (see
`comments.context.viewer_cache_kind`) and cached. What differs per reader is
left out as *slots*: the HTML is kept as segments with, between each two,
either a like button's pressed state or the place for Edit / Delete, and the
CSRF token as a placeholder. `fill_slots` joins them for one reader in a
single pass. Guests get no slots at all: their like button is a link to log in.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from django.urls import reverse

from comments.selectors.nodes import CommentNode

PRESSED = 0  # slot: "true" / "false" of the reader's like button
EXTRA = 1  # slot: Edit / Delete links for those allowed

_SENTINEL = "987654321"


@dataclass(slots=True)
class ThreadFragment:
    """A rendered thread page, shared between readers of one kind."""

    segments: list[str]
    slots: list[tuple[int, int]]  # (PRESSED or EXTRA, comment id), one per gap
    csrf_placeholder: str
    metas: dict[int, tuple]  # comment id -> what permission checks need


def url_parts(name: str) -> tuple[str, str]:
    """A comment URL split around its id, reversed once per render."""
    prefix, _, suffix = reverse(f"comments:{name}", kwargs={"pk": int(_SENTINEL)}).partition(
        _SENTINEL
    )
    return escape(prefix), escape(suffix)

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
)
_ACTIONS = (
    '<a class="comment__reply" href="{reply_url}" data-reply-to="{id}">Reply</a>\n'
    '<a class="comment__report" href="{flag_url}">Report</a>\n'
    "</footer>"
)
_EDITED = '\n<a class="comment__edited" href="{}">{}</a>'
_NOTICE = '\n<p class="comment__notice">{}</p>'
_CONTINUE = '\n<p class="comment__continue"><a href="{}">Continue this thread</a></p>'
_OPEN_REPLIES = (
    '<details class="comment-replies" open data-thread="{id}">'
    "<summary>{count} repl{suffix}</summary>"
)


def render_nodes(nodes: list[CommentNode], *, guest: bool) -> ThreadFragment:
    """The thread as one `<ol>`: nested lists from each node's opens/closes."""
    csrf = f"csrf-{secrets.token_hex(16)}"
    like_prefix, like_suffix = url_parts("like")
    go_prefix, go_suffix = url_parts("go")
    login = escape(reverse("account_login")) + "?next="
    segments: list[str] = []
    slots: list[tuple[int, int]] = []
    parts = ['<ol class="comment-thread">\n']
    append = parts.append
    for node in nodes:
        pk = node.id
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
                    edited=_EDITED.format(escape(node.history_url), node.edited_label)
                    if node.edited
                    else "",
                    notice=_NOTICE.format(escape(node.notice)) if node.notice else "",
                    # Sanitized on write (comments/sanitize.py): the one value not escaped.
                    body=node.body_html,
                    id=pk,
                    likes=node.like_label,
                )
            )
            if guest:
                target = quote(f"{go_prefix}{pk}{go_suffix}", safe="/")
                append(f'<a class="like-button" href="{login}{target}">Like</a>\n')
            else:
                append(
                    f'<form class="comment__like" method="post" action="{like_prefix}{pk}{like_suffix}" '
                    f'data-like-form="{pk}"><input type="hidden" name="csrfmiddlewaretoken" '
                    f'value="{csrf}"><button type="submit" class="like-button" aria-pressed="'
                )
                segments.append("".join(parts))
                parts.clear()
                slots.append((PRESSED, pk))
                append('">Like</button></form>')
                segments.append("".join(parts))
                parts.clear()
                slots.append((EXTRA, pk))
                append("\n")
            append(
                _ACTIONS.format(
                    id=pk, reply_url=escape(node.reply_url), flag_url=escape(node.flag_url)
                )
            )
        if node.continue_url:
            append(_CONTINUE.format(escape(node.continue_url)))
        append("\n</article>\n")
        if node.opens:
            if node.level == 0:
                count = node.reply_count
                append(_OPEN_REPLIES.format(id=pk, count=count, suffix="y" if count == 1 else "ies"))
            append('<ol class="comment-list">\n')
        else:
            append("</li>\n")
            for closes_thread in node.closes:
                append("</ol></details></li>\n" if closes_thread else "</ol></li>\n")
    append("</ol>\n")
    segments.append("".join(parts))
    metas = {node.id: node.meta for node in nodes if not node.placeholder}
    return ThreadFragment(segments=segments, slots=slots, csrf_placeholder=csrf, metas=metas)


def fill_slots(fragment: ThreadFragment, *, csrf_token: str, liked, extras: dict[int, str]) -> str:
    """The fragment for one reader: like states, Edit / Delete, CSRF token."""
    segments = fragment.segments
    out = [segments[0]]
    append = out.append
    for index, (kind, pk) in enumerate(fragment.slots, start=1):
        if kind == PRESSED:
            append("true" if pk in liked else "false")
        elif pk in extras:
            append(extras[pk])
        append(segments[index])
    html = "".join(out)
    if fragment.slots:
        html = html.replace(fragment.csrf_placeholder, escape(csrf_token))
    return html
