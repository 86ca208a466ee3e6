#!/bin/sh
# shmem: memfd memory swapped out and released when its only user exits.
. /tests/lib.sh
need_module shmem

load_module enabled=1 || { result shmem; exit 1; }
base=$(swapfree_kb)
swapstorm storm -s -p 2 -m 64 -f 70
gt "$(kv swapped_kb)" 0 || bad "nothing swapped"
wait_drained 30
show_stats
check_balance
check_swapfree "$base"
unload_module
result shmem
