#!/usr/bin/env bash
# `npm run demo`: build the binary, start the local test cluster, then use the plugin through
# kubectl exactly as a user would. Against your own cluster, skip this and run
#   PATH="$PWD/dist:$PATH" kubectl dask up        (it uses your current kubeconfig context)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
npm run --silent cluster:up
export KUBECONFIG="$PWD/.cluster/kubeconfig"
export PATH="$PWD/dist:$PWD/.cluster/bin:$PATH"
set -x
kubectl dask up
kubectl dask status
{ set +x; } 2>/dev/null
cat <<MSG

The cluster runs on the local test cluster (nodes simulated by kwok, so no Dask process really
runs). Try:  PATH="$PWD/dist:$PWD/.cluster/bin:\$PATH" KUBECONFIG=$KUBECONFIG kubectl dask scale --workers 4
Stop it:     npm run cluster:down
Your own cluster: PATH="$PWD/dist:\$PATH" kubectl dask up   (uses your kubeconfig's current context)
MSG
