"""Behind PgBouncer in transaction pooling mode, as in production.

PgBouncer (Debian's package; installed here if missing and we are root)
listens on a free loopback port in front of the test database's server,
with fewer server connections than clients, so every client's transactions
move between server connections. It also resets each server connection
after every transaction (`server_reset_query_always`), which turns any
session state the code leaves behind (a session advisory lock, a held
cursor, a prepared statement, a `SET`) from an occasional production
failure into a failure here, every time.

Through it: the twelve-writer tree test, likes, reports and moderation at
once, a WordPress export (Django's `.iterator()`, a server-side cursor
unless the settings turn them off), and a short soak under gunicorn.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import DatabaseError

from articles.management.commands.ensure_editor import editors_group
from comments.integrity import all_problems, counter_problems
from comments.models import Comment, Flag, ModerationAction
from comments.services import comment_create, comment_flag, comment_moderate, like_toggle
from newsroom.database import pooler_options
from tests.comments.test_concurrency import twelve_writers_keep_every_tree_consistent
from tests.factories import ArticleFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]

# Fewer server connections than the clients of any test below.
POOL_SIZE = 4

CONFIG = """\
[databases]
* = host={server_host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
admin_users = {user}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
server_reset_query = DISCARD ALL
server_reset_query_always = 1
stats_period = 1
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


@dataclass
class PgBouncer:
    port: int
    user: str
    folder: Path

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def transactions(self, database: str) -> int:
        """Transactions PgBouncer has passed to `database` (its statistics,
        refreshed every second)."""
        admin = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="pgbouncer"
        )
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute("SHOW STATS")
                columns = [column.name for column in cursor.description]
                rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
        finally:
            admin.close()
        return sum(int(row["total_xact_count"]) for row in rows if row["database"] == database)


def _pgbouncer_binary() -> str:
    """PgBouncer's executable; installs Debian's package if missing and we are root."""
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/bin")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(
            "PgBouncer is not installed and only root may install it: apt-get install pgbouncer"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "pgbouncer"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        result = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.skip(f"apt-get could not install PgBouncer: {result.stderr[-500:]}")
    found = shutil.which("pgbouncer", path="/usr/sbin:/usr/bin")
    if not found:
        pytest.skip("PgBouncer's package installed no pgbouncer executable")
    return found


def _run_as(server_host: str) -> str | None:
    """PgBouncer refuses to run as root: as root, run it as the user who owns the
    server's socket folder (the embedded PostgreSQL's), else as postgres."""
    if os.geteuid() != 0:
        return None
    if server_host.startswith("/"):
        owner = pwd.getpwuid(os.stat(server_host).st_uid).pw_name
        if owner != "root":
            return owner
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    pytest.skip("no user to run PgBouncer as (it refuses to run as root)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup, django_db_blocker):
    """A PgBouncer in transaction mode in front of the test database's server."""
    binary = _pgbouncer_binary()
    db = connection.settings_dict
    server_host = db["HOST"] or "127.0.0.1"
    user = db["USER"] or "postgres"
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    run_as = _run_as(server_host)
    (folder / "pgbouncer.ini").write_text(
        CONFIG.format(
            server_host=server_host,
            server_port=db["PORT"] or 5432,
            port=port,
            folder=folder,
            user=user,
            pool_size=POOL_SIZE,
        )
    )
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    command = [binary, str(folder / "pgbouncer.ini")]
    if run_as:
        shutil.chown(folder, run_as)
        for path in folder.iterdir():
            shutil.chown(path, run_as)
        command[1:1] = ["-u", run_as]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            psycopg2.connect(
                host="127.0.0.1", port=port, user=user, dbname=db["NAME"], connect_timeout=2
            ).close()
            break
        except psycopg2.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log_file = folder / "pgbouncer.log"
                log = log_file.read_text() if log_file.exists() else ""
                pytest.fail(f"PgBouncer did not start: {process.stderr.read()!r} {log[-2000:]}")
            time.sleep(0.1)
    try:
        yield PgBouncer(port=port, user=user, folder=folder)
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
        # Its server connections end with it; wait for them to go, so the test
        # database can be dropped at the end of the run.
        with django_db_blocker.unblock():
            for _ in range(50):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0] == 0:
                        break
                time.sleep(0.1)
            connection.close()


@pytest.fixture
def through_pgbouncer(pgbouncer, transactional_db, settings):
    """Every connection this test opens, in any thread, goes through PgBouncer
    with the settings `DJANGO_DB_POOLER=pgbouncer` gives."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # New connections, in any thread, are made from this dict.
    db = connections.settings["default"]
    saved = dict(db)
    connections.close_all()
    db.update(HOST="127.0.0.1", PORT=str(pgbouncer.port), **pooler_options("pgbouncer"))
    try:
        yield pgbouncer
    finally:
        connections.close_all()
        db.clear()
        db.update(saved)


def _passed_through(pgbouncer: PgBouncer, before: int) -> int:
    time.sleep(1.1)  # PgBouncer refreshes its statistics every second
    return pgbouncer.transactions(connection.settings_dict["NAME"]) - before


@pytest.mark.slow
def test_pgbouncer_twelve_writers_keep_every_tree_sound(through_pgbouncer):
    before = through_pgbouncer.transactions(connection.settings_dict["NAME"])

    twelve_writers_keep_every_tree_consistent()

    assert all_problems() == []
    assert _passed_through(through_pgbouncer, before) > 200


@pytest.mark.slow
def test_pgbouncer_likes_reports_and_moderation_at_once_keep_counts_exact(through_pgbouncer):
    before = through_pgbouncer.transactions(connection.settings_dict["NAME"])
    article = ArticleFactory()
    author = UserFactory()
    readers = [UserFactory() for _ in range(12)]
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(editors_group())
    reported, liked, unliked, toggled = (
        comment_create(article=article, author=author, body=text)
        for text in ("reported", "liked", "unliked", "toggled by the moderator")
    )
    start = threading.Barrier(len(readers) + 1)
    failures: list[BaseException] = []

    def reader(user) -> None:
        try:
            start.wait(timeout=30)
            like_toggle(comment=liked, user=user)
            like_toggle(comment=unliked, user=user)
            comment_flag(comment=reported, user=user, reason=Flag.Reason.values[0])
            like_toggle(comment=unliked, user=user)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    def moderate() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(5):
                for action in ("remove", "restore"):
                    comment_moderate(comments=[toggled], moderator=moderator, action=action)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader, args=(user,)) for user in readers]
    threads.append(threading.Thread(target=moderate))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []

    # Enough reports hid the comment; the moderator's approval publishes it.
    reported.refresh_from_db()
    assert (reported.status, reported.flag_count, reported.open_reports) == ("pending", 12, 12)
    assert comment_moderate(comments=[reported], moderator=moderator, action="approve") == 1

    counts = dict(Comment.objects.values_list("body", "like_count"))
    assert counts == {
        "reported": 0,
        "liked": 12,
        "unliked": 0,
        "toggled by the moderator": 0,
    }
    assert set(Comment.objects.values_list("status", flat=True)) == {"published"}
    assert ModerationAction.objects.count() == 11
    assert counter_problems() == []
    assert all_problems() == []
    assert _passed_through(through_pgbouncer, before) > 50


@pytest.mark.slow
def test_pgbouncer_story_export_reads_in_chunks_without_a_server_side_cursor(through_pgbouncer):
    articles = [ArticleFactory(title=f"Exported story {n}") for n in range(3)]
    for story in articles:
        comment_create(article=story, author=UserFactory(), body=f"On {story.title}")
    output = through_pgbouncer.folder / "export.xml"

    call_command("export_wordpress", output=str(output), stderr=open(os.devnull, "w"))

    exported = output.read_text()
    for story in articles:
        assert f"<title><![CDATA[{story.title}]]></title>" in exported
        assert f"On {story.title}" in exported


@pytest.mark.slow
def test_pgbouncer_server_side_cursors_are_what_the_pooler_setting_turns_off(through_pgbouncer):
    """Why `DJANGO_DB_POOLER=pgbouncer` matters: the same export with Django's
    default server-side cursors fails behind PgBouncer in transaction mode."""
    ArticleFactory()
    connections.close_all()
    connections.settings["default"]["DISABLE_SERVER_SIDE_CURSORS"] = False
    output = through_pgbouncer.folder / "export.xml"

    with pytest.raises((DatabaseError, psycopg2.Error), match="cursor .* does not exist"):
        call_command("export_wordpress", output=str(output), stderr=open(os.devnull, "w"))


@pytest.mark.slow
def test_pgbouncer_short_soak_under_gunicorn_passes_every_check(pgbouncer):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    env["DATABASE_URL"] = pgbouncer.url("postgres")
    env["DJANGO_DB_POOLER"] = "pgbouncer"

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.soak",
            "--quick",
            "--seconds",
            "5",
            "--db-name",
            f"newsroom_soak_pgbouncer_{os.getpid()}",
        ],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "\n5xx: 0\n" in result.stdout
    assert "integrity problems: 0" in result.stdout
    assert "missing from the database: 0" in result.stdout
