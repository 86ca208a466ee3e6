/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapdrain: how the pieces connect.
 *
 *   hook.c    picks a backend and decides per call whether to defer;
 *             hook_ftrace.c / hook_kprobe.c hook the swap-free function
 *             and call the original for the drainers
 *   batch.c   per-CPU batches, the preallocated batch pool, the per-node
 *             drain queues and the flush timer for partial batches
 *   drain.c   the kthread pool that empties the queues, and urgent drains
 *   pressure.c  shrinker and swapoff: drain at once when memory is short
 *   exitlat.c exit_mmap() duration histogram, deferral on and off, and
 *             the count of exit_mmap() calls under way (the drain waits)
 *   stats.c   per-CPU counters, debugfs and sysfs views; trace.c tracepoints
 *   params.c  module parameters and their validation
 *   main.c    load and unload order
 */
#ifndef _SWAPDRAIN_H
#define _SWAPDRAIN_H

#include <linux/types.h>
#include <linux/llist.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/sched.h>

#include "compat.h"

#define SD_NAME "swapdrain"

/*
 * One deferred call, a run of nr consecutive entries of one device, packed
 * in 64 bits: a flag the drain uses (1 bit), swap type (5 bits), offset (44
 * bits), nr - 1 (14 bits).  In that order, sorting items sorts by device
 * and offset.  A call that does not fit (an offset beyond 64 PiB of swap)
 * runs synchronously.
 */
#define SD_NR_BITS	14
#define SD_OFF_BITS	44
#define SD_TYPE_SHIFT	(SD_NR_BITS + SD_OFF_BITS)
#define SD_ITEM_KEPT	BIT_ULL(63)	/* drain: the call missed the original */

static inline bool sd_item_pack(swp_entry_t e, int nr, u64 *item)
{
	unsigned long off = swp_offset(e);
	unsigned int type = swp_type(e);

	if (nr < 1 || nr > (1 << SD_NR_BITS) || off >> SD_OFF_BITS ||
	    type >> (63 - SD_TYPE_SHIFT))
		return false;
	*item = (u64)type << SD_TYPE_SHIFT | (u64)off << SD_NR_BITS | (nr - 1);
	return true;
}

static inline swp_entry_t sd_item_entry(u64 item)
{
	return swp_entry((item & ~SD_ITEM_KEPT) >> SD_TYPE_SHIFT,
			 (item >> SD_NR_BITS) & GENMASK_ULL(SD_OFF_BITS - 1, 0));
}

static inline int sd_item_nr(u64 item)
{
	return (item & GENMASK_ULL(SD_NR_BITS - 1, 0)) + 1;
}

/*
 * A batch goes: pool -> a CPU (the hook fills it) -> its node's queue -> a
 * drain (the task that popped it sorts it, lists it as active and frees its
 * items; other drain threads, the shrinker and urgent drains may claim
 * items of an active batch too) -> the pool.
 */
struct sd_batch {
	struct llist_node node;	/* in the pool, a queue, or parked */
	struct list_head active; /* on its node's active list while drained */
	unsigned long stamp;	/* jiffies when the first item went in */
	unsigned int count;	/* items used */
	unsigned int entries;	/* sum of the items' nr */
	int home;		/* node whose pool it returns to */
	atomic_t next;		/* drain: the next item to claim */
	atomic_t users;		/* drain: claimers; the last one recycles */
	u64 items[];
};

/* params.c: current values; the validated setters keep them in range. */
extern bool sd_enabled;
extern unsigned int sd_nr_threads;
extern unsigned int sd_batch_size;
extern unsigned int sd_max_pending;
extern int sd_drain_nice;
extern unsigned int sd_flush_ms;
extern unsigned int sd_swap_low_pct;
extern unsigned int sd_max_delay_ms;
extern unsigned int sd_drain_wait_ms;
extern bool sd_drain_fifo;
extern bool sd_drain_idle;
extern struct cpumask sd_drain_cpus;

/* stats.c */
enum sd_stat {
	SD_DEFERRED_CALLS,
	SD_DEFERRED_ENTRIES,
	SD_PASSTHROUGH_CALLS,
	SD_FALLBACK_FULL,
	SD_FALLBACK_BOUND,
	SD_FALLBACK_AGE,
	SD_FALLBACK_SWAP_LOW,
	SD_FALLBACK_SWAPOFF,
	SD_FREED_ENTRIES,
	SD_DRAIN_BATCHES,
	SD_DRAIN_CALLS,
	SD_DRAIN_NS,
	SD_ORIG_CALLS,
	SD_STUB_BODY_CALLS,
	SD_URGENT_DRAINS,
	SD_AGE_DRAINS,
	SD_SHRINKER_SCANS,
	SD_SHRINKER_FREED,
	SD_DRAIN_WAITS,
	SD_NR_STATS
};

struct sd_stats {
	u64 v[SD_NR_STATS];
};

DECLARE_PER_CPU(struct sd_stats, sd_stats);

static __always_inline void sd_stat_add(enum sd_stat i, u64 n)
{
	this_cpu_add(sd_stats.v[i], n);
}

/* Entries taken by the hook and not yet freed. */
long sd_pending_entries(void);
extern unsigned long sd_peak_pending;	/* with unspent per-CPU credit */

int sd_stats_init(void);
void sd_stats_exit(void);

/* hook.c: backend choice and the per-call decision */
int sd_hook_init(void);
void sd_hook_exit(void);		/* unhook; waits for in-flight calls */
void sd_caller_exit(void);		/* last: the drain path goes away */
void sd_call_original(swp_entry_t entry, int nr);
const char *sd_hook_backend(void);	/* "ftrace", "kprobe" or "none" */
bool sd_hook_defer(swp_entry_t entry, int nr, bool task_ctx);

/* hook_ftrace.c, hook_kprobe.c: one backend each */
struct sd_backend {
	const char *name;
	const char *missing;	/* NULL, or the kernel option it lacks */
	int (*init)(void);	/* both redirects live, or an error */
	void (*unhook)(void);	/* target hook off, no call in flight */
	void (*caller_exit)(void);	/* drain redirect off */
};

extern const struct sd_backend sd_ftrace_backend;
extern const struct sd_backend sd_kprobe_backend;

/* batch.c */
int sd_batch_init(void);
void sd_batch_exit(void);
bool sd_batch_add(swp_entry_t entry, int nr);
void sd_batch_freed(unsigned long entries);	/* the drain freed them */
void sd_batch_recheck(void);		/* credit back, checks again */
void sd_batch_flush_all(void);		/* only with the hook gone */
void sd_batch_flush_local(void *unused);	/* IPI: this CPU's batch */
struct sd_batch *sd_queue_pop(int node);
bool sd_queue_empty(int node);
void sd_active_add(int node, struct sd_batch *b);
void sd_active_del(int node, struct sd_batch *b);
struct sd_batch *sd_active_get(int node);
bool sd_active_has_work(int node);
bool sd_queue_too_old(int node);
bool sd_batch_drain_wait(int node);
void sd_pool_put(struct sd_batch *b);
unsigned long sd_flush_jiffies(void);
unsigned int sd_batch_pool_size(void);

/* drain.c */
int sd_drain_init(void);
void sd_drain_exit(void);
void sd_drain_kick(int node);
struct sd_batch *sd_drain_take(int node);	/* popped and listed */
unsigned long sd_drain_run(struct sd_batch *b, int node);
unsigned long sd_drain_help(int node, unsigned long budget);
unsigned long sd_drain_node(int node);
void sd_drain_apply_sched(void);
void sd_drain_apply_affinity(void);
void sd_drain_urgent(void);
void sd_drain_quiesce(void);
void sd_drain_watch(void);
unsigned int sd_drain_threads(void);
u64 sd_drain_cpu_ns(void);

/* pressure.c */
int sd_pressure_init(void);
void sd_pressure_exit(void);
bool sd_swapoff_running(void);
unsigned long sd_swap_total(void);

/*
 * Is the current task a process in exit, past exit_mm()?  Its swap frees
 * are the ones deferred (hook.c), and its exit_mmap() the one the drain
 * waits for (exitlat.c): not exec's release of the old mm, nor an
 * mmput_async() worker's.
 */
static __always_inline bool sd_current_exiting(void)
{
	return (current->flags & PF_EXITING) && !current->mm;
}

/* exitlat.c */
int sd_exitlat_init(void);
void sd_exitlat_exit(void);
int sd_exitlat_show(char *buf, size_t size);
bool sd_exits_running(void);

/* params.c */
bool sd_params_live(void);
void sd_params_set_live(bool live);

#endif /* _SWAPDRAIN_H */
