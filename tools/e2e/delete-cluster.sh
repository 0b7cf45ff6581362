#!/usr/bin/env bash
# Deletes the kind cluster of the run (and with it anything destroy left behind).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need kind
log "kind delete cluster $KIND_CLUSTER_NAME"
timeout 300 kind delete cluster --name "$KIND_CLUSTER_NAME"
