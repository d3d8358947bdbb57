// SPDX-License-Identifier: MIT
/*
 * make bench: libsdxi's submission cost and sdxi_memcpy throughput on the
 * software device.  Not a test: nothing is asserted, figures are printed.
 *
 * 1. Instructions per descriptor for encode + submit, counted by callgrind
 *    (the program re-runs itself under valgrind with --collect-atstart=no
 *    and brackets each measured loop with CALLGRIND_TOGGLE_COLLECT, which
 *    is per thread, so the engine thread executing the descriptors is not
 *    counted).  COPY descriptors of 64 bytes (32 different source and
 *    destination offsets, so that nothing is loop invariant), at batch 1
 *    and 16, through the library (batch start, sdxi_batch_copy, submit:
 *    argument checks included) and through a minimal hand-written loop
 *    that writes the same slots, the same CST_BLK (the batch's last), the
 *    same W and rings the same doorbell with no checks.
 * 2. sdxi_memcpy throughput on the software device with its default
 *    offload policy, 64 B to 4 MiB, next to memcpy() on the same buffers
 *    (and the device path forced, for comparison).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <valgrind/callgrind.h>

#include "sdxi.h"

#define RING		16384
/*
 * In the "stream" table the copies walk through buffers of this size (or
 * of one copy, if larger): every call copies other bytes, as a stream of
 * copies in a program does.  The "hot" table copies the same bytes again
 * and again, the harshest case for any per-call cost.
 */
#define STREAM_SPAN	(256u << 10)
#define PER_SECTION	8192		/* descriptors per measured loop */
#define ROUNDS		5		/* measured loops per section */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


static void drain(struct sdxi_ctx *ctx, uint64_t t)
{
	if (sdxi_wait(ctx, t, NULL, NULL))
		fprintf(stderr, "bench: wait failed\n");
}

/* The library: reserve, encode with checks, submit. */
__attribute__((noinline)) static uint64_t lib_loop(struct sdxi_ctx *ctx, uint64_t dst, uint64_t src, unsigned int batch)
{
	uint64_t t = 0;

	for (unsigned int k = 0; k < PER_SECTION; k += batch) {
		struct sdxi_batch b;

		if (sdxi_batch_start(ctx, &b, batch, SDXI_BATCH_WAIT))
			abort();
		for (unsigned int i = 0; i < batch; i++) {
			uint64_t off = (uint64_t)((k + i) % 32) * 64;

			if (sdxi_batch_copy(&b, dst + off, src + off, 64, 0))
				abort();
		}
		sdxi_batch_submit(&b, &t);
	}
	return t;
}

/*
 * By hand: the same protocol with nothing checked.  Reserve against the
 * cached read index, per slot write qwords 1-7 then qword 0 with vl
 * (release), arm the last slot's CST_BLK and point its qword 7 at it,
 * store W (release), ring the doorbell.
 */
__attribute__((noinline)) static uint64_t hand_loop(struct sdxi_ctx *ctx, uint64_t dst, uint64_t src, unsigned int batch)
{
	struct sdxi_ring *r = sdxi__ring(ctx);
	union sdxi_desc *ring = r->desc;
	struct sdxi_cst_blk *csb = r->csb;
	const uint64_t csb_iova = r->csb_iova;
	const uint64_t q0 = SDXI_DSC_VL | SDXI_FIELD_PREP(SDXI_DSC_TYPE, 1ULL) |
			    SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, 3ULL) | (63ULL << 32);
	const uint64_t q1 = (uint64_t)r->akey << 32 | (uint64_t)r->akey << 48;
	uint64_t t = r->tail, rd = r->cached_r;

	for (unsigned int k = 0; k < PER_SECTION; k += batch) {
		uint32_t last = (uint32_t)(t + batch - 1) & (RING - 1);

		while (t + batch - rd > RING)
			rd = __atomic_load_n(&r->sts->read_index, __ATOMIC_ACQUIRE);
		for (unsigned int i = 0; i < batch; i++) {
			union sdxi_desc *d = &ring[(uint32_t)(t + i) & (RING - 1)];
			uint64_t off = (uint64_t)((k + i) % 32) * 64;

			d->qw[1] = q1;
			d->qw[2] = src + off;
			d->qw[3] = dst + off;
			d->qw[4] = 0;
			d->qw[5] = 0;
			d->qw[6] = 0;
			d->qw[7] = SDXI_DSC_NP;
			__atomic_store_n(&d->qw[0], q0, __ATOMIC_RELEASE);
		}
		csb[last].signal = 1;
		csb[last].flags = 0;
		ring[last].qw[7] = csb_iova + last * 32;
		t += batch;
		__atomic_store_n(r->wi, t, __ATOMIC_RELEASE);
		__sdxi_doorbell(r, t);
	}
	r->tail = t;
	r->cached_r = rd;
	return r->base + t - 1;
}

static int setup(struct sdxi_dev **dev, struct sdxi_ctx **ctx, uint8_t **buf, size_t len)
{
	struct sdxi_ctx_opts o = { .ring_entries = RING };

	if (sdxi_dev_open("soft", dev) || sdxi_ctx_create(*dev, &o, ctx))
		return -1;
	*buf = aligned_alloc(4096, len);
	if (!*buf)
		return -1;
	memset(*buf, 0x5a, len);
	return sdxi_mem_register(*ctx, *buf, len, SDXI_MEM_READ | SDXI_MEM_WRITE);
}

/* Under callgrind: four measured sections, one dump each. */
static int callgrind_child(void)
{
	static const struct {
		const char *name;
		int lib;
		unsigned int batch;
	} sec[] = {
		{ "lib-b1", 1, 1 }, { "lib-b16", 1, 16 },
		{ "hand-b1", 0, 1 }, { "hand-b16", 0, 16 },
	};
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	uint8_t *buf;
	uint64_t src, dst;

	if (setup(&dev, &ctx, &buf, 8192))
		return 1;
	src = (uint64_t)(uintptr_t)buf;
	dst = src + 4096;
	for (unsigned int s = 0; s < sizeof(sec) / sizeof(sec[0]); s++) {
		uint64_t t;

		/*
		 * A warm-up round (first touches), then ROUNDS measured ones;
		 * the report takes the smallest.  Rounds differ only when a
		 * doorbell finds the engine thread asleep and pays for the
		 * futex wake-up, which depends on thread timing.
		 */
		for (int round = 0; round <= ROUNDS; round++) {
			if (round) {
				CALLGRIND_ZERO_STATS;
				CALLGRIND_TOGGLE_COLLECT;
			}
			t = sec[s].lib ? lib_loop(ctx, dst, src, sec[s].batch) :
					 hand_loop(ctx, dst, src, sec[s].batch);
			if (round) {
				CALLGRIND_TOGGLE_COLLECT;
				CALLGRIND_DUMP_STATS_AT(sec[s].name);
			}
			drain(ctx, t);
		}
	}
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	free(buf);
	return 0;
}

/* Smallest Ir of the dumps named @name among @dir/cg.out.N; -1 if none. */
static long long read_dump(const char *dir, const char *name)
{
	char path[512], line[512], want[128];
	long long best = -1;

	snprintf(want, sizeof(want), "desc: Trigger: Client Request: %s\n", name);
	for (int i = 1; i < 256; i++) {
		int match = 0;
		long long ir = -1;
		FILE *f;

		snprintf(path, sizeof(path), "%s/cg.out.%d", dir, i);
		f = fopen(path, "r");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			if (!strcmp(line, want))
				match = 1;
			if (!strncmp(line, "totals:", 7))
				ir = atoll(line + 7);
		}
		fclose(f);
		if (match && ir >= 0 && (best < 0 || ir < best))
			best = ir;
	}
	return best;
}

static void instructions(const char *self, const char *dir)
{
	char cmd[1024];
	long long lb1, lb16, hb1, hb16;

	snprintf(cmd, sizeof(cmd), "rm -f %s/cg.out*; valgrind --tool=callgrind --collect-atstart=no "
		 "--callgrind-out-file=%s/cg.out %s --callgrind > %s/callgrind.log 2>&1",
		 dir, dir, self, dir);
	if (system(cmd)) {
		printf("callgrind run failed (is valgrind installed?); see %s/callgrind.log\n", dir);
		return;
	}
	lb1 = read_dump(dir, "lib-b1");
	lb16 = read_dump(dir, "lib-b16");
	hb1 = read_dump(dir, "hand-b1");
	hb16 = read_dump(dir, "hand-b16");
	if (lb1 < 0 || lb16 < 0 || hb1 < 0 || hb16 < 0) {
		printf("callgrind dumps missing in %s\n", dir);
		return;
	}
	printf("encode + submit, 64-byte COPY with CST_BLK, software device\n");
	printf("(callgrind Ir per descriptor, best of %d loops of %d descriptors)\n", ROUNDS,
	       PER_SECTION);
	printf("%8s %14s %14s %8s\n", "batch", "libsdxi/desc", "by hand/desc", "ratio");
	printf("%8d %14.1f %14.1f %8.2f\n", 1, (double)lb1 / PER_SECTION,
	       (double)hb1 / PER_SECTION, (double)lb1 / (double)hb1);
	printf("%8d %14.1f %14.1f %8.2f\n", 16, (double)lb16 / PER_SECTION,
	       (double)hb16 / PER_SECTION, (double)lb16 / (double)hb16);
	printf("goals: ratio <= 1.10; libsdxi <= 150 instructions per descriptor at batch 16\n\n");
}

/*
 * Seconds for @reps calls of sdxi_memcpy() (@ctx) or memcpy() (NULL) of
 * @n bytes between the same two buffers: CPU time of this thread when
 * @cpu_time (the copy runs here, and time spent descheduled on a shared
 * machine is not the copy's), else wall time.
 */
static double run_copies(struct sdxi_ctx *ctx, uint8_t *dst, const uint8_t *src, size_t n,
			 long reps, int cpu_time, size_t span)
{
	clockid_t id = cpu_time ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC;
	size_t off = 0;
	double t0 = clock_s(id);

	if (span < n)
		span = n;
	for (long i = 0; i < reps; i++) {
		if (ctx) {
			if (sdxi_memcpy(ctx, dst + off, src + off, n))
				abort();
		} else {
			memcpy(dst + off, src + off, n);
		}
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		off += n;
		if (off + n > span)
			off = 0;
	}
	return clock_s(id) - t0;
}

/* Calls of @ctx's (or memcpy's) copy of @n that take about 2 ms. */
static long calibrate(struct sdxi_ctx *ctx, uint8_t *dst, const uint8_t *src, size_t n,
		      size_t span)
{
	long reps = 1;

	while (run_copies(ctx, dst, src, n, reps, 0, span) < 0.002)
		reps *= 2;
	return reps;
}

/*
 * Throughput of @ctx's sdxi_memcpy() (its CPU path: measured in CPU time)
 * and of memcpy() at @n: alternating trials of the same number of calls
 * (about 2 ms), best of TRIALS for each, so that a trial disturbed by the
 * rest of a shared machine does not count.  Bytes per second.
 */
#define TRIALS	41
static void throughput(struct sdxi_ctx *ctx, uint8_t *dst, const uint8_t *src, size_t n,
		       size_t span, double *lib_bps, double *cpu_bps)
{
	long reps = calibrate(NULL, dst, src, n, span);
	double best_lib = 1e30, best_cpu = 1e30;

	for (int t = 0; t < TRIALS; t++) {
		double a = run_copies(ctx, dst, src, n, reps, 1, span);
		double c = run_copies(NULL, dst, src, n, reps, 1, span);

		best_lib = a < best_lib ? a : best_lib;
		best_cpu = c < best_cpu ? c : best_cpu;
	}
	*lib_bps = (double)n * (double)reps / best_lib;
	*cpu_bps = (double)n * (double)reps / best_cpu;
}

/*
 * Throughput of @ctx's sdxi_memcpy() through the device: wall time (the
 * engine thread copies), best of 5 trials of about 2 ms.
 */
static double throughput_alone(struct sdxi_ctx *ctx, uint8_t *dst, const uint8_t *src, size_t n)
{
	long reps = calibrate(ctx, dst, src, n, STREAM_SPAN);
	double best = 1e30;

	for (int t = 0; t < 5; t++) {
		double a = run_copies(ctx, dst, src, n, reps, 0, STREAM_SPAN);

		best = a < best ? a : best;
	}
	return (double)n * (double)reps / best;
}

static const char *policy_source(uint32_t s)
{
	static const char *const names[] = { "unset", "measured", "software device",
					     "environment", "application" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/*
 * sdxi_memcpy() on the software device with its default offload policy
 * against memcpy(), 64 B to 4 MiB; then the same calls forced onto the
 * device (offload threshold 0), which the policy avoids.
 */
static void memcpy_table(void)
{
	const size_t max = 4u << 20;
	struct sdxi_policy pol, dev_always = { .offload_min = 0 };
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx, *forced;
	uint8_t *buf;
	double worst = 1e30;

	if (sdxi_dev_open("soft", &dev) || sdxi_ctx_create(dev, NULL, &ctx) ||
	    sdxi_ctx_create(dev, NULL, &forced) || sdxi_ctx_set_policy(forced, &dev_always) ||
	    sdxi_ctx_policy(ctx, &pol)) {
		printf("software device unavailable\n");
		return;
	}
	buf = aligned_alloc(4096, 2 * max);
	if (!buf)
		abort();
	memset(buf, 0x5a, 2 * max);
	printf("sdxi_memcpy (synchronous) vs memcpy, software device, GB/s (1e9 B/s)\n");
	printf("offload policy: %s, threshold %s; best of %d alternating trials per size,\n"
	       "CPU time of the calling thread (device column: wall time)\n",
	       policy_source(pol.source),
	       pol.offload_min == SDXI_OFFLOAD_NEVER ? "never (CPU always)" : "finite", TRIALS);
	printf("stream: each call copies the next n bytes of %u KiB buffers; hot: the same n bytes\n",
	       STREAM_SPAN >> 10);
	printf("%10s %12s %10s %8s %16s %12s %10s %8s\n", "size", "sdxi_memcpy", "memcpy",
	       "ratio", "device (forced)", "hot: sdxi", "memcpy", "ratio");
	for (size_t n = 64; n <= max; n *= 4) {
		double lib, cpu, dev_bps, hlib, hcpu;

		throughput(ctx, buf + max, buf, n, STREAM_SPAN, &lib, &cpu);
		throughput(ctx, buf + max, buf, n, 0, &hlib, &hcpu);
		dev_bps = throughput_alone(forced, buf + max, buf, n);
		printf("%8zu B %12.2f %10.2f %8.2f %16.2f %12.2f %10.2f %8.2f\n", n, lib / 1e9,
		       cpu / 1e9, lib / cpu, dev_bps / 1e9, hlib / 1e9, hcpu / 1e9, hlib / hcpu);
		worst = lib / cpu < worst ? lib / cpu : worst;
	}
	printf("goal: stream sdxi_memcpy >= 0.90x memcpy at every size; lowest ratio %.2f\n", worst);
	sdxi_mem_unregister(forced, buf, 2 * max);
	sdxi_ctx_destroy(ctx);
	sdxi_ctx_destroy(forced);
	sdxi_dev_close(dev);
	free(buf);
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";

	if (argc > 1 && !strcmp(argv[1], "--callgrind"))
		return callgrind_child();
	if (argc > 2 && !strcmp(argv[1], "--out"))
		dir = argv[2];
	mkdir(dir, 0755);
	instructions(argv[0], dir);
	memcpy_table();
	return 0;
}
