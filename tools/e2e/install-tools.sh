#!/usr/bin/env bash
# Installs the pinned kind, kubectl and Pulumi CLI (versions.env) into E2E_BIN_DIR (default
# ~/.local/bin) and checks each download against its published SHA-256. On a GitHub runner the
# directory is added to GITHUB_PATH. A laptop that already has the three tools can skip this.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need curl tar

bin="${E2E_BIN_DIR:-$HOME/.local/bin}"
mkdir -p "$bin"
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported machine $(uname -m)" ;;
esac
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }
fetch() { curl -fsSL --retry 3 --max-time 300 -o "$2" "$1"; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# kind: binary and .sha256sum from the release (https://kind.sigs.k8s.io/docs/user/quick-start/#installing-from-release-binaries).
log "kind $KIND_VERSION"
fetch "https://kind.sigs.k8s.io/dl/$KIND_VERSION/kind-$os-$arch" "$tmp/kind"
fetch "https://kind.sigs.k8s.io/dl/$KIND_VERSION/kind-$os-$arch.sha256sum" "$tmp/kind.sha256sum"
[[ "$(sha256 "$tmp/kind")" == "$(cut -d' ' -f1 "$tmp/kind.sha256sum")" ]] || die "kind $KIND_VERSION: checksum mismatch"
install -m 0755 "$tmp/kind" "$bin/kind"

# kubectl: binary and .sha256 from dl.k8s.io (https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/).
log "kubectl $KUBECTL_VERSION"
fetch "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/$os/$arch/kubectl" "$tmp/kubectl"
fetch "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/$os/$arch/kubectl.sha256" "$tmp/kubectl.sha256"
[[ "$(sha256 "$tmp/kubectl")" == "$(tr -d '[:space:]' <"$tmp/kubectl.sha256")" ]] || die "kubectl $KUBECTL_VERSION: checksum mismatch"
install -m 0755 "$tmp/kubectl" "$bin/kubectl"

# Pulumi CLI through its official installer, at the pinned version (the installer and flags @pulumi/pulumi 3.270 automation/cmd.js PulumiCommand.install uses).
log "pulumi $PULUMI_VERSION"
fetch https://get.pulumi.com/install.sh "$tmp/get-pulumi.sh"
timeout 600 sh "$tmp/get-pulumi.sh" --version "$PULUMI_VERSION" --install-root "$tmp/pulumi-root" --no-edit-path >&2
install -m 0755 "$tmp/pulumi-root/bin/"pulumi* "$bin/"

if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$bin" >>"$GITHUB_PATH"; fi
export PATH="$bin:$PATH"
kind version && kubectl version --client && pulumi version
