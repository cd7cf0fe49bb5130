#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for skiff, its example and its tests, then the npm packages.
# Debian packages: qemu (VM driver and tests), busybox-static + cpio (the example's VM image),
# bzip2 (2015-style repositories), gcc/make (the example's C server), etcd-server (the fleet's
# coordination, and its tests), haproxy (the front door's data path), bubblewrap (the build sandbox),
# chromium (the dashboard's browser tests, driven by playwright-core; never `npx playwright install`).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v bzip2 >/dev/null || need+=(bzip2)
command -v cc >/dev/null || need+=(gcc libc6-dev)
command -v make >/dev/null || need+=(make)
command -v curl >/dev/null || need+=(curl)
command -v etcd >/dev/null || need+=(etcd-server)
command -v haproxy >/dev/null || need+=(haproxy)
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v chromium >/dev/null || need+=(chromium)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: missing Debian packages: ${need[*]} — run as root, or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
