// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: drain faster, not later, when memory or swap is short.
 *
 * - A shrinker reports pending entries as reclaimable and frees them in the
 *   reclaiming task: under memory pressure nothing waits for the drainers.
 * - swapoff: while a swapoff runs, exits free synchronously, and an urgent
 *   drain starts at its entry, so try_to_unuse() is not left spinning on
 *   entries the module holds.
 * - The free-swap threshold (swap_low_pct) is checked by the hook
 *   (batch.c) against the size of all swap, kept here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/nodemask.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "swapdrain.h"

static atomic_t sd_swapoffs = ATOMIC_INIT(0);
static unsigned long sd_swap_total_pages;

unsigned long sd_swap_total(void)
{
	return READ_ONCE(sd_swap_total_pages);
}

/*
 * The size of all swap.  The kernel does not export total_swap_pages or
 * si_swapinfo() to modules, so read SwapTotal from /proc/meminfo: at load,
 * and after every swapon and swapoff.  Process context only.
 */
static void sd_swap_total_refresh(void)
{
	struct file *f = filp_open("/proc/meminfo", O_RDONLY, 0);
	unsigned long kb;
	loff_t pos = 0;
	char *buf, *p;
	ssize_t n;

	if (IS_ERR(f)) {
		pr_warn_once("cannot read /proc/meminfo (%ld): swap_low_pct counts from the most swap seen free\n",
			     PTR_ERR(f));
		return;
	}
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	n = buf ? kernel_read(f, buf, PAGE_SIZE - 1, &pos) : -ENOMEM;
	filp_close(f, NULL);
	if (n > 0) {
		buf[n] = '\0';
		p = strstr(buf, "\nSwapTotal:");
		if (p && sscanf(p + 11, "%lu", &kb) == 1)
			WRITE_ONCE(sd_swap_total_pages, kb >> (PAGE_SHIFT - 10));
	}
	kfree(buf);
}

static void sd_swap_total_fn(struct work_struct *work)
{
	sd_swap_total_refresh();
}

static DECLARE_WORK(sd_swap_total_work, sd_swap_total_fn);

bool sd_swapoff_running(void)
{
	return atomic_read(&sd_swapoffs) > 0;
}

static unsigned long sd_shrink_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	long pending = sd_pending_entries();

	return pending > 0 ? pending : SHRINK_EMPTY;
}

static unsigned long sd_shrink_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	unsigned long freed = 0;
	struct sd_batch *b;
	int nid, i;

	sd_stat_add(SD_SHRINKER_SCANS, 1);
	sd_drain_urgent();	/* the partial per-CPU batches */
	/*
	 * Whole queued batches first, then items of batches that drain
	 * threads hold (they may be starved of CPU: that is no reason for
	 * reclaim to wait).
	 */
	nid = sc->nid;
	for (i = 0; i < nr_node_ids && freed < sc->nr_to_scan; i++) {
		while (freed < sc->nr_to_scan && (b = sd_drain_take(nid)))
			freed += sd_drain_run(b, nid);
		if (freed < sc->nr_to_scan)
			freed += sd_drain_help(nid, sc->nr_to_scan - freed);
		nid = (nid + 1) % nr_node_ids;
	}
	sd_stat_add(SD_SHRINKER_FREED, freed);
	return freed ? freed : SHRINK_STOP;
}

static int sd_swapoff_entry(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	atomic_inc(&sd_swapoffs);
	sd_batch_recheck();	/* every CPU stops deferring at once */
	sd_drain_urgent();
	return 0;
}

static int sd_swapoff_return(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	atomic_dec(&sd_swapoffs);
	schedule_work(&sd_swap_total_work);
	return 0;
}

static int sd_swapon_return(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	schedule_work(&sd_swap_total_work);
	return 0;
}

static struct kretprobe sd_swapon_probe = {
	.kp.symbol_name	= SD_SWAPON_SYMBOL,
	.handler	= sd_swapon_return,
	.maxactive	= 16,
};

static struct kretprobe sd_swapoff_probe = {
	.kp.symbol_name	= SD_SWAPOFF_SYMBOL,
	.entry_handler	= sd_swapoff_entry,
	.handler	= sd_swapoff_return,
	.maxactive	= 16,
};

static bool sd_swapoff_hooked, sd_swapon_hooked;
static struct shrinker *sd_shrinker;

int sd_pressure_init(void)
{
	int ret;

	sd_shrinker = sd_shrinker_alloc();
	if (!sd_shrinker)
		return -ENOMEM;
	sd_shrinker->count_objects = sd_shrink_count;
	sd_shrinker->scan_objects = sd_shrink_scan;
	sd_shrinker->seeks = 0;		/* nothing to read back: free it all */
	ret = sd_shrinker_register(sd_shrinker);
	if (ret) {
		pr_err("cannot register the shrinker (%d)\n", ret);
		sd_shrinker_free(sd_shrinker, false);
		return ret;
	}
	ret = register_kretprobe(&sd_swapoff_probe);
	if (ret)
		pr_warn("cannot probe %s (%d): swapoff will wait for the drainers\n",
			SD_SWAPOFF_SYMBOL, ret);
	sd_swapoff_hooked = !ret;
	ret = register_kretprobe(&sd_swapon_probe);
	if (ret)
		pr_warn("cannot probe %s (%d): swap_low_pct will not see new swap\n",
			SD_SWAPON_SYMBOL, ret);
	sd_swapon_hooked = !ret;
	sd_swap_total_refresh();
	return 0;
}

void sd_pressure_exit(void)
{
	if (sd_swapoff_hooked)
		unregister_kretprobe(&sd_swapoff_probe);
	if (sd_swapon_hooked)
		unregister_kretprobe(&sd_swapon_probe);
	cancel_work_sync(&sd_swap_total_work);
	sd_shrinker_free(sd_shrinker, true);
	sd_shrinker = NULL;
}
