#!/bin/sh
# The drain waits for the exits (drain_wait_ms). The drain thread is
# confined to the last vCPU, which nothing else uses, and a storm to the
# first: 8 swapped-out processes and a ballast of 512 MiB resident (-b),
# killed first, whose exit_mmap() runs, preempted and resumed among the
# others, from the start of the storm to its end. (Without it, exits that
# each finish inside one time slice left gaps of more than the wait's
# one-jiffy hysteresis between them, and the storm's length, some 10 ms on
# a fast host, came near the one-jiffy bound of drain_wait_ms=1 plus the
# timer latency of an idle vCPU under TCG, 10-16 ms.) With the wait
# (drain_wait_ms=5000, no age bound) the first batch is drained only after
# the last child is through its exit (sched_process_exit), and drain_waits
# counts the waits. With drain_wait_ms=0 (no wait) and drain_wait_ms=1
# (the bound: one jiffy after the first queued batch) the idle vCPU drains
# while the children still exit. After every storm swap is back and the
# accounting is exact. sd.reps=N repeats the three storms N times;
# sd.dwstorm=ARGS (commas for spaces) replaces the storm's arguments.
. /tests/lib.sh
need_module drainwait

T=/sys/kernel/tracing
STORM=$(karg dwstorm | tr , ' ')
STORM=${STORM:--p 8 -m 32 -f 60 -g 16 -b 512}
REPS=$(karg reps)
cleanup() {
	[ -d $T/events/swapdrain ] && echo 0 > $T/events/swapdrain/enable
	echo 0 > $T/events/sched/sched_process_exit/enable 2> /dev/null
	echo > $T/trace
}
trap cleanup EXIT
trap 'exit 1' TERM INT

last=$(($(nproc) - 1))
[ "$last" -gt 0 ] || { bad "needs 2 CPUs"; result drainwait; exit 1; }
[ -d $T/events/sched/sched_process_exit ] || mount -t tracefs nodev $T 2> /dev/null
[ -d $T/events/sched/sched_process_exit ] ||
	{ bad "no event sched_process_exit"; result drainwait; exit 1; }

# storm PARAMS...: one storm on CPU 0 with the module loaded with PARAMS;
# sets FIRST_DRAIN and LAST_EXIT (ms after the first queued batch) and WAITS.
storm() {
	local base pid args="$*"
	load_module drain_cpus=$last "$@" || return 1
	[ -d $T/events/swapdrain/swapdrain_drain_batch ] ||
		{ bad "no swapdrain events"; unload_module; return 1; }
	base=$(swapfree_kb)
	echo 8192 > $T/buffer_size_kb
	echo > $T/trace
	echo 1 > $T/events/swapdrain/swapdrain_queue/enable
	echo 1 > $T/events/swapdrain/swapdrain_drain_batch/enable
	echo 1 > $T/events/sched/sched_process_exit/enable
	echo 1 > $T/tracing_on
	# shellcheck disable=SC2086 # several words
	taskset -c 0 /tests/bin/swapstorm storm $STORM > /dev/null &
	pid=$!
	wait $pid || bad "swapstorm storm failed"
	wait_drained 60
	echo 0 > $T/events/swapdrain/enable
	echo 0 > $T/events/sched/sched_process_exit/enable
	WAITS=$(stat drain_waits)
	# shellcheck disable=SC2046 # two numbers
	set -- $(awk -v parent="$pid" '
		function ts() { match($0, /[0-9]+\.[0-9]+: /); return substr($0, RSTART, RLENGTH - 2) + 0 }
		/swapdrain_queue:/ && q == "" { q = ts() }
		/swapdrain_drain_batch:/ && d == "" { d = ts() }
		/sched_process_exit:/ && /comm=swapstorm/ && $0 !~ " pid=" parent " " { e = ts(); if (f == "") f = e }
		END { if (q == "" || d == "" || e == "") print "- - -"
		      else printf "%.1f %.1f %.1f\n", (d - q) * 1000, (e - q) * 1000, (f - q) * 1000 }' $T/trace)
	FIRST_DRAIN=$1 LAST_EXIT=$2
	info "$args: first batch drained at $FIRST_DRAIN ms, children exited from $3 to $LAST_EXIT ms, drain_waits=$WAITS"
	check_swapfree "$base"
	check_balance
	unload_module
	[ "$FIRST_DRAIN" != - ] || { bad "$args: no queue, drain or exit event in the trace"; return 1; }
}
# before A B: is A < B (decimal ms)?
before() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

rep=0
while [ "$rep" -lt "${REPS:-1}" ]; do
	rep=$((rep + 1))
	if storm drain_wait_ms=5000 max_delay_ms=0; then
		before "$LAST_EXIT" "$FIRST_DRAIN" ||
			bad "drain_wait_ms=5000: a batch was drained at $FIRST_DRAIN ms, before the last exit at $LAST_EXIT ms"
		[ "$WAITS" -gt 0 ] || bad "drain_wait_ms=5000: drain_waits is $WAITS"
	fi
	for w in 0 1; do
		storm drain_wait_ms=$w || continue
		before "$FIRST_DRAIN" "$LAST_EXIT" ||
			bad "drain_wait_ms=$w: nothing drained before the last exit at $LAST_EXIT ms (first at $FIRST_DRAIN ms)"
		[ "$w" != 0 ] || [ "$WAITS" = 0 ] || bad "drain_wait_ms=0: drain_waits is $WAITS"
	done
done
dmesg_clean
result drainwait
