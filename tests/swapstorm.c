// SPDX-License-Identifier: GPL-2.0
/*
 * swapstorm: swap-heavy exit storms and friends, for the swapdrain tests.
 *
 *   swapstorm storm [-p procs] [-m MiB] [-f pct] [-b MiB] [-s] [-x cmd]
 *	P children each map M MiB (anonymous, or a memfd with -s), fill it with
 *	a pattern and MADV_PAGEOUT the first F%, then wait. The parent SIGKILLs
 *	them all at once and times each kill-to-reap. -x runs cmd (sh -c) right
 *	after the kills, before reaping. -b B adds one more child that fills
 *	B MiB and pages none of it out, killed first: its exit_mmap() runs,
 *	preempted and resumed among the others, for the whole storm.
 *
 * Common options: -t keeps transparent huge pages (default: MADV_NOHUGEPAGE,
 * 4 KiB pages as on a phone); -g N pages out in chunks of N pages in a random
 * order, so that neighbouring pages get scattered swap slots (default: one
 * call for the whole range, which gives consecutive slots).
 *   swapstorm fork [-m MiB] [-f pct] [-c pct] [-S statsfile]
 *	The parent fills and pages out its region, forks; the child writes the
 *	first C% of its copy, pages it out again and is killed. The parent waits
 *	until pending_entries in statsfile is 0 (if it exists), then verifies
 *	every word of its region.
 *   swapstorm live [-m MiB] [-f pct] [-D]
 *	A live process pages out its region, then munmap()s it (MADV_DONTNEED
 *	with -D), timed.
 *
 * Output: key=value lines. Exit status 0 on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define MIB (1024UL * 1024)

static long procs = 4, mib = 64, pct = 60, child_pct = 50;
static long chunk_pages, ballast_mib;
static int use_shmem, use_dontneed, use_thp;
static const char *exec_cmd, *stats_file;

static void die(const char *what)
{
	fprintf(stderr, "swapstorm: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Every 64-bit word is distinct: seed in the high bits, word index below. */
static inline uint64_t pattern(uint64_t seed, size_t word)
{
	return (seed << 40) ^ word ^ 0x5a00000000000000ULL;
}

static void fill(uint64_t *p, size_t bytes, uint64_t seed)
{
	size_t i, n = bytes / 8;

	for (i = 0; i < n; i++)
		p[i] = pattern(seed, i);
}

/* Index of the first word that does not match, or -1. */
static long check(const uint64_t *p, size_t bytes, uint64_t seed)
{
	size_t i, n = bytes / 8;

	for (i = 0; i < n; i++)
		if (p[i] != pattern(seed, i))
			return i;
	return -1;
}

/* A "Name:   N kB" field of a /proc file, in kB; -1 if not found. */
static long proc_kb(const char *file, const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long val = -1;
	FILE *f = fopen(file, "r");

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
	return proc_kb("/proc/meminfo", "SwapFree");
}

static long my_swap_kb(void)
{
	return proc_kb("/proc/self/smaps_rollup", "Swap");
}

/* Map M MiB: private anonymous, or a memfd whose only reference is the map. */
static uint64_t *map_region(size_t bytes)
{
	int fd = -1, flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	if (use_shmem) {
		fd = memfd_create("swapstorm", 0);
		if (fd < 0)
			die("memfd_create");
		if (ftruncate(fd, bytes))
			die("ftruncate");
		flags = MAP_SHARED;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (fd >= 0)
		close(fd);
	if (!use_thp && madvise(p, bytes, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	return p;
}

static void pageout_range(char *p, size_t len)
{
	if (madvise(p, len, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)");
}

/*
 * Page out the first pct% of a region: in one call, or (-g) in chunks taken
 * in a shuffled order. A second pass catches pages that were still on a
 * per-CPU LRU list during the first.
 */
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
	for (i = n - 1; i > 0; i--) {		/* Fisher-Yates, xorshift64 */
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

struct ready {
	int idx;
	long swap_kb;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int do_storm(void)
{
	long total = procs + !!ballast_mib;	/* the ballast is the last */
	pid_t *pids = calloc(total, sizeof(*pids));
	double *t_kill = calloc(total, sizeof(*t_kill));
	double *dt = calloc(total, sizeof(*dt));
	long base, ready_free, child_swap = 0;
	double t0, t_end = 0;
	int fds[2], i, n, ret = 0;

	if (!pids || !t_kill || !dt || pipe(fds))
		die("setup");
	base = swapfree_kb();
	for (i = 0; i < total; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			struct ready r = { .idx = i };
			size_t bytes = (i < procs ? mib : ballast_mib) * MIB;
			uint64_t *p = map_region(bytes);

			close(fds[0]);
			fill(p, bytes, i + 1);
			if (i < procs)
				page_out(p, bytes, pct);
			r.swap_kb = my_swap_kb();
			if (write(fds[1], &r, sizeof(r)) != sizeof(r))
				_exit(3);
			for (;;)
				pause();
		}
	}
	close(fds[1]);
	for (n = 0; n < total; n++) {
		struct ready r;

		if (read(fds[0], &r, sizeof(r)) != sizeof(r)) {
			fprintf(stderr, "swapstorm: a child died before ready\n");
			return 2;
		}
		child_swap += r.swap_kb;
	}
	ready_free = swapfree_kb();

	t0 = now_ms();
	for (n = 0; n < total; n++) {
		i = (n + procs) % total;	/* the ballast first */
		t_kill[i] = now_ms();
		kill(pids[i], SIGKILL);
	}
	if (exec_cmd) {
		int rc = system(exec_cmd);

		printf("exec_rc=%d\n", WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
	}
	for (n = 0; n < total; n++) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		double t = now_ms();

		if (pid < 0)
			die("waitpid");
		for (i = 0; i < total; i++)
			if (pids[i] == pid)
				dt[i] = t - t_kill[i];
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			ret = 1;
		t_end = t;
	}
	qsort(dt, total, sizeof(*dt), cmp_double);

	printf("mode=%s\nprocs=%ld\nmib=%ld\npct=%ld\nthp=%d\nchunk_pages=%ld\n",
	       use_shmem ? "shmem" : "anon", procs, mib, pct, use_thp, chunk_pages);
	if (ballast_mib)
		printf("ballast_mib=%ld\n", ballast_mib);
	printf("swapfree_base_kb=%ld\nswapfree_ready_kb=%ld\n", base, ready_free);
	printf("swapped_kb=%ld\nchild_swap_kb=%ld\n", base - ready_free, child_swap);
	printf("kill_median_ms=%.1f\nkill_max_ms=%.1f\nkill_total_ms=%.1f\n",
	       total % 2 ? dt[total / 2] : (dt[total / 2 - 1] + dt[total / 2]) / 2,
	       dt[total - 1], t_end - t0);
	printf("swapfree_after_kb=%ld\n", swapfree_kb());
	return ret;
}

/* Poll "pending_entries: N" in the stats file until 0; no file: no wait. */
static int wait_drained(const char *file, int timeout_ms)
{
	char line[256];
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 10) {
		long pending = -1;
		FILE *f = fopen(file, "r");

		if (!f)
			return 0;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "pending_entries:", 16))
				pending = strtol(line + 16, NULL, 10);
		fclose(f);
		if (pending == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

static int do_fork(void)
{
	size_t bytes = mib * MIB, cbytes = (bytes * child_pct / 100) & ~4095UL;
	uint64_t *p = map_region(bytes);
	int fds[2], status, drained = 0;
	long bad, base = swapfree_kb();
	char c;
	pid_t pid;

	fill(p, bytes, 0xf0);
	page_out(p, bytes, pct);
	printf("parent_swap_kb=%ld\n", my_swap_kb());
	if (pipe(fds))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		fill(p, cbytes, 0xc1);		/* COW: the parent keeps its copy */
		page_out(p, bytes, 100);
		printf("child_swap_kb=%ld\n", my_swap_kb());
		fflush(stdout);
		if (write(fds[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	if (read(fds[0], &c, 1) != 1) {
		fprintf(stderr, "swapstorm: child died before ready\n");
		return 2;
	}
	printf("swapped_kb=%ld\n", base - swapfree_kb());
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (stats_file)
		drained = wait_drained(stats_file, 30000);
	printf("drained=%s\n", drained ? "timeout" : "ok");

	bad = check(p, bytes, 0xf0);
	if (bad < 0) {
		printf("verify=ok\n");
		return drained ? 1 : 0;
	}
	printf("verify=fail word=%ld offset=%ld got=%#llx want=%#llx\n", bad,
	       bad * 8, (unsigned long long)p[bad],
	       (unsigned long long)pattern(0xf0, bad));
	return 1;
}

static int do_live(void)
{
	size_t bytes = mib * MIB;
	uint64_t *p = map_region(bytes);
	long base = swapfree_kb();
	double t;

	fill(p, bytes, 0x11);
	page_out(p, bytes, pct);
	printf("swap_kb=%ld\nswapped_kb=%ld\n", my_swap_kb(), base - swapfree_kb());
	t = now_ms();
	if (use_dontneed ? madvise(p, bytes, MADV_DONTNEED) : munmap(p, bytes))
		die(use_dontneed ? "madvise(MADV_DONTNEED)" : "munmap");
	t = now_ms() - t;
	printf("op=%s\nlive_ms=%.1f\nswap_after_kb=%ld\nswapfree_after_kb=%ld\n",
	       use_dontneed ? "dontneed" : "munmap", t, my_swap_kb(), swapfree_kb());
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: swapstorm storm [-p procs] [-m MiB] [-f pct] [-b MiB] [-s] [-x cmd]\n"
		"       swapstorm fork [-m MiB] [-f pct] [-c child_pct] [-S stats]\n"
		"       swapstorm live [-m MiB] [-f pct] [-s] [-D]\n"
		"common: [-t] (keep THP) [-g pages] (scattered page-out)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;
	int opt, ret;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "p:m:f:b:c:g:tsx:S:D")) != -1) {
		switch (opt) {
		case 'p': procs = atol(optarg); break;
		case 'm': mib = atol(optarg); break;
		case 'f': pct = atol(optarg); break;
		case 'b': ballast_mib = atol(optarg); break;
		case 'c': child_pct = atol(optarg); break;
		case 'g': chunk_pages = atol(optarg); break;
		case 't': use_thp = 1; break;
		case 's': use_shmem = 1; break;
		case 'x': exec_cmd = optarg; break;
		case 'S': stats_file = optarg; break;
		case 'D': use_dontneed = 1; break;
		default: usage();
		}
	}
	if (procs < 1 || mib < 1 || ballast_mib < 0 || pct < 0 || pct > 100 ||
	    child_pct < 0 || child_pct > 100 || chunk_pages < 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "storm"))
		ret = do_storm();
	else if (!strcmp(cmd, "fork"))
		ret = do_fork();
	else if (!strcmp(cmd, "live"))
		ret = do_live();
	else
		usage();
	return ret;
}
