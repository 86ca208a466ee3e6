#!/bin/sh
# Stats without debugfs (Android user builds never mount it): the sysfs
# stats and exit_latency exist, are mode 0400, unreadable to other users,
# readable with debugfs unmounted, have the same fields as the debugfs
# stats, and show no kernel address. Each open of either view is one
# snapshot: read 16 bytes at a time while storms run, it still shows
# deferred = freed + pending. They go away with the module.
. /tests/lib.sh
need_module sysfs

remount() { grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug; }
trap remount EXIT
trap 'exit 1' TERM INT

# piecewise FILE: opens of FILE during storms, each read 16 bytes at a
# time, until 20 of them saw entries pending (at most 2000 opens): every
# one balances, and 20 saw entries pending (else the check proved nothing).
piecewise() {
	local i=0 inflight=0 v
	while [ $i -lt 2000 ] && [ $inflight -lt 20 ]; do
		v=$(dd if="$1" bs=16 2>/dev/null | balance_of)
		set -- "$1" $v
		[ "$5" = 0 ] || { bad "$1 read in pieces: deferred=$2 freed=$3 pending=$4 ($5 unaccounted)"; return 1; }
		[ "$4" -gt 0 ] && inflight=$((inflight + 1))
		i=$((i + 1))
	done
	info "$1: $i piecewise reads balance, $inflight with entries pending"
	[ $inflight -ge 20 ] || bad "$1: only $inflight of $i reads saw entries pending"
}

load_module || { result sysfs; exit 1; }
base=$(swapfree_kb)
swapstorm storm -p 2 -m 16 -f 60 -g 4 > /dev/null
for f in $SYSSTATS $SYSEXITLAT /sys/kernel/debug/swapdrain/stats /sys/kernel/debug/swapdrain/exit_latency; do
	[ -f "$f" ] || { bad "no $f"; continue; }
	mode=$(busybox stat -c %a "$f")
	[ "$mode" = 400 ] || bad "$f: mode $mode, want 400"
	sdtool readas -u 65534 "$f" | grep -q 'open=EACCES$' || bad "$f: $(sdtool readas -u 65534 "$f")"
done
# The same fields in both views.
a=$(cut -d: -f1 $SYSSTATS | tr '\n' ' ')
b=$(cut -d: -f1 $STATS | tr '\n' ' ')
[ "$a" = "$b" ] || bad "sysfs fields '$a' differ from debugfs '$b'"
storm_loop_start -p 4 -m 32 -f 90 -g 1
piecewise $SYSSTATS
piecewise /sys/kernel/debug/swapdrain/stats
storm_loop_stop
umount /sys/kernel/debug || bad "cannot unmount debugfs"
for f in $SYSSTATS $SYSEXITLAT; do
	cat "$f" > /tmp/view 2>&1 || bad "$f unreadable without debugfs"
	[ -s /tmp/view ] || bad "$f empty"
	# No pointer: no hex kernel address, and no decimal one either (a
	# kernel address printed with %lu starts with 18446).
	if grep -Eiq '0x[0-9a-f]{6,}|ffff[0-9a-f]{8,}|(^|[^0-9])18446[0-9]{12,}' /tmp/view; then
		bad "$f shows what looks like a kernel address: $(grep -Eio '0x[0-9a-f]{6,}|ffff[0-9a-f]{8,}|18446[0-9]{12,}' /tmp/view | head -n1)"
	fi
done
sed 's/^/  exit_latency: /' $SYSEXITLAT
awk '/^pending_entries:|^deferred_entries:|^freed_entries:/ { print "  sysfs: " $0 }' $SYSSTATS
STATS=$SYSSTATS
wait_drained 30
check_balance
check_swapfree "$base"
remount
STATS=/sys/kernel/debug/swapdrain/stats
unload_module
[ -e /sys/kernel/swapdrain ] && bad "/sys/kernel/swapdrain still there after rmmod"
[ -e /sys/kernel/debug/swapdrain ] && bad "debugfs swapdrain still there after rmmod"
dmesg_clean
result sysfs
