"""Fault injection for the reliability tests: real servers, real broken connections.

`site_server` serves the project's WSGI application over HTTP from a thread
of its own, like a one-worker app server: it has its own database
connection and sends Django's request signals, so connections are checked
and replaced between requests exactly as in production (the test client
suspends that to keep each test in one transaction).
"""

from __future__ import annotations

import re
import socket
import socketserver
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import psycopg2
import pytest
import requests
from django.db import connection, connections

from tests.factories import ArticleFactory, UserFactory

MIDDLEWARE_PATH = "newsroom.middleware.DatabaseUnavailableMiddleware"
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def with_database_middleware(middleware: list[str]) -> list[str]:
    """MIDDLEWARE with the 503 middleware where it belongs: right above sessions."""
    middleware = [name for name in middleware if name != MIDDLEWARE_PATH]
    index = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    return [*middleware[:index], MIDDLEWARE_PATH, *middleware[index:]]


@pytest.fixture
def database_middleware(settings):
    settings.MIDDLEWARE = with_database_middleware(settings.MIDDLEWARE)


def side_connection():
    """A psycopg2 connection of our own to the test database, outside Django."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )
    conn.autocommit = True
    return conn


def terminate_backends(pids: list[int] | None = None) -> int:
    """Kill server processes of the test database, as a restart or failover would.

    `pids` None: every backend of the test database but this thread's own
    connections. Waits until they are gone; returns how many were killed.
    """
    own = [connection.connection.info.backend_pid] if connection.connection else []
    conn = side_connection()
    try:
        with conn.cursor() as cursor:
            if pids is None:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND NOT pid = ANY(%s)",
                    [own],
                )
                pids = [row[0] for row in cursor.fetchall()]
            for pid in pids:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.02)
    finally:
        conn.close()
    return len(pids)


def kill_own_connection() -> None:
    """Terminate this thread's Django connection to the database under it."""
    connection.ensure_connection()
    terminate_backends([connection.connection.info.backend_pid])


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def site_server(transactional_db, settings):
    """The site on http://127.0.0.1:<port>, served from one thread of its own."""
    from django.core.handlers.wsgi import WSGIHandler

    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    settings.MIDDLEWARE = with_database_middleware(settings.MIDDLEWARE)
    application = WSGIHandler()
    # One request at a time, like a sync worker, so one connection is reused.
    server = make_server(
        "127.0.0.1", 0, application, server_class=WSGIServer, handler_class=_QuietHandler
    )
    requests_done = threading.Event()

    def serve():
        try:
            server.serve_forever(poll_interval=0.05)
        finally:
            # The thread's connection would otherwise outlive the test database.
            connections.close_all()
            requests_done.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        requests_done.wait(5)
        server.server_close()


def signed_in_session(base_url: str, user) -> requests.Session:
    """A requests session logged in as `user` (session created server-side)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value, domain="127.0.0.1")
    return session


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT_RE.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers (a hung Redis, say)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    listener.close()


@pytest.fixture
def refusing_smtp_server():
    """An SMTP server that greets every client with 554 (no service), like a
    relay that has blacklisted us."""

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(b"554 5.7.1 Service unavailable; client host blocked\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def story(db):
    return ArticleFactory(title="Council approves the new bridge")


@pytest.fixture
def reader(db):
    return UserFactory(username="reliable_reader")
