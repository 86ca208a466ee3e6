#!/bin/sh
# swapoff in the middle of a storm. The drain threads are held back
# (tests/lib.sh hold_drainers) and a storm with consecutive
# slots leaves entries pending; a live process keeps 64 MiB in swap and
# four more 21 MiB each, so swapoff takes a while; once swapoff has begun
# (its urgent drain ran), the four are SIGKILLed: their exits run during
# swapoff. swapoff must succeed without waiting for the held-back drain
# threads: the urgent drain at its entry frees what the module holds, and
# exits during swapoff free synchronously (fallback_swapoff). If pending
# stays the same for 3 s while swapoff runs after the urgent drain, it is
# waiting for the drain threads: that fails, and they are released so that
# swapoff can end.
. /tests/lib.sh
need_module swapoffstorm

PIDS=
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	release_drainers
	grep -q "^$SWAPDEV " /proc/swaps || swapon "$SWAPDEV"
}
trap cleanup EXIT
trap 'exit 1' TERM INT

load_module max_delay_ms=0 || { result swapoffstorm; exit 1; }
hold_drainers || { result swapoffstorm; exit 1; }
base=$(swapfree_kb)
for m in 64 32 32 32 32; do
	pct=65; [ $m = 64 ] && pct=100
	sdtool mem -m $m -f $pct > /tmp/h.$m.$$ 2>&1 &
	PIDS="$PIDS $!"
	wait_ready /tmp/h.$m.$$ 60 $!
	rm -f /tmp/h.$m.$$
done
keep=${PIDS%% *} victims=${PIDS#* }
swapstorm storm -p 1 -m 32 -f 65 | grep swapped_kb
p0=$(stat pending_entries) u0=$(stat urgent_drains) s0=$(stat fallback_swapoff)
info "pending $p0 at swapoff, SwapFree $(swapfree_kb) kB"
t0=$(now_ms)
swapoff "$SWAPDEV" &
so=$!
i=0
while [ "$(stat urgent_drains)" = "$u0" ] && [ $i -lt 100 ]; do usleep 20000; i=$((i + 1)); done
# shellcheck disable=SC2086
kill -9 $victims
killed_ms=$(($(now_ms) - t0))
last= since=$t0 stuck= stuck_ms= n=0
while kill -0 $so 2> /dev/null && [ $n -lt 600 ]; do
	usleep 100000
	n=$((n + 1))
	p=$(stat pending_entries) now=$(now_ms)
	[ "$p" != "$last" ] && since=$now && last=$p
	if [ -z "$stuck" ] && [ "$p" != 0 ] && [ "$(stat urgent_drains)" != "$u0" ] &&
	   [ $((now - since)) -ge 3000 ]; then
		stuck=$p stuck_ms=$((now - t0))
		show_drainers
		release_drainers
	fi
done
kill -0 $so 2> /dev/null && { bad "swapoff still running after 60 s"; kill $so; }
wait $so || bad "swapoff failed"
so_ms=$(($(now_ms) - t0))
# shellcheck disable=SC2086
wait $victims 2> /dev/null
urgent=$(($(stat urgent_drains) - u0)) fso=$(($(stat fallback_swapoff) - s0))
info "swapoff took $so_ms ms; victims killed $killed_ms ms into it;" \
     "urgent_drains +$urgent, fallback_swapoff +$fso"
grep -q "^$SWAPDEV " /proc/swaps && bad "$SWAPDEV still in /proc/swaps"
gt "$p0" 0 || bad "nothing pending when swapoff started"
gt "$urgent" 0 || bad "no urgent drain at swapoff"
gt "$fso" 0 || bad "no fallback_swapoff from the exits during swapoff"
[ -z "$stuck" ] ||
	bad "swapoff waited for the held-back drain threads: $stuck entries stayed pending (unchanged for 3 s after the urgent drain, $stuck_ms ms into swapoff); swapoff ended $((so_ms - stuck_ms)) ms after they were released"
# swapoff is over: nothing can be held, yet the drain threads may still be
# held back. The stats must add up now, not only once they get the CPU.
if [ -z "$stuck" ]; then
	check_balance_now "after swapoff, with the drain threads still held back" &&
		info "stats add up after swapoff, drain threads still held back"
	show_drainers
fi
swapon "$SWAPDEV" || bad "swapon again failed"
kill "$keep"; wait "$keep" 2> /dev/null
PIDS=
release_drainers
wait_drained 60
show_stats
check_balance
check_swapfree "$base"
dmesg_clean
unload_module
result swapoffstorm
