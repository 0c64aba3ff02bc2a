#!/bin/sh
# Entrypoint of the real node's Dask image: runs its arguments (`dask scheduler ...`,
# `dask worker ...`) with the venv on PATH. Like the official image it honours
# EXTRA_PIP_PACKAGES, but offline: pods have no route to PyPI, so the packages must already be
# in the image (prefect and prefect-dask are); anything else is reported and the start fails.
set -e
if [ -n "${EXTRA_PIP_PACKAGES:-}" ]; then
  echo "EXTRA_PIP_PACKAGES: checking $EXTRA_PIP_PACKAGES (offline image: no downloads)"
  # shellcheck disable=SC2086
  if ! pip install --no-index --no-deps --disable-pip-version-check --quiet $EXTRA_PIP_PACKAGES; then
    echo "EXTRA_PIP_PACKAGES: not all of '$EXTRA_PIP_PACKAGES' are in this image; rebuild it with them (test/cluster/image/requirements.in)" >&2
    exit 1
  fi
fi
exec "$@"
