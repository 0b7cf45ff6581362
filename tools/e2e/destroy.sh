#!/usr/bin/env bash
# `pulumi destroy` of the local stack, then removes the stack. The stack protects its stateful
# resources (platform:protect, default true: Kafka cluster and topics), which is what a user gets; a
# throwaway e2e stack lifts that in its own state first (`pulumi state unprotect --all`), leaving
# Pulumi.local.yaml as it is.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need pulumi

cd "$REPO_ROOT"
if ! timeout 120 pulumi stack select "$E2E_STACK" >/dev/null 2>&1; then
    log "no stack $E2E_STACK in $PULUMI_BACKEND_URL: nothing to destroy"
    exit 0
fi
timeout 300 pulumi state unprotect --all --yes --stack "$E2E_STACK"
log "destroy stack $E2E_STACK (at most $E2E_DESTROY_TIMEOUT_MINUTES min)"
timeout $((E2E_DESTROY_TIMEOUT_MINUTES * 60)) pulumi destroy --yes --skip-preview --stack "$E2E_STACK"
timeout 120 pulumi stack rm --yes --stack "$E2E_STACK"
