// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: the drain pool.
 *
 * Kernel threads, spread over the NUMA nodes that have CPUs and bound to
 * their node's CPUs, pop batches from their node's queue and free every
 * item by calling the original function (through sd_call_original()).
 * They run at drain_nice (default 19; or SCHED_IDLE with drain_idle) so
 * that exiting tasks and the foreground get the CPU first.  An urgent drain
 * (unload, swapoff, memory pressure, the age bound) runs in a workqueue at
 * normal priority instead.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <uapi/linux/sched/types.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/ktime.h>
#include <linux/topology.h>
#include <linux/nodemask.h>
#include <linux/workqueue.h>
#include <linux/smp.h>
#include <linux/sort.h>

#include "swapdrain.h"
#include "swapdrain_trace.h"

struct sd_drainer {
	struct task_struct *task;
	int node;
};

static struct sd_drainer *sd_drainers;
static unsigned int sd_nr_drainers;
static wait_queue_head_t *sd_wq;	/* one per node */

/*
 * Items arrive nearly sorted (a task's zap walks its addresses in order, and
 * swap slots were mostly handed out in order): an insertion sort is about
 * linear here, and makes no indirect call per comparison as sort() does.
 * Batches of more than SD_ISORT_MAX calls (batch_size goes up to 4096) use
 * sort(), whose worst case is not quadratic: the sort runs with preemption
 * off (sd_drain_take()).
 */
#define SD_ISORT_MAX	128

static int sd_cmp_items(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void sd_sort_items(u64 *v, unsigned int n)
{
	unsigned int i, j;
	u64 x;

	if (n > SD_ISORT_MAX) {
		sort(v, n, sizeof(*v), sd_cmp_items, NULL);
		return;
	}
	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Batches whose calls did not reach the original (see sd_claim()), retried
 * every second.  Their entries stay pending: never freed twice, never lost
 * while the module is loaded.
 */
static LLIST_HEAD(sd_parked);

static unsigned long sd_drain_batch(struct sd_batch *b, int node);

static void sd_retry_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&sd_parked);
	struct sd_batch *b, *tmp;

	llist_for_each_entry_safe(b, tmp, list, node)
		sd_drain_batch(b, b->home);
}

static DECLARE_DELAYED_WORK(sd_retry_work, sd_retry_fn);

/*
 * Claim items of a batch one at a time and free them, until none is left
 * or budget entries are freed.  Returns the entries freed.
 *
 * If the redirect into the original is missing (someone disarmed all
 * kprobes), sd_call_original()'s own body runs and counts itself on this
 * CPU: such an item is flagged and kept for a retry.  From the claim to
 * the count, the call cannot be preempted (compat.h): a starved drain
 * thread holds no claimed item while it waits for the CPU.
 */
static unsigned long sd_claim(struct sd_batch *b, int node,
			      unsigned long budget)
{
	unsigned long freed = 0, calls = 0;
	u64 t0 = ktime_get_ns(), ns, body, item;
	unsigned int i;
	int nr;

	while (freed < budget) {
		sd_drain_call_begin();	/* claimed means being freed */
		i = atomic_inc_return(&b->next) - 1;
		if (i >= b->count) {
			sd_drain_call_end();
			break;
		}
		item = b->items[i];
		nr = sd_item_nr(item);
		body = this_cpu_read(sd_stats.v[SD_STUB_BODY_CALLS]);
		sd_call_original(sd_item_entry(item), nr);
		if (unlikely(this_cpu_read(sd_stats.v[SD_STUB_BODY_CALLS]) != body))
			b->items[i] = item | SD_ITEM_KEPT;
		else
			nr = -nr;
		if (nr < 0) {
			sd_stat_add(SD_FREED_ENTRIES, -nr);
			freed -= nr;
			calls++;
		}
		sd_drain_call_end();
		/* one call can free 512 entries: let the foreground in often */
		cond_resched();
	}
	ns = ktime_get_ns() - t0;
	if (freed)
		sd_batch_freed(freed);
	sd_stat_add(SD_DRAIN_CALLS, calls);
	sd_stat_add(SD_DRAIN_NS, ns);
	if (calls)
		trace_swapdrain_drain_batch(node, calls, freed, ns);
	return freed;
}

/* The last claimer: recycle the batch, or park the items that were kept. */
static void sd_batch_put(struct sd_batch *b, int node)
{
	unsigned int i, kept = 0, kept_entries = 0;

	if (!atomic_dec_and_test(&b->users))
		return;
	sd_stat_add(SD_DRAIN_BATCHES, 1);
	for (i = 0; i < b->count; i++) {
		if (unlikely(b->items[i] & SD_ITEM_KEPT)) {
			b->items[kept++] = b->items[i] & ~SD_ITEM_KEPT;
			kept_entries += sd_item_nr(b->items[i]);
		}
	}
	if (likely(!kept)) {
		sd_pool_put(b);
		return;
	}
	b->count = kept;
	b->entries = kept_entries;
	llist_add(&b->node, &sd_parked);
	schedule_delayed_work(&sd_retry_work, HZ);
}

/*
 * Make a batch claimable: sort it by device and offset (so cluster locks
 * and zram slots stay cache-hot) and list it as active, so that idle drain
 * threads, the shrinker and urgent drains can claim items too.
 */
static void sd_drain_prepare(struct sd_batch *b, int node)
{
	sd_sort_items(b->items, b->count);
	atomic_set(&b->next, 0);
	atomic_set(&b->users, 1);
	if (b->count > 1) {
		sd_active_add(node, b);
		if (sd_wq)
			wake_up(&sd_wq[node]);	/* one idle thread may help */
	}
}

/*
 * Take node's oldest queued batch and make it claimable, or NULL.  From the
 * pop to the active list this cannot be preempted (compat.h): a batch is
 * always queued or listed until its items are claimed, so urgent drains,
 * the shrinker and the age bound reach it even when the thread that took
 * it gets no CPU (a starved drain thread would otherwise hold a whole
 * batch out of everyone's sight, and swapoff would wait for it).
 */
struct sd_batch *sd_drain_take(int node)
{
	struct sd_batch *b;

	sd_drain_call_begin();
	b = sd_queue_pop(node);
	if (b)
		sd_drain_prepare(b, node);
	sd_drain_call_end();
	return b;
}

/* Free the items of a taken batch until none is left; entries freed here. */
unsigned long sd_drain_run(struct sd_batch *b, int node)
{
	unsigned long freed = sd_claim(b, node, ULONG_MAX);

	if (b->count > 1)
		sd_active_del(node, b);
	sd_batch_put(b, node);
	return freed;
}

/* A parked batch, retried from sd_retry_fn(). */
static unsigned long sd_drain_batch(struct sd_batch *b, int node)
{
	sd_drain_prepare(b, node);
	return sd_drain_run(b, node);
}

/* Claim items of batches others are draining; returns entries freed. */
unsigned long sd_drain_help(int node, unsigned long budget)
{
	unsigned long freed = 0;
	struct sd_batch *b;

	while (freed < budget && (b = sd_active_get(node))) {
		freed += sd_claim(b, node, budget - freed);
		sd_batch_put(b, node);
	}
	return freed;
}

/* Empty one node's queue from the calling task; returns batches drained. */
unsigned long sd_drain_node(int node)
{
	unsigned long n = 0;
	struct sd_batch *b;

	while ((b = sd_drain_take(node))) {
		sd_drain_run(b, node);
		n++;
	}
	return n;
}

static int sd_drainer_fn(void *data)
{
	struct sd_drainer *d = data;
	wait_queue_head_t *wq = &sd_wq[d->node];
	struct sd_batch *b;

	while (!kthread_should_stop()) {
		if (sd_batch_drain_wait(d->node)) {
			sd_stat_add(SD_DRAIN_WAITS, 1);
			schedule_timeout_idle(1);
			continue;
		}
		b = sd_drain_take(d->node);
		if (b) {
			sd_drain_run(b, d->node);
			continue;
		}
		if (sd_drain_help(d->node, ULONG_MAX))
			continue;
		wait_event_interruptible_exclusive(*wq,
						   !sd_queue_empty(d->node) ||
						   sd_active_has_work(d->node) ||
						   kthread_should_stop());
	}
	return 0;
}

/* A node's queue went from empty to non-empty: wake one drainer. */
void sd_drain_kick(int node)
{
	wake_up(&sd_wq[node]);
}

/*
 * drain_fifo, drain_idle or drain_nice (the default) for one thread.
 * SCHED_IDLE, unlike nice 19, leaves a CPU that runs nothing else looking
 * idle to the scheduler: woken tasks are placed there, and it pulls
 * runnable tasks from busy CPUs at its next tick instead of after the
 * longer busy balance interval.  (It did not keep a nice-19 drain thread
 * from running alone on one vCPU while exits queued on the other, which
 * tests/diag-cpushare.sh showed: drain_wait_ms does, batch.c.)
 */
static void sd_apply_sched(struct task_struct *t)
{
	struct sched_attr idle = {
		.size		= sizeof(idle),
		.sched_policy	= SCHED_IDLE,
	};

	if (READ_ONCE(sd_drain_fifo)) {
		sched_set_fifo_low(t);
		return;
	}
	/* the nice value first: it shows, and is kept, under SCHED_IDLE */
	sched_set_normal(t, READ_ONCE(sd_drain_nice));
	if (READ_ONCE(sd_drain_idle) && sched_setattr_nocheck(t, &idle))
		pr_warn_once("cannot make the drain threads SCHED_IDLE: they run at nice %d\n",
			     READ_ONCE(sd_drain_nice));
}

/* drain_cpus (when it has CPUs of the thread's node) or the node's CPUs. */
static void sd_apply_affinity(struct sd_drainer *d)
{
	const struct cpumask *node = cpumask_of_node(d->node);
	cpumask_var_t mask;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	if (cpumask_empty(&sd_drain_cpus))
		cpumask_copy(mask, node);
	else if (!cpumask_and(mask, node, &sd_drain_cpus))
		cpumask_copy(mask, &sd_drain_cpus);
	set_cpus_allowed_ptr(d->task, mask);
	free_cpumask_var(mask);
}

void sd_drain_apply_sched(void)
{
	unsigned int i;

	for (i = 0; i < sd_nr_drainers; i++)
		sd_apply_sched(sd_drainers[i].task);
}

void sd_drain_apply_affinity(void)
{
	unsigned int i;

	for (i = 0; i < sd_nr_drainers; i++)
		sd_apply_affinity(&sd_drainers[i]);
}

/*
 * Urgent drain (swapoff, swap nearly full): queue every CPU's partial
 * batch and empty all queues from a normal-priority worker, so neither a
 * low drain priority nor a busy CPU delays it.
 */
static void sd_urgent_fn(struct work_struct *work)
{
	int nid;

	sd_stat_add(SD_URGENT_DRAINS, 1);
	on_each_cpu(sd_batch_flush_local, NULL, 1);
	for_each_node(nid) {
		sd_drain_node(nid);
		sd_drain_help(nid, ULONG_MAX);
	}
}

static DECLARE_WORK(sd_urgent_work, sd_urgent_fn);

static bool sd_urgent_off;

/*
 * The drain threads run at nice 19 and may get no CPU under load, holding
 * memory (Morton's objection).  While entries are pending, this watch
 * checks every max_delay_ms/2; once a node's oldest batch is older than
 * max_delay_ms it drains everything from a normal-priority worker.  (The
 * hook also stops deferring then, see sd_queue_too_old().)
 */
static void sd_age_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(sd_age_work, sd_age_fn);

static unsigned long sd_age_period(void)
{
	return max(1UL, msecs_to_jiffies(READ_ONCE(sd_max_delay_ms)) / 2);
}

static void sd_age_fn(struct work_struct *work)
{
	int nid;

	for_each_node_state(nid, N_CPU) {
		if (sd_queue_too_old(nid)) {
			sd_stat_add(SD_AGE_DRAINS, 1);
			sd_urgent_fn(NULL);
			break;
		}
	}
	if (sd_pending_entries() > 0 && READ_ONCE(sd_max_delay_ms) &&
	    !READ_ONCE(sd_urgent_off))
		queue_delayed_work(system_unbound_wq, &sd_age_work,
				   sd_age_period());
}

/* A batch was queued (any context but NMI): make sure the watch runs. */
void sd_drain_watch(void)
{
	if (!READ_ONCE(sd_urgent_off) && READ_ONCE(sd_max_delay_ms) &&
	    !delayed_work_pending(&sd_age_work))
		queue_delayed_work(system_unbound_wq, &sd_age_work,
				   sd_age_period());
}

/* Any context but NMI. */
void sd_drain_urgent(void)
{
	if (!READ_ONCE(sd_urgent_off))
		queue_work(system_unbound_wq, &sd_urgent_work);
}

/*
 * Unload, with the hook and the pressure triggers gone: no urgent drain may
 * run while sd_batch_flush_all() takes the per-CPU batches.
 */
void sd_drain_quiesce(void)
{
	WRITE_ONCE(sd_urgent_off, true);
	cancel_delayed_work_sync(&sd_age_work);
	cancel_work_sync(&sd_urgent_work);
}

unsigned int sd_drain_threads(void)
{
	return sd_nr_drainers;
}

u64 sd_drain_cpu_ns(void)
{
	u64 ns = 0;
	unsigned int i;

	for (i = 0; i < sd_nr_drainers; i++)
		if (sd_drainers[i].task)
			ns += READ_ONCE(sd_drainers[i].task->se.sum_exec_runtime);
	return ns;
}

/*
 * Threads per node: nr_threads spread over the nodes, or by default one.
 * Measured (make bench): every free of one swap device takes its si->lock,
 * so more threads on one device spin on that lock and burn CPU (2 threads
 * on 2 vCPUs: 2.4x the drain CPU time of 1, and slower).  Extra threads
 * help only with several swap devices; they also claim calls of batches
 * others are draining.
 */
static unsigned int sd_threads_for(int node, unsigned int nodes)
{
	if (sd_nr_threads)
		return max(1U, DIV_ROUND_UP(sd_nr_threads, nodes));
	return 1;
}

static void sd_stop_threads(void)
{
	unsigned int i;

	for (i = 0; i < sd_nr_drainers; i++)
		if (sd_drainers[i].task)
			kthread_stop(sd_drainers[i].task);
}

int sd_drain_init(void)
{
	unsigned int nodes = num_node_state(N_CPU), total = 0, k, i = 0;
	struct task_struct *t;
	int nid, ret;

	WRITE_ONCE(sd_urgent_off, false);
	sd_wq = kcalloc(nr_node_ids, sizeof(*sd_wq), GFP_KERNEL);
	if (!sd_wq)
		return -ENOMEM;
	for (nid = 0; nid < nr_node_ids; nid++)
		init_waitqueue_head(&sd_wq[nid]);

	for_each_node_state(nid, N_CPU)
		total += sd_threads_for(nid, nodes);
	sd_drainers = kcalloc(total, sizeof(*sd_drainers), GFP_KERNEL);
	if (!sd_drainers) {
		ret = -ENOMEM;
		goto err;
	}

	for_each_node_state(nid, N_CPU) {
		for (k = 0; k < sd_threads_for(nid, nodes); k++, i++) {
			sd_drainers[i].node = nid;
			t = kthread_create_on_node(sd_drainer_fn, &sd_drainers[i],
						   nid, "swapdrain/%d:%u", nid, k);
			if (IS_ERR(t)) {
				ret = PTR_ERR(t);
				pr_err("cannot start drain thread %d:%u (%d)\n",
				       nid, k, ret);
				goto err;
			}
			sd_drainers[i].task = t;
			sd_nr_drainers = i + 1;
			sd_apply_affinity(&sd_drainers[i]);
			sd_apply_sched(t);
			wake_up_process(t);
		}
	}
	return 0;

err:
	sd_stop_threads();
	kfree(sd_drainers);
	sd_drainers = NULL;
	sd_nr_drainers = 0;
	kfree(sd_wq);
	sd_wq = NULL;
	return ret;
}

/*
 * Unload with batches still parked: the original cannot be reached, so
 * their entries can only be leaked (a double free is the one thing worse).
 */
static void sd_leak_parked(void)
{
	struct llist_node *list = llist_del_all(&sd_parked);
	struct sd_batch *b, *tmp;
	unsigned long n = 0;

	llist_for_each_entry_safe(b, tmp, list, node) {
		n += b->entries;
		sd_pool_put(b);
	}
	if (n) {
		pr_err("unload: %lu swap entries could not be freed (drain redirect missing: kprobes disarmed?) and are leaked\n",
		       n);
		sd_batch_freed(n);	/* not held any more: lost */
	}
}

/*
 * Unload, with the hook gone and every per-CPU batch queued: stop the
 * threads (each finishes the batch it holds), then free what is left from
 * here.  Nothing queued is dropped.
 */
void sd_drain_exit(void)
{
	unsigned long n = 0;
	int nid;

	sd_drain_quiesce();
	sd_stop_threads();
	for_each_node(nid)
		n += sd_drain_node(nid);
	pr_debug("unload drained %lu batches\n", n);
	cancel_delayed_work_sync(&sd_retry_work);
	sd_retry_fn(NULL);			/* a last try; may park again */
	cancel_delayed_work_sync(&sd_retry_work);
	sd_leak_parked();
	kfree(sd_drainers);
	sd_drainers = NULL;
	sd_nr_drainers = 0;
	kfree(sd_wq);
	sd_wq = NULL;
}
