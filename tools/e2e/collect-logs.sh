#!/usr/bin/env bash
# After a failure: what the cluster looked like, into $E2E_WORK_DIR/logs (the workflow uploads it).
# Best effort: every command is bounded and a failing one does not stop the others.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e
out="$E2E_WORK_DIR/logs"
mkdir -p "$out"
E2E_KUBECTL_DEADLINE=120
k get nodes -o wide >"$out/nodes.txt" 2>&1
k get pods -A -o wide >"$out/pods.txt" 2>&1
k get events -A --sort-by=.lastTimestamp >"$out/events.txt" 2>&1
k get kafka,kafkanodepool,kafkatopic,kafkauser -A -o yaml >"$out/strimzi.yaml" 2>&1
k get ksvc,knativeserving,spinapp,gateway,authorizationpolicy -A -o yaml >"$out/platform-crs.yaml" 2>&1
k get pods -A --field-selector=status.phase!=Running,status.phase!=Succeeded -o name 2>/dev/null |
    while read -r pod; do echo "$pod"; done >"$out/not-running.txt"
k describe pods -A >"$out/pods-describe.txt" 2>&1
timeout 300 kind export logs "$out/kind" --name "$KIND_CLUSTER_NAME" >/dev/null 2>&1
log "cluster state written to $out"
exit 0
