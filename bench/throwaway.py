"""Throwaway databases for the benchmarks and the soak, on the configured server."""

from __future__ import annotations

import os


def database_url(name: str) -> str:
    """The throwaway database's URL, on the server DATABASE_URL names (or the embedded one)."""
    from urllib.parse import quote, urlsplit, urlunsplit

    url = os.environ.get("DATABASE_URL")
    if url:
        return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    from newsroom import embedded_db

    conn = embedded_db.ensure_running()
    return f"postgres://{conn['USER']}@{quote(conn['HOST'], safe='')}:{conn['PORT']}/{name}"


def admin_execute(url: str, *statements: str) -> None:
    import dj_database_url
    import psycopg2

    db = dj_database_url.parse(url)
    conn = psycopg2.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    conn.close()
