// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: the ftrace backend.
 *
 * Two IPMODIFY ftrace_ops:
 *
 * sd_target_ops sits on the kernel's swap-free function.  For a caller in
 * exit (PF_EXITING, mm already detached) it queues (entry, nr) and sends
 * execution to sd_stub(), which returns straight to the caller: the
 * reference is now the module's.  Every other call runs untouched.
 *
 * sd_caller_ops sits on sd_call_original(), a module function the drainers
 * call directly.  It sends execution past the target's own fentry site, into
 * its body, so the original runs without hitting the first hook.  No
 * indirect call is ever made into the target: on x86 IBT kernels its ENDBR
 * may be sealed (its address is never taken in the kernel), and an indirect
 * call would fault.  Both redirects leave the ftrace trampoline with RET,
 * which IBT does not check.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/sched.h>
#include <linux/kprobes.h>
#include <linux/printk.h>

#include "swapdrain.h"

/* The target's fentry site + MCOUNT_INSN_SIZE: where its body starts. */
static unsigned long sd_resume_ip;

static __always_inline bool sd_caller_exiting(void)
{
	return (current->flags & PF_EXITING) && !current->mm;
}

static void notrace sd_target_handler(unsigned long ip,
				      unsigned long parent_ip,
				      struct ftrace_ops *ops,
				      struct ftrace_regs *fregs)
{
	swp_entry_t entry;

	if (unlikely(!READ_ONCE(sd_resume_ip)))
		WRITE_ONCE(sd_resume_ip, ip + MCOUNT_INSN_SIZE);

	if (!READ_ONCE(sd_enabled) || !sd_caller_exiting() || !in_task()) {
		sd_stat_add(SD_PASSTHROUGH_CALLS, 1);
		return;
	}

	entry.val = sd_fregs_arg(fregs, 0);
	if (sd_batch_add(entry, sd_fregs_nr(fregs)))
		sd_fregs_set_ip(fregs, (unsigned long)sd_stub);
}

static struct ftrace_ops sd_target_ops = {
	.func	= sd_target_handler,
	.flags	= SD_FTRACE_OPS_FLAGS,
};

/*
 * Called by the drainers, one call per deferred item.  Its fentry is
 * redirected to the target's body; the body below runs only if that
 * redirect is missing, which would be a bug: count it and keep the entry
 * (a leak is recoverable, a double free is not).
 */
__noipa noinline void sd_call_original(swp_entry_t entry, int nr)
{
	sd_stat_add(SD_STUB_BODY_CALLS, 1);
	WARN_ONCE(1, "call redirect missing, entry %lx nr %d kept\n",
		  entry.val, nr);
}

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

static struct ftrace_ops sd_caller_ops = {
	.func	= sd_caller_handler,
	.flags	= SD_FTRACE_OPS_FLAGS,
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
		pr_err("cannot hook %s: another ftrace user (livepatch or a module) already redirects it\n",
		       what);
	else if (ret)
		pr_err("cannot hook %s: register_ftrace_function failed (%d)\n",
		       what, ret);
	return ret;
}

int sd_hook_init(void)
{
	char name[] = SD_TARGET_NAME;
	int ret;

	ret = ftrace_set_filter_ip(&sd_caller_ops,
				   (unsigned long)sd_call_original, 0, 0);
	if (ret) {
		pr_err("cannot trace sd_call_original (%d): is CONFIG_DYNAMIC_FTRACE enabled?\n",
		       ret);
		return ret;
	}
	ret = sd_register(&sd_caller_ops, "sd_call_original");
	if (ret)
		goto free_caller;

	ret = ftrace_set_filter(&sd_target_ops, name, strlen(name), 1);
	if (ret) {
		if (!sd_symbol_exists(SD_TARGET_NAME))
			pr_err("%s not found: this kernel has no swap-free function to hook\n",
			       SD_TARGET_NAME);
		else
			pr_err("%s is not traceable (missing from available_filter_functions)\n",
			       SD_TARGET_NAME);
		ret = -ENOENT;
		goto unreg_caller;
	}
	ret = sd_register(&sd_target_ops, SD_TARGET_NAME);
	if (ret)
		goto free_target;

	pr_info("hooked %s (ftrace)\n", SD_TARGET_NAME);
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
 * Unhook.  unregister_ftrace_function() of a module's (dynamic) ops waits
 * for every task that may be in the handler or its trampoline
 * (synchronize_rcu_tasks), so on return no hook call is in flight and no
 * new entry can be queued.
 */
void sd_hook_exit(void)
{
	unregister_ftrace_function(&sd_target_ops);
	ftrace_free_filter(&sd_target_ops);
}

/* After the last drain. */
void sd_caller_exit(void)
{
	unregister_ftrace_function(&sd_caller_ops);
	ftrace_free_filter(&sd_caller_ops);
}
