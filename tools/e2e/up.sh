#!/usr/bin/env bash
# `pulumi up` of the local stack (Pulumi.local.yaml) on the kind cluster, through the project's own deploy
# path: npm run deploy selects or creates the stack on a local file backend, probes the cluster's API
# endpoint, previews with every policy pack, stops on a mandatory violation, runs up. Bounded by
# --timeout-minutes, with `timeout` as the backstop.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need pulumi kubectl node npm

k cluster-info --request-timeout=30s >/dev/null || die "context $KUBE_CONTEXT does not answer: run tools/e2e/create-cluster.sh"
mkdir -p "$E2E_WORK_DIR/state"
log "deploy stack $E2E_STACK to $KUBE_CONTEXT (backend $PULUMI_BACKEND_URL, at most $E2E_UP_TIMEOUT_MINUTES min)"
cd "$REPO_ROOT"
timeout $(((E2E_UP_TIMEOUT_MINUTES + 5) * 60)) \
    npm run --silent deploy -- --stack "$E2E_STACK" --backend "$PULUMI_BACKEND_URL" --timeout-minutes "$E2E_UP_TIMEOUT_MINUTES"
