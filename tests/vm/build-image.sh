#!/usr/bin/env bash
# Build (once per machine, cached) the Debian 12 VM image the molecule `host` scenario boots under qemu.
#
#   tests/vm/build-image.sh [EXTRA_PACKAGE...]
#
# Prints one line on stdout: the image directory, holding
#   rootfs.img   raw ext4 file system of the whole root (no partition table; the VM boots it as /dev/vda)
#   vmlinuz      kernel, initrd.img  initramfs (taken from the root's /boot; virtio drivers checked)
#   manifest.txt what went in (packages with versions, kernel, build time)
#
# Cache: ${MEDIASTACK_VM_CACHE:-~/.cache/mediastack-vm}/bookworm-<key>, where <key> hashes this script,
# tests/vm/packages.txt and the extra packages. A new input builds a new image; old ones can be deleted.
# The image has no root password and no SSH key: the test passes a public key on the kernel command line
# (ms.authkey=<base64>) and a unit writes it to /root/.ssh/authorized_keys at boot, so the cached image
# holds no secret and every run has its own key.
# The Debian mirror is the one this machine's apt uses (read from apt, never written into the repository).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
cache=${MEDIASTACK_VM_CACHE:-$HOME/.cache/mediastack-vm}
image_size=${MEDIASTACK_VM_IMAGE_SIZE:-4G}

log() { echo "build-image: $*" >&2; }

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$')
packages+=("$@")
include=$(printf '%s\n' "${packages[@]}" | sort -u | paste -sd, -)
key=$( { cat "$0"; echo "$suite $image_size $include"; } | sha256sum | cut -c1-16)
out=$cache/$suite-$key

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9   # two runs on one machine build once
if [[ -f $out/ok ]]; then
    log "cached: $out"
    echo "$out"
    exit 0
fi

# Host tools (a fresh CI machine has none of them).
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
if ((${#need[@]})); then
    log "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The mirror this machine's apt is configured with, for the suite itself and for its security updates.
targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' | sort -u)
mirror=$(awk -v s="$suite" '$2 == s && $3 == "main" {print $1; exit}' <<<"$targets")
security=$(awk -v s="$suite-security" '$2 == s && $3 == "main" {print $1; exit}' <<<"$targets")
if [[ -z $mirror ]]; then
    log "no '$suite main' source in this machine's apt configuration; cannot choose a Debian mirror"
    exit 1
fi

start=$(date +%s)
tmp=$(mktemp -d "$cache/.build.XXXXXX")        # the root tree, only while building
staging=$(mktemp -d "$cache/.staging.XXXXXX")  # the results, renamed to $out when complete
# Build the tree in RAM when there is room (dpkg syncs every file it writes; on tmpfs that costs nothing).
if (( $(awk '/MemAvailable/ {print $2}' /proc/meminfo) > 8 * 1024 * 1024 )); then
    mount -t tmpfs -o size=4G,mode=0755 mediastack-vm-build "$tmp"
fi
# debootstrap mounts /proc and /sys in the target: never delete through a mount that is still there.
remove_tree() {
    findmnt -rn -o TARGET | grep -F "$1" | sort -r | xargs -r -n1 umount -l || true
    rm -rf --one-file-system "$1"
}
cleanup() { remove_tree "$tmp"; rm -rf "$staging"; }
trap cleanup EXIT
root=$tmp/rootfs
log "debootstrap $suite (minbase) from the host's mirror with: $include"
debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
    tail -n 40 "$tmp/debootstrap.log" >&2
    [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 40 "$root/debootstrap/debootstrap.log" >&2
    exit 1
}

# --- configuration of the guest ---------------------------------------------------------------------------
echo mediastack-vm >"$root/etc/hostname"
cat >"$root/etc/hosts" <<'EOF'
127.0.0.1 localhost
127.0.1.1 mediastack-vm
EOF
echo '/dev/vda / ext4 errors=remount-ro 0 1' >"$root/etc/fstab"

# qemu user networking: DHCP on the virtio NIC, slirp's gateway and resolver (reachable only if the test allows).
cat >"$root/etc/systemd/network/20-wired.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=ipv4

[Route]
# qemu's restricted user network offers no router by DHCP; a host has a default route (facts need one).
Gateway=10.0.2.2
EOF
echo 'nameserver 10.0.2.3' >"$root/etc/resolv.conf"

# apt sources: the same mirror (only reachable if the test lets the VM out; the image needs nothing from it).
{
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    [[ -n $security ]] && echo "deb $security $suite-security main"
} >"$root/etc/apt/sources.list"

# Root's SSH key from the kernel command line (see the header).
cat >"$root/usr/local/sbin/mediastack-authkey" <<'EOF'
#!/bin/sh
# Write root's authorized_keys from ms.authkey=<base64> on the kernel command line (test VM only).
for word in $(cat /proc/cmdline); do
    case $word in
        ms.authkey=*)
            install -d -m 0700 /root/.ssh
            echo "${word#ms.authkey=}" | base64 -d >/root/.ssh/authorized_keys
            chmod 0600 /root/.ssh/authorized_keys ;;
    esac
done
EOF
chmod 0755 "$root/usr/local/sbin/mediastack-authkey"
cat >"$root/etc/systemd/system/mediastack-authkey.service" <<'EOF'
[Unit]
Description=Root SSH key from the kernel command line (mediastack test VM)
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/mediastack-authkey

[Install]
WantedBy=multi-user.target
EOF

chroot "$root" systemctl enable -q mediastack-authkey.service systemd-networkd.service serial-getty@ttyS0.service
# Nothing periodic or slow at boot under software emulation.
chroot "$root" systemctl mask -q apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
    fstrim.timer systemd-networkd-wait-online.service 2>/dev/null || true
# Package lists, so `apt` in the VM knows the candidates (installed packages are no-ops without network).
chroot "$root" apt-get update -qq >/dev/null 2>&1 || log "warning: apt-get update in the image failed"
chroot "$root" apt-get clean

# --- kernel, initrd, checks ----------------------------------------------------------------------------------
kernel=$(find "$root/boot" -name 'vmlinuz-*' | sort | tail -n 1)
initrd=$(find "$root/boot" -name 'initrd.img-*' | sort | tail -n 1)
[[ -n $kernel && -n $initrd ]] || { log "no kernel or initrd in $root/boot"; exit 1; }
modules=$(chroot "$root" lsinitramfs "/boot/$(basename "$initrd")")
for module in virtio_blk virtio_pci virtio_net ext4; do
    grep -q "/$module\.ko" <<<"$modules" || { log "initrd lacks $module"; exit 1; }
done
cp "$kernel" "$staging/vmlinuz"
cp "$initrd" "$staging/initrd.img"
cp "$tmp/debootstrap.log" "$staging/"
{
    echo "suite: $suite   mirror: $mirror   key: $key   built: $(date -u +%FT%TZ)"
    echo "kernel: $(basename "$kernel")"
    chroot "$root" dpkg-query -W -f '${Package} ${Version}\n'
} >"$staging/manifest.txt"

log "mkfs.ext4 -d (image size $image_size)"
truncate -s "$image_size" "$staging/rootfs.img"
mkfs.ext4 -q -F -L root -d "$root" "$staging/rootfs.img"
remove_tree "$tmp"

echo "$(( $(date +%s) - start ))" >"$staging/build-seconds"
touch "$staging/ok"
rm -rf "$out"
mv "$staging" "$out"
log "built $out in $(cat "$out/build-seconds") s"
echo "$out"
