"""Every rendered overlay is valid Kubernetes (strict schemas) and valid operator resources."""

import copy
from collections import Counter
from typing import Any

from deploy_facts import K8S, SERVICES, by_name, k8s_errors, kustomize, of_kind, rendered_overlay

NAMESPACES = {"dev": "htk-dev", "prod": "htk"}
CLUSTER_SCOPED = {"Namespace"}


def test_overlay_renders_to_valid_resources(manifests: tuple[dict[str, Any], ...]) -> None:
    errors = [error for doc in manifests for error in k8s_errors(doc)]
    assert errors == []


def test_overlay_has_the_whole_platform(manifests: tuple[dict[str, Any], ...]) -> None:
    kinds = Counter(doc["kind"] for doc in manifests)
    for kind in ("Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler"):
        assert kinds[kind] == len(SERVICES), kind
    assert kinds["PodDisruptionBudget"] == len(SERVICES)
    assert kinds["Ingress"] == 1
    assert kinds["Namespace"] == 1
    assert kinds["Kafka"] == 1
    assert kinds["KafkaNodePool"] >= 1
    assert kinds["KafkaTopic"] == 8
    assert kinds["Elasticsearch"] == 1
    assert kinds["MongoDBCommunity"] == 1
    assert kinds["NetworkPolicy"] >= 7
    for name in SERVICES:
        by_name(manifests, "Deployment", f"htk-{name}")


def test_everything_is_in_the_overlay_namespace(overlay: str) -> None:
    for doc in rendered_overlay(overlay):
        if doc["kind"] in CLUSTER_SCOPED:
            assert doc["metadata"]["name"] == NAMESPACES[overlay]
        else:
            assert doc["metadata"].get("namespace") == NAMESPACES[overlay], doc["metadata"]


def test_strict_validation_rejects_unknown_and_misplaced_fields() -> None:
    docs = rendered_overlay("prod")
    deployment = copy.deepcopy(by_name(docs, "Deployment", "htk-search"))
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRoot"] = 1
    assert k8s_errors(deployment)

    hpa = copy.deepcopy(by_name(docs, "HorizontalPodAutoscaler", "htk-gateway"))
    hpa["spec"]["maxReplicas"] = "ten"
    assert k8s_errors(hpa)

    kafka = copy.deepcopy(of_kind(docs, "Kafka")[0])
    kafka["spec"]["kafka"]["listeners"][0]["type"] = "public"
    assert k8s_errors(kafka)

    topic = copy.deepcopy(of_kind(docs, "KafkaTopic")[0])
    topic["spec"]["partitons"] = 3
    assert k8s_errors(topic)

    pool = copy.deepcopy(of_kind(docs, "KafkaNodePool")[0])
    pool["spec"]["roles"] = ["zookeeper"]
    assert k8s_errors(pool)

    elastic = copy.deepcopy(of_kind(docs, "Elasticsearch")[0])
    elastic["spec"]["nodeSets"][0]["podTemplate"]["spec"]["containers"][0]["resource"] = {}
    assert k8s_errors(elastic)

    mongo = copy.deepcopy(of_kind(docs, "MongoDBCommunity")[0])
    mongo["spec"]["users"][0]["password"] = "literal"
    assert k8s_errors(mongo)


def test_base_renders_on_its_own() -> None:
    # The base is usable by other overlays (a staging cluster, say) without ours.
    docs = kustomize(K8S / "base")
    assert [error for doc in docs for error in k8s_errors(doc)] == []
