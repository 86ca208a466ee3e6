#!/bin/sh
# Diagnostic, not part of the suite (run it by name: SD_RUN=cpushare
# scripts/check.sh 6.12). Who has the CPUs while the killed processes exit:
# an idle-guest storm of 10 x 64 MiB (60% swapped, -g 16, the benchmark's
# fgbig storm without the foreground thread), module off, on without the
# drain's wait (nowait: drain_wait_ms=0), on (defaults: the drain threads,
# nice 19, wait for the exits, drain_wait_ms=100), on with SCHED_IDLE drain
# threads that do not wait (idle: drain_idle=1 drain_wait_ms=0) and with
# those waiting (wait: drain_idle=1 drain_wait_ms=100; sd.modes=off,
# nowait,on,idle,wait, sd.reps=3),
# with the scheduler's sched_switch events. From the kills until the last
# child is through exit_mm (sched_process_exit; the parent, the last
# benchstorm to exit, is not a child), it sums the time each class of task
# ran: the children, the drain threads, kworkers, idle, the rest.
. /tests/lib.sh
need_module cpushare

T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2> /dev/null
STORM=$(karg storm)
STORM=${STORM:-10x64}
REPS=$(karg reps)
REPS=${REPS:-3}
MODES=$(karg modes | tr , ' ')
MODES=${MODES:-off nowait on idle wait}

share() {	# kill_total_ms < trace
	awk -v kt="$1" '
	function cls(comm, pid) {
		if (pid == 0) return "idle"
		if (pid in child) return "children"
		if (comm ~ /^swapdrain/) return "drain"
		if (comm ~ /^kworker/) return "kworker"
		return "other"
	}
	FNR == NR {
		if ($0 ~ /sched_process_exit:/ && $0 ~ /comm=benchstorm/) {
			match($0, / pid=[0-9]+/); p = substr($0, RSTART + 5, RLENGTH - 5)
			match($0, /[0-9]+\.[0-9]+: sched_process_exit/); ex[p] = substr($0, RSTART, RLENGTH) + 0
		}
		if ($0 ~ /swapdrain_queue:/) {
			match($0, /[0-9]+\.[0-9]+: swapdrain_queue/); q = substr($0, RSTART, RLENGTH) + 0
			if (q > lastq) lastq = q
			qt[++nq] = q
		}
		next
	}
	!done {	# the last benchstorm to exit is the parent, after the drain
		for (p in ex) if (last == "" || ex[p] > ex[last]) last = p
		for (p in ex) if (p != last) { child[p] = 1; if (ex[p] > end) end = ex[p] }
		start = end - kt / 1000
		done = 1
	}
	/sched_switch:/ {
		match($0, /\[[0-9]+\]/); c = substr($0, RSTART + 1, RLENGTH - 2) + 0
		match($0, /[0-9]+\.[0-9]+: sched_switch/); t = substr($0, RSTART, RLENGTH) + 0
		match($0, /prev_comm=[^ ]+/); pc = substr($0, RSTART + 10, RLENGTH - 10)
		match($0, /prev_pid=[0-9]+/); pp = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (c in since) {
			a = since[c] > start ? since[c] : start
			b = t < end ? t : end
			if (b > a) ms[cls(pc, pp)] += (b - a) * 1000
			if (b > lastq) b = lastq
			if (b > a && cls(pc, pp) == "drain") dq += (b - a) * 1000
		}
		since[c] = t
		if (t >= start && t <= end) {	# who gave the CPU to whom, and why
			match($0, /prev_state=[^ ]+/); ps = substr($0, RSTART + 11, RLENGTH - 11)
			match($0, /next_comm=[^ ]+/); nc = substr($0, RSTART + 10, RLENGTH - 10)
			match($0, /next_pid=[0-9]+/); np = substr($0, RSTART + 9, RLENGTH - 9) + 0
			sw[cls(pc, pp) ":" substr(ps, 1, 1) ">" cls(nc, np)]++
		}
	}
	END {
		printf "window_ms=%.1f", kt
		n = split("children drain kworker other idle", k, " ")
		for (i = 1; i <= n; i++) printf " %s_ms=%.1f", k[i], ms[k[i]]
		printf "\n   last batch queued at %.1f ms, drain ran %.1f ms before it; exits at", (lastq - start) * 1000, dq
		m = 0
		for (p in child) e[++m] = (ex[p] - start) * 1000
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (e[j] < e[i]) { x = e[i]; e[i] = e[j]; e[j] = x }
		for (i = 1; i <= m; i++) printf " %.0f", e[i]
		g = 0
		for (i = 2; i <= nq; i++) if (qt[i] > start && qt[i] - qt[i - 1] > g) { g = qt[i] - qt[i - 1]; gat = qt[i - 1] }
		printf "\n   %d batches queued, longest gap %.1f ms from %.1f ms", nq, g * 1000, (gat - start) * 1000
		printf "\n   switches (prev:state>next):"
		for (x in sw) printf " %s=%d", x, sw[x]
		printf "\n"
	}' /tmp/trace /tmp/trace
}

rep=0
while [ $rep -lt "$REPS" ]; do
	rep=$((rep + 1))
	for mode in $MODES; do
		case $mode in
		off) args=enabled=0 ;;
		on) args=enabled=1 ;;
		nowait) args="enabled=1 drain_wait_ms=0" ;;
		idle) args="enabled=1 drain_idle=1 drain_wait_ms=0" ;;
		wait) args="enabled=1 drain_idle=1 drain_wait_ms=100" ;;
		esac
		# shellcheck disable=SC2086 # several parameters
		load_module $args || { result cpushare; exit 1; }
		base=$(swapfree_kb)
		echo 0 > $T/tracing_on
		echo > $T/trace
		echo 16384 > $T/buffer_size_kb
		echo 1 > $T/events/sched/sched_switch/enable
		echo 1 > $T/events/sched/sched_process_exit/enable
		[ ! -e $T/events/swapdrain/swapdrain_queue/enable ] ||
			echo 1 > $T/events/swapdrain/swapdrain_queue/enable
		echo 1 > $T/tracing_on
		OUT=$(/tests/bin/benchstorm storm -p "${STORM%x*}" -m "${STORM#*x}" -f 60 -g 16)
		echo 0 > $T/tracing_on
		cat $T/trace > /tmp/trace
		echo 0 > $T/events/sched/enable
		[ ! -e $T/events/swapdrain/enable ] || echo 0 > $T/events/swapdrain/enable
		wait_drained 120
		check_swapfree "$base"
		info "rep $rep $mode: kill_total_ms=$(kv kill_total_ms) exit_cpu_ms=$(kv exit_cpu_ms) drain_waits=$(stat drain_waits)" \
			"$(share "$(kv kill_total_ms)")"
		check_balance
		unload_module
	done
done
dmesg_clean
result cpushare
