#!/usr/bin/env bash
# Builds the real node's Dask image without any registry: a Debian bookworm minbase rootfs
# (debootstrap), a venv at /opt/dask with requirements.in from PyPI, entrypoint.sh; packed as a
# single-layer OCI image archive. Cached outside the repo, keyed by every input, so a warm run
# does nothing. Prints the cache directory on stdout, holding:
#   image.oci.tar  the OCI archive (import: ctr -n k8s.io images import image.oci.tar)
#   name           the image's fixed local name
#   lock.txt       the image's `pip freeze`, which the test client venv installs
#   python-version the image's Python (X.Y): the client must match it, as cloudpickle does not
#                  carry code objects across Python versions
# Progress goes to stderr. Needs root (debootstrap, chroot) and network access to the Debian
# mirror and PyPI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*" >&2; }

dask_version=$(sed -n "s/^export const DASK_VERSION = '\([^']*\)';.*/\1/p" "$repo/src/core/spec.ts")
[ -n "$dask_version" ] || die "cannot read DASK_VERSION from src/core/spec.ts"
suite=bookworm
mirror=${KUBECTL_DASK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
name="localhost/kubectl-dask-test/dask:$dask_version"
requirements=$(sed "s/@DASK_VERSION@/$dask_version/" "$here/requirements.in")

key=$( { echo "$suite $name"; echo "$requirements"; cat "$here/entrypoint.sh" "$here/oci-pack.sh" "$0"; } |
  sha256sum | cut -c1-12)
cache=${KUBECTL_DASK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-dask}
out="$cache/dask-image-$dask_version-$key"
if [ -f "$out/image.oci.tar" ] && [ -f "$out/name" ] && [ -f "$out/lock.txt" ] && [ -f "$out/python-version" ]; then echo "$out"; exit 0; fi

[ "$(id -u)" = 0 ] || die "building the Dask image needs root (debootstrap, chroot)"
for tool in debootstrap chroot tar sha256sum python3; do
  command -v "$tool" >/dev/null || die "$tool not found: apt-get install debootstrap coreutils tar"
done

work="$out.partial"
rootfs="$work/rootfs"
mounted=()
cleanup() {
  local m
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  mounted=()
}
trap cleanup EXIT
# A half-built rootfs from an interrupted run: unmount anything left in it, then start over.
if [ -d "$work" ]; then
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$work"
fi
mkdir -p "$work"

t0=$SECONDS
say "image: debootstrap $suite minbase with python3 ($mirror)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$suite" "$rootfs" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || die "debootstrap failed: $(tail -n 3 "$work/debootstrap.log" | tr '\n' ' ') (log: $work/debootstrap.log)"

say "image: venv /opt/dask with $(echo "$requirements" | grep -v '^#' | tr '\n' ' ')"
for m in proc dev; do
  mount --bind "/$m" "$rootfs/$m" && mounted+=("$rootfs/$m")
done
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
echo "$requirements" >"$rootfs/tmp/requirements.txt"
# pip in the chroot trusts the host's CA bundle (which may include a TLS-inspecting proxy's CA
# that Debian's bundle lacks); the copy is removed before packing.
host_ca=""
for f in "${PIP_CERT:-}" "${SSL_CERT_FILE:-}" "${REQUESTS_CA_BUNDLE:-}" /etc/ssl/certs/ca-certificates.crt; do
  [ -n "$f" ] && [ -f "$f" ] && { host_ca=$f; break; }
done
[ -n "$host_ca" ] && cp "$host_ca" "$rootfs/tmp/host-ca.pem"
in_root() {
  chroot "$rootfs" /usr/bin/env -i PATH=/opt/dask/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    ${HTTPS_PROXY:+HTTPS_PROXY=$HTTPS_PROXY} ${https_proxy:+https_proxy=$https_proxy} \
    ${NO_PROXY:+NO_PROXY=$NO_PROXY} ${host_ca:+PIP_CERT=/tmp/host-ca.pem} PIP_DEFAULT_TIMEOUT=120 PIP_DISABLE_PIP_VERSION_CHECK=1 "$@"
}
in_root /usr/bin/python3 -m venv /opt/dask || die "python3 -m venv failed in the image rootfs"
in_root pip install --no-cache-dir --quiet -r /tmp/requirements.txt >"$work/pip.log" 2>&1 ||
  die "pip install in the image failed: $(tail -n 3 "$work/pip.log" | tr '\n' ' ') (log: $work/pip.log)"
in_root pip freeze --all --exclude pip --exclude setuptools >"$work/lock.txt"
in_root dask --version >&2 || die "dask does not run in the image"
in_root python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' >"$work/python-version"
cleanup

install -m 0755 "$here/entrypoint.sh" "$rootfs/usr/local/bin/dask-entrypoint"
# Runtime-managed or build-only files: kubelet/runc provide resolv.conf, hosts and hostname.
: >"$rootfs/etc/resolv.conf"
rm -rf "$rootfs/tmp/requirements.txt" "$rootfs/tmp/host-ca.pem" "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin \
  "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/log/"*.log "$rootfs/root/.cache"
find "$rootfs/dev" -mindepth 1 -delete

say "image: packing the OCI archive"
config=$(python3 -c 'import json,sys; print(json.dumps({
    "Env": ["PATH=/opt/dask/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG=C.UTF-8", "PYTHONUNBUFFERED=1"],
    "Entrypoint": ["/usr/local/bin/dask-entrypoint"],
    "Cmd": ["dask", "--version"],
    "WorkingDir": "/",
    "Labels": {"org.opencontainers.image.title": "kubectl-dask test image", "dask.version": sys.argv[1]}}))' "$dask_version")
"$here/oci-pack.sh" "$rootfs" "$name" "$work/image.oci.tar" "$config" || die "packing the image failed (see above)"
rm -rf "$rootfs"
echo "$name" >"$work/name"
rm -f "$work/debootstrap.log" "$work/pip.log"
rm -rf "$out" && mv "$work" "$out"
say "image: $name built in $((SECONDS - t0)) s ($(du -sh "$out/image.oci.tar" | cut -f1))"
echo "$out"
