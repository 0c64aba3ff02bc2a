# Shared by build.sh and real-node/build.sh (sourced, not run): where binaries are cached, the
# checks before a Go build, and the version stamp Kubernetes binaries need.

die() { echo "cluster: $*" >&2; exit 1; }

cache=${KUBECTL_DASK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-dask}

# Go and the module proxy are needed only when something must be built: a warm cache starts
# without them.
go_preflight() {
  command -v go >/dev/null || die "no Go toolchain on PATH: install Go >= 1.26 (apt-get install golang, or from go.dev) and retry"
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
  go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null 2>&1 ||
    die "cannot reach the Go module proxy ($(go env GOPROXY)): check network access or set GOPROXY, then retry"
}

# -ldflags stamping $K8S_VERSION into both version packages, or /version says v0.0.0.
kube_version_ldflags() {
  local commit minor p flags=""
  commit=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("Origin",{}).get("Hash",""))' 2>/dev/null || true)
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    flags+=" -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}
