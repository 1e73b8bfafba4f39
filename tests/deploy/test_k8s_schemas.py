"""Every rendered overlay is valid Kubernetes (strict schemas) and valid operator resources."""

import copy
import json
from collections import Counter
from typing import Any

from deploy_facts import (
    CRD_SCHEMAS,
    K8S,
    PACKAGED_GROUPS,
    SERVICES,
    by_name,
    k8s_errors,
    k8s_errors_each,
    kustomize,
    of_kind,
    rendered_overlay,
)

from htk_contracts.topics import Topic

NAMESPACES = {"dev": "htk-dev", "prod": "htk"}
CLUSTER_SCOPED = {"Namespace"}


def test_overlay_renders_to_valid_resources(manifests: tuple[dict[str, Any], ...]) -> None:
    assert k8s_errors(*manifests) == []


def test_overlay_has_the_whole_platform(manifests: tuple[dict[str, Any], ...]) -> None:
    kinds = Counter(doc["kind"] for doc in manifests)
    for kind in ("Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler"):
        assert kinds[kind] == len(SERVICES), kind
    assert kinds["PodDisruptionBudget"] == len(SERVICES)
    assert kinds["Ingress"] == 1
    assert kinds["Namespace"] == 1
    assert kinds["Kafka"] == 1
    assert kinds["KafkaNodePool"] >= 1
    assert kinds["KafkaTopic"] == 2 * len(Topic)  # each topic and its dead letters
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


def _mutated(docs: tuple[dict[str, Any], ...], kind: str, path: str, value: Any) -> dict[str, Any]:
    """A copy of the first resource of the kind with the value set at the slash-separated path."""
    doc = copy.deepcopy(of_kind(docs, kind)[0])
    *parents, last = [int(part) if part.isdigit() else part for part in path.split("/")]
    target = doc
    for part in parents:
        target = target[part]
    target[last] = value
    return doc


# (kind, path, value, what the error names): one fault each, in fields of every kind of object
# the overlays hold. The operators' resources are checked by the operators' models (Strimzi,
# ECK) or the hand-written schema (MongoDB); see tests/deploy/crd_schemas/README.md.
FAULTS = [
    (
        "Deployment",
        "spec/template/spec/containers/0/securityContext/readOnlyRoot",
        1,
        "readOnlyRoot",
    ),
    ("HorizontalPodAutoscaler", "spec/maxReplicas", "ten", "maxReplicas"),
    # Strimzi: an enum, a misspelt field, a lower bound and a type, all from Strimzi's CRDs.
    ("Kafka", "spec/kafka/listeners/0/type", "public", "spec/kafka/listeners/0/type"),
    ("Kafka", "spec/kafka/listeners/0/tlss", False, "tlss"),
    ("Kafka", "spec/kafka/resources", {"limit": {"memory": "2Gi"}}, "limit"),
    ("KafkaTopic", "spec/partitons", 3, "partitons"),
    ("KafkaTopic", "spec/partitions", 0, "spec/partitions"),
    ("KafkaTopic", "metadata/label", {}, "label"),
    ("KafkaNodePool", "spec/roles", ["zookeeper"], "spec/roles/0"),
    ("KafkaNodePool", "spec/replicas", "3", "spec/replicas"),
    ("KafkaTopic", "apiVersion", "kafka.strimzi.io/v1beta3", "v1beta3"),
    # ECK: a misspelt field, a type, and one inside the pod template (a Kubernetes type).
    ("Elasticsearch", "spec/nodeSets/0/cuont", 3, "cuont"),
    ("Elasticsearch", "spec/nodeSets/0/count", "3", "spec/nodeSets/0/count"),
    ("Elasticsearch", "spec/nodeSets/0/podTemplate/spec/containers/0/resource", {}, "resource"),
    ("Elasticsearch", "spec/http/tls/selfSignedCertificate/disabled", "yes", "disabled"),
    ("MongoDBCommunity", "spec/users/0/password", "literal", "password"),
]


def test_strict_validation_rejects_unknown_and_misplaced_fields() -> None:
    docs = rendered_overlay("prod")
    mutated = [_mutated(docs, kind, path, value) for kind, path, value, _ in FAULTS]
    for (kind, path, _, named), errors in zip(FAULTS, k8s_errors_each(mutated), strict=True):
        assert errors, f"{kind}: {path} was accepted"
        assert any(named in error for error in errors), (kind, path, errors)


def test_open_objects_take_any_key() -> None:
    # Where the CRD leaves an object open (x-kubernetes-preserve-unknown-fields: Kafka's and a
    # topic's config, an Elasticsearch node's settings), any key is valid, as in kubectl.
    docs = rendered_overlay("prod")
    opened = [
        _mutated(docs, "Kafka", "spec/kafka/config/log.cleaner.threads", 2),
        _mutated(docs, "KafkaTopic", "spec/config/some.future.setting", "x"),
        _mutated(docs, "Elasticsearch", "spec/nodeSets/0/config/xpack.ml.enabled", False),
    ]
    assert k8s_errors(*opened) == []


def test_operator_models_are_the_pinned_packages() -> None:
    # A node_modules left from an older package.json would check against other CRDs.
    pinned = json.loads((CRD_SCHEMAS / "package.json").read_text())["dependencies"]
    for name, version in pinned.items():
        installed = CRD_SCHEMAS / "node_modules" / name / "package.json"
        assert installed.exists(), f"{name} not installed: run `make setup`"
        assert json.loads(installed.read_text())["version"] == version, name
    assert PACKAGED_GROUPS == {"kafka.strimzi.io", "elasticsearch.k8s.elastic.co"}
    for group in PACKAGED_GROUPS:
        assert not list(CRD_SCHEMAS.glob(f"{group}-*.yaml")), f"{group}: hand-written schema left"


def test_base_renders_on_its_own() -> None:
    # The base is usable by other overlays (a staging cluster, say) without ours.
    docs = kustomize(K8S / "base")
    assert k8s_errors(*docs) == []
