"""Members and the coordinator of the seeded platform at work, through submissions' own API."""

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.stack import ACTION, RunningPlatform

MEASURES = (["1.1.1"], ["1.1.2", "1.2.1"], ["2.1.1"], ["3.1.1", "1.1.1"])


class Workflow:
    """Through the gateway (``public``: sessions, CSRF, the public API) or submissions itself."""

    def __init__(self, p: RunningPlatform, *, public: bool = False) -> None:
        self.p = p
        if public:
            self.member, self.coordinator = (self._browser(r) for r in ("member", "coordinator"))
            self.prefix = "/api/v1"
        else:
            self.member = p.client("submissions", "member")
            self.coordinator = p.client("submissions", "coordinator")
            self.prefix = ""
        self.run = uuid.uuid4().hex[:6]
        self.made = 0

    def _browser(self, role: str) -> httpx.Client:
        client = self.p.browser(role)
        client.headers["X-CSRF-Token"] = self.p.people[role].csrf
        return client

    def close(self) -> None:
        self.member.close()
        self.coordinator.close()

    def __enter__(self) -> "Workflow":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def draft(self) -> httpx.Response:
        """A new draft of organisation A, each on measures of its own so counts differ."""
        self.made += 1
        body = {
            **ACTION,
            "title": f"Kohtaamispaikka {self.run}-{self.made}",
            "measures": MEASURES[self.made % len(MEASURES)],
            "organisation_id": self.p.ids["A"],
        }
        return self.member.post(f"{self.prefix}/actions", json=body)

    def step(self, client: httpx.Client, action: httpx.Response, step: str) -> httpx.Response:
        return client.post(
            f"{self.prefix}/actions/{action.json()['id']}/{step}",
            headers={"If-Match": action.headers["ETag"]},
        )

    def submitted(self) -> httpx.Response:
        drafted = self.draft()
        assert drafted.status_code == 201, drafted.text
        submitted = self.step(self.member, drafted, "submit")
        assert submitted.status_code == 200, submitted.text
        return submitted

    def publish(self, submitted: httpx.Response) -> httpx.Response:
        published = self.step(self.coordinator, submitted, "publish")
        assert published.status_code == 200, published.text
        return published

    def published(self) -> str:
        return str(self.publish(self.submitted()).json()["id"])


@dataclass
class Load:
    """Members at work until told to stop; every answer is kept."""

    p: RunningPlatform
    statuses: Counter[int] = field(default_factory=Counter)
    # action id -> the last step the platform accepted for it
    accepted: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def published(self) -> int:
        return sum(1 for step in list(self.accepted.values()) if step == "published")

    @contextmanager
    def running(self) -> Iterator["Load"]:
        """Members at work in a thread for the duration of the block."""
        worker = threading.Thread(target=self.run, daemon=True)
        worker.start()
        try:
            yield self
        finally:
            self.stop.set()
            worker.join(60)

    def run(self) -> None:
        with Workflow(self.p, public=True) as work:
            while not self.stop.is_set():
                try:
                    self._one(work)
                except httpx.HTTPError as exc:  # the gateway itself must always answer
                    self.errors.append(repr(exc))

    def _one(self, work: Workflow) -> None:
        drafted = self._note(work.draft())
        if drafted.status_code != 201:
            return
        action_id = drafted.json()["id"]
        self.accepted[action_id] = "draft"
        submitted = self._note(work.step(work.member, drafted, "submit"))
        if submitted.status_code != 200:
            return
        self.accepted[action_id] = "submitted"
        if self._note(work.step(work.coordinator, submitted, "publish")).status_code == 200:
            self.accepted[action_id] = "published"

    def _note(self, response: httpx.Response) -> httpx.Response:
        self.statuses[response.status_code] += 1
        if response.status_code >= 500 and response.status_code != 503:
            self.errors.append(f"{response.status_code} {response.text[:300]}")
        elif response.status_code == 503:
            body = response.json()
            if not body.get("message") or "Retry-After" not in response.headers:
                self.errors.append(f"503 without a message or Retry-After: {response.text}")
        return response
