#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh <ver> [swapdrain.ko] [out.cpio.gz]: the test initramfs for a
# fetched or built kernel: busybox, zram and its dependencies (unless built
# in), swapdrain.ko (if given) and the test builds beside it
# (swapdrain-*.ko), the static test programs and the scenarios of tests/.
# Prints its path.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: mkinitramfs.sh <ver> [swapdrain.ko] [out.cpio.gz]}
ko=${2:-}
out=${3:-$CACHE/initramfs-$ver.cpio.gz}
kernel_env "$ver"

# Static test programs, built into tests/bin/ (cross-built: .cache/bin-<arch>/).
bindir=$TOP/tests/bin
[ -z "$CROSS_COMPILE" ] || bindir=$CACHE/bin-$KARCH
mkdir -p "$bindir"
for c in "$TOP"/tests/*.c; do
	bin=$bindir/$(basename "$c" .c)
	[ "$bin" -nt "$c" ] && continue
	"${CROSS_COMPILE}gcc" -static -O2 -Wall -o "$bin" "$c"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
r=$tmp/root
mkdir -p "$r"/{bin,dev,etc,lib/modules,proc,sys,tmp,tests/bin}
cp "$BUSYBOX" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
if [ -n "$CROSS_COMPILE" ]; then	# cannot run here: no program interpreter
	! "${CROSS_COMPILE}readelf" -l "$BUSYBOX" | grep -q 'program interpreter' ||
		die "$BUSYBOX is not a static busybox"
elif ! "$r/bin/busybox" --list | grep -x ash > /dev/null || ldd "$BUSYBOX" > /dev/null 2>&1; then
	die "$BUSYBOX is not a static busybox (apt-get install busybox-static)"
fi

# zram and what it depends on (modules.dep), dependencies first, decompressed.
add_mod() {	# $1: path relative to MODDIR, as in modules.dep
	local dep
	grep -qxF "$1" "$r/etc/modules.list" 2>/dev/null && return 0
	# shellcheck disable=SC2013 # one line, space-separated
	for dep in $(sed -n "s|^$1: *||p" "$MODDIR/modules.dep"); do
		add_mod "$dep"
	done
	echo "$1" >> "$r/etc/modules.list"
	local name=${1##*/}
	name=${name%.xz}
	name=${name%.zst}
	case $1 in
	*.xz)	xz -dc "$MODDIR/$1" > "$r/lib/modules/$name" ;;
	*.zst)	zstd -qdc "$MODDIR/$1" > "$r/lib/modules/$name" ;;
	*)	cp "$MODDIR/$1" "$r/lib/modules/$name" ;;
	esac
	echo "$name" >> "$r/etc/modules.load"
}
: > "$r/etc/modules.load"
# Kernels built by build-kernel.sh have zram (and lz4) built in: no modules.
kconfig=${KCONFIG:-$KROOT/boot/config-$KVER}
if grep -qx 'CONFIG_ZRAM=y' "$kconfig" 2>/dev/null; then
	:
elif [ -n "$MODDIR" ] && zram=$(grep -o '^[^:]*/zram\.ko[^:]*' "$MODDIR/modules.dep"); then
	add_mod "$zram"
	# Before 6.12 zram compresses through the crypto API: add its lz4 module.
	if ! grep -q "^$zram:.*lz4_compress" "$MODDIR/modules.dep" &&
	   lz4=$(grep -o '^[^:]*/crypto/lz4\.ko[^:]*' "$MODDIR/modules.dep"); then
		add_mod "$lz4"
	fi
else
	die "zram is neither built in nor a module of $KVER"
fi

if [ -n "$ko" ]; then
	[ -f "$ko" ] || die "no such module: $ko"
	modinfo -F vermagic "$ko" | grep -q "^$KVER " ||
		die "$ko was built for '$(modinfo -F vermagic "$ko")', not $KVER"
	cp "$ko" "$r/swapdrain.ko"
	# Test builds next to it (swapdrain-notarget.ko: scripts/check.sh).
	for t in "$(dirname "$ko")"/swapdrain-*.ko; do
		[ -f "$t" ] || continue
		modinfo -F vermagic "$t" | grep -q "^$KVER " || die "$t is not built for $KVER"
		cp "$t" "$r/${t##*/}"
	done
fi
cp "$bindir"/* "$r/tests/bin/"
cp "$TOP"/tests/*.sh "$r/tests/"
install -m 755 "$TOP/tests/init.sh" "$r/init"

mkdir -p "$(dirname "$out")"
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
log "initramfs $out ($(du -h "$out" | cut -f1)): modules $(tr '\n' ' ' < "$r/etc/modules.load" | grep . || echo '(zram built in) ')${ko:+ + swapdrain.ko}"
echo "$out"
