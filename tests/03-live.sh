#!/bin/sh
# A live process's munmap / MADV_DONTNEED of swapped memory is not deferred.
. /tests/lib.sh
need_module live

load_module enabled=1 || { result live; exit 1; }
base=$(swapfree_kb)
for op in "" -D; do
	d0=$(stat deferred_calls) p0=$(stat passthrough_calls)
	swapstorm live -m 64 -f 60 $op
	d1=$(stat deferred_calls) p1=$(stat passthrough_calls)
	info "op=$(kv op) deferred_calls $d0 -> $d1, passthrough_calls $p0 -> $p1"
	gt "$(kv swap_kb)" 0 || bad "$(kv op): nothing swapped"
	[ "$d1" = "$d0" ] || bad "$(kv op): deferred_calls $d0 -> $d1"
	gt "$p1" "$p0" || bad "$(kv op): passthrough_calls $p0 -> $p1"
	[ "$(kv swap_after_kb)" = 0 ] || bad "$(kv op): swap left after the op"
done
wait_drained 30
check_balance
check_swapfree "$base"
unload_module
result live
