"""Compose init and Strimzi KafkaTopics create the same topics: those in the contracts."""

import re
from typing import Any

from deploy_facts import DEPLOY, of_kind, rendered_overlay

from htk_contracts.topics import COMPACTED_TOPICS, Topic, dead_letter_topic

SCRIPT = DEPLOY / "compose/kafka/create-topics.sh"
# Broker-side settings that differ with the cluster size, not with the topic's purpose.
REPLICATION_CONFIG = {"min.insync.replicas"}


def compose_topics() -> dict[str, tuple[int, dict[str, str]]]:
    topics = {}
    for line in SCRIPT.read_text().splitlines():
        if match := re.fullmatch(r"create (\S+) (\d+)((?: \S+=\S+)*)", line.strip()):
            configs = dict(item.split("=", 1) for item in match.group(3).split())
            topics[match.group(1)] = (int(match.group(2)), configs)
    return topics


def k8s_topics(docs: tuple[dict[str, Any], ...]) -> dict[str, tuple[int, dict[str, str]]]:
    topics = {}
    for topic in of_kind(docs, "KafkaTopic"):
        name = topic["spec"].get("topicName", topic["metadata"]["name"])
        config = {
            k: str(v) for k, v in topic["spec"]["config"].items() if k not in REPLICATION_CONFIG
        }
        topics[name] = (topic["spec"]["partitions"], config)
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "htk-kafka"
    return topics


EXPECTED = {str(t) for t in Topic} | {dead_letter_topic(t) for t in Topic}


def test_compose_creates_every_contract_topic_and_its_dead_letters() -> None:
    topics = compose_topics()
    assert set(topics) == EXPECTED
    for name, (_, config) in topics.items():
        compacted = name in COMPACTED_TOPICS
        assert (config["cleanup.policy"] == "compact") == compacted, name


def test_kubernetes_declares_the_same_topics_as_compose(overlay: str) -> None:
    assert k8s_topics(rendered_overlay(overlay)) == compose_topics()


def test_the_script_fails_loudly_and_names_replication_once() -> None:
    text = SCRIPT.read_text()
    assert "set -euo pipefail" in text
    assert "--if-not-exists" in text  # re-running compose up is safe
    assert text.count("--replication-factor") == 1


def test_dead_letters_are_kept_longer_than_the_stream() -> None:
    topics = compose_topics()
    stream = int(topics[Topic.SUBMISSIONS_ACTIONS][1]["retention.ms"])
    for topic in Topic:
        assert int(topics[dead_letter_topic(topic)][1]["retention.ms"]) > stream


def test_the_scaling_notes_give_the_real_partition_counts() -> None:
    notes = (DEPLOY / "README.md").read_text()
    for name, (partitions, _) in compose_topics().items():
        if not name.endswith(".dlt"):
            assert re.search(rf"\| `{re.escape(name)}` \| {partitions} \|", notes), name
