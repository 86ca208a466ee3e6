#!/bin/sh
# rmmod in the middle of a storm's drain (drainers at nice 19): it must
# succeed and free every deferred entry. Then a storm without the module.
. /tests/lib.sh
need_module rmmod

load_module enabled=1 drain_nice=19 || { result rmmod; exit 1; }
base=$(swapfree_kb)
# Right after the kills: wait (<= 3 s) until something is pending, then rmmod.
swapstorm storm -p 4 -m 128 -f 70 -x "
	i=0
	while [ \"\$(awk '\$1 == \"pending_entries:\" { print \$2 }' $STATS)\" = 0 ] &&
	      [ \$i -lt 300 ]; do usleep 10000; i=\$((i + 1)); done
	grep pending_entries $STATS | sed 's/^/  at rmmod: /'
	time timeout 60 rmmod swapdrain"
[ "$(kv exec_rc)" = 0 ] || bad "rmmod during the storm: exit $(kv exec_rc) (143: > 60 s)"
loaded && bad "module still loaded"
check_swapfree "$base"
swapstorm storm -p 2 -m 64 -f 65
check_swapfree "$base"
result rmmod
