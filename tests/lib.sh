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

# wait_drained [seconds]: poll until pending_entries is 0.
wait_drained() {
	local n=$((${1:-60} * 10)) p
	while [ $n -gt 0 ]; do
		p=$(stat pending_entries) || { bad "no stats file"; return 1; }
		[ "$p" = 0 ] && return 0
		usleep 100000
		n=$((n - 1))
	done
	bad "not drained after ${1:-60} s: pending_entries=$p"
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
