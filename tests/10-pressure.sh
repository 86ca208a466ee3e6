#!/bin/sh
# Memory pressure drains the queue in the reclaiming task (the shrinker),
# and the entries the module holds cause no OOM kill that would not happen
# without it.
# The same run twice, without the module and with it: hugetlb pages take
# all but LEFT MiB of RAM (cheap: nothing is written), a storm leaves its
# swap behind, then a hog writes HOG MiB, so reclaim must run (pending is
# read while the hog holds its memory: its own exit defers entries again).
# With the module the drain threads are held back (tests/lib.sh
# hold_drainers): only the shrinker can free the queue in time.
. /tests/lib.sh
need_module pressure

LEFT=256 HOG=320
cleanup() {
	release_drainers
	echo 0 > /proc/sys/vm/nr_hugepages
}
trap cleanup EXIT
trap 'exit 1' TERM INT

# Hugetlb pages to leave LEFT MiB free, computed once for both runs, from
# MemFree once the page cache is dropped and the last scenario's memory has
# come back (it does so for a while after its processes are gone).
settle_memfree
hp=$((($(meminfo_kb MemFree) / 1024 - LEFT) / 2))
base=$(swapfree_kb)

# run off|on: reserve, storm, hog; sets got p1 p2 hog_rc oom scanned.
run() {
	echo "$hp" > /proc/sys/vm/nr_hugepages
	got=$(cat /proc/sys/vm/nr_hugepages)
	oom0=$(vmstat oom_kill)
	sc0=$(($(vmstat pgscan_kswapd) + $(vmstat pgscan_direct)))
	# Both shapes of swap: consecutive slots (few calls of up to 512
	# entries) and scattered 64 KiB chunks (many calls of <= 16).
	swapstorm storm -p 1 -m 64 -f 65 > /dev/null
	sw=$(kv swapped_kb)
	swapstorm storm -p 1 -m 64 -f 65 -g 16 > /dev/null
	sw="$sw + $(kv swapped_kb) kB swapped"
	free_mb=$(($(meminfo_kb MemFree) / 1024))
	p1=$(stat pending_entries)
	t0=$(now_ms)
	# A fresh file: the background job may truncate it only after
	# wait_ready has looked, and the last run's "ready" must not count.
	rm -f /tmp/hog.out
	sdtool mem -m $HOG -H > /tmp/hog.out 2>&1 &
	hog=$!
	wait_ready /tmp/hog.out 300 $hog
	hog_ms=$(($(now_ms) - t0))
	p2=$(stat pending_entries)
	[ "$1" = on ] && show_drainers
	kill -0 $hog 2>/dev/null; hog_rc=$?	# 0: alive (not OOM-killed)
	{ kill $hog; wait $hog; } 2> /dev/null
	oom=$(($(vmstat oom_kill) - oom0))
	scanned=$(($(vmstat pgscan_kswapd) + $(vmstat pgscan_direct) - sc0))
	info "$1: hugepages $got/$hp, storms $sw, pending $p1 -> $p2 while the hog wrote," \
	     "hog alive=$((!hog_rc)) after $hog_ms ms ($(cat /tmp/hog.out))," \
	     "pages scanned by reclaim $scanned, oom kills $oom"
	echo 0 > /proc/sys/vm/nr_hugepages
}

unload_module
run off
# The reservation is calibrated without the module: if the hog still fit
# (MemFree before it was free_mb, more than LEFT), reserve the difference
# as well and run again, at most twice. The run with the module uses the
# reservation that made reclaim run without it.
try=1
while [ "$scanned" = 0 ] && [ $try -lt 3 ] && [ "$free_mb" -gt $LEFT ]; do
	try=$((try + 1))
	hp=$((hp + (free_mb - LEFT + 1) / 2))
	info "off: $free_mb MiB free before the hog, $LEFT wanted: $hp hugepages, run $try"
	run off
done
oom_off=$oom got_off=$got
gt "$scanned" 0 || bad "no reclaim without the module: not enough pressure"

load_module max_delay_ms=0 || { result pressure; exit 1; }
hold_drainers || { result pressure; exit 1; }
s0=$(stat shrinker_scans) f0=$(stat shrinker_freed) u0=$(stat urgent_drains)
b0=$(stat drain_batches)
run on
scans=$(($(stat shrinker_scans) - s0)) sfreed=$(($(stat shrinker_freed) - f0))
urgent=$(($(stat urgent_drains) - u0))
info "shrinker_scans +$scans, shrinker_freed +$sfreed, urgent_drains +$urgent," \
     "drain_batches +$(($(stat drain_batches) - b0)), drain_cpu_ns $(stat drain_cpu_ns)"
gt "$p1" 0 || bad "nothing pending after the storm: the drainers were not held back"
gt "$scans" 0 || bad "shrinker_scans did not grow under memory pressure"
gt "$sfreed" 0 || bad "shrinker_freed did not grow"
gt "$p1" "$p2" || bad "pending did not fall under pressure ($p1 -> $p2) with the drainers held back"
# Every storm entry was queued long before reclaim began: a shrinker that
# drains "at once" leaves (nearly) nothing. What it cannot reach are the
# batches the held-back drain threads have taken off the queue.
[ $((p2 * 100)) -le "$p1" ] ||
	bad "$p2 of $p1 entries still held after reclaim ran ($scans shrinker scans): out of the shrinker's reach (batches taken by the held-back drain threads?)"
[ "$hog_rc" = 0 ] || bad "the hog did not survive with the module"
[ "$oom" -le "$oom_off" ] || bad "$oom OOM kills with the module, $oom_off without"
[ "$got" -ge "$got_off" ] || bad "fewer hugepages reserved with the module ($got < $got_off)"
release_drainers
# Reclaim pushed the test shells' own pages to swap: bring them back so that
# SwapFree means something and forked helpers exit without swap entries.
refault_swap
wait_drained 60
show_stats
check_balance
check_swapfree "$base"
dmesg_clean
unload_module
result pressure
