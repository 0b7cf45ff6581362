#!/usr/bin/env bash
# Zero trust through the mesh, observed from inside the cluster. Each denial is paired with an allowed
# call on the same path from the same namespace, so the two differ only by the caller's identity.
#  L7, at the waypoint (hello-api is a Knative service: its callers are checked per Host at the waypoint
#  in front of Kourier, an ALLOW policy targeting the kourier-internal Service):
#   1. a pod running as hello-api's declared caller (Pulumi.local.yaml: invokers.kubernetes kafka/checkout)
#      gets HTTP 200 and the service's answer;
#   2. a pod under an identity no service declares gets HTTP 403 with the body "RBAC: access denied".
#  L4, at ztunnel (hello-wasm's callers policy selects its pods; hello-api `calls: [hello-wasm]`):
#   3. a pod running as hello-api gets HTTP 200 from hello-wasm;
#   4. a pod under an undeclared identity has its connection reset (curl exit 56, no HTTP answer).
# Istio documents both observables: a waypoint denying an identity answers "RBAC: access denied" (Envoy's
# RBAC filter, HTTP 403) and a ztunnel-enforced denial makes curl exit 56 (istio/istio.io
# content/en/docs/ambient/getting-started/enforce-auth-policies/index.md). A reset alone would not tell a
# policy from a broken path; the allowed call before it does.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need kubectl pulumi node

cd "$REPO_ROOT"
services="$(stack_output services)"
url_of() { json_get "$1.kubernetes.url" <<<"$services"; }
# cluster.local/ns/<namespace>/sa/<service account>
identity_of() { json_get "$1.kubernetes.identity" <<<"$services"; }
l7_url="$(url_of "$MESH_TARGET_SERVICE")"
l4_url="$(url_of "$MESH_L4_TARGET_SERVICE")"
l4_identity="$(identity_of "$MESH_L4_CALLER_SERVICE")"
l4_ns="$(cut -d/ -f3 <<<"$l4_identity")"
l4_sa="$(cut -d/ -f5 <<<"$l4_identity")"
namespace_of_url() {
    local host="${1#http://}"
    cut -d. -f2 <<<"${host%%/*}"
}

# The stack's custom resources are not awaited by pulumi up; wait for what the call paths need.
k wait -n "$(namespace_of_url "$l7_url")" "ksvc/$MESH_TARGET_SERVICE" --for=condition=Ready --timeout=10m
k wait -n "$(namespace_of_url "$l4_url")" pods -l "app.kubernetes.io/name=$MESH_L4_TARGET_SERVICE" --for=condition=Ready --timeout=10m
# Fully qualified: Istio's own networking.istio.io Gateway shares the short name.
waypoints=gateways.gateway.networking.k8s.io
if [[ -n "$(k get "$waypoints" -A -l istio.io/waypoint-for -o name 2>/dev/null)" ]]; then
    k wait "$waypoints" -A -l istio.io/waypoint-for --for=condition=Programmed --timeout=5m
fi

# The callers are the team's workloads, not the platform's: the run provides their service accounts
# when the cluster has none, and removes what it created.
created=()
pods=()
ensure_sa() {
    if ! k get serviceaccount -n "$1" "$2" >/dev/null 2>&1; then
        k create serviceaccount -n "$1" "$2" >/dev/null
        created+=("$1/$2")
    fi
}
cleanup() {
    local p
    for p in ${pods[@]+"${pods[@]}"}; do delete_pod "${p%%/*}" "${p#*/}" || true; done
    for p in ${created[@]+"${created[@]}"}; do k delete serviceaccount -n "${p%%/*}" "${p#*/}" --ignore-not-found >/dev/null || true; done
}
trap cleanup EXIT
ensure_sa "$MESH_CALLER_NAMESPACE" "$MESH_CALLER_SERVICE_ACCOUNT"
ensure_sa "$MESH_CALLER_NAMESPACE" "$MESH_UNDECLARED_SERVICE_ACCOUNT"
ensure_sa "$l4_ns" "$MESH_UNDECLARED_SERVICE_ACCOUNT"
pods=("$MESH_CALLER_NAMESPACE/e2e-mesh-l7-declared" "$MESH_CALLER_NAMESPACE/e2e-mesh-l7-undeclared" "$l4_ns/e2e-mesh-l4-declared" "$l4_ns/e2e-mesh-l4-undeclared")

# A curl pod under a service account, admitted by the namespace's `restricted` Pod Security level. It
# retries up to `attempts` times, 10 s apart, until the expected HTTP status ("000": no HTTP answer) (a
# scaled-to-zero service starts on the first request; policies reach ztunnel and the waypoint
# asynchronously), then prints the last answer's body.
run_curl() {
    local ns="$1" pod="$2" sa="$3" url="$4" expect="$5" attempts="$6"
    local container
    container="$(cat <<YAML
    - name: curl
      image: $CURL_IMAGE
      env:
        - { name: URL, value: "$url" }
        - { name: EXPECT, value: "$expect" }
        - { name: ATTEMPTS, value: "$attempts" }
      command:
        - /bin/sh
        - -c
        - |
          i=0
          while [ "\$i" -lt "\$ATTEMPTS" ]; do
            i=\$((i + 1))
            rm -f /tmp/body
            code=\$(curl -s -o /tmp/body -w '%{http_code}' --max-time 20 "\$URL"); rc=\$?
            echo "attempt \$i: HTTP \$code (curl exit \$rc)"
            [ "\$code" = "\$EXPECT" ] && break
            sleep 10
          done
          echo "--- body"
          cat /tmp/body 2>/dev/null
          echo
YAML
)"
    run_restricted_pod "$ns" "$pod" "$sa" 100 900 "$container"
}

log "1/4 L7: declared caller $MESH_CALLER_NAMESPACE/$MESH_CALLER_SERVICE_ACCOUNT → $l7_url: expect HTTP 200"
out="$(run_curl "$MESH_CALLER_NAMESPACE" e2e-mesh-l7-declared "$MESH_CALLER_SERVICE_ACCOUNT" "$l7_url" 200 30)"
grep -q "HTTP 200 " <<<"$out" || die "the declared caller did not get HTTP 200 from $l7_url"
# helloworld-go answers "Hello <TARGET>!" (knative/docs code-samples/serving/hello-world/helloworld-go).
grep -q "Hello" <<<"$out" || die "HTTP 200 from $l7_url without the service's greeting: not the service answering"

log "2/4 L7: undeclared $MESH_CALLER_NAMESPACE/$MESH_UNDECLARED_SERVICE_ACCOUNT → $l7_url: expect HTTP 403 RBAC: access denied"
out="$(run_curl "$MESH_CALLER_NAMESPACE" e2e-mesh-l7-undeclared "$MESH_UNDECLARED_SERVICE_ACCOUNT" "$l7_url" 403 3)"
if grep -q "HTTP 200 " <<<"$out"; then die "an undeclared identity reached $l7_url"; fi
grep -q "HTTP 403 " <<<"$out" || die "the undeclared identity was not answered 403 by the waypoint (see the attempts above)"
grep -q "RBAC: access denied" <<<"$out" || die "HTTP 403 without \"RBAC: access denied\": not the mesh policy denying"

log "3/4 L4: declared caller $l4_ns/$l4_sa ($MESH_L4_CALLER_SERVICE) → $l4_url: expect HTTP 200"
out="$(run_curl "$l4_ns" e2e-mesh-l4-declared "$l4_sa" "$l4_url" 200 30)"
grep -q "HTTP 200 " <<<"$out" || die "$MESH_L4_CALLER_SERVICE did not get HTTP 200 from $l4_url"

log "4/4 L4: undeclared $l4_ns/$MESH_UNDECLARED_SERVICE_ACCOUNT → $l4_url: expect the connection reset by ztunnel (curl exit 56)"
out="$(run_curl "$l4_ns" e2e-mesh-l4-undeclared "$MESH_UNDECLARED_SERVICE_ACCOUNT" "$l4_url" 000 3)"
if grep -Eq "HTTP [1-9][0-9]{2} " <<<"$out"; then die "an undeclared identity got an HTTP answer from $l4_url"; fi
grep -q "HTTP 000 (curl exit 56)" <<<"$out" || die "the undeclared identity's connection was not reset (curl exit 56; see the attempts above)"
log "mesh: declared callers allowed; undeclared identities denied at the waypoint (403) and at ztunnel (reset)"
