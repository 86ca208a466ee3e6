#!/bin/sh
# kprobe backend with every kprobe disarmed (debugfs kprobes/enabled=0)
# while entries are pending: the drain calls miss their redirect, must be
# detected (stub_body_calls), kept pending and never freed twice; once
# kprobes are armed again the retry frees them all.
. /tests/lib.sh
need_module kprobe-disarm
KP=/sys/kernel/debug/kprobes/enabled
[ -w "$KP" ] || { echo "SKIP: kprobe-disarm: no $KP"; exit 0; }

load_module backend=kprobe drain_nice=19 || { result kprobe-disarm; exit 1; }
base=$(swapfree_kb)
# Disarm right after the kills, while the drain has work left.
swapstorm storm -p 4 -m 64 -f 70 -x "echo 0 > $KP"
sleep 2
sb=$(stat stub_body_calls) p=$(stat pending_entries)
info "disarmed: stub_body_calls=$sb pending_entries=$p"
gt "$p" 0 || info "drain finished before the disarm (nothing to prove this run)"
[ "$p" = 0 ] || gt "$sb" 0 || bad "entries pending but no drain call missed its redirect"
echo 1 > "$KP"
wait_drained 30
check_balance
check_swapfree "$base"
unload_module
result kprobe-disarm
