// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: the kprobe backend, for kernels without a function tracer
 * (production Android GKI) and for backend=kprobe.
 *
 * sd_target_kp sits on the swap-free function's entry.  Its pre-handler
 * makes the same decision as the ftrace hook; to defer, it sets the saved
 * IP to sd_stub() and returns 1, which tells kprobes not to single-step the
 * probed instruction and to resume at the new IP.
 *
 * sd_caller_kp sits on sd_call_original().  Its pre-handler sets the saved
 * IP to the target's entry and returns 1: the drainer enters the target as
 * if it had called it (the arguments are still in their registers, the
 * return address, on the stack on x86 and in LR on arm64, is the
 * drainer's).  Where it enters:
 * - target probe on an ftrace site (x86 KPROBES_ON_FTRACE): just after the
 *   site's call, where kprobe_ftrace_handler() itself resumes a call it
 *   does not redirect.  The drainer never executes the site, so it never
 *   meets the site while unregister_kprobe() rewrites it at unload.  (An
 *   oops in rmmod/insmod cycles had a drainer entering the site at RIP 0
 *   with IF clear: kprobes' single-step set-up for a probe without an
 *   out-of-line slot, which an ftrace-site probe is, reached by a trap.)
 * - target probe on a trap (INT3, BRK): the probed instruction must run,
 *   so the drainer enters at the probe and the trap fires once more.  A
 *   per-CPU note of the redirected task lets that second hit pass without
 *   a decision.  The drainers call with preemption off (PREEMPT_RT:
 *   migration off), so the note is on the right CPU; a note left behind
 *   (the probe went in between) only spares one later call of the same
 *   kthread a decision it would make the same way.
 *
 * How execution resumes at the new IP, and why IBT/BTI never object:
 * - x86 with KPROBES_ON_FTRACE, probe on the fentry site (sym+0, or sym+4
 *   after ENDBR): kprobe_ftrace_handler() keeps the IP the pre-handler set
 *   when it returns non-zero, and the ftrace trampoline returns to it with
 *   RET.
 * - x86 int3: the trap returns with IRET to regs->ip.  kprobes place a
 *   function-entry probe after ENDBR (arch_adjust_kprobe_addr), so the
 *   probe address is not an IBT landing pad and needs none.
 * - arm64 BRK: the debug exception returns with ERET to regs->pc;
 *   PSTATE.BTYPE comes back from SPSR as it was at the probed instruction,
 *   the entry of a function reached by BL, so no landing pad is checked.
 *
 * Neither probe may be optimised: a jump-optimised probe (x86 OPTPROBES)
 * runs the pre-handler but ignores its return value and the IP.  A
 * post_handler rules optimisation out (kernel/kprobes.c: "kprobes with
 * post_handler can not be optimized", also when aggregated with another
 * user's probe) and, on an ftrace site, makes kprobes use their IPMODIFY
 * ftrace_ops, so a second IP-modifying user (livepatch, ftrace backend) is
 * refused instead of silently losing.
 *
 * Context: the pre-handler of an x86 int3 probe runs inside nmi_enter(), so
 * in_task() is false there; arm64 BRK handlers only disable preemption; an
 * ftrace-based probe runs in the caller's context.  At load a probe on a
 * notrace (so always trap-based) module function, hit from task context,
 * measures what a trap adds to the NMI and hardirq counts, and proves on
 * the way that a pre-handler's redirect works on this kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/printk.h>

#include "swapdrain.h"

#ifdef CONFIG_KPROBES

/* NMI and hardirq counts a trap adds; measured by sd_kp_selftest_pre(). */
static unsigned int sd_trap_ctx;
static bool sd_target_on_ftrace;
static unsigned long sd_enter_addr;	/* where drainers enter the target */
static DEFINE_PER_CPU(struct task_struct *, sd_kp_redirected);

/* Was the probed call made in task context? */
static __always_inline bool sd_kp_task_ctx(void)
{
	if (sd_target_on_ftrace)
		return in_task();
	return (preempt_count() & (NMI_MASK | HARDIRQ_MASK)) == sd_trap_ctx &&
	       !in_serving_softirq();
}

static int sd_kp_target_pre(struct kprobe *p, struct pt_regs *regs)
{
	swp_entry_t entry;
	int nr = 1;

	if (sd_target_on_ftrace && unlikely(in_nmi())) {
		/*
		 * An ftrace-site probe reached by a trap: the int3 that
		 * text_poke_bp() puts on the site while it rewrites it
		 * (kprobes armed or disarmed), seen after the patch was done.
		 * The probe has no out-of-line copy to single-step, so
		 * returning 0 would run address 0 (seen under QEMU TCG).
		 * Resume after the site, as kprobe_ftrace_handler() does.
		 */
		sd_stat_add(SD_PASSTHROUGH_CALLS, 1);
		instruction_pointer_set(regs, (unsigned long)p->addr +
					SD_KP_FTRACE_SITE_SIZE);
		return 1;
	}
	if (this_cpu_read(sd_kp_redirected) == current) {
		this_cpu_write(sd_kp_redirected, NULL);
		return 0;
	}
	entry.val = regs_get_kernel_argument(regs, 0);
	if (SD_TARGET_NARGS > 1)
		nr = (int)regs_get_kernel_argument(regs, 1);
	if (!sd_hook_defer(entry, nr, sd_kp_task_ctx()))
		return 0;
	instruction_pointer_set(regs, (unsigned long)sd_stub);
	return 1;
}

static int sd_kp_caller_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long target = READ_ONCE(sd_enter_addr);

	if (unlikely(!target))
		return 0;	/* cannot happen: nothing was deferred yet */
	sd_stat_add(SD_ORIG_CALLS, 1);
	if (!sd_target_on_ftrace)
		this_cpu_write(sd_kp_redirected, current);
	instruction_pointer_set(regs, target);
	return 1;
}

/* Only there to keep the probes from being optimised (see above). */
static void sd_kp_post(struct kprobe *p, struct pt_regs *regs,
		       unsigned long flags)
{
}

/* Registered disabled: its address is known before it can fire. */
static struct kprobe sd_target_kp = {
	.symbol_name	= SD_TARGET_NAME,
	.pre_handler	= sd_kp_target_pre,
	.post_handler	= sd_kp_post,
	.flags		= KPROBE_FLAG_DISABLED,
};

static struct kprobe sd_caller_kp = {
	.pre_handler	= sd_kp_caller_pre,
	.post_handler	= sd_kp_post,
};

/*
 * Self-test: a probe on sd_kp_selftest() redirects the call to
 * sd_kp_selftest_to(), exactly as the hook redirects the target.  notrace
 * keeps the functions off ftrace, so the probe is a trap (int3, BRK).
 */
static __noipa noinline notrace void sd_kp_selftest(int *res)
{
	WRITE_ONCE(*res, 1);
}

static __noipa noinline notrace void sd_kp_selftest_to(int *res)
{
	WRITE_ONCE(*res, 2);
}

static int sd_kp_selftest_pre(struct kprobe *p, struct pt_regs *regs)
{
	sd_trap_ctx = preempt_count() & (NMI_MASK | HARDIRQ_MASK);
	instruction_pointer_set(regs, (unsigned long)sd_kp_selftest_to);
	return 1;
}

static int sd_kp_selftest_run(void)
{
	struct kprobe kp = {
		.addr		= (kprobe_opcode_t *)sd_kp_selftest,
		.pre_handler	= sd_kp_selftest_pre,
		.post_handler	= sd_kp_post,
	};
	int res = 0, ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("kprobe backend: cannot probe the module itself (%d)\n",
		       ret);
		return ret;
	}
	sd_kp_selftest(&res);
	unregister_kprobe(&kp);
	if (READ_ONCE(res) != 2) {
		pr_err("kprobe backend: self-test redirect failed (%d): kprobes disarmed in debugfs, or optimised?\n",
		       READ_ONCE(res));
		return -EOPNOTSUPP;
	}
	return 0;
}

static int sd_kprobe_init(void)
{
	int ret;

	ret = sd_kp_selftest_run();
	if (ret)
		return ret;

	sd_caller_kp.addr = (kprobe_opcode_t *)sd_call_original;
	ret = register_kprobe(&sd_caller_kp);
	if (ret) {
		pr_err("cannot probe sd_call_original (%d)\n", ret);
		return ret;
	}

	ret = register_kprobe(&sd_target_kp);
	if (ret) {
		if (ret == -ENOENT)
			pr_err("%s not found: this kernel has no swap-free function to hook\n",
			       SD_TARGET_NAME);
		else if (ret == -EBUSY)
			pr_err("cannot probe %s: another user already redirects it (livepatch, ftrace IPMODIFY)\n",
			       SD_TARGET_NAME);
		else
			pr_err("cannot probe %s (%d)\n", SD_TARGET_NAME, ret);
		unregister_kprobe(&sd_caller_kp);
		return ret;
	}
	sd_target_on_ftrace = kprobe_ftrace(&sd_target_kp);
	WRITE_ONCE(sd_enter_addr, (unsigned long)sd_target_kp.addr +
		   (sd_target_on_ftrace ? SD_KP_FTRACE_SITE_SIZE : 0));
	ret = enable_kprobe(&sd_target_kp);
	if (ret) {
		pr_err("cannot arm the probe on %s (%d)\n", SD_TARGET_NAME, ret);
		unregister_kprobe(&sd_target_kp);
		unregister_kprobe(&sd_caller_kp);
		return ret;
	}
	pr_info("kprobe on %s at %s, trap context %#x\n", SD_TARGET_NAME,
		sd_target_on_ftrace ? "its ftrace site" : "a trap", sd_trap_ctx);
	return 0;
}

/*
 * unregister_kprobe() waits for running handlers (synchronize_rcu()); a
 * task sent to sd_stub() may still be in it, preempted on a preemptible
 * kernel: wait for those too before the module text can go.
 */
static void sd_kprobe_unhook(void)
{
	unregister_kprobe(&sd_target_kp);
	synchronize_rcu_tasks();
}

/*
 * The drainers are stopped.  After the target's probe went, the redirect
 * still lands on an instruction boundary of the function's entry: the
 * probed instruction (after ENDBR on x86), or the one after the ftrace
 * site, which is a NOP by then.
 */
static void sd_kprobe_caller_exit(void)
{
	unregister_kprobe(&sd_caller_kp);
}

const struct sd_backend sd_kprobe_backend = {
	.name		= "kprobe",
	.init		= sd_kprobe_init,
	.unhook		= sd_kprobe_unhook,
	.caller_exit	= sd_kprobe_caller_exit,
};

#else /* !CONFIG_KPROBES */

const struct sd_backend sd_kprobe_backend = {
	.name		= "kprobe",
	.missing	= "CONFIG_KPROBES",
};

#endif /* CONFIG_KPROBES */
