#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch-kernel.sh <6.12|6.1|6.12-arm64>: download a Debian kernel image,
# headers and kbuild with a private apt config and unpack them in
# .cache/kernels/<ver>/. Writes .cache/kernels/<ver>/env (KVER KROOT KDIR
# VMLINUZ MODDIR; for 6.12-arm64 also KARCH CROSS_COMPILE BUSYBOX) and prints it.
# 6.12-arm64: Debian's arm64 image and headers with the host's (amd64) kbuild
# tools, modules cross-built with aarch64-linux-gnu-gcc, and an arm64
# busybox-static for the initramfs.
# Any other name (7.2, 6.12-notrace, 6.12-debug, ...) is a kernel built from
# Debian's linux-source package: scripts/build-kernel.sh <name>.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ver=${1:-6.12}
case $ver in
6.12|6.1|6.12-arm64) ;;
*)	exec "$TOP/scripts/build-kernel.sh" "$ver" ;;
esac
dir=$CACHE/kernels/$ver
if [ -f "$dir/stamp" ]; then
	cat "$dir/env"
	exit 0
fi

arch=amd64 karch=x86 cross=''
case $ver in
*-arm64)
	arch=arm64 karch=arm64 cross=aarch64-linux-gnu-
	# QEMU, a cross compiler and a static libc for arm64.
	HOST_DEPS+=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
	# Its own lists, for arm64 and amd64 (the kbuild tools run on the host).
	APT_DIR=$CACHE/apt-arm64 APT_ARCHS=(amd64 arm64) ;;
esac
ensure_host_deps
papt_update

# Newest ABI name of a series (prefix), e.g. 6.12.95+deb12 or 6.1.0-50.
newest() {
	papt_cache pkgnames "linux-image-$1" | grep -v -e -rt- -e -cloud- |
		sed -n "s/^linux-image-\($1.*\)-$arch-unsigned\$/\1/p" |
		sort -V | tail -n1
}
case $ver in
6.12|6.12-arm64)
	v=$(newest 6.12.)
	kbuild=linux-kbuild-$v ;;
6.1)	v=$(newest 6.1.0-)
	kbuild=linux-kbuild-6.1 ;;
*)	die "unsupported kernel series '$ver' (6.12, 6.1, 6.12-arm64)" ;;
esac
case $v in ?*) ;; *) die "no linux-image for $ver found";; esac
pkgs=("linux-image-$v-$arch-unsigned:$arch" "linux-headers-$v-$arch:$arch"
      "linux-headers-$v-common" "$kbuild")
[ "$arch" = amd64 ] || pkgs+=("busybox-static:$arch")
log "kernel $ver -> $v: ${pkgs[*]}"

rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
# -o APT::Sandbox::User=root: the _apt user cannot write into our cache.
(cd "$dir/debs" && papt_get download -q -o APT::Sandbox::User=root "${pkgs[@]}" >&2)
for deb in "$dir"/debs/*.deb; do
	dpkg -x "$deb" "$dir/root"
done

root=$dir/root
kdir=$root/usr/src/linux-headers-$v-$arch
common=$root/usr/src/linux-headers-$v-common
[ -d "$common" ] || die "missing $common"
# The headers Makefile includes the common dir by absolute path: repoint it.
sed -i "s|^include /usr/src/linux-headers-$v-common/Makefile|include $common/Makefile|" \
	"$kdir/Makefile"
grep -qF "include $common/Makefile" "$kdir/Makefile" ||
	die "unexpected $kdir/Makefile: $(cat "$kdir/Makefile")"
# scripts/tools are relative symlinks into lib/linux-kbuild-*: they must resolve.
for l in scripts tools; do
	[ -e "$kdir/$l" ] || [ ! -L "$kdir/$l" ] ||
		die "$kdir/$l -> $(readlink "$kdir/$l") does not resolve"
	case $(realpath "$kdir/$l" 2>/dev/null) in
	"$root"/*|"") ;;
	*) die "$kdir/$l resolves outside $root" ;;
	esac
done
[ -x "$kdir/scripts/basic/fixdep" ] || die "kbuild scripts missing in $kdir/scripts"

vmlinuz=$root/boot/vmlinuz-$v-$arch
moddir=$root/lib/modules/$v-$arch
[ -f "$vmlinuz" ] || die "missing $vmlinuz"
# qemu-system-aarch64 (7.2) boots an arm64 Image, raw or gzip-compressed, but
# not an EFI zboot image (CONFIG_EFI_ZBOOT, "zimg" at offset 4).
if [ "$arch" = arm64 ] && [ "$(od -An -c -j56 -N4 "$vmlinuz" | tr -d ' ')" != ARMd ] &&
   ! gzip -t "$vmlinuz" 2>/dev/null; then
	die "$vmlinuz is no arm64 Image (EFI zboot?): QEMU cannot boot it"
fi
# modules.dep is made by the package's postinst: make it here.
depmod -b "$root" "$v-$arch"
[ -f "$moddir/modules.dep" ] || die "missing $moddir/modules.dep"

cat > "$dir/env" <<ENV
KVER=$v-$arch
KROOT=$root
KDIR=$kdir
VMLINUZ=$vmlinuz
MODDIR=$moddir
ENV
kmake=()
if [ -n "$cross" ]; then
	[ -x "$root/bin/busybox" ] || die "missing $root/bin/busybox"
	cat >> "$dir/env" <<-ENV
	KARCH=$karch
	CROSS_COMPILE=$cross
	BUSYBOX=$root/bin/busybox
	ENV
	kmake=(ARCH="$karch" CROSS_COMPILE="$cross")
fi

# Prove the headers work: build a trivial module out of tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/hello.c" <<'SRC'
#include <linux/module.h>
static int __init hello_init(void) { pr_info("hello\n"); return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
SRC
echo 'obj-m := hello.o' > "$tmp/Kbuild"
log "build check: hello module against $kdir"
make -s -C "$kdir" M="$tmp" "${kmake[@]}" modules >&2 || die "hello module build failed"
[ -f "$tmp/hello.ko" ] || die "hello.ko not built"

rm -rf "$dir/debs"
touch "$dir/stamp"
cat "$dir/env"
