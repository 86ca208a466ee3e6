#!/bin/sh
# Shared swap entries: the parent pages out, forks; the child writes half of
# its copy and is killed. After the drain the parent's data is intact.
. /tests/lib.sh
need_module fork

load_module enabled=1 || { result fork; exit 1; }
base=$(swapfree_kb)
swapstorm fork -m 64 -f 80 -c 50 -S "$STATS"
[ "$(kv verify)" = ok ] || bad "parent data: $(kv verify)"
[ "$(kv drained)" = ok ] || bad "drain after the child's exit: $(kv drained)"
wait_drained 30
show_stats
gt "$(stat deferred_entries)" 0 || bad "nothing deferred"
check_balance
check_swapfree "$base"
unload_module
result fork
