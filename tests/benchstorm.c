// SPDX-License-Identifier: GPL-2.0
/*
 * benchstorm: the measuring side of `make bench` (tests/bench.sh runs it).
 *
 *   benchstorm storm [-p procs] [-m MiB] [-f pct] [-g pages] [-S stats]
 *		      [-E exit_latency] [-F iters] [-B busy] [-P pre_ms]
 *		      [-D duty] [-C cap_ms] [-M min_ms] [-r MiB] [-O]
 *	P children each map M MiB (private anonymous, 4 KiB pages), fill it
 *	and MADV_PAGEOUT the first F% (in chunks of G pages in a shuffled
 *	order with -g, as in swapstorm), then wait.  The parent SIGKILLs them
 *	all at once and measures:
 *	  - kill-to-reap of each child (wait4), median / max / all reaped;
 *	  - the CPU time each child used after it was ready (its exit), from
 *	    wait4's rusage minus the child's own getrusage() when ready;
 *	  - the time from the kills until SwapFree is back within 1 MiB of
 *	    its value before the children were forked, and (with -S, the
 *	    module's stats file) until pending_entries is 0, and the highest
 *	    pending_entries seen (polled every 4 ms);
 *	  - CPU time of the whole guest over that window from /proc/stat,
 *	    minus this process's own (the poller);
 *	  - with -E (the module's exit_latency file): its histogram over the
 *	    window (the file is read before the kills and after the reaps), so
 *	    that it can be checked against the wall-clock figures.
 *	-F iters: a foreground thread renders a "frame" of iters busy-loop
 *	rounds every 16.667 ms (see calib), for pre_ms (-P, 1000) before the
 *	kills and until the window ends: frame-time p50/p99/max and missed
 *	deadlines of the frames over before the kills (pre_), of those
 *	running at any time in the window (storm_; the frame the kills
 *	interrupt is one), until the last child is reaped (reap_) and of
 *	those that began after that (after_); -O prints every frame.
 *	-B n: n background processes spin at nice 0 from before the frames
 *	until the window ends (a CPU load).  -D duty: each of them spins
 *	for duty% of every 10 ms and sleeps the rest (default 100: always
 *	runnable), a load that leaves the CPUs partly idle.
 *	-C cap_ms: the window ends at the latest cap_ms after the kills
 *	(default 60000); what was not back by then is reported as -1.
 *	-M min_ms: with -F, the frames' storm window lasts at least min_ms.
 *	-r MiB: each child also maps MiB of one file (in /tmp, written once
 *	by the parent, MAP_SHARED read-only) and faults in every page
 *	(MADV_POPULATE_READ): the file-backed RSS of an app (its libraries,
 *	apk and dex), which its exit unmaps without freeing anything and
 *	without swap entries.
 *   benchstorm calib [-w ms]
 *	Busy-loop rounds that take ms (default 5) on this (idle) machine,
 *	from the median of 31 timed runs.
 *
 * Output: key=value lines.  Exit status 0 on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define MIB (1024UL * 1024)
#define FRAME_MS (1000.0 / 60)
#define MAX_FRAMES 100000
#define HIST_BUCKETS 32

static long procs = 4, mib = 64, pct = 60, chunk_pages, busy, duty = 100;
static long pre_ms = 1000, file_mib;
static long cap_ms = 60000, fg_iters, calib_ms = 5, min_window_ms;
static int print_frames, populate;
static const char *stats_file, *exitlat_file;
static int file_fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "benchstorm: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

static double rusage_ms(const struct rusage *ru)
{
	return tv_ms(&ru->ru_utime) + tv_ms(&ru->ru_stime);
}

static double self_cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);	/* every thread of this process */
	return rusage_ms(&ru);
}

/* A "Name: N kB" line of /proc/meminfo; -1 if not found. */
static long meminfo_kb(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

static long swapfree_kb(void)
{
	return meminfo_kb("SwapFree");
}

/* "pending_entries: N" of the stats file; -1 without one. */
static long pending_entries(void)
{
	char line[128];
	long val = -1;
	FILE *f;

	if (!stats_file || !(f = fopen(stats_file, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "pending_entries:", 16)) {
			val = strtol(line + 16, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/* Busy / idle jiffies of all CPUs from the "cpu" line of /proc/stat. */
struct cpustat {
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
};

static void read_cpustat(struct cpustat *c)
{
	FILE *f = fopen("/proc/stat", "r");

	memset(c, 0, sizeof(*c));
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &c->user,
		   &c->nice, &c->sys, &c->idle, &c->iowait, &c->irq,
		   &c->softirq, &c->steal) < 7)
		memset(c, 0, sizeof(*c));
	fclose(f);
}

/* The module's exit_mmap histogram: "below_us off on" rows, totals. */
struct exitlat {
	unsigned long long n[2][HIST_BUCKETS], total_ns[2], count[2];
	int ok;
};

static void read_exitlat(struct exitlat *h)
{
	char line[256];
	unsigned long long below, off, on;
	FILE *f;

	memset(h, 0, sizeof(*h));
	if (!exitlat_file || !(f = fopen(exitlat_file, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu %llu %llu", &below, &off, &on) == 3) {
			int b = 0;

			while (b < HIST_BUCKETS - 1 && (1ULL << b) < below)
				b++;
			h->n[0][b] = off;
			h->n[1][b] = on;
		} else {
			sscanf(line, "off_total_ns: %llu", &h->total_ns[0]);
			sscanf(line, "on_total_ns: %llu", &h->total_ns[1]);
			sscanf(line, "off_count: %llu", &h->count[0]);
			sscanf(line, "on_count: %llu", &h->count[1]);
		}
	}
	fclose(f);
	h->ok = 1;
}

/*
 * Every 64-bit word distinct within a page, as swapstorm's pattern (so
 * zram compresses it alike), but written a page at a time with memcpy from
 * a template whose first word is then set to the page's index: under TCG
 * this is several times faster than a store per word.
 */
static void fill(uint64_t *p, size_t bytes, uint64_t seed)
{
	uint64_t tmpl[512];
	size_t i, pages = bytes / 4096;

	for (i = 0; i < 512; i++)
		tmpl[i] = (seed << 40) ^ i ^ 0x5a00000000000000ULL;
	for (i = 0; i < pages; i++) {
		memcpy(p + i * 512, tmpl, sizeof(tmpl));
		p[i * 512] = (seed << 40) ^ (i << 9) ^ 0x5a00000000000000ULL;
	}
}

static void pageout_range(char *p, size_t len)
{
	if (madvise(p, len, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)");
}

/* As swapstorm's page_out(): whole range, or shuffled chunks (-g). */
static void page_out(void *region, size_t bytes, long percent)
{
	char *p = region;
	size_t len = (bytes * percent / 100) & ~4095UL;
	size_t chunk = chunk_pages * 4096, n, i, j, *order;
	unsigned long long x = (uintptr_t)p ^ getpid();
	int pass;

	if (!len)
		return;
	if (!chunk || chunk >= len) {
		for (pass = 0; pass < 2; pass++)
			pageout_range(p, len);
		return;
	}
	n = (len + chunk - 1) / chunk;
	order = malloc(n * sizeof(*order));
	if (!order)
		die("malloc");
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		size_t t;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		j = x % (i + 1);
		t = order[i]; order[i] = order[j]; order[j] = t;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			size_t off = order[i] * chunk;

			pageout_range(p + off, off + chunk > len ? len - off : chunk);
		}
	free(order);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pctl(const double *v, int n, double q)
{
	int i;

	if (n <= 0)
		return -1;
	i = (int)(q / 100 * n + 0.999999) - 1;
	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return v[i];
}

/* ---- the foreground frame loop ---- */

static volatile unsigned long sink;

static void work(long iters)
{
	unsigned long x = sink + 1;
	long i;

	for (i = 0; i < iters; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	sink = x;
}

/* A background load process: busy duty% of every 10 ms period. */
static void __attribute__((noreturn)) spin(void)
{
	double t0 = now_ms(), end;

	for (;;) {
		if (duty >= 100) {
			work(1000000);
			continue;
		}
		end = t0 + duty / 10.0;
		while (now_ms() < end)
			work(1000);
		t0 += 10;
		end = now_ms();
		if (t0 > end)
			usleep((t0 - end) * 1000);
		else
			t0 = end;	/* behind: start a new period now */
	}
}

struct frame {
	double start;	/* scheduled start, ms (CLOCK_MONOTONIC) */
	double ms;	/* end - scheduled start */
};

static struct frame *frames;
static volatile int nframes, fg_stop;

static void ts_from_ms(struct timespec *ts, double ms)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)((ms - ts->tv_sec * 1000.0) * 1e6);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * Frame k is due at t0 + k * 16.667 ms.  It starts then (or as soon as
 * the thread runs), and its frame time is the end minus the due time, so
 * scheduling delay counts.  A frame that ends after its deadline (due +
 * 16.667) is missed; due times already past when the frame ends are
 * skipped, and counted as missed too (a dropped frame).
 */
static void *fg_thread(void *arg)
{
	double t0 = now_ms(), due = t0, end;
	struct timespec ts;

	(void)arg;
	while (!fg_stop && nframes < MAX_FRAMES) {
		ts_from_ms(&ts, due);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		work(fg_iters);
		end = now_ms();
		frames[nframes].start = due;
		frames[nframes].ms = end - due;
		nframes++;
		due += FRAME_MS;
		while (due + FRAME_MS < end && nframes < MAX_FRAMES) {
			/* dropped: its slot passed while this frame ran */
			frames[nframes].start = due;
			frames[nframes].ms = -1;
			nframes++;
			due += FRAME_MS;
		}
	}
	return NULL;
}

/* A frame's end; a dropped slot "ends" at its deadline. */
static double frame_end(int i)
{
	return frames[i].start + (frames[i].ms < 0 ? FRAME_MS : frames[i].ms);
}

/*
 * Frame stats: p50 p99 max missed n over the frames that ran within
 * [from, to] (within), or that were due or still running in [from, to)
 * (touch): a frame that was due before the kills and still running when
 * they came belongs to the storm, not to the noise floor before it.
 */
static void frame_stats(const char *pfx, double from, double to, int touch)
{
	double *v = malloc(sizeof(double) * (nframes + 1));
	int i, n = 0, missed = 0, dropped = 0;

	if (!v)
		die("malloc");
	for (i = 0; i < nframes; i++) {
		if (touch ? frame_end(i) <= from || frames[i].start >= to :
			    frames[i].start < from || frame_end(i) > to)
			continue;
		if (frames[i].ms < 0) {
			dropped++;
			missed++;
			continue;
		}
		if (frames[i].ms > FRAME_MS)
			missed++;
		v[n++] = frames[i].ms;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%s_frames=%d\n%s_p50_ms=%.2f\n%s_p99_ms=%.2f\n%s_max_ms=%.2f\n"
	       "%s_missed=%d\n%s_dropped=%d\n",
	       pfx, n + dropped, pfx, pctl(v, n, 50), pfx, pctl(v, n, 99), pfx,
	       n ? v[n - 1] : -1, pfx, missed, pfx, dropped);
	free(v);
}

/*
 * Rounds of work() that take calib_ms: the median of 31 timed runs, so that
 * the frame's work matches the machine's typical speed at the time (under
 * TCG the host's load changes it), not its best moment.
 */
static long do_calib(void)
{
	double t[31];
	long n = 200000;
	int i;

	work(n);
	for (i = 0; i < 31; i++) {
		t[i] = now_ms();
		work(n);
		t[i] = now_ms() - t[i];
	}
	qsort(t, 31, sizeof(t[0]), cmp_double);
	printf("calib_iters=%ld\ncalib_ms=%ld\ncalib_min_ms=%.3f\n"
	       "calib_median_ms=%.3f\ncalib_max_ms=%.3f\n",
	       (long)(n * calib_ms / t[15]), calib_ms, t[0], t[15], t[30]);
	return 0;
}

/* ---- the storm ---- */

struct ready {
	int idx;
	long swap_kb;
	double cpu_ms;		/* the child's own CPU time when ready */
	double fill_ms, pageout_ms;
};

static long my_swap_kb(void)
{
	char line[256];
	long val = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Swap:", 5)) {
			val = strtol(line + 5, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/* The parent's file: file_mib MiB, every page written (in the page cache). */
static void make_file(void)
{
	char path[] = "/tmp/benchstorm-XXXXXX";
	static char buf[1 << 16];
	size_t left = file_mib * MIB;

	file_fd = mkstemp(path);
	if (file_fd < 0)
		die("mkstemp");
	unlink(path);
	memset(buf, 0x5a, sizeof(buf));
	while (left) {
		ssize_t n = write(file_fd, buf,
				  left < sizeof(buf) ? left : sizeof(buf));

		if (n <= 0)
			die("write file");
		left -= n;
	}
}

/* A child's file-backed RSS: the whole file mapped, every page faulted in. */
static void map_file(void)
{
	size_t bytes = file_mib * MIB;
	void *q = mmap(NULL, bytes, PROT_READ, MAP_SHARED, file_fd, 0);

	if (q == MAP_FAILED)
		die("mmap file");
	if (madvise(q, bytes, MADV_POPULATE_READ))
		die("madvise(MADV_POPULATE_READ)");
}

static void child(int idx, int fd)
{
	size_t bytes = mib * MIB;
	struct ready r = { .idx = idx };
	uint64_t *p;
	double t;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (madvise(p, bytes, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	t = now_ms();
	if (populate && madvise(p, bytes, MADV_POPULATE_WRITE))
		die("madvise(MADV_POPULATE_WRITE)");
	fill(p, bytes, idx + 1);
	r.fill_ms = now_ms() - t;
	t = now_ms();
	page_out(p, bytes, pct);
	r.pageout_ms = now_ms() - t;
	if (file_mib)
		map_file();
	r.swap_kb = my_swap_kb();
	r.cpu_ms = self_cpu_ms();
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(3);
	for (;;)
		pause();
}

static int do_storm(void)
{
	pid_t *pids = calloc(procs, sizeof(*pids));
	pid_t *busy_pids = calloc(busy + 1, sizeof(*busy_pids));
	double *ready_cpu = calloc(procs, sizeof(double));
	double *dt = calloc(procs, sizeof(double));
	double *exit_cpu = calloc(procs, sizeof(double));
	long base, ready_free, child_swap = 0, pend, peak = 0, sf = -1;
	double t_kill, t_reaped = 0, t_ret = -1, t_drained = -1, t_end;
	double self0, self1, exit_cpu_sum = 0, fill_ms = 0, pageout_ms = 0;
	double t_setup = now_ms();
	struct cpustat c0, c1;
	struct exitlat h0, h1;
	pthread_t fg;
	int fds[2], i, n, ret = 0, on = -1;

	if (!pids || !busy_pids || !ready_cpu || !dt || !exit_cpu || pipe(fds))
		die("setup");
	if (file_mib)
		make_file();
	base = swapfree_kb();
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			close(fds[0]);
			child(i, fds[1]);
		}
	}
	close(fds[1]);
	for (n = 0; n < procs; n++) {
		struct ready r;

		if (read(fds[0], &r, sizeof(r)) != sizeof(r)) {
			fprintf(stderr, "benchstorm: a child died before ready\n");
			return 2;
		}
		child_swap += r.swap_kb;
		ready_cpu[r.idx] = r.cpu_ms;
		if (r.fill_ms > fill_ms)
			fill_ms = r.fill_ms;
		if (r.pageout_ms > pageout_ms)
			pageout_ms = r.pageout_ms;
	}
	ready_free = swapfree_kb();
	t_setup = now_ms() - t_setup;

	for (i = 0; i < busy; i++) {
		busy_pids[i] = fork();
		if (busy_pids[i] < 0)
			die("fork");
		if (busy_pids[i] == 0)
			spin();
	}
	if (fg_iters) {
		frames = calloc(MAX_FRAMES, sizeof(*frames));
		if (!frames || pthread_create(&fg, NULL, fg_thread, NULL))
			die("foreground thread");
	}
	if (fg_iters || busy)
		usleep(pre_ms * 1000);

	read_exitlat(&h0);
	read_cpustat(&c0);
	self0 = self_cpu_ms();
	t_kill = now_ms();
	for (i = 0; i < procs; i++)
		kill(pids[i], SIGKILL);
	for (n = 0; n < procs; n++) {
		struct rusage ru;
		int status;
		pid_t pid = wait4(-1, &status, 0, &ru);
		double t = now_ms();

		if (pid < 0)
			die("wait4");
		for (i = 0; i < procs; i++)
			if (pids[i] == pid) {
				dt[i] = t - t_kill;
				exit_cpu[i] = rusage_ms(&ru) - ready_cpu[i];
				exit_cpu_sum += exit_cpu[i];
			}
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			ret = 1;
		t_reaped = t;
	}
	read_exitlat(&h1);

	/*
	 * Until swap is back and nothing is pending, or the cap.  SwapFree
	 * (the costlier read) only once nothing is pending: it cannot be
	 * back before that.  Every 4 ms; the poller's CPU time is reported.
	 */
	for (;;) {
		double t = now_ms();

		pend = pending_entries();
		if (pend > peak)
			peak = pend;
		if (t_drained < 0 && pend <= 0)
			t_drained = t;
		if (pend <= 0) {
			sf = swapfree_kb();
			if (t_ret < 0 && sf >= base - 1024)
				t_ret = t;
		}
		if ((t_ret >= 0 && t_drained >= 0) || t - t_kill > cap_ms)
			break;
		usleep(4000);
	}
	if (pend > 0)
		sf = swapfree_kb();
	t_end = now_ms();
	read_cpustat(&c1);
	self1 = self_cpu_ms();
	if (fg_iters) {
		double t_win = t_end > t_kill + min_window_ms ? t_end :
			       t_kill + min_window_ms;

		/* a few more frames, so that the window is not cut short */
		while (now_ms() < t_win + 2 * FRAME_MS)
			usleep(FRAME_MS * 1000);
		fg_stop = 1;
		pthread_join(fg, NULL);
	}
	for (i = 0; i < busy; i++) {
		kill(busy_pids[i], SIGKILL);
		waitpid(busy_pids[i], NULL, 0);
	}

	qsort(dt, procs, sizeof(*dt), cmp_double);
	qsort(exit_cpu, procs, sizeof(*exit_cpu), cmp_double);
	printf("procs=%ld\nmib=%ld\npct=%ld\nchunk_pages=%ld\nbusy=%ld\n"
	       "duty=%ld\nfile_mib=%ld\n", procs, mib, pct, chunk_pages, busy,
	       duty, file_mib);
	printf("swapfree_base_kb=%ld\nswapped_kb=%ld\nchild_swap_kb=%ld\n",
	       base, base - ready_free, child_swap);
	printf("setup_ms=%.0f\nfill_ms=%.0f\npageout_ms=%.0f\n", t_setup,
	       fill_ms, pageout_ms);
	printf("kill_median_ms=%.1f\nkill_min_ms=%.1f\nkill_max_ms=%.1f\n"
	       "kill_total_ms=%.1f\n",
	       procs % 2 ? dt[procs / 2] : (dt[procs / 2 - 1] + dt[procs / 2]) / 2,
	       dt[0], dt[procs - 1], t_reaped - t_kill);
	printf("kill_each_ms=");
	for (i = 0; i < procs; i++)
		printf("%s%.1f", i ? ":" : "", dt[i]);
	printf("\nexit_cpu_ms=%.1f\nexit_cpu_max_ms=%.1f\n", exit_cpu_sum,
	       exit_cpu[procs - 1]);
	printf("return_ms=%.1f\ndrained_ms=%.1f\npeak_pending_polled=%ld\n",
	       t_ret < 0 ? -1 : t_ret - t_kill,
	       t_drained < 0 ? -1 : t_drained - t_kill, peak);
	printf("swapfree_end_kb=%ld\npending_end=%ld\nwindow_ms=%.1f\n", sf,
	       pend, t_end - t_kill);
	{
		long hz = sysconf(_SC_CLK_TCK);
		double ms = 1000.0 / hz;
		double sys = (c1.sys - c0.sys + c1.irq - c0.irq + c1.softirq -
			      c0.softirq) * ms;
		double usr = (c1.user - c0.user + c1.nice - c0.nice) * ms;

		printf("stat_sys_ms=%.0f\nstat_user_ms=%.0f\nself_cpu_ms=%.1f\n",
		       sys, usr, self1 - self0);
	}
	if (h0.ok && h1.ok) {
		unsigned long long cnt[2] = { 0, 0 };
		int b, k;

		/* the mode of the storm's exits: the row that grew */
		for (k = 0; k < 2; k++)
			for (b = 0; b < HIST_BUCKETS; b++)
				cnt[k] += h1.n[k][b] - h0.n[k][b];
		on = cnt[1] > cnt[0];
		printf("hist_mode=%s\nhist_count=%llu\nhist_total_ms=%.1f\n",
		       on ? "on" : "off", cnt[on],
		       (h1.total_ns[on] - h0.total_ns[on]) / 1e6);
		printf("hist=");
		for (b = 0, k = 0; b < HIST_BUCKETS; b++) {
			unsigned long long d = h1.n[on][b] - h0.n[on][b];

			if (d)
				printf("%s%llu:%llu", k++ ? "," : "", 1ULL << b, d);
		}
		printf("\n");
	}
	if (fg_iters) {
		double t_win = t_end > t_kill + min_window_ms ? t_end :
			       t_kill + min_window_ms;

		/* the noise floor: frames over before the kills */
		frame_stats("pre", t_kill - pre_ms, t_kill, 0);
		frame_stats("storm", t_kill, t_win, 1);
		/* while the killed processes exit; then until the window ends */
		frame_stats("reap", t_kill, t_reaped, 1);
		frame_stats("after", t_reaped, t_win, 0);
		if (print_frames)
			for (i = 0; i < nframes; i++)
				printf("frame=%.1f,%.2f\n",
				       frames[i].start - t_kill, frames[i].ms);
	}
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: benchstorm storm [-p procs] [-m MiB] [-f pct] [-g pages] [-S stats]\n"
		"                  [-E exit_latency] [-F iters] [-B busy] [-D duty] [-P pre_ms]\n"
		"                  [-C cap_ms] [-M min_ms] [-r MiB] [-O]\n"
		"       benchstorm calib [-w ms]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;
	int opt;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "p:m:f:g:S:E:F:B:D:P:C:M:Or:w:z")) != -1) {
		switch (opt) {
		case 'p': procs = atol(optarg); break;
		case 'm': mib = atol(optarg); break;
		case 'f': pct = atol(optarg); break;
		case 'g': chunk_pages = atol(optarg); break;
		case 'S': stats_file = optarg; break;
		case 'E': exitlat_file = optarg; break;
		case 'F': fg_iters = atol(optarg); break;
		case 'B': busy = atol(optarg); break;
		case 'D': duty = atol(optarg); break;
		case 'P': pre_ms = atol(optarg); break;
		case 'C': cap_ms = atol(optarg); break;
		case 'M': min_window_ms = atol(optarg); break;
		case 'O': print_frames = 1; break;
		case 'r': file_mib = atol(optarg); break;
		case 'z': populate = 1; break;
		case 'w': calib_ms = atol(optarg); break;
		default: usage();
		}
	}
	if (procs < 1 || mib < 1 || pct < 0 || pct > 100 || chunk_pages < 0 ||
	    busy < 0 || duty < 1 || duty > 100 || pre_ms < 0 || cap_ms < 0 || min_window_ms < 0 ||
	    calib_ms < 1 || file_mib < 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "storm"))
		return do_storm();
	if (!strcmp(cmd, "calib"))
		return do_calib();
	usage();
	return 2;
}
