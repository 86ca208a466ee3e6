// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: per-CPU batches, the batch pool and the per-node drain queues.
 *
 * The hook appends to its CPU's current batch with interrupts off: the only
 * other user of a CPU's batch is that CPU's flush timer (softirq), so no
 * lock and no atomic is needed for the append.  A full batch goes to its
 * node's queue with llist_add() (lock-free, many producers).  A partial
 * batch is handed off by the flush timer flush_ms after its first item, so
 * nothing sits in a per-CPU batch for long after the last exit.
 *
 * Batches come from a pool allocated at load; the hook never allocates.
 * When the pool is empty the hook lets the original run (fallback_full).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/cpumask.h>
#include <linux/nodemask.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/jiffies.h>
#include <linux/topology.h>
#include <linux/irq_work.h>
#include <linux/hardirq.h>

#include "swapdrain.h"
#include "swapdrain_trace.h"

struct sd_node {
	/* pool of free batches: any context pushes, pops under pool_lock */
	struct llist_head pool;
	raw_spinlock_t pool_lock;	/* serialises llist_del_first() */
	/* drain queue: the hook pushes, drainers pop under queue_lock */
	struct llist_head inbox;
	spinlock_t queue_lock;		/* drainers' side of inbox, fifo */
	struct llist_node *fifo;	/* oldest first, under queue_lock */
	struct list_head active;	/* batches being drained, queue_lock */
	unsigned long active_stamp;	/* oldest of them, 0: none */
	unsigned long head_stamp;	/* stamp of the oldest queued, 0: none */
};

struct sd_cpu {
	struct sd_batch *cur;
	long credit;		/* entries this CPU may still take */
	int gen;		/* sd_credit_gen the credit was taken under */
	struct timer_list timer;
	struct irq_work kick;	/* the hook's wake-ups when it runs in NMI */
	bool urgent;		/* ... and its urgent-drain request */
	int cpu;
	int node;
};

static DEFINE_PER_CPU(struct sd_cpu, sd_cpu);
static struct sd_node *sd_nodes[MAX_NUMNODES];
static unsigned int sd_pool_batches;

/*
 * max_pending, without a shared cache line per call: a CPU reserves
 * entries in chunks of SD_CREDIT from sd_reserved and spends them one call
 * at a time with interrupts off; the drain returns them once per run of
 * freed calls.  sd_reserved = entries held + credit not yet spent, and it
 * never exceeds max_pending, so max_pending stays a hard bound.  Credit
 * goes back when a CPU's partial batch is flushed, when a fallback
 * condition holds, and when sd_credit_gen moves (a parameter changed, a
 * swapoff began): the checks below then run again on every CPU.
 */
#define SD_CREDIT	1024
static atomic_long_t sd_reserved = ATOMIC_LONG_INIT(0);
static atomic_t sd_credit_gen = ATOMIC_INIT(0);
unsigned long sd_peak_pending;	/* of sd_reserved: an upper bound */

unsigned long sd_flush_jiffies(void)
{
	return max(1UL, msecs_to_jiffies(READ_ONCE(sd_flush_ms)));
}

static struct sd_batch *sd_pool_get(int node)
{
	struct llist_node *n = NULL;
	struct sd_node *sn;
	int i, nid = node;

	/* Our own node first, then any other. */
	for (i = 0; i < nr_node_ids && !n; i++, nid = (nid + 1) % nr_node_ids) {
		sn = sd_nodes[nid];
		if (!sn || llist_empty(&sn->pool))
			continue;
		raw_spin_lock(&sn->pool_lock);
		n = llist_del_first(&sn->pool);
		raw_spin_unlock(&sn->pool_lock);
	}
	return n ? llist_entry(n, struct sd_batch, node) : NULL;
}

void sd_pool_put(struct sd_batch *b)
{
	llist_add(&b->node, &sd_nodes[b->home]->pool);
}

/*
 * The kprobe backend's handler runs in NMI context when its probe is an
 * x86 int3: timers, wake-ups and work items are not to be touched there.
 * The hook then leaves them to this CPU's irq_work.
 */
static void sd_kick_fn(struct irq_work *w)
{
	struct sd_cpu *sc = container_of(w, struct sd_cpu, kick);
	int nid;

	if (sc->cur && !timer_pending(&sc->timer))
		mod_timer(&sc->timer, sc->cur->stamp + sd_flush_jiffies());
	for_each_node_state(nid, N_CPU)
		if (!sd_queue_empty(nid))
			sd_drain_kick(nid);
	sd_drain_watch();
	if (READ_ONCE(sc->urgent)) {
		WRITE_ONCE(sc->urgent, false);
		sd_drain_urgent();
	}
}

static void sd_queue_push(int node, struct sd_batch *b)
{
	struct sd_node *sn = sd_nodes[node];

	if (!READ_ONCE(sn->head_stamp))
		WRITE_ONCE(sn->head_stamp, b->stamp | 1);
	trace_swapdrain_queue(node, b->count, b->entries);
	if (llist_add(&b->node, &sn->inbox)) {
		if (unlikely(in_nmi())) {
			irq_work_queue(this_cpu_ptr(&sd_cpu.kick));
		} else {
			sd_drain_kick(node);
			sd_drain_watch();
		}
	}
}

static void sd_urgent_from_hook(void)
{
	if (unlikely(in_nmi())) {
		this_cpu_write(sd_cpu.urgent, true);
		irq_work_queue(this_cpu_ptr(&sd_cpu.kick));
	} else {
		sd_drain_urgent();
	}
}

/* Oldest batch of a node's queue, or NULL.  Drainers and urgent drains. */
struct sd_batch *sd_queue_pop(int node)
{
	struct sd_node *sn = sd_nodes[node];
	struct llist_node *n;

	spin_lock(&sn->queue_lock);
	if (!sn->fifo)
		sn->fifo = llist_reverse_order(llist_del_all(&sn->inbox));
	n = sn->fifo;
	if (n)
		sn->fifo = n->next;
	if (!sn->fifo)
		sn->fifo = llist_reverse_order(llist_del_all(&sn->inbox));
	/* The age bound looks at the oldest batch still waiting. */
	WRITE_ONCE(sn->head_stamp, sn->fifo ?
		   llist_entry(sn->fifo, struct sd_batch, node)->stamp | 1 : 0);
	spin_unlock(&sn->queue_lock);
	return n ? llist_entry(n, struct sd_batch, node) : NULL;
}

/* A drain lists the batch it frees, so that others can claim items. */
void sd_active_add(int node, struct sd_batch *b)
{
	struct sd_node *sn = sd_nodes[node];

	spin_lock(&sn->queue_lock);
	list_add_tail(&b->active, &sn->active);
	if (!sn->active_stamp || time_before(b->stamp, sn->active_stamp))
		WRITE_ONCE(sn->active_stamp, b->stamp | 1);
	spin_unlock(&sn->queue_lock);
}

void sd_active_del(int node, struct sd_batch *b)
{
	struct sd_node *sn = sd_nodes[node];

	struct sd_batch *a;
	unsigned long oldest = 0;

	spin_lock(&sn->queue_lock);
	list_del(&b->active);
	list_for_each_entry(a, &sn->active, active)
		if (!oldest || time_before(a->stamp, oldest))
			oldest = a->stamp | 1;
	WRITE_ONCE(sn->active_stamp, oldest);
	spin_unlock(&sn->queue_lock);
}

static bool sd_batch_unclaimed(struct sd_batch *b)
{
	return atomic_read(&b->next) < (int)b->count;
}

/* An active batch with items left to claim, with a reference, or NULL. */
struct sd_batch *sd_active_get(int node)
{
	struct sd_node *sn = sd_nodes[node];
	struct sd_batch *b, *found = NULL;

	spin_lock(&sn->queue_lock);
	list_for_each_entry(b, &sn->active, active) {
		if (sd_batch_unclaimed(b)) {
			atomic_inc(&b->users);
			found = b;
			break;
		}
	}
	spin_unlock(&sn->queue_lock);
	return found;
}

bool sd_active_has_work(int node)
{
	struct sd_node *sn = sd_nodes[node];
	struct sd_batch *b;
	bool work = false;

	spin_lock(&sn->queue_lock);
	list_for_each_entry(b, &sn->active, active)
		work = work || sd_batch_unclaimed(b);
	spin_unlock(&sn->queue_lock);
	return work;
}

bool sd_queue_empty(int node)
{
	struct sd_node *sn = sd_nodes[node];

	return !READ_ONCE(sn->fifo) && llist_empty(&sn->inbox);
}

/*
 * Has this CPU's node had a batch waiting, or being drained, for longer
 * than max_delay_ms?  Either means the drain does not keep up (starved
 * drain threads): exits then free synchronously.
 */
bool sd_queue_too_old(int node)
{
	unsigned long head = READ_ONCE(sd_nodes[node]->head_stamp);
	unsigned long act = READ_ONCE(sd_nodes[node]->active_stamp);
	unsigned int max_ms = READ_ONCE(sd_max_delay_ms);

	if (!max_ms)
		return false;
	if (!head || (act && time_before(act, head)))
		head = act;
	return head && time_after(jiffies, head + msecs_to_jiffies(max_ms));
}

/*
 * Should node's drain threads wait a jiffy before they take a batch?  A
 * drain thread that runs while processes exit keeps a CPU busy that would
 * otherwise go idle and pull the exiting tasks queued on the other CPUs
 * (the scheduler's newly-idle balance; the periodic one does not move
 * them, at nice 19 or SCHED_IDLE alike: their load is what PELT left of it
 * while they slept).  Seen in tests/diag-cpushare.sh: the drain thread ran
 * alone on one vCPU for half of a storm while the last exits queued on the
 * other.  So while exit_mmap() runs anywhere, the drain waits, one jiffy
 * at a time, for at most drain_wait_ms after the node's oldest queued
 * batch, and never so long that max_pending or the age bound could come
 * near.
 */
bool sd_batch_drain_wait(int node)
{
	unsigned long head = READ_ONCE(sd_nodes[node]->head_stamp);
	unsigned int wait_ms = READ_ONCE(sd_drain_wait_ms);
	unsigned int max_ms = READ_ONCE(sd_max_delay_ms);

	if (!wait_ms || !head || !sd_exits_running() ||
	    atomic_long_read(&sd_reserved) > READ_ONCE(sd_max_pending) / 2)
		return false;
	if (max_ms)
		wait_ms = min(wait_ms, max_ms / 2);
	return time_before(jiffies, head + msecs_to_jiffies(wait_ms));
}

/* Free swap below swap_low_pct of all swap (pressure.c keeps the total). */
static bool sd_swap_low(void)
{
	long free = get_nr_swap_pages();
	unsigned long total = max_t(long, sd_swap_total(), free);

	return (u64)free * 100 < (u64)total * READ_ONCE(sd_swap_low_pct);
}

static bool sd_fallback(enum sd_stat why, int nr)
{
	sd_stat_add(why, 1);
	trace_swapdrain_fallback(why, nr);
	return false;
}

static void sd_note_peak(long reserved)
{
	if (reserved > (long)READ_ONCE(sd_peak_pending))
		WRITE_ONCE(sd_peak_pending, reserved);
}

/* Give this CPU's unspent credit back (interrupts off, or its CPU gone). */
static void sd_credit_put(struct sd_cpu *sc)
{
	if (sc->credit) {
		atomic_long_sub(sc->credit, &sd_reserved);
		sc->credit = 0;
	}
}

/* Every CPU gives its credit back and checks the fallbacks again. */
void sd_batch_recheck(void)
{
	atomic_inc(&sd_credit_gen);
}

/* Entries the drain freed: their reservation is free again. */
void sd_batch_freed(unsigned long entries)
{
	atomic_long_sub(entries, &sd_reserved);
}

/* Reserve at least nr entries for this CPU; false beyond max_pending. */
static bool sd_credit_get(struct sd_cpu *sc, int nr)
{
	long need = nr - sc->credit, take = max_t(long, need, SD_CREDIT);
	long max = READ_ONCE(sd_max_pending), r;

	r = atomic_long_add_return(take, &sd_reserved);
	if (r > max && take > need) {
		/* Near the bound: only what this call needs. */
		atomic_long_sub(take - need, &sd_reserved);
		r -= take - need;
		take = need;
	}
	if (r > max) {
		atomic_long_sub(take, &sd_reserved);
		return false;
	}
	sc->credit += take;
	sd_note_peak(r);
	return true;
}

/*
 * The hook's slow path, interrupts off: no batch, not enough credit, or
 * sd_credit_gen moved.  Runs the checks that need shared state, so they
 * run at least once per batch and per SD_CREDIT entries.  Returns the
 * fallback reason, or SD_NR_STATS when the call can be taken.  After a
 * fallback the caller gives the credit back, so the next call comes here
 * again for as long as the reason holds.
 */
static enum sd_stat sd_batch_refill(struct sd_cpu *sc, int nr)
{
	int gen = atomic_read(&sd_credit_gen);
	struct sd_batch *b;

	if (unlikely(sc->gen != gen)) {
		sd_credit_put(sc);
		sc->gen = gen;
	}
	if (sd_swap_low()) {
		sd_urgent_from_hook();
		return SD_FALLBACK_SWAP_LOW;
	}
	if (sd_swapoff_running())
		return SD_FALLBACK_SWAPOFF;
	if (sd_queue_too_old(sc->node))
		return SD_FALLBACK_AGE;
	if (sc->credit < nr && !sd_credit_get(sc, nr))
		return SD_FALLBACK_BOUND;
	if (!sc->cur) {
		b = sd_pool_get(sc->node);
		if (unlikely(!b))
			return SD_FALLBACK_FULL;
		b->count = 0;
		b->entries = 0;
		b->stamp = jiffies;
		sc->cur = b;
		if (unlikely(in_nmi()))
			irq_work_queue(&sc->kick);
		else if (!timer_pending(&sc->timer))
			mod_timer(&sc->timer, b->stamp + sd_flush_jiffies());
	}
	return SD_NR_STATS;
}

/*
 * Called from the hook: take (entry, nr) or return false to run it now.
 * The fast path touches only this CPU's data: its batch, its credit and
 * its counters.
 */
bool sd_batch_add(swp_entry_t entry, int nr)
{
	enum sd_stat why;
	struct sd_batch *b;
	struct sd_cpu *sc;
	unsigned long flags;
	u64 item;

	if (unlikely(!sd_item_pack(entry, nr, &item)))
		return sd_fallback(SD_FALLBACK_FULL, nr);

	local_irq_save(flags);
	sc = this_cpu_ptr(&sd_cpu);
	if (unlikely(!sc->cur || sc->credit < nr ||
		     sc->gen != atomic_read(&sd_credit_gen))) {
		why = sd_batch_refill(sc, nr);
		if (why != SD_NR_STATS) {
			sd_credit_put(sc);
			local_irq_restore(flags);
			return sd_fallback(why, nr);
		}
	}
	b = sc->cur;
	sc->credit -= nr;
	b->items[b->count++] = item;
	b->entries += nr;
	__this_cpu_add(sd_stats.v[SD_DEFERRED_CALLS], 1);
	__this_cpu_add(sd_stats.v[SD_DEFERRED_ENTRIES], nr);
	if (b->count == sd_batch_size) {
		sc->cur = NULL;
		sd_queue_push(sc->node, b);
	}
	local_irq_restore(flags);

	trace_swapdrain_defer(entry.val, nr);
	return true;
}

/* Hand a CPU's partial batch to the queue once it is flush_ms old. */
static void sd_flush_timer(struct timer_list *t)
{
	struct sd_cpu *sc = sd_timer_owner(sc, t, timer);
	unsigned long flags, due;
	struct sd_batch *b;

	local_irq_save(flags);
	/*
	 * A timer of an offlined CPU migrates: that CPU runs no hook any
	 * more, so its batch can be taken from here.  Otherwise we run on
	 * the batch's own CPU, where the hook runs with interrupts off.
	 */
	b = sc->cur;
	if (b) {
		due = b->stamp + sd_flush_jiffies();
		if (time_before(jiffies, due) && cpu_online(sc->cpu)) {
			mod_timer(t, due);
			goto out;
		}
		sc->cur = NULL;
		sd_queue_push(sc->node, b);
	}
	sd_credit_put(sc);	/* no deferral here for flush_ms */
out:
	local_irq_restore(flags);
}

/* Urgent drain, on each CPU with interrupts off: queue the partial batch. */
void sd_batch_flush_local(void *unused)
{
	struct sd_cpu *sc = this_cpu_ptr(&sd_cpu);
	struct sd_batch *b = sc->cur;

	if (b) {
		sc->cur = NULL;
		sd_queue_push(sc->node, b);
	}
	sd_credit_put(sc);
}

/* Unload: the hook is gone, so every CPU's batch can be taken. */
void sd_batch_flush_all(void)
{
	struct sd_cpu *sc;
	struct sd_batch *b;
	int cpu;

	for_each_possible_cpu(cpu) {
		sc = per_cpu_ptr(&sd_cpu, cpu);
		irq_work_sync(&sc->kick);
		timer_delete_sync(&sc->timer);
		b = xchg(&sc->cur, NULL);
		if (b)
			sd_queue_push(sc->node, b);
		sd_credit_put(sc);
	}
}

static void sd_pool_free(void)
{
	struct sd_batch *b, *tmp;
	struct llist_node *list;
	int nid;

	for (nid = 0; nid < nr_node_ids; nid++) {
		if (!sd_nodes[nid])
			continue;
		list = llist_del_all(&sd_nodes[nid]->pool);
		llist_for_each_entry_safe(b, tmp, list, node)
			kfree(b);
		kfree(sd_nodes[nid]);
		sd_nodes[nid] = NULL;
	}
}

/*
 * The pool holds two batches per CPU plus one item per max_pending entry,
 * so that max_pending is reachable even when every call frees one entry
 * (scattered swap).  8 bytes an item: 2 MiB for the default.  Raising
 * max_pending at runtime beyond its load-time value is bounded by the pool
 * (calls then run synchronously, counted as fallback_full).
 */
int sd_batch_init(void)
{
	unsigned int i, per_node, nodes = 0;
	struct sd_batch *b = NULL;
	struct sd_cpu *sc;
	int nid, cpu;
	size_t size = struct_size(b, items, sd_batch_size);

	for_each_node(nid) {
		sd_nodes[nid] = kzalloc_node(sizeof(*sd_nodes[nid]),
					     GFP_KERNEL, nid);
		if (!sd_nodes[nid])
			goto nomem;
		raw_spin_lock_init(&sd_nodes[nid]->pool_lock);
		spin_lock_init(&sd_nodes[nid]->queue_lock);
		INIT_LIST_HEAD(&sd_nodes[nid]->active);
		if (node_state(nid, N_CPU))
			nodes++;
	}

	sd_pool_batches = 2 * num_possible_cpus() +
			  DIV_ROUND_UP(sd_max_pending, sd_batch_size);
	per_node = DIV_ROUND_UP(sd_pool_batches, max(nodes, 1U));
	for_each_node_state(nid, N_CPU) {
		for (i = 0; i < per_node; i++) {
			b = kmalloc_node(size, GFP_KERNEL, nid);
			if (!b)
				goto nomem;
			b->home = nid;
			llist_add(&b->node, &sd_nodes[nid]->pool);
		}
	}

	for_each_possible_cpu(cpu) {
		sc = per_cpu_ptr(&sd_cpu, cpu);
		sc->cur = NULL;
		sc->credit = 0;
		sc->gen = 0;
		sc->cpu = cpu;
		sc->node = cpu_to_node(cpu);
		if (!node_state(sc->node, N_CPU))
			sc->node = first_node(node_states[N_CPU]);
		timer_setup(&sc->timer, sd_flush_timer, TIMER_PINNED);
		init_irq_work(&sc->kick, sd_kick_fn);
		sc->urgent = false;
	}
	atomic_long_set(&sd_reserved, 0);
	atomic_set(&sd_credit_gen, 0);
	pr_debug("pool: %u batches of %u items\n", sd_pool_batches,
		 sd_batch_size);
	return 0;

nomem:
	pr_err("cannot allocate the batch pool (%u batches of %zu bytes)\n",
	       sd_pool_batches, size);
	sd_pool_free();
	return -ENOMEM;
}

void sd_batch_exit(void)
{
	long r = atomic_long_read(&sd_reserved);

	/* Every entry freed (or reported leaked), every credit returned. */
	WARN_ONCE(r, "swapdrain: %ld swap entries still reserved at unload\n", r);
	sd_pool_free();
}

/* For the stats file. */
unsigned int sd_batch_pool_size(void)
{
	return sd_pool_batches;
}
