// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: module parameters.
 *
 * Every value is checked before it is stored: a bad one is refused with
 * -EINVAL and one line in the kernel log, and the old value stays.  At
 * insmod time that refuses the load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/sched/prio.h>
#include <linux/sysfs.h>
#include <linux/cpumask.h>

#include "swapdrain.h"

bool sd_enabled = true;
unsigned int sd_nr_threads;
unsigned int sd_batch_size = 64;
unsigned int sd_max_pending = 262144;
int sd_drain_nice = 19;
unsigned int sd_flush_ms = 10;
unsigned int sd_swap_low_pct = 10;
unsigned int sd_max_delay_ms = 2000;
unsigned int sd_drain_wait_ms = 100;
bool sd_drain_fifo;
bool sd_drain_idle;
struct cpumask sd_drain_cpus;	/* empty: every CPU of the node */

static bool sd_live;

bool sd_params_live(void)
{
	return READ_ONCE(sd_live);
}

/*
 * Setters run under the module's kernel_param_lock: taking it here means no
 * setter is applying a change to the drain threads while they come or go.
 */
void sd_params_set_live(bool live)
{
	kernel_param_lock(THIS_MODULE);
	WRITE_ONCE(sd_live, live);
	kernel_param_unlock(THIS_MODULE);
}

struct sd_int_param {
	void *var;		/* int or unsigned int */
	long min, max;
	void (*apply)(void);	/* after a change on the loaded module */
};

static int sd_int_set(const char *val, const struct kernel_param *kp)
{
	const struct sd_int_param *p = kp->arg;
	long v;

	if (kstrtol(val, 0, &v) || v < p->min || v > p->max) {
		pr_err("%s=%s refused: must be an integer from %ld to %ld\n",
		       kp->name, strim((char *)val), p->min, p->max);
		return -EINVAL;
	}
	WRITE_ONCE(*(int *)p->var, (int)v);
	if (p->apply && sd_params_live())
		p->apply();
	return 0;
}

static int sd_int_get(char *buf, const struct kernel_param *kp)
{
	const struct sd_int_param *p = kp->arg;

	if (p->min < 0)
		return sysfs_emit(buf, "%d\n", READ_ONCE(*(int *)p->var));
	return sysfs_emit(buf, "%u\n", READ_ONCE(*(unsigned int *)p->var));
}

static const struct kernel_param_ops sd_int_ops = {
	.set = sd_int_set,
	.get = sd_int_get,
};

static int sd_bool_set(const char *val, const struct kernel_param *kp)
{
	bool v;

	if (!val || kstrtobool(val, &v)) {
		pr_err("%s=%s refused: must be 0 or 1\n", kp->name,
		       val ? strim((char *)val) : "");
		return -EINVAL;
	}
	WRITE_ONCE(*(bool *)kp->arg, v);
	if ((kp->arg == &sd_drain_fifo || kp->arg == &sd_drain_idle) &&
	    sd_params_live())
		sd_drain_apply_sched();
	return 0;
}

static const struct kernel_param_ops sd_bool_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = sd_bool_set,
	.get = param_get_bool,
};

module_param_cb(enabled, &sd_bool_ops, &sd_enabled, 0644);
MODULE_PARM_DESC(enabled, "Defer exit-time swap frees (default 1)");

static struct sd_int_param sd_p_nr_threads = {
	.var = &sd_nr_threads, .min = 0, .max = 1024,
};
module_param_cb(nr_threads, &sd_int_ops, &sd_p_nr_threads, 0444);
MODULE_PARM_DESC(nr_threads,
		 "Drain threads in all, spread over NUMA nodes (0 = one per node)");

static struct sd_int_param sd_p_batch_size = {
	.var = &sd_batch_size, .min = 1, .max = 4096,
};
module_param_cb(batch_size, &sd_int_ops, &sd_p_batch_size, 0444);
MODULE_PARM_DESC(batch_size, "Deferred calls per batch (default 64)");

static struct sd_int_param sd_p_max_pending = {
	.var = &sd_max_pending, .min = 0, .max = 1 << 28,
	.apply = sd_batch_recheck,
};
module_param_cb(max_pending, &sd_int_ops, &sd_p_max_pending, 0644);
MODULE_PARM_DESC(max_pending,
		 "Most swap entries held at once; beyond it frees run synchronously (default 262144)");

static struct sd_int_param sd_p_drain_nice = {
	.var = &sd_drain_nice, .min = MIN_NICE, .max = MAX_NICE,
	.apply = sd_drain_apply_sched,
};
module_param_cb(drain_nice, &sd_int_ops, &sd_p_drain_nice, 0644);
MODULE_PARM_DESC(drain_nice, "Nice value of the drain threads (default 19)");

static struct sd_int_param sd_p_flush_ms = {
	.var = &sd_flush_ms, .min = 1, .max = 1000,
};
module_param_cb(flush_ms, &sd_int_ops, &sd_p_flush_ms, 0644);
MODULE_PARM_DESC(flush_ms,
		 "Age in ms after which a partly filled batch is queued (default 10)");

static struct sd_int_param sd_p_swap_low_pct = {
	.var = &sd_swap_low_pct, .min = 0, .max = 100,
	.apply = sd_batch_recheck,
};
module_param_cb(swap_low_pct, &sd_int_ops, &sd_p_swap_low_pct, 0644);
MODULE_PARM_DESC(swap_low_pct,
		 "Below this % of swap free, stop deferring and drain at once (default 10)");

static struct sd_int_param sd_p_max_delay_ms = {
	.var = &sd_max_delay_ms, .min = 0, .max = 600000,
	.apply = sd_batch_recheck,
};
module_param_cb(max_delay_ms, &sd_int_ops, &sd_p_max_delay_ms, 0644);
MODULE_PARM_DESC(max_delay_ms,
		 "While the oldest queued batch is older than this, exits free synchronously (0 = no bound; default 2000)");

static struct sd_int_param sd_p_drain_wait_ms = {
	.var = &sd_drain_wait_ms, .min = 0, .max = 10000,
};
module_param_cb(drain_wait_ms, &sd_int_ops, &sd_p_drain_wait_ms, 0644);
MODULE_PARM_DESC(drain_wait_ms,
		 "While processes exit, the drain threads wait for them, up to this long after the oldest queued batch (0 = no wait; default 100)");

module_param_cb(drain_fifo, &sd_bool_ops, &sd_drain_fifo, 0644);
MODULE_PARM_DESC(drain_fifo, "Run the drain threads SCHED_FIFO (low priority) instead of SCHED_NORMAL (default 0)");

module_param_cb(drain_idle, &sd_bool_ops, &sd_drain_idle, 0644);
MODULE_PARM_DESC(drain_idle, "Run the drain threads SCHED_IDLE instead of at drain_nice (drain_fifo wins; default 0)");

static int sd_cpus_set(const char *val, const struct kernel_param *kp)
{
	cpumask_var_t mask;
	int ret = -ENOMEM;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return ret;
	val = skip_spaces(val);
	ret = cpulist_parse(val, mask);
	if (ret || (!cpumask_empty(mask) &&
		    !cpumask_intersects(mask, cpu_online_mask))) {
		pr_err("drain_cpus=%s refused: must be a list of online CPUs such as 0-3,6 (empty for all)\n",
		       strim((char *)val));
		free_cpumask_var(mask);
		return -EINVAL;
	}
	cpumask_copy(&sd_drain_cpus, mask);
	free_cpumask_var(mask);
	if (sd_params_live())
		sd_drain_apply_affinity();
	return 0;
}

static int sd_cpus_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(&sd_drain_cpus));
}

static const struct kernel_param_ops sd_cpus_ops = {
	.set = sd_cpus_set,
	.get = sd_cpus_get,
};

module_param_cb(drain_cpus, &sd_cpus_ops, NULL, 0644);
MODULE_PARM_DESC(drain_cpus, "CPUs the drain threads may run on, as a cpulist (default: all of each thread's node)");
