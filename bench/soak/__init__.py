"""`make soak`: many readers at once against gunicorn, then check nothing broke.

Builds a throwaway database, starts gunicorn (4 workers, production-like
settings) and drives a mixed, self-stopping workload from concurrent
clients, each signed in as its own reader: story pages in every sort and
page, replies at random depths of one hot thread and several others (the
real form, with its CSRF token), likes and unlikes, edits, deletes and
reports. It stops after --seconds or --requests, whichever comes first, and
then checks:

- no response was a 5xx;
- every comment tree is sound and every like counter equals its baseline
  plus its Like rows (`comments.integrity.all_problems`);
- every comment the site acknowledged (a redirect to its permalink) is in
  the database.

It prints requests by kind, the 5xx count and p50/p99 latency, and exits
non-zero if any check fails.

    python -m bench.soak [--clients 32] [--seconds 60] [--requests 5000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

from bench.soak.clients import Reader, Soak
from bench.soak.environment import (
    USERS,
    build_data,
    free_port,
    log,
    production_environment,
    server_session_cookie,
    start_gunicorn,
)
from bench.throwaway import admin_execute, database_url

SOAK_DB = "newsroom_soak"
FORM_LOGINS = 4  # clients that sign in through the real form; the rest get a session


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def report(soak: Soak, elapsed: float) -> list[str]:
    """Print the figures and return the failed checks."""
    from comments.integrity import all_problems
    from comments.models import Comment

    total = sum(soak.by_kind.values())
    print(f"requests: {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s)")
    for kind, count in soak.by_kind.most_common():
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(soak.statuses[kind].items()))
        print(f"  {kind:<11} {count:>6}   {codes}")
    print(f"5xx: {len(soak.server_errors)}")
    print(
        f"latency: p50 {percentile(soak.latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(soak.latencies, 0.99) * 1000:.0f} ms"
        + (f", mean {statistics.fmean(soak.latencies) * 1000:.0f} ms" if soak.latencies else "")
    )
    problems = all_problems()
    print(f"integrity problems: {len(problems)}")
    stored = set(Comment.objects.filter(pk__in=soak.acknowledged).values_list("pk", flat=True))
    missing = soak.acknowledged - stored
    print(
        f"acknowledged comments: {len(soak.acknowledged)}, missing from the database: {len(missing)}"
    )

    failures = []
    if soak.server_errors:
        failures.append("server errors: " + "; ".join(soak.server_errors[:10]))
    if problems:
        failures.append("integrity: " + "; ".join(problems[:10]))
    if missing:
        failures.append(f"acknowledged but missing: {sorted(missing)[:20]}")
    if soak.client_errors:
        failures.append("clients failed: " + "; ".join(soak.client_errors[:10]))
    if not soak.acknowledged:
        failures.append("no comment was acknowledged: the workload did not write")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="32 clients for 10 s (CI)")
    parser.add_argument("--db-name", default=SOAK_DB, help="the throwaway database's name")
    args = parser.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 10)

    url = database_url(args.db_name)
    log(f"throwaway database {args.db_name}")
    admin_execute(
        url,
        f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)',
        f'CREATE DATABASE "{args.db_name}"',
    )
    env = {**os.environ, **production_environment(url)}
    env.pop("NEWSROOM_LOCAL_CACHE", None)  # several workers must share one cache
    os.environ.update(env)
    os.environ.pop("NEWSROOM_LOCAL_CACHE", None)
    import django

    django.setup()
    from django.core.management import call_command

    log("migrating, collecting static files")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(7)
    log(f"building stories, comments and {USERS} verified readers")
    data = build_data(rng)
    cookies = [
        None if i < FORM_LOGINS else server_session_cookie(data["users"][i % USERS])
        for i in range(args.clients)
    ]

    port = free_port()
    failures: list[str] = []
    with tempfile.TemporaryFile() as errors:
        log(f"starting gunicorn (4 workers) on 127.0.0.1:{port}")
        server = start_gunicorn(port, env, errors)
        try:
            soak = Soak(
                base=f"http://127.0.0.1:{port}",
                data=data,
                seconds=args.seconds,
                max_requests=args.requests,
            )
            log(f"{args.clients} clients for {args.seconds:g} s or {args.requests} requests")
            readers = [
                Reader(soak, user=data["users"][i % USERS], cookie=cookies[i], seed=i)
                for i in range(args.clients)
            ]
            started = time.monotonic()
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(30)
        failures = report(soak, elapsed)
        if failures:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-4000:]
            if tail.strip():
                print("gunicorn's error log (tail):\n" + tail)

    from django.db import connections

    connections.close_all()
    admin_execute(url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
    for failure in failures:
        print(f"FAILED: {failure}")
    print("soak: " + ("FAILED" if failures else "all checks passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
