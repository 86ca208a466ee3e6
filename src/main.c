// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: defer the swap frees of exiting tasks to a kthread pool.
 *
 * Load order builds the drain path before the hook goes live; unload takes
 * the hook away first and frees every held entry before anything goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>

#include "swapdrain.h"

static int __init sd_init(void)
{
	int ret;

	ret = sd_batch_init();
	if (ret)
		return ret;
	ret = sd_drain_init();
	if (ret)
		goto batch;
	ret = sd_pressure_init();
	if (ret)
		goto drain;
	ret = sd_stats_init();
	if (ret)
		goto pressure;
	sd_exitlat_init();
	ret = sd_hook_init();
	if (ret)
		goto stats;
	sd_params_set_live(true);
	pr_info("loaded: %u drain threads, batch_size %u, max_pending %u, %s\n",
		sd_drain_threads(), sd_batch_size, sd_max_pending,
		READ_ONCE(sd_enabled) ? "enabled" : "disabled");
	return 0;

stats:
	sd_exitlat_exit();
	sd_stats_exit();
pressure:
	sd_pressure_exit();
drain:
	sd_drain_exit();
batch:
	sd_batch_exit();
	return ret;
}

static void __exit sd_exit(void)
{
	sd_params_set_live(false);
	sd_stats_exit();	/* no reader of the threads' CPU time */
	sd_hook_exit();		/* no new entries, no hook call in flight */
	sd_pressure_exit();	/* no shrinker or swapoff kick any more */
	sd_drain_quiesce();	/* no urgent drain running */
	sd_batch_flush_all();	/* every partial batch onto a queue */
	sd_drain_exit();	/* threads stopped, queues emptied */
	sd_caller_exit();	/* nothing left to call the original for */
	sd_exitlat_exit();
	sd_batch_exit();
	pr_info("unloaded: %ld entries pending (must be 0)\n",
		sd_pending_entries());
}

module_init(sd_init);
module_exit(sd_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Defer exit-time swap frees to a kthread pool");
MODULE_VERSION("0.1");
