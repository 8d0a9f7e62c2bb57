"""The measurements behind `make bench` (see bench/run.py for the setup)."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.db import connection, connections
from django.template import Context, Engine
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Source
from bench.data import build_thread, make_users
from comments import integrity
from comments.models import Comment

ROOT = Path(__file__).resolve().parent.parent

# The peers' "naive flat template loop": one query with the author joined,
# then per comment the variable lookups, date formatting and URL reversing.
NAIVE_TEMPLATE = """{% load i18n %}<ol>{% for c in comments %}
<li style="margin-left: {{ c.level }}em"><article id="comment-{{ c.pk }}">
<header>{{ c.author.get_username }} <time datetime="{{ c.created_at|date:'c' }}">{{ c.created_at|date:"j F Y, H:i" }}</time></header>
{{ c.body_html|safe }}
{% if c.like_count %}<p>Liked by {{ c.like_count }} {% if c.like_count == 1 %}person{% else %}people{% endif %}</p>{% endif %}
<a href="{% url 'comments:detail' c.pk %}">Permalink</a>
</article></li>{% endfor %}</ol>"""


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def timed(fn, repeat: int, before=None) -> float:
    """Median wall time of fn() in milliseconds."""
    samples = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return _median(samples)


# Cold: nothing stored anywhere. The shared cache is cleared, and each
# process's memories (keyed by page versions, which a cleared cache no
# longer changes) are switched off for the request.
COLD = override_settings(NEWSROOM_PAGE_MEMORY_BYTES=0)


def page_figures(client: Client, url: str, repeat: int) -> dict:
    cache.clear()
    with COLD, CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # now: the next request resets the connection's query log
    assert response.status_code == 200, (url, response.status_code)
    with COLD:
        cold = timed(lambda: client.get(url), repeat, before=cache.clear)
    client.get(url)
    warm = timed(lambda: client.get(url), repeat)
    return {
        "queries_cold": query_count,
        "bytes": len(response.content),
        "cold_ms": cold,
        "warm_ms": warm,
    }


def build_data(*, sizes: list[int], log) -> dict:
    log("creating readers")
    users = make_users(300)
    source, _ = Source.objects.get_or_create(
        name="BBC", defaults={"slug": "bbc", "copyright_notice": "(c) BBC"}
    )
    articles = {}
    for size in sizes:
        article, created = Article.objects.get_or_create(
            slug=f"bench-thread-{size}",
            defaults={
                "title": f"A story with {size:,} comments",
                "standfirst": "Benchmark story.",
                "body": "Paragraph one.\n\n## A subheading\n\nParagraph two.",
                "status": Article.Status.PUBLISHED,
                "source": source,
            },
        )
        if created or not article.comments.exists():
            log(f"building a thread of {size:,} comments")
            build_thread(article=article, size=size, users=users, seed=size)
        articles[size] = article
    # Fresh planner statistics, as autovacuum would have gathered by now.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"users": users, "articles": articles}


def in_process(*, data: dict, repeat: int, log) -> dict:
    guest = Client()
    reader = Client()
    reader.force_login(data["users"][0])
    baseline_url = reverse("healthz")
    guest.get(baseline_url)
    baseline = timed(lambda: guest.get(baseline_url), repeat * 10)
    log(f"baseline view in-process: {baseline} ms")
    # The current Site (which "Leave a reply" asks for) is read once per
    # process: read it now, so the first story measured is not charged for it.
    Site.objects.get_current()
    out = {"baseline_ms": baseline, "story": {}}
    for size, article in data["articles"].items():
        url = article.get_absolute_url()
        log(f"story page with {size:,} comments, in-process")
        out["story"][size] = {
            "guest": page_figures(guest, url, repeat),
            "signed_in": page_figures(reader, url, repeat),
        }
    out["comment_search"] = comment_search_figures(guest, repeat=repeat * 2, log=log)
    return out


# Site searches over every comment the bench built (all its stories' threads):
# a word in most comments, and two words that are together in far fewer.
COMMENT_SEARCHES = {"a common word": "sanctions", "two words": "patience deterrence"}


def comment_search_figures(client: Client, *, repeat: int, log) -> dict:
    """The search page's comment results: matches, queries, p50 and p95 in ms."""
    from comments.selectors.search import comment_search

    found = {}
    for name, words in COMMENT_SEARCHES.items():
        log(f"comment search for {name} ({words!r}), in-process")
        url = f"{reverse('articles:search')}?q={words.replace(' ', '+')}"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        query_count = len(queries)  # now: the next request resets the connection's query log
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        found[name] = {
            "query": words,
            "comments": Comment.objects.count(),
            "matches": comment_search(query=words, start_sel="", stop_sel="").count(),
            "queries": query_count,
            "p50_ms": _median(samples),
            "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 3),
        }
    return found


def full_thread(*, article: Article, repeat: int, log) -> dict:
    """The whole 1,000-comment thread on one page, cold, beside a naive loop."""
    log("full 1,000-comment thread on one page (cold) and the naive template loop")
    client = Client()
    url = article.get_absolute_url()
    baseline_url = reverse("healthz")
    # The baseline again, interleaved with the cold renders: the machine's
    # speed drifts within a run, and this ratio should not move with it.
    baselines = []
    with override_settings(NEWSROOM_COMMENT_THREADS_PER_PAGE=1_000_000):
        client.get(url)

        def cold_render():
            baselines.append(timed(lambda: client.get(baseline_url), 20))
            cache.clear()

        with COLD:
            ours = timed(lambda: client.get(url), repeat, before=cold_render)
            shown = client.get(url).content.decode().count('<article id="comment-')
    engine = Engine.get_default()
    template = engine.from_string(NAIVE_TEMPLATE)

    def naive():
        comments = list(
            Comment.objects.filter(article=article).select_related("author").order_by("tree_id", "lft")
        )
        return template.render(Context({"comments": comments}))

    naive()
    naive_ms = timed(naive, repeat)
    return {
        "comments_shown": shown,
        "ours_cold_ms": ours,
        "baseline_ms": _median(baselines),
        "naive_loop_ms": naive_ms,
    }


# --- gunicorn under load ---------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, *, without: str = "") -> subprocess.Popen:
    """gunicorn with 2 sync workers; `without` names an optimisation to switch off (bench.ablation)."""
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
           "GUNICORN_MAX_REQUESTS": "0", "GUNICORN_ACCESS_LOG": ""}
    app = []
    if without:
        env["NEWSROOM_BENCH_WITHOUT"] = without
        app = ["bench.ablation_wsgi:application"]
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", *app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    import urllib.request

    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{reverse('healthz')}", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])


def wrk(path: str, url: str, *, seconds: int, cookie: str = "", gzip: bool = True) -> dict:
    """Load from 8 connections; like a browser, it accepts gzip unless told not to."""
    cmd = [path, "-t2", "-c8", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if gzip:
        cmd += ["-H", "Accept-Encoding: gzip, deflate, br"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    p50_ms = float(p50.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)] if p50 else None
    return {"rps": round(rps, 1), "errors": int(non2xx.group(1)) if non2xx else 0,
            "p50": f"{p50.group(1)}{p50.group(2)}" if p50 else None,
            "p50_ms": round(p50_ms, 3) if p50_ms else None}


def worker_peak_rss_mb(master: subprocess.Popen) -> float:
    import psutil

    peaks = []
    for child in psutil.Process(master.pid).children():
        status = Path(f"/proc/{child.pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return round(max(peaks), 1) if peaks else 0.0


def _story_under_load(
    wrk_path: str, url: str, baseline_url: str, *, cookie: str, seconds: int, rounds: int
) -> dict:
    """A story's req/s for each kind of reader, with its share of the baseline.

    The machine's speed drifts during a run, so the load runs in `rounds`,
    each measuring the baseline right before the story's three runs; a
    share is that round's req/s over that round's baseline, and the figures
    kept are the medians over the rounds.
    """
    runs = {"baseline": [], "guest": [], "signed_in": [], "guest_uncompressed": []}
    for _ in range(rounds):
        runs["baseline"].append(wrk(wrk_path, baseline_url, seconds=seconds))
        runs["guest"].append(wrk(wrk_path, url, seconds=seconds))
        runs["signed_in"].append(wrk(wrk_path, url, seconds=seconds, cookie=cookie))
        # A client that does not accept gzip (no browser): the page uncompressed.
        runs["guest_uncompressed"].append(wrk(wrk_path, url, seconds=seconds, gzip=False))
    bases = [run["rps"] for run in runs["baseline"]]
    figures = {}
    for kind, kind_runs in runs.items():
        figures[kind] = {
            "rps": _median([run["rps"] for run in kind_runs]),
            "share": _median([run["rps"] / base for run, base in zip(kind_runs, bases, strict=True)]),
            "errors": sum(run["errors"] for run in kind_runs),
            "rounds": kind_runs,
        }
    return figures


# The live notice's status endpoint answers from memory and the cache: the
# issue's bar is 80% of the baseline's req/s.
LIVE_STATUS_TARGET = 0.8


def _live_status_under_load(
    wrk_path: str, url: str, baseline_url: str, *, cookie: str, seconds: int, rounds: int
) -> dict:
    """The status endpoint's req/s (guest and signed in) and its share of the
    baseline, in rounds each beside the baseline (as `_story_under_load`)."""
    runs = {"baseline": [], "guest": [], "signed_in": []}
    for _ in range(rounds):
        runs["baseline"].append(wrk(wrk_path, baseline_url, seconds=seconds))
        runs["guest"].append(wrk(wrk_path, url, seconds=seconds))
        runs["signed_in"].append(wrk(wrk_path, url, seconds=seconds, cookie=cookie))
    bases = [run["rps"] for run in runs["baseline"]]
    figures = {}
    for kind in ("guest", "signed_in"):
        share = _median([run["rps"] / base for run, base in zip(runs[kind], bases, strict=True)])
        figures[kind] = {
            "rps": _median([run["rps"] for run in runs[kind]]),
            "share": share,
            "meets_target": share >= LIVE_STATUS_TARGET,
            "errors": sum(run["errors"] for run in runs[kind]),
        }
    figures["baseline_rps"] = _median(bases)
    return figures


def _reader_cookie(data: dict) -> str:
    """The cookies a browser holds once it has seen a page: the session and
    the CSRF cookie (without the latter, every response would mint one)."""
    client = Client()
    client.force_login(data["users"][0])
    client.get(data["articles"][min(data["articles"])].get_absolute_url())
    return "; ".join(
        f"{name}={client.cookies[name].value}"
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    )


def under_gunicorn(
    *, data: dict, wrk_path: str | None, seconds: int, log, rounds: int = 3
) -> dict:
    if not wrk_path:
        log("wrk is not available: skipping the gunicorn figures")
        return {}
    cookie = _reader_cookie(data)
    port = _free_port()
    log(f"starting gunicorn (2 sync workers) on 127.0.0.1:{port}")
    proc = start_gunicorn(port)
    base = f"http://127.0.0.1:{port}"
    try:
        out = {"baseline": wrk(wrk_path, base + reverse("healthz"), seconds=seconds), "story": {}}
        log(f"baseline under gunicorn: {out['baseline']['rps']} req/s")
        for size, article in data["articles"].items():
            url = base + article.get_absolute_url()
            out["story"][size] = _story_under_load(
                wrk_path, url, base + reverse("healthz"), cookie=cookie, seconds=seconds, rounds=rounds
            )
            figures = out["story"][size]
            log(f"story with {size:,} comments: {figures['guest']['rps']} req/s guest "
                f"({figures['guest_uncompressed']['rps']} uncompressed), "
                f"{figures['signed_in']['rps']} signed in")
        biggest = data["articles"][max(data["articles"])]
        status_url = base + reverse("storypage:status", kwargs={"article_id": biggest.pk})
        out["live_status"] = _live_status_under_load(
            wrk_path,
            status_url,
            base + reverse("healthz"),
            cookie=cookie,
            seconds=seconds,
            rounds=rounds,
        )
        live = out["live_status"]
        log(f"live notice status: {live['guest']['rps']} req/s guest "
            f"({live['guest']['share']:.0%} of the baseline), "
            f"{live['signed_in']['rps']} signed in ({live['signed_in']['share']:.0%})")
        out["worker_peak_rss_mb"] = worker_peak_rss_mb(proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return out


# --- each optimisation alone ----------------------------------------------

# The issue's bar: an optimisation stays if, on the page it targets, it is
# worth this many points of the baseline share, or this much of the latency.
EARNS_POINTS = 5.0
EARNS_LATENCY = 0.10


def optimisations(*, data: dict, wrk_path: str | None, seconds: int, rounds: int, log) -> dict:
    """Each optimisation of bench.ablation switched off alone, against all on.

    A gunicorn with everything on and one without the optimisation serve the
    guest's and the signed-in reader's page of the 1,000-comment story in
    alternating rounds, each load beside the baseline measured on the same
    server right before it. Figures are medians over the rounds.
    """
    from bench.ablation import TOGGLES

    if not wrk_path:
        log("wrk is not available: skipping the optimisation figures")
        return {}
    size = 1000 if 1000 in data["articles"] else max(data["articles"])
    path = data["articles"][size].get_absolute_url()
    cookie = _reader_cookie(data)
    healthz = reverse("healthz")

    def measure(port: int) -> dict:
        base = f"http://127.0.0.1:{port}"
        baseline = wrk(wrk_path, base + healthz, seconds=seconds)
        pages = {
            "guest": wrk(wrk_path, base + path, seconds=seconds),
            "signed_in": wrk(wrk_path, base + path, seconds=seconds, cookie=cookie),
        }
        return {
            kind: {"rps": run["rps"], "share": run["rps"] / baseline["rps"], "p50_ms": run["p50_ms"]}
            for kind, run in pages.items()
        }

    on_port = _free_port()
    on_server = start_gunicorn(on_port)
    out = {"story_comments": size, "rounds": rounds, "toggles": {}}
    try:
        for name, (description, _apply, _early) in TOGGLES.items():
            off_port = _free_port()
            off_server = start_gunicorn(off_port, without=name)
            try:
                runs = {"on": [], "off": []}
                for _ in range(rounds):
                    runs["on"].append(measure(on_port))
                    runs["off"].append(measure(off_port))
            finally:
                off_server.terminate()
                off_server.wait(timeout=30)
            figures = {"description": description}
            earns = False
            for kind in ("guest", "signed_in"):
                on = [run[kind] for run in runs["on"]]
                off = [run[kind] for run in runs["off"]]
                points = 100 * (_median([r["share"] for r in on]) - _median([r["share"] for r in off]))
                p50_on = _median([r["p50_ms"] for r in on])
                p50_off = _median([r["p50_ms"] for r in off])
                latency = (p50_off - p50_on) / p50_off if p50_off else 0.0
                figures[kind] = {
                    "share_on": round(_median([r["share"] for r in on]), 3),
                    "share_off": round(_median([r["share"] for r in off]), 3),
                    "points": round(points, 1),
                    "p50_on_ms": p50_on,
                    "p50_off_ms": p50_off,
                    "latency_saved": round(latency, 3),
                }
                earns = earns or points >= EARNS_POINTS or latency >= EARNS_LATENCY
            figures["earns_its_place"] = earns
            out["toggles"][name] = figures
            log(f"without {name}: guest {figures['guest']['points']:+.1f} points, "
                f"signed in {figures['signed_in']['points']:+.1f} points "
                f"({'earns its place' if earns else 'does not earn its place'})")
    finally:
        on_server.terminate()
        on_server.wait(timeout=30)
    return out


def print_optimisations(found: dict) -> None:
    if not found.get("toggles"):
        return
    print()
    print(f"each optimisation alone, on vs off (story with {found['story_comments']:,} comments, "
          f"median of {found['rounds']} rounds; it earns its place at {EARNS_POINTS:.0f} points "
          f"of the baseline share or {EARNS_LATENCY:.0%} of p50 latency):")
    print(f"{'optimisation':<24}{'guest on/off':>16}{'points':>8}{'p50 saved':>11}"
          f"{'signed in on/off':>19}{'points':>8}{'p50 saved':>11}  verdict")
    for name, f in found["toggles"].items():
        g, s = f["guest"], f["signed_in"]
        print(f"{name:<24}{f'{g['share_on']:.0%}/{g['share_off']:.0%}':>16}{g['points']:>+8.1f}"
              f"{g['latency_saved']:>11.0%}{f'{s['share_on']:.0%}/{s['share_off']:.0%}':>19}"
              f"{s['points']:>+8.1f}{s['latency_saved']:>11.0%}  "
              f"{'keep' if f['earns_its_place'] else 'remove'}")


# --- writes ----------------------------------------------------------------

# Share of new top-level comments among the writes; the rest are replies.
NEW_THREAD_SHARE = 0.1


def _write_worker(*, kind, index, article_id, targets, user_ids, seconds, barrier, results) -> None:
    """One writer process: `kind` writes as fast as it can for `seconds`.

    Replies go to a random comment among `targets`; NEW_THREAD_SHARE of the
    comments start a thread. Reports its count, refusals, per-write times and
    errors on `results`.
    """
    from django.contrib.auth import get_user_model

    from comments.services import CommentError, comment_create, like_toggle

    rng = random.Random(index)
    report = {"writes": 0, "refused": 0, "seconds": [], "errors": [], "start": 0.0, "end": 0.0}
    try:
        article = Article.objects.get(pk=article_id)
        users = list(get_user_model().objects.filter(pk__in=user_ids))
        barrier.wait(timeout=60)
        report["start"] = began = time.monotonic()
        while began < report["start"] + seconds:
            user = rng.choice(users)
            target = Comment.objects.get(pk=rng.choice(targets))
            try:
                if kind == "like_toggle":
                    like_toggle(comment=target, user=user)
                else:
                    comment_create(
                        article=article,
                        author=user,
                        body=f"Writer {index}, {report['writes']} ({uuid.uuid4().hex[:8]}).",
                        parent=None if rng.random() < NEW_THREAD_SHARE else target,
                    )
            except CommentError:
                report["refused"] += 1  # a rule said no (say, the depth cap): nothing written
            else:
                report["writes"] += 1
            ended = time.monotonic()
            report["seconds"].append(ended - began)
            began = ended
        report["end"] = began
    except Exception as exc:  # reported, not hidden
        report["errors"].append(repr(exc))
    finally:
        connections.close_all()
        results.put(report)


def _concurrent_writes(
    *, kind: str, workers: int, article, targets: list[int], users, seconds: float
) -> dict:
    """Run `kind` writes from `workers` processes for `seconds`.

    Processes, not threads, as gunicorn workers or app servers would be: each
    has its own interpreter (no shared GIL) and its own database connection.
    They are forked from this process once its connections are closed.
    """
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers)
    results = context.Queue()
    connections.close_all()
    processes = [
        context.Process(
            target=_write_worker,
            kwargs={
                "kind": kind,
                "index": index,
                "article_id": article.pk,
                "targets": targets,
                "user_ids": [user.pk for user in users],
                "seconds": seconds,
                "barrier": barrier,
                "results": results,
            },
        )
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    writes = sum(report["writes"] for report in reports)
    started = [report for report in reports if report["end"]]
    elapsed = max(r["end"] for r in started) - min(r["start"] for r in started) if started else 0
    times = sorted(t * 1000 for report in reports for t in report["seconds"])
    return {
        "per_second": round(writes / elapsed, 1) if elapsed else 0.0,
        "writes": writes,
        "refused": sum(report["refused"] for report in reports),
        "p50_ms": round(times[len(times) // 2], 1) if times else None,
        "p95_ms": round(times[int(len(times) * 0.95)], 1) if times else None,
        "errors": [error for report in reports for error in report["errors"]][:3],
    }


def writes(*, data: dict, seconds: float, log) -> dict:
    """Writes per second from 1 and 12 concurrent writers, then integrity checks.

    hot:    every reply goes to the first comments of the smallest story, so
            one or two threads grow by hundreds of comments and every writer
            waits on the same thread lock: the worst case.
    spread: replies to random comments all over the biggest story, as
            readers of a busy story would write.
    Likes go to the hot story's comments.
    """
    hot = data["articles"][min(data["articles"])]
    spread = data["articles"][max(data["articles"])]
    hot_targets = list(Comment.objects.filter(article=hot).values_list("id", flat=True)[:400])
    spread_targets = list(Comment.objects.filter(article=spread).values_list("id", flat=True))
    runs = {
        "comment_create_{}_hot": ("comment_create", hot, hot_targets),
        "comment_create_{}_spread": ("comment_create", spread, spread_targets),
        "like_toggle_{}": ("like_toggle", hot, hot_targets),
    }
    out = {}
    for workers in (1, 12):
        for pattern, (kind, article, targets) in runs.items():
            key = pattern.format(workers)
            log(f"{key}: {kind} with {workers} concurrent writer process(es)")
            out[key] = _concurrent_writes(
                kind=kind,
                workers=workers,
                article=article,
                targets=targets,
                users=data["users"],
                seconds=seconds,
            )
    problems = integrity.all_problems()
    out["integrity_problems"] = problems[:10]
    log(f"integrity after writes: {'OK' if not problems else problems[:3]}")
    return out


def run_all(*, sizes: list[int], repeat: int, wrk, log, quick: bool, only_optimisations: bool) -> dict:
    data = build_data(sizes=sizes, log=log)
    seconds, rounds = (3, 1) if quick else (4, 3)
    if only_optimisations:
        return {"optimisations": optimisations(
            data=data, wrk_path=wrk, seconds=seconds, rounds=rounds, log=log)}
    results = {
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "sizes": sizes,
        "in_process": in_process(data=data, repeat=repeat, log=log),
    }
    if 1000 in data["articles"]:
        results["full_thread_1000"] = full_thread(article=data["articles"][1000], repeat=repeat, log=log)
    results["gunicorn"] = under_gunicorn(
        data=data, wrk_path=wrk, seconds=3 if quick else 4, rounds=1 if quick else 3, log=log
    )
    results["optimisations"] = optimisations(
        data=data, wrk_path=wrk, seconds=seconds, rounds=rounds, log=log
    )
    results["writes"] = writes(data=data, seconds=3 if quick else 5, log=log)
    return results


def print_table(results: dict) -> None:
    if "in_process" not in results:
        print_optimisations(results.get("optimisations", {}))
        return
    base = results["in_process"]["baseline_ms"]
    g = results.get("gunicorn", {})
    g_base = g.get("baseline", {}).get("rps")
    print()
    print(f"baseline (trivial view, same middleware): {base} ms in-process"
          + (f", {g_base} req/s under gunicorn" if g_base else ""))
    if g_base:
        print("(under gunicorn, each story runs in rounds, each with the baseline measured right before"
              " it; req/s and % base are medians over the rounds)")
    print(f"{'page':<28}{'queries':>8}{'bytes':>10}{'cold ms':>10}{'×base':>8}{'warm ms':>10}{'×base':>8}{'req/s':>9}{'% base':>8}")
    for size, kinds in results["in_process"]["story"].items():
        loaded = g.get("story", {}).get(size, {})
        near = loaded.get("baseline", {}).get("rps")
        for kind, f in kinds.items():
            rps = loaded.get(kind, {}).get("rps")
            share = loaded.get(kind, {}).get("share")
            pct = f"{100 * share:.0f}%" if share else "-"
            print(f"{f'story {size:,} ({kind})':<28}{f['queries_cold']:>8}{f['bytes']:>10}{f['cold_ms']:>10}"
                  f"{f['cold_ms'] / base:>8.0f}{f['warm_ms']:>10}{f['warm_ms'] / base:>8.1f}{rps or '-':>9}{pct:>8}")
        plain = loaded.get("guest_uncompressed", {})
        if plain.get("share"):
            plain_pct = f"{100 * plain['share']:.0f}%"
            print(f"{'  guest, not accepting gzip':<28}{'':>56}{plain['rps']:>9}{plain_pct:>8}")
        if near:
            print(f"{'  baseline in these rounds':<28}{'':>56}{near:>9}")
    for name, f in results["in_process"].get("comment_search", {}).items():
        print(f"comment search, {name} ({f['query']!r}): {f['matches']:,} of {f['comments']:,} "
              f"comments match; {f['queries']} queries; p50 {f['p50_ms']} ms "
              f"({f['p50_ms'] / base:.0f}× base), p95 {f['p95_ms']} ms")
    full = results.get("full_thread_1000")
    if full:
        near = full.get("baseline_ms", base)
        print(f"full 1,000-comment thread cold: {full['ours_cold_ms']} ms = {full['ours_cold_ms'] / near:.0f}× "
              f"the baseline measured between its runs ({near} ms); "
              f"naive flat loop {full['naive_loop_ms']} ms ({full['naive_loop_ms'] / full['ours_cold_ms']:.1f}× slower); "
              f"{full['comments_shown']} comments shown")
    live = g.get("live_status")
    if live:
        for kind in ("guest", "signed_in"):
            f = live[kind]
            share = f"{100 * f['share']:.0f}%"
            verdict = "met" if f["meets_target"] else "NOT MET"
            print(f"{f'live status ({kind})':<28}{'':>56}{f['rps']:>9}{share:>8}"
                  f"  target {LIVE_STATUS_TARGET:.0%}: {verdict}")
    if g.get("worker_peak_rss_mb"):
        print(f"gunicorn worker peak RSS after serving every story: {g['worker_peak_rss_mb']} MB")
    print_optimisations(results.get("optimisations", {}))
    w = results["writes"]
    for key, value in w.items():
        if key != "integrity_problems":
            print(f"{key:<28}{value['per_second']:>10} /s  ({value['writes']} writes, "
                  f"p50 {value.get('p50_ms')} ms, p95 {value.get('p95_ms')} ms, "
                  f"errors: {value['errors'] or 'none'})")
    print(f"integrity after writes: {'OK' if not w['integrity_problems'] else w['integrity_problems']}")
