"""Runs ``htk up`` as a user would, on free ports, and finds every process it started."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from htk_runtime.processes import free_ports

PORT_SETTINGS = (
    "HTK_KAFKA_PORT",
    "HTK_MONGO_PORT",
    "HTK_GATEWAY_PORT",
    "HTK_CATALOGUE_PORT",
    "HTK_SUBMISSIONS_PORT",
    "HTK_SEARCH_PORT",
    "HTK_REPORTING_PORT",
    "HTK_COMMUNITY_PORT",
)
REPO = Path(__file__).resolve().parents[2]


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name may contain spaces; the fields after its closing paren are fixed
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Launched:
    process: subprocess.Popen[str]
    env: dict[str, str]
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['HTK_GATEWAY_PORT']}"

    def wait_running(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        os.set_blocking(self.process.stdout.fileno(), False)
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line:
                self.output.append(line)
                if "platform is running" in line:
                    return
                continue
            if self.process.poll() is not None:
                self.output.extend(self.process.stdout.readlines())
                raise AssertionError("htk up exited:\n" + "".join(self.output))
            time.sleep(0.05)
        raise AssertionError("htk up not running in time:\n" + "".join(self.output))

    def terminate(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        assert self.process.stdout is not None
        os.set_blocking(self.process.stdout.fileno(), True)
        self.output.extend(self.process.stdout.readlines())
        return code


def platform_env(var_dir: Path) -> dict[str, str]:
    ports = free_ports(len(PORT_SETTINGS))
    env = {name: str(port) for name, port in zip(PORT_SETTINGS, ports, strict=True)}
    env["HTK_VAR_DIR"] = str(var_dir)
    env["HTK_DATA_DIR"] = str(REPO / "data")
    # Every browser of the suite signs in from 127.0.0.1: the per-address budget of sign-in
    # links (20 in 15 minutes) is for one person's address, not a whole test suite's. The
    # per-email budget stays as in production.
    env["HTK_LINK_REQUESTS_PER_IP"] = "100000"
    # The map draws real boundaries when the shared files sit beside the project (they are
    # never copied into it); without them it draws dots at the municipality centroids.
    if geodata := shared_geodata():
        env["HTK_REPORTING_BOUNDARIES_DIR"] = str(geodata)
    return env


def shared_geodata() -> Path | None:
    """``../shared/geodata`` from the project root (a worktree may sit a level deeper)."""
    for folder in REPO.parents:
        if any((folder / "shared" / "geodata").glob("municipalities*.geojson")):
            return folder / "shared" / "geodata"
    return None


def launch(env: dict[str, str], *args: str) -> Launched:
    process = subprocess.Popen(
        [sys.executable, "-m", "htk_cli.main", "up", *args],
        env={**os.environ, **env},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Launched(process, env)
