// SPDX-License-Identifier: GPL-2.0
/*
 * swapdrain: how long exit_mmap() takes, with deferral on and off.
 *
 * A kretprobe times every exit_mmap() into log2 buckets of microseconds,
 * in two rows chosen by the "enabled" parameter at entry, so users can see
 * the module's effect on their own device.  It also counts the calls under
 * way in exiting processes (not exec's release of the old mm), for the
 * drain's wait (sd_batch_drain_wait()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/kernel.h>

#include "swapdrain.h"

#define SD_EXITLAT_BUCKETS 24	/* up to 2^23 us, about 8 s */

struct sd_exitlat_data {
	u64 start;
	bool on;
	bool exiting;	/* a process's exit: counted in flight */
};

static atomic64_t sd_exitlat[2][SD_EXITLAT_BUCKETS];
static atomic_t sd_exits_in_flight;	/* exit_mmap() calls under way */
static unsigned long sd_exit_last;	/* jiffies when the last one ended */
static atomic64_t sd_exitlat_ns[2];
static bool sd_exitlat_hooked;

static int sd_exitlat_entry(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	struct sd_exitlat_data *d = (void *)ri->data;

	d->start = ktime_get_ns();
	d->on = READ_ONCE(sd_enabled);
	d->exiting = sd_current_exiting();
	if (d->exiting)
		atomic_inc(&sd_exits_in_flight);
	return 0;
}

static int sd_exitlat_return(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct sd_exitlat_data *d = (void *)ri->data;
	u64 ns = ktime_get_ns() - d->start;
	u64 us = ns / NSEC_PER_USEC;
	unsigned long now = jiffies;
	unsigned int b = us ? min(ilog2(us) + 1, SD_EXITLAT_BUCKETS - 1) : 0;

	if (d->exiting) {
		if (time_after(now, READ_ONCE(sd_exit_last)))
			WRITE_ONCE(sd_exit_last, now);
		atomic_dec(&sd_exits_in_flight);
	}
	atomic64_inc(&sd_exitlat[d->on][b]);
	atomic64_add(ns, &sd_exitlat_ns[d->on]);
	return 0;
}

static struct kretprobe sd_exitlat_probe = {
	.kp.symbol_name	= "exit_mmap",
	.entry_handler	= sd_exitlat_entry,
	.handler	= sd_exitlat_return,
	.data_size	= sizeof(struct sd_exitlat_data),
	.maxactive	= 64,
};

/*
 * Are processes exiting (the drain waits for them, batch.c)?  While an
 * exiting process's exit_mmap() is under way, and for a jiffy after the
 * last one ended: a killer's SIGKILLs run one at a time, and the next
 * victim may enter exit_mmap() a moment after the previous one left it.
 * False without the probe.  A call the kretprobe missed (more than
 * maxactive at once) is counted neither way.
 */
bool sd_exits_running(void)
{
	return atomic_read(&sd_exits_in_flight) > 0 ||
	       time_before_eq(jiffies, READ_ONCE(sd_exit_last) + 1);
}

/* "below_us off on" rows; bucket 0 is < 1 us, bucket k is < 2^k us. */
int sd_exitlat_show(char *buf, size_t size)
{
	u64 n[2] = { 0, 0 };
	int len, i, on;

	len = scnprintf(buf, size, "# exit_mmap duration: below_us off on\n");
	for (i = 0; i < SD_EXITLAT_BUCKETS; i++) {
		u64 off_n = atomic64_read(&sd_exitlat[0][i]);
		u64 on_n = atomic64_read(&sd_exitlat[1][i]);

		n[0] += off_n;
		n[1] += on_n;
		if (off_n || on_n)
			len += scnprintf(buf + len, size - len, "%llu %llu %llu\n",
					 1ULL << i, off_n, on_n);
	}
	for (on = 0; on < 2; on++)
		len += scnprintf(buf + len, size - len,
				 "%s_count: %llu\n%s_total_ns: %lld\n",
				 on ? "on" : "off", n[on], on ? "on" : "off",
				 atomic64_read(&sd_exitlat_ns[on]));
	len += scnprintf(buf + len, size - len, "missed: %d\n",
			 sd_exitlat_hooked ? sd_exitlat_probe.nmissed : 0);
	return len;
}

/* Optional: without it the module still works, the histogram stays empty. */
int sd_exitlat_init(void)
{
	int ret;

	sd_exit_last = jiffies - 2;
	ret = register_kretprobe(&sd_exitlat_probe);

	if (ret)
		pr_warn("cannot probe exit_mmap (%d): no exit latency histogram\n",
			ret);
	sd_exitlat_hooked = !ret;
	return 0;
}

void sd_exitlat_exit(void)
{
	if (sd_exitlat_hooked)
		unregister_kretprobe(&sd_exitlat_probe);
	sd_exitlat_hooked = false;
	atomic_set(&sd_exits_in_flight, 0);	/* calls that were under way */
}
