#!/usr/bin/env bash
# Builds the testbed's binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl, kwok, kwokctl) from the Go module proxy into a cache outside the repo, keyed by the
# pinned versions and the wrapper modules' go.sum, so a warm run compiles nothing.
# Prints the bin directory on stdout; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/versions.env"
source "$here/build-lib.sh"

key=$(cat "$here/versions.env" "$here"/modules/*/go.sum "$0" "$here/build-lib.sh" | sha256sum | cut -c1-12)
bin="$cache/testbed-$K8S_VERSION-$ETCD_VERSION-kwok$KWOK_VERSION-$key/bin"
want=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl)

complete() { for b in "${want[@]}"; do [ -x "$bin/$b" ] || return 1; done; }
if complete; then echo "$bin"; exit 0; fi

# One build per key at a time (two cluster:up runs at once); the second waits, then reuses it.
mkdir -p "$(dirname "$bin")"
exec 9>"$(dirname "$bin")/.lock"
if ! flock -n 9; then
  echo "cluster: another build of these binaries is running; waiting for it" >&2
  flock 9
fi
if complete; then echo "$bin"; exit 0; fi

go_preflight
tmp="$bin.partial"
mkdir -p "$tmp"

build() { # $1 module dir, $2 ldflags, rest: packages
  local dir=$1 ldflags=$2; shift 2
  echo "cluster: building $* (cold builds take a while)" >&2
  (cd "$here/modules/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/" "$@") ||
    die "building $* failed (see above)"
}

kv=$(kube_version_ldflags)

[ -x "$tmp/etcd" ] || { build etcd "" go.etcd.io/etcd/server/v3 && mv "$tmp/server" "$tmp/etcd"; }
[ -x "$tmp/kwokctl" ] || build kwok "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" \
  sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
[ -x "$tmp/kubectl" ] || build kubernetes "$kv" k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl

rm -rf "$bin" && mv "$tmp" "$bin"
echo "$bin"
