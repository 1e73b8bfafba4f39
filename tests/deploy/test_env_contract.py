"""The variables the manifests set are exactly the ones the services read.

"Read" comes from the code, not from a list kept here: each service's settings class (every
field, with the HTK_ prefix) and, for the Kafka settings, whether the service has a broker at
all. A setting a teammate adds shows up here as missing from the manifests until it is set in
docker-compose.yml and the service's k8s config (deploy/k8s/base/services/<name>/config.env,
or a secretKeyRef in its kustomization for a secret).
"""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from deploy_facts import (
    CREDENTIALS_IN_URL,
    REPO,
    SECRET_NAME,
    SERVICES,
    ServiceFacts,
    by_name,
    deployment_env,
    env_names,
    of_kind,
    rendered_overlay,
)
from pydantic import SecretStr

from htk_runtime.telemetry import environment_variables

KAFKA_SETTING = re.compile(r"^HTK_KAFKA_")
PUBLIC_URL = "HTK_PUBLIC_URL"  # the platform's address for people
# Addresses for people, not for the service to call; every other *_URL names a service.
PEOPLE_URLS = {PUBLIC_URL, "HTK_REPORTING_LICENCE_URL"}
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?][^}]*)?\}")
FROM_ENV_FILE = re.compile(r"envfile\.([A-Z0-9_]+)")
# OpenTelemetry's standard variables, read by htk_runtime.telemetry in every service: optional,
# so a manifest may set them or not, but a misspelt one is still caught.
TELEMETRY = environment_variables()


def placeholders(value: str) -> str:
    """Compose interpolations as URL-safe markers, so the value parses as it will at run time."""
    return INTERPOLATION.sub(lambda m: f"envfile.{m.group(1)}", value)


def expected_env(facts: ServiceFacts) -> set[str]:
    # A service without a broker must not be given one: its Kafka settings stay unset.
    return {n for n in facts.env if facts.uses_broker or not KAFKA_SETTING.match(n)}


def diff(expected: set[str], actual: set[str]) -> dict[str, list[str]]:
    return {
        "read by the service but not set": sorted(expected - actual),
        "set but not read by the service": sorted(actual - expected - TELEMETRY),
    }


NO_DIFF = {"read by the service but not set": [], "set but not read by the service": []}


def test_the_services_are_read_from_code(services: dict[str, ServiceFacts]) -> None:
    assert set(services) == set(SERVICES)
    # The gateway consumes catalogue.members.v1 for its member read copies: all five use it.
    assert all(services[name].uses_broker for name in SERVICES)
    assert "HTK_SMTP_HOST" in services["gateway"].env
    assert "HTK_ELASTICSEARCH_URL" in services["search"].env
    assert "HTK_ELASTICSEARCH_URL" not in services["reporting"].env


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_sets_exactly_what_the_service_reads(
    name: str, overlay: str, services: dict[str, ServiceFacts]
) -> None:
    docs = rendered_overlay(overlay)
    env = deployment_env(docs, by_name(docs, "Deployment", f"htk-{name}"))
    assert diff(expected_env(services[name]), set(env)) == NO_DIFF


@pytest.mark.parametrize("name", SERVICES)
def test_compose_sets_exactly_what_the_service_reads(
    name: str, compose: dict[str, Any], services: dict[str, ServiceFacts]
) -> None:
    env = compose["services"][name]["environment"]
    assert diff(expected_env(services[name]), set(env)) == NO_DIFF


def test_the_comparison_notices_a_new_setting(services: dict[str, ServiceFacts]) -> None:
    # What happens when a teammate adds, say, a webhook signing secret to the gateway.
    gateway = services["gateway"]
    base = gateway.settings
    extended = type("Extended", (base,), {"__annotations__": {"webhook_secret": SecretStr}})
    docs = rendered_overlay("prod")
    env = deployment_env(docs, by_name(docs, "Deployment", "htk-gateway"))
    expected = expected_env(
        ServiceFacts("gateway", extended, env_names(extended), gateway.uses_broker, gateway.port)
    )
    assert diff(expected, set(env))["read by the service but not set"] == ["HTK_WEBHOOK_SECRET"]
    assert SECRET_NAME.search("HTK_WEBHOOK_SECRET")
    # A secret by type is a secret whatever its name.
    relay = type("Relay", (base,), {"__annotations__": {"smtp_login": SecretStr}})
    facts = ServiceFacts("gateway", relay, env_names(relay), uses_broker=True, port=8000)
    assert "HTK_SMTP_LOGIN" in facts.secret_env()
    assert "HTK_USER_TOKEN_TTL_SECONDS" not in facts.secret_env()


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_secrets_come_from_secret_references(
    name: str, overlay: str, services: dict[str, ServiceFacts]
) -> None:
    docs = rendered_overlay(overlay)
    deployment = by_name(docs, "Deployment", f"htk-{name}")
    env = deployment_env(docs, deployment)
    must_be_secret = services[name].secret_env() | {"HTK_MONGO_URI"}
    if "HTK_ELASTICSEARCH_URL" in env:
        must_be_secret.add("HTK_ELASTICSEARCH_URL")
    for variable in must_be_secret:
        assert isinstance(env[variable], dict), f"{variable} is a literal"
        assert set(env[variable]) == {"secretKeyRef"}, variable
    for variable, value in env.items():
        if isinstance(value, str):
            assert not CREDENTIALS_IN_URL.search(value), f"{variable} holds credentials"
    # No Secret carries a credential in the manifests: the only one rendered is ECK's role file.
    assert [s["metadata"]["name"] for s in of_kind(docs, "Secret")] == ["htk-es-roles"]


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_values_agree_with_the_resources(name: str, overlay: str) -> None:
    docs = rendered_overlay(overlay)
    deployment = by_name(docs, "Deployment", f"htk-{name}")
    env = deployment_env(docs, deployment)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert env["HTK_SERVICE_NAME"] == name
    assert env["HTK_ENVIRONMENT"] == "production"
    assert env["HTK_HOST"] == "0.0.0.0"  # noqa: S104 (inside the pod)
    assert int(env["HTK_PORT"]) == container["ports"][0]["containerPort"]
    assert env["HTK_MONGO_DATABASE"] == f"htk_{name}"

    # The service's MongoDB user may use its own database and nothing else.
    users = {
        u["connectionStringSecretName"]: u
        for u in of_kind(docs, "MongoDBCommunity")[0]["spec"]["users"]
    }
    user = users[env["HTK_MONGO_URI"]["secretKeyRef"]["name"]]
    assert user["roles"] == [{"name": "readWrite", "db": env["HTK_MONGO_DATABASE"]}]
    assert env["HTK_MONGO_URI"]["secretKeyRef"]["key"] == "connectionString.standard"

    if "HTK_KAFKA_BOOTSTRAP_SERVERS" in env:
        kafka = of_kind(docs, "Kafka")[0]
        host, port = env["HTK_KAFKA_BOOTSTRAP_SERVERS"].split(":")
        assert host == f"{kafka['metadata']['name']}-kafka-bootstrap"  # Strimzi's Service name
        assert int(port) in {listener["port"] for listener in kafka["spec"]["kafka"]["listeners"]}
        assert int(env["HTK_KAFKA_SESSION_TIMEOUT_MS"]) >= 3 * int(
            env["HTK_KAFKA_HEARTBEAT_INTERVAL_MS"]
        )

    if "HTK_ELASTICSEARCH_URL" in env:
        elastic = of_kind(docs, "Elasticsearch")[0]["spec"]
        secret = env["HTK_ELASTICSEARCH_URL"]["secretKeyRef"]["name"]
        assert {"secretName": secret} in elastic["auth"]["fileRealm"]
        assert env["HTK_SEARCH_BACKEND"] == "elasticsearch"
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert env["HTK_SEARCH_INDEX_DIR"] in mounts  # writable despite the read-only root

    for variable, value in env.items():
        if variable.endswith("_URL") and variable not in PEOPLE_URLS and isinstance(value, str):
            url = urlsplit(value)
            target = by_name(docs, "Service", url.hostname or "")
            assert (url.port or 80) in {p["port"] for p in target["spec"]["ports"]}, variable


@pytest.mark.parametrize("name", SERVICES)
def test_compose_values_agree_with_the_stack(
    name: str, compose: dict[str, Any], services: dict[str, ServiceFacts]
) -> None:
    stack = compose["services"]
    env = {k: str(v) for k, v in stack[name]["environment"].items()}
    assert env["HTK_SERVICE_NAME"] == name
    assert int(env["HTK_PORT"]) == services[name].port
    assert env["HTK_MONGO_DATABASE"] == f"htk_{name}"

    uri = urlsplit(placeholders(env["HTK_MONGO_URI"]))
    assert uri.hostname == "mongo" and "replicaSet=rs0" in uri.query
    assert uri.username == f"htk_{name}"
    password_variable = f"MONGO_PASSWORD_{name.upper()}"
    assert uri.password == f"envfile.{password_variable}"
    assert password_variable in stack["mongo-init"]["environment"]

    for variable, raw in env.items():
        value = placeholders(raw)
        if SECRET_NAME.search(variable):
            assert FROM_ENV_FILE.fullmatch(value), f"{variable} is not taken from .env"
        for match in CREDENTIALS_IN_URL.finditer(value):
            password = value[match.start() + 3 : match.end() - 1].split(":", 1)[1]
            assert FROM_ENV_FILE.fullmatch(password), f"{variable} holds a literal password"
        if variable.endswith("_URL") and variable not in PEOPLE_URLS:
            url = urlsplit(value)
            assert url.hostname in stack, f"{variable}: no service {url.hostname}"
            target_port = stack[url.hostname].get("environment", {}).get("HTK_PORT")
            if target_port is not None:
                assert url.port == int(target_port), variable


def test_links_in_mail_point_at_the_public_address(overlay: str) -> None:
    docs = rendered_overlay(overlay)
    (ingress,) = of_kind(docs, "Ingress")
    hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
    for name in SERVICES:
        env = deployment_env(docs, by_name(docs, "Deployment", f"htk-{name}"))
        if PUBLIC_URL in env:
            url = urlsplit(env[PUBLIC_URL])
            assert url.scheme == "https" and url.hostname in hosts, (name, env[PUBLIC_URL])


def test_compose_secrets_are_documented_and_never_committed(compose: dict[str, Any]) -> None:
    lines = (REPO / "docker-compose.yml").read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    referenced = {m.group(1) for m in INTERPOLATION.finditer(text)}
    example = (REPO / ".env.example").read_text()
    documented = {
        line.split("=", 1)[0]
        for line in example.splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert referenced == documented
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()
    for service, spec in compose["services"].items():
        environment = spec.get("environment", {})
        for variable, value in environment.items():
            if SECRET_NAME.search(variable) or re.search(r"_KEY$", variable):
                assert INTERPOLATION.fullmatch(str(value)), f"{service}: {variable} is literal"
