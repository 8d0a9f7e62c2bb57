"""`make bench BENCH_ARGS=--import`: how fast a large WordPress export imports.

Generates a WXR file (`bench.wxr_file`, default 200 MB with 100,000
comments) in a temporary folder, imports it into the throwaway database with
`manage.py import_wordpress` in a child process, and reports comments per
second (wall clock, the child's start-up included) and the child's peak
resident memory (getrusage of the children), with the tree checked after.
Then, in this process, what the import's parts cost alone on the same file:
reading the XML, and sanitizing the comments (WordPress HTML to the
commenter's text, then that text to the stored HTML, as the import does).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.wxr_file import write_wxr

ROOT = Path(__file__).resolve().parent.parent


def run_import(*, comments: int, size_mb: float, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="newsroom-import-bench-") as folder:
        path = Path(folder) / "export.xml"
        log(f"writing a WordPress export: {comments:,} comments, about {size_mb:g} MB")
        made = write_wxr(path, comments=comments, size_mb=size_mb)
        log(f"importing {made['bytes'] / 1e6:.1f} MB in {made['posts']} posts")
        started = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, "manage.py", "import_wordpress", str(path)],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if finished.returncode != 0:
            raise SystemExit(f"the import failed:\n{finished.stderr}")
        log("timing the XML reading and the comments' sanitizing alone")
        parts = _parts(path)
    created = re.search(r"comments: \d+, of them new: (\d+)", finished.stdout)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    from comments.integrity import tree_problems

    problems = tree_problems()
    return {
        "file_mb": round(made["bytes"] / 1e6, 1),
        "posts": made["posts"],
        "comments_in_file": comments,
        "comments_created": int(created[1]) if created else None,
        "seconds": round(elapsed, 2),
        "comments_per_second": round(int(created[1]) / elapsed) if created else None,
        "peak_rss_mb": round(peak_kb / 1024),
        "tree_problems": len(problems),
        "reading_seconds": parts["reading"],
        "sanitizing_seconds": parts["sanitizing"],
        "sanitizing_share": round(parts["sanitizing"] / elapsed, 2),
    }


def _parts(path: Path) -> dict:
    """Seconds spent reading the file, and sanitizing its readers' comments, alone."""
    from articles.wordpress.content import comment_text
    from articles.wordpress.importing import _READER_COMMENT_TYPES
    from articles.wordpress.wxr import read_wxr
    from comments.formatting import render_comment

    started = time.perf_counter()
    contents = []
    for post in read_wxr(path):
        contents.extend(c.content for c in post.comments if c.type in _READER_COMMENT_TYPES)
    reading = time.perf_counter() - started
    started = time.perf_counter()
    for content in contents:
        text = comment_text(content)
        if text:
            render_comment(text)
    return {
        "reading": round(reading, 2),
        "sanitizing": round(time.perf_counter() - started, 2),
    }


def print_result(result: dict) -> None:
    print(
        f"import: {result['comments_created']:,} comments from {result['file_mb']} MB "
        f"in {result['seconds']} s = {result['comments_per_second']:,} comments/s; "
        f"peak RSS {result['peak_rss_mb']} MB; tree problems: {result['tree_problems']}"
    )
    print(
        f"alone: reading the XML {result['reading_seconds']} s, sanitizing the comments "
        f"{result['sanitizing_seconds']} s ({result['sanitizing_share']:.0%} of the import)"
    )
