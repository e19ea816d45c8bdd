#!/usr/bin/env bash
# Start virtlogd and libvirtd (qemu:///system) if they are not running, for
# the tests that boot a real QEMU guest. No systemd here: run the daemons.
set -u
if virsh -c qemu:///system version >/dev/null 2>&1; then exit 0; fi
pgrep -x virtlogd >/dev/null || /usr/sbin/virtlogd -d
pgrep -x libvirtd >/dev/null || /usr/sbin/libvirtd -d
for _ in $(seq 1 60); do
  virsh -c qemu:///system version >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "libvirtd did not answer on qemu:///system; the real-QEMU test will be skipped" >&2
exit 0
