#!/usr/bin/env bash
# Golden-path messaging, observed on the wire: a message published to the topic under the publisher's
# identity (hello-api, which `publishes: [orders]`) is read back under the subscriber's identity
# (hello-wasm, which `subscribes: [orders]`).
# The demo images cannot show this (helloworld-go and spin-rust-hello neither produce nor consume), so
# the run uses Kafka's console producer and consumer from the brokers' own Strimzi image, in pods that
# run as the two services' service accounts in their namespaces: the mesh sees their identities (the
# Kafka namespace admits only declared clients on the SCRAM listener) and the brokers authenticate their
# SCRAM-SHA-512 users and apply their ACLs (Write on the topic for one, Read on the topic and on groups
# prefixed with its name for the other).
# The platform delivers each client's credential as the Secret kafka-<client>-credentials (keys username,
# password) in the client's own namespace (docs/kafka.md); the pods read it from there, as the services
# do (KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD by secretKeyRef). Nothing is copied.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need kubectl pulumi node

cd "$REPO_ROOT"
kafka="$(stack_output kafka)"
bootstrap="$(json_get kubernetes.bootstrapServers <<<"$kafka")"
bootstrap_host="${bootstrap%%:*}"
kafka_ns="$(cut -d. -f2 <<<"$bootstrap_host")"
cluster="${bootstrap_host%%-kafka-bootstrap.*}"
client() { json_get "kubernetes.clients.$1.$2" <<<"$kafka"; }
# One assignment per line: errexit sees only the last command substitution of a line.
pub_ns="$(client "$KAFKA_PUBLISHER" namespace)"
pub_sa="$(client "$KAFKA_PUBLISHER" serviceAccount)"
pub_user="$(client "$KAFKA_PUBLISHER" identity)"
sub_ns="$(client "$KAFKA_SUBSCRIBER" namespace)"
sub_sa="$(client "$KAFKA_SUBSCRIBER" serviceAccount)"
sub_user="$(client "$KAFKA_SUBSCRIBER" identity)"
log "Kafka $cluster in $kafka_ns ($bootstrap); publisher $pub_ns/$pub_sa, subscriber $sub_ns/$sub_sa, topic $KAFKA_TOPIC"

# Custom resources are not awaited by pulumi up: wait for the cluster, the topic and the users.
k wait -n "$kafka_ns" "kafka/$cluster" --for=condition=Ready --timeout=15m
k wait -n "$kafka_ns" kafkatopic -l "strimzi.io/cluster=$cluster" --for=condition=Ready --timeout=5m
k wait -n "$kafka_ns" kafkauser -l "strimzi.io/cluster=$cluster" --for=condition=Ready --timeout=5m
# A node-pool pod (broker or controller, label strimzi.io/pool-name) runs the Kafka image; the entity
# operator, also labelled with the cluster, runs the operator image.
image="$(k get pods -n "$kafka_ns" -l "strimzi.io/cluster=$cluster,strimzi.io/pool-name" -o jsonpath='{.items[0].spec.containers[0].image}')"
[[ -n "$image" ]] || die "no Kafka pod of $cluster in $kafka_ns"

cleanup() {
    delete_pod "$pub_ns" e2e-kafka-publish || true
    delete_pod "$sub_ns" e2e-kafka-subscribe || true
}
trap cleanup EXIT

# The client's credential Secret in its own namespace, as the platform writes it (fails loudly if absent).
credential_secret() {
    local client="$1" ns="$2" name="kafka-$1-credentials"
    k get secret -n "$ns" "$name" -o jsonpath='{.data.password}' | grep -q . ||
        die "no credential Secret $ns/$name for Kafka client $client (the platform writes it with the KafkaUser)"
    printf '%s' "$name"
}

# A pod running Kafka's console tools as `sa` in `ns` with the client's SCRAM credential.
run_kafka_pod() {
    local pod="$1" ns="$2" sa="$3" secret="$4" script="$5"
    local container
    container="$(cat <<YAML
    - name: kafka
      image: $image
      env:
        - { name: BOOTSTRAP, value: "$bootstrap" }
        - { name: TOPIC, value: "$KAFKA_TOPIC" }
        - { name: MESSAGE, value: "$message" }
        - { name: GROUP, value: "$KAFKA_SUBSCRIBER-e2e" }
        - { name: KAFKA_SASL_USERNAME, valueFrom: { secretKeyRef: { name: $secret, key: username } } }
        - { name: KAFKA_SASL_PASSWORD, valueFrom: { secretKeyRef: { name: $secret, key: password } } }
      command: [/bin/bash, -ec]
      args:
        - |
          # SCRAM-SHA-512 over the plaintext listener inside the mesh (ztunnel carries it in mTLS), the
          # settings the platform gives its services (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM).
          {
            echo security.protocol=SASL_PLAINTEXT
            echo sasl.mechanism=SCRAM-SHA-512
            echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"\$KAFKA_SASL_USERNAME\" password=\"\$KAFKA_SASL_PASSWORD\";"
          } > /tmp/client.properties
          $script
YAML
)"
    run_restricted_pod "$ns" "$pod" "$sa" 1001 600 "$container"
}

message="platform-e2e-$(date -u +%Y%m%dT%H%M%SZ)-$RANDOM"

log "1/2 publish \"$message\" to $KAFKA_TOPIC as $pub_ns/$pub_sa (KafkaUser $pub_user)"
pub_secret="$(credential_secret "$KAFKA_PUBLISHER" "$pub_ns")"
# The scripts run in the pod's shell (single quotes on purpose).
# shellcheck disable=SC2016
# --producer.config is accepted by every Kafka 4.x console producer (deprecated in 4.2 for --command-config).
run_kafka_pod e2e-kafka-publish "$pub_ns" "$pub_sa" "$pub_secret" \
    'echo "$MESSAGE" | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --producer.config /tmp/client.properties && echo published' >/dev/null

log "2/2 read $KAFKA_TOPIC as $sub_ns/$sub_sa (KafkaUser $sub_user, group $KAFKA_SUBSCRIBER-e2e)"
sub_secret="$(credential_secret "$KAFKA_SUBSCRIBER" "$sub_ns")"
# shellcheck disable=SC2016
out="$(run_kafka_pod e2e-kafka-subscribe "$sub_ns" "$sub_sa" "$sub_secret" \
    '/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --group "$GROUP" --from-beginning --timeout-ms 120000 --consumer.config /tmp/client.properties || true')"
grep -qx "$message" <<<"$out" || die "the subscriber did not receive \"$message\" from $KAFKA_TOPIC within 120 s"
log "kafka: $KAFKA_PUBLISHER's message reached $KAFKA_SUBSCRIBER through $KAFKA_TOPIC"
