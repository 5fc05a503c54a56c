#!/bin/sh
# Build a lab node image from Debian packages: nothing can be pulled from a
# registry, so the root file system comes from debootstrap and is imported.
# Usage: build-node-image.sh SUITE IMAGE:TAG MIRROR RECIPE_DIGEST
# The image runs systemd as PID 1 and sshd; SSH host keys are made on first
# boot so that no two machines share them.
set -eu
suite=$1 image=$2 mirror=$3 digest=$4
packages=systemd,systemd-sysv,dbus,iproute2,iputils-ping,ca-certificates,python3,python3-apt,openssh-server,sudo,procps,busybox-static,gnupg,curl,kmod,iptables

rootfs=$(mktemp -d /var/tmp/anchorage-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >/dev/null

# First-boot host keys (Debian's ssh.service refuses to start without them).
rm -f "$rootfs"/etc/ssh/ssh_host_*
cat >"$rootfs/etc/systemd/system/anchorage-ssh-hostkeys.service" <<'UNIT'
[Unit]
Description=Generate SSH host keys for this machine
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/anchorage-ssh-hostkeys.service \
  "$rootfs/etc/systemd/system/multi-user.target.wants/anchorage-ssh-hostkeys.service"
# The Engine inside needs to write sysctls of its own network namespaces, which
# `docker run --security-opt systempaths=unconfined` allows; the Engine API
# (hence community.docker and molecule) cannot ask for that, so the node
# makes /proc/sys writable itself when it finds it read-only.
cat >"$rootfs/etc/systemd/system/anchorage-proc-sys-rw.service" <<'UNIT'
[Unit]
Description=Make /proc/sys writable for the Engine in this machine
DefaultDependencies=no
ConditionVirtualization=container
ConditionPathIsReadWrite=!/proc/sys
Before=sysinit.target

[Service]
Type=oneshot
ExecStart=/bin/mount -o remount,bind,rw /proc/sys

[Install]
WantedBy=sysinit.target
UNIT
mkdir -p "$rootfs/etc/systemd/system/sysinit.target.wants"
ln -sf /etc/systemd/system/anchorage-proc-sys-rw.service \
  "$rootfs/etc/systemd/system/sysinit.target.wants/anchorage-proc-sys-rw.service"
# Key-only root login; the lab key is copied in as root's authorized_keys.
mkdir -p "$rootfs/etc/ssh/sshd_config.d" "$rootfs/root/.ssh"
chmod 0700 "$rootfs/root/.ssh"
printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\n' \
  >"$rootfs/etc/ssh/sshd_config.d/anchorage.conf"
# Units that make no sense in a container and slow down or break boot.
# systemd-sysctl is masked as well: a machine shares the host's kernel, and
# its defaults (kernel.*, fs.*) would be applied to the host.
for unit in systemd-sysctl.service systemd-timesyncd.service systemd-networkd-wait-online.service \
            getty@tty1.service apt-daily.timer apt-daily-upgrade.timer; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
echo 'anchorage-node' >"$rootfs/etc/hostname"
: >"$rootfs/etc/machine-id"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
# The package lists are gone: date their folder to 1970 so that apt's
# cache_valid_time (Ansible's apt module) sees them as stale, not fresh.
touch -d @0 "$rootfs/var/lib/apt/lists"

tar -C "$rootfs" -c . | docker import \
  -c 'CMD ["/lib/systemd/systemd"]' \
  -c "LABEL org.anchorage.recipe=$digest org.anchorage.suite=$suite" \
  - "$image" >/dev/null
echo "built $image ($suite, recipe $digest)"
