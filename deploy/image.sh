#!/usr/bin/env bash
# Build the serving image (make image): docker or podman, whichever is here (CONTAINER= to choose).
#   IMAGE (emoji-suggest), BASE (the Dockerfile's, python:3.11-slim), IMAGE_ARGS (more build arguments).
# On a machine that can pull images this is `docker build -t emoji-suggest .`. On one that cannot (no registry,
# as in this project's sandboxes and CI), with podman and debootstrap: the base is made locally from Debian's
# packages (localhost/debian-python:bookworm, about a minute, once), RUN steps use the host's network, and
# /etc/pip.conf with its certificate is passed through when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-emoji-suggest}
CONTAINER=${CONTAINER:-$(command -v podman || command -v docker || true)}
[ -n "$CONTAINER" ] || { echo "image: neither podman nor docker is installed" >&2; exit 1; }
args=(-t "$IMAGE")
if [[ $(basename "$CONTAINER") == podman ]]; then
  args+=(--format docker)  # keeps HEALTHCHECK (OCI images have none)
  if [ -z "${CONTAINERS_CONF:-}" ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
    conf=${TMPDIR:-/tmp}/emoji-containers.conf  # cgroup v1 and fixed rlimits (../shared/containers.md)
    printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n' > "$conf"
    export CONTAINERS_CONF=$conf
  fi
  if [ -z "${BASE:-}" ] && ! "$CONTAINER" image exists python:3.11-slim 2>/dev/null \
     && ! "$CONTAINER" pull -q docker.io/library/python:3.11-slim >/dev/null 2>&1; then
    BASE=localhost/debian-python:bookworm
    if ! "$CONTAINER" image exists "$BASE"; then
      command -v debootstrap >/dev/null || { echo "image: cannot pull python:3.11-slim and no debootstrap" >&2; exit 1; }
      root=$(mktemp -d)
      debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" \
        http://deb.debian.org/debian >/dev/null
      tar -C "$root" -c . | "$CONTAINER" import - "$BASE" >/dev/null
      rm -rf "$root"
    fi
  fi
  args+=(--network host)
  [ -f /etc/pip.conf ] && args+=(-v /etc/pip.conf:/etc/pip.conf:ro)
  [ -f /etc/ssl/certs/ca-certificates.crt ] && args+=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
fi
[ -n "${BASE:-}" ] && args+=(--build-arg "BASE=$BASE")
# shellcheck disable=SC2086
exec "$CONTAINER" build "${args[@]}" ${IMAGE_ARGS:-} .
