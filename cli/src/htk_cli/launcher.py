"""``htk up``: the whole platform on the embedded default, in the foreground.

Starts tansu and SecantusDB, then the six services as processes, waits until each one reports
ready, and prints the gateway's address. Ctrl-C or SIGTERM stops the services first (they finish
requests and event handlers in flight), then the broker and the database. Data stays under
``var/``, so the next start continues where this one stopped.
"""

import functools
import json
import os
import secrets
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from htk_cli.settings import LauncherSettings
from htk_runtime.auth import generate_keypair
from htk_runtime.embedded import mongo_uri, start_secantus, start_tansu
from htk_runtime.processes import ManagedProcess, PortInUse, port_is_free, spawn, wait_until

SERVICES = ("catalogue", "submissions", "search", "reporting", "community", "gateway")


@dataclass(frozen=True)
class Endpoint:
    name: str
    port: int
    setting: str


def endpoints(s: LauncherSettings) -> list[Endpoint]:
    return [
        Endpoint("Kafka broker (tansu)", s.kafka_port, "HTK_KAFKA_PORT"),
        Endpoint("database (SecantusDB)", s.mongo_port, "HTK_MONGO_PORT"),
        *(
            Endpoint(f"{n} service", getattr(s, f"{n}_port"), f"HTK_{n.upper()}_PORT")
            for n in SERVICES
        ),
    ]


def check_ports(s: LauncherSettings) -> None:
    seen: dict[int, Endpoint] = {}
    for e in endpoints(s):
        if e.port in seen:
            raise PortInUse(e.port, f"{e.name}, also set for {seen[e.port].name}", e.setting)
        seen[e.port] = e
        if not port_is_free(s.host, e.port):
            raise PortInUse(e.port, e.name, e.setting)


def token_keys(var_dir: Path) -> tuple[str, str]:
    """The user token's key pair, kept under var/ so sessions survive a restart."""
    path = var_dir / "keys" / "user-token.json"
    if path.exists():
        keys = json.loads(path.read_text())
        return keys["private"], keys["public"]
    private, public = generate_keypair()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"private": private, "public": public}))
    path.chmod(0o600)
    return private, public


def persistent_secret(var_dir: Path, name: str) -> str:
    """A random secret kept under var/, so links and sessions survive a restart."""
    path = var_dir / "keys" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def service_env(
    s: LauncherSettings, name: str, *, dev_open_writes: bool, keys: tuple[str, str]
) -> dict[str, str]:
    var = s.var_dir.resolve()
    url = lambda n: f"http://{s.host}:{getattr(s, f'{n}_port')}"  # noqa: E731
    env = {
        "HTK_HOST": s.host,
        "HTK_PORT": str(getattr(s, f"{name}_port")),
        "HTK_KAFKA_BOOTSTRAP_SERVERS": f"{s.host}:{s.kafka_port}",
        "HTK_MONGO_URI": mongo_uri(s.host, s.mongo_port),
        "HTK_ENVIRONMENT": "development",
        "HTK_TOKEN_PUBLIC_KEY": keys[1],
        # Spans to a local file (no collector), printed by `htk trace <id>`; OTEL_* may override.
        "HTK_TRACE_FILE": str(var / "traces" / f"{name}.jsonl"),
    }
    if name == "catalogue":
        data = s.data_dir.resolve()
        env["HTK_CATALOGUE_DATA_DIR"] = str(data)
        env["HTK_CATALOGUE_PLAN_FILE"] = str(data / "plan" / "example-plan.csv")
    if name == "reporting":
        env["HTK_REPORTING_DATA_DIR"] = str(s.data_dir.resolve())
        # Boundaries fetched with `htk places boundaries fetch` are used unless a folder is set.
        fetched = var / "geodata"
        if "HTK_REPORTING_BOUNDARIES_DIR" not in os.environ and any(fetched.glob("*.geojson")):
            env["HTK_REPORTING_BOUNDARIES_DIR"] = str(fetched.resolve())
    if name == "submissions":
        env["HTK_SUBMISSIONS_DATA_DIR"] = str(s.data_dir.resolve())
        env["HTK_SEARCH_URL"] = url("search")
        env["HTK_PUBLIC_URL"] = url("gateway")
        env["HTK_REMINDER_LINK_SECRET"] = persistent_secret(s.var_dir, "link-secret")
    if name == "community":
        env["HTK_PUBLIC_URL"] = url("gateway")
    if name in ("submissions", "gateway"):
        env["HTK_MAIL_DIR"] = str(var / "mail")
    if name == "search":
        env["HTK_SEARCH_INDEX_DIR"] = str(var / "search")
        env["HTK_SEARCH_DATA_DIR"] = str(s.data_dir.resolve())
    if name == "gateway":
        env.update({f"HTK_{n.upper()}_URL": url(n) for n in SERVICES if n != "gateway"})
        env["HTK_DEV_OPEN_WRITES"] = "true" if dev_open_writes else "false"
        env["HTK_TOKEN_PRIVATE_KEY"] = keys[0]
        env["HTK_GATEWAY_SECRET"] = persistent_secret(s.var_dir, "gateway-secret")
        env["HTK_PUBLIC_URL"] = url("gateway")
    return env


def _ready(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/health/ready", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


class Platform:
    def __init__(self, settings: LauncherSettings, *, dev_open_writes: bool = False) -> None:
        self.s = settings
        self.dev_open_writes = dev_open_writes
        self.infra: list[ManagedProcess] = []
        self.services: list[ManagedProcess] = []
        self.logs = settings.var_dir / "log"

    def start(self) -> None:
        s = self.s
        check_ports(s)
        s.var_dir.mkdir(parents=True, exist_ok=True)
        say(f"Starting the Kafka broker (tansu) on {s.host}:{s.kafka_port}")
        self.infra.append(self._start_broker())
        say(
            f"Starting the database (SecantusDB) on {s.host}:{s.mongo_port}, "
            f"data in {s.var_dir / 'db'}"
        )
        self.infra.append(self._start_database())
        self.services = [self._spawn(name) for name in SERVICES]
        for proc in self.services:
            self._wait_ready(proc)
            say(f"  {proc.name} ready on port {getattr(s, f'{proc.name}_port')}")

    def _start_broker(self) -> ManagedProcess:
        return start_tansu(self.s.host, self.s.kafka_port, self.logs / "tansu.log")

    def _start_database(self) -> ManagedProcess:
        s = self.s
        return start_secantus(s.host, s.mongo_port, s.var_dir / "db", self.logs / "secantus.log")

    def _spawn(self, name: str) -> ManagedProcess:
        s = self.s
        return spawn(
            name,
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"htk_{name}.main:app",
                "--host",
                s.host,
                "--port",
                str(getattr(s, f"{name}_port")),
                "--timeout-graceful-shutdown",
                "15",
                "--no-access-log",
                # The gateway decides whose X-Forwarded-For to believe (HTK_TRUSTED_PROXIES).
                "--no-proxy-headers",
            ],
            log_path=self.logs / f"{name}.log",
            env=service_env(
                s, name, dev_open_writes=self.dev_open_writes, keys=token_keys(s.var_dir)
            ),
        )

    def _wait_ready(self, proc: ManagedProcess) -> None:
        port = getattr(self.s, f"{proc.name}_port")
        wait_until(
            functools.partial(_ready, self.s.host, port),
            timeout=self.s.ready_timeout_seconds,
            process=proc,
        )

    # Fault tests take single components down and bring them back (tests/faults).

    def kill_service(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = next(p for p in self.services if p.name == name)
        proc.signal(sig)
        if not proc.wait(20):
            proc.signal(signal.SIGKILL)
            proc.wait(5)
        proc.stop(0)  # reaps and closes the log

    def start_service(self, name: str) -> None:
        """Start ``name`` again (after :meth:`kill_service`) and wait until it is ready."""
        proc = self._spawn(name)
        self.services = [proc if p.name == name else p for p in self.services]
        self._wait_ready(proc)

    def stop_broker(self) -> None:
        self.infra[0].stop(5)

    def start_broker(self) -> None:
        """A new broker on the same port: tansu keeps nothing, so it has no topics."""
        self.infra[0] = self._start_broker()

    def stop_database(self) -> None:
        self.infra[1].stop(15)

    def start_database(self) -> None:
        """The database again on the same port and data directory."""
        self.infra[1] = self._start_database()

    def stop(self) -> None:
        # Services first, all at once, so consumers and the outbox relay finish against a live
        # broker and database; then the infrastructure.
        for proc in self.services:
            proc.signal(signal.SIGTERM)
        for proc in self.services:
            proc.stop(20)
        for proc in reversed(self.infra):
            proc.stop(15)

    def watch(self) -> None:
        while True:
            for proc in self.infra + self.services:
                if not proc.alive():
                    say(f"{proc.name} stopped unexpectedly (exit code {proc.popen.returncode})")
                    say(f"--- last lines of {proc.log_path} ---\n{proc.log_tail()}")
                    return
            time.sleep(0.5)


def say(message: str) -> None:
    print(message, flush=True)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, _: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def up(settings: LauncherSettings, *, dev_open_writes: bool = False) -> int:
    platform = Platform(settings, dev_open_writes=dev_open_writes)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    code = 0
    try:
        platform.start()
        say("")
        say(f"HTK platform is running: http://{settings.host}:{settings.gateway_port}/")
        say(f"Logs: {platform.logs}/   Traces: htk trace <trace id>   Stop with Ctrl-C.")
        say(
            "Sign in locally: `uv run htk admin create --email you@example.org` makes you a "
            f"coordinator; then enter the address at http://{settings.host}:"
            f"{settings.gateway_port}/login and open the link mailed to "
            f"{(settings.var_dir / 'mail').resolve()}/ (the newest .eml file). "
            "`uv run htk demo load` adds demo data."
        )
        platform.watch()
        code = 1
    except _Stop:
        pass
    except PortInUse as exc:
        say(str(exc))
        code = 2
    except (RuntimeError, TimeoutError) as exc:
        say(f"Start failed: {exc}")
        code = 1
    finally:
        # A second signal while stopping must not abandon the children half-stopped.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if platform.infra or platform.services:
            say("Stopping the platform ...")
            platform.stop()
            say("Stopped.")
    return code
