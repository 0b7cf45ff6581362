#!/usr/bin/env bash
# Golden-path messaging, observed on the wire: a message published to the topic under the publisher's
# identity (hello-api, which `publishes: [orders]`) is read back under the subscriber's identity
# (hello-wasm, which `subscribes: [orders]`).
# The demo images cannot show this (helloworld-go and spin-rust-hello neither produce nor consume), so
# the run uses Kafka's console producer and consumer from the brokers' own Strimzi image, in pods that
# run as the two services' service accounts in their namespaces: the mesh sees their identities (the
# Kafka namespace admits only declared clients on 9093) and the brokers authenticate their KafkaUser
# certificates and apply their ACLs (Write on the topic for one, Read on the topic and on groups
# prefixed with its name for the other).
# The User Operator writes each KafkaUser secret in the Kafka namespace only (docs/kafka.md); when the
# client's namespace has no secret of that name, the run copies it there for the pods and deletes the
# copy afterwards.
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

copies=()
cleanup() {
    delete_pod "$pub_ns" e2e-kafka-publish || true
    delete_pod "$sub_ns" e2e-kafka-subscribe || true
    local c
    for c in ${copies[@]+"${copies[@]}"}; do k delete secret -n "${c%%/*}" "${c#*/}" --ignore-not-found >/dev/null || true; done
}
trap cleanup EXIT

# Copies a secret of the Kafka namespace into the client's namespace under a new name.
copy_secret() {
    local from="$1" ns="$2" to="$3"
    k get secret -n "$kafka_ns" "$from" -o json |
        node -e '
            const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
            const [ns, name] = process.argv.slice(1);
            console.log(JSON.stringify({ apiVersion: "v1", kind: "Secret", type: s.type,
                metadata: { name, namespace: ns, labels: { "app.kubernetes.io/part-of": "platform-e2e" } }, data: s.data }));
        ' "$ns" "$to" |
        k apply -f - >/dev/null
    copies+=("$ns/$to")
}

# Sets USER_SECRET to the client certificate secret of `user` in namespace `ns`: the platform's own
# copy if there is one, else a copy made for the run (not in a subshell: cleanup must see the copy).
user_secret() {
    local user="$1" ns="$2"
    if k get secret -n "$ns" "$user" -o jsonpath='{.data.user\.p12}' 2>/dev/null | grep -q .; then
        USER_SECRET="$user"
    else
        copy_secret "$user" "$ns" "e2e-kafka-$user"
        USER_SECRET="e2e-kafka-$user"
    fi
}

# A pod running Kafka's console tools as `sa` in `ns` with the user's certificate and the cluster CA.
run_kafka_pod() {
    local pod="$1" ns="$2" sa="$3" user_secret="$4" ca_secret="$5" script="$6"
    delete_pod "$ns" "$pod"
    k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  namespace: $ns
  labels: { app.kubernetes.io/name: $pod, app.kubernetes.io/part-of: platform-e2e }
spec:
  serviceAccountName: $sa
  automountServiceAccountToken: false
  restartPolicy: Never
  activeDeadlineSeconds: 600
  securityContext:
    runAsNonRoot: true
    runAsUser: 1001
    seccompProfile: { type: RuntimeDefault }
  containers:
    - name: kafka
      image: $image
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL] }
      env:
        - { name: BOOTSTRAP, value: "$bootstrap" }
        - { name: TOPIC, value: "$KAFKA_TOPIC" }
        - { name: MESSAGE, value: "$message" }
        - { name: GROUP, value: "$KAFKA_SUBSCRIBER-e2e" }
      command: [/bin/bash, -ec]
      args:
        - |
          # TLS client authentication with the KafkaUser certificate (Strimzi user secret: user.p12 +
          # user.password) against the cluster CA (secret <cluster>-cluster-ca-cert: ca.crt).
          {
            echo security.protocol=SSL
            echo ssl.truststore.type=PEM
            echo ssl.truststore.location=/etc/kafka-ca/ca.crt
            echo ssl.keystore.type=PKCS12
            echo ssl.keystore.location=/etc/kafka-user/user.p12
            echo "ssl.keystore.password=\$(cat /etc/kafka-user/user.password)"
          } > /tmp/client.properties
          $script
      volumeMounts:
        - { name: user, mountPath: /etc/kafka-user, readOnly: true }
        - { name: ca, mountPath: /etc/kafka-ca, readOnly: true }
  volumes:
    - { name: user, secret: { secretName: $user_secret } }
    - { name: ca, secret: { secretName: $ca_secret } }
YAML
    local phase
    phase="$(wait_pod_done "$ns" "$pod" 600)"
    # To the job log as well: the caller captures stdout, and a failure exits before it could print it.
    k logs -n "$ns" "$pod" --request-timeout=30s | tee /dev/stderr
    [[ "$phase" == Succeeded ]] || die "pod $ns/$pod ended $phase"
}

message="platform-e2e-$(date -u +%Y%m%dT%H%M%SZ)-$RANDOM"
ca="$cluster-cluster-ca-cert"

log "1/2 publish \"$message\" to $KAFKA_TOPIC as $pub_ns/$pub_sa (KafkaUser $pub_user)"
user_secret "$pub_user" "$pub_ns"
pub_secret="$USER_SECRET"
copy_secret "$ca" "$pub_ns" "e2e-kafka-ca"
# The scripts run in the pod's shell (single quotes on purpose).
# shellcheck disable=SC2016
# --producer.config is accepted by every Kafka 4.x console producer (deprecated in 4.2 for --command-config).
run_kafka_pod e2e-kafka-publish "$pub_ns" "$pub_sa" "$pub_secret" e2e-kafka-ca \
    'echo "$MESSAGE" | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --producer.config /tmp/client.properties && echo published' >/dev/null

log "2/2 read $KAFKA_TOPIC as $sub_ns/$sub_sa (KafkaUser $sub_user, group $KAFKA_SUBSCRIBER-e2e)"
user_secret "$sub_user" "$sub_ns"
sub_secret="$USER_SECRET"
[[ "$sub_ns" == "$pub_ns" ]] || copy_secret "$ca" "$sub_ns" "e2e-kafka-ca"
# shellcheck disable=SC2016
out="$(run_kafka_pod e2e-kafka-subscribe "$sub_ns" "$sub_sa" "$sub_secret" e2e-kafka-ca \
    '/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --group "$GROUP" --from-beginning --timeout-ms 120000 --consumer.config /tmp/client.properties || true')"
grep -qx "$message" <<<"$out" || die "the subscriber did not receive \"$message\" from $KAFKA_TOPIC within 120 s"
log "kafka: $KAFKA_PUBLISHER's message reached $KAFKA_SUBSCRIBER through $KAFKA_TOPIC"
