#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms-check.sh [KERNELS...] (default 6.12): `dkms add`, `build` and
# `install` of this tree against each x86_64 kernel's headers (fetched, or
# the build tree of one built by scripts/build-kernel.sh), with
# Debian's dkms and private dkms/source/install trees under .cache/dkms, so
# the host's /usr/src and /lib/modules are not touched. Prints one
# PASS/FAIL line per kernel and step.
set -euo pipefail
link=
trap '[ -z "$link" ] || rm -f "$link"' EXIT
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- 6.12
HOST_DEPS+=(dkms)
ensure_host_deps

name=swapdrain
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
rc=0
for ver in "$@"; do
	"$TOP/scripts/fetch-kernel.sh" "$ver" >&2
	kernel_env "$ver"
	root=$CACHE/dkms/$ver
	rm -rf "$root"
	mkdir -p "$root/dkms" "$root/src" "$root/modules/$KVER"
	# The module source as DKMS wants it: <sourcetree>/<name>-<version>.
	git -C "$TOP" ls-files -z | (cd "$TOP" && xargs -0 cp --parents -t "$root/src" 2>/dev/null) || true
	mv "$root/src" "$root/$name-$version" && mkdir "$root/src" &&
		mv "$root/$name-$version" "$root/src/"
	# dkms reads the kernel's config from the headers to apply
	# BUILD_EXCLUSIVE_CONFIG; the build itself uses $kernel_source_dir.
	# dkms runs depmod on /lib/modules/$KVER: give it the installtree
	# (seeded with the kernel's module lists) if the host has no such
	# kernel, and take the link away afterwards.
	# (A kernel built by build-kernel.sh has them in its build tree.)
	cp "${MODDIR:-$KDIR}"/modules.{order,builtin,builtin.modinfo} "$root/modules/$KVER/"
	link=
	if [ ! -e "/lib/modules/$KVER" ]; then
		link=/lib/modules/$KVER
		mkdir -p /lib/modules
		ln -s "$root/modules/$KVER" "$link"
	fi
	opts=(--dkmstree "$root/dkms" --sourcetree "$root/src"
	      --installtree "$root/modules" -k "$KVER" --kernelsourcedir "$KDIR")
	for step in add build install; do
		args=(-m "$name" -v "$version")
		[ "$step" = add ] && args=("$root/src/$name-$version")
		if dkms "$step" "${args[@]}" "${opts[@]}" > "$root/$step.log" 2>&1; then
			echo "PASS: [$ver] dkms-$step"
		else
			echo "FAIL: [$ver] dkms-$step: see $root/$step.log"
			sed 's/^/    /' "$root/$step.log" | tail -20 >&2
			rc=1
			break
		fi
	done
	[ -z "$link" ] || rm -f "$link"
	ko=$(find "$root/modules" -name "$name.ko*" | head -n1)
	if [ "$rc" = 0 ] && [ -n "$ko" ] &&
	   [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$KVER" ]; then
		echo "PASS: [$ver] dkms-vermagic"
	elif [ "$rc" = 0 ]; then
		echo "FAIL: [$ver] dkms-vermagic: no module for $KVER under $root/modules"
		rc=1
	fi
done
exit $rc
