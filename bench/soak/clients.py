"""The soak's clients: signed-in readers sharing one request budget."""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter, defaultdict

from bench.soak.environment import PASSWORD

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACKNOWLEDGED_RE = re.compile(r"#comment-(\d+)$")

# What a client does next, and how often.
WORKLOAD = {
    "read": 40,
    "reply": 22,
    "like": 15,
    "permalink": 8,
    "edit": 6,
    "delete": 3,
    "flag": 3,
    "new_thread": 3,
}


class Soak:
    """The shared state of one run: budget, results and what clients learned."""

    def __init__(self, *, base: str, data: dict, seconds: float, max_requests: int):
        self.base = base
        self.host = base.split("://", 1)[1]
        self.stories = data["stories"]
        self.comment_ids = {pk: list(ids) for pk, ids in data["comment_ids"].items()}
        self.deadline = time.monotonic() + seconds
        self.max_requests = max_requests
        self.lock = threading.Lock()
        self.issued = 0
        self.latencies: list[float] = []
        self.by_kind: Counter = Counter()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.server_errors: list[str] = []
        self.client_errors: list[str] = []
        self.acknowledged: set[int] = set()

    def take_ticket(self) -> bool:
        with self.lock:
            if self.issued >= self.max_requests or time.monotonic() >= self.deadline:
                return False
            self.issued += 1
            return True

    def record(self, kind: str, method: str, url: str, response, elapsed: float) -> None:
        with self.lock:
            self.latencies.append(elapsed)
            self.by_kind[kind] += 1
            self.statuses[kind][response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{response.status_code} {method} {url}")

    def learn(self, story_id: int, comment_id: int) -> None:
        with self.lock:
            self.comment_ids[story_id].append(comment_id)


class Reader(threading.Thread):
    """One signed-in reader doing a random mix of things until the budget runs out."""

    def __init__(self, soak: Soak, *, user, cookie: str | None, seed: int):
        super().__init__(daemon=True)
        import requests

        self.soak, self.user, self.rng = soak, user, random.Random(seed)
        self.http = requests.Session()
        # Behind the TLS proxy: Django sees https (SECURE_PROXY_SSL_HEADER).
        self.http.headers["X-Forwarded-Proto"] = "https"
        if cookie:
            self.http.cookies.set("sessionid", cookie, domain="127.0.0.1", path="/")
        self.token = ""
        self.mine: list[tuple[int, int]] = []  # (story id, comment id)

    def call(self, kind: str, method: str, path: str, **kwargs):
        url = self.soak.base + path
        # What a browser sends over https: CSRF checks the Referer against the host.
        headers = {"Referer": f"https://{self.soak.host}{path}", **kwargs.pop("headers", {})}
        started = time.perf_counter()
        response = self.http.request(
            method, url, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        self.soak.record(kind, method, path, response, time.perf_counter() - started)
        # The soak stands in for the TLS proxy: keep sending the Secure cookies
        # (session, CSRF) over the plain loopback connection.
        for cookie in self.http.cookies:
            cookie.secure = False
        return response

    def log_in_with_the_form(self) -> None:
        page = self.call("log_in", "GET", "/accounts/login/")
        token = CSRF_RE.search(page.text).group(1)
        done = self.call(
            "log_in",
            "POST",
            "/accounts/login/",
            data={"login": self.user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if done.status_code != 302:
            raise RuntimeError(f"log-in for {self.user.username} answered {done.status_code}")

    def post(self, kind: str, path: str, data: dict, **kwargs):
        return self.call(
            kind, "POST", path, data={**data, "csrfmiddlewaretoken": self.token}, **kwargs
        )

    def run(self) -> None:
        try:
            if self.soak.take_ticket() and not self.http.cookies.get("sessionid"):
                self.log_in_with_the_form()
            while not self.token and self.soak.take_ticket():
                self.read()
            kinds, weights = zip(*WORKLOAD.items())
            while self.soak.take_ticket():
                getattr(self, self.rng.choices(kinds, weights)[0])()
        except (OSError, RuntimeError, ValueError) as error:
            # Network errors (requests' are OSErrors) and a failed log-in are
            # counted and reported: a client must not stop silently.
            with self.soak.lock:
                self.soak.client_errors.append(f"{self.user.username}: {error!r}")

    def _story(self) -> tuple[int, str]:
        stories = self.soak.stories
        return stories[0] if self.rng.random() < 0.6 else self.rng.choice(stories[1:])

    def _comment_on(self, story_id: int) -> int:
        with self.soak.lock:
            return self.rng.choice(self.soak.comment_ids[story_id])

    def read(self) -> None:
        _, url = self._story()
        sort = self.rng.choice(["oldest", "newest", "liked"])
        page = self.call("read", "GET", f"{url}?sort={sort}&cpage={self.rng.choice([1, 1, 1, 2])}")
        match = CSRF_RE.search(page.text)
        if match:
            self.token = match.group(1)

    def permalink(self) -> None:
        story_id, _ = self._story()
        comment_id = self._comment_on(story_id)
        self.call("permalink", "GET", f"/comments/{comment_id}/")

    def _write(self, kind: str, story_id: int, parent: int | None) -> None:
        text = f"{self.user.username} says {self.rng.random():.12f} about {story_id}."
        data = {"body": text, "parent": parent or ""}
        response = self.post(kind, f"/comments/story/{story_id}/post/", data)
        match = ACKNOWLEDGED_RE.search(response.headers.get("Location", ""))
        if response.status_code == 302 and match:
            comment_id = int(match.group(1))
            with self.soak.lock:
                self.soak.acknowledged.add(comment_id)
            self.soak.learn(story_id, comment_id)
            self.mine.append((story_id, comment_id))

    def reply(self) -> None:
        story_id, _ = self._story()
        self._write("reply", story_id, self._comment_on(story_id))

    def new_thread(self) -> None:
        story_id, _ = self._story()
        self._write("new_thread", story_id, None)

    def like(self) -> None:
        story_id, _ = self._story()
        comment_id = self._comment_on(story_id)
        self.post(
            "like", f"/comments/{comment_id}/like/", {}, headers={"Accept": "application/json"}
        )

    def flag(self) -> None:
        story_id, _ = self._story()
        self.post("flag", f"/comments/{self._comment_on(story_id)}/flag/", {"reason": "off_topic"})

    def edit(self) -> None:
        if not self.mine:
            return self.read()
        _, comment_id = self.rng.choice(self.mine)
        text = f"Edited by {self.user.username}: {self.rng.random():.12f}."
        self.post("edit", f"/comments/{comment_id}/edit/", {"body": text})

    def delete(self) -> None:
        if not self.mine:
            return self.read()
        entry = self.mine.pop(self.rng.randrange(len(self.mine)))
        self.post("delete", f"/comments/{entry[1]}/delete/", {})
