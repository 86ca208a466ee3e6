#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print -D flags for the kernel API the module finds in a kernel's headers.
# Called from Kbuild as: kernel-probe.sh $(srctree) $(SRCARCH)
# One place for every version difference; include/compat.h turns the flags
# into code.  Kernel configuration (CONFIG_*) is not probed here: compat.h
# reads it from the kernel's autoconf.h.
src=${1:?usage: kernel-probe.sh SRCTREE [SRCARCH]}
arch=${2:-x86}
has() { grep -qsE "$1" "$src/$2"; }
# In a generic header or in the architecture's one.
has_api() {
	for h in include/linux/ftrace.h include/linux/ftrace_regs.h \
		 "arch/$arch/include/asm/ftrace.h"; do
		has "$1" "$h" && return 0
	done
	return 1
}

# The swap-free function to hook: 7.x, 6.10+, older.
if has 'swap_put_entries_direct\(' include/linux/swap.h; then
	echo -DSD_TARGET_PUT_DIRECT
elif has 'free_swap_and_cache_nr\(' include/linux/swap.h; then
	echo -DSD_TARGET_FREE_NR
else
	echo -DSD_TARGET_FREE_ONE
fi
# ftrace_regs accessors (6.2+; generic header from 6.13).  6.1 has none:
# there struct ftrace_regs is a struct pt_regs wrapper and the IP setter is
# ftrace_instruction_pointer_set().
has_api 'ftrace_regs_get_argument' && echo -DSD_HAVE_FREGS_GET_ARG
has_api 'ftrace_regs_get_instruction_pointer' && echo -DSD_HAVE_FREGS_GET_IP
has_api 'ftrace_regs_set_instruction_pointer' && echo -DSD_HAVE_FREGS_SET_IP
has 'shrinker_alloc\(' include/linux/shrinker.h && echo -DSD_HAVE_SHRINKER_ALLOC
has 'timer_delete_sync\(' include/linux/timer.h && echo -DSD_HAVE_TIMER_DELETE_SYNC
has 'define timer_container_of' include/linux/timer.h && echo -DSD_HAVE_TIMER_CONTAINER_OF
exit 0
