#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh [CELLS...] (default 6.12): for each cell of the test matrix, get
# its kernel, build swapdrain.ko against it, build the initramfs, boot it in
# QEMU with sd.run=check and collect the PASS/FAIL lines, tagged "[cell]".
# Ends with "N passed, N failed"; exits non-zero on any failure or a guest
# that did not finish.
#
# A cell is a kernel name, optionally with "-kprobe":
#   6.12, 6.1      Debian's binary kernels (scripts/fetch-kernel.sh)
#   6.12-arm64     Debian's arm64 6.12 kernel, the module and test programs
#                  cross-built, booted with qemu-system-aarch64 (TCG)
#   7.2            built from Debian sid's linux-source-7.2 (scripts/build-kernel.sh)
#   6.12-notrace   built from linux-source-6.12 without the function tracer;
#                  the module is loaded with backend=auto
#   6.12-debug     built with KASAN, lockdep, kmemleak, DEBUG_VM, ...: boots
#                  with panic_on_warn=1; afterwards a kmemleak scan (FAIL on
#                  leaks from swapdrain) and a console scan (FAIL on any
#                  KASAN, lockdep, BUG or WARNING report)
#   <kernel>-kprobe  that kernel, the module loaded with backend=kprobe
# Keywords: ci = the fast subset CI runs (CELLS_CI, the default of
# `make check`); all = the whole matrix (CELLS_ALL); debug = 6.12-debug;
# dkms = `dkms add/build/install` against each Debian x86_64 kernel's
# headers (scripts/dkms-check.sh).
# Extra module parameters reach the guest as sd.modparams=NAME=VALUE on the
# kernel command line (tests/lib.sh load_module adds them).
# Env: SD_RUN (scenarios, default check), SD_CMDLINE (more guest kernel
# arguments, e.g. sd.cycles=200), and ACCEL SMP MEM TIMEOUT TCG_THREAD for
# qemu-run.sh (TIMEOUT defaults to 5400 s for debug kernels, 2400 s for
# arm64; TCG_THREAD to single for x86 kernels, multi for arm64).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

CELLS_CI=(6.12 6.12-kprobe 6.1 7.2 6.12-arm64 6.12-arm64-kprobe dkms)
CELLS_ALL=(6.12 6.12-kprobe 6.1 6.1-kprobe 7.2 7.2-kprobe 6.12-notrace 6.12-arm64 6.12-arm64-kprobe dkms)
DKMS_KERNELS=(6.12 6.1 7.2)
CELLS_DEBUG=(6.12-debug)

RUN=${SD_RUN:-check}
results=$(mktemp)
timings=$(mktemp)
trap 'rm -f "$results" "$timings"' EXIT
now() { date +%s; }
record() { echo "$1: [$2] $3" | tee -a "$results"; }

# Kernel problems a debug kernel reports on its console (and in the dmesg
# dump at the end of the run).
REPORTS='BUG: |WARNING: |Kernel panic|Oops|general protection fault|UBSAN: |DEBUG_LOCKS_WARN_ON|ODEBUG: |Call Trace:|stack segment'

# cell_setup CELL: sets KERN (the kernel name), CMDLINE (extra kernel
# arguments), DEBUG (0/1) and BACKEND (the hook backend the module must
# report using, "backend: NAME" in its log or stats; empty: any).
cell_setup() {
	KERN=$1 CMDLINE='' DEBUG=0 BACKEND=''
	local params=()
	case $KERN in *-kprobe) KERN=${KERN%-kprobe}; params+=(backend=kprobe) BACKEND=kprobe ;; esac
	# Without the function tracer, auto can only pick kprobe.
	case -$KERN- in *-notrace-*) [ ${#params[@]} -gt 0 ] || params+=(backend=auto) BACKEND=kprobe ;; esac
	# Debug kernels run several times slower: longer limits per scenario.
	case -$KERN- in *-debug-*) DEBUG=1; CMDLINE="panic_on_warn=1 sd.kmemleak=1 sd.cycles=100 sd.timeout=1200 sd.timeout_cycles=3000" ;; esac
	local p
	for p in "${params[@]}"; do CMDLINE="$CMDLINE sd.modparams=$p"; done
	CMDLINE="$CMDLINE ${SD_CMDLINE:-}"
	CMDLINE=${CMDLINE# }
	CMDLINE=${CMDLINE% }
}

# Host-side checks of a finished debug run: kmemleak's report and the console.
check_debug_log() {	# cell logf
	local cell=$1 logf=$2 leaks n_all n_sd hits
	leaks=$(sed -n '/^----- kmemleak -----$/,/^----- end kmemleak -----$/p' "$logf")
	if ! grep -q '^kmemleak-scan: done' <<< "$leaks"; then
		record FAIL "$cell" "kmemleak: no scan result (see $logf)"
	else
		n_all=$(grep -c '^unreferenced object' <<< "$leaks" || true)
		# A leak is swapdrain's when its backtrace names the module, or
		# (module unloaded) shows a bare module-space address: swapdrain
		# is the only module these kernels ever load.
		# (backtrace lines: "    sym+0x1/0x2 [mod]" or "    0xffffffffa001803a")
		n_sd=$(awk '
			/^unreferenced object|^----- end kmemleak/ { n += hit; hit = 0 }
			/swapdrain/ || /^ *(\[<[0-9a-f]+>\] )?0xffffffff[a-f][0-9a-f]*$/ { hit = 1 }
			END { print n + hit }' <<< "$leaks")
		if [ "$n_sd" -gt 0 ]; then
			awk '/^unreferenced object/ { p = 1 } p' <<< "$leaks" | head -n 60 |
				sed 's/^/  kmemleak: /' >&2
			record FAIL "$cell" "kmemleak: $n_sd leak(s) from swapdrain ($n_all reported in all)"
		else
			[ "$n_all" -eq 0 ] || log "$cell: kmemleak: $n_all leak report(s), none from swapdrain"
			record PASS "$cell" "kmemleak"
		fi
	fi
	hits=$(grep -nE "$REPORTS" "$logf" | grep -v '^[0-9]*:  dmesg: ' || true)
	if [ -n "$hits" ]; then
		local first=${hits%%:*}
		log "$cell: console reports (first at line $first of $logf):"
		sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$logf" | sed 's/^/  console: /' >&2
		record FAIL "$cell" "console: $(wc -l <<< "$hits") report line(s), first: $(sed -n "${first}p" "$logf" | cut -c1-120)"
	else
		record PASS "$cell" "console"
	fi
}

# All in one function, parsed before it runs: editing this file during a
# (long) run cannot derail the running instance.
main() {
	cells=() dkms=0
	for a in "${@:-6.12}"; do
		case $a in
		ci)	cells+=("${CELLS_CI[@]}") ;;
		all)	cells+=("${CELLS_ALL[@]}") ;;
		debug)	cells+=("${CELLS_DEBUG[@]}") ;;
		*)	cells+=("$a") ;;
		esac
	done
	ensure_host_deps
	for cell in "${cells[@]}"; do
		if [ "$cell" = dkms ]; then
			dkms=1
			continue
		fi
		cell_setup "$cell"
		t0=$(now)
		if ! "$TOP/scripts/fetch-kernel.sh" "$KERN" >&2; then
			record FAIL "$cell" "fetch-kernel $KERN"
			continue
		fi
		kernel_env "$KERN"
		# x86 under multi-threaded TCG: a vCPU can run a stale translation
		# of a text_poke int3 after the rewrite is done, an unhandled int3
		# (README, "Known problem"); with one TCG thread it does not.
		# arm64 patches without a breakpoint.
		tcg=${TCG_THREAD:-multi}
		[ -n "${TCG_THREAD:-}" ] || [ "$KARCH" != x86 ] || tcg=single
		t1=$(now)

		# Build in the work tree (as a developer would), one build at a time,
		# and keep this kernel's copy of the module.
		ko=
		kodir=$CACHE/ko/$KERN
		mkdir -p "$kodir"
		rm -f "$kodir/swapdrain.ko"
		log "building swapdrain.ko for $KVER"
		if (flock 9 && make -C "$TOP" KDIR="$KDIR" "${KMAKE[@]}" >&2 && [ -f "$TOP/swapdrain.ko" ] &&
		    cp "$TOP/swapdrain.ko" "$kodir/swapdrain.ko") 9> "$CACHE/modbuild.lock"; then
			ko=$kodir/swapdrain.ko
		else
			record FAIL "$cell" "build: make -C $TOP KDIR=$KDIR ${KMAKE[*]} failed"
		fi
		# The same module hooking a function no kernel has (tests/09-notarget.sh),
		# built in a copy of the sources so the work tree's build stays as is.
		nt=$CACHE/notarget-src-$cell
		rm -rf "$nt" "$kodir/swapdrain-notarget.ko"
		mkdir -p "$nt"
		cp -r "$TOP"/{Kbuild,Makefile,src,include,scripts} "$nt/"
		if [ -z "$ko" ]; then
			:
		elif make -C "$nt" KDIR="$KDIR" "${KMAKE[@]}" SD_TEST_TARGET=sd_no_such_function >&2 &&
		     [ -f "$nt/swapdrain.ko" ]; then
			cp "$nt/swapdrain.ko" "$kodir/swapdrain-notarget.ko"
		else
			record FAIL "$cell" "build: the notarget test module (SD_TEST_TARGET) failed"
		fi
		rm -rf "$nt"
		t2=$(now)
		initrd=$CACHE/initramfs-$cell.cpio.gz
		if ! "$TOP/scripts/mkinitramfs.sh" "$KERN" "$ko" "$initrd" > /dev/null; then
			record FAIL "$cell" "mkinitramfs"
			continue
		fi
		t3=$(now)

		rc=0
		mkdir -p "$CACHE/logs"
		logf=$CACHE/logs/$cell-$RUN-$(date +%Y%m%d-%H%M%S).log
		: > "$logf"
		timeout=${TIMEOUT:-}
		[ "$DEBUG" = 0 ] || timeout=${timeout:-5400}
		[ "$KARCH" = x86 ] || timeout=${timeout:-2400}	# TCG on x86
		# shellcheck disable=SC2086 # CMDLINE: several kernel arguments
		TIMEOUT=${timeout:-900} SD_LOG=$logf TCG_THREAD=$tcg \
			"$TOP/scripts/qemu-run.sh" "$KERN" "$initrd" "$RUN" $CMDLINE || rc=$?
		t4=$(now)

		# The guest's clean copy of the results, between its markers; if it
		# never got there, whatever results the console shows.
		if grep -q '^SWAPDRAIN-RESULTS-END$' "$logf"; then
			sed -n '/^SWAPDRAIN-RESULTS-BEGIN$/,/^SWAPDRAIN-RESULTS-END$/p' "$logf"
		else
			cat "$logf"
		fi | grep -E '^(PASS|FAIL|SKIP): ' | sed "s/^\([A-Z]*\): /\1: [$cell] /" |
			tee -a "$results" >&2 || true
		end=$(sed -n 's/^SWAPDRAIN-END rc=//p' "$logf")
		if [ -z "$end" ]; then
			record FAIL "$cell" "guest did not finish (qemu exit $rc, see $logf)"
			grep -nE "$REPORTS" "$logf" | head -n 5 |
				sed 's/^/  console: /' >&2 || true
		elif [ "$end" != 0 ] && ! grep -q "^FAIL: \[$cell\]" "$results"; then
			record FAIL "$cell" "guest runner exited rc=$end (see $logf)"
		fi
		# Parameters the module did not know were ignored: the cell did not
		# test what it says.
		if [ -n "$end" ] && [[ $CMDLINE == *sd.modparams=* ]]; then
			if grep -q "swapdrain: unknown parameter" "$logf"; then
				record FAIL "$cell" "modparams: $(grep -m1 -o "swapdrain: unknown parameter.*" "$logf")"
			elif [ -n "$BACKEND" ] && ! grep -q "backend: $BACKEND\b" "$logf"; then
				record FAIL "$cell" "modparams: the module never reported 'backend: $BACKEND'"
			else
				record PASS "$cell" "modparams"
			fi
		fi
		[ "$DEBUG" = 0 ] || check_debug_log "$cell" "$logf"

		boot=$(sed -n 's/^swapdrain-guest: \/init at uptime \([0-9.]*\) s$/\1/p' "$logf")
		line="$cell: kernel $((t1 - t0)) s, module $((t2 - t1)) s, initramfs $((t3 - t2)) s, boot+suite $((t4 - t3)) s (boot ${boot:-?} s)"
		log "$line"
		echo "$line" >> "$timings"
	done

	if [ "$dkms" = 1 ]; then
		t0=$(now)
		"$TOP/scripts/dkms-check.sh" "${DKMS_KERNELS[@]}" 2>&1 |
			grep -E '^(PASS|FAIL): ' | tee -a "$results" || true
		grep -q '^[A-Z]*: \[[^]]*\] dkms-' "$results" ||
			record FAIL dkms "scripts/dkms-check.sh printed no result"
		echo "dkms: $(($(now) - t0)) s" >> "$timings"
	fi

	echo
	[ ! -s "$timings" ] || { echo "Timings:"; sed 's/^/  /' "$timings"; } >&2
	echo "Results:"
	grep -E '^(PASS|FAIL|SKIP): ' "$results" || true
	passed=$(grep -c '^PASS: ' "$results" || true)
	failed=$(grep -c '^FAIL: ' "$results" || true)
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

main "$@"; exit
