"""Policy rules a platform team checks before it runs anything: non-root, read-only, no privilege,
limits, probes, autoscaling and disruption budgets, sizes that differ per environment."""

import re
from typing import Any

import pytest
from deploy_facts import SERVICES, app_container, by_name, deployment_env, of_kind, rendered_overlay

from htk_contracts.topics import Topic

# The services that consume submissions.actions.v1 in one consumer group each.
CONSUMERS = ("search", "reporting")

_UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(value: str | int) -> float:
    match = re.fullmatch(r"([0-9.]+)(m|k|M|G|Ki|Mi|Gi)?", str(value))
    assert match, f"not a quantity: {value!r}"
    return float(match.group(1)) * _UNITS[match.group(2) or ""]


def assert_limits(where: str, resources: dict[str, Any]) -> None:
    for kind in ("cpu", "memory"):
        assert kind in resources.get("requests", {}), f"{where}: no {kind} request"
        assert kind in resources.get("limits", {}), f"{where}: no {kind} limit"
        request, limit = resources["requests"][kind], resources["limits"][kind]
        assert quantity(request) <= quantity(limit), f"{where}: {kind} request above limit"


def assert_hardened_container(where: str, container: dict[str, Any]) -> None:
    sc = container.get("securityContext", {})
    assert sc.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation allowed"
    assert sc.get("readOnlyRootFilesystem") is True, f"{where}: root filesystem writable"
    assert sc.get("privileged") in (None, False), f"{where}: privileged"
    assert "ALL" in sc.get("capabilities", {}).get("drop", []), f"{where}: capabilities kept"
    assert not sc.get("capabilities", {}).get("add"), f"{where}: capabilities added"
    assert sc.get("runAsUser", 1) != 0, f"{where}: runs as root"


def assert_non_root_pod(where: str, pod: dict[str, Any]) -> None:
    sc = pod.get("securityContext", {})
    assert sc.get("runAsNonRoot") is True, f"{where}: runAsNonRoot not set"
    assert sc.get("runAsUser", 1) != 0, f"{where}: runs as root"
    assert sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{where}: no seccomp"


def test_every_service_container_is_hardened_with_limits_and_probes(
    manifests: tuple[dict[str, Any], ...],
) -> None:
    for deployment in of_kind(manifests, "Deployment"):
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        assert_non_root_pod(name, pod)
        assert pod.get("automountServiceAccountToken") is False, f"{name}: API token mounted"
        account = by_name(manifests, "ServiceAccount", pod["serviceAccountName"])
        assert account.get("automountServiceAccountToken") is False
        assert pod.get("hostNetwork") in (None, False) and pod.get("hostPID") in (None, False)
        for container in pod["containers"] + pod.get("initContainers", []):
            where = f"{name}/{container['name']}"
            assert_hardened_container(where, container)
            assert_limits(where, container.get("resources", {}))
            assert ":" in container["image"] and not container["image"].endswith(":latest")
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            for probe, path in (
                ("livenessProbe", "/health/live"),
                ("readinessProbe", "/health/ready"),
            ):
                get = container.get(probe, {}).get("httpGet")
                assert get, f"{where}: no {probe}"
                assert get["path"] == path, f"{where}: {probe} on {get['path']}"
                assert get["port"] in ports or get["port"] in ports.values(), f"{where}: port"


def test_drain_fits_in_the_termination_grace_period(manifests: tuple[dict[str, Any], ...]) -> None:
    for deployment in of_kind(manifests, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        drain = float(deployment_env(manifests, deployment)["HTK_SHUTDOWN_GRACE_SECONDS"])
        assert pause + drain < pod["terminationGracePeriodSeconds"], deployment["metadata"]["name"]


def test_operator_workloads_have_limits_and_no_privilege(
    manifests: tuple[dict[str, Any], ...],
) -> None:
    for pool in of_kind(manifests, "KafkaNodePool"):
        assert_limits(f"KafkaNodePool/{pool['metadata']['name']}", pool["spec"]["resources"])
    kafka = of_kind(manifests, "Kafka")[0]["spec"]
    assert_limits("topic operator", kafka["entityOperator"]["topicOperator"]["resources"])
    assert_non_root_pod("kafka", kafka["kafka"]["template"]["pod"])
    assert_hardened_container("kafka", kafka["kafka"]["template"]["kafkaContainer"])

    for node_set in of_kind(manifests, "Elasticsearch")[0]["spec"]["nodeSets"]:
        pod = node_set["podTemplate"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert_limits(f"elasticsearch/{container['name']}", container["resources"])
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert node_set["config"]["node.store.allow_mmap"] is False  # no privileged sysctl init

    mongo = of_kind(manifests, "MongoDBCommunity")[0]["spec"]
    containers = mongo["statefulSet"]["spec"]["template"]["spec"]["containers"]
    assert {c["name"] for c in containers} == {"mongod", "mongodb-agent"}
    for container in containers:
        assert_limits(f"mongodb/{container['name']}", container["resources"])


def test_each_service_has_a_service_autoscaler_and_disruption_budget(
    overlay: str, manifests: tuple[dict[str, Any], ...]
) -> None:
    for name in SERVICES:
        deployment = by_name(manifests, "Deployment", f"htk-{name}")
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()

        service = by_name(manifests, "Service", f"htk-{name}")
        assert service["spec"]["selector"] == selector
        port_names = {
            p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
        }
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names

        hpa = by_name(manifests, "HorizontalPodAutoscaler", f"htk-{name}")
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": f"htk-{name}",
        }
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"

        pdb = by_name(manifests, "PodDisruptionBudget", f"htk-{name}")
        assert pdb["spec"]["selector"]["matchLabels"] == selector
        assert pdb["spec"]["maxUnavailable"] == 1
        if overlay == "prod":
            # Two replicas at least, so a drained node or a rollout never empties a service.
            assert hpa["spec"]["minReplicas"] >= 2


def test_consumers_never_scale_past_the_partitions(manifests: tuple[dict[str, Any], ...]) -> None:
    topic = by_name(manifests, "KafkaTopic", Topic.SUBMISSIONS_ACTIONS)
    for name in CONSUMERS:
        hpa = by_name(manifests, "HorizontalPodAutoscaler", f"htk-{name}")
        assert hpa["spec"]["maxReplicas"] <= topic["spec"]["partitions"], name


def test_the_gateway_is_the_only_ingress(manifests: tuple[dict[str, Any], ...]) -> None:
    (ingress,) = of_kind(manifests, "Ingress")
    backends = {
        path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"htk-gateway"}
    assert ingress["spec"]["tls"], "the public entry serves TLS"
    for service in of_kind(manifests, "Service"):
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP"


def test_replication_survives_one_broker_down_in_prod() -> None:
    docs = rendered_overlay("prod")
    pools = {p["metadata"]["name"]: p["spec"] for p in of_kind(docs, "KafkaNodePool")}
    brokers = sum(p["replicas"] for p in pools.values() if "broker" in p["roles"])
    controllers = sum(p["replicas"] for p in pools.values() if "controller" in p["roles"])
    assert brokers >= 3 and controllers >= 3 and controllers % 2 == 1
    for topic in of_kind(docs, "KafkaTopic"):
        replicas = topic["spec"]["replicas"]
        assert replicas <= brokers
        assert topic["spec"]["config"]["min.insync.replicas"] < replicas
    config = of_kind(docs, "Kafka")[0]["spec"]["kafka"]["config"]
    assert config["min.insync.replicas"] == 2 and config["default.replication.factor"] == 3
    assert of_kind(docs, "MongoDBCommunity")[0]["spec"]["members"] >= 3
    assert of_kind(docs, "Elasticsearch")[0]["spec"]["nodeSets"][0]["count"] >= 3


def test_dev_is_one_of_everything() -> None:
    docs = rendered_overlay("dev")
    (pool,) = of_kind(docs, "KafkaNodePool")
    assert pool["spec"]["replicas"] == 1
    assert sorted(pool["spec"]["roles"]) == ["broker", "controller"]
    for topic in of_kind(docs, "KafkaTopic"):
        assert topic["spec"]["replicas"] == 1
        assert topic["spec"]["config"]["min.insync.replicas"] == 1
    assert of_kind(docs, "MongoDBCommunity")[0]["spec"]["members"] == 1
    assert of_kind(docs, "Elasticsearch")[0]["spec"]["nodeSets"][0]["count"] == 1
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        assert hpa["spec"]["minReplicas"] == 1


@pytest.mark.parametrize(
    ("overlay_name", "storage_class"), [("dev", "standard"), ("prod", "fast-ssd")]
)
def test_storage_classes_per_environment(overlay_name: str, storage_class: str) -> None:
    docs = rendered_overlay(overlay_name)
    classes = [
        v["class"] for p in of_kind(docs, "KafkaNodePool") for v in p["spec"]["storage"]["volumes"]
    ]
    classes += [
        claim["spec"]["storageClassName"]
        for node_set in of_kind(docs, "Elasticsearch")[0]["spec"]["nodeSets"]
        for claim in node_set["volumeClaimTemplates"]
    ]
    classes += [
        claim["spec"]["storageClassName"]
        for claim in of_kind(docs, "MongoDBCommunity")[0]["spec"]["statefulSet"]["spec"][
            "volumeClaimTemplates"
        ]
    ]
    assert classes and set(classes) == {storage_class}


def test_prod_pins_image_tags_and_sizes_up_the_busy_services() -> None:
    prod, dev = rendered_overlay("prod"), rendered_overlay("dev")
    for name in SERVICES:
        image = app_container(prod, name)["image"]
        assert re.fullmatch(rf"htk/{name}:\d+\.\d+\.\d+", image), image

    def memory_limit(docs: tuple[dict[str, Any], ...], name: str) -> float:
        return quantity(app_container(docs, name)["resources"]["limits"]["memory"])

    for name in ("gateway", "search"):
        assert memory_limit(prod, name) > memory_limit(dev, name)
