#!/bin/sh
# The harness without the module: MADV_PAGEOUT fills the zram swap, a storm
# gives it all back, a fork-shared region stays intact.
. /tests/lib.sh

unload_module
base=$(swapfree_kb)
swapstorm storm -p 2 -m 64 -f 65
# 2 x 64 MiB x 65% = 85196 kB; allow for pages MADV_PAGEOUT could not take.
ge "$(kv swapped_kb)" 76000 || bad "only $(kv swapped_kb) kB swapped out (want ~85196)"
check_swapfree "$base"
swapstorm fork -m 32 -f 80 -c 50
[ "$(kv verify)" = ok ] || bad "fork: $(kv verify)"
check_swapfree "$base"
result baseline
