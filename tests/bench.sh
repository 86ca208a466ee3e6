#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sd.run=bench: the guest side of `make bench` (scripts/bench.sh).
#
# Every measurement is one line on the console, "@B key=value ...", which
# scripts/bench.sh turns into CSV/JSON, a table and a plot.  Off and on runs
# of the same cell follow each other, their order alternating between
# repetitions; the module is loaded afresh for every run, so each run's
# stats (peak_pending_entries, drain_cpu_ns, exit_latency) are its own.
#   mode none: module not loaded; off: loaded, enabled=0; on: enabled=1;
#   onN: enabled=1 nr_threads=N; nowait: enabled=1 drain_wait_ms=0 (the
#   drain threads do not wait for the exits; the default is 100 ms);
#   onwait: enabled=1 drain_idle=1 drain_wait_ms=100 (SCHED_IDLE drain
#   threads that wait).
#
# Kernel args (defaults in brackets):
#   sd.bench=exit,fg,live,topo  sections to run [exit,fg,live]
#   sd.reps=5                   repetitions of every cell
#   sd.exit=4x256               exit storm: procs x MiB
#   sd.pcts=0,30,60,90          % swapped, page-out in 16-page chunks (-g 16)
#   sd.g1pcts=60                % swapped also measured with -g 1 [none]
#   sd.threads=2                extra nr_threads at 60% (-g 16): modes onN [none]
#   sd.fg=10x64                 foreground storm: procs x MiB (-g 16)
#   sd.fgpct=84                 % of it swapped [60]
#   sd.fgfile=19                MiB of one shared file each process also
#                               maps and reads (file-backed RSS) [0]
#   sd.fgreps=15                repetitions of the foreground cells [reps]
#   sd.fgbusy=2                 background spinners in the loaded runs
#   sd.fgloads=0,2@50,2         loads of the foreground cells: N spinners,
#                               busy D% of the time with N@D
#                               [0,fgbusy@50,fgbusy]
#   sd.fgmodes=off,on           modes of the foreground cells; mode floor:
#                               the storm's resident memory only (0%
#                               swapped, M x (100 - fgpct)% MiB, and the
#                               same file), module not loaded:
#                               the frames no swap-freeing change can beat
#   sd.fgwork=4                 ms of work per 16.7 ms frame (calibrated)
#   sd.live=256                 pass-through: MiB munmapped by a live process
#   sd.livereps=9               repetitions of the live cell
#   sd.livegs=16,1              page-out chunks for the live cell
. /tests/lib.sh

SYS=/sys/kernel/swapdrain
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^sd\.$1=//p" | tail -n1; }
list() { echo "$1" | tr ',' ' '; }

SECTIONS=$(arg bench); SECTIONS=${SECTIONS:-exit,fg,live}
REPS=$(arg reps); REPS=${REPS:-5}
EXIT=$(arg exit); EXIT=${EXIT:-4x256}
PCTS=$(arg pcts); PCTS=${PCTS:-0,30,60,90}
G1PCTS=$(arg g1pcts)
THREADS=$(arg threads)
FG=$(arg fg); FG=${FG:-10x64}
FGPCT=$(arg fgpct); FGPCT=${FGPCT:-60}
FGFILE=$(arg fgfile); FGFILE=${FGFILE:-0}
FGREPS=$(arg fgreps); FGREPS=${FGREPS:-$REPS}
FGBUSY=$(arg fgbusy); FGBUSY=${FGBUSY:-2}
FGWORK=$(arg fgwork); FGWORK=${FGWORK:-4}
FGLOADS=$(arg fgloads); FGLOADS=${FGLOADS:-0,$FGBUSY@50,$FGBUSY}
FGMODES=$(arg fgmodes); FGMODES=${FGMODES:-off,on}
LIVE=$(arg live); LIVE=${LIVE:-256}
LIVEREPS=$(arg livereps); LIVEREPS=${LIVEREPS:-9}
LIVEGS=$(arg livegs); LIVEGS=${LIVEGS:-16,1}
TAG=$(arg tag); TAG=${TAG:-smp$(nproc)}

have_module || { echo "bench: no $KO"; exit 1; }

# mode MODE: (re)load the module for MODE.
mode() {
	if loaded; then
		rmmod swapdrain || { echo "bench: rmmod failed"; return 1; }
	fi
	case $1 in
	none|floor) return 0 ;;
	off)	insmod "$KO" enabled=0 ;;
	on)	insmod "$KO" enabled=1 ;;
	onwait)	insmod "$KO" enabled=1 drain_idle=1 drain_wait_ms=100 ;;
	nowait)	insmod "$KO" enabled=1 drain_wait_ms=0 ;;
	on*)	insmod "$KO" enabled=1 "nr_threads=${1#on}" ;;
	*)	echo "bench: bad mode $1"; return 1 ;;
	esac
}

# The storm tool's options for the module's files (none when not loaded).
sdfiles() { loaded && echo "-S $SYS/stats -E $SYS/exit_latency"; }

# emit KEY=VALUE...: one record: the given keys, the tool's output (no
# per-frame lines) and, when loaded, the module's stats after the drain.
emit() {
	local st=
	loaded && st=$(sed 's/^\([a-z_]*\): */sd_\1=/' "$SYS/stats" | tr '\n' ' ')
	echo "@B tag=$TAG $* $(echo "$OUT" | grep -v '^frame=' | tr '\n' ' ')$st"
}

# after BASE: wait for the drain, note a leak.
after() {
	ERRS=
	loaded && wait_drained 300
	check_swapfree "$1"
	[ -z "$ERRS" ] || echo "@W tag=$TAG $ERRS"
}

# Alternate the order of a cell's modes between repetitions.
order() {	# rep modes...
	local r=$1
	shift
	if [ $((r % 2)) = 1 ]; then echo "$*"; else echo "$*" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }'; fi
}

run_storm() {	# w rep mode args...
	local w=$1 rep=$2 m=$3 base t0 rc pre
	shift 3
	mode "$m" || return 1
	base=$(swapfree_kb)
	t0=$(now_ms)
	# the drain threads' CPU time before the run: their start-up
	pre=
	loaded && pre="sd_drain_cpu_ns_pre=$(awk '$1 == "drain_cpu_ns:" { print $2 }' "$SYS/stats")"
	# shellcheck disable=SC2046 # word splitting wanted
	OUT=$(/tests/bin/benchstorm storm $(sdfiles) "$@")
	rc=$?
	after "$base"
	emit "w=$w rep=$rep mode=$m rc=$rc run_ms=$(($(now_ms) - t0)) $pre"
}

env_line() {
	echo "@E tag=$TAG kernel=$(uname -r) cpus=$(nproc)" \
		"mem_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)" \
		"zram_kb=$(($(cat /sys/block/zram0/disksize) / 1024))" \
		"zram_alg=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/zram0/comp_algorithm)" \
		"nodes=$(ls -d /sys/devices/system/node/node* | wc -l)" \
		"thp=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled)" \
		"cmdline=$(tr ' ' '\n' < /proc/cmdline | grep '^sd\.' | tr '\n' ';')"
}

# Exit latency, memory return, CPU, nr_threads: P x M MiB storms.
sec_exit() {
	local p=${EXIT%x*} m=${EXIT#*x} rep=0 pct g modes t
	while [ $rep -lt "$REPS" ]; do
		rep=$((rep + 1))
		for pct in $(list "$PCTS"); do
			for g in 16 1; do
				if [ $g = 1 ]; then
					case ",$G1PCTS," in *",$pct,"*) ;; *) continue ;; esac
				fi
				modes="off on"
				if [ "$pct" = 60 ] && [ $g = 16 ]; then
					for t in $(list "$THREADS"); do modes="$modes on$t"; done
				fi
				for mo in $(order $rep $modes); do
					run_storm exit $rep "$mo" -p "$p" -m "$m" -f "$pct" -g $g
				done
			done
		done
	done
}

# Foreground frames during a storm of many small processes, idle / loaded.
sec_fg() {
	local p=${FG%x*} m=${FG#*x} rep=0 iters load busy duty mo o mm pct
	mode none
	OUT=$(/tests/bin/benchstorm calib -w "$FGWORK")
	iters=$(kv calib_iters)
	echo "@C tag=$TAG fgwork_ms=$FGWORK $(echo "$OUT" | tr '\n' ' ')"
	while [ $rep -lt "$FGREPS" ]; do
		rep=$((rep + 1))
		for load in $(list "$FGLOADS"); do
			busy=${load%@*} duty=100
			[ "$busy" = "$load" ] || duty=${load#*@}
			# shellcheck disable=SC2046 # a list of modes
			for mo in $(order $rep $(list "$FGMODES")); do
				o=
				[ $rep = 1 ] && o=-O
				mm=$m pct=$FGPCT
				[ "$mo" = floor ] && mm=$((m * (100 - FGPCT) / 100)) pct=0
				run_storm fg $rep "$mo" -p "$p" -m "$mm" -f "$pct" -g 16 \
					-r "$FGFILE" -F "$iters" -B "$busy" -D "$duty" \
					-P 1000 -M 1000 -C 20000 $o
				[ $rep = 1 ] && echo "$OUT" |
					sed -n "s/^frame=/@F tag=$TAG busy=$busy duty=$duty mode=$mo /p"
			done
		done
	done
}

# Pass-through: a live process munmaps swapped memory; none / on / off.
sec_live() {
	local rep=0 g mo base t0
	while [ $rep -lt "$LIVEREPS" ]; do
		rep=$((rep + 1))
		for g in $(list "$LIVEGS"); do
			for mo in $(order $rep none on off); do
				mode "$mo" || return 1
				base=$(swapfree_kb)
				t0=$(now_ms)
				OUT=$(/tests/bin/swapstorm live -m "$LIVE" -f 60 -g "$g")
				after "$base"
				emit "w=live rep=$rep mode=$mo g=$g run_ms=$(($(now_ms) - t0))"
			done
		done
	done
}

# Topology: where the drain threads are allowed to run, and which of them
# did the work of one storm (60%, -g 16).
threads_line() {	# label
	local d pid
	for d in /proc/[0-9]*; do
		case $(cat "$d/comm" 2>/dev/null) in swapdrain/*) ;; *) continue ;; esac
		pid=${d#/proc/}
		echo "@T tag=$TAG when=$1 comm=$(cat "$d/comm")" \
			"allowed=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "$d/status")" \
			"cpu=$(awk '{ print $39 }' "$d/stat")" \
			"runtime_ns=$(awk '$1 == "se.sum_exec_runtime" { printf "%.0f", $3 * 1000000 }' "$d/sched" 2>/dev/null)"
	done
}

sec_topo() {
	local n
	for n in /sys/devices/system/node/node*; do
		echo "@N tag=$TAG node=${n##*node} cpus=$(cat "$n/cpulist")"
	done
	mode on
	threads_line load
	run_storm topo 1 on -p "${EXIT%x*}" -m "${EXIT#*x}" -f 60 -g 16
	threads_line after
	mode none
}

env_line
t_all=$(now_ms)
for s in $(list "$SECTIONS"); do
	t=$(now_ms)
	echo "bench: section $s"
	"sec_$s"
	echo "@S tag=$TAG section=$s ms=$(($(now_ms) - t))"
done
mode none
echo "@S tag=$TAG section=all ms=$(($(now_ms) - t_all))"
echo "BENCH-DONE"
