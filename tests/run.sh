#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest test runner: run.sh check | run.sh name[,name...]
# Runs each tests/NN-*.sh scenario in its own shell with a time limit
# (sd.timeout= seconds on the kernel command line, default 300;
# sd.timeout_<name>= for one scenario); a
# scenario that dies without a PASS/FAIL line of its own is reported as FAIL.
. /tests/lib.sh

sel=$1
rc=0
limit=$(karg timeout)
: > /tmp/results
# diag-*.sh: diagnostics, run only when named.
for t in /tests/[0-9]*.sh /tests/diag-*.sh; do
	[ -e "$t" ] || continue
	name=${t##*/}; name=${name%.sh}; name=${name#*-}
	case $t in */diag-*) [ "$sel" != check ] || continue ;; esac
	if [ "$sel" != check ]; then
		case ",$sel," in *",$name,"*) ;; *) continue ;; esac
	fi
	unload_module
	echo "=== $name"
	start=$(date +%s)
	lim=$(karg "timeout_$name")
	{ timeout "${lim:-${limit:-300}}" sh "$t" 2>&1; echo $? > /tmp/rc; } |
		tee /tmp/out
	trc=$(cat /tmp/rc)
	[ "$trc" -eq 0 ] || killall -9 swapstorm 2>/dev/null
	echo "=== $name: rc=$trc, $(($(date +%s) - start)) s"
	if ! grep -q '^\(PASS\|FAIL\|SKIP\): ' /tmp/out; then
		fail "$name" "scenario exited rc=$trc without a result" |
			tee -a /tmp/out
	fi
	grep '^\(PASS\|FAIL\|SKIP\): ' /tmp/out >> /tmp/results
	grep -q '^FAIL: ' /tmp/out && rc=1
	[ "$trc" -eq 0 ] || rc=1
done
unload_module
echo "SWAPDRAIN-RESULTS-BEGIN"
cat /tmp/results
echo "SWAPDRAIN-RESULTS-END"
exit $rc
