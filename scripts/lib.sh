# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the swapdrain scripts. Source it; do not run it.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SD_CACHE:-$TOP/.cache}
APT_DIR=$CACHE/apt
# QEMU, the initramfs tools, and what building modules against extracted
# Debian headers needs (gcc-12, pahole, the kbuild tools' libraries).
HOST_DEPS=(qemu-system-x86 busybox-static dwarves cpio zstd kmod xz-utils
	   gcc gcc-12 make libc6-dev bc libelf1 libssl3 zlib1g)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A kernel build run as root elsewhere may have unlinked /dev/null (gcc
# removes a failed "-o /dev/null" output); apt and everything else need it.
ensure_dev_null() {
	[ -c /dev/null ] && return 0
	log "repairing /dev/null (not a character device)"
	rm -f /dev/null && mknod -m 666 /dev/null c 1 3
}

# Install host packages that are missing (apt-get update only if needed).
ensure_host_deps() {
	ensure_dev_null
	local missing=() p
	for p in "${HOST_DEPS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing host packages: ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -q
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
}

# apt-get / apt-cache with a private configuration under $APT_DIR, for the
# architectures APT_ARCHS (default: the host's).
APT_ARCHS=()
apt_opts() {
	printf '%s\n' -o "Dir::Etc::sourcelist=$APT_DIR/sources.list" \
		-o Dir::Etc::sourceparts=/nonexistent \
		-o "Dir::State::Lists=$APT_DIR/lists" \
		-o "Dir::Cache=$APT_DIR/cache"
	local a
	for a in "${APT_ARCHS[@]}"; do printf '%s\n' -o "APT::Architectures::=$a"; done
}
papt_get() { local o; mapfile -t o < <(apt_opts); apt-get "${o[@]}" "$@"; }
papt_cache() { local o; mapfile -t o < <(apt_opts); apt-cache "${o[@]}" "$@"; }

# Create the private apt config and refresh its lists (at most once a day).
papt_update() {
	ensure_dev_null
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	cat > "$APT_DIR/sources.list" <<-SRC
	deb http://deb.debian.org/debian bookworm main
	deb http://deb.debian.org/debian bookworm-backports main
	SRC
	local stamp=$APT_DIR/updated
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		log "updating private apt lists in $APT_DIR"
		papt_get update -q >&2
		touch "$stamp"
	fi
}

# Kernel layout, once fetch-kernel.sh has run: sets KVER KROOT KDIR VMLINUZ
# MODDIR, and for a cross-built kernel (arm64 on x86) KARCH (kbuild's ARCH),
# CROSS_COMPILE and BUSYBOX (a static busybox for it); KMAKE: the make
# arguments that build modules for it.
kernel_env() {
	local f=$CACHE/kernels/$1/env
	[ -f "$f" ] || die "kernel $1 not fetched (run scripts/fetch-kernel.sh $1)"
	# shellcheck disable=SC2034 # BUSYBOX, KMAKE: for the callers
	KARCH=x86 CROSS_COMPILE='' BUSYBOX=/bin/busybox KMAKE=()
	# shellcheck disable=SC1090
	. "$f"
	# shellcheck disable=SC2034
	[ -z "$CROSS_COMPILE" ] || KMAKE=(ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE")
}
