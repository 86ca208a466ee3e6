// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: module parameters.
 *
 * Every value is checked before it is stored: a bad one is refused with
 * -EINVAL and one line in the kernel log, and the old value stays.  At
 * insmod time that refuses the load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/sched/prio.h>
#include <linux/sysfs.h>

#include "swapdrain.h"

bool sd_enabled = true;
unsigned int sd_nr_threads;
unsigned int sd_batch_size = 64;
unsigned int sd_max_pending = 262144;
int sd_drain_nice = 19;
unsigned int sd_flush_ms = 10;

static bool sd_live;

bool sd_params_live(void)
{
	return READ_ONCE(sd_live);
}

void sd_params_set_live(bool live)
{
	WRITE_ONCE(sd_live, live);
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
		 "Drain threads in all, spread over NUMA nodes (0 = half the CPUs of each node)");

static struct sd_int_param sd_p_batch_size = {
	.var = &sd_batch_size, .min = 1, .max = 4096,
};
module_param_cb(batch_size, &sd_int_ops, &sd_p_batch_size, 0444);
MODULE_PARM_DESC(batch_size, "Deferred calls per batch (default 64)");

static struct sd_int_param sd_p_max_pending = {
	.var = &sd_max_pending, .min = 0, .max = 1 << 28,
};
module_param_cb(max_pending, &sd_int_ops, &sd_p_max_pending, 0644);
MODULE_PARM_DESC(max_pending,
		 "Most swap entries held at once; beyond it frees run synchronously (default 262144)");

static struct sd_int_param sd_p_drain_nice = {
	.var = &sd_drain_nice, .min = MIN_NICE, .max = MAX_NICE,
	.apply = sd_drain_apply_nice,
};
module_param_cb(drain_nice, &sd_int_ops, &sd_p_drain_nice, 0644);
MODULE_PARM_DESC(drain_nice, "Nice value of the drain threads (default 19)");

static struct sd_int_param sd_p_flush_ms = {
	.var = &sd_flush_ms, .min = 1, .max = 1000,
};
module_param_cb(flush_ms, &sd_int_ops, &sd_p_flush_ms, 0644);
MODULE_PARM_DESC(flush_ms,
		 "Age in ms after which a partly filled batch is queued (default 10)");
