"""A WordPress export of a given size for the import benchmark.

`write_wxr(path, comments=..., size_mb=...)` writes a WXR 1.2 file of
realistic shape, reproducibly (seeded): one post per 500 comments, each
with a few paragraphs of block-editor markup; ~10% of the comments are
top-level, the rest reply to an earlier comment of their post, up to 8
deep; comment HTML with paragraphs, the odd link, emphasis and non-ASCII
names (one comment in ten has a link, one in ten emphasis); a few
pending, spam and trashed comments and a pingback or two.
The comments' text is padded so the whole file comes to about `size_mb`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

COMMENTS_PER_POST = 500
_WORDS = (
    "the council said ferry harbour quay timetable would return monday readers asked "
    "whether sailings fares island school bus weather storm repairs were finished late "
    "again surely nobody expected this week summer tourists fishermen market square"
).split()
_NAMES = ["Niamh Ó Súilleabháin", "Zoë Ångström", "Jan Kowalski", "Ana", "李雷", "Kim", "Tom"]
_STATUSES = ["1"] * 90 + ["0"] * 4 + ["spam"] * 3 + ["trash"] * 3


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _comment_html(rng: random.Random, length: int) -> str:
    parts, size = [], 0
    while size < length:
        paragraph = " ".join(_sentence(rng, rng.randint(6, 16)) for _ in range(rng.randint(1, 4)))
        parts.append(paragraph)
        size += len(paragraph) + 2
    # One comment in ten links somewhere, one in ten emphasises.
    roll = rng.random()
    if roll < 0.06:
        parts.append('See <a href="https://example.org/ferry">the timetable</a>.')
    elif roll < 0.1:
        parts.append("More at https://example.net/notes")
    elif roll < 0.2:
        parts.append("Honestly, <em>really</em> &amp; <strong>truly</strong>.")
    return "\n\n".join(parts)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _post_content(rng: random.Random, paragraphs: int) -> str:
    blocks = []
    for number in range(paragraphs):
        if number and number % 6 == 0:
            blocks.append(
                f'<!-- wp:heading -->\n<h2 class="wp-block-heading">{_sentence(rng, 4)}</h2>'
                "\n<!-- /wp:heading -->"
            )
        blocks.append(
            f"<!-- wp:paragraph -->\n<p>{_sentence(rng, 30)} {_sentence(rng, 20)}</p>"
            "\n<!-- /wp:paragraph -->"
        )
    return "\n\n".join(blocks)


def write_wxr(path: str | Path, *, comments: int, size_mb: float, seed: int = 14) -> dict:
    """Write the export; return what it holds (posts, comments, bytes)."""
    rng = random.Random(seed)
    posts = max(1, -(-comments // COMMENTS_PER_POST))
    # About 700 bytes of XML around each comment and 20 kB of content per post.
    budget = size_mb * 1_000_000 - posts * 22_000
    comment_length = max(60, int(budget / max(comments, 1)) - 700)
    start = datetime(2019, 1, 1, 9, tzinfo=UTC)
    next_id = 1000
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n'
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n<channel>\n'
            "\t<title>Bench Gazette</title>\n\t<link>https://bench.example.org</link>\n"
            "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
            "\t<wp:author><wp:author_login><![CDATA[desk]]></wp:author_login>"
            "<wp:author_display_name><![CDATA[The Desk]]></wp:author_display_name></wp:author>\n"
        )
        left = comments
        for number in range(posts):
            post_id = number + 1
            count = min(COMMENTS_PER_POST, left)
            left -= count
            when = start + timedelta(days=number)
            stamp = when.strftime("%Y-%m-%d %H:%M:%S")
            slug = f"bench-story-{post_id}"
            out.write(
                f"\t<item>\n\t\t<title>{_cdata(_sentence(rng, 6))}</title>\n"
                f"\t\t<link>https://bench.example.org/{when:%Y/%m/%d}/{slug}/</link>\n"
                f"\t\t<dc:creator>{_cdata('desk')}</dc:creator>\n"
                f"\t\t<content:encoded>{_cdata(_post_content(rng, 30))}</content:encoded>\n"
                f"\t\t<excerpt:encoded>{_cdata(_sentence(rng, 12))}</excerpt:encoded>\n"
                f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
                f"\t\t<wp:post_date>{_cdata(stamp)}</wp:post_date>\n"
                f"\t\t<wp:post_date_gmt>{_cdata(stamp)}</wp:post_date_gmt>\n"
                "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n"
                f"\t\t<wp:post_name>{_cdata(slug)}</wp:post_name>\n"
                "\t\t<wp:status><![CDATA[publish]]></wp:status>\n"
                "\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n"
                '\t\t<category domain="post_tag" nicename="bench"><![CDATA[Bench]]></category>\n'
            )
            levels: list[tuple[int, int]] = []  # (comment id, level) of this post
            for index in range(count):
                next_id += 1
                parent, level = 0, 0
                if levels and rng.random() >= 0.1:
                    parent, parent_level = rng.choice(levels[-50:])
                    if parent_level >= 8:
                        parent, level = 0, 0
                    else:
                        level = parent_level + 1
                levels.append((next_id, level))
                kind = "pingback" if rng.random() < 0.005 else ""
                stamp = (when + timedelta(minutes=index + 1)).strftime("%Y-%m-%d %H:%M:%S")
                length = max(20, int(comment_length * rng.uniform(0.4, 1.6)))
                out.write(
                    "\t\t<wp:comment>\n"
                    f"\t\t\t<wp:comment_id>{next_id}</wp:comment_id>\n"
                    f"\t\t\t<wp:comment_author>{_cdata(rng.choice(_NAMES))}"
                    "</wp:comment_author>\n"
                    "\t\t\t<wp:comment_author_email>"
                    f"{_cdata(f'reader{next_id}@example.net')}</wp:comment_author_email>\n"
                    f"\t\t\t<wp:comment_author_IP>{_cdata(f'192.0.2.{next_id % 250 + 1}')}"
                    "</wp:comment_author_IP>\n"
                    f"\t\t\t<wp:comment_date>{_cdata(stamp)}</wp:comment_date>\n"
                    f"\t\t\t<wp:comment_date_gmt>{_cdata(stamp)}</wp:comment_date_gmt>\n"
                    "\t\t\t<wp:comment_content>"
                    f"{_cdata(_comment_html(rng, length))}</wp:comment_content>\n"
                    f"\t\t\t<wp:comment_approved>{_cdata(rng.choice(_STATUSES))}"
                    "</wp:comment_approved>\n"
                    f"\t\t\t<wp:comment_type>{_cdata(kind)}</wp:comment_type>\n"
                    f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
                    "\t\t</wp:comment>\n"
                )
            out.write("\t</item>\n")
        out.write("</channel>\n</rss>\n")
    return {"posts": posts, "comments": comments, "bytes": Path(path).stat().st_size}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--size-mb", type=float, default=200)
    args = parser.parse_args()
    print(write_wxr(args.path, comments=args.comments, size_mb=args.size_mb))


if __name__ == "__main__":
    main()
