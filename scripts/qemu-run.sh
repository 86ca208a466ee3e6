#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu-run.sh <ver> <initramfs> [sd.run value] [extra kernel args...]
# Boots the fetched kernel with the initramfs under QEMU, serial console on
# stdout and in .cache/logs/<ver>-<run>-<time>.log. Prints the log path last
# on stderr. Env: ACCEL (tcg|kvm, default tcg), SMP (2), MEM (MiB, 2048),
# TIMEOUT (s, 900), SD_LOG (log file), QEMU_EXTRA (more QEMU arguments,
# split at spaces, e.g. -numa options), TCG_THREAD (multi|single: QEMU's
# TCG with one host thread per vCPU, or one for all; default: QEMU's choice,
# multi for these guests unless -icount).
# Exit status: QEMU's (124 on timeout).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: qemu-run.sh <ver> <initramfs> [run] [kernel args...]}
initrd=${2:?usage: qemu-run.sh <ver> <initramfs> [run] [kernel args...]}
run=${3:-check}
shift $(($# < 3 ? $# : 3))
kernel_env "$ver"

# Without TCG_THREAD, QEMU picks (one thread per vCPU, or one with -icount).
case ${TCG_THREAD:-} in
''|multi|single) ;;
*)	die "TCG_THREAD must be multi or single" ;;
esac
tcg=tcg${TCG_THREAD:+,thread=$TCG_THREAD}
case ${ACCEL:-tcg} in
tcg)	accel=(-accel "$tcg" -cpu max) ;;
kvm)	accel=(-accel kvm -cpu host) ;;
*)	die "ACCEL must be tcg or kvm" ;;
esac
case $KARCH in
arm64)	qemu=(qemu-system-aarch64 -machine virt) console=ttyAMA0
	# TCG: QEMU's own pointer-authentication algorithm is much faster
	# than the architected QARMA (the kernel signs every return address).
	[ "${ACCEL:-tcg}" != tcg ] || accel=(-accel "$tcg" -cpu "max,pauth-impdef=on") ;;
x86)	qemu=(qemu-system-x86_64) console=ttyS0 ;;
*)	die "no QEMU for $KARCH kernels" ;;
esac

mkdir -p "$CACHE/logs"
LOG=${SD_LOG:-$CACHE/logs/$ver-${run//[^a-zA-Z0-9_.-]/_}-$(date +%Y%m%d-%H%M%S).log}
# An oops, soft lockup or hung task panics, and the panic prints the whole
# kernel log (panic_print=0x20); -no-reboot then ends QEMU.
append="console=$console quiet loglevel=4 log_buf_len=1M panic=-1 oops=panic"
append+=" softlockup_panic=1 hung_task_panic=1 panic_print=0x20 sd.run=$run $*"
log "booting $KVER (${ACCEL:-tcg}${TCG_THREAD:+ thread=$TCG_THREAD}, ${SMP:-2} cpus, ${MEM:-2048} MiB): $append"
qemu+=("${accel[@]}" -smp "${SMP:-2}" -m "${MEM:-2048}"
      -nodefaults -display none -no-reboot
      -kernel "$VMLINUZ" -initrd "$initrd" -append "$append")
# shellcheck disable=SC2206 # split at spaces on purpose
[ -z "${QEMU_EXTRA:-}" ] || qemu+=($QEMU_EXTRA)
if [ "$run" = shell ]; then	# interactive: no timeout, no log
	exec "${qemu[@]}" -serial mon:stdio
fi
rc=0
timeout -k 10 "${TIMEOUT:-900}" \
	"${qemu[@]}" -serial stdio < /dev/null 2>&1 | tr -d '\r' | tee "$LOG" || rc=$?
log "log: $LOG (qemu exit $rc)"
exit "$rc"
