#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print -D flags for the kernel API the module finds in a kernel's headers.
# Called from Kbuild as: kernel-probe.sh $(srctree)
# One place for every version difference; include/compat.h turns the flags
# into code.
src=${1:?usage: kernel-probe.sh SRCTREE}
has() { grep -qsE "$1" "$src/$2"; }

# The swap-free function to hook: 7.x, 6.10+, older.
if has 'swap_put_entries_direct\(' include/linux/swap.h; then
	echo -DSD_TARGET_PUT_DIRECT
elif has 'free_swap_and_cache_nr\(' include/linux/swap.h; then
	echo -DSD_TARGET_FREE_NR
else
	echo -DSD_TARGET_FREE_ONE
fi
# ftrace_regs argument accessors (6.2+; generic header from 6.13).
if has 'ftrace_regs_get_argument' include/linux/ftrace.h ||
   has 'ftrace_regs_get_argument' include/linux/ftrace_regs.h; then
	echo -DSD_HAVE_FREGS_ACCESSORS
fi
has 'shrinker_alloc\(' include/linux/shrinker.h && echo -DSD_HAVE_SHRINKER_ALLOC
has 'timer_delete_sync\(' include/linux/timer.h && echo -DSD_HAVE_TIMER_DELETE_SYNC
has 'define timer_container_of' include/linux/timer.h && echo -DSD_HAVE_TIMER_CONTAINER_OF
exit 0
