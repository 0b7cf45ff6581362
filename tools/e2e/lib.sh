# shellcheck shell=bash
# Shared by the tools/e2e scripts (sourced, not run). Every command that talks to a cluster, a registry
# or the Pulumi CLI runs under a deadline, so a broken cluster fails the run instead of hanging it.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$E2E_DIR/../.." && pwd)"
# shellcheck source=tools/e2e/versions.env
source "$E2E_DIR/versions.env"
# shellcheck source=tools/e2e/demo.env
source "$E2E_DIR/demo.env"

# Scratch space of a run: the Pulumi state, logs. Kept out of git (.gitignore: .e2e/).
E2E_WORK_DIR="${E2E_WORK_DIR:-$REPO_ROOT/.e2e}"
# A local (file) backend, as `pulumi login --local` gives, but in the work dir so a laptop's own
# login and stacks are untouched; PULUMI_BACKEND_URL set by the caller wins.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$E2E_WORK_DIR/state}"
# The passphrase secrets provider of a throwaway stack; set your own to keep the state.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-e2e-kind-throwaway}"
export PULUMI_SKIP_UPDATE_CHECK=true

# Minutes `pulumi up` of the local stack may take (npm run deploy --timeout-minutes), and destroy.
E2E_UP_TIMEOUT_MINUTES="${E2E_UP_TIMEOUT_MINUTES:-45}"
E2E_DESTROY_TIMEOUT_MINUTES="${E2E_DESTROY_TIMEOUT_MINUTES:-20}"

# macOS ships no `timeout`; Homebrew's coreutils has it as gtimeout.
if ! command -v timeout >/dev/null 2>&1 && command -v gtimeout >/dev/null 2>&1; then
    timeout() { gtimeout "$@"; }
fi

log() { printf '[e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
    log "FAIL: $*"
    exit 1
}

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (tools/e2e/install-tools.sh installs kind, kubectl and pulumi; docs/e2e.md)"
    done
}

# kubectl against the kind cluster only, never the caller's current context. The outer deadline is a
# backstop; waits carry their own --timeout.
k() { timeout "${E2E_KUBECTL_DEADLINE:-1200}" kubectl --context "$KUBE_CONTEXT" "$@"; }

# A stack output as JSON (pulumi stack output --json <name>).
stack_output() { timeout 120 pulumi stack output --stack "$E2E_STACK" --json "$1"; }

# Reads a dotted path from the JSON on stdin (keys may hold dashes: services.hello-api.kubernetes.url).
json_get() {
    # shellcheck disable=SC2016 # JavaScript, not shell
    node -e '
        let v = JSON.parse(require("fs").readFileSync(0, "utf8"));
        for (const key of process.argv[1].split(".")) v = v == null ? undefined : v[key];
        if (v === undefined) { console.error(`no ${process.argv[1]} in the stack output`); process.exit(3); }
        console.log(typeof v === "string" ? v : JSON.stringify(v));
    ' "$1"
}

# Waits until a pod has finished (Succeeded or Failed) and prints its phase; dies at the deadline.
wait_pod_done() {
    local ns="$1" pod="$2" seconds="$3" phase="" deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        phase="$(k get pod -n "$ns" "$pod" --request-timeout=30s -o jsonpath='{.status.phase}' 2>/dev/null || true)"
        case "$phase" in
            Succeeded | Failed)
                echo "$phase"
                return 0
                ;;
        esac
        sleep 5
    done
    k describe pod -n "$ns" "$pod" --request-timeout=30s >&2 || true
    die "pod $ns/$pod did not finish within ${seconds}s (last phase: ${phase:-unknown})"
}

# Deletes a pod left by an earlier run, bounded.
delete_pod() { k delete pod -n "$1" "$2" --ignore-not-found --wait=true --timeout=90s >/dev/null; }

# Runs a one-shot pod that the `restricted` Pod Security level admits, as service account `sa` with no API
# token, waits up to `seconds` for it to finish, prints its log (to the job log as well: a caller that
# captures stdout exits on failure before it could print it) and dies unless it succeeded.
# `container`: one list item of `containers:` (indented 4 spaces: name, image, env, command, args); the
# container's securityContext is added here.
run_restricted_pod() {
    local ns="$1" pod="$2" sa="$3" uid="$4" seconds="$5" container="$6"
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
  activeDeadlineSeconds: $seconds
  securityContext:
    runAsNonRoot: true
    runAsUser: $uid
    seccompProfile: { type: RuntimeDefault }
  containers:
$container
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL] }
YAML
    local phase
    phase="$(wait_pod_done "$ns" "$pod" "$seconds")"
    k logs -n "$ns" "$pod" --request-timeout=30s | tee /dev/stderr
    [[ "$phase" == Succeeded ]] || die "pod $ns/$pod ended $phase"
}
