#!/bin/sh
# enabled=0: a storm defers nothing and everything is freed synchronously.
. /tests/lib.sh
need_module disabled

load_module enabled=0 || { result disabled; exit 1; }
base=$(swapfree_kb)
swapstorm storm -p 4 -m 64 -f 65
show_stats
dc=$(stat deferred_calls)
[ "$dc" = 0 ] || bad "deferred_calls=$dc with enabled=0"
check_balance
check_swapfree "$base"
unload_module
result disabled
