#!/bin/sh
# swapoff right after a storm (while the drain is pending) succeeds in time.
. /tests/lib.sh
need_module swapoff

load_module enabled=1 drain_nice=19 || { result swapoff; exit 1; }
base=$(swapfree_kb)
swapstorm storm -p 4 -m 96 -f 65
info "pending_entries at swapoff: $(stat pending_entries)"
t0=$(now_ms)
timeout 60 swapoff "$SWAPDEV" || bad "swapoff failed or took > 60 s"
info "swapoff took $(($(now_ms) - t0)) ms"
grep -q "^$SWAPDEV " /proc/swaps && bad "$SWAPDEV still in /proc/swaps"
swapon "$SWAPDEV" || bad "swapon again failed"
wait_drained 30
show_stats
check_balance
check_swapfree "$base"
unload_module
result swapoff
