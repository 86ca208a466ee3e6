# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest test scenarios (busybox ash). Source it.
#
# Checks (check_*) append a reason to $ERRS and return 1 on failure;
# `result NAME` then prints PASS or FAIL with the collected reasons.
# shellcheck shell=sh

# shellcheck disable=SC2034 # used by the scenarios
KO=/swapdrain.ko
STATS=/sys/kernel/debug/swapdrain/stats
PARAMS=/sys/module/swapdrain/parameters
SWAPDEV=/dev/zram0
ERRS=
OUT=

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
bad() { ERRS="${ERRS:+$ERRS; }$*"; return 1; }
result() {
	if [ -z "$ERRS" ]; then pass "$1"; else fail "$1" "$ERRS"; fi
	ERRS=
}
info() { echo "  $*"; }

have_module() { [ -f "$KO" ]; }
loaded() { [ -d /sys/module/swapdrain ]; }

# load_module [param=value...]: insmod, recording a failure.
load_module() {
	# The matrix cell's parameters come first (sd.modparams=NAME=VALUE on
	# the kernel command line, may repeat), so the scenario's own win.
	# shellcheck disable=SC2046
	set -- $(tr ' ' '\n' < /proc/cmdline | sed -n 's/^sd\.modparams=//p') "$@"
	insmod "$KO" "$@" || { bad "insmod $*: failed"; return 1; }
}

unload_module() {
	loaded || return 0
	rmmod swapdrain || { bad "rmmod failed"; return 1; }
}

# Skip a scenario that needs the module when there is none (prints SKIP).
need_module() {
	have_module && return 0
	echo "SKIP: $1: no $KO"
	exit 0
}

# Milliseconds since boot (10 ms resolution).
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

swapfree_kb() { awk '$1 == "SwapFree:" { print $2 }' /proc/meminfo; }

# stat NAME: one value of the stats file ("name: value" lines).
stat() {
	awk -v k="$1:" '$1 == k { print $2; f = 1 } END { exit !f }' "$STATS" 2>/dev/null
}

param() { cat "$PARAMS/$1"; }

# Print the stats file, indented.
show_stats() { sed 's/^/  stats: /' "$STATS"; }

# Polls that wait for the queue to empty must not fork: after memory
# pressure the test shell's pages are in swap, and every child it forks
# (busybox runs usleep and awk in one) exits with references to them,
# which the module defers: a loop of forks keeps feeding the queue it
# waits on. stat_nofork NAME sets SV from the sysfs stats (generated once
# per open, so a byte-wise read is one snapshot); sleep_nofork S waits S
# seconds (fractions allowed) on a FIFO nobody writes.
stat_nofork() {
	local k v
	SV=
	while read -r k v _; do
		[ "$k" = "$1:" ] && { SV=$v; return 0; }
	done < "$SYSSTATS"
	return 1
}
[ -p /tmp/.sd_sleep ] || mkfifo /tmp/.sd_sleep
exec 8<> /tmp/.sd_sleep
sleep_nofork() { read -r -t "$1" _ <&8; }

# wait_drained [seconds]: poll until pending_entries is 0.
wait_drained() {
	local n=$((${1:-60} * 10))
	while [ $n -gt 0 ]; do
		stat_nofork pending_entries || { bad "no stats file"; return 1; }
		[ "$SV" = 0 ] && return 0
		sleep_nofork 0.1
		n=$((n - 1))
	done
	# Where it stands: stuck (the same counts a second apart) or still
	# being fed (deferred_entries growing).
	info "not drained: deferred_entries $(stat deferred_entries), freed_entries $(stat freed_entries)"
	show_drainers
	usleep 1000000
	info "1 s later: deferred_entries $(stat deferred_entries), freed_entries $(stat freed_entries), pending $(stat pending_entries)"
	bad "not drained after ${1:-60} s: pending_entries=$SV"
}

# deferred = freed and nothing pending.
check_balance() {
	local d f p
	d=$(stat deferred_entries) f=$(stat freed_entries) p=$(stat pending_entries)
	[ -n "$d" ] && [ "$d" = "$f" ] && [ "$p" = 0 ] && return 0
	bad "balance: deferred_entries=$d freed_entries=$f pending_entries=$p"
}

# check_swapfree BASE: SwapFree is back within 1024 KiB of BASE.
# (The kernel's per-CPU swap slot caches hold a few freed slots.)
check_swapfree() {
	local now
	now=$(swapfree_kb)
	[ $(($1 - now)) -le 1024 ] && return 0
	bad "SwapFree $now kB is $(($1 - now)) kB below the baseline $1 kB"
}

# swapstorm ARGS...: run the tool, keep its key=value output in $OUT, echo it.
swapstorm() {
	local rc
	OUT=$(/tests/bin/swapstorm "$@")
	rc=$?
	echo "$OUT" | sed 's/^/  /'
	[ $rc -eq 0 ] || bad "swapstorm $*: exit $rc"
}

# kv KEY: a value from the last swapstorm output.
kv() { echo "$OUT" | sed -n "s/^$1=//p" | head -n1; }

# ge A B / gt A B: numeric comparisons that are false on empty values.
ge() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -ge "$2" ]; }
gt() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -gt "$2" ]; }

# The dmesg lines logged since a mark (mark=$(dmesg_mark) first).
dmesg_mark() { dmesg | wc -l; }
dmesg_since() { dmesg | tail -n +$(($1 + 1)); }

# --- Helpers of the pressure scenarios (tests/1N-*.sh) ---

# The stats and histogram in sysfs: readable without debugfs.
SYSSTATS=/sys/kernel/swapdrain/stats
SYSEXITLAT=/sys/kernel/swapdrain/exit_latency

# karg NAME: the value of sd.NAME= on the kernel command line (empty if none).
karg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^sd\.$1=//p" | tail -n1; }

# vmstat NAME: one counter of /proc/vmstat.
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# meminfo_kb NAME: one field of /proc/meminfo, in kB.
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# The pids of the module's drain threads.
drainer_pids() {
	grep -l '^swapdrain/' /proc/[0-9]*/comm 2> /dev/null |
		sed 's|^/proc/\([0-9]*\)/comm$|\1|'
}

# wait_ready FILE [seconds] [PID]: wait until a background sdtool wrote
# "ready" to FILE (and give up early if PID is gone).
wait_ready() {
	local n=$((${2:-60} * 10))
	while [ $n -gt 0 ]; do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		[ -n "$3" ] && ! kill -0 "$3" 2>/dev/null && break
		usleep 100000
		n=$((n - 1))
	done
	bad "$1: not ready ($(head -c 200 "$1" 2>/dev/null))"
}

# storm_loop_start ARGS...: swapstorm storm ARGS in a loop, in the background,
# until storm_loop_stop; which prints how many storms ran and fails on a
# storm that failed.
storm_loop_start() {
	rm -f /tmp/storm_loop.stop /tmp/storm_loop.n /tmp/storm_loop.err
	(
		n=0
		while [ ! -e /tmp/storm_loop.stop ]; do
			/tests/bin/swapstorm storm "$@" > /tmp/storm_loop.out 2>&1 ||
				cat /tmp/storm_loop.out >> /tmp/storm_loop.err
			n=$((n + 1))
		done
		echo $n > /tmp/storm_loop.n
	) &
	STORM_LOOP=$!
}
storm_loop_stop() {
	[ -n "$STORM_LOOP" ] || return 0
	touch /tmp/storm_loop.stop
	wait "$STORM_LOOP"
	STORM_LOOP=
	info "background storms: $(cat /tmp/storm_loop.n 2>/dev/null)"
	[ ! -s /tmp/storm_loop.err ] && return 0
	bad "a background storm failed: $(head -c 300 /tmp/storm_loop.err)"
}

# extra_swap_on MiB: swap on a new zram device of MiB only (zram0 off), so
# that a scenario can fill it. Sets XSWAP. extra_swap_off undoes it.
extra_swap_on() {
	local id
	swapoff "$SWAPDEV" || { bad "swapoff $SWAPDEV failed"; return 1; }
	id=$(cat /sys/class/zram-control/hot_add) || { bad "zram hot_add failed"; return 1; }
	XSWAP=/dev/zram$id
	grep -qw lz4 "/sys/block/zram$id/comp_algorithm" &&
		echo lz4 > "/sys/block/zram$id/comp_algorithm"
	echo "$1M" > "/sys/block/zram$id/disksize" &&
		mkswap "$XSWAP" > /dev/null && swapon "$XSWAP" ||
		{ bad "swap on $XSWAP ($1 MiB) failed"; return 1; }
}
extra_swap_off() {
	local id=${XSWAP#/dev/zram}
	[ -n "$XSWAP" ] || return 0
	if grep -q "^$XSWAP " /proc/swaps; then
		swapoff "$XSWAP" || bad "swapoff $XSWAP failed"
	fi
	echo 1 > "/sys/block/zram$id/reset"
	echo "$id" > /sys/class/zram-control/hot_remove || bad "zram hot_remove $id failed"
	XSWAP=
	grep -q "^$SWAPDEV " /proc/swaps || swapon "$SWAPDEV" || bad "swapon $SWAPDEV again failed"
}

# The kernel log lines that 99-dmesg counts as suspicious, except the
# "Call Trace" of an OOM report (a real OOM kill dumps the allocating
# task's stack: expected) and, with ALLOC_FAIL_OK=1 (fault injection), of
# an allocation failure report. dmesg_bad [MARK] prints them (since
# dmesg_mark MARK), dmesg_clean [MARK] records them as a failure.
DMESG_BAD='WARNING:|BUG:|Oops|Bad swap|Unused swap|Bad page|bad pte|print_bad_pte|Call Trace|general protection|soft lockup|blocked for more than|rcu_.*stall|self-detected stall|Missing ENDBR|refcount_t:|list_(add|del) corruption'
ALLOC_FAIL_OK=0
dmesg_bad() {
	dmesg | tail -n +$((${1:-0} + 1)) | awk -v pat="$DMESG_BAD" -v af="$ALLOC_FAIL_OK" '
		/ invoked oom-killer: / { rep = 1 }
		af && /: (page allocation failure|vmalloc error): / { rep = 1 }
		rep && /Call Trace:/ { next }
		/(Out of memory|Memory cgroup out of memory): Killed process|<\/TASK>/ { rep = 0 }
		$0 ~ pat { print }'
}
dmesg_clean() {
	dmesg_bad "$@" > /tmp/dmesg_bad
	[ -s /tmp/dmesg_bad ] || return 0
	sed 's/^/  dmesg: /' /tmp/dmesg_bad | head -n 20
	bad "$(wc -l < /tmp/dmesg_bad) suspicious kernel log lines"
}
# dmesg_clear_checked WHY: the expected reports above have a "Call Trace",
# which tests/99-dmesg.sh and the debug kernels' console scan count. Once
# the whole log is clean but for them, clear it (noting why in the log);
# otherwise keep it, so that the rest still fails there too.
dmesg_clear_checked() {
	[ -z "$(dmesg_bad)" ] || return 0
	dmesg -c > /dev/null
	echo "swapdrain-tests: kernel log checked and cleared: $1" > /dev/kmsg
}

# balance_of < STATS-TEXT: "deferred freed pending unaccounted" of one
# stats text (unaccounted = deferred - freed - pending).
balance_of() {
	awk '$1 == "deferred_entries:" { d = $2 } $1 == "freed_entries:" { f = $2 }
	     $1 == "pending_entries:" { p = $2 }
	     END { print d, f, p, d - f - p }'
}

# check_balance_now WHEN: deferred = freed + pending in one read of the
# stats (check_balance reads them one at a time, for a quiet system).
check_balance_now() {
	local v
	v=$(balance_of < "$STATS")
	set -- "$1" $v
	[ "$5" = 0 ] && return 0
	bad "balance $1: deferred_entries=$2 freed_entries=$3 pending_entries=$4 ($5 unaccounted)"
}

# hold_drainers: hold the drain threads back, whatever the host's speed.
# They are confined (drain_cpus) to the last CPU, which a nice -20 spinner
# keeps busy: CFS gives a SCHED_IDLE thread about 3/88761 of that CPU (a
# nice-19 one 15/88761), a few milliseconds a minute. (A cgroup cpu.max
# does not do: 7.2's task-based bandwidth throttling stops a task only on
# its way back to user space, which a kernel thread never takes:
# task_throttle_setup_work().) The urgent drains (an unbound workqueue) and
# the shrinker (the reclaiming task) are not held, and every other task
# keeps the first CPU. release_drainers undoes it (do it before rmmod).
HOLD_SPIN=
hold_drainers() {
	local cpu=$(($(nproc) - 1))
	[ "$cpu" -gt 0 ] || { bad "hold_drainers needs 2 CPUs"; return 1; }
	[ -n "$(drainer_pids)" ] || { bad "no drain threads"; return 1; }
	echo 19 > $PARAMS/drain_nice || { bad "drain_nice=19 refused"; return 1; }
	echo "$cpu" > $PARAMS/drain_cpus || { bad "drain_cpus=$cpu refused"; return 1; }
	sh -c 'while :; do :; done' &
	HOLD_SPIN=$!
	taskset -p $((1 << cpu)) $HOLD_SPIN > /dev/null &&
		renice -n -20 -p $HOLD_SPIN > /dev/null ||
		{ bad "cannot pin or renice the spinner"; release_drainers; return 1; }
	HOLD_CPU0=$(drainer_cpu_ms)
}
# The drain threads' CPU time in ms (/proc/PID/stat, USER_HZ = 100).
drainer_cpu_ms() {
	local p t=0
	for p in $(drainer_pids); do
		t=$((t + $(awk '{ print $14 + $15 }' /proc/$p/stat)))
	done
	echo $((t * 10))
}
# Where the held-back drain threads are (kernel stacks), for the log.
show_drainers() {
	local p
	for p in $(drainer_pids); do
		info "drain thread $p ($(cut -d' ' -f3 /proc/$p/stat), CPU $(awk '{ print $39 }' /proc/$p/stat)):" \
		     "$(grep -o '^\[<[0-9a-f]*>\] [^+]*' /proc/$p/stack 2> /dev/null |
			cut -d' ' -f2 | head -n 6 | tr '\n' ' ')"
	done
	[ -z "$HOLD_SPIN" ] || info "held: drain threads ran $(($(drainer_cpu_ms) - HOLD_CPU0)) ms since hold_drainers"
}
release_drainers() {
	[ -n "$HOLD_SPIN" ] || return 0
	kill $HOLD_SPIN 2> /dev/null
	wait $HOLD_SPIN 2> /dev/null
	HOLD_SPIN=
	loaded && echo "" > $PARAMS/drain_cpus
	return 0
}

# settle_memfree: drop the page cache and wait (<= 10 s) until MemFree
# stops rising: memory freed by the last scenario's exits comes back late.
settle_memfree() {
	local a b=0 i=0
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 1 > /proc/sys/vm/compact_memory 2> /dev/null
	a=$(meminfo_kb MemFree)
	while [ $i -lt 20 ] && [ $((a - b)) -gt 1024 ]; do
		usleep 500000
		b=$a a=$(meminfo_kb MemFree) i=$((i + 1))
	done
}

# refault_swap: swap every live process's pages back in (swapoff + swapon
# of every swap device). After memory pressure has pushed the test shells
# out, SwapFree can then be compared with its baseline again, and the
# children those shells fork no longer exit with swap entries. swapoff
# only returns once every slot is free again: a held entry would hang it.
refault_swap() {
	local dev
	for dev in $(awk 'NR > 1 { print $1 }' /proc/swaps); do
		timeout 60 swapoff "$dev" || { bad "swapoff $dev failed or hung"; continue; }
		swapon "$dev" || bad "swapon $dev failed"
	done
}
