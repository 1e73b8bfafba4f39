#!/bin/bash
# Creates the platform's topics before any service starts (the compose step `kafka-init`).
# One line per topic: name, partitions, topic configs. Kubernetes declares the same topics as
# Strimzi KafkaTopic resources (deploy/k8s/base/kafka/topics.yaml); tests/deploy checks that both
# list exactly the topics in htk_contracts.topics, with the same partitions and configs.
# Replication is 1 here (one broker); Kubernetes uses 3 with min.insync.replicas=2.
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"

create() {
    local name=$1 partitions=$2
    shift 2
    local configs=()
    for config in "$@"; do configs+=(--config "$config"); done
    /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
        --topic "$name" --partitions "$partitions" --replication-factor 1 "${configs[@]}"
}

# Compacted state topics: the latest event per key is the aggregate's current state.
create catalogue.plan.v1 1 cleanup.policy=compact min.compaction.lag.ms=3600000 delete.retention.ms=86400000
create catalogue.organisations.v1 3 cleanup.policy=compact min.compaction.lag.ms=3600000 delete.retention.ms=86400000
create catalogue.members.v1 3 cleanup.policy=compact min.compaction.lag.ms=3600000 delete.retention.ms=86400000
# The action stream: consumers scale up to its partition count.
# Requests and decisions for notifications: read once, kept a week.
create catalogue.requests.v1 3 cleanup.policy=delete retention.ms=604800000
create submissions.actions.v1 12 cleanup.policy=delete retention.ms=2592000000
# Partner requests and decisions, for notifications.
create submissions.partnerships.v1 3 cleanup.policy=delete retention.ms=2592000000
# Discussion messages and topics (community), for notifications and indexes.
create community.discussion.v1 3 cleanup.policy=delete retention.ms=2592000000
# News and events (community): each event the item's whole public state, for projections.
create community.news.v1 3 cleanup.policy=delete retention.ms=2592000000
create community.events.v1 3 cleanup.policy=delete retention.ms=2592000000
create community.practices.v1 3 cleanup.policy=delete retention.ms=2592000000
# Dead letters: rare, read by people; kept long enough to be looked at and replayed.
create catalogue.plan.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create catalogue.organisations.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create catalogue.members.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create catalogue.requests.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create submissions.actions.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create submissions.partnerships.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create community.discussion.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create community.news.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create community.events.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000
create community.practices.v1.dlt 1 cleanup.policy=delete retention.ms=7776000000

/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --list
