// SPDX-License-Identifier: GPL-2.0
/*
 * sdtool: CPU and memory load for the swapdrain pressure scenarios.
 *
 *   sdtool spin -t SECS [-c CPU | -A] [-n NICE] [-r RTPRIO]
 *	Busy-loop for SECS seconds (fractions allowed): one spinner on CPU
 *	(-c), one per online CPU (-A) or one unpinned, at nice NICE or
 *	SCHED_FIFO priority RTPRIO. Each spinner stops by itself at the
 *	deadline; SIGALRM two seconds later is the backstop.
 *   sdtool mem -m MiB [-f PCT] [-P zero|pattern|random]
 *		[-d zero|pattern|random] [-H] [-a ADJ] [-t SECS]
 *	Map MiB of private anonymous memory. The first PCT% (4 KiB pages) is
 *	filled with -P data (default pattern) and paged out (MADV_PAGEOUT:
 *	zero pages take a swap slot each, and no zram memory), then the rest is
 *	written with -d data (default zero: zram stores such pages for free),
 *	in THP with -H. Sets oom_score_adj to ADJ (default 0: children of a
 *	protected shell stay killable).
 *	Prints "ready swap_kb=N rss_kb=N" when done, holds the memory SECS
 *	seconds (default -1: until killed), exits 0.
 *   sdtool starve -p P -m MiB -f PCT -t SECS [-g PAGES] [-r RTPRIO] [-k MS]
 *		[-w MS] [-S STATS]
 *	P children map MiB each, fill it and page out PCT% in chunks of PAGES
 *	(default 1) in a random order (scattered slots: one free call per
 *	chunk at exit), like swapstorm storm -g. The parent becomes SCHED_FIFO 99 and
 *	starts a SCHED_FIFO RTPRIO (default 50) spinner on every online CPU
 *	for SECS seconds, SIGKILLs the children -k MS ms (default 100) later
 *	(with -w, the second half -w MS after the first half),
 *	samples STATS ("name: value" lines) 300 ms before the spinners stop,
 *	waits for them, then reaps the children. Prints key=value lines.
 *   sdtool mrelease -p P -m MiB -f PCT [-g PAGES]
 *	P children map MiB each, fill it and page out PCT% (in shuffled chunks
 *	of PAGES with -g); then each is SIGKILLed and at once reaped with
 *	process_mrelease() from here, as Android's LMKD does: the mm is torn
 *	down by this (not exiting) task and by the dying one's own exit, at
 *	the same time. Prints key=value lines.
 *   sdtool load [-n N] FILE [PARAMS]
 *	Load the module FILE with finit_module(), once (busybox insmod tries
 *	init_module() again after a failure). With -n, the Nth fault
 *	injection site this task reaches from then on fails
 *	(/proc/thread-self/fail-nth, CONFIG_FAULT_INJECTION). Prints load=ok
 *	or load=<error>, and fail_nth_left (0: the failure was injected).
 *	Exit status 0 when loaded, 1 when not.
 *   sdtool readas -u UID FILE...
 *	Opens each FILE for reading as uid and gid UID, without groups:
 *	prints "FILE open=ok" or "FILE open=<errno>".
 *
 * Exit status 0 on success, 2 on a setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define MIB (1024UL * 1024)

static void die(const char *what)
{
	fprintf(stderr, "sdtool: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int online_cpus(cpu_set_t *set)
{
	CPU_ZERO(set);
	if (sched_getaffinity(0, sizeof(*set), set))
		die("sched_getaffinity");
	return CPU_COUNT(set);
}

static void set_fifo(int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		die("sched_setscheduler(SCHED_FIFO)");
}

static void set_normal(int nice)
{
	struct sched_param sp = { .sched_priority = 0 };

	if (sched_setscheduler(0, SCHED_OTHER, &sp))
		die("sched_setscheduler(SCHED_OTHER)");
	if (setpriority(PRIO_PROCESS, 0, nice))
		die("setpriority");
}

/* Fork a spinner: on cpu (-1: any), SCHED_FIFO rtprio or nice, until end. */
static pid_t spinner(int cpu, int rtprio, int nice, double end)
{
	volatile unsigned long n = 0;
	pid_t pid = fork();
	cpu_set_t set;

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	alarm((unsigned int)(end - now_s()) + 2);
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	if (rtprio > 0)
		set_fifo(rtprio);
	else
		set_normal(nice);
	while (now_s() < end)
		for (int i = 0; i < 4096; i++)
			n++;
	_exit(0);
}

/* Start spinners on one CPU, every CPU (cpu == -2) or unpinned (-1). */
static int start_spinners(pid_t *pids, int cpu, int rtprio, int nice,
			  double end)
{
	cpu_set_t set;
	int c, n = 0;

	if (cpu != -2) {
		pids[n++] = spinner(cpu, rtprio, nice, end);
		return n;
	}
	online_cpus(&set);
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			pids[n++] = spinner(c, rtprio, nice, end);
	return n;
}

static void wait_all(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
}

static int do_spin(double secs, int cpu, int rtprio, int nice)
{
	pid_t pids[CPU_SETSIZE];
	int n = start_spinners(pids, cpu, rtprio, nice, now_s() + secs);

	wait_all(pids, n);
	printf("spinners=%d\n", n);
	return 0;
}

/* Every 64-bit word distinct: as in swapstorm. */
static inline uint64_t pattern(uint64_t seed, size_t word)
{
	return (seed << 40) ^ word ^ 0x5a00000000000000ULL;
}

enum fill_kind { FILL_ZERO, FILL_PATTERN, FILL_RANDOM };

static void fill(char *p, size_t bytes, enum fill_kind kind, uint64_t seed)
{
	uint64_t *w = (uint64_t *)p, x = seed * 0x9e3779b97f4a7c15ULL | 1;
	size_t i, n = bytes / 8;

	switch (kind) {
	case FILL_ZERO:		/* one write a page: a zero-filled page */
		for (i = 0; i < bytes; i += 4096)
			p[i] = 0;
		break;
	case FILL_PATTERN:
		for (i = 0; i < n; i++)
			w[i] = pattern(seed, i);
		break;
	case FILL_RANDOM:
		for (i = 0; i < n; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			w[i] = x;
		}
		break;
	}
}

/*
 * Page out len bytes in chunks; with shuffle, in a random order, so that
 * neighbouring pages get scattered swap slots (small nr per free call).
 */
static void page_out(char *p, size_t len, size_t chunk, int shuffle)
{
	size_t n = (len + chunk - 1) / chunk, i, j, t, *order;
	unsigned long long x = (uintptr_t)p ^ getpid();
	int pass;

	if (!len)
		return;
	order = malloc(n * sizeof(*order));
	if (!order)
		die("malloc");
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; shuffle && i > 0; i--) {	/* Fisher-Yates */
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		j = x % (i + 1);
		t = order[i]; order[i] = order[j]; order[j] = t;
	}
	/* A second pass catches pages still on a per-CPU LRU list. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			size_t off = order[i] * chunk;

			if (madvise(p + off, off + chunk > len ? len - off : chunk,
				    MADV_PAGEOUT))
				die("madvise(MADV_PAGEOUT)");
		}
	free(order);
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

static void set_oom_adj(int adj)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");

	if (!f || fprintf(f, "%d\n", adj) < 0 || fclose(f))
		die("oom_score_adj");
}

static int do_mem(long mib, long pct, enum fill_kind po_kind,
		  enum fill_kind kind, int thp, int adj, double hold)
{
	size_t bytes = mib * MIB, po = (bytes * pct / 100) & ~4095UL;
	size_t step = 16 * MIB, off;
	char *p;

	set_oom_adj(adj);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (po && madvise(p, po, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	if (bytes > po &&
	    madvise(p + po, bytes - po, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise(MADV_HUGEPAGE)");
	if (po) {
		fill(p, po, po_kind, getpid());
		page_out(p, po, po, 0);
	}
	for (off = po; off < bytes; off += step)
		fill(p + off, off + step > bytes ? bytes - off : step, kind,
		     getpid() + off);
	printf("ready swap_kb=%ld rss_kb=%ld\n",
	       proc_kb("/proc/self/status", "VmSwap"),
	       proc_kb("/proc/self/status", "VmRSS"));
	fflush(stdout);
	if (hold < 0)
		for (;;)
			pause();
	sleep_s(hold);
	return 0;
}

/* One value of a "name: value" stats file, or -1. */
static long stat_value(const char *file, const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long val = -1;
	FILE *f;

	if (!file || !(f = fopen(file, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			val = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return val;
}

static int do_starve(long procs, long mib, long pct, long chunk, double secs,
		     int rtprio, long kill_ms, long wave_ms, const char *stats)
{
	static const char * const keys[] = {
		"pending_entries", "deferred_entries", "freed_entries",
		"fallback_age", "age_drains", "drain_batches",
	};
	size_t bytes = mib * MIB, po = (bytes * pct / 100) & ~4095UL;
	pid_t *kids = calloc(procs, sizeof(*kids)), spin[CPU_SETSIZE];
	double t0, end, t_kill, t_spun, t_reaped = 0;
	int fds[2], i, nspin, reaped_during = 0, ret = 0;
	char c;

	if (!kids || pipe(fds))
		die("setup");
	for (i = 0; i < procs; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			die("fork");
		if (kids[i] == 0) {
			char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				die("mmap");
			if (madvise(p, bytes, MADV_NOHUGEPAGE))
				die("madvise");
			close(fds[0]);
			fill(p, bytes, FILL_PATTERN, i + 1);
			page_out(p, po, chunk * 4096, 1);
			if (write(fds[1], "r", 1) != 1)
				_exit(3);
			for (;;)
				pause();
		}
	}
	close(fds[1]);
	for (i = 0; i < procs; i++)
		if (read(fds[0], &c, 1) != 1) {
			fprintf(stderr, "sdtool: a child died before ready\n");
			return 2;
		}
	printf("swapfree_ready_kb=%ld\n", proc_kb("/proc/meminfo", "SwapFree"));

	set_fifo(99);
	t0 = now_s();
	end = t0 + secs;
	nspin = start_spinners(spin, -2, rtprio, 0, end);
	sleep_s(kill_ms / 1e3);
	t_kill = now_s();
	for (i = 0; i < procs; i++) {
		/* The second half wave_ms after the first, if asked. */
		if (wave_ms && i == procs / 2)
			sleep_s(wave_ms / 1e3);
		kill(kids[i], SIGKILL);
	}
	sleep_s(end - 0.3 - now_s());
	for (i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++)
		printf("%s_during=%ld\n", keys[i], stat_value(stats, keys[i]));
	/* Children already reaped while every CPU spun. */
	for (i = 0; i < procs; i++) {
		int st;

		if (waitpid(kids[i], &st, WNOHANG) == kids[i]) {
			reaped_during++;
			kids[i] = 0;
		}
	}
	wait_all(spin, nspin);
	t_spun = now_s();
	for (i = 0; i < procs; i++) {
		int st;

		if (kids[i] && waitpid(kids[i], &st, 0) != kids[i])
			ret = 1;
	}
	t_reaped = now_s();
	printf("spinners=%d\nspin_s=%.2f\nkill_at_s=%.2f\nreaped_during=%d\n"
	       "reaped_after_spin_ms=%.0f\n", nspin, t_spun - t0, t_kill - t0,
	       reaped_during, (t_reaped - t_spun) * 1e3);
	for (i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++)
		printf("%s_after=%ld\n", keys[i], stat_value(stats, keys[i]));
	return ret;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

static int do_mrelease(long procs, long mib, long pct, long chunk)
{
	size_t bytes = mib * MIB, po = (bytes * pct / 100) & ~4095UL;
	pid_t *kids = calloc(procs, sizeof(*kids));
	int fds[2], i, ok = 0, esrch = 0, other = 0, err = 0, ret = 0;
	char c;

	if (!kids || pipe(fds))
		die("setup");
	for (i = 0; i < procs; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			die("fork");
		if (kids[i] == 0) {
			char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				die("mmap");
			if (madvise(p, bytes, MADV_NOHUGEPAGE))
				die("madvise");
			close(fds[0]);
			fill(p, bytes, FILL_PATTERN, i + 1);
			page_out(p, po, chunk ? (size_t)chunk * 4096 : po, !!chunk);
			if (write(fds[1], "r", 1) != 1)
				_exit(3);
			for (;;)
				pause();
		}
	}
	close(fds[1]);
	for (i = 0; i < procs; i++)
		if (read(fds[0], &c, 1) != 1) {
			fprintf(stderr, "sdtool: a child died before ready\n");
			return 2;
		}
	printf("swapfree_ready_kb=%ld\n", proc_kb("/proc/meminfo", "SwapFree"));
	for (i = 0; i < procs; i++) {
		int pidfd = syscall(SYS_pidfd_open, kids[i], 0);

		if (pidfd < 0)
			die("pidfd_open");
		kill(kids[i], SIGKILL);
		if (!syscall(SYS_process_mrelease, pidfd, 0))
			ok++;
		else if (errno == ESRCH)
			esrch++;	/* its exit was first */
		else {
			other++;
			err = errno;
		}
		close(pidfd);
	}
	for (i = 0; i < procs; i++) {
		int st;

		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFSIGNALED(st))
			ret = 1;
	}
	printf("mrelease_ok=%d\nmrelease_esrch=%d\nmrelease_failed=%d\n",
	       ok, esrch, other);
	if (other)
		printf("mrelease_error=%s\n", strerror(err));
	printf("swapfree_after_kb=%ld\n", proc_kb("/proc/meminfo", "SwapFree"));
	return ret || other;
}

#ifndef SYS_finit_module
#define SYS_finit_module 313
#endif

static int do_load(const char *file, const char *params, long nth)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC), fn = -1, rc, err;
	char buf[32];
	ssize_t len;

	if (fd < 0)
		die(file);
	if (nth > 0) {
		fn = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (fn < 0)
			die("/proc/thread-self/fail-nth");
		len = snprintf(buf, sizeof(buf), "%ld", nth);
		if (write(fn, buf, len) != len)
			die("write fail-nth");
	}
	rc = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	if (fn >= 0) {
		len = pread(fn, buf, sizeof(buf) - 1, 0);
		buf[len > 0 ? len : 0] = 0;
		if (write(fn, "0", 1) != 1)	/* disarm what is left */
			die("write fail-nth");
		printf("fail_nth_left=%ld\n", strtol(buf, NULL, 10));
	}
	printf("load=%s\n", rc ? strerror(err) : "ok");
	return rc ? 1 : 0;
}

static int do_readas(uid_t uid, char **files, int n)
{
	int i, fd;

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		die("setuid");
	for (i = 0; i < n; i++) {
		fd = open(files[i], O_RDONLY);
		if (fd >= 0) {
			printf("%s open=ok\n", files[i]);
			close(fd);
		} else {
			printf("%s open=%s\n", files[i],
			       errno == EACCES ? "EACCES" : strerror(errno));
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sdtool spin -t SECS [-c CPU | -A] [-n NICE] [-r RTPRIO]\n"
		"       sdtool mem -m MiB [-f PCT] [-P KIND] [-d zero|pattern|random] [-H] [-a ADJ] [-t SECS]\n"
		"       sdtool starve -p P -m MiB -f PCT -t SECS [-g PAGES] [-r RTPRIO] [-k MS] [-w MS] [-S STATS]\n"
		"       sdtool mrelease -p P -m MiB -f PCT [-g PAGES]\n"
		"       sdtool load [-n N] FILE [PARAMS]\n"
		"       sdtool readas -u UID FILE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long procs = 4, mib = 64, pct = 0, kill_ms = 100, chunk = 1, wave_ms = 0;
	int opt, cpu = -1, rtprio = 0, nice = 0, thp = 0, adj = 0, uid = 65534;
	long nth = 0;
	enum fill_kind kind = FILL_ZERO, po_kind = FILL_PATTERN, *k;
	double secs = -1;
	const char *cmd, *stats = NULL;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "t:c:An:r:m:f:d:P:Ha:p:k:g:w:S:u:")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'A': cpu = -2; break;
		case 'a': adj = atoi(optarg); break;
		case 'r': rtprio = atoi(optarg); break;
		case 'm': mib = atol(optarg); break;
		case 'f': pct = atol(optarg); break;
		case 'd':
		case 'P':
			k = opt == 'd' ? &kind : &po_kind;
			if (!strcmp(optarg, "zero"))
				*k = FILL_ZERO;
			else if (!strcmp(optarg, "pattern"))
				*k = FILL_PATTERN;
			else if (!strcmp(optarg, "random"))
				*k = FILL_RANDOM;
			else
				usage();
			break;
		case 'H': thp = 1; break;
		case 'p': procs = atol(optarg); break;
		case 'k': kill_ms = atol(optarg); break;
		case 'g': chunk = atol(optarg); break;
		case 'w': wave_ms = atol(optarg); break;
		case 'S': stats = optarg; break;
		case 'u': uid = atoi(optarg); break;
		case 'n': nth = atol(optarg); nice = atoi(optarg); break;
		default: usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "spin")) {
		if (secs <= 0 || secs > 60)
			usage();
		return do_spin(secs, cpu, rtprio, nice);
	}
	if (!strcmp(cmd, "mem")) {
		if (mib < 1 || pct < 0 || pct > 100)
			usage();
		return do_mem(mib, pct, po_kind, kind, thp, adj, secs);
	}
	if (!strcmp(cmd, "starve")) {
		if (procs < 1 || mib < 1 || pct < 0 || pct > 100 || chunk < 1 ||
		    secs <= 0.5 ||
		    secs > 30 || rtprio > 98)
			usage();
		return do_starve(procs, mib, pct, chunk, secs,
				 rtprio > 0 ? rtprio : 50, kill_ms, wave_ms, stats);
	}
	if (!strcmp(cmd, "mrelease")) {
		if (procs < 1 || mib < 1 || pct < 0 || pct > 100 || chunk < 0)
			usage();
		return do_mrelease(procs, mib, pct, chunk);
	}
	if (!strcmp(cmd, "load")) {
		if (optind >= argc || argc - optind > 2)
			usage();
		return do_load(argv[optind], optind + 1 < argc ? argv[optind + 1] : "",
			       nth);
	}
	if (!strcmp(cmd, "readas")) {
		if (optind >= argc)
			usage();
		return do_readas(uid, argv + optind, argc - optind);
	}
	usage();
	return 2;
}
