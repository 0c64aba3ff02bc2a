#!/usr/bin/env bash
# Packs a root filesystem directory as a single-layer OCI image archive that
# `ctr -n k8s.io images import` accepts (no registry, no image tool needed).
#   oci-pack.sh ROOTFS NAME OUT.tar CONFIG_JSON
# NAME is the full local reference (e.g. localhost/kubectl-dask-test/dask:2026.8.0), stored in
# the io.containerd.image.name annotation. CONFIG_JSON is the image config's "config" object
# (Entrypoint, Cmd, Env, ...). The layer is an uncompressed tar: faster to build and import, and
# it never leaves the machine. Deterministic: same rootfs, same digests.
set -euo pipefail
rootfs=$1 name=$2 out=$3 config=$4
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
layout=$(mktemp -d "$out.layout.XXXXXX")
trap 'rm -rf "$layout"' EXIT
mkdir -p "$layout/blobs/sha256"

tar -C "$rootfs" --sort=name --mtime=@0 --numeric-owner --xattrs --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$layout/layer.tar" .
layer_digest=$(sha256sum "$layout/layer.tar" | cut -d' ' -f1)
layer_size=$(stat -c %s "$layout/layer.tar")
mv "$layout/layer.tar" "$layout/blobs/sha256/$layer_digest"

python3 - "$layout" "$name" "$arch" "$layer_digest" "$layer_size" "$config" <<'PY'
import hashlib, json, os, sys
layout, name, arch, layer_digest, layer_size, config = sys.argv[1:]
def put(obj):
    data = json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
epoch = "1970-01-01T00:00:00Z"
cfg = put({
    "architecture": arch,
    "os": "linux",
    "created": epoch,
    "config": json.loads(config),
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + layer_digest]},
    "history": [{"created": epoch, "created_by": "test/cluster/image/oci-pack.sh"}],
})
manifest = put({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cfg},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": "sha256:" + layer_digest, "size": int(layer_size)}],
})
tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
index = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        **manifest,
        "platform": {"architecture": arch, "os": "linux"},
        "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag},
    }],
}
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(index, f)
with open(os.path.join(layout, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
PY
tar -C "$layout" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$out.partial" oci-layout index.json blobs
mv "$out.partial" "$out"
