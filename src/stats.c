// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: counters and their views.
 *
 * Counters are per-CPU and summed on read.  The same text is readable, by
 * root only, from debugfs (swapdrain/stats, swapdrain/exit_latency) and
 * from sysfs (/sys/kernel/swapdrain/), for Android user builds that never
 * mount debugfs.  One "name: value" per line; no kernel address is shown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/cpumask.h>
#include <asm/barrier.h>

#include "swapdrain.h"

DEFINE_PER_CPU(struct sd_stats, sd_stats);

static const char * const sd_stat_names[SD_NR_STATS] = {
	[SD_DEFERRED_CALLS]	= "deferred_calls",
	[SD_DEFERRED_ENTRIES]	= "deferred_entries",
	[SD_PASSTHROUGH_CALLS]	= "passthrough_calls",
	[SD_FALLBACK_FULL]	= "fallback_full",
	[SD_FALLBACK_BOUND]	= "fallback_bound",
	[SD_FALLBACK_AGE]	= "fallback_age",
	[SD_FALLBACK_SWAP_LOW]	= "fallback_swap_low",
	[SD_FALLBACK_SWAPOFF]	= "fallback_swapoff",
	[SD_FREED_ENTRIES]	= "freed_entries",
	[SD_DRAIN_BATCHES]	= "drain_batches",
	[SD_DRAIN_CALLS]	= "drain_calls",
	[SD_DRAIN_NS]		= "drain_ns",
	[SD_ORIG_CALLS]		= "orig_calls",
	[SD_STUB_BODY_CALLS]	= "stub_body_calls",
	[SD_URGENT_DRAINS]	= "urgent_drains",
	[SD_AGE_DRAINS]		= "age_drains",
	[SD_SHRINKER_SCANS]	= "shrinker_scans",
	[SD_SHRINKER_FREED]	= "shrinker_freed",
	[SD_DRAIN_WAITS]	= "drain_waits",
};

static struct dentry *sd_debugfs;
static struct kobject *sd_kobj;

static u64 sd_stat_sum(enum sd_stat i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(sd_stats, cpu).v[i];
	return sum;
}

/*
 * Entries taken and not yet freed, from the per-CPU counters: exact when
 * nothing moves, a snapshot while hook and drain run.  freed_entries is
 * read first: an entry is counted deferred before its batch is queued
 * (sd_batch_add()), so every entry counted freed here is also counted
 * deferred by the second sum, and the difference never undercounts.
 */
long sd_pending_entries(void)
{
	u64 freed = sd_stat_sum(SD_FREED_ENTRIES);

	smp_rmb();	/* the freed counts before the deferred counts */
	return max((long)(sd_stat_sum(SD_DEFERRED_ENTRIES) - freed), 0L);
}

/*
 * One snapshot: every counter is summed once, freed_entries before
 * deferred_entries (the loop runs backwards), and pending_entries is their
 * difference.  An entry is counted deferred before any drain thread can
 * see it, so each view shows deferred = freed + pending exactly, even
 * while a storm runs.
 */
static int sd_stats_show(char *buf, size_t size)
{
	u64 v[SD_NR_STATS];
	long pending;
	int i, len = 0;

	for (i = SD_NR_STATS - 1; i >= 0; i--) {
		v[i] = sd_stat_sum(i);
		smp_rmb();	/* as in sd_pending_entries() */
	}
	pending = max((long)(v[SD_DEFERRED_ENTRIES] - v[SD_FREED_ENTRIES]), 0L);
	for (i = 0; i < SD_NR_STATS; i++)
		len += scnprintf(buf + len, size - len, "%s: %llu\n",
				 sd_stat_names[i], v[i]);
	len += scnprintf(buf + len, size - len,
			 "pending_entries: %ld\npeak_pending_entries: %lu\n"
			 "drain_cpu_ns: %llu\ndrain_threads: %u\n"
			 "pool_batches: %u\nbatch_size: %u\nenabled: %d\n"
			 "backend: %s\n",
			 pending, READ_ONCE(sd_peak_pending), sd_drain_cpu_ns(),
			 sd_drain_threads(), sd_batch_pool_size(),
			 sd_batch_size, READ_ONCE(sd_enabled), sd_hook_backend());
	return len;
}

/*
 * debugfs: each file's private data is its show function.  The text is
 * made once, at open, as sysfs does: a reader that reads in small pieces
 * gets one snapshot, not lines from different instants.
 */
struct sd_snapshot {
	size_t len;
	char buf[];
};

static int sd_debugfs_open(struct inode *inode, struct file *f)
{
	int (*show)(char *buf, size_t size) = inode->i_private;
	struct sd_snapshot *s = kmalloc(sizeof(*s) + PAGE_SIZE, GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	s->len = show(s->buf, PAGE_SIZE);
	f->private_data = s;
	return 0;
}

static ssize_t sd_debugfs_read(struct file *f, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct sd_snapshot *s = f->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, s->buf, s->len);
}

static int sd_debugfs_release(struct inode *inode, struct file *f)
{
	kfree(f->private_data);
	return 0;
}

static const struct file_operations sd_debugfs_fops = {
	.owner		= THIS_MODULE,
	.open		= sd_debugfs_open,
	.read		= sd_debugfs_read,
	.release	= sd_debugfs_release,
	.llseek		= default_llseek,
};

static ssize_t stats_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	return sd_stats_show(buf, PAGE_SIZE);
}

static ssize_t exit_latency_show(struct kobject *k, struct kobj_attribute *a,
				 char *buf)
{
	return sd_exitlat_show(buf, PAGE_SIZE);
}

static struct kobj_attribute sd_stats_attr = __ATTR(stats, 0400, stats_show,
						    NULL);
static struct kobj_attribute sd_exitlat_attr = __ATTR(exit_latency, 0400,
						      exit_latency_show, NULL);

static struct attribute *sd_attrs[] = {
	&sd_stats_attr.attr,
	&sd_exitlat_attr.attr,
	NULL,
};

static const struct attribute_group sd_attr_group = {
	.attrs = sd_attrs,
};

int sd_stats_init(void)
{
	int ret;

	sd_kobj = kobject_create_and_add(SD_NAME, kernel_kobj);
	if (!sd_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(sd_kobj, &sd_attr_group);
	if (ret) {
		kobject_put(sd_kobj);
		sd_kobj = NULL;
		return ret;
	}
	/* debugfs is optional: it may be absent or not mounted. */
	sd_debugfs = debugfs_create_dir(SD_NAME, NULL);
	debugfs_create_file("stats", 0400, sd_debugfs, sd_stats_show,
			    &sd_debugfs_fops);
	debugfs_create_file("exit_latency", 0400, sd_debugfs, sd_exitlat_show,
			    &sd_debugfs_fops);
	return 0;
}

void sd_stats_exit(void)
{
	debugfs_remove_recursive(sd_debugfs);
	sd_debugfs = NULL;
	if (sd_kobj) {
		sysfs_remove_group(sd_kobj, &sd_attr_group);
		kobject_put(sd_kobj);
		sd_kobj = NULL;
	}
}
