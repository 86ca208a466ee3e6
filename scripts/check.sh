#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh [KERNELS...] (default 6.12): for each kernel series, fetch it,
# build swapdrain.ko against it, build the initramfs, boot it in QEMU with
# sd.run=check and collect the PASS/FAIL lines. Ends with "N passed, N failed";
# exits non-zero on any failure or a guest that did not finish.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- 6.12
RUN=${SD_RUN:-check}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
now() { date +%s; }
record() { echo "$1: [$2] $3" | tee -a "$results"; }

ensure_host_deps
for ver in "$@"; do
	t0=$(now)
	if ! "$TOP/scripts/fetch-kernel.sh" "$ver" >&2; then
		record FAIL "$ver" "fetch-kernel"
		continue
	fi
	kernel_env "$ver"
	t1=$(now)

	ko=
	log "building swapdrain.ko for $KVER"
	if make -C "$TOP" KDIR="$KDIR" >&2 && [ -f "$TOP/swapdrain.ko" ]; then
		ko=$TOP/swapdrain.ko
	else
		record FAIL "$ver" "build: make -C $TOP KDIR=$KDIR failed"
	fi
	t2=$(now)
	if ! initrd=$("$TOP/scripts/mkinitramfs.sh" "$ver" "$ko"); then
		record FAIL "$ver" "mkinitramfs"
		continue
	fi
	t3=$(now)

	rc=0
	mkdir -p "$CACHE/logs"
	logf=$CACHE/logs/$ver-$RUN-$(date +%Y%m%d-%H%M%S).log
	: > "$logf"
	SD_LOG=$logf "$TOP/scripts/qemu-run.sh" "$ver" "$initrd" "$RUN" || rc=$?
	t4=$(now)

	# The guest's clean copy of the results, between its markers; if it
	# never got there, whatever results the console shows.
	if grep -q '^SWAPDRAIN-RESULTS-END$' "$logf"; then
		sed -n '/^SWAPDRAIN-RESULTS-BEGIN$/,/^SWAPDRAIN-RESULTS-END$/p' "$logf"
	else
		cat "$logf"
	fi | grep -E '^(PASS|FAIL|SKIP): ' | sed "s/^\([A-Z]*\): /\1: [$ver] /" |
		tee -a "$results" >&2 || true
	end=$(sed -n 's/^SWAPDRAIN-END rc=//p' "$logf")
	if [ -z "$end" ]; then
		record FAIL "$ver" "guest did not finish (qemu exit $rc, see $logf)"
	elif [ "$end" != 0 ] && ! grep -q "^FAIL: \[$ver\]" "$results"; then
		record FAIL "$ver" "guest runner exited rc=$end (see $logf)"
	fi
	log "$ver timings: fetch $((t1 - t0)) s, build $((t2 - t1)) s," \
	    "initramfs $((t3 - t2)) s, boot+suite $((t4 - t3)) s"
done

echo
echo "Results:"
grep -E '^(PASS|FAIL|SKIP): ' "$results" || true
passed=$(grep -c '^PASS: ' "$results" || true)
failed=$(grep -c '^FAIL: ' "$results" || true)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
