#!/usr/bin/env bash
# Builds a bootable qemu (virtio) image around a static server: a Debian cloud kernel
# (apt-get download, cached, never installed) plus an initramfs with busybox, the virtio-net
# modules and the server as the only program. Needs apt (Debian/Ubuntu), busybox-static, cpio.
#
#   build-virtio-image.sh --server _build/hello --out _build     # → _build/kernel, _build/initrd
#
# Kernel command line understood by the image's /init: port=N (default 8080), version=V
# (overrides the compiled-in version), panic_on_boot=1 (init exits at once: the kernel panics).
# Env: SKIFF_VIRTIO_CACHE (default $SKIFF_CACHE_DIR/virtio under skiff, else ~/.cache/skiff/virtio), SKIFF_KERNEL_PACKAGE (default: what
# linux-image-cloud-amd64 depends on).
set -euo pipefail

# Under skiff the build cache it keeps between builds (SKIFF_CACHE_DIR, writable in the build sandbox,
# where $HOME is read-only); on its own the user's cache dir.
if [[ -n ${SKIFF_CACHE_DIR:-} ]]; then default_cache=$SKIFF_CACHE_DIR/virtio; else default_cache=${XDG_CACHE_HOME:-$HOME/.cache}/skiff/virtio; fi
cache=${SKIFF_VIRTIO_CACHE:-$default_cache}
server=""
out=""
while (($#)); do
  case $1 in
    --server) server=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build-virtio-image: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $server && -n $out ]] || { echo "usage: build-virtio-image.sh --server BIN --out DIR" >&2; exit 2; }
[[ -x $server ]] || { echo "build-virtio-image: $server is not an executable" >&2; exit 2; }
if ! file -b "$server" 2>/dev/null | grep -q 'statically linked' && command -v file >/dev/null; then
  echo "build-virtio-image: $server is not statically linked: the image has no C library" >&2
  exit 2
fi
busybox=$(command -v busybox || true)
[[ -x /bin/busybox ]] && busybox=/bin/busybox
[[ -n $busybox ]] || { echo "build-virtio-image: busybox not found: apt-get install busybox-static" >&2; exit 2; }
command -v cpio >/dev/null || { echo "build-virtio-image: cpio not found: apt-get install cpio" >&2; exit 2; }
mkdir -p "$cache" "$out"

# 1. The kernel package: the cached .deb when there is one, else the one the meta-package names.
package=${SKIFF_KERNEL_PACKAGE:-}
deb=""
if [[ -z $package ]]; then
  deb=$(ls -t "$cache"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | head -n1 || true)
fi
if [[ -z $deb ]]; then
  if [[ -z $package ]]; then
    resolve() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
    package=$(resolve)
    if [[ -z $package && $(id -u) == 0 ]]; then apt-get update -qq >/dev/null && package=$(resolve); fi
    [[ -n $package ]] || { echo "build-virtio-image: no linux-image-cloud-amd64 in apt's lists: run apt-get update" >&2; exit 1; }
  fi
  deb=$(ls -t "$cache/${package}"_*.deb 2>/dev/null | head -n1 || true)
  if [[ -z $deb ]]; then
    echo "build-virtio-image: downloading $package" >&2
    (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$package" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    deb=$(ls -t "$cache/${package}"_*.deb 2>/dev/null | head -n1 || true)
    [[ -n $deb ]] || { echo "build-virtio-image: apt-get download $package failed" >&2; exit 1; }
  fi
fi
unpacked=$cache/$(basename "$deb" .deb)
if [[ ! -f $unpacked/.done ]]; then
  rm -rf "$unpacked"
  dpkg-deb -x "$deb" "$unpacked"
  touch "$unpacked/.done"
fi
kver=$(ls "$unpacked/lib/modules" | head -n1)
moddir=$unpacked/lib/modules/$kver

# 2. The modules virtio-net and the ACPI power button need, in dependency order (each module's depends= field).
order=()
declare -A seen=()
module_file() { find "$moddir/kernel" -name "$1.ko" -o -name "$1.ko.xz" | head -n1; }
add_module() {
  local name=$1 file deps dep
  [[ -n ${seen[$name]:-} ]] && return 0
  seen[$name]=1
  file=$(module_file "$name")
  if [[ -z $file ]]; then
    # Built into the kernel: nothing to load.
    return 0
  fi
  deps=$(tr '\0' '\n' <"$file" | grep -a '^depends=' | head -n1 | cut -d= -f2)
  for dep in ${deps//,/ }; do add_module "$dep"; done
  order+=("$name")
}
for m in virtio_pci virtio_net button evdev; do add_module "$m"; done

# 3. The initramfs tree.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,lib/modules,etc/acpi/PWRF}
cp "$busybox" "$stage/bin/busybox"
cp "$server" "$stage/bin/server"
for m in "${order[@]}"; do
  file=$(module_file "$m")
  case $file in
    *.xz) xz -dc "$file" >"$stage/lib/modules/$m.ko" ;;
    *) cp "$file" "$stage/lib/modules/$m.ko" ;;
  esac
done
# ACPI power button (QMP system_powerdown) → busybox acpid runs this: a clean, immediate poweroff.
printf '#!/bin/sh\necho "skiff-image: ACPI power button, powering off" >/dev/console\nexec poweroff -f\n' >"$stage/etc/acpi/PWRF/00000080"
chmod +x "$stage/etc/acpi/PWRF/00000080"
cat >"$stage/init" <<INIT
#!/bin/busybox sh
# skiff virtio image init: load the virtio-net modules, bring up qemu user networking, exec the server.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
port=8080
version=""
panic_on_boot=0
for arg in \$(cat /proc/cmdline); do
  case \$arg in
    port=* | --port=*) port=\${arg#*=} ;;
    version=* | --version=*) version=\${arg#*=} ;;
    panic_on_boot=1) panic_on_boot=1 ;;
  esac
done
echo "skiff-image: booting kernel \$(uname -r)"
if [ "\$panic_on_boot" = 1 ]; then
  echo "skiff-image: panic_on_boot=1, init exits"
  exit 1
fi
for m in ${order[*]}; do insmod /lib/modules/\$m.ko || echo "skiff-image: insmod \$m failed"; done
i=0
while [ ! -e /sys/class/net/eth0 ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
# The one helper beside the server: turns the ACPI power button into a poweroff. Foreground (-f) in
# the background: daemonized, busybox acpid changes to / and no longer finds its relative handler paths.
acpid -f -c /etc/acpi -l /dev/null </dev/null &
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.2.2
echo "skiff-image: eth0 10.0.2.15/24 up, starting server on port \$port"
if [ -n "\$version" ]; then exec /bin/server "port=\$port" "version=\$version" host=0.0.0.0; fi
exec /bin/server "port=\$port" host=0.0.0.0
INIT
chmod +x "$stage/init"

# 4. Outputs, written beside and renamed so a reader never sees half a file.
(cd "$stage" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible | gzip -9n) >"$out/initrd.tmp"
mv "$out/initrd.tmp" "$out/initrd"
cp "$unpacked/boot/vmlinuz-$kver" "$out/kernel.tmp"
mv "$out/kernel.tmp" "$out/kernel"
echo "build-virtio-image: $out/kernel ($kver) + $out/initrd (modules: ${order[*]})" >&2
