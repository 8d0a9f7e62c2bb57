"""`make bench BENCH_ARGS=--import`: how fast a large WordPress export imports.

Generates a WXR file (`bench.wxr_file`, default 200 MB with 100,000
comments) in a temporary folder, imports it into the throwaway database with
`manage.py import_wordpress` in a child process, and reports comments per
second (wall clock, the child's start-up included) and the child's peak
resident memory (getrusage of the children), with the tree checked after.
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
    }


def print_result(result: dict) -> None:
    print(
        f"import: {result['comments_created']:,} comments from {result['file_mb']} MB "
        f"in {result['seconds']} s = {result['comments_per_second']:,} comments/s; "
        f"peak RSS {result['peak_rss_mb']} MB; tree problems: {result['tree_problems']}"
    )
