"""`make bench BENCH_ARGS=--archive`: how each page's cost grows with the archive.

Builds two throwaway archives with PostgreSQL's COPY (not the ORM): a big
one (100,000 stories over ten years, 1,000,000 comments, 50,000 readers)
and a small one (1,000 stories, 10,000 comments), the same shape at both
sizes: stories spread over ten years with tags and sources, comment counts
per story long-tailed (most under 20, a few in the tens of thousands at the
big size), threads nested as readers nest them (nested-set numbers computed
here, one tree per top-level comment), likes spread unevenly.

Then it serves each archive with its own gunicorn and measures every page
on both, each run right after a run of the baseline (`/healthz` on the same
server), and writes bench/results-archive.json:

    {"stories": N, "comments": M, "bytes_per_comment": B,
     "pages": {"<name>": {"small_p95_ms": …, "big_p95_ms": …, "ratio": …,
                          "small_baseline_p95_ms": …, "big_baseline_p95_ms": …}, …}}

`--archive-scale F` multiplies every size by F for a quick run.

    python -m bench.run --archive [--archive-scale 0.01] [--archive-seconds 5]
    python -m bench.archive build --db NAME --stories N --comments M --readers R
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results-archive.json"

BIG = {"stories": 100_000, "comments": 1_000_000, "readers": 50_000}
SMALL = {"stories": 1_000, "comments": 10_000, "readers": 500}
TAGS = 200
SOURCES = 20
YEARS = 10
MAX_DEPTH = 8
# The story pages measured are typical ones: this many comments, or the nearest.
TYPICAL_COMMENTS = 40
COLD_SAMPLES = 40
# Pages a crawler fetches now and then, one at a time: how long one takes to
# build is what matters (each sitemap section within a second), not how
# they queue up under concurrent load.
ONE_AT_A_TIME = ("sitemap.xml", "sitemap section")
ONE_AT_A_TIME_REPEAT = 10
DEEP_PAGE = 500

WORDS = (
    "government minister election market economy talks summit border trade vote "
    "council police court health school climate energy water housing budget report "
    "leader president rally protest strike union crisis deal plan weather storm "
    "flood fire river city village farm bank price rate growth jobs workers"
).split()
# Rare words to search for: one mostly in story titles, one mostly in comments.
STORY_WORD = "lighthouse"
COMMENT_WORD = "marmalade"


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


# --- building an archive (runs with Django set up on that archive's database) ---


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Copier:
    """Rows of one model, streamed through a temporary file into COPY."""

    def __init__(self, model, **fixed):
        from django.db.models import GeneratedField

        self.model = model
        self.fields = [
            f for f in model._meta.concrete_fields if not isinstance(f, GeneratedField)
        ]
        self.defaults = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            else:
                self.defaults[f.attname] = ""
        self.defaults.update(fixed)
        self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.count = 0

    def add(self, **values) -> None:
        row = [values.get(f.attname, self.defaults[f.attname]) for f in self.fields]
        self.file.write("\t".join(_copy_value(v) for v in row) + "\n")
        self.count += 1

    def load(self) -> int:
        """COPY the rows in, with the table's secondary indexes and constraints
        dropped meanwhile and made again after: built once over all the rows
        (and foreign keys checked in one pass), not row by row."""
        from django.db import connection

        self.file.seek(0)
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'c', 'u')",
                [table],
            )
            constraints = cursor.fetchall()
            for name, _ in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
            cursor.cursor.copy_expert(
                f'COPY "{table}" ({columns}) FROM STDIN', self.file
            )
            for _, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            if self.model._meta.pk.attname in [f.attname for f in self.fields]:
                table = self.model._meta.db_table
                pk = self.model._meta.pk.column
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
                    f"(SELECT coalesce(max({pk}), 1) FROM {table}))"
                )
        self.file.close()
        return self.count


def _sentence(rng: random.Random, n: int, extra: str = "") -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if extra:
        words.insert(rng.randrange(len(words) + 1), extra)
    return " ".join(words).capitalize() + "."


def _comment_counts(rng: random.Random, stories: int, comments: int) -> list[int]:
    """Long-tailed: Pareto weights scaled to the total (most stories under 20)."""
    weights = [rng.paretovariate(1.05) for _ in range(stories)]
    total = sum(weights)
    counts = [int(comments * w / total) for w in weights]
    # Hand out what rounding left over, one each to random stories.
    for index in rng.sample(range(stories), min(stories, comments - sum(counts))):
        counts[index] += 1
    return counts


def _thread_rows(rng: random.Random, size: int):
    """`size` comments as (parent index or None, level), in creation order,
    then their nested-set numbers: yields (index, parent, root, lft, rght, level)."""
    parents: list[int | None] = []
    levels: list[int] = []
    for index in range(size):
        if index == 0 or rng.random() < 0.35:
            parents.append(None)
            levels.append(0)
        else:
            # Replies go mostly to recent comments, as conversations do.
            parent = max(0, index - 1 - int(rng.expovariate(0.15)))
            while levels[parent] >= MAX_DEPTH:
                parent = parents[parent]
            parents.append(parent)
            levels.append(levels[parent] + 1)
    children: dict[int, list[int]] = {}
    for index, parent in enumerate(parents):
        if parent is not None:
            children.setdefault(parent, []).append(index)
    numbers: dict[int, tuple[int, int, int]] = {}
    for root in (i for i, p in enumerate(parents) if p is None):
        counter = 1
        stack = [(root, False)]
        lft: dict[int, int] = {}
        while stack:
            node, done = stack.pop()
            if done:
                numbers[node] = (lft[node], counter, root)
                counter += 1
                continue
            lft[node] = counter
            counter += 1
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children.get(node, [])))
    for index in range(size):
        lft, rght, root = numbers[index]
        yield index, parents[index], root, lft, rght, levels[index]


def build(*, stories: int, comments: int, readers: int, seed: int = 16) -> dict:
    """Fill the (migrated, empty) database; return what the measurements need."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from articles.models import Article, Source, Tag
    from comments.models import Comment, Like

    rng = random.Random(seed)
    User = get_user_model()
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365 * YEARS)

    started = time.monotonic()
    users = _Copier(User, password="!", is_active=True, is_staff=False, is_superuser=False)
    for pk in range(1, readers + 1):
        users.add(id=pk, username=f"reader{pk}", email=f"reader{pk}@example.com",
                  date_joined=start)
    users.load()

    sources = _Copier(Source)
    for pk in range(1, SOURCES + 1):
        sources.add(id=pk, name=f"Source {pk}", slug=f"source-{pk}",
                    homepage_url=f"https://source{pk}.example.com/", copyright_notice=f"© Source {pk}")
    sources.load()
    tags = _Copier(Tag)
    for pk in range(1, TAGS + 1):
        tags.add(id=pk, name=f"Topic {pk}", slug=f"topic-{pk}")
    tags.load()

    # Stories, oldest first, evenly over the years with some jitter.
    span = (now - timedelta(days=1) - start).total_seconds()
    published = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(stories))
    articles = _Copier(Article, status="published", comments_open=True, import_record={},
                       lead_image_renditions={})
    links = _Copier(Article.tags.through)
    link_id = 0
    tag_weights = [1 / rank for rank in range(1, TAGS + 1)]  # a few tags are on most stories
    for pk, when in enumerate(published, start=1):
        title = _sentence(rng, 7, STORY_WORD if rng.random() < 0.01 else "")
        body = "\n\n".join(_sentence(rng, 25) for _ in range(4))
        articles.add(
            id=pk, title=title, slug=f"story-{pk}", standfirst=_sentence(rng, 15),
            byline="Archive desk", body=body,
            body_html="".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n")),
            source_id=rng.randint(1, SOURCES) if rng.random() < 0.8 else None,
            published_at=when, created_at=when, updated_at=when,
        )
        for tag in set(rng.choices(range(1, TAGS + 1), weights=tag_weights, k=rng.randint(1, 3))):
            link_id += 1
            links.add(id=link_id, article_id=pk, tag_id=tag)
    articles.load()
    links.load()

    # Comments, thread by thread, with their likes.
    counts = _comment_counts(rng, stories, comments)
    rows = _Copier(Comment, status="published", hold_reason="", edited_by_moderator=False,
                   like_baseline=0, flag_count=0, open_reports=0, import_key="",
                   user_agent="", notify_replies=False, author_name="")
    likes = _Copier(Like)
    comment_id = tree_id = like_id = 0
    for story_pk, (when, size) in enumerate(zip(published, counts, strict=True), start=1):
        if not size:
            continue
        first_id = comment_id + 1
        root_trees: dict[int, int] = {}
        for index, parent, root, lft, rght, level in _thread_rows(rng, size):
            if root not in root_trees:
                tree_id += 1
                root_trees[root] = tree_id
            author = rng.randint(1, readers)
            text = _sentence(rng, rng.randint(8, 40), COMMENT_WORD if rng.random() < 0.002 else "")
            liked_by = {rng.randint(1, readers) for _ in range(int(rng.paretovariate(1.3)) - 1)}
            liked_by.discard(author)
            comment_id += 1
            created = min(now, when + timedelta(minutes=index * 3 + rng.random() * 3))
            rows.add(
                id=comment_id, article_id=story_pk,
                parent_id=None if parent is None else first_id + parent,
                author_id=author, body=text, body_html=f"<p>{html.escape(text)}</p>",
                created_at=created, like_count=len(liked_by),
                lft=lft, rght=rght, tree_id=root_trees[root], level=level,
            )
            for user in liked_by:
                like_id += 1
                likes.add(id=like_id, user_id=user, comment_id=comment_id, article_id=story_pk,
                          created_at=created)
    rows.load()
    likes.load()
    with connection.cursor() as cursor:
        # What autovacuum keeps true of a live database: statistics, and a
        # visibility map so that counts read indexes alone. Measured right
        # after COPY without it, a count of 100,000 stories read every row
        # (72 ms, not 15).
        cursor.execute("VACUUM (ANALYZE)")
        # The configuration README "Scaling out" recommends for the app's
        # database: no parallel plans. Under concurrent requests on a small
        # server a parallel worker takes a core from another request; the
        # comment search's p95 doubled with them.
        cursor.execute(
            f'ALTER DATABASE "{connection.settings_dict["NAME"]}" '
            "SET max_parallel_workers_per_gather = 0"
        )
        cursor.execute(
            "SELECT pg_total_relation_size('comments_comment'), "
            "pg_total_relation_size('comments_like')"
        )
        comment_bytes, like_bytes = cursor.fetchone()
    built = time.monotonic() - started

    # The pages to measure.
    def story_url(pk: int) -> str:
        return Article.objects.get(pk=pk).get_absolute_url()

    typical = sorted(range(stories), key=lambda i: (abs(counts[i] - TYPICAL_COMMENTS), i))
    typical = [i + 1 for i in typical[: 1 + 2 * COLD_SAMPLES]]
    busiest_tag = "topic-1"
    tag_ids = list(
        Article.objects.filter(tags__slug=busiest_tag)
        .order_by("-published_at", "-id")
        .values_list("published_at", "id")
    )
    from django.conf import settings

    from articles.pagination import encode_cursor

    per_page = settings.NEWSROOM_ARTICLES_PER_PAGE
    deep_index = min(DEEP_PAGE - 1, (len(tag_ids) - 1) // per_page) * per_page - 1
    deep_url = f"/tags/{busiest_tag}/"
    if deep_index >= 0:
        deep_url += "?before=" + encode_cursor(*tag_ids[deep_index])
    middle = published[len(published) // 2]

    client = Client()
    client.force_login(User.objects.get(pk=1))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return {
        "stories": stories,
        "comments": comment_id,
        "likes": like_id,
        "readers": readers,
        "largest_thread": max(counts),
        "stories_under_20_comments": sum(1 for c in counts if c < 20) / stories,
        "build_seconds": round(built, 1),
        "comment_table_bytes": comment_bytes,
        "like_table_bytes": like_bytes,
        "bytes_per_comment": round(comment_bytes / max(comment_id, 1)),
        "deep_page": deep_index // per_page + 2 if deep_index >= 0 else 1,
        "cookie": cookie,
        "pages": {
            "front page": "/",
            "month archive": f"/{middle.year:04d}/{middle.month:02d}/",
            "tag page": f"/tags/{busiest_tag}/",
            "source page": "/sources/source-1/",
            "story search": f"/search/?q={STORY_WORD}",
            "comment search": f"/search/?q={COMMENT_WORD}",
            "deep archive page": deep_url,
            "sitemap.xml": "/sitemap.xml",
            "sitemap section": "/sitemap-articles.xml",
            "feed": "/feeds/rss/",
        },
        "story_warm": story_url(typical[0]),
        # Different stories for each kind of reader, so each request is a first render.
        "story_cold_guest": [story_url(pk) for pk in typical[1::2]],
        "story_cold_signed_in": [story_url(pk) for pk in typical[2::2]],
    }


# --- measuring (the driver: no Django here, only HTTP) ---------------------

WRK_SCRIPT = """done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
  io.write(string.format("ERRORS %d\\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _wrk_p95(wrk: str, script: str, url: str, *, seconds: float, cookie: str = "") -> tuple[float, int]:
    # A long timeout: a slow page is measured, not dropped as an error.
    cmd = [wrk, "-t1", "-c4", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", script]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    p95 = re.search(r"P95_US (\d+)", out)
    errors = re.search(r"ERRORS (\d+)", out)
    return (int(p95.group(1)) / 1000 if p95 else float("nan")), int(errors.group(1)) if errors else -1


def _sequential_p95(urls: list[str], *, cookie: str = "") -> tuple[float, int]:
    """Each URL once (each a first render): the 95th percentile of their times."""
    samples, errors = [], 0
    for url in urls:
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
        except OSError:
            errors += 1
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return (samples[min(len(samples) - 1, int(0.95 * len(samples)))] if samples else float("nan")), errors


def _start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
         "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
             "GUNICORN_MAX_REQUESTS": "0", "GUNICORN_ACCESS_LOG": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _build_in_subprocess(name: str, sizes: dict, env: dict) -> dict:
    from bench.throwaway import admin_execute, database_url

    url = database_url(name)
    admin_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    result = subprocess.run(
        [sys.executable, "-m", "bench.archive", "build", "--db", name,
         "--stories", str(sizes["stories"]), "--comments", str(sizes["comments"]),
         "--readers", str(sizes["readers"])],
        cwd=ROOT, env={**env, "DATABASE_URL": url}, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building {name} failed:\n{result.stderr[-4000:]}")
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "url": url}


def run(*, scale: float, seconds: float, env: dict, wrk: str | None) -> dict:
    """Build both archives, measure every page on both, return the results."""
    from bench.throwaway import admin_execute

    if not wrk:
        raise RuntimeError("the archive bench needs wrk (apt-get install wrk)")
    sizes = {
        label: {key: max(1, int(value * scale)) for key, value in base.items()}
        for label, base in (("small", SMALL), ("big", BIG))
    }
    archives = {}
    for label in ("small", "big"):
        log(f"building the {label} archive: {sizes[label]['stories']:,} stories, "
            f"{sizes[label]['comments']:,} comments, {sizes[label]['readers']:,} readers (COPY)")
        archives[label] = _build_in_subprocess(f"newsroom_archive_{label}", sizes[label], env)
        log(f"  built in {archives[label]['build_seconds']} s; largest thread "
            f"{archives[label]['largest_thread']:,}; {archives[label]['bytes_per_comment']} bytes "
            "per comment (table and indexes)")

    servers, bases = {}, {}
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(WRK_SCRIPT)
    script.close()
    run_id = uuid.uuid4().hex[:8]
    try:
        for label, archive in archives.items():
            port = _free_port()
            servers[label] = _start_gunicorn(port, {
                **env, "DATABASE_URL": archive["url"],
                "NEWSROOM_CACHE_PREFIX": f"archive-{label}-{run_id}",
            })
            bases[label] = f"http://127.0.0.1:{port}"
        pages = {}

        def measure(name: str, how) -> None:
            figures = {}
            for label in ("small", "big"):
                base = bases[label]
                baseline, _ = _wrk_p95(wrk, script.name, base + "/healthz", seconds=seconds)
                p95, errors = how(label, base)
                figures[f"{label}_p95_ms"] = round(p95, 2)
                figures[f"{label}_baseline_p95_ms"] = round(baseline, 2)
                figures[f"{label}_errors"] = errors
            figures["ratio"] = round(figures["big_p95_ms"] / figures["small_p95_ms"], 2)
            pages[name] = figures
            log(f"{name:<28} small {figures['small_p95_ms']:>8} ms   big {figures['big_p95_ms']:>8} ms"
                f"   ×{figures['ratio']}")

        for name in archives["small"]["pages"]:
            if name in ONE_AT_A_TIME:
                measure(name, lambda label, base, name=name: _sequential_p95(
                    [base + archives[label]["pages"][name]] * ONE_AT_A_TIME_REPEAT))
                continue
            measure(name, lambda label, base, name=name: _wrk_p95(
                wrk, script.name, base + archives[label]["pages"][name], seconds=seconds))
        for kind, cookie_of in (("guest", lambda a: ""), ("signed in", lambda a: a["cookie"])):
            key = "story_cold_guest" if kind == "guest" else "story_cold_signed_in"
            measure(f"story page, {kind}, cold", lambda label, base, key=key, cookie_of=cookie_of:
                    _sequential_p95([base + p for p in archives[label][key]],
                                    cookie=cookie_of(archives[label])))
            measure(f"story page, {kind}, warm", lambda label, base, cookie_of=cookie_of:
                    _wrk_p95(wrk, script.name, base + archives[label]["story_warm"],
                             seconds=seconds, cookie=cookie_of(archives[label])))
    finally:
        for proc in servers.values():
            proc.terminate()
            proc.wait(30)
        os.unlink(script.name)
        for label, archive in archives.items():
            admin_execute(archive["url"], f'DROP DATABASE IF EXISTS "newsroom_archive_{label}" WITH (FORCE)')

    big = archives["big"]
    return {
        "stories": big["stories"],
        "comments": big["comments"],
        "bytes_per_comment": big["bytes_per_comment"],
        "archives": {
            label: {k: v for k, v in a.items() if k not in ("cookie", "url", "pages",
                                                              "story_cold_guest", "story_cold_signed_in")}
            for label, a in archives.items()
        },
        "scale": scale,
        "pages": pages,
    }


def print_table(results: dict) -> None:
    print()
    print(f"Archive: {results['stories']:,} stories, {results['comments']:,} comments "
          f"(small: {results['archives']['small']['stories']:,} / "
          f"{results['archives']['small']['comments']:,}); "
          f"{results['bytes_per_comment']} bytes per comment (table and indexes)")
    print(f"{'page':<28} {'small p95':>10} {'big p95':>10} {'ratio':>6}  target ≤ 1.5×")
    for name, figures in results["pages"].items():
        if name == "sitemap section":  # 10,000 addresses against the small archive's all
            verdict = "ok (< 1 s)" if figures["big_p95_ms"] < 1000 else "MISSES 1 s"
        else:
            verdict = "ok" if figures["ratio"] <= 1.5 else "MISSES"
        print(f"{name:<28} {figures['small_p95_ms']:>8} ms {figures['big_p95_ms']:>7} ms "
              f"{figures['ratio']:>6}  {verdict}")


def _build_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.archive build")
    parser.add_argument("--db", required=True)
    parser.add_argument("--stories", type=int, required=True)
    parser.add_argument("--comments", type=int, required=True)
    parser.add_argument("--readers", type=int, required=True)
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    with io.StringIO() as quiet:
        call_command("configure_site", stdout=quiet)
    found = build(stories=args.stories, comments=args.comments, readers=args.readers)
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["build"]:
        sys.exit("usage: python -m bench.archive build --db NAME --stories N --comments M --readers R")
    sys.exit(_build_main(sys.argv[2:]))
