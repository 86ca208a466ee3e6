#!/bin/sh
# Allocation failures at load (CONFIG_FAILSLAB: the debug kernel). One slab
# allocation of the loading task fails: the Nth one from finit_module()'s
# start (/proc/thread-self/fail-nth), for N swept from the end of a full
# load (the module's init runs last) back into the loader; the pool is
# small (max_pending=0) so the sweep reaches every step of the init. Each
# load either succeeds, and works, or fails cleanly: module gone, no hook
# left (ftrace, kprobes), no sysfs or debugfs directory, no warning, no
# leak (kmemleak); then a plain load and a storm work and balance.
# sd.failslab_tries= (kernel command line) bounds the sweep (default 24).
. /tests/lib.sh
need_module failslab

FS=/sys/kernel/debug/failslab
if [ ! -d $FS ] || [ ! -e /proc/thread-self/fail-nth ]; then
	echo "SKIP: failslab: no $FS or fail-nth (kernel without CONFIG_FAILSLAB; the debug kernel has it)"
	exit 0
fi
KL=/sys/kernel/debug/kmemleak
T=/sys/kernel/tracing
KP=/sys/kernel/debug/kprobes/list
TRIES=$(karg failslab_tries)
TRIES=${TRIES:-24}
saved=$(cat $FS/ignore-gfp-wait)
cleanup() { echo "$saved" > $FS/ignore-gfp-wait; }
trap cleanup EXIT
trap 'exit 1' TERM INT
# Sleeping (GFP_KERNEL) allocations are fault sites too; probability stays
# 0: only fail-nth injects, into this one task.
echo N > $FS/ignore-gfp-wait
echo 0 > $FS/verbose
# The matrix cell's parameters (load_module's), and a small pool.
PARAMS_LOAD="$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^sd\.modparams=//p' | tr '\n' ' ')max_pending=0"

unload_module
[ -w $KL ] && echo clear > $KL
mark=$(dmesg_mark)
ALLOC_FAIL_OK=1

# Leftovers of a failed load.
leftovers() {
	loaded && echo "module loaded"
	[ -e /sys/kernel/swapdrain ] && echo "/sys/kernel/swapdrain"
	[ -e /sys/kernel/debug/swapdrain ] && echo "debugfs swapdrain"
	grep -E 'free_swap_and_cache|swap_put_entries|sd_call_original' $T/enabled_functions 2> /dev/null | head -n 2
	grep -E 'free_swap_and_cache|swap_put_entries|sys_swapo|exit_mmap|swapdrain' $KP 2> /dev/null | head -n 2
}

# Sites reached by a full load: fail-nth counts down from a large N. The
# first load reaches more (first-time allocations): count a second one.
for i in 1 2; do
	OUT=$(sdtool load -n 1000000 "$KO" "$PARAMS_LOAD")
	sites=$((1000000 - $(kv fail_nth_left)))
	[ "$(kv load)" = ok ] || { bad "plain load under fail-nth: $OUT"; result failslab; exit 1; }
	unload_module
done
info "a full load reaches $sites fault sites"

ok=0 failed=0 n=0 d=1
while [ $n -lt "$TRIES" ] && [ $d -lt $sites ]; do
	n=$((n + 1))
	nth=$((sites - d))
	m=$(dmesg_mark)
	OUT=$(sdtool load -n $nth "$KO" "$PARAMS_LOAD")
	said=$(dmesg_since "$m" | grep 'swapdrain: ' | grep -v 'hooked\|loaded:\|unloaded:' |
	       sed 's/^\[[ 0-9.]*\] //' | head -n 2 | tr '\n' ' ')
	if [ "$(kv load)" = ok ]; then
		ok=$((ok + 1))
		info "site $nth of $sites: loaded${said:+; log: $said}"
		[ -f "$STATS" ] || bad "site $nth: loaded without its stats"
		unload_module
		[ -z "$(leftovers)" ] || bad "site $nth: after rmmod: $(leftovers | tr '\n' ' ')"
	else
		failed=$((failed + 1))
		info "site $nth of $sites: $(kv load)${said:+; log: $said}"
		[ -z "$(leftovers)" ] || bad "site $nth: failed load left: $(leftovers | tr '\n' ' ')"
		unload_module
	fi
	[ "$(kv fail_nth_left)" = 0 ] || info "(site $nth: no failure injected)"
	# Mostly near the end (the module's init), then deeper into the loader.
	d=$((d < 8 ? d + 1 : d * 5 / 4))
done
info "$ok loads succeeded, $failed failed cleanly"
gt "$failed" 0 || bad "no load failed: fail-nth did not reach the module"
dmesg_clean "$mark"
if [ -w $KL ]; then
	echo scan > $KL; sleep 6; echo scan > $KL
	# A leak is the module's when its backtrace names it or, the module
	# being gone, shows a bare module-space address.
	awk '/^unreferenced object/ { hdr = $0 }
	     /swapdrain|\] 0xffffffff[a-f][0-9a-f]*$/ { if (!seen[hdr]++) print hdr; print }' \
		$KL > /tmp/leaks
	if [ -s /tmp/leaks ]; then
		head -n 40 /tmp/leaks | sed 's/^/  kmemleak: /'
		bad "kmemleak: $(grep -c '^unreferenced object' /tmp/leaks) leak(s) from swapdrain"
	fi
else
	info "(no kmemleak)"
fi
ALLOC_FAIL_OK=0
load_module || { result failslab; exit 1; }
base=$(swapfree_kb)
swapstorm storm -p 2 -m 16 -f 60 -g 4
wait_drained 30
check_balance
check_swapfree "$base"
unload_module
ALLOC_FAIL_OK=1
dmesg_clear_checked "failslab: $failed loads failed by injection"
result failslab
