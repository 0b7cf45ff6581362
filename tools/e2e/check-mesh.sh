#!/usr/bin/env bash
# Zero trust through the mesh, observed from inside the cluster:
#  1. a pod running as hello-api's declared caller (Pulumi.local.yaml: invokers.kubernetes kafka/checkout)
#     gets HTTP 200 and the service's answer;
#  2. a pod in the same namespace under an identity no service declares gets HTTP 403 with the body
#     "RBAC: access denied".
# Why 403 and not a reset: hello-api is a Knative service, so its callers are checked per Host at the
# waypoint in front of Kourier (an L7 ALLOW policy targeting the kourier-internal Service). A waypoint
# that denies a request for the caller's identity answers "RBAC: access denied" (Envoy's RBAC filter,
# HTTP 403); ztunnel, which enforces L4 policies, resets the connection instead (curl exit 56)
# (istio/istio.io content/en/docs/ambient/getting-started/enforce-auth-policies/index.md, both cases).
# A reset would not prove the identity rule here (a broken path resets too), so only 403 with
# "RBAC: access denied" passes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need kubectl pulumi node

cd "$REPO_ROOT"
url="$(stack_output services | json_get "$MESH_TARGET_SERVICE.kubernetes.url")"
host="${url#http://}"
host="${host%%/*}"
service_ns="$(cut -d. -f2 <<<"$host")"
log "target $url (namespace $service_ns); caller $MESH_CALLER_NAMESPACE/$MESH_CALLER_SERVICE_ACCOUNT; undeclared $MESH_CALLER_NAMESPACE/$MESH_UNDECLARED_SERVICE_ACCOUNT"

# The stack's custom resources are not awaited by pulumi up; wait for what the call path needs.
k wait -n "$service_ns" "ksvc/$MESH_TARGET_SERVICE" --for=condition=Ready --timeout=10m
# Fully qualified: Istio's own networking.istio.io Gateway shares the short name.
waypoints=gateways.gateway.networking.k8s.io
if [[ -n "$(k get "$waypoints" -A -l istio.io/waypoint-for -o name 2>/dev/null)" ]]; then
    k wait "$waypoints" -A -l istio.io/waypoint-for --for=condition=Programmed --timeout=5m
fi

# The caller identities are workloads of the team, not of the platform: the run provides them.
created=()
for sa in "$MESH_CALLER_SERVICE_ACCOUNT" "$MESH_UNDECLARED_SERVICE_ACCOUNT"; do
    if ! k get serviceaccount -n "$MESH_CALLER_NAMESPACE" "$sa" >/dev/null 2>&1; then
        k create serviceaccount -n "$MESH_CALLER_NAMESPACE" "$sa" >/dev/null
        created+=("$sa")
    fi
done
cleanup() {
    delete_pod "$MESH_CALLER_NAMESPACE" e2e-mesh-declared || true
    delete_pod "$MESH_CALLER_NAMESPACE" e2e-mesh-undeclared || true
    for sa in ${created[@]+"${created[@]}"}; do k delete serviceaccount -n "$MESH_CALLER_NAMESPACE" "$sa" --ignore-not-found >/dev/null || true; done
}
trap cleanup EXIT

# A curl pod under a given service account, admitted by the namespace's `restricted` Pod Security level.
# It retries for up to `attempts` x 10 s until the expected status (a scaled-to-zero service starts on
# the first request; policies reach ztunnel and the waypoint asynchronously), then prints the last answer.
run_curl() {
    local pod="$1" sa="$2" expect="$3" attempts="$4"
    delete_pod "$MESH_CALLER_NAMESPACE" "$pod"
    k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  namespace: $MESH_CALLER_NAMESPACE
  labels: { app.kubernetes.io/name: $pod, app.kubernetes.io/part-of: platform-e2e }
spec:
  serviceAccountName: $sa
  automountServiceAccountToken: false
  restartPolicy: Never
  activeDeadlineSeconds: 900
  securityContext:
    runAsNonRoot: true
    runAsUser: 100
    seccompProfile: { type: RuntimeDefault }
  containers:
    - name: curl
      image: $CURL_IMAGE
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL] }
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
            code=\$(curl -s -o /tmp/body -w '%{http_code}' --max-time 20 "\$URL"); rc=\$?
            echo "attempt \$i: HTTP \$code (curl exit \$rc)"
            [ "\$code" = "\$EXPECT" ] && break
            sleep 10
          done
          echo "--- body"
          cat /tmp/body 2>/dev/null
          echo
YAML
    local phase
    phase="$(wait_pod_done "$MESH_CALLER_NAMESPACE" "$pod" 900)"
    k logs -n "$MESH_CALLER_NAMESPACE" "$pod" --request-timeout=30s
    [[ "$phase" == Succeeded ]] || die "pod $pod ended $phase"
}

log "1/2 declared caller $MESH_CALLER_SERVICE_ACCOUNT → $MESH_TARGET_SERVICE: expect HTTP 200"
out="$(run_curl e2e-mesh-declared "$MESH_CALLER_SERVICE_ACCOUNT" 200 30)"
printf '%s\n' "$out" >&2
grep -q "HTTP 200 " <<<"$out" || die "the declared caller did not get HTTP 200 from $url"
# helloworld-go answers "Hello <TARGET>!" (knative/docs code-samples/serving/hello-world/helloworld-go).
grep -q "Hello" <<<"$out" || die "HTTP 200 from $url without the service's greeting: not the service answering"

log "2/2 undeclared identity $MESH_UNDECLARED_SERVICE_ACCOUNT → $MESH_TARGET_SERVICE: expect HTTP 403 RBAC: access denied"
out="$(run_curl e2e-mesh-undeclared "$MESH_UNDECLARED_SERVICE_ACCOUNT" 403 3)"
printf '%s\n' "$out" >&2
grep -q "HTTP 200 " <<<"$out" && die "an undeclared identity reached $url"
grep -q "HTTP 403 " <<<"$out" || die "the undeclared identity was not answered 403 by the waypoint (see the attempts above)"
grep -q "RBAC: access denied" <<<"$out" || die "HTTP 403 without \"RBAC: access denied\": not the mesh policy denying"
log "mesh: declared caller allowed, undeclared identity denied at the waypoint"
