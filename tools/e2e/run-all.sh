#!/usr/bin/env bash
# The whole end-to-end run on a laptop (docker, kind, kubectl, pulumi, node, npm on PATH; docs/e2e.md):
# create the kind cluster, pulumi up the local stack, check the mesh and Kafka, then destroy the stack
# and delete the cluster, whatever happened. E2E_KEEP=1 keeps both for a look around.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need docker kind kubectl pulumi node npm

teardown() {
    local rc=$?
    if [[ "$rc" != 0 ]]; then "$E2E_DIR/collect-logs.sh" || true; fi
    if [[ "${E2E_KEEP:-0}" == "1" ]]; then
        log "E2E_KEEP=1: stack $E2E_STACK and cluster $KIND_CLUSTER_NAME kept (tools/e2e/destroy.sh, tools/e2e/delete-cluster.sh)"
    else
        "$E2E_DIR/destroy.sh" || rc=1
        "$E2E_DIR/delete-cluster.sh" || rc=1
    fi
    if [[ "$rc" == 0 ]]; then log "end-to-end run passed"; else log "end-to-end run FAILED (logs: $E2E_WORK_DIR/logs)"; fi
    exit "$rc"
}
trap teardown EXIT

"$E2E_DIR/create-cluster.sh"
"$E2E_DIR/up.sh"
"$E2E_DIR/check-mesh.sh"
"$E2E_DIR/check-kafka.sh"
