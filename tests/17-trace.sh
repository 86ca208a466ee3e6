#!/bin/sh
# Tracepoints: with events/swapdrain/* on, a storm's trace has a
# swapdrain_defer line (pid, comm, swp, nr) for every deferred call, and
# the nr of those lines add up to the deferred_entries delta; queue and
# drain_batch lines add up to the same; a fallback (max_pending=0) has
# swapdrain_fallback lines with reason=bound.
. /tests/lib.sh
need_module trace

T=/sys/kernel/tracing
cleanup() {
	[ -d $T/events/swapdrain ] && echo 0 > $T/events/swapdrain/enable
	echo > $T/trace
}
trap cleanup EXIT
trap 'exit 1' TERM INT

load_module || { result trace; exit 1; }
[ -d $T/events/swapdrain ] || { bad "no $T/events/swapdrain"; result trace; exit 1; }
for e in swapdrain_defer swapdrain_fallback swapdrain_queue swapdrain_drain_batch; do
	[ -d $T/events/swapdrain/$e ] || bad "no event $e"
done
base=$(swapfree_kb)
echo 4096 > $T/buffer_size_kb
echo > $T/trace
echo 1 > $T/tracing_on
d0=$(stat deferred_entries) c0=$(stat deferred_calls) f0=$(stat freed_entries)
b0=$(stat fallback_bound)
echo 1 > $T/events/swapdrain/enable
swapstorm storm -p 2 -m 32 -f 60 -g 4
wait_drained 30
# A storm with max_pending=0: every call falls back, reason "bound".
echo 0 > $PARAMS/max_pending
swapstorm storm -p 1 -m 8 -f 60 -g 4 > /dev/null
echo 262144 > $PARAMS/max_pending
wait_drained 30
echo 0 > $T/events/swapdrain/enable
dd=$(($(stat deferred_entries) - d0)) dc=$(($(stat deferred_calls) - c0))
df=$(($(stat freed_entries) - f0)) db=$(($(stat fallback_bound) - b0))
cat $T/trace > /tmp/trace.txt
overrun=$(cat $T/per_cpu/cpu*/stats | awk '$1 == "overrun:" { s += $2 } END { print s + 0 }')
grep -m2 swapdrain_defer: /tmp/trace.txt | sed 's/^/  trace: /'
grep -m1 swapdrain_queue: /tmp/trace.txt | sed 's/^/  trace: /'
grep -m1 swapdrain_drain_batch: /tmp/trace.txt | sed 's/^/  trace: /'
grep -m1 swapdrain_fallback: /tmp/trace.txt | sed 's/^/  trace: /'
awk '
	/swapdrain_defer: / {
		if (!match($0, /pid=[0-9]+ comm=[^ ]+ swp=[0-9a-f]+ nr=[0-9]+$/)) bad++
		if ($0 !~ /comm=swapstorm /) other++
		sub(/.* nr=/, ""); dn++; ds += $0; next }
	/swapdrain_queue: / { match($0, /entries=[0-9]+/); qs += substr($0, RSTART + 8, RLENGTH - 8); next }
	/swapdrain_drain_batch: / { match($0, /entries=[0-9]+/); bs += substr($0, RSTART + 8, RLENGTH - 8); bn++; next }
	/swapdrain_fallback: / { if ($0 ~ /pid=[0-9]+ comm=[^ ]+ reason=bound nr=[0-9]+$/) fb++; next }
	END { printf "defer_lines=%d\ndefer_nr=%d\ndefer_bad=%d\ndefer_other_comm=%d\nqueue_entries=%d\nbatch_lines=%d\nbatch_entries=%d\nfallback_bound_lines=%d\n",
		dn, ds, bad, other, qs, bn, bs, fb }
' /tmp/trace.txt > /tmp/trace.kv
OUT=$(cat /tmp/trace.kv)
echo "$OUT" | sed 's/^/  /'
info "stats: deferred_calls +$dc, deferred_entries +$dd, freed_entries +$df, fallback_bound +$db; overrun $overrun"
gt "$dd" 0 || bad "nothing deferred"
[ "$(kv defer_bad)" = 0 ] || bad "$(kv defer_bad) swapdrain_defer lines without pid= comm= swp= nr="
gt "$(kv batch_lines)" 0 || bad "no swapdrain_drain_batch lines"
gt "$(kv fallback_bound_lines)" 0 || bad "no swapdrain_fallback reason=bound line"
if [ "$overrun" = 0 ]; then
	[ "$(kv defer_lines)" = "$dc" ] || bad "$(kv defer_lines) swapdrain_defer lines, deferred_calls +$dc"
	[ "$(kv defer_nr)" = "$dd" ] || bad "swapdrain_defer nr sum $(kv defer_nr), deferred_entries +$dd"
	[ "$(kv queue_entries)" = "$dd" ] || bad "swapdrain_queue entries sum $(kv queue_entries), deferred_entries +$dd"
	[ "$(kv batch_entries)" = "$df" ] || bad "swapdrain_drain_batch entries sum $(kv batch_entries), freed_entries +$df"
	[ "$(kv fallback_bound_lines)" = "$db" ] || bad "$(kv fallback_bound_lines) fallback lines, fallback_bound +$db"
else
	bad "trace buffer overrun ($overrun events lost): sums not comparable"
fi
check_balance
check_swapfree "$base"
dmesg_clean
unload_module
result trace
