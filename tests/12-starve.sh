#!/bin/sh
# Starved drainers: a SCHED_FIFO spinner on every vCPU for a few seconds.
# What is left to SCHED_OTHER tasks is 50 ms a second per CPU (the fair
# server on 6.12+, RT throttling before), and a nice-0 busy loop per CPU
# takes most of that from the SCHED_IDLE drain threads: the fair server hands
# those 50 ms out at once, so without them the drain of a small storm could
# fit in it and never wait (seen: no batch ever 200 ms old).
# Six processes with scattered swap are killed in two waves, 1.5 s apart.
# The first wave's batches wait longer than max_delay_ms=200, and the age
# bound must kick in while the CPUs spin: the age watch drains them at
# normal priority (age_drains), and exits that come while a batch is too
# old free synchronously (fallback_age). Which of the two acts first is a
# race between the watch and the second wave, so either counts; both are
# reported. Everything is freed after the spinners stop.
. /tests/lib.sh
need_module starve

SECS=4
load_module max_delay_ms=200 || { result starve; exit 1; }
base=$(swapfree_kb)
info "sched_rt_runtime_us $(cat /proc/sys/kernel/sched_rt_runtime_us)" \
     "/ sched_rt_period_us $(cat /proc/sys/kernel/sched_rt_period_us)"
a0=$(stat fallback_age) ad0=$(stat age_drains)
HOGS=
for c in $(seq "$(nproc)"); do
	sh -c 'while :; do :; done' &
	HOGS="$HOGS $!"
done
trap 'kill $HOGS 2> /dev/null' EXIT
OUT=$(sdtool starve -p 6 -m 24 -f 65 -g 1 -t $SECS -k 100 -w 1500 -S "$SYSSTATS") ||
	bad "sdtool starve: exit $?"
# shellcheck disable=SC2086 # a list of pids
kill $HOGS
echo "$OUT" | sed 's/^/  /'
t0=$(now_ms)
wait_drained 60
info "drained $(($(now_ms) - t0)) ms after the spinners stopped"
age=$(($(stat fallback_age) - a0))
fa=$(($(kv fallback_age_during) - a0)) ad=$(($(kv age_drains_during) - ad0))
info "while the CPUs spun: fallback_age +$fa, age_drains +$ad; in all: fallback_age +$age"
[ "$(kv spinners)" = "$(nproc)" ] || bad "$(kv spinners) spinners for $(nproc) CPUs"
gt "$(kv deferred_entries_during)" 0 || bad "nothing deferred while the CPUs spun"
gt $((fa + ad)) 0 || bad "the age bound did not act while every CPU spun (max_delay_ms=200): no fallback_age, no age_drains"
show_stats
check_balance
check_swapfree "$base"
dmesg_clean
unload_module
result starve
