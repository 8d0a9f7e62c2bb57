"""The thread's HTML exactly as `comments.rendering` writes it, and the
compiled thread queries run with each page's own values."""

from datetime import UTC, datetime
from html import escape

import pytest
from django.utils.safestring import SafeString

from comments.models import Comment
from comments.rendering import (
    EXTRA,
    OTHERS_FROM,
    OTHERS_TO,
    PRESSED,
    encode_fragment,
    fill_encoded,
    fill_slots,
    render_nodes,
)
from comments.selectors import comment_subtree, thread_roots
from comments.selectors.nodes import meta_of
from tests.comments.threads import C, build, page_of
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

WINTER = datetime(2026, 1, 15, 9, 4, 30, 250000, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 the next day in London


@pytest.fixture
def thread(article, settings):
    # a          by "Ann & <Co>", 2 likes
    # ├── b      edited by a moderator
    # │   └── c  at the last display level: its reply d is a "Continue" link
    # │       └── d
    # └── e      removed, kept as a placeholder for its reply
    #     └── f
    # g          imported, no name; posted in summer time
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 3
    ann = UserFactory(username="Ann & <Co>")
    rows = build(
        article,
        [
            C(
                "a",
                [
                    C("b", [C("c", [C("d")])], edited=True),
                    C("e", [C("f")], status=Comment.Status.REMOVED),
                ],
                author=ann,
                likes=2,
            ),
            C("g", author_name=" ", created_at=SUMMER),
        ],
        start=WINTER,
    )
    Comment.objects.filter(pk=rows["b"].pk).update(edited_by_moderator=True)
    Comment.objects.filter(pk=rows["g"].pk).update(author_name="")
    return {key: row.pk for key, row in rows.items()}


def _comment(pk, *, level, name, iso, human, body, extra="", likes="", like, profile=""):
    # A reader's name links to their page (`profile`: the quoted username);
    # an imported name is plain text.
    author = (
        f'<a class="comment__author" href="/people/{profile}/" id="comment-{pk}-by" '
        f'dir="auto">{name}</a>'
        if profile
        else f'<span class="comment__author" id="comment-{pk}-by" dir="auto">{name}</span>'
    )
    return (
        f'<li class="comment-item comment-item--level-{level}">\n'
        f'<article id="comment-{pk}" class="comment comment--published" '
        f'aria-labelledby="comment-{pk}-by">\n'
        f'<header class="comment__header">\n'
        f"{author}\n"
        f'<a class="comment__permalink" href="/comments/{pk}/go/">'
        f'<time datetime="{iso}">{human}</time></a>{extra}\n'
        f"</header>\n"
        f'<div class="comment__body" dir="auto"><p>{body}</p></div>\n'
        f'<footer class="comment__footer">\n'
        f'<p class="comment__likes" data-like-label="{pk}">{likes}</p>\n'
        f"{like}"
        f'<a class="comment__reply" href="/comments/{pk}/reply/" data-reply-to="{pk}">Reply</a>\n'
        f'<a class="comment__report" href="/comments/{pk}/flag/">Report</a>\n'
        f"</footer>"
    )


def _guest_like(pk):
    return f'<a class="like-button" href="/accounts/login/?next=/comments/{pk}/go/">Like</a>\n'


def test_guest_thread_markup(thread):
    t = thread

    nodes = page_of(article=Comment.objects.get(pk=t["a"]).article, user=None).nodes
    fragment = render_nodes(nodes, guest=True)

    def comment(key, **kwargs):
        return _comment(t[key], like=_guest_like(t[key]), **kwargs)

    assert fragment.slots == []
    assert fragment.segments == [
        '<ol class="comment-thread">\n'
        + comment(
            "a",
            level=0,
            name="Ann &amp; &lt;Co&gt;",
            profile="Ann%20%26%20%3CCo%3E",
            iso="2026-01-15T09:05:30.250000+00:00",
            human="15 Jan 2026, 09:05",
            body="a",
            likes="Liked by 2 people",
        )
        + f'\n</article>\n<details class="comment-replies" open data-thread="{t["a"]}">'
        "<summary>4 replies</summary>"
        '<ol class="comment-list">\n'
        + comment(
            "b",
            level=1,
            name="Reader b",
            iso="2026-01-15T09:06:30.250000+00:00",
            human="15 Jan 2026, 09:06",
            body="b",
            extra=f'\n<a class="comment__edited" href="/comments/{t["b"]}/history/">'
            "edited by a moderator</a>",
        )
        + '\n</article>\n<ol class="comment-list">\n'
        + comment(
            "c",
            level=2,
            name="Reader c",
            iso="2026-01-15T09:07:30.250000+00:00",
            human="15 Jan 2026, 09:07",
            body="c",
        )
        + f'\n<p class="comment__continue"><a href="/comments/{t["c"]}/">'
        "Continue this thread</a></p>"
        "\n</article>\n</li>\n</ol></li>\n"
        '<li class="comment-item comment-item--level-1">\n'
        f'<article id="comment-{t["e"]}" class="comment comment--removed" '
        f'aria-labelledby="comment-{t["e"]}-by">\n'
        f'<p class="comment__placeholder" id="comment-{t["e"]}-by">'
        "This comment was removed.</p>\n"
        '\n</article>\n<ol class="comment-list">\n'
        + comment(
            "f",
            level=2,
            name="Reader f",
            iso="2026-01-15T09:10:30.250000+00:00",
            human="15 Jan 2026, 09:10",
            body="f",
        )
        + "\n</article>\n</li>\n</ol></li>\n</ol></details></li>\n"
        + comment(
            "g",
            level=0,
            name="Anonymous",
            iso="2026-07-01T23:30:00+00:00",
            human="2 Jul 2026, 00:30",
            body="g",
        )
        + "\n</article>\n</li>\n</ol>\n"
    ]
    # Guests can edit or delete nothing, so their fragment carries no checks' data;
    # a signed-in reader's has it for every comment shown in full.
    assert fragment.metas == {}
    signed_in = render_nodes(nodes, guest=False)
    assert list(signed_in.metas) == [t[key] for key in "abcfg"]
    meta = signed_in.metas[t["a"]]
    assert (meta.id, meta.author_id) == (t["a"], Comment.objects.get(pk=t["a"]).author_id)


def test_signed_in_thread_keeps_per_reader_slots_out_of_the_shared_html(thread):
    t = thread
    article = Comment.objects.get(pk=t["a"]).article

    fragment = render_nodes(page_of(article=article, user=UserFactory()).nodes, guest=False)

    shown = [t[key] for key in "abcfg"]
    # Per comment: Like (its pressed state a slot) and Report marked as for
    # others' comments only, then the place for Edit / Delete.
    per_comment = [OTHERS_FROM, PRESSED, OTHERS_TO, OTHERS_FROM, OTHERS_TO, EXTRA]
    assert fragment.slots == [(kind, pk) for pk in shown for kind in per_comment]
    assert len(fragment.segments) == len(fragment.slots) + 1
    shared = "".join(fragment.segments)
    assert 'aria-pressed=""' in shared and "true" not in shared and "Edit" not in shared
    html = fill_slots(
        fragment,
        csrf_token="token<&>",
        liked={t["b"]},
        extras={t["c"]: '\n<a class="comment__edit" href="/comments/c/edit/">Edit</a>'},
        own=[t["c"]],
    )
    # One form per thread holds the reader's CSRF token; every like button submits it.
    assert html.startswith(
        '<form id="comment-likes" method="post" data-likes-form hidden>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="token&lt;&amp;&gt;"></form>\n'
        '<ol class="comment-thread">'
    )
    assert html.count("csrfmiddlewaretoken") == 1
    like = (
        '<button type="submit" form="comment-likes" formaction="/comments/{pk}/like/" '
        'class="like-button" data-like="{pk}" aria-pressed="{pressed}">Like</button>\n'
    )
    report = '<a class="comment__report" href="/comments/{pk}/flag/">Report</a>\n'
    assert like.format(pk=t["a"], pressed="false") in html
    assert like.format(pk=t["b"], pressed="true") in html
    assert report.format(pk=t["b"]) in html
    # The reader's own comment: Edit, and neither Like nor Report.
    assert (
        f'data-reply-to="{t["c"]}">Reply</a>\n'
        '\n<a class="comment__edit" href="/comments/c/edit/">Edit</a></footer>'
    ) in html
    assert f'data-like="{t["c"]}"' not in html and report.format(pk=t["c"]) not in html
    assert fragment.csrf_placeholder not in html
    assert html.count("aria-pressed=") == 4


@pytest.mark.parametrize(
    "liked_keys, own_keys",
    [("", ""), ("b", "c"), ("abcfg", "ag"), ("c", "c"), ("g", "a")],
)
def test_the_encoded_fragment_fills_in_exactly_as_the_shared_html_does(
    thread, liked_keys, own_keys
):
    """Signed-in pages are filled from the encoded form; it must give the same page."""
    t = thread
    article = Comment.objects.get(pk=t["a"]).article
    fragment = render_nodes(page_of(article=article, user=UserFactory()).nodes, guest=False)
    liked = {t[key] for key in liked_keys}
    extras = {t[key]: f'\n<a class="comment__edit" href="/edit/{key}/">Edit</a>' for key in own_keys}
    token = "token<&>"

    own = tuple(t[key] for key in own_keys)
    encoded = encode_fragment(fragment)
    extras_bytes = {pk: html.encode() for pk, html in extras.items()}
    filled = b"".join(
        fill_encoded(encoded, csrf_token=token, liked=liked, extras=extras_bytes, own=own)
    ).decode()

    # What a page filled in full would be: each slot's value in its place, and
    # what is for others' comments only taken out of the reader's own.
    expected, skipping = [fragment.segments[0]], False
    for (kind, pk), segment in zip(fragment.slots, fragment.segments[1:], strict=True):
        if kind == OTHERS_FROM:
            skipping = pk in own
        elif kind == OTHERS_TO:
            skipping = False
        elif kind == PRESSED and not skipping:
            expected.append("true" if pk in liked else "false")
        elif kind == EXTRA:
            expected.append(extras.get(pk, ""))
        if not skipping:
            expected.append(segment)
    expected = "".join(expected).replace(fragment.csrf_placeholder, escape(token))
    assert filled == expected
    # Encoded once, filled for any number of readers: nothing of one stays for the next.
    again = b"".join(fill_encoded(encoded, csrf_token=token, liked=set(), extras={}))
    assert b'aria-pressed="true"' not in again and b'class="comment__edit"' not in again


def test_parent_chain_nodes_give_the_template_their_values(thread):
    t = thread

    subtree = comment_subtree(comment=Comment.objects.get(pk=t["f"]), user=None)

    a, e = subtree.ancestors
    assert (a.id, a.anchor, a.state, a.placeholder) == (
        t["a"],
        f"comment-{t['a']}",
        "published",
        "",
    )
    assert (a.display_name, a.created_iso, a.created_human) == (
        "Ann & <Co>",
        "2026-01-15T09:05:30.250000+00:00",
        "15 Jan 2026, 09:05",
    )
    assert a.body_html == "<p>a</p>" and isinstance(a.body_html, SafeString)
    assert (a.row.like_count, a.row.edited_at, a.level) == (2, None, 0)
    assert (e.state, e.placeholder, e.display_name, e.body_html) == (
        "removed",
        "This comment was removed.",
        "",
        "",
    )
    [f] = subtree.nodes
    assert (f.id, f.level, f.row.parent_id, f.next_level) == (t["f"], 0, t["e"], 0)
    assert (meta_of(f.row).id, meta_of(f.row).author_id) == (t["f"], None)


def test_compiled_thread_queries_run_with_each_pages_values(settings):
    # The roots and thread queries are compiled once per sort and kind of
    # reader; every run must still read its own story, reader and page.
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 1
    first, second = ArticleFactory(), ArticleFactory()
    ann, bob = UserFactory(), UserFactory()
    earlier = datetime(2025, 12, 1, tzinfo=UTC)
    build(first, [C("first-1"), C("ann-held", author=ann, status=Comment.Status.PENDING)])
    build(second, [C("second-1", [C("second-reply")]), C("second-2"), C("second-3")], start=earlier)
    build(second, [C("bob-held", author=bob, status=Comment.Status.SPAM)], start=WINTER)

    def bodies(article, user, page=1):
        return [n.body_html for n in page_of(article=article, user=user, page=page).nodes]

    for _ in range(2):
        assert bodies(first, ann, page=2) == ["<p>ann-held</p>"]
        assert bodies(first, bob, page=2) == ["<p>first-1</p>"]  # past the end: last page
        assert bodies(second, bob, page=4) == ["<p>bob-held</p>"]
        assert bodies(second, ann, page=1) == ["<p>second-1</p>", "<p>second-reply</p>"]
        assert bodies(second, None, page=3) == ["<p>second-3</p>"]
        assert bodies(second, StaffFactory(), page=4) == ["<p>bob-held</p>"]
        _, number, num_pages, threads, count = thread_roots(article=second, user=bob, page=2)
        assert (number, num_pages, threads, count) == (2, 4, 4, 4)
        _, number, num_pages, threads, count = thread_roots(article=second, user=ann)
        assert (number, num_pages, threads, count) == (1, 3, 3, 4)
