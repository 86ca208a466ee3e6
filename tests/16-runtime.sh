#!/bin/sh
# Runtime parameter changes under load: while storms run in the background,
# every writable parameter is changed again and again; each value reads back
# and takes effect (drain threads' nice, policy and CPUs), bad values are
# refused and change nothing, load-time parameters cannot be written.
# Accounting exact at the end.
. /tests/lib.sh
need_module runtime

cleanup() { storm_loop_stop > /dev/null 2>&1; }
trap cleanup EXIT
trap 'exit 1' TERM INT

# set NAME VALUE: write, read back (drain_cpus reads back as a cpulist).
set_param() {
	{ echo "$2" > "$PARAMS/$1"; } 2> /dev/null || { bad "$1=$2 refused"; return 1; }
	[ "$(param "$1")" = "${3:-$2}" ] || bad "$1=$2 reads back '$(param "$1")'"
}
# refuse NAME VALUE: the write fails and the value stays.
refuse() {
	local old
	old=$(param "$1")
	{ echo "$2" > "$PARAMS/$1"; } 2> /dev/null && bad "$1=$2 accepted"
	[ "$(param "$1")" = "$old" ] || bad "$1 changed '$old' -> '$(param "$1")' by a refused write"
}
# Every drain thread: field N of /proc/PID/stat is V.
threads_stat() {
	local p
	for p in $(drainer_pids); do
		[ "$(cut -d' ' -f"$1" "/proc/$p/stat")" = "$2" ] ||
			bad "drain thread $p: stat field $1 is $(cut -d' ' -f"$1" "/proc/$p/stat"), want $2 ($3)"
	done
}
threads_cpus() {
	local p
	for p in $(drainer_pids); do
		grep -q "^Cpus_allowed_list:[[:space:]]*$1\$" "/proc/$p/status" ||
			bad "drain thread $p: $(grep Cpus_allowed_list "/proc/$p/status"), want $1"
	done
}

load_module || { result runtime; exit 1; }
base=$(swapfree_kb)
last=$(($(nproc) - 1))
storm_loop_start -p 3 -m 16 -f 70 -g 4
t0=$(now_ms) round=0
while [ $round -lt 3 ]; do
	round=$((round + 1))
	set_param enabled 0 N; set_param enabled 1 Y
	set_param max_pending 0; usleep 200000
	set_param max_pending 1000; usleep 200000
	set_param max_pending 262144
	set_param drain_nice $((round % 2 ? -5 : 19))
	threads_stat 19 "$(param drain_nice)" nice
	threads_stat 41 0 SCHED_OTHER
	set_param drain_idle 1 Y; threads_stat 41 5 SCHED_IDLE
	threads_stat 19 "$(param drain_nice)" "nice under SCHED_IDLE"
	set_param drain_fifo 1 Y; threads_stat 41 1 "SCHED_FIFO wins"
	set_param drain_idle 0 N; threads_stat 41 1 SCHED_FIFO
	set_param drain_fifo 0 N; threads_stat 41 0 SCHED_OTHER
	set_param drain_cpus 0; threads_cpus 0
	set_param drain_cpus "$last"; threads_cpus "$last"
	set_param drain_cpus "0-$last"; threads_cpus "0-$last"
	set_param drain_cpus "" ""
	set_param flush_ms $((round % 2 ? 1 : 1000)); usleep 200000
	set_param flush_ms 10
	set_param swap_low_pct 100; usleep 200000
	set_param swap_low_pct 0; set_param swap_low_pct 10
	set_param max_delay_ms 1; usleep 200000
	set_param max_delay_ms 0; set_param max_delay_ms 2000
	set_param drain_wait_ms 0; usleep 200000; set_param drain_wait_ms 100
done
info "$round rounds in $(($(now_ms) - t0)) ms"
for v in 2 maybe ""; do refuse enabled "$v"; done
for v in -1 268435457 abc; do refuse max_pending "$v"; done
for v in -21 20 x; do refuse drain_nice "$v"; done
refuse drain_fifo 7
refuse drain_idle 7
for v in -1 10001 x; do refuse drain_wait_ms "$v"; done
for v in 999 abc 0-999; do refuse drain_cpus "$v"; done
for v in 0 1001; do refuse flush_ms "$v"; done
for v in -1 101; do refuse swap_low_pct "$v"; done
for v in -1 600001; do refuse max_delay_ms "$v"; done
for p in batch_size nr_threads; do refuse "$p" 1; done
storm_loop_stop
wait_drained 60
show_stats
for k in fallback_bound fallback_swap_low fallback_age; do
	gt "$(stat $k)" 0 || info "($k stayed 0)"
done
gt "$(stat deferred_entries)" 0 || bad "nothing deferred"
check_balance
check_swapfree "$base"
dmesg_clean
unload_module
result runtime
