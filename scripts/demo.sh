#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo.sh [ver] (default 6.12): build swapdrain.ko, boot the kernel in QEMU
# and run the same exit storm with the module off and on (tests/demo.sh).
# Env: PROCS MIB PCT ROUNDS CHUNK THP (storm shape, see tests/demo.sh),
# MEM (MiB, default 3072), SMP, ACCEL.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ver=${1:-6.12}
ensure_host_deps
"$TOP/scripts/fetch-kernel.sh" "$ver" >&2
kernel_env "$ver"
make -C "$TOP" KDIR="$KDIR" >&2
initrd=$("$TOP/scripts/mkinitramfs.sh" "$ver" "$TOP/swapdrain.ko")
logf=$CACHE/logs/$ver-demo-$(date +%Y%m%d-%H%M%S).log
MEM=${MEM:-3072} SD_LOG=$logf "$TOP/scripts/qemu-run.sh" "$ver" "$initrd" demo \
	"sd.procs=${PROCS:-4} sd.mib=${MIB:-256} sd.pct=${PCT:-60}" \
	"sd.rounds=${ROUNDS:-1} sd.chunk=${CHUNK:-16} sd.thp=${THP:-0}" >&2
echo
sed -n '/^DEMO-BEGIN$/,/^DEMO-END$/s/^DEMO: //p' "$logf"
grep -q '^DEMO-END$' "$logf" && grep -q '^SWAPDRAIN-END rc=0$' "$logf"
