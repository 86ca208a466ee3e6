#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test initramfs (busybox ash). Sets up zram swap, runs what
# sd.run= on the kernel command line asks for, prints an end marker, powers off.
#   sd.run=check        every tests/[0-9]*.sh scenario in order
#   sd.run=demo         tests/demo.sh
#   sd.run=bench        tests/bench.sh (make bench)
#   sd.run=a,b          only the scenarios named a and b (e.g. storm,fork)
#   sd.run=shell        an interactive shell (scripts/qemu-run.sh <ver> <initrd> shell)
# sd.zram=SIZE (default 2G) sizes the zram swap device.
# sd.timeout=SECONDS (default 300): the limit of each scenario (run.sh).
# sd.modparams=NAME=VALUE (may repeat): extra swapdrain parameters of the
#   matrix cell, added by load_module (tests/lib.sh), e.g. backend=kprobe.
# sd.kmemleak=1: after the run, two kmemleak scans and the report, between
#   "----- kmemleak -----" and "----- end kmemleak -----" (scripts/check.sh
#   fails the cell on leaks from swapdrain).
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
MODPARAMS=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^sd\.modparams=//p' | tr '\n' ' ')
echo "swapdrain-guest: kernel $(uname -r), $(nproc) cpus, run=${RUN:-check}${MODPARAMS:+, modparams: $MODPARAMS}"
echo "swapdrain-guest: /init at uptime $(cut -d' ' -f1 /proc/uptime) s"

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
	bench)	sh ./bench.sh || rc=$? ;;
	*)	sh ./run.sh "$RUN" || rc=$? ;;
	esac
fi

if [ "$(arg sd.kmemleak)" = 1 ]; then
	echo "----- kmemleak -----"
	if [ -w /sys/kernel/debug/kmemleak ]; then
		t0=$(cut -d' ' -f1 /proc/uptime)
		# Objects younger than 5 s, or changed since the last scan, are
		# not reported: scan twice.
		echo scan > /sys/kernel/debug/kmemleak
		sleep 6
		echo scan > /sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak
		echo "kmemleak-scan: done, uptime $t0 -> $(cut -d' ' -f1 /proc/uptime) s"
	else
		echo "kmemleak-scan: unavailable (no /sys/kernel/debug/kmemleak)"
	fi
	echo "----- end kmemleak -----"
fi

echo "----- dmesg -----"
dmesg
echo "----- end dmesg -----"
echo "SWAPDRAIN-END rc=$rc"
sync
poweroff -f
