// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: the hook, whatever installs it.
 *
 * A backend (hook_ftrace.c, hook_kprobe.c) puts two redirects in place:
 *
 * - On the kernel's swap-free function.  It reads (entry, nr) and asks
 *   sd_hook_defer().  When the entries were taken, execution goes to
 *   sd_stub(), which returns straight to the caller: the reference is now
 *   the module's.  Every other call runs untouched.
 * - On sd_call_original(), the module function the drainers call directly.
 *   Execution goes into the target without a deferral decision for that
 *   call (see the backends), so the original frees the entries.
 *
 * No indirect call is ever made into the target: on x86 IBT kernels its
 * ENDBR may be sealed (its address is never taken in the kernel), and an
 * indirect call would fault.  Every redirect is a rewrite of a saved IP,
 * left with RET (ftrace trampoline), IRET (x86 trap) or ERET (arm64
 * trap), which IBT and BTI do not check.
 *
 * backend=auto takes ftrace when the kernel has DYNAMIC_FTRACE_WITH_ARGS or
 * _WITH_REGS and the target is traceable, otherwise kprobe (production
 * Android GKI kernels have no function tracer).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/printk.h>

#include "swapdrain.h"

enum { SD_BACKEND_AUTO, SD_BACKEND_FTRACE, SD_BACKEND_KPROBE };

static const char * const sd_backend_names[] = {
	[SD_BACKEND_AUTO]	= "auto",
	[SD_BACKEND_FTRACE]	= "ftrace",
	[SD_BACKEND_KPROBE]	= "kprobe",
};

static int sd_backend_req = SD_BACKEND_AUTO;
static const struct sd_backend *sd_backend;

static int sd_backend_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(sd_backend_names, val);

	if (i < 0) {
		pr_err("backend=%s refused: must be auto, ftrace or kprobe\n",
		       val);
		return -EINVAL;
	}
	sd_backend_req = i;
	return 0;
}

static int sd_backend_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", sd_backend_names[sd_backend_req]);
}

static const struct kernel_param_ops sd_backend_ops = {
	.set = sd_backend_set,
	.get = sd_backend_get,
};

module_param_cb(backend, &sd_backend_ops, NULL, 0444);
MODULE_PARM_DESC(backend,
		 "How to hook the swap-free function: auto, ftrace or kprobe (default auto)");

const char *sd_hook_backend(void)
{
	const struct sd_backend *b = READ_ONCE(sd_backend);

	return b ? b->name : "none";
}

/*
 * The per-call decision, from the target's hook.  task_ctx: the call was
 * made in task context (the backend knows how to tell from its handler).
 * Returns true when the entries were queued: the hook must then send the
 * call to sd_stub().
 */
bool sd_hook_defer(swp_entry_t entry, int nr, bool task_ctx)
{
	if (!READ_ONCE(sd_enabled) || !sd_current_exiting() || !task_ctx) {
		sd_stat_add(SD_PASSTHROUGH_CALLS, 1);
		return false;
	}
	return sd_batch_add(entry, nr);
}

/*
 * Called by the drainers, one call per deferred item.  The backend
 * redirects its entry into the target; the body below runs only if that
 * redirect is missing (all kprobes disarmed through debugfs).  It counts
 * itself on this CPU, and the drain (sd_claim()) keeps the item for a retry: a
 * leak is recoverable, a double free is not.
 */
__noipa noinline void sd_call_original(swp_entry_t entry, int nr)
{
	sd_stat_add(SD_STUB_BODY_CALLS, 1);
	pr_warn_once("drain redirect missing (kprobes disarmed?): entries kept for a retry\n");
}

static int sd_backend_start(const struct sd_backend *b)
{
	int ret;

	if (b->missing) {
		pr_err("%s backend not available: the kernel has no %s\n",
		       b->name, b->missing);
		return -EOPNOTSUPP;
	}
	ret = b->init();
	if (!ret)
		WRITE_ONCE(sd_backend, b);
	return ret;
}

int sd_hook_init(void)
{
	int ret;

	switch (sd_backend_req) {
	case SD_BACKEND_FTRACE:
		ret = sd_backend_start(&sd_ftrace_backend);
		break;
	case SD_BACKEND_KPROBE:
		ret = sd_backend_start(&sd_kprobe_backend);
		break;
	default:
		if (sd_ftrace_backend.missing && sd_kprobe_backend.missing) {
			pr_err("no way to hook %s: the kernel has neither %s (ftrace backend) nor %s (kprobe backend)\n",
			       SD_TARGET_NAME, sd_ftrace_backend.missing,
			       sd_kprobe_backend.missing);
			return -EOPNOTSUPP;
		}
		ret = -EOPNOTSUPP;
		if (!sd_ftrace_backend.missing) {
			ret = sd_backend_start(&sd_ftrace_backend);
			/* The target missing is the kernel's, not ftrace's. */
			if (ret == -ENOENT)
				break;
			if (ret && !sd_kprobe_backend.missing)
				pr_info("ftrace backend failed (%d), trying kprobe\n",
					ret);
		}
		if (ret && !sd_kprobe_backend.missing)
			ret = sd_backend_start(&sd_kprobe_backend);
		break;
	}
	if (ret) {
		pr_err("not loaded: %s is not hooked (backend=%s)\n",
		       SD_TARGET_NAME, sd_backend_names[sd_backend_req]);
		return ret;
	}
	pr_info("hooked %s (backend: %s)\n", SD_TARGET_NAME, sd_backend->name);
	return 0;
}

/* No new entry, no hook call in flight once this returns. */
void sd_hook_exit(void)
{
	if (sd_backend)
		sd_backend->unhook();
}

/* After the last drain. */
void sd_caller_exit(void)
{
	if (sd_backend)
		sd_backend->caller_exit();
}
