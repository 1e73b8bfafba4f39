"""Who can reach whom, worked out from the rendered NetworkPolicies.

A small evaluator of the NetworkPolicy semantics (a pod is isolated in a direction once any
policy selects it for that direction; traffic then needs an allowing rule on both ends) runs
over the pods the platform has: the five services with their rendered labels, and the data
stores with the labels their operators give their pods. Kafka's ingress side is the policy
Strimzi writes from the listener's ``networkPolicyPeers``.
"""

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from deploy_facts import (
    SERVICES,
    ServiceFacts,
    by_name,
    deployment_env,
    of_kind,
    rendered_overlay,
)


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: dict[str, str]
    ports: dict[str, int] = field(default_factory=dict)
    ip: str | None = None  # set for hosts outside the cluster, reached by ipBlock rules


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return True
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def peer_matches(peer: dict[str, Any], policy_ns: str, pod: Pod) -> bool:
    if "ipBlock" in peer:
        if pod.ip is None:
            return False  # in-cluster pods are addressed by selectors here
        address = ipaddress.ip_address(pod.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    namespace_labels = {"kubernetes.io/metadata.name": pod.namespace}
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], namespace_labels):
            return False
    elif pod.namespace != policy_ns:
        return False
    return selects(peer.get("podSelector"), pod.labels)


def port_matches(ports: list[dict[str, Any]] | None, dest: Pod, port: int, protocol: str) -> bool:
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        wanted = entry.get("port")
        if wanted is None or wanted == port or dest.ports.get(str(wanted)) == port:
            return True
    return False


class Network:
    def __init__(self, policies: list[dict[str, Any]]) -> None:
        self.policies = policies

    def _allowed(
        self, direction: str, subject: Pod, other: Pod, dest: Pod, port: int, protocol: str
    ) -> bool:
        kind, rules_key, peers_key = {
            "Ingress": ("Ingress", "ingress", "from"),
            "Egress": ("Egress", "egress", "to"),
        }[direction]
        applying = [
            p
            for p in self.policies
            if p["metadata"]["namespace"] == subject.namespace
            and selects(p["spec"]["podSelector"], subject.labels)
            and kind in p["spec"].get("policyTypes", ["Ingress"])
        ]
        if not applying:
            return True
        for policy in applying:
            for rule in policy["spec"].get(rules_key, []):
                peers = rule.get(peers_key)
                if (
                    not peers or any(peer_matches(p, subject.namespace, other) for p in peers)
                ) and (port_matches(rule.get("ports"), dest, port, protocol)):
                    return True
        return False

    def can_reach(self, source: Pod, dest: Pod, port: int, protocol: str = "TCP") -> bool:
        return self._allowed("Egress", source, dest, dest, port, protocol) and self._allowed(
            "Ingress", dest, source, dest, port, protocol
        )


def strimzi_listener_policies(docs: tuple[dict[str, Any], ...], namespace: str) -> list[dict]:
    policies = []
    for kafka in of_kind(docs, "Kafka"):
        name = kafka["metadata"]["name"]
        for listener in kafka["spec"]["kafka"]["listeners"]:
            policies.append(
                {
                    "metadata": {"name": f"{name}-network-policy-kafka", "namespace": namespace},
                    "spec": {
                        "podSelector": {
                            "matchLabels": {"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka"}
                        },
                        "policyTypes": ["Ingress"],
                        "ingress": [
                            {
                                "from": listener.get("networkPolicyPeers", []),
                                "ports": [{"port": listener["port"], "protocol": "TCP"}],
                            }
                        ],
                    },
                }
            )
    return policies


def http_calls(docs: tuple[dict[str, Any], ...]) -> set[tuple[str, str]]:
    """(caller, callee) for every service URL a service is configured with."""
    calls = set()
    for name in SERVICES:
        env = deployment_env(docs, by_name(docs, "Deployment", f"htk-{name}"))
        for variable, value in env.items():
            # HTK_PUBLIC_URL (the ingress host) and HTK_REPORTING_LICENCE_URL (a web page)
            # name no Service: skipped below.
            if variable.endswith("_URL") and isinstance(value, str):
                host = urlsplit(value).hostname or ""
                if host.removeprefix("htk-") in SERVICES:
                    calls.add((name, host.removeprefix("htk-")))
    return calls


def outside_calls(docs: tuple[dict[str, Any], ...]) -> dict[tuple[str, str], int]:
    """(caller, "kafka" or "smtp-relay") -> port, for the services configured with a broker
    address (HTK_KAFKA_BOOTSTRAP_SERVERS) or an SMTP relay (HTK_SMTP_HOST, HTK_SMTP_PORT)."""
    calls = {}
    for name in SERVICES:
        env = deployment_env(docs, by_name(docs, "Deployment", f"htk-{name}"))
        if "HTK_KAFKA_BOOTSTRAP_SERVERS" in env:
            calls[(name, "kafka")] = int(env["HTK_KAFKA_BOOTSTRAP_SERVERS"].rsplit(":", 1)[1])
        if env.get("HTK_SMTP_HOST"):
            calls[(name, "smtp-relay")] = int(env["HTK_SMTP_PORT"])
    return calls


World = tuple["Network", dict[str, Pod], set[tuple[str, str]], dict[tuple[str, str], int]]


@pytest.fixture(scope="module", params=["dev", "prod"])
def world(request: pytest.FixtureRequest) -> World:
    docs = rendered_overlay(request.param)
    namespace = of_kind(docs, "Namespace")[0]["metadata"]["name"]
    pods: dict[str, Pod] = {}
    for name in SERVICES:
        template = by_name(docs, "Deployment", f"htk-{name}")["spec"]["template"]
        ports = {p["name"]: p["containerPort"] for p in template["spec"]["containers"][0]["ports"]}
        pods[name] = Pod(name, namespace, template["metadata"]["labels"], ports)
    kafka = of_kind(docs, "Kafka")[0]["metadata"]["name"]
    mongo = of_kind(docs, "MongoDBCommunity")[0]["metadata"]["name"]
    elastic = of_kind(docs, "Elasticsearch")[0]["metadata"]["name"]
    pods["kafka"] = Pod(
        "kafka", namespace, {"strimzi.io/cluster": kafka, "strimzi.io/kind": "Kafka"}
    )
    pods["mongo"] = Pod("mongo", namespace, {"app": f"{mongo}-svc"})
    pods["elasticsearch"] = Pod(
        "elasticsearch", namespace, {"elasticsearch.k8s.elastic.co/cluster-name": elastic}
    )
    pods["ingress"] = Pod("ingress", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
    pods["dns"] = Pod("dns", "kube-system", {"k8s-app": "kube-dns"})
    pods["stranger"] = Pod("stranger", "other-team", {"app": "anything"})
    pods["neighbour"] = Pod("neighbour", namespace, {"app": "debug-shell"})
    # Outside the cluster (documentation address block; nothing is contacted).
    pods["smtp-relay"] = Pod("smtp-relay", "", {}, ip="192.0.2.25")
    pods["internet"] = Pod("internet", "", {}, ip="198.51.100.7")
    policies = of_kind(docs, "NetworkPolicy") + strimzi_listener_policies(docs, namespace)
    return Network(policies), pods, http_calls(docs), outside_calls(docs)


UPSTREAMS = ("catalogue", "submissions", "search", "reporting")


def test_only_the_gateway_receives_outside_traffic(world: World) -> None:
    net, pods, _, _ = world
    assert net.can_reach(pods["ingress"], pods["gateway"], 8000)
    for name in UPSTREAMS:
        assert not net.can_reach(pods["ingress"], pods[name], pods[name].ports["http"])
    for outsider in ("stranger", "neighbour"):
        for name in SERVICES:
            assert not net.can_reach(pods[outsider], pods[name], pods[name].ports["http"])


def test_services_reach_exactly_the_services_they_are_configured_to_call(world: World) -> None:
    net, pods, calls, _ = world
    assert {("gateway", name) for name in UPSTREAMS} <= calls
    for caller in SERVICES:
        for callee in SERVICES:
            if caller != callee:
                allowed = net.can_reach(pods[caller], pods[callee], pods[callee].ports["http"])
                assert allowed == ((caller, callee) in calls), f"{caller} -> {callee}"


def test_services_reach_only_their_own_dependencies(
    world: World, services: dict[str, ServiceFacts]
) -> None:
    net, pods, _, outside = world
    # The mail senders and the broker's clients, as configured; the code agrees on the broker.
    senders = {name for name, target in outside if target == "smtp-relay"}
    assert senders == {"gateway", "submissions"}
    clients = {name for name, target in outside if target == "kafka"}
    assert clients == {name for name in SERVICES if services[name].uses_broker}
    for name in SERVICES:
        assert net.can_reach(pods[name], pods["mongo"], 27017)
        assert net.can_reach(pods[name], pods["dns"], 53, "UDP")
        assert not net.can_reach(pods[name], pods["stranger"], 443)
        assert not net.can_reach(pods[name], pods["internet"], 443)
        # The services configured with an SMTP relay reach it on the configured port only.
        smtp_port = outside.get((name, "smtp-relay"))
        assert net.can_reach(pods[name], pods["smtp-relay"], 587) == (smtp_port == 587), name
        assert not net.can_reach(pods[name], pods["smtp-relay"], 25)
        # The services configured with a broker reach Kafka, the others not.
        kafka_port = outside.get((name, "kafka"))
        assert net.can_reach(pods[name], pods["kafka"], 9092) == (kafka_port == 9092), name
        reaches_search_index = net.can_reach(pods[name], pods["elasticsearch"], 9200)
        assert reaches_search_index == (name == "search"), name


def test_data_stores_refuse_everyone_else(world: World) -> None:
    net, pods, _, _ = world
    for outsider in ("stranger", "neighbour", "ingress"):
        assert not net.can_reach(pods[outsider], pods["mongo"], 27017)
        assert not net.can_reach(pods[outsider], pods["kafka"], 9092)
        assert not net.can_reach(pods[outsider], pods["elasticsearch"], 9200)


def test_the_evaluator_sees_an_opened_path() -> None:
    # Guard for the evaluator itself: an allow-all ingress on mongo lets the stranger in.
    docs = rendered_overlay("prod")
    namespace = of_kind(docs, "Namespace")[0]["metadata"]["name"]
    open_all = {
        "metadata": {"name": "oops", "namespace": namespace},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]},
    }
    mongo = Pod("mongo", namespace, {"app": "htk-mongo-svc"})
    stranger = Pod("stranger", "other-team", {})
    assert not Network(of_kind(docs, "NetworkPolicy")).can_reach(stranger, mongo, 27017)
    assert Network([*of_kind(docs, "NetworkPolicy"), open_all]).can_reach(stranger, mongo, 27017)
