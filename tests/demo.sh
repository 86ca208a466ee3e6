#!/bin/sh
# sd.run=demo: the same exit storm with swapdrain off and on, in one boot.
# Kernel args: sd.procs (4) sd.mib (256) sd.pct (60) sd.rounds (1)
# sd.chunk (swapstorm -g: scattered page-out in chunks of N pages; 0 = off)
# sd.thp (1: keep transparent huge pages).
. /tests/lib.sh

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^sd\.$1=//p" | tail -n1; }
P=$(arg procs) M=$(arg mib) F=$(arg pct) R=$(arg rounds)
P=${P:-4} M=${M:-256} F=${F:-60} R=${R:-1}
G=$(arg chunk) T=$(arg thp)
OPTS="-g ${G:-0}"
[ "${T:-0}" = 1 ] && OPTS="$OPTS -t"

have_module || { echo "demo: no $KO"; exit 1; }
load_module enabled=0 || { echo "demo: $ERRS"; exit 1; }
echo "demo: $P x $M MiB, $F% swapped, $R round(s); swapdrain loaded, enabled=0"

# storm MODE: one storm; its kill-to-reap times go to /tmp/demo.MODE.
storm() {
	# shellcheck disable=SC2086 # OPTS is a list of options
	swapstorm storm -p "$P" -m "$M" -f "$F" $OPTS
	echo "$(kv kill_median_ms) $(kv kill_max_ms) $(kv kill_total_ms)" >> "/tmp/demo.$1"
	wait_drained 120
}
rm -f /tmp/demo.off /tmp/demo.on
i=0
while [ $i -lt "$R" ]; do
	i=$((i + 1))
	for mode in off on; do
		v=0; [ $mode = on ] && v=1
		echo $v > "$PARAMS/enabled"
		echo "demo: round $i, enabled=$v"
		storm $mode
	done
done

# The mean over rounds of column $2 of off and on, and on/off.
row() {
	awk -v name="$1" -v c="$2" '
		FNR == 1 { f++ } { s[f] += $c; n[f]++ }
		END { a = s[1] / n[1]; b = s[2] / n[2]
		      printf "DEMO: %-14s %10.1f %10.1f %8.2f\n", name, a, b, a ? b / a : 0 }
	' /tmp/demo.off /tmp/demo.on
}
echo "DEMO-BEGIN"
echo "DEMO: $P procs x $M MiB, $F% swapped, mean of $R round(s), swapstorm $OPTS"
printf 'DEMO: %-14s %10s %10s %8s\n' "kill-to-reap" "off (ms)" "on (ms)" "on/off"
row median 1
row max 2
row "all reaped" 3
sed 's/^/DEMO: stats: /' "$STATS"
echo "DEMO-END"
check_balance
unload_module
[ -z "$ERRS" ] || { echo "demo: $ERRS"; exit 1; }
