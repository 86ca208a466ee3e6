#!/bin/sh
# A kernel without the hook target: the module refuses to load, with one
# clear dmesg line naming what is missing, with every backend, and leaves
# nothing behind. The harness builds /swapdrain-notarget.ko with
# SD_TEST_TARGET=sd_no_such_function (Kbuild): the same module, hooking a
# function no kernel has.
. /tests/lib.sh
need_module notarget

NOKO=/swapdrain-notarget.ko
NAME=sd_no_such_function
if [ ! -f "$NOKO" ]; then
	fail notarget "no $NOKO in the initramfs (scripts/check.sh builds it)"
	exit 1
fi
unload_module
base=$(swapfree_kb)
for b in auto ftrace kprobe; do
	mark=$(dmesg_mark)
	# One finit_module() (busybox insmod retries with init_module()).
	if sdtool load "$NOKO" backend=$b > /tmp/err; then
		bad "backend=$b: loaded without a target"
		rmmod swapdrain
		continue
	fi
	msgs=$(dmesg_since "$mark" | grep 'swapdrain: ')
	info "backend=$b: $(cat /tmp/err)"
	echo "$msgs" | sed 's/^/    dmesg: /'
	# ftrace or kprobe may be missing from this kernel: then that backend
	# says so instead.
	if echo "$msgs" | grep -q "$b backend not available: the kernel has no CONFIG_"; then
		:
	else
		n=$(echo "$msgs" | grep -c "$NAME not found: this kernel has no swap-free function to hook")
		[ "$n" = 1 ] || bad "backend=$b: $n '$NAME not found' lines, want 1"
		grep -qx 'load=No such file or directory' /tmp/err ||
			bad "backend=$b: insmod error is not ENOENT: $(cat /tmp/err)"
	fi
	echo "$msgs" | grep -q "not loaded: $NAME is not hooked (backend=$b)" ||
		bad "backend=$b: no 'not loaded' line"
	loaded && bad "backend=$b: module present after a failed load"
	[ -e /sys/kernel/debug/swapdrain ] && bad "backend=$b: debugfs directory left behind"
	[ -e /sys/kernel/swapdrain ] && bad "backend=$b: sysfs directory left behind"
	[ -e /sys/kernel/tracing/events/swapdrain ] && bad "backend=$b: trace events left behind"
done
check_swapfree "$base"
# The real module still loads and works afterwards.
load_module || { result notarget; exit 1; }
swapstorm storm -p 2 -m 8 -f 60
wait_drained 30
check_balance
unload_module
result notarget
