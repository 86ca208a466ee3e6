// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: the ftrace backend.
 *
 * Two IPMODIFY ftrace_ops.  sd_target_ops sits on the swap-free function
 * and sends deferred calls to sd_stub().  sd_caller_ops sits on
 * sd_call_original() and sends the drainer's call to the target's resume
 * point: the instruction after the target's ftrace call site, where the
 * trampoline returns when nobody changes the IP.  The target's body runs
 * without its hook and returns to the drainer.
 *
 * The resume point, by architecture (ip: the callback's first argument):
 *
 * x86-64 (-mfentry):  [endbr64]  call __fentry__  | body
 *   ip is the 5-byte call.  The trampoline saves the return address of that
 *   call, ip + MCOUNT_INSN_SIZE, as the IP in ftrace_regs and leaves with
 *   RET to whatever IP is there.  Redirected from sd_call_original()'s own
 *   site, the stack holds exactly what a direct call of the target would
 *   hold: the drainer's return address.
 *
 * arm64 (-fpatchable-function-entry=2; WITH_ARGS from 6.2, WITH_REGS on 6.1):
 *   [bti c]  mov x9, x30  bl ftrace_caller  | body (paciasp, stp x29...)
 *   ftrace_caller passes ip = x30 - 4, the BL.  It saves the callsite LR
 *   from x9 and the PC as x30 = ip + 4, then restores x30 = the saved LR
 *   and leaves with "ret x9" to the saved PC.  MCOUNT_INSN_SIZE is
 *   AARCH64_INSN_SIZE, so ip + MCOUNT_INSN_SIZE is that PC, the first
 *   instruction after the two patched NOPs.  Entering the target there from
 *   sd_call_original()'s site is what an untraced direct call does after
 *   its NOPs: LR is the drainer's return address, SP is the drainer's, the
 *   arguments are in x0/x1 (restored from ftrace_regs).  paciasp, if the
 *   body starts with it, signs that LR against that SP and autiasp checks
 *   the same pair on return.  Skipping "mov x9, x30" loses nothing (x9 is
 *   a scratch register) and RET is not a BTI-checked branch.  With
 *   CALL_OPS the 8-byte literal before the function names our ops while it
 *   is the only one on the site and ftrace_caller calls our func directly
 *   (no FTRACE_OPS_FL_RECURSION/RCU flag here: those force the list
 *   helper); with more ops on the site the list function calls each with
 *   the same ftrace_regs.  DIRECT_CALLS (BPF trampolines) share a site with
 *   an IPMODIFY ops through ftrace's SHARE_IPMODIFY handshake: the
 *   trampoline is entered with x30 = our PC, so it wraps the stub or the
 *   body; our ops never sets a direct call.
 *
 * So the resume point is not computed from a layout assumption alone: on
 * the first call of the target the hook reads the IP the trampoline is
 * about to return to and checks that it is ip + MCOUNT_INSN_SIZE.  If the
 * two differ, nothing is ever deferred.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/sched.h>
#include <linux/kprobes.h>
#include <linux/printk.h>

#include "swapdrain.h"

#ifdef SD_HAVE_FTRACE_BACKEND

/* Where the target's body starts: learnt from its first call, 0 before. */
static unsigned long sd_resume_ip;

static noinline bool sd_learn_resume(unsigned long ip,
				     struct ftrace_regs *fregs)
{
	unsigned long resume = sd_fregs_ip(fregs);

	if (resume != ip + MCOUNT_INSN_SIZE) {
		pr_warn_once("%s: ftrace resumes at %pS, not at its call site + %d: not deferring\n",
			     SD_TARGET_NAME, (void *)resume, MCOUNT_INSN_SIZE);
		return false;
	}
	WRITE_ONCE(sd_resume_ip, resume);
	return true;
}

static void notrace sd_target_handler(unsigned long ip,
				      unsigned long parent_ip,
				      struct ftrace_ops *ops,
				      struct ftrace_regs *fregs)
{
	swp_entry_t entry;
	int nr = 1;

	if (unlikely(!READ_ONCE(sd_resume_ip)) && !sd_learn_resume(ip, fregs))
		return;

	entry.val = sd_fregs_arg(fregs, 0);
	if (SD_TARGET_NARGS > 1)
		nr = (int)sd_fregs_arg(fregs, 1);
	if (sd_hook_defer(entry, nr, in_task()))
		sd_fregs_set_ip(fregs, (unsigned long)sd_stub);
}

static struct ftrace_ops sd_target_ops = {
	.func	= sd_target_handler,
	.flags	= SD_FTRACE_OPS_FLAGS,
};

static void notrace sd_caller_handler(unsigned long ip,
				      unsigned long parent_ip,
				      struct ftrace_ops *ops,
				      struct ftrace_regs *fregs)
{
	unsigned long resume = READ_ONCE(sd_resume_ip);

	if (likely(resume)) {
		sd_stat_add(SD_ORIG_CALLS, 1);
		sd_fregs_set_ip(fregs, resume);
	}
}

/*
 * PERMANENT: while entries are queued, the drain path must not vanish, so
 * "sysctl kernel.ftrace_enabled=0" is refused while the module is loaded
 * (livepatch does the same).
 */
static struct ftrace_ops sd_caller_ops = {
	.func	= sd_caller_handler,
	.flags	= SD_FTRACE_OPS_FLAGS | FTRACE_OPS_FL_PERMANENT,
};

/* Does the symbol exist at all?  kallsyms_lookup_name() is not exported. */
static bool sd_symbol_exists(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	int ret = register_kprobe(&kp);

	if (ret == 0) {
		unregister_kprobe(&kp);
		return true;
	}
	/* -ENOENT: no such symbol; anything else: it exists, unprobeable. */
	return ret != -ENOENT;
}

static int sd_register(struct ftrace_ops *ops, const char *what)
{
	int ret = register_ftrace_function(ops);

	if (ret == -EBUSY)
		pr_err("cannot hook %s: another ftrace user (livepatch or a module) already redirects it, or ftrace is disabled\n",
		       what);
	else if (ret)
		pr_err("cannot hook %s: register_ftrace_function failed (%d)\n",
		       what, ret);
	return ret;
}

static int sd_ftrace_init(void)
{
	char name[] = SD_TARGET_NAME;
	int ret;

	/*
	 * The function's address, not its fentry site: ftrace_location() maps
	 * sym+0 to the site (6.1+), past an ENDBR or BTI.
	 */
	ret = ftrace_set_filter_ip(&sd_caller_ops,
				   (unsigned long)sd_call_original, 0, 0);
	if (ret) {
		pr_err("cannot trace sd_call_original (%d)\n", ret);
		return ret;
	}
	ret = sd_register(&sd_caller_ops, "sd_call_original");
	if (ret)
		goto free_caller;

	/* -EINVAL: no traceable function of that name; else -ENOMEM, ... */
	ret = ftrace_set_filter(&sd_target_ops, name, strlen(name), 1);
	if (ret == -EINVAL && !sd_symbol_exists(SD_TARGET_NAME)) {
		pr_err("%s not found: this kernel has no swap-free function to hook\n",
		       SD_TARGET_NAME);
		ret = -ENOENT;
	} else if (ret == -EINVAL) {
		pr_err("%s is not traceable (missing from available_filter_functions)\n",
		       SD_TARGET_NAME);
		ret = -EOPNOTSUPP;
	} else if (ret) {
		pr_err("cannot set the ftrace filter on %s (%d)\n",
		       SD_TARGET_NAME, ret);
	}
	if (ret)
		goto unreg_caller;
	ret = sd_register(&sd_target_ops, SD_TARGET_NAME);
	if (ret)
		goto free_target;
	return 0;

free_target:
	ftrace_free_filter(&sd_target_ops);
unreg_caller:
	unregister_ftrace_function(&sd_caller_ops);
free_caller:
	ftrace_free_filter(&sd_caller_ops);
	return ret;
}

/*
 * unregister_ftrace_function() of a module's (dynamic) ops waits for every
 * task that may be in the handler, its trampoline or, preempted, in
 * sd_stub() (synchronize_rcu_tasks on preemptible kernels).
 */
static void sd_ftrace_unhook(void)
{
	unregister_ftrace_function(&sd_target_ops);
	ftrace_free_filter(&sd_target_ops);
}

static void sd_ftrace_caller_exit(void)
{
	unregister_ftrace_function(&sd_caller_ops);
	ftrace_free_filter(&sd_caller_ops);
}

const struct sd_backend sd_ftrace_backend = {
	.name		= "ftrace",
	.init		= sd_ftrace_init,
	.unhook		= sd_ftrace_unhook,
	.caller_exit	= sd_ftrace_caller_exit,
};

#else /* !SD_HAVE_FTRACE_BACKEND */

const struct sd_backend sd_ftrace_backend = {
	.name		= "ftrace",
	.missing	= "CONFIG_DYNAMIC_FTRACE_WITH_ARGS or _WITH_REGS",
};

#endif /* SD_HAVE_FTRACE_BACKEND */
