#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh [ver] (default 6.12): `make bench`.  Builds swapdrain.ko, boots
# the kernel in QEMU (TCG) several times and runs tests/bench.sh in each:
#   smp2    2 vCPUs: exit storms (0/30/60/90% swapped, -g 16 and -g 1),
#           foreground frames (idle and loaded), pass-through, nr_threads
#   fgbig   2 vCPUs: foreground frames during a bigger storm (10 x 64 MiB),
#           idle and 2 processes busy 50%, and during a storm of its
#           resident memory alone (nothing swapped: the floor)
#   fgapp   2 vCPUs: the same, with processes shaped like the seed's
#           measured app after 15 min in the background (VmSwap 366 MB,
#           RssAnon 68 MB, RssFile 131 MB): 10 x 64 MiB anonymous, 84% of
#           it swapped, and 19 MiB of a shared file mapped by each
#   smp4, smp8   4 and 8 vCPUs: exit storms at 60%, nr_threads
#   numa    4 vCPUs on 2 emulated NUMA nodes: thread placement, storms
#   icount  1 vCPU with -icount: pass-through in instruction time
#   icountx (not by default) 2 vCPUs with -icount: exit storms, CPU time
#           unaffected by the host's load
# Off (enabled=0) and on (enabled=1) runs are interleaved in the same boot;
# the module is reloaded before each run.  Writes results/bench-<time>/
# (raw lines, runs.csv, bench.json, bench.md, bench.png) and copies the
# last run to results/bench.{md,png,csv,json} (BENCH_QUICK=1:
# results/bench-quick.*); prints the tables.
# Env: BENCH_QUICK=1 (smoke run, ~3 min), BOOTS (subset of the above),
# BENCH_REV (git rev of the module to build; default: the working tree),
# REPS (5), EXIT (procs x MiB in smp2, 4x256: the storm the targets were
# set for), SCALEEXIT (in smp4/smp8/numa, 4x32), PCTS (0,30,60,90), G1PCTS (60),
# THREADS (extra nr_threads at 60% in smp2, 1), FG (10x16), FGREPS
# (repetitions of the foreground cells, 15), FGMODES (modes of the smp2
# foreground cells, off,on,floor), FGBUSY (2), FGWORK (ms per frame, 4),
# LIVE (MiB, 64), ICLIVE (MiB, 32), LIVEREPS (5), SMP2SECTIONS (sections
# of the smp2 boot, exit,fg,live,topo), FGBIG (10x64),
# FGBIGLOADS (0,2@50) and FGBIGMODES (off,on,nowait,floor; nowait:
# drain_wait_ms=0; onwait: drain_idle=1 drain_wait_ms=100) of the fgbig
# boot, FGAPP (10x64), FGAPPPCT (84), FGAPPFILE (MiB, 19) and FGAPPMODES
# (off,on,nowait,floor) of the fgapp boot (its loads are FGBIGLOADS),
# ACCEL, BENCH_TIMEOUT (s per boot, 3600).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ver=${1:-6.12}
t_start=$(date +%s)
ALLSMP2=exit,fg,live,topo
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	ALLBOOTS="smp2 numa"
	: "${REPS:=2}" "${EXIT:=4x16}" "${PCTS:=60,90}"
	: "${G1PCTS:=}" "${FG:=10x8}" "${FGREPS:=2}" "${LIVE:=16}" "${LIVEREPS:=2}"
	: "${THREADS:=1}" "${SCALEEXIT:=4x16}"
fi
: "${ALLBOOTS:=smp2 fgbig fgapp smp4 smp8 numa icount}"
: "${BOOTS:=$ALLBOOTS}" "${REPS:=5}" "${EXIT:=4x256}"
: "${SCALEEXIT:=4x32}"
: "${PCTS:=0,30,60,90}" "${G1PCTS=60}" "${FG:=10x16}" "${FGBUSY:=2}"
: "${FGREPS:=15}" "${FGMODES:=off,on,floor}" "${SMP2SECTIONS:=$ALLSMP2}"
: "${FGBIG:=10x64}" "${FGBIGLOADS:=0,2@50}"
: "${FGBIGMODES:=off,on,nowait,floor}"
: "${FGAPP:=10x64}" "${FGAPPPCT:=84}" "${FGAPPFILE:=19}"
: "${FGAPPMODES:=off,on,nowait,floor}"
: "${FGWORK:=4}" "${LIVE:=64}" "${ICLIVE:=32}" "${LIVEREPS:=5}" "${THREADS:=1}"

HOST_DEPS+=(gnuplot-nox python3)
ensure_host_deps
"$TOP/scripts/fetch-kernel.sh" "$ver" >&2
kernel_env "$ver"

# Build from a private copy, so that a build in the tree at the same time
# (another make) cannot mix objects with ours.  BENCH_REV=<git rev>: build
# that commit's module instead of the working tree's.
B=$CACHE/bench
rm -rf "$B/build"
mkdir -p "$B/build/scripts"
if [ -n "${BENCH_REV:-}" ]; then
	git -C "$TOP" archive "$BENCH_REV" Kbuild Makefile src include \
		scripts/kernel-probe.sh | tar -x -C "$B/build"
	commit=$(git -C "$TOP" rev-parse --short "$BENCH_REV")
else
	cp -r "$TOP/Kbuild" "$TOP/Makefile" "$TOP/src" "$TOP/include" "$B/build/"
	cp "$TOP/scripts/kernel-probe.sh" "$B/build/scripts/"
	commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$TOP" diff --quiet HEAD -- src include Kbuild 2>/dev/null &&
		[ -z "$(git -C "$TOP" status --porcelain -- src include Kbuild 2>/dev/null)" ] ||
		commit="$commit+uncommitted changes"
fi
log "building swapdrain.ko ($commit) against $KVER"
make -s -C "$B/build" KDIR="$KDIR" >&2
initrd=$B/initramfs-$ver.cpio.gz
for try in 1 2 3; do	# mkinitramfs.sh's busybox check can trip on SIGPIPE
	"$TOP/scripts/mkinitramfs.sh" "$ver" "$B/build/swapdrain.ko" "$initrd" > /dev/null && break
	[ $try = 3 ] && die "mkinitramfs.sh failed"
	log "mkinitramfs.sh failed, retrying"
done

stamp=$(date +%Y%m%d-%H%M%S)
out=$TOP/results/bench-$stamp
mkdir -p "$out"
loadavg() { cut -d' ' -f1 /proc/loadavg; }
loads=$(loadavg)

# boot TAG SMP MEM QEMU_EXTRA GUEST_ARGS...
boot() {
	local tag=$1 smp=$2 mem=$3 extra=$4 rc=0
	shift 4
	local logf=$out/console-$tag.log
	log "boot $tag: $smp vCPUs, $mem MiB${extra:+, $extra}: $*"
	SMP=$smp MEM=$mem QEMU_EXTRA=$extra SD_LOG=$logf TIMEOUT=${BENCH_TIMEOUT:-3600} \
		"$TOP/scripts/qemu-run.sh" "$ver" "$initrd" bench "sd.tag=$tag" \
		"sd.reps=$REPS" "sd.exit=$EXIT" "$@" 2>&1 |
		grep --line-buffered -E '^(bench:|@[ESWT])' | cut -c1-160 >&2 || rc=$?
	grep '^@' "$logf" > "$out/raw-$tag.txt" || true
	loads="$loads $(loadavg)"
	if ! grep -q '^BENCH-DONE' "$logf" || ! grep -q '^SWAPDRAIN-END rc=0$' "$logf"; then
		log "boot $tag did not finish cleanly (rc=$rc): see $logf"
		grep -E 'FAIL|bench:|Oops|BUG|panic' "$logf" | head -n 20 >&2 || true
		failed="${failed:-} $tag"
	fi
}

numa_mem=3072
numa="-object memory-backend-ram,id=m0,size=$((numa_mem / 2))M"
numa+=" -object memory-backend-ram,id=m1,size=$((numa_mem / 2))M"
numa+=" -numa node,cpus=0-1,nodeid=0,memdev=m0 -numa node,cpus=2-3,nodeid=1,memdev=m1"
at60="sd.pcts=60 sd.g1pcts= sd.exit=$SCALEEXIT"
failed=
# shellcheck disable=SC2086 # $at60 is two arguments
for b in $BOOTS; do
	case $b in
	smp2)	boot smp2 2 3072 "" "sd.bench=$SMP2SECTIONS" "sd.pcts=$PCTS" \
			"sd.g1pcts=$G1PCTS" "sd.threads=$THREADS" "sd.fg=$FG" "sd.fgreps=$FGREPS" \
			"sd.fgbusy=$FGBUSY" "sd.fgwork=$FGWORK" "sd.fgmodes=$FGMODES" \
			"sd.live=$LIVE" "sd.livereps=$LIVEREPS" sd.livegs=16,1 ;;
	smp4)	boot smp4 4 3072 "" sd.bench=topo,exit $at60 sd.threads=1,2 ;;
	smp8)	boot smp8 8 3072 "" sd.bench=topo,exit $at60 sd.threads=1 ;;
	numa)	boot numa 4 $numa_mem "$numa" sd.bench=topo,exit $at60 sd.threads=2 ;;
	fgbig)	boot fgbig 2 3072 "" sd.bench=fg "sd.fg=$FGBIG" "sd.fgreps=$FGREPS" \
			"sd.fgloads=$FGBIGLOADS" "sd.fgwork=$FGWORK" "sd.fgmodes=$FGBIGMODES" ;;
	fgapp)	boot fgapp 2 3072 "" sd.bench=fg "sd.fg=$FGAPP" "sd.fgreps=$FGREPS" \
			"sd.fgpct=$FGAPPPCT" "sd.fgfile=$FGAPPFILE" "sd.fgloads=$FGBIGLOADS" \
			"sd.fgwork=$FGWORK" "sd.fgmodes=$FGAPPMODES" ;;
	icount)	boot icount 1 2048 "-icount shift=0" sd.bench=live \
			"sd.live=$ICLIVE" "sd.livereps=$LIVEREPS" sd.livegs=16,1 ;;
	icountx) boot icountx 2 3072 "-icount shift=0" sd.bench=exit \
			"sd.pcts=0,60,90" sd.g1pcts= sd.threads= ;;
	*)	die "unknown boot '$b' (smp2 fgbig fgapp smp4 smp8 numa icount icountx)" ;;
	esac
done

wall=$(( $(date +%s) - t_start ))
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "commit=$commit"
	echo "qemu=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "ncpu=$(nproc)"
	echo "mem_gib=$(awk '$1 == "MemTotal:" { printf "%d", $2 / 1048576 + 0.5 }' /proc/meminfo)"
	echo "quick=${BENCH_QUICK:-0}"
	echo "reps=$REPS"
	echo "exit_p=${EXIT%x*}"
	echo "exit_m=${EXIT#*x}"
	echo "scale_exit=$SCALEEXIT"
	echo "fg_p=${FG%x*}"
	echo "fg_m=${FG#*x}"
	echo "fg_reps=$FGREPS"
	echo "load=$loads (at the start and after each boot: $BOOTS)"
	echo "wall=$((wall / 60)) min $((wall % 60)) s"
	echo "failed=${failed# }"
} > "$out/host.txt"

python3 "$TOP/scripts/bench-report.py" "$out" > /dev/null
# The fixed names are for the README: neither a smoke run nor a partial
# one (some boots or sections only) replaces them, and a partial run's
# plot may lack panels.
fixed=$TOP/results/bench
[ "${BENCH_QUICK:-0}" = 1 ] && fixed=$TOP/results/bench-quick
[ "$BOOTS" = "$ALLBOOTS" ] && [ "$SMP2SECTIONS" = "$ALLSMP2" ] || fixed=
if ! gnuplot -e "dir='$out'" "$TOP/scripts/plot-bench.gnuplot"; then
	[ -z "$fixed" ] || die "gnuplot failed"
	log "partial run: the plot lacks the panels without data"
fi
if [ -n "$fixed" ]; then
	cp "$out/bench.md" "$fixed.md"
	cp "$out/bench.png" "$fixed.png"
	cp "$out/runs.csv" "$fixed.csv"
	cp "$out/bench.json" "$fixed.json"
fi
echo
cat "$out/bench.md"
echo
log "results: $out/ (runs.csv bench.json bench.md bench.png frames.csv threads.csv)"
if [ -n "$fixed" ]; then
	log "copied to ${fixed#"$TOP/"}.{md,png,csv,json}; wall time $((wall / 60)) min $((wall % 60)) s"
else
	log "partial run (BOOTS='$BOOTS' SMP2SECTIONS='$SMP2SECTIONS'): results/bench.* left as they were; wall time $((wall / 60)) min $((wall % 60)) s"
fi
[ -z "$failed" ] || die "boots that did not finish:$failed"
