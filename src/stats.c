// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: counters and their views.
 *
 * Counters are per-CPU and summed on read.  debugfs swapdrain/stats shows
 * them one "name: value" per line, root-only.  No kernel address is shown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/cpumask.h>

#include "swapdrain.h"

DEFINE_PER_CPU(struct sd_stats, sd_stats);

static const char * const sd_stat_names[SD_NR_STATS] = {
	[SD_DEFERRED_CALLS]	= "deferred_calls",
	[SD_DEFERRED_ENTRIES]	= "deferred_entries",
	[SD_PASSTHROUGH_CALLS]	= "passthrough_calls",
	[SD_FALLBACK_FULL]	= "fallback_full",
	[SD_FALLBACK_BOUND]	= "fallback_bound",
	[SD_FREED_ENTRIES]	= "freed_entries",
	[SD_DRAIN_BATCHES]	= "drain_batches",
	[SD_DRAIN_CALLS]	= "drain_calls",
	[SD_DRAIN_NS]		= "drain_ns",
	[SD_ORIG_CALLS]		= "orig_calls",
	[SD_STUB_BODY_CALLS]	= "stub_body_calls",
	[SD_URGENT_DRAINS]	= "urgent_drains",
};

static struct dentry *sd_debugfs;

static u64 sd_stat_sum(enum sd_stat i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(sd_stats, cpu).v[i];
	return sum;
}

static int sd_stats_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < SD_NR_STATS; i++)
		seq_printf(m, "%s: %llu\n", sd_stat_names[i], sd_stat_sum(i));
	seq_printf(m, "pending_entries: %ld\n", atomic_long_read(&sd_pending));
	seq_printf(m, "peak_pending_entries: %lu\n", READ_ONCE(sd_peak_pending));
	seq_printf(m, "drain_cpu_ns: %llu\n", sd_drain_cpu_ns());
	seq_printf(m, "drain_threads: %u\n", sd_drain_threads());
	seq_printf(m, "pool_batches: %u\n", sd_batch_pool_size());
	seq_printf(m, "batch_size: %u\n", sd_batch_size);
	seq_printf(m, "enabled: %d\n", READ_ONCE(sd_enabled));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sd_stats);

int sd_stats_init(void)
{
	sd_debugfs = debugfs_create_dir(SD_NAME, NULL);
	debugfs_create_file("stats", 0400, sd_debugfs, NULL, &sd_stats_fops);
	return 0;
}

void sd_stats_exit(void)
{
	debugfs_remove_recursive(sd_debugfs);
	sd_debugfs = NULL;
}
