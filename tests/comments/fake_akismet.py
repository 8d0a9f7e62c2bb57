"""A fake Akismet: a real HTTP server on 127.0.0.1 that records what it is sent.

It answers the way Akismet does, steered by the comment's content:

- "viagra-spam"  -> comment-check "true" (spam)
- "discard-me"   -> "true" with `X-akismet-pro-tip: discard`
- "slow-please"  -> answers only after SLOW_SECONDS (past the client's timeout)
- "error-500"    -> HTTP 500
- "weird-answer" -> "invalid" with an `X-akismet-debug-help` header
- anything else  -> "false" (ham)

submit-spam and submit-ham thank you, verify-key says "valid". Use it as a
context manager; `requests` lists every request as a `Received`.
"""

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SLOW_SECONDS = 3.0
THANKS = "Thanks for making the web a better place."


@dataclass(frozen=True)
class Received:
    method: str  # the API method: "comment-check", "submit-spam", ...
    fields: dict[str, str]
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
        fields = {name: values[-1] for name, values in form.items()}
        method = self.path.rstrip("/").rsplit("/", 1)[-1]
        headers = {name.lower(): value for name, value in self.headers.items()}
        with self.server.lock:
            self.server.received.append(Received(method, fields, headers))
        status, body, extra = self._answer(method, fields.get("comment_content", ""))
        if status is None:
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            for name, value in extra.items():
                self.send_header(name, value)
            encoded = body.encode("utf-8")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (the slow case): nothing to answer.
            pass

    def _answer(self, method: str, content: str):
        if method == "verify-key":
            return 200, "valid", {}
        if method in {"submit-spam", "submit-ham"}:
            return 200, THANKS, {}
        if method != "comment-check":
            return 404, "unknown method", {}
        if "slow-please" in content:
            # Returns early when the server stops, so teardown never waits.
            if self.server.stopping.wait(SLOW_SECONDS):
                return None, "", {}
            return 200, "false", {}
        if "error-500" in content:
            return 500, "Internal Server Error", {}
        if "weird-answer" in content:
            return 200, "invalid", {"X-akismet-debug-help": "Empty api_key"}
        if "discard-me" in content:
            return 200, "true", {"X-akismet-pro-tip": "discard"}
        if "viagra-spam" in content:
            return 200, "true", {}
        return 200, "false", {}

    def log_message(self, format, *args):
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()


class FakeAkismet:
    """The fake server, listening on a free port while the context is open."""

    def __init__(self):
        self._server = _Server()
        # A short poll interval makes shutdown, and so each test's teardown, quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The API base URL, as NEWSROOM_AKISMET_URL expects it."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/1.1/"

    @property
    def requests(self) -> list[Received]:
        with self._server.lock:
            return list(self._server.received)

    def calls(self, method: str) -> list[Received]:
        return [request for request in self.requests if request.method == method]

    def __enter__(self) -> "FakeAkismet":
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
