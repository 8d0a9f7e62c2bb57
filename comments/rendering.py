"""The thread's HTML, built in one flat loop over the nodes' rows.

This is the one piece of markup written in Python rather than in a template,
for speed: a thread page can hold thousands of comments, and Django's
template engine spends ~0.1 ms per comment on variable lookups and
auto-escaping alone (measured by `make bench` against a plain template loop).
Here every value is escaped once with `html.escape` and joined.

The result is shared by every reader of the same kind (see
`storypage.section.viewer_cache_kind`) and cached. What differs per reader is
left out as *slots*: the HTML is kept as segments with, between each two,
either a like button's pressed state or the place for Edit / Delete, and the
CSRF token as a placeholder; the Like button and Report link are marked as
for others' comments only, so a reader's own comments show neither. A held
comment (seen by its author and moderators only) has no Like, Reply or
Report at all: none of them is possible until it is published.
`encode_fragment` prepares that once, and `fill_encoded` fills it for one
reader. Guests get no slots at all: their like button is a link to log in.
"""
from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from comments.selectors.nodes import (
    MONTHS,
    CommentMeta,
    CommentNode,
    like_label,
    meta_of,
    row_display_name,
)

PRESSED = 0  # slot: "true" / "false" of the reader's like button
EXTRA = 1  # slot: Edit / Delete links for those allowed
OTHERS_FROM = 3  # marks: what lies between is left out of the reader's own comments
OTHERS_TO = 4

_SENTINEL = "987654321"


@dataclass(slots=True)
class ThreadFragment:
    """A rendered thread page, shared between readers of one kind."""

    segments: list[str]
    slots: list[tuple[int, int]]  # (PRESSED, EXTRA, OTHERS_FROM or _TO, comment id), one per gap
    csrf_placeholder: str
    metas: dict[int, CommentMeta]  # comment id -> what permission checks need (not for guests)


def url_parts(name: str) -> tuple[str, str]:
    """A comment URL split around its id (reversed once per process and URL setup)."""
    return _url_parts(name, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=64)
def _url_parts(name: str, script_prefix: str, urlconf, root_urlconf: str) -> tuple[str, str]:
    url = reverse(f"comments:{name}", kwargs={"pk": int(_SENTINEL)}, urlconf=urlconf)
    prefix, _, suffix = url.partition(_SENTINEL)
    return escape(prefix), escape(suffix)


@functools.lru_cache(maxsize=8)
def _profile_parts_for(script_prefix: str, urlconf, root_urlconf: str) -> tuple[str, str]:
    url = reverse("accounts:profile", kwargs={"username": _SENTINEL}, urlconf=urlconf)
    prefix, _, suffix = url.partition(_SENTINEL)
    return escape(prefix), escape(suffix)


def _profile_parts() -> tuple[str, str]:
    """A reader's profile URL split around their (quoted) username."""
    return _profile_parts_for(get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)


def _closing(level: int, next_level: int) -> str:
    """What ends a comment followed by one at `next_level`: its item, and every
    list that ends here (a top-level thread's replies sit inside <details>)."""
    lists = "".join(
        "</ol></details></li>\n" if outer == 0 else "</ol></li>\n"
        for outer in range(level - 1, next_level - 1, -1)
    )
    return f"\n</article>\n</li>\n{lists}"


# Every like button of a signed-in reader's thread submits this one form,
# through its `form` and `formaction` attributes: the CSRF token once per
# thread rather than once per comment. Works without JavaScript.
LIKES_FORM_ID = "comment-likes"
LIKES_FORM = (
    f'<form id="{LIKES_FORM_ID}" method="post" data-likes-form hidden>'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}"></form>\n'
)


FEATURED_BADGE = '\n<strong class="comment__badge">Featured</strong>'


def _feature_form(*, action: str, csrf: str, featured: bool) -> str:
    """A moderator's button making a comment an editors' pick, or no longer one."""
    value, label = ("0", "Unfeature") if featured else ("1", "Feature")
    return (
        f'<form class="comment__feature" method="post" action="{action}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<input type="hidden" name="featured" value="{value}">'
        f'<button type="submit">{label}</button></form>\n'
    )


def render_nodes(
    nodes: list[CommentNode], *, guest: bool, can_reply: bool = True, moderator: bool = False
) -> ThreadFragment:
    """The thread as one `<ol>`: nested lists from each node's level and the next.

    Featured comments carry a badge for everyone; `moderator` renders for
    moderators (shared by them all), with a Feature / Unfeature form on each
    published comment, its CSRF token a placeholder like the likes form's.

    Everything is read straight from the nodes' rows, with each URL reversed
    once per call. Each slot is marked with a NUL while the HTML is built and
    the result split there once: no value can hold a NUL, as PostgreSQL text
    cannot store one.
    """
    csrf = f"csrf-{secrets.token_hex(16)}"
    reply_prefix, reply_suffix = url_parts("reply")
    flag_prefix, flag_suffix = url_parts("flag")
    history_prefix, history_suffix = url_parts("history")
    detail_prefix, detail_suffix = url_parts("detail")
    like_prefix, like_suffix = url_parts("like")
    go_prefix, go_suffix = url_parts("go")
    feature_prefix, feature_suffix = url_parts("feature") if moderator else ("", "")
    profile_prefix, profile_suffix = _profile_parts()
    # Quoting works character by character, so the id can go between the quoted parts.
    login = f"{escape(reverse('account_login'))}?next={quote(go_prefix, safe='/')}"
    login_suffix = quote(go_suffix, safe="/")
    tz = timezone.get_current_timezone()
    names: dict[str, tuple[str, str]] = {}  # name -> (escaped, escaped and quoted for a URL)
    closings: dict[tuple[int, int], str] = {}
    slots: list[tuple[int, int]] = []
    metas: dict[int, CommentMeta] = {}
    parts = [] if guest else [LIKES_FORM.format(csrf=csrf)]
    parts.append('<ol class="comment-thread">\n')
    append = parts.append
    for node in nodes:
        row = node.row
        pk = row.id
        id_ = str(pk)  # written several times below: converted once
        level = node.level
        state = node.state
        if state != "published":
            state = escape(state)
        if node.placeholder:
            append(
                f'<li class="comment-item comment-item--level-{level}">\n'
                f'<article id="comment-{id_}" class="comment comment--{state}" '
                f'aria-labelledby="comment-{id_}-by">\n'
                f'<p class="comment__placeholder" id="comment-{id_}-by">'
                f"{escape(node.placeholder)}</p>\n"
            )
        else:
            if not guest:  # guests can change nothing: their fragments carry no metas
                metas[pk] = meta_of(row)
            name = row_display_name(row)
            escaped = names.get(name)
            if escaped is None:
                escaped = names[name] = (escape(name), escape(quote(name, safe="")))
            if row.author_id is not None:  # a reader's name links to their page
                author = (
                    f'<a class="comment__author" href="{profile_prefix}{escaped[1]}'
                    f'{profile_suffix}" id="comment-{id_}-by" dir="auto">{escaped[0]}</a>'
                )
            else:  # a name imported with the story's thread belongs to no account
                author = (
                    f'<span class="comment__author" id="comment-{id_}-by" dir="auto">'
                    f"{escaped[0]}</span>"
                )
            created = row.created_at
            local = created.astimezone(tz)
            edited = (
                f'\n<a class="comment__edited" href="{history_prefix}{id_}{history_suffix}">'
                f"{'edited by a moderator' if row.edited_by_moderator else 'edited'}</a>"
                if row.edited_at is not None
                else ""
            )
            notice = (
                f'\n<p class="comment__notice">{escape(node.notice)}</p>' if node.notice else ""
            )
            # No Reply once the story's comments are closed.
            reply = (
                f'<a class="comment__reply" href="{reply_prefix}{id_}{reply_suffix}" '
                f'data-reply-to="{id_}">Reply</a>\n'
                if can_reply
                else ""
            )
            report = f'<a class="comment__report" href="{flag_prefix}{id_}{flag_suffix}">Report</a>'
            # Shown as featured only while everyone may read it (a moderator
            # also sees removed and held comments, with a notice instead).
            marked = row.featured_at is not None
            featured = marked and state == "published"
            feature = (
                _feature_form(
                    action=f"{feature_prefix}{id_}{feature_suffix}", csrf=csrf, featured=marked
                )
                if moderator and (marked or state == "published")
                else ""
            )
            if state != "published":
                # Held (its author's own, or any hidden comment for a
                # moderator): it cannot be liked, replied to or reported
                # until a moderator publishes it, so none is offered; Edit /
                # Delete still go in their slot.
                like = reply = ""
                if guest:
                    actions = ""
                else:
                    actions = "\x00"
                    slots.append((EXTRA, pk))
            elif guest:
                like = f'<a class="like-button" href="{login}{id_}{login_suffix}">Like</a>\n'
                actions = f"{report}\n"
            else:
                # The button's pressed state is a slot; the button and the Report
                # link are for others' comments only (marked), and Edit / Delete go
                # in the last slot. The button submits the thread's one like form
                # (LIKES_FORM) to this comment's like URL.
                like = (
                    f'\x00<button type="submit" form="{LIKES_FORM_ID}" '
                    f'formaction="{like_prefix}{id_}{like_suffix}" class="like-button" '
                    f'data-like="{id_}" aria-pressed="\x00">Like</button>\n\x00'
                )
                actions = f"\x00{report}\n\x00\x00"
                slots += (
                    (OTHERS_FROM, pk),
                    (PRESSED, pk),
                    (OTHERS_TO, pk),
                    (OTHERS_FROM, pk),
                    (OTHERS_TO, pk),
                    (EXTRA, pk),
                )
            append(
                f'<li class="comment-item comment-item--level-{level}">\n'
                f'<article id="comment-{id_}" class="comment comment--{state}" '
                f'aria-labelledby="comment-{id_}-by">\n'
                '<header class="comment__header">\n'
                f"{author}\n"
                # The stable address: it finds the comment's page, whatever page this is.
                f'<a class="comment__permalink" href="{go_prefix}{id_}{go_suffix}">'
                f'<time datetime="{created.isoformat()}">{local.day} {MONTHS[local.month]} '
                f"{local.year}, {local.hour:02d}:{local.minute:02d}</time></a>{edited}"
                f"{FEATURED_BADGE if featured else ''}\n"
                f"</header>{notice}\n"
                # Sanitized on write (newsroom/sanitize.py): the one value not escaped.
                f'<div class="comment__body" dir="auto">{row.body_html}</div>\n'
                '<footer class="comment__footer">\n'
                f'<p class="comment__likes" data-like-label="{id_}">'
                f"{like_label(row.like_count)}</p>\n"
                f"{like}"
                f"{reply}{actions}{feature}</footer>"
            )
        if node.has_more:
            append(
                f'\n<p class="comment__continue"><a href="{detail_prefix}{id_}{detail_suffix}">'
                "Continue this thread</a></p>"
            )
        next_level = node.next_level
        if next_level > level:
            if level == 0:
                count = node.reply_count
                append(
                    f'\n</article>\n<details class="comment-replies" open data-thread="{id_}">'
                    f"<summary>{count} repl{'y' if count == 1 else 'ies'}</summary>"
                    '<ol class="comment-list">\n'
                )
            else:
                append('\n</article>\n<ol class="comment-list">\n')
        else:
            closing = closings.get((level, next_level))
            if closing is None:
                closing = closings[level, next_level] = _closing(level, next_level)
            append(closing)
    append("</ol>\n")
    html = "".join(parts)
    segments = html.split("\x00") if slots else [html]
    if len(segments) != len(slots) + 1:
        raise ValueError("A comment holds a NUL character.")
    return ThreadFragment(segments=segments, slots=slots, csrf_placeholder=csrf, metas=metas)


_CSRF = 2  # a hole for the CSRF token, in an EncodedFragment only


@dataclass(slots=True)
class EncodedFragment:
    """A fragment as UTF-8 pieces with holes, for filling many times over.

    Encoding a few hundred kilobytes of thread, and searching it for the
    CSRF placeholder, cost more per request than the filling itself; here
    both are done once and a reader's page is a list copy, a few hundred
    assignments and one join.
    """

    pieces: list[bytes]
    holes: list[tuple[int, int, int]]  # (index in pieces, PRESSED / EXTRA / _CSRF, comment id)
    # Comment ids by author: a reader's own comments without a scan of them all.
    by_author: dict[int, tuple[int, ...]]
    # comment id -> the ranges of pieces (start, end) left out of its author's page.
    others_only: dict[int, tuple[tuple[int, int], ...]]


def encode_fragment(fragment: ThreadFragment) -> EncodedFragment:
    pieces: list[bytes] = []
    holes: list[tuple[int, int, int]] = []

    def add(text: str) -> None:
        for index, chunk in enumerate(text.split(fragment.csrf_placeholder)):
            if index:
                holes.append((len(pieces), _CSRF, 0))
                pieces.append(b"")
            pieces.append(chunk.encode())

    add(fragment.segments[0])
    others_only: dict[int, list[tuple[int, int]]] = {}
    start = 0
    for (kind, pk), segment in zip(fragment.slots, fragment.segments[1:], strict=True):
        if kind == OTHERS_FROM:
            start = len(pieces)
        elif kind == OTHERS_TO:
            others_only.setdefault(pk, []).append((start, len(pieces)))
        else:
            holes.append((len(pieces), kind, pk))
            pieces.append(b"")
        add(segment)
    by_author: dict[int, list[int]] = {}
    for pk, meta in fragment.metas.items():
        by_author.setdefault(meta.author_id, []).append(pk)
    return EncodedFragment(
        pieces=pieces,
        holes=holes,
        by_author={author: tuple(pks) for author, pks in by_author.items()},
        others_only={pk: tuple(ranges) for pk, ranges in others_only.items()},
    )


def fill_encoded(
    encoded: EncodedFragment,
    *,
    csrf_token: str,
    liked,
    extras: dict[int, bytes],
    own: tuple[int, ...] = (),
) -> list[bytes]:
    """The fragment for one reader, as UTF-8 pieces to join: like states,
    Edit / Delete, the CSRF token, and no Like or Report on `own` comments.

    Pieces, not one string: the caller joins them into the page in one go
    rather than copying a few hundred kilobytes of thread twice.
    """
    out = encoded.pieces.copy()
    token = escape(csrf_token).encode()
    for index, kind, pk in encoded.holes:
        if kind == PRESSED:
            out[index] = b"true" if pk in liked else b"false"
        elif kind == _CSRF:
            out[index] = token
        elif pk in extras:
            out[index] = extras[pk]
    others_only = encoded.others_only
    for pk in own:
        for start, end in others_only.get(pk, ()):
            out[start:end] = [b""] * (end - start)
    return out


def fill_slots(fragment: ThreadFragment, *, csrf_token: str, liked, extras: dict[int, str], own=()):
    """`fill_encoded` for a fragment filled once (pages rendered for one reader)."""
    pieces = fill_encoded(
        encode_fragment(fragment),
        csrf_token=csrf_token,
        liked=liked,
        extras={pk: html.encode() for pk, html in extras.items()},
        own=tuple(own),
    )
    return b"".join(pieces).decode()
