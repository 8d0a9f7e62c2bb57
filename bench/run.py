"""`make bench`: build data in a throwaway database, measure, print a table.

Figures are reported beside a baseline measured in the same run (a trivial
view through the same middleware stack), because absolute times on shared
machines are noisy. Results go to bench/results.json.

    python -m bench.run [--quick] [--optimisations]
    python -m bench.run --archive [--archive-scale F] [--archive-seconds S]
    python -m bench.run --import [--import-comments N] [--import-mb MB]

`--archive` measures how each page's cost grows from a small archive to a
big one instead (bench/archive.py), into bench/results-archive.json.
`--import` measures only the WordPress import (bench/importing.py) and
writes bench/results-import.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.throwaway import admin_execute, database_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "newsroom_bench"
RESULTS = ROOT / "bench" / "results.json"


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def local_redis() -> str | None:
    """The local Redis, if one answers: what a production deployment caches in."""
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/14"  # its own database: the bench clears it
    except OSError:
        pass
    return None


def ensure_wrk() -> str | None:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (load generator) from Debian packages")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True)
    return shutil.which("wrk")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller repeat counts")
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument(
        "--optimisations", action="store_true", help="only each optimisation on vs off"
    )
    parser.add_argument(
        "--archive", action="store_true",
        help="only the archive bench: every page on a small and a big archive",
    )
    parser.add_argument(
        "--archive-scale", type=float, default=1.0,
        help="multiply the archives' sizes (0.01 for a quick check)",
    )
    parser.add_argument(
        "--archive-seconds", type=float, default=5, help="seconds of load per measurement"
    )
    parser.add_argument(
        "--import",
        dest="import_",
        action="store_true",
        help="only the WordPress import of a generated export (bench/results-import.json)",
    )
    parser.add_argument("--import-comments", type=int, default=100_000)
    parser.add_argument("--import-mb", type=float, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    repeat = 5 if args.quick else 21

    url = database_url(BENCH_DB)
    log(f"throwaway database {BENCH_DB}")
    admin_execute(
        url, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)', f'CREATE DATABASE "{BENCH_DB}"'
    )
    redis = os.environ.get("REDIS_URL") or local_redis()
    if redis:
        os.environ["REDIS_URL"] = redis
        os.environ["NEWSROOM_CACHE_PREFIX"] = "newsroom-bench"
        log(f"cache: Redis at {redis}")
    else:
        log("cache: the database (no Redis answered on 127.0.0.1:6379)")
    # Production-like: debug off (no query logging), hashed static files.
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        # The write benchmark posts as a few hundred readers many times a second.
        NEWSROOM_FLOOD_MIN_SECONDS="0",
        NEWSROOM_FLOOD_PER_HOUR="0",
        AKISMET_API_KEY="",
    )
    import django

    django.setup()
    from django.core.management import call_command

    if args.archive:
        from bench import archive

        log("collecting static files")
        call_command("collectstatic", interactive=False, verbosity=0)
        results = archive.run(
            scale=args.archive_scale, seconds=args.archive_seconds, env=dict(os.environ),
            wrk=ensure_wrk(),
        )
        archive.RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        archive.print_table(results)
        log(f"results written to {archive.RESULTS.relative_to(ROOT)}")
        return 0

    log("migrating")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if args.import_:
        from bench import importing

        result = importing.run_import(
            comments=args.import_comments, size_mb=args.import_mb, log=log
        )
        out = RESULTS.with_name("results-import.json")
        out.write_text(json.dumps(result, indent=2) + "\n")
        importing.print_result(result)
        log(f"results written to {out.relative_to(ROOT)}")
        return 0
    log("collecting static files")
    call_command("collectstatic", interactive=False, verbosity=0)

    from bench import measure

    results = measure.run_all(
        sizes=sizes, repeat=repeat, wrk=ensure_wrk(), log=log, quick=args.quick,
        only_optimisations=args.optimisations,
    )
    out = RESULTS.with_name("results-optimisations.json") if args.optimisations else RESULTS
    out.write_text(json.dumps(results, indent=2) + "\n")
    measure.print_table(results)
    log(f"results written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
