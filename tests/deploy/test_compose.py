"""docker-compose.yml: valid against the compose specification, and the stack the design needs."""

import copy
import re
from typing import Any

from deploy_facts import REPO, SERVICES, ServiceFacts, compose_errors

HTK_RESTART = {"always", "unless-stopped", "on-failure"}


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert compose_errors(compose) == []


def test_the_specification_check_rejects_mistakes(compose: dict[str, Any]) -> None:
    typo = copy.deepcopy(compose)
    typo["services"]["gateway"]["helthcheck"] = typo["services"]["gateway"].pop("healthcheck")
    assert compose_errors(typo)
    bad_condition = copy.deepcopy(compose)
    bad_condition["services"]["search"]["depends_on"]["elasticsearch"]["condition"] = "healthy"
    assert compose_errors(bad_condition)


def test_kafka_runs_in_kraft_mode_with_topics_created_first(compose: dict[str, Any]) -> None:
    stack = compose["services"]
    kafka = stack["kafka"]
    assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", kafka["image"])
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any("ZOOKEEPER" in key for key in env)
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"  # topics only from the init step
    assert kafka["healthcheck"]["test"]

    init = stack["kafka-init"]
    assert init["image"] == kafka["image"]
    assert init["restart"] == "no"
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert any("create-topics.sh" in volume for volume in init["volumes"])


def test_elasticsearch_8_single_node_with_security(compose: dict[str, Any]) -> None:
    elastic = compose["services"]["elasticsearch"]
    assert re.fullmatch(r"elasticsearch:8\.\d+\.\d+", elastic["image"])
    assert elastic["environment"]["discovery.type"] == "single-node"
    assert elastic["environment"]["xpack.security.enabled"] == "true"
    assert "healthcheck" in elastic


def test_mongodb_is_a_replica_set_with_its_init(compose: dict[str, Any]) -> None:
    stack = compose["services"]
    command = stack["mongo"]["command"]
    assert command[command.index("--replSet") + 1] == "rs0"
    assert "--keyFile" in command  # authentication on a replica set needs the keyfile
    assert stack["mongo"]["depends_on"]["mongo-keyfile"]["condition"] == (
        "service_completed_successfully"
    )
    init = stack["mongo-init"]
    assert init["network_mode"] == "service:mongo"  # localhost exception for the first user
    assert init["depends_on"]["mongo"]["condition"] == "service_healthy"
    assert init["restart"] == "no"
    script = (REPO / "deploy/compose/mongo/init-replica-set.js").read_text()
    assert "rs.initiate" in script and 'role: "readWrite"' in script


def test_mailpit_is_there(compose: dict[str, Any]) -> None:
    mailpit = compose["services"]["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit:v")
    assert "healthcheck" in mailpit


def test_services_have_healthchecks_conditions_and_restart_policies(
    compose: dict[str, Any], services: dict[str, ServiceFacts]
) -> None:
    stack = compose["services"]
    for name in SERVICES:
        service = stack[name]
        assert service["build"] == {"context": ".", "target": name}
        assert service["restart"] in HTK_RESTART
        assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "htk_runtime.healthcheck"]
        assert service["depends_on"], name
        for dependency, spec in service["depends_on"].items():
            assert dependency in stack
            assert spec["condition"] in {"service_healthy", "service_completed_successfully"}
        assert service["depends_on"]["mongo-init"]["condition"] == "service_completed_successfully"
        if services[name].uses_broker:
            assert service["depends_on"]["kafka-init"]["condition"] == (
                "service_completed_successfully"
            )
        if "HTK_SMTP_HOST" in service["environment"]:
            assert service["depends_on"]["mailpit"]["condition"] == "service_healthy"
        # Hardened like the Kubernetes pods.
        assert service["user"] == "10001:10001"
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        assert service["deploy"]["resources"]["limits"]["memory"]
    assert stack["search"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    for upstream in ("catalogue", "submissions", "search", "reporting"):
        assert stack["gateway"]["depends_on"][upstream]["condition"] == "service_healthy"
    for infra in ("kafka", "elasticsearch", "mongo", "mailpit"):
        assert stack[infra]["restart"] in HTK_RESTART


def test_only_the_gateway_is_published_beyond_localhost(compose: dict[str, Any]) -> None:
    published = {
        name: spec.get("ports", [])
        for name, spec in compose["services"].items()
        if spec.get("ports")
    }
    for name, ports in published.items():
        for port in ports:
            if name != "gateway":
                assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}"
    assert compose["networks"]["backend"]["internal"] is True
    assert set(compose["services"]["gateway"]["networks"]) == {"backend", "frontend"}


def test_observability_is_a_profile(compose: dict[str, Any]) -> None:
    stack = compose["services"]
    profiled = {name for name, spec in stack.items() if "observability" in spec.get("profiles", [])}
    assert {"otel-collector", "jaeger", "prometheus", "grafana"} <= profiled
    for name in (*SERVICES, "kafka", "mongo", "elasticsearch", "mailpit"):
        assert "profiles" not in stack[name], f"{name} must start without a profile"


def test_files_mounted_into_containers_exist(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        for volume in spec.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("./"):
                assert (REPO / source).is_file(), f"{name} mounts missing {source}"
