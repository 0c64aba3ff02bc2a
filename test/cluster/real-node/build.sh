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
source "$here/../build-lib.sh"

key=$(cat "$here/../versions.env" "$here/versions.env" "$here"/modules/*/go.sum "$here"/modules/*/*.go \
  "$here/../image/oci-pack.sh" "$0" "$here/../build-lib.sh" |
  sha256sum | cut -c1-12)
bin="$cache/real-node-$K8S_VERSION-coredns$COREDNS_VERSION-$key/bin"
want=(kubelet kube-proxy coredns pause.oci.tar)

complete() { for b in "${want[@]}"; do [ -s "$bin/$b" ] || return 1; done; }
if complete; then echo "$bin"; exit 0; fi

go_preflight
tmp="$bin.partial"
mkdir -p "$tmp"

kv=$(kube_version_ldflags)

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
