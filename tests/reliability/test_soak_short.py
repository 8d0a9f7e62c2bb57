"""The soak test in its short form: 32 signed-in readers against gunicorn for
10 seconds, then the checks of `bench.soak` (no 5xx, sound trees and like
counters, every acknowledged comment stored)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_short_soak_under_gunicorn_passes_every_check():
    db = connection.settings_dict
    # The same server as the test database; the soak makes its own database there.
    url = "postgres://{USER}{password}@{host}:{PORT}/postgres".format(
        password=f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "",
        host=quote(db["HOST"] or "127.0.0.1", safe=""),
        **{k: v for k, v in db.items() if k in ("USER", "PORT")},
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    env["DATABASE_URL"] = url

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.soak",
            "--quick",
            "--db-name",
            f"newsroom_soak_{os.getpid()}",
        ],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "\n5xx: 0\n" in result.stdout
    assert "integrity problems: 0" in result.stdout
    assert "missing from the database: 0" in result.stdout
