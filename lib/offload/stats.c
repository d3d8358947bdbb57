// SPDX-License-Identifier: MIT
/*
 * SDXI_OFFLOAD_STATS=1: calls, bytes and time per function, size class
 * and path, the fallbacks by reason and the device errors, printed to
 * stderr at exit.  Each thread counts into a slot of its own (taken on
 * its first counted call, kept after it exits); threads beyond the
 * static slots share the last one.  Counting uses atomics and
 * clock_gettime() only, so it is safe in signal handlers and calls no
 * interposed function.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "offload.h"

#define NCLASS	6	/* <256, <4K, <64K, <1M, <16M, >=16M */
#define NSLOT	64

struct oflo_stats {
	uint64_t calls[OFLO_NFN][NCLASS][2];
	uint64_t bytes[OFLO_NFN][NCLASS][2];
	uint64_t ns[OFLO_NFN][NCLASS][2];
	uint64_t fallback[OFLO_NFB];
	uint64_t errors;
};

static struct oflo_stats slots[NSLOT];
static unsigned int slots_used;
static int last_error;

uint64_t oflo_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct oflo_stats *mine(void)
{
	struct oflo_stats *s = oflo_self.stats;
	unsigned int i;

	if (s)
		return s;
	i = __atomic_fetch_add(&slots_used, 1, __ATOMIC_RELAXED);
	s = &slots[i < NSLOT ? i : NSLOT - 1];
	oflo_self.stats = s;
	return s;
}

static int size_class(size_t n)
{
	int c = 0;

	for (size_t lim = 256; c < NCLASS - 1 && n >= lim; lim <<= 4)
		c++;
	return c;
}

void oflo_stats_count(enum oflo_fn fn, size_t n, int dev, uint64_t ns)
{
	struct oflo_stats *s = mine();
	int c = size_class(n);

	__atomic_add_fetch(&s->calls[fn][c][dev], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->bytes[fn][c][dev], n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->ns[fn][c][dev], ns, __ATOMIC_RELAXED);
}

void oflo_stats_fallback(enum oflo_fallback why)
{
	if (oflo_cfg.stats)
		__atomic_add_fetch(&mine()->fallback[why], 1, __ATOMIC_RELAXED);
}

void oflo_stats_error(int err)
{
	__atomic_add_fetch(&mine()->errors, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&last_error, err, __ATOMIC_RELAXED);
}

/* A fork() child counts from zero. */
void oflo_stats_fork_child(void)
{
	for (unsigned int i = 0; i < NSLOT; i++)
		memset(&slots[i], 0, sizeof(slots[i]));
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 1)
		len = sizeof(line) - 1;
	for (int off = 0; len > 0 && off < len;) {
		ssize_t w = write(STDERR_FILENO, line + off, (size_t)(len - off));

		if (w <= 0)
			break;
		off += (int)w;
	}
}

static const char *const fn_names[OFLO_NFN] = { "memcpy", "memmove", "memset" };
static const char *const class_names[NCLASS] = { "<256", "256-4K", "4K-64K", "64K-1M",
						  "1M-16M", ">=16M" };
static const char *const fb_names[OFLO_NFB] = { "signal", "child", "overlap", "unreachable",
						"error", "nodev", "exit", "busy", "removed" };

void oflo_stats_report(void)
{
	static struct oflo_stats sum;
	struct oflo_dev_summary d;
	uint64_t min = __atomic_load_n(&oflo_min, __ATOMIC_RELAXED);
	char thr[32];

	if (!oflo_cfg.stats)
		return;
	for (unsigned int i = 0; i < NSLOT; i++) {
		uint64_t *a = (uint64_t *)&sum, *b = (uint64_t *)&slots[i];

		for (size_t k = 0; k < sizeof(sum) / sizeof(uint64_t); k++)
			a[k] += __atomic_load_n(&b[k], __ATOMIC_RELAXED);
	}
	oflo_dev_summary(&d);
	if (min == UINT64_MAX)
		snprintf(thr, sizeof(thr), "never (CPU always)");
	else
		snprintf(thr, sizeof(thr), "%llu B", (unsigned long long)min);
	out("sdxi-offload: pid %d device %s threshold %s (%s) contexts %u (%s)\n", (int)getpid(),
	    d.path, thr, d.threshold_src, d.contexts, oflo_cfg.shared ? "pool" : "per thread");
	if (d.cpu_bps)
		out("sdxi-offload: measured cpu %llu MB/s, device %llu MB/s + %llu ns per call\n",
		    (unsigned long long)(d.cpu_bps / 1000000), (unsigned long long)(d.dev_bps / 1000000),
		    (unsigned long long)d.dev_fixed_ns);
	out("sdxi-offload: %-8s %-7s %-6s %12s %15s %12s %9s\n", "function", "size", "path",
	    "calls", "bytes", "time_us", "MB/s");
	for (int f = 0; f < OFLO_NFN; f++)
		for (int c = 0; c < NCLASS; c++)
			for (int p = 0; p < 2; p++) {
				uint64_t n = sum.calls[f][c][p], by = sum.bytes[f][c][p];
				uint64_t ns = sum.ns[f][c][p];

				if (!n)
					continue;
				out("sdxi-offload: %-8s %-7s %-6s %12llu %15llu %12llu %9llu\n",
				    fn_names[f], class_names[c], p ? "device" : "cpu",
				    (unsigned long long)n, (unsigned long long)by,
				    (unsigned long long)(ns / 1000),
				    (unsigned long long)(ns ? by * 1000 / ns : 0));
			}
	out("sdxi-offload: fallbacks");
	for (int i = 0; i < OFLO_NFB; i++)
		out(" %s %llu", fb_names[i], (unsigned long long)sum.fallback[i]);
	out("\nsdxi-offload: device errors %llu (last %d) split calls %lu\n",
	    (unsigned long long)sum.errors, last_error, d.split_calls);
}
