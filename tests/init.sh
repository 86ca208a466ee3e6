#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test initramfs (busybox ash). Sets up zram swap, runs what
# sd.run= on the kernel command line asks for, prints an end marker, powers off.
#   sd.run=check        every tests/[0-9]*.sh scenario in order
#   sd.run=demo         tests/demo.sh
#   sd.run=a,b          only the scenarios named a and b (e.g. storm,fork)
#   sd.run=shell        an interactive shell (scripts/qemu-run.sh <ver> <initrd> shell)
# sd.zram=SIZE (default 2G) sizes the zram swap device.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/tests/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /tmp

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n1; }
RUN=$(arg sd.run)
ZRAM=$(arg sd.zram)
echo "swapdrain-guest: kernel $(uname -r), $(nproc) cpus, run=${RUN:-check}"

setup_zram() {
	for m in $(cat /etc/modules.load); do
		insmod "/lib/modules/$m" || return 1
	done
	grep -qw lz4 /sys/block/zram0/comp_algorithm &&
		echo lz4 > /sys/block/zram0/comp_algorithm
	echo "${ZRAM:-2G}" > /sys/block/zram0/disksize || return 1
	mkswap /dev/zram0 > /dev/null && swapon /dev/zram0
}

rc=0
if ! setup_zram; then
	echo "FAIL: setup: zram swap"
	rc=1
else
	echo "zram: $(cat /sys/block/zram0/comp_algorithm)"
	sed 's/^/swaps: /' /proc/swaps
	dmesg -n 4
	echo 60 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
	cd /tests || exit 1
	case ${RUN:=check} in
	shell)	setsid cttyhack sh ;;
	demo)	sh ./demo.sh || rc=$? ;;
	*)	sh ./run.sh "$RUN" || rc=$? ;;
	esac
fi

echo "----- dmesg -----"
dmesg
echo "----- end dmesg -----"
echo "SWAPDRAIN-END rc=$rc"
sync
poweroff -f
