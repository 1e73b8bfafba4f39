"""The embedded stack for benchmarks: tansu, SecantusDB and services as processes on free ports."""

import os
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from htk_runtime.embedded import mongo_uri, start_secantus, start_tansu
from htk_runtime.processes import ManagedProcess, free_port, free_ports, spawn, wait_until


@dataclass
class Stack:
    workdir: Path
    kafka: str
    mongo: str
    processes: list[ManagedProcess]

    def service(self, name: str, env: dict[str, str]) -> str:
        """Start ``htk_<name>`` with uvicorn; returns its base URL once ready."""
        port = free_port()
        process = spawn(
            name,
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"htk_{name}.main:app",
                "--port",
                str(port),
                "--no-access-log",
                # The gateway decides whose X-Forwarded-For to believe (HTK_TRUSTED_PROXIES).
                "--no-proxy-headers",
                "--log-level",
                "warning",
            ],
            log_path=self.workdir / f"{name}.log",
            env={
                "HTK_KAFKA_BOOTSTRAP_SERVERS": self.kafka,
                "HTK_MONGO_URI": self.mongo,
                "HTK_LOG_LEVEL": "WARNING",
                **env,
            },
        )
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                with urllib.request.urlopen(f"{url}/health/ready", timeout=2) as r:  # noqa: S310
                    return bool(r.status == 200)
            except OSError:
                return False

        wait_until(ready, timeout=90, process=process)
        return url


@contextmanager
def embedded_stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="htk-bench-") as tmp:
        workdir = Path(tmp)
        kafka_port, mongo_port = free_ports(2)  # two different ports
        processes = [
            start_tansu("127.0.0.1", kafka_port, workdir / "tansu.log"),
            start_secantus("127.0.0.1", mongo_port, workdir / "db", workdir / "secantus.log"),
        ]
        stack = Stack(
            workdir, f"127.0.0.1:{kafka_port}", mongo_uri("127.0.0.1", mongo_port), processes
        )
        try:
            yield stack
        finally:
            for process in reversed(stack.processes):
                process.stop(10)


REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("HTK_DATA_DIR", str(REPO / "data"))
