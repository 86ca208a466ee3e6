#!/bin/sh
# insmod/rmmod cycles under a continuous storm: a background loop keeps
# starting and killing processes with swapped-out memory while the module
# is loaded and unloaded CYCLES times (sd.cycles= on the kernel command
# line, default 20; 100 for the debug tier), each time 0-50 ms after the
# first deferred exit. Every rmmod must succeed and report 0 entries
# pending; once the storms stop, SwapFree is back at its baseline, and a
# last load balances.
. /tests/lib.sh
need_module cycles

CYCLES=$(karg cycles)
CYCLES=${CYCLES:-20}
cleanup() { storm_loop_stop > /dev/null 2>&1; }
trap cleanup EXIT
trap 'exit 1' TERM INT

unload_module
base=$(swapfree_kb)
mark=$(dmesg_mark)
storm_loop_start -p 2 -m 8 -f 70 -g 4
n=0 busy=0 ti=0 tw=0 tr=0 t0=$(now_ms)
while [ $n -lt "$CYCLES" ]; do
	n=$((n + 1))
	t1=$(now_ms)
	load_module || { bad "cycle $n"; break; }
	t2=$(now_ms)
	# Until an exit was deferred (<= 2 s), then 0-50 ms more.
	i=0
	while [ "$(stat deferred_entries)" = 0 ] && [ $i -lt 20 ]; do
		usleep 100000
		i=$((i + 1))
	done
	usleep $((RANDOM % 50 * 1000))
	gt "$(stat deferred_entries)" 0 && busy=$((busy + 1))
	t3=$(now_ms)
	if ! timeout 60 rmmod swapdrain; then
		bad "cycle $n: rmmod failed or took > 60 s"
		break
	fi
	# main.c logs what was still pending once everything was freed.
	left=$(dmesg_since "$mark" |
	       sed -n 's/.*swapdrain: unloaded: \([0-9-]*\) entries pending.*/\1/p')
	[ "$(echo "$left" | grep -c .)" = "$n" ] ||
		{ bad "cycle $n: $(echo "$left" | grep -c .) 'unloaded' log lines"; break; }
	[ "$(echo "$left" | tail -n1)" = 0 ] ||
		{ bad "cycle $n: unloaded with $(echo "$left" | tail -n1) entries pending"; break; }
	ti=$((ti + t2 - t1)) tw=$((tw + t3 - t2)) tr=$((tr + $(now_ms) - t3))
	[ $((n % 10)) != 0 ] || [ $n = "$CYCLES" ] ||
		info "$n/$CYCLES cycles in $(($(now_ms) - t0)) ms, $busy with deferred entries"
done
info "$n cycles in $(($(now_ms) - t0)) ms (insmod $ti, waiting $tw, rmmod $tr);" \
     "$busy with deferred entries before rmmod"
storm_loop_stop
check_swapfree "$base"
gt "$busy" $((n / 2)) || bad "only $busy of $n cycles saw deferred entries: the storm did not overlap"
dmesg_clean "$mark"

# A last load: a storm, drained and balanced.
load_module || { result cycles; exit 1; }
swapstorm storm -p 2 -m 16 -f 70 -g 4
wait_drained 30
check_balance
check_swapfree "$base"
unload_module
result cycles
