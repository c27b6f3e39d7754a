#!/bin/sh
# Runs a command inside the image's root filesystem the way a container runtime with
# `readOnlyRootFilesystem: true` would (deploy/k8s-sidecar.yaml), for the package tests:
#   in_rootfs.sh ROOTFS STATE_DIR CONFIG_DIR UID COMMAND [ARG...]
# In a private mount namespace (unshare --mount; the PID stays the same, so a signal sent to this
# process reaches COMMAND): ROOTFS bind-mounted read-only, proc, a small /dev and /tmp as
# tmpfs, STATE_DIR writable at /var/lib/connector-host, CONFIG_DIR read-only at
# /etc/connector-host (the ConfigMap with the Secret's files under secrets/), then COMMAND as
# UID:UID through chroot. Needs root (CAP_SYS_ADMIN) for the mounts.
set -eu
if [ "${CHP_IN_NAMESPACE:-}" != 1 ]; then
  CHP_IN_NAMESPACE=1 exec unshare --mount --propagation private -- "$0" "$@"
fi
root=$1 state=$2 config=$3 uid=$4
shift 4
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=0755,nosuid,size=1m dev "$root/dev"
for node in null zero urandom random; do
  touch "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
mount -t tmpfs -o mode=1777,nosuid,nodev,size=16m tmp "$root/tmp"
mount --bind "$state" "$root/var/lib/connector-host"
mount --bind "$config" "$root/etc/connector-host"
mount -o remount,bind,ro "$root/etc/connector-host"
mount -o remount,bind,ro "$root"
exec chroot --userspec="$uid:$uid" "$root" "$@"
