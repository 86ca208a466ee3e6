/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapdrain: every kernel-version difference lives here.
 *
 * scripts/kernel-probe.sh looks at the kernel's headers at build time and
 * passes SD_* flags; this header turns them into code.  Kernel options are
 * read as CONFIG_* from the kernel's own configuration.  The hook target:
 *   <= 6.9   int  free_swap_and_cache(swp_entry_t entry)      SD_TARGET_FREE_ONE
 *   6.10-6.x void free_swap_and_cache_nr(swp_entry_t, int)    SD_TARGET_FREE_NR
 *   7.x      void swap_put_entries_direct(swp_entry_t, int)   SD_TARGET_PUT_DIRECT
 */
#ifndef _SWAPDRAIN_COMPAT_H
#define _SWAPDRAIN_COMPAT_H

#include <linux/compiler.h>
#include <linux/preempt.h>
#include <linux/ftrace.h>
#include <linux/ptrace.h>
#include <linux/timer.h>
#include <linux/swap.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#if defined(SD_TARGET_PUT_DIRECT)
#define SD_TARGET_NAME		"swap_put_entries_direct"
#elif defined(SD_TARGET_FREE_NR)
#define SD_TARGET_NAME		"free_swap_and_cache_nr"
#elif defined(SD_TARGET_FREE_ONE)
#define SD_TARGET_NAME		"free_swap_and_cache"
#else
#error "run through Kbuild: scripts/kernel-probe.sh sets the target"
#endif

/* Test builds only (tests/09-notarget.sh): a target no kernel has. */
#ifdef SD_TEST_TARGET
#undef SD_TARGET_NAME
#define SD_TARGET_NAME		SD_TEST_TARGET
#endif

/*
 * sd_stub() stands in for the target when a call is deferred: same
 * prototype, nothing to do.  The <= 6.9 zap path reports a bad PTE when
 * free_swap_and_cache() returns 0, so there it returns 1.  Both backends
 * send execution to it by rewriting the saved IP (ftrace: RET out of the
 * trampoline; kprobe: IRET/ERET out of the trap, or RET out of the ftrace
 * trampoline on x86), never by an indirect call: no IBT/BTI landing pad
 * is involved.
 */
#ifdef SD_TARGET_FREE_ONE
#define SD_TARGET_NARGS		1
static inline notrace int sd_stub(swp_entry_t entry)
{
	return 1;
}
#else
#define SD_TARGET_NARGS		2
static inline notrace void sd_stub(swp_entry_t entry, int nr)
{
}
#endif

/*
 * kprobe backend: a kprobe on an ftrace site (x86 KPROBES_ON_FTRACE) stands
 * on the site's call; kprobe_ftrace_handler() resumes an unredirected call
 * this many bytes further on.  Elsewhere probes are traps.
 */
#ifdef CONFIG_KPROBES_ON_FTRACE
#define SD_KP_FTRACE_SITE_SIZE	MCOUNT_INSN_SIZE
#else
#define SD_KP_FTRACE_SITE_SIZE	0
#endif

/*
 * ftrace backend: register access from an ftrace_ops callback.
 *
 * WITH_ARGS (x86 6.1+, arm64 6.2+): the trampoline saves the argument
 * registers and the return IP in struct ftrace_regs and reloads the IP from
 * there, so an IPMODIFY ops needs no SAVE_REGS.  The accessors are
 * ftrace_regs_*() from 6.2 (opaque struct from 6.13); 6.1 x86 has only
 * ftrace_instruction_pointer_set() and a struct ftrace_regs that wraps a
 * struct pt_regs.
 * WITH_REGS only (arm64 6.1): SAVE_REGS and a full struct pt_regs.  There
 * ftrace_regs_set_instruction_pointer() is a no-op (6.12+): do not use it.
 */
#if defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) || \
	defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#define SD_HAVE_FTRACE_BACKEND
#endif

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS
#define SD_FTRACE_OPS_FLAGS	FTRACE_OPS_FL_IPMODIFY

static __always_inline unsigned long sd_fregs_arg(struct ftrace_regs *fregs,
						  unsigned int n)
{
#ifdef SD_HAVE_FREGS_GET_ARG
	return ftrace_regs_get_argument(fregs, n);
#else
	return regs_get_kernel_argument(&fregs->regs, n);
#endif
}

static __always_inline unsigned long sd_fregs_ip(struct ftrace_regs *fregs)
{
#ifdef SD_HAVE_FREGS_GET_IP
	return ftrace_regs_get_instruction_pointer(fregs);
#else
	return instruction_pointer(&fregs->regs);
#endif
}

static __always_inline void sd_fregs_set_ip(struct ftrace_regs *fregs,
					    unsigned long ip)
{
#ifdef SD_HAVE_FREGS_SET_IP
	ftrace_regs_set_instruction_pointer(fregs, ip);
#else
	ftrace_instruction_pointer_set(fregs, ip);
#endif
}
#elif defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#define SD_FTRACE_OPS_FLAGS	(FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_SAVE_REGS)

static __always_inline unsigned long sd_fregs_arg(struct ftrace_regs *fregs,
						  unsigned int n)
{
	return regs_get_kernel_argument(ftrace_get_regs(fregs), n);
}

static __always_inline unsigned long sd_fregs_ip(struct ftrace_regs *fregs)
{
	return instruction_pointer(ftrace_get_regs(fregs));
}

static __always_inline void sd_fregs_set_ip(struct ftrace_regs *fregs,
					    unsigned long ip)
{
	instruction_pointer_set(ftrace_get_regs(fregs), ip);
}
#endif

/*
 * A drain call (claim an item, free it, count it) runs with preemption
 * off, as the zap path's own call does under the PTE lock: a drain thread
 * preempted between claiming an item and freeing it would hold that
 * item's entries (up to 512) for as long as it waits for a CPU, and
 * swapoff and reclaim would wait with it (seen with full preemption:
 * PREEMPT, PREEMPT_LAZY).  On PREEMPT_RT the target takes sleeping locks
 * (the zap path calls it preemptible there): only migration is held off.
 */
#ifdef CONFIG_PREEMPT_RT
#define sd_drain_call_begin()	migrate_disable()
#define sd_drain_call_end()	migrate_enable()
#else
#define sd_drain_call_begin()	preempt_disable()
#define sd_drain_call_end()	preempt_enable()
#endif

/* The swapon/swapoff system calls' entry symbols (an arch difference). */
#if defined(CONFIG_X86_64)
#define SD_SWAPOFF_SYMBOL	"__x64_sys_swapoff"
#define SD_SWAPON_SYMBOL	"__x64_sys_swapon"
#elif defined(CONFIG_ARM64)
#define SD_SWAPOFF_SYMBOL	"__arm64_sys_swapoff"
#define SD_SWAPON_SYMBOL	"__arm64_sys_swapon"
#else
#define SD_SWAPOFF_SYMBOL	"sys_swapoff"
#define SD_SWAPON_SYMBOL	"sys_swapon"
#endif

/*
 * Shrinkers are allocated by the core from 6.7 (shrinker_alloc()); before,
 * the caller owns the struct and register_shrinker() takes a name.
 */
#ifdef SD_HAVE_SHRINKER_ALLOC
static inline struct shrinker *sd_shrinker_alloc(void)
{
	return shrinker_alloc(0, "swapdrain");
}

static inline int sd_shrinker_register(struct shrinker *s)
{
	shrinker_register(s);
	return 0;
}

static inline void sd_shrinker_free(struct shrinker *s, bool registered)
{
	shrinker_free(s);
}
#else
static inline struct shrinker *sd_shrinker_alloc(void)
{
	return kzalloc(sizeof(struct shrinker), GFP_KERNEL);
}

static inline int sd_shrinker_register(struct shrinker *s)
{
	return register_shrinker(s, "swapdrain");
}

static inline void sd_shrinker_free(struct shrinker *s, bool registered)
{
	if (registered)
		unregister_shrinker(s);
	kfree(s);
}
#endif

/* from_timer() became timer_container_of() in 6.16. */
#ifdef SD_HAVE_TIMER_CONTAINER_OF
#define sd_timer_owner(var, t, field)	timer_container_of(var, t, field)
#else
#define sd_timer_owner(var, t, field)	from_timer(var, t, field)
#endif

/* timer_delete_sync() replaced del_timer_sync() in 6.2. */
#ifndef SD_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(t)	del_timer_sync(t)
#endif

#endif /* _SWAPDRAIN_COMPAT_H */
