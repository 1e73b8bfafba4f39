"""The whole platform as processes (``htk up``'s launcher on free ports), with people in it.

Security and fuzz tests share one running platform per test session: its own tansu and
SecantusDB, the five services over real HTTP, the token key pair and gateway secret it created
under its var directory. :func:`seed` then makes, through the services' own APIs, two
organisations and the five roles every authorisation test speaks of, each with a real gateway
session obtained by following a login link from the mail sink.
"""

import contextlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pymongo import MongoClient

from htk_cli.launcher import Platform
from htk_cli.settings import LauncherSettings
from htk_gateway.auth.csrf import token_for
from htk_runtime.auth import SERVICE_HEADER, User, sign, sign_service
from htk_runtime.embedded import mongo_uri
from htk_runtime.mail import read_sink
from htk_runtime.processes import free_ports

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
SERVICES = ("catalogue", "submissions", "search", "reporting", "community", "gateway")
# Columns of every authorisation table, in this order.
ROLES = ("visitor", "member", "outsider", "admin", "coordinator")


def poll(probe: Callable[[], T | None], timeout: float = 40.0, interval: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s; last: {last!r}")


@dataclass
class Person:
    role: str
    member_id: str
    email: str
    name: str
    session: str = ""
    csrf: str = ""


@dataclass
class RunningPlatform:
    settings: LauncherSettings
    platform: Platform
    keys: tuple[str, str]
    gateway_secret: str
    people: dict[str, Person] = field(default_factory=dict)
    # Ids of what seed() made: organisations "A" (the people's own), "B" (the outsider's) and
    # "C" (the coordinator's), and "draft", a draft of A.
    ids: dict[str, str] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://{self.settings.host}:{getattr(self.settings, f'{service}_port')}"

    @property
    def mongo_uri(self) -> str:
        return mongo_uri(self.settings.host, self.settings.mongo_port)

    @property
    def kafka(self) -> str:
        return f"{self.settings.host}:{self.settings.kafka_port}"

    @property
    def mail_dir(self) -> Path:
        return self.settings.var_dir / "mail"

    def token(self, role: str, **changes: Any) -> dict[str, str]:
        """The signed user header a service trusts for ``role`` (none for a visitor)."""
        if role == "visitor":
            return {}
        user = self.user(role).model_copy(update=changes)
        return {"HTK-User": sign(user, self.keys[0], 600)}

    def csrf_for(self, session: str) -> str:
        return token_for(self.gateway_secret, session)

    def user(self, role: str) -> User:
        a, b, c = self.ids["A"], self.ids["B"], self.ids["C"]
        person = self.people[role]
        organisations: dict[str, Any] = {
            "member": {a: "member"},
            "outsider": {b: "member"},
            "admin": {a: "admin"},
            "coordinator": {c: "member"},
        }[role]
        return User(
            member_id=person.member_id,
            organisations=organisations,
            coordinator=role == "coordinator",
        )

    def client(self, service: str, role: str = "visitor") -> httpx.Client:
        """A client of one service with the role's signed header."""
        return httpx.Client(base_url=self.url(service), headers=self.token(role), timeout=30)

    def browser(self, role: str = "visitor") -> httpx.Client:
        """A client of the gateway carrying the role's real session cookie."""
        client = httpx.Client(base_url=self.url("gateway"), timeout=30)
        if role != "visitor":
            self.set_cookie(client, "htk_session", self.people[role].session)
        return client

    def set_cookie(self, client: httpx.Client, name: str, value: str) -> None:
        """As the gateway would have set it, so its answers replace it rather than add one."""
        client.cookies.set(name, value, domain=self.settings.host)

    def link_mails(self) -> list[tuple[str, str]]:
        """(address, link secret) of every sign-in mail, oldest first; other mail (the
        notifications) is left out."""
        found = []
        for mail in read_sink(self.mail_dir) if self.mail_dir.exists() else []:
            link = re.search(r"/auth/link/(\S+)", mail.get_content())
            if link:
                found.append((str(mail["To"]), link.group(1)))
        return found

    def last_link(self, email: str, after: int = 0) -> str:
        for to, link in reversed(self.link_mails()[after:]):
            if to == email:
                return link
        raise AssertionError(f"no sign-in mail to {email}")

    def sign_in(self, client: httpx.Client, email: str) -> httpx.Response:
        """Ask for a login link for ``email`` and follow it, as a person in a browser does."""
        links = len(self.link_mails())
        asked = client.post("/api/v1/auth/login-link", json={"email": email})
        assert asked.status_code == 202, asked.text
        poll(lambda: any(to == email for to, _ in self.link_mails()[links:]))
        return self.follow_link(client, self.last_link(email, links))

    def fresh_session(self, role: str) -> str:
        """Another session of ``role``'s person, for routes that end the session they use."""
        with httpx.Client(base_url=self.url("gateway"), timeout=30) as browser:
            signed_in = self.sign_in(browser, self.people[role].email)
            assert signed_in.status_code == 303, signed_in.text
            return str(browser.cookies["htk_session"])

    def follow_link(self, client: httpx.Client, secret: str) -> httpx.Response:
        page = client.get(f"/auth/link/{secret}")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert page.status_code == 200 and token, page.text[:300]
        return client.post(f"/auth/link/{secret}", data={"csrf": token.group(1)})


# Fuzzing and the security suites ask for many login links and make many writes from one
# address; the limits themselves are tested in the gateway's own tests.
GENEROUS_LIMITS = {
    "HTK_LINK_REQUESTS_PER_IP": "100000",
    "HTK_LINK_REQUESTS_PER_EMAIL": "100000",
    "HTK_WRITES_PER_MINUTE": "100000",
}


def start(var_dir: Path) -> RunningPlatform:
    names = (*SERVICES, "kafka", "mongo")
    ports = {f"{name}_port": port for name, port in zip(names, free_ports(len(names)), strict=True)}
    settings = LauncherSettings(var_dir=var_dir, data_dir=REPO / "data", **ports)
    platform = Platform(settings)
    saved = {k: os.environ.get(k) for k in GENEROUS_LIMITS}
    os.environ.update(GENEROUS_LIMITS)  # the services' processes inherit the environment
    try:
        platform.start()
    except BaseException:
        platform.stop()
        raise
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    keys = json.loads((var_dir / "keys" / "user-token.json").read_text())
    secret = (var_dir / "keys" / "gateway-secret").read_text().strip()
    return RunningPlatform(settings, platform, (keys["private"], keys["public"]), secret)


@contextlib.contextmanager
def seeded(var_dir: Path) -> Iterator[RunningPlatform]:
    """A started and seeded platform for the duration of the block (a test session's)."""
    running = start(var_dir)
    try:
        seed(running)
        yield running
    finally:
        running.platform.stop()


ACTION = {
    "title": "Kylätalon kohtaamispaikka",
    "summary": "Viikoittaiset kohtaamiset syrjäkylien ikäihmisille kylätalolla.",
    "inequality_reduction": "Tavoittaa yksin asuvat ikäihmiset, joille palveluja on vähän.",
    "measures": ["1.1.1"],
    "municipalities": ["564"],
}


def seed(p: RunningPlatform) -> None:
    """Organisations A and B, the five roles with sessions, and a draft of A."""
    run = uuid.uuid4().hex[:8]
    boot = User(member_id=f"boot-{run}", coordinator=True)
    boot_header = {"HTK-User": sign(boot, p.keys[0], 600)}
    with httpx.Client(base_url=p.url("catalogue"), headers=boot_header, timeout=30) as cat:
        for key, name in (
            ("A", "Omistajayhdistys"),
            ("B", "Naapuriyhdistys"),
            ("C", "Neuvottelukunta"),
        ):
            made = cat.post("/organisations", json={"name_fi": f"{name} {run}", "type": "ngo"})
            assert made.status_code == 201, made.text
            p.ids[key] = made.json()["id"]
        for role in ROLES[1:]:
            email = f"{role}-{run}@example.org"
            org = {"outsider": p.ids["B"], "coordinator": p.ids["C"]}.get(role, p.ids["A"])
            joined = cat.post(
                "/registrations",
                json={"name": f"{role.title()} Tester", "email": email, "organisation_id": org},
                # Joining answers the gateway only: the seed calls it as the gateway would.
                headers={SERVICE_HEADER: sign_service("gateway", "catalogue", p.keys[0])},
            )
            assert joined.status_code == 201, joined.text
            member_id = joined.json()["member"]["id"]
            p.people[role] = Person(role, member_id, email, f"{role.title()} Tester")
            decided = cat.post(
                f"/organisations/{org}/memberships/{member_id}/decision",
                json={"approve": True, "role": "admin" if role == "admin" else "member"},
            )
            assert decided.status_code == 200, decided.text
        made_coordinator = cat.put(
            f"/members/{p.people['coordinator'].member_id}/coordinator", json={"coordinator": True}
        )
        assert made_coordinator.status_code == 200, made_coordinator.text
    p.people["visitor"] = Person("visitor", "", "", "")
    with MongoClient(p.mongo_uri) as mongo:
        copies = mongo["htk_gateway"]["member_copies"]
        for role in ROLES[1:]:
            person, expected = p.people[role], p.user(role)
            # The gateway knows a member and their roles once the catalogue's events reach it.
            want = {
                "organisations": {k: str(v) for k, v in expected.organisations.items()},
                "coordinator": expected.coordinator,
            }

            def known(person: Person = person, want: dict[str, Any] = want) -> bool:
                doc = copies.find_one({"_id": person.member_id}) or {}
                return all(doc.get(k) == v for k, v in want.items())

            poll(known)
            with httpx.Client(base_url=p.url("gateway"), timeout=30) as browser:
                signed_in = p.sign_in(browser, person.email)
                assert signed_in.status_code == 303, signed_in.text
                person.session = browser.cookies["htk_session"]
                me = browser.get("/api/v1/me").json()
                assert me["organisations"] == expected.organisations, me
                person.csrf = me["csrf_token"]
    # Submissions needs the plan, the organisations and the members before it takes a draft.
    with p.browser("member") as member:
        draft = poll(
            lambda: (
                (
                    r := member.post(
                        "/api/v1/actions",
                        json={**ACTION, "organisation_id": p.ids["A"]},
                        headers={"X-CSRF-Token": p.people["member"].csrf},
                    )
                ).status_code
                == 201
                and r
            )
        )
        p.ids["draft"] = draft.json()["id"]


def save(p: RunningPlatform, path: Path) -> None:
    """What a test session needs to use a platform started elsewhere (see ``__main__``)."""
    state = {
        "settings": p.settings.model_dump(mode="json"),
        "keys": list(p.keys),
        "gateway_secret": p.gateway_secret,
        "people": {r: vars(person) for r, person in p.people.items()},
        "ids": p.ids,
    }
    path.write_text(json.dumps(state))


def load(path: Path) -> RunningPlatform:
    state = json.loads(path.read_text())
    settings = LauncherSettings(**state["settings"])
    keys = (state["keys"][0], state["keys"][1])
    p = RunningPlatform(settings, Platform(settings), keys, state["gateway_secret"])
    p.people = {r: Person(**v) for r, v in state["people"].items()}
    p.ids = state["ids"]
    return p


if __name__ == "__main__":
    # While writing security tests: `python -m tests.stack /tmp/platform.json` keeps a seeded
    # platform running; `HTK_TEST_PLATFORM=/tmp/platform.json pytest tests/security` uses it.
    import sys
    import tempfile

    with (
        contextlib.suppress(KeyboardInterrupt),
        seeded(Path(tempfile.mkdtemp(prefix="htk-platform-"))) as running,
    ):
        save(running, Path(sys.argv[1]))
        print("platform ready; Ctrl-C stops it", flush=True)
        while True:
            time.sleep(1)
