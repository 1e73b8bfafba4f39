"""Each service signs in to Kafka as its own user, allowed only the topics its code uses; the
topic with personal data (catalogue.members.v1) is read by the gateway, submissions and
community only (community shows authors' names next to their messages and forgets them on erasure)."""

import ast
from pathlib import Path
from typing import Any

import pytest
from deploy_facts import (
    REPO,
    SERVICES,
    by_name,
    deployment_env,
    k8s_errors,
    of_kind,
    rendered_overlay,
)

from htk_contracts.topics import Topic

# Names and email addresses: the members topic and its dead letters.
PERSONAL = {Topic.CATALOGUE_MEMBERS.value, f"{Topic.CATALOGUE_MEMBERS.value}.dlt"}


def topics_named(files: list[Path]) -> set[str]:
    found = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "Topic":
                    found.add(Topic[node.attr].value)
    return found


def code_topics(service: str) -> tuple[set[str], set[str]]:
    """(read, written), from the code: main.py subscribes its consumers; the other modules name
    the topics they publish to (catalogue's events, submissions' outbox)."""
    package = REPO / f"services/{service}/src/htk_{service}"
    main = package / "main.py"
    others = [p for p in package.rglob("*.py") if p != main]
    return topics_named([main]), topics_named(others)


def acls(user: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for rule in user["spec"]["authorization"]["acls"]:
        resource = rule["resource"]
        assert resource.get("patternType") == "literal", "no wildcards"
        out.setdefault((resource["type"], resource["name"]), set()).update(rule["operations"])
    return out


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_its_own_user_with_the_topics_its_code_uses(
    name: str, overlay: str
) -> None:
    docs = rendered_overlay(overlay)
    kafka = of_kind(docs, "Kafka")[0]
    user = by_name(docs, "KafkaUser", f"htk-{name}")
    assert user["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"

    env = deployment_env(docs, by_name(docs, "Deployment", f"htk-{name}"))
    assert env["HTK_KAFKA_SASL_USERNAME"] == user["metadata"]["name"]
    # The password is the one the user operator writes into the Secret named after the user.
    assert env["HTK_KAFKA_SASL_PASSWORD"] == {
        "secretKeyRef": {"name": user["metadata"]["name"], "key": "password"}
    }

    reads, writes = code_topics(name)
    expected: dict[tuple[str, str], set[str]] = {}
    for topic in writes:
        expected[("topic", topic)] = {"Describe", "Write"}
    for topic in reads:
        expected[("topic", topic)] = {"Describe", "Read"}
        expected[("topic", f"{topic}.dlt")] = {"Describe", "Write"}
    if reads:
        expected[("group", f"{env['HTK_KAFKA_GROUP_PREFIX']}-{name}")] = {"Read"}
    assert acls(user) == expected


def test_the_members_topic_is_read_by_those_that_need_it_only(overlay: str) -> None:
    docs = rendered_overlay(overlay)
    readers, writers = set(), set()
    for user in of_kind(docs, "KafkaUser"):
        for (kind, topic), operations in acls(user).items():
            if kind == "topic" and topic in PERSONAL:
                if "Read" in operations:
                    readers.add(user["metadata"]["name"])
                if "Write" in operations:
                    writers.add(user["metadata"]["name"])
    # The operator reads dead letters to inspect them and writes them back to re-send them.
    assert readers == {"htk-gateway", "htk-submissions", "htk-community", "htk-operator"}
    assert writers == {
        "htk-catalogue",
        "htk-gateway",
        "htk-submissions",
        "htk-community",
        "htk-operator",
    }
    readme = (REPO / "deploy/README.md").read_text()
    assert all(topic in readme for topic in PERSONAL)


def test_the_broker_demands_sign_in_and_enforces_the_acls(overlay: str) -> None:
    kafka = of_kind(rendered_overlay(overlay), "Kafka")[0]["spec"]
    assert kafka["kafka"]["authorization"]["type"] == "simple"
    for listener in kafka["kafka"]["listeners"]:
        assert listener["authentication"]["type"] == "scram-sha-512", listener["name"]
    assert "userOperator" in kafka["entityOperator"]


def test_users_are_checked_against_strimzis_model() -> None:
    docs = rendered_overlay("prod")
    user = dict(by_name(docs, "KafkaUser", "htk-reporting"))
    assert k8s_errors(user) == []
    wrong = {**user, "spec": {**user["spec"], "authentication": {"type": "password"}}}
    assert any("authentication" in e for e in k8s_errors(wrong))
