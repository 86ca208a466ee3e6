#!/bin/sh
# Exit storm: 4 processes with ~65% of their memory swapped (in scattered
# 64 KiB chunks), SIGKILLed together. Nearly all their swap frees must be
# deferred, then drained.
# Also checks the IBT-safe drain path: the original is reached through the
# redirected stub (orig_calls > 0) and the stub body never runs; and that
# the stats file has every counter the tests rely on.
. /tests/lib.sh
need_module storm

load_module enabled=1 || { result storm; exit 1; }
base=$(swapfree_kb)
swapstorm storm -p 4 -m 128 -f 65 -g 16
pages=$(($(kv swapped_kb) / 4))
wait_drained 60
show_stats
de=$(stat deferred_entries)
info "swapped pages=$pages deferred_entries=$de"
gt "$pages" 0 || bad "nothing was swapped out"
ge "$((de * 100))" "$((pages * 90))" || bad "deferred_entries=$de < 90% of $pages swapped pages"
check_balance
check_swapfree "$base"

oc=$(stat orig_calls) sc=$(stat stub_body_calls)
if gt "$oc" 0 && [ "$sc" = 0 ]; then
	pass ibt
else
	fail ibt "orig_calls=$oc stub_body_calls=$sc (want >0 and 0)"
fi
missing=
for k in deferred_calls deferred_entries freed_entries pending_entries \
	 passthrough_calls fallback_full fallback_bound drain_batches drain_ns \
	 orig_calls stub_body_calls; do
	stat $k > /dev/null || missing="$missing $k"
done
if [ -z "$missing" ]; then pass stats; else fail stats "missing:$missing"; fi
unload_module
result storm
