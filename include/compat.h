/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapdrain: every kernel-version difference lives here.
 *
 * The hook target by version (see mm/swapfile.c of each):
 *   <= 6.9   int  free_swap_and_cache(swp_entry_t entry)
 *   6.10-6.x void free_swap_and_cache_nr(swp_entry_t entry, int nr)
 *   7.x      void swap_put_entries_direct(swp_entry_t entry, int nr)
 * The zap path of <= 6.9 reports a bad PTE when the function returns 0, so
 * the stub that replaces it there returns 1.
 */
#ifndef _SWAPDRAIN_COMPAT_H
#define _SWAPDRAIN_COMPAT_H

#include <linux/version.h>
#include <linux/compiler.h>
#include <linux/ftrace.h>
#include <linux/timer.h>
#include <linux/swap.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define SD_TARGET_NAME		"swap_put_entries_direct"
#define SD_TARGET_HAS_NR	1
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define SD_TARGET_NAME		"free_swap_and_cache_nr"
#define SD_TARGET_HAS_NR	1
#else
#define SD_TARGET_NAME		"free_swap_and_cache"
#define SD_TARGET_HAS_NR	0
#endif

/*
 * SD_TARGET_PROTO(fn) declares a function with the target's prototype,
 * SD_TARGET_RETURN ends one (the value the zap path expects), and
 * SD_TARGET_CALL() calls one with an (entry, nr) pair.
 */
#if SD_TARGET_HAS_NR
#define SD_TARGET_PROTO(fn)	void fn(swp_entry_t entry, int nr)
#define SD_TARGET_RETURN	return
#define SD_TARGET_CALL(fn, e, n) fn(e, n)
#else
#define SD_TARGET_PROTO(fn)	int fn(swp_entry_t entry)
#define SD_TARGET_RETURN	return 1
#define SD_TARGET_CALL(fn, e, n) fn(e)
#endif

/* Argument and instruction-pointer access from an ftrace callback. */
#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define SD_FTRACE_OPS_FLAGS	(FTRACE_OPS_FL_IPMODIFY)
#else
#define SD_FTRACE_OPS_FLAGS	(FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_SAVE_REGS)
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static __always_inline unsigned long sd_fregs_arg(struct ftrace_regs *fregs,
						  unsigned int n)
{
	return ftrace_regs_get_argument(fregs, n);
}

static __always_inline void sd_fregs_set_ip(struct ftrace_regs *fregs,
					    unsigned long ip)
{
	ftrace_regs_set_instruction_pointer(fregs, ip);
}
#else
static __always_inline unsigned long sd_fregs_arg(struct ftrace_regs *fregs,
						  unsigned int n)
{
	return regs_get_kernel_argument(ftrace_get_regs(fregs), n);
}

static __always_inline void sd_fregs_set_ip(struct ftrace_regs *fregs,
					    unsigned long ip)
{
	instruction_pointer_set(ftrace_get_regs(fregs), ip);
}
#endif

#if SD_TARGET_HAS_NR
#define sd_fregs_nr(fregs)	((int)sd_fregs_arg(fregs, 1))
#else
#define sd_fregs_nr(fregs)	1
#endif

/* from_timer() became timer_container_of() in 6.16. */
#ifndef from_timer
#define from_timer(var, t, field) timer_container_of(var, t, field)
#endif

/* timer_delete_sync() replaced del_timer_sync() in 6.2. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define timer_delete_sync(t)	del_timer_sync(t)
#endif

/*
 * The drain routes calls through a module function whose own fentry is
 * redirected into the target's body: keep the compiler from assuming
 * anything about what that function clobbers (GCC's IPA register
 * allocation would otherwise trust the placeholder body).
 */
#ifndef __noipa
#define __noipa
#endif

#endif /* _SWAPDRAIN_COMPAT_H */
