#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh <SERIES[-FRAGMENT...]>: build a small x86_64 kernel from
# Debian's linux-source-SERIES package (bookworm(-backports), else sid) with
# the host gcc, for QEMU tests (the WireGuard test harness's way: tinyconfig
# plus fragments, boot to a busybox initramfs).
#   7.2            linux-source-7.2 + scripts/kconfig/base.config
#   6.12-notrace   linux-source-6.12 + base.config + notrace.config
#   6.12-debug     linux-source-6.12 + base.config + debug.config
# Config: make tinyconfig, merge base.config and the fragments in order (a
# later one overrides), make olddefconfig, then every value the fragments set
# must be in the final .config (except options on "# optional:" lines).
# The build tree (make O=) is kept in .cache/kernels/<name>/build: it is the
# KDIR for out-of-tree module builds. It is reused while the key (source
# package version, fragments, gcc, this recipe) is the same; a changed key
# rebuilds incrementally in the same tree, a new source version from scratch.
# Writes .cache/kernels/<name>/env (KVER KROOT KDIR VMLINUZ MODDIR KCONFIG) and
# prints it. --config: only make and check the .config.
# Env: SD_JOBS (make -j, default 2), SD_NICE (default 10).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# All in one function, parsed before it runs: editing this file during a
# (long) build cannot derail the running instance.
main() {

# Bump when the recipe below changes in a way that needs a rebuild.
RECIPE=1
JOBS=${SD_JOBS:-2}
NICE=${SD_NICE:-10}

config_only=0
if [ "${1:-}" = --config ]; then config_only=1; shift; fi
name=${1:?usage: build-kernel.sh [--config] <series[-fragment...]> (e.g. 7.2, 6.12-debug)}
series=${name%%-*}
[[ $series =~ ^[0-9]+\.[0-9]+$ ]] || die "bad kernel name '$name' (want e.g. 7.2, 6.12-debug)"
frags=("$TOP/scripts/kconfig/base.config")
if [ "$series" != "$name" ]; then
	IFS=- read -r -a extra <<< "${name#"$series"-}"
	for f in "${extra[@]}"; do
		[ -f "$TOP/scripts/kconfig/$f.config" ] ||
			die "kernel '$name': no fragment scripts/kconfig/$f.config"
		frags+=("$TOP/scripts/kconfig/$f.config")
	done
fi
out=$CACHE/kernels/$name
bld=$out/build
mkdir -p "$out"
# One build per kernel at a time (parallel check.sh runs).
exec 9> "$out.lock"
flock 9

HOST_DEPS+=(flex bison libelf-dev libssl-dev bc)
ensure_host_deps

# --- which source package: bookworm(-backports) if it has one, else sid.
papt_update
pkg=linux-source-$series
candidate() { papt_cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }
debver=$(candidate)
if [ -z "$debver" ] || [ "$debver" = "(none)" ]; then
	APT_DIR=$CACHE/apt-sid
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	echo 'deb http://deb.debian.org/debian sid main' > "$APT_DIR/sources.list"
	if [ -z "$(find "$APT_DIR/updated" -mmin -1440 2>/dev/null)" ]; then
		log "updating private apt lists (sid) in $APT_DIR"
		papt_get update -q >&2
		touch "$APT_DIR/updated"
	fi
	debver=$(candidate)
fi
case $debver in ""|"(none)") die "no $pkg in bookworm, bookworm-backports or sid" ;; esac

key=$( {
	echo "recipe $RECIPE $pkg $debver"
	gcc --version | head -n1
	for f in "${frags[@]}"; do echo "== ${f##*/}"; cat "$f"; done
} | sha256sum | cut -c1-16)
if [ -f "$out/env" ] && [ "$(cat "$out/key" 2>/dev/null)" = "$key" ] &&
   [ -f "$bld/arch/x86/boot/bzImage" ]; then
	cat "$out/env"
	exit 0
fi
log "kernel $name: $pkg $debver, fragments: ${frags[*]##*/}, key $key"

# --- the source tree, unpacked once per package version.
src=$CACHE/ksrc/${pkg}_$debver
if [ ! -f "$src/.sd-unpacked" ]; then
	debs=$CACHE/ksrc/debs
	mkdir -p "$debs"
	t0=$(date +%s)
	(cd "$debs" && papt_get download -q -o APT::Sandbox::User=root "$pkg=$debver" >&2)
	deb=$(ls "$debs/${pkg}_${debver//:/%3a}_"*.deb)
	log "unpacking $deb"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		nice -n "$NICE" tar -xJ --strip-components=1 -C "$src.tmp"
	[ -f "$src.tmp/Makefile" ] || die "$deb: no kernel tree in ./usr/src/$pkg.tar.xz"
	touch "$src.tmp/.sd-unpacked"
	mv "$src.tmp" "$src"
	rm -f "$deb"
	log "source $src ready in $(($(date +%s) - t0)) s"
fi
srcver=$(make -s -C "$src" kernelversion)
if [ "$(cat "$out/srcver" 2>/dev/null)" != "$src" ]; then
	rm -rf "$bld"	# another source tree: start over
fi
mkdir -p "$bld"
echo "$src" > "$out/srcver"

# As root, a failing "gcc ... -o /dev/null" probe unlinks /dev/null; run
# make in a private mount namespace where /dev/null is a mount point (which
# cannot be unlinked), when unshare allows it.
mk() {
	if unshare --mount true 2> /dev/null; then
		nice -n "$NICE" unshare --mount sh -c \
			'mount --bind /dev/null /dev/null && exec make "$@"' \
			make -C "$src" O="$bld" ARCH=x86_64 "$@"
	else
		nice -n "$NICE" make -C "$src" O="$bld" ARCH=x86_64 "$@"
	fi
}

# --- config: tinyconfig + fragments + olddefconfig, then verify.
# (not named localversion*: setlocalversion appends such files' contents)
local_frag=$bld/sd-version.config
rm -f "$bld/localversion.config"
lv=-sd${name#"$series"}
printf 'CONFIG_LOCALVERSION="%s"\n' "$lv" > "$local_frag"
mk -s tinyconfig > "$out/config.log" 2>&1 || { cat "$out/config.log" >&2; die "tinyconfig failed"; }
(cd "$bld" && "$src/scripts/kconfig/merge_config.sh" -m -O "$bld" "$bld/.config" \
	"${frags[@]}" "$local_frag") >> "$out/config.log" 2>&1 ||
	{ cat "$out/config.log" >&2; die "merge_config.sh failed"; }
mk -s olddefconfig >> "$out/config.log" 2>&1 || { cat "$out/config.log" >&2; die "olddefconfig failed"; }

# Requested values (last fragment wins) against the final .config.
bad=0
while IFS=' ' read -r sym want; do
	have=$(grep -E "^($sym=|# $sym is not set)" "$bld/.config" || true)
	case $have in
	"$sym=$want") continue ;;
	"# $sym is not set"|"") [ "$want" = n ] && continue ;;
	esac
	if grep -hE '^# optional:' "${frags[@]}" | grep -qw "$sym"; then
		log "config: $sym=$want not in the final .config (optional): ${have:-absent}"
	else
		log "config: $sym=$want requested, final .config has: ${have:-nothing}"
		bad=1
	fi
done < <(sed -nE -e 's/^(CONFIG_[A-Za-z0-9_]+)=(.*)$/\1 \2/p' \
		 -e 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1 n/p' "${frags[@]}" |
	 awk '{ v[$1] = $2; if (!($1 in o)) o[$1] = n++ } END { for (k in o) print o[k], k, v[k] }' |
	 sort -n | cut -d' ' -f2-)
[ $bad -eq 0 ] || die "kernel $name: fragment values lost in olddefconfig (see above; $bld/.config)"
if [ $config_only = 1 ]; then
	log "config ok: $bld/.config"
	exit 0
fi
rm -f "$out/key" "$out/env"

# --- build (vmlinux, bzImage, modules + Module.symvers for external modules).
log "building $name ($srcver$lv) with make -j$JOBS, nice $NICE: log $out/build.log"
local TIMEFORMAT='%0R %0U %0S'
if ! { time mk -j"$JOBS" all > "$out/build.log" 2>&1; } 2> "$out/build-time"; then
	tail -n 40 "$out/build.log" >&2
	die "kernel build failed: $out/build.log"
fi
local secs user sys
read -r secs user sys < "$out/build-time"
kver=$(mk -s kernelrelease)
vmlinuz=$bld/arch/x86/boot/bzImage
[ -f "$vmlinuz" ] || die "no $vmlinuz after the build"
[ -f "$bld/Module.symvers" ] || die "no Module.symvers after the build"
log "built $kver in $secs s (CPU: user $user s, sys $sys s); build tree $(du -sh "$bld" | cut -f1)"

cat > "$out/env" <<ENV
KVER=$kver
KROOT=$bld
KDIR=$bld
VMLINUZ=$vmlinuz
MODDIR=
KCONFIG=$bld/.config
KBUILT=$name
ENV

# Prove the tree builds external modules: a trivial one.
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
make -s -C "$bld" M="$tmp" modules >&2 || die "hello module build against $bld failed"
modinfo -F vermagic "$tmp/hello.ko" | grep -q "^$kver " || die "hello.ko vermagic is not $kver"

echo "$key" > "$out/key"
cat "$out/env"
}

main "$@"; exit
