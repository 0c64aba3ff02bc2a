#!/usr/bin/env bash
# Builds the real node's binaries (kubelet, kube-proxy, a CoreDNS with only the plugins it needs,
# the pod sandbox process "pause" and its image archive pause.oci.tar) from the Go module proxy
# into the same cache as ../build.sh, keyed by the pinned versions, the wrapper modules and the
# scripts, so a warm run compiles nothing.
# Prints the bin directory on stdout; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../versions.env"
source "$here/versions.env"

die() { echo "cluster: $*" >&2; exit 1; }
command -v go >/dev/null || die "no Go toolchain on PATH: install Go >= 1.26 (apt-get install golang, or from go.dev) and retry"

key=$(cat "$here/../versions.env" "$here/versions.env" "$here"/modules/*/go.sum "$here"/modules/*/*.go \
  "$here/../image/oci-pack.sh" "$0" |
  sha256sum | cut -c1-12)
cache=${KUBECTL_DASK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-dask}
bin="$cache/real-node-$K8S_VERSION-coredns$COREDNS_VERSION-$key/bin"
want=(kubelet kube-proxy coredns pause.oci.tar)

complete() { for b in "${want[@]}"; do [ -s "$bin/$b" ] || return 1; done; }
if complete; then echo "$bin"; exit 0; fi

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
if ! go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null 2>&1; then
  die "cannot reach the Go module proxy ($(go env GOPROXY)): check network access or set GOPROXY, then retry"
fi
tmp="$bin.partial"
mkdir -p "$tmp"

commit=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
  python3 -c 'import json,sys; print(json.load(sys.stdin).get("Origin",{}).get("Hash",""))' 2>/dev/null || true)
minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
kv=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kv+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  kv+=" -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

if ! [ -x "$tmp/kubelet" ] || ! [ -x "$tmp/kube-proxy" ]; then
  echo "cluster: building kubelet and kube-proxy $K8S_VERSION (cold builds take a while)" >&2
  (cd "$here/modules/kubernetes-node" &&
    go build -trimpath -ldflags "-s -w $kv" -o "$tmp/" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy) ||
    die "building kubelet and kube-proxy failed (see above)"
fi
if ! [ -x "$tmp/coredns" ]; then
  echo "cluster: building coredns $COREDNS_VERSION" >&2
  (cd "$here/modules/coredns" && go build -trimpath -ldflags "-s -w" -o "$tmp/coredns" .) ||
    die "building coredns failed (see above)"
fi

if ! [ -f "$tmp/pause.oci.tar" ]; then
  echo "cluster: building the pod sandbox image (pause)" >&2
  root="$tmp/pause-rootfs"
  rm -rf "$root" && mkdir -p "$root"
  (cd "$here/modules/pause" && go build -trimpath -ldflags "-s -w" -o "$root/pause" .) || die "building pause failed (see above)"
  "$here/../image/oci-pack.sh" "$root" "$PAUSE_IMAGE" "$tmp/pause.oci.tar" '{"Entrypoint":["/pause"]}' ||
    die "packing the pause image failed (see above)"
  rm -rf "$root"
fi

rm -rf "$bin" && mv "$tmp" "$bin"
echo "$bin"
