#!/usr/bin/env bash
# Builds the virtio image of examples/hello where the qemu tests look for it:
# .cache/virtio/hello/{kernel,initrd}, with the kernel package cached in .cache/virtio/.
# The image builder itself is examples/hello/build-virtio-image.sh (the example stays copyable).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
make -s -C "$root/examples/hello" MODE=unix >/dev/null
SKIFF_VIRTIO_CACHE=$root/.cache/virtio exec bash "$root/examples/hello/build-virtio-image.sh" \
  --server "$root/examples/hello/_build/hello" --out "$root/.cache/virtio/hello"
