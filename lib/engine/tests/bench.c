// SPDX-License-Identifier: MIT
/*
 * make bench: the engine's COPY throughput at 4 KiB .. 4 MiB next to
 * memcpy on the same buffers, the engine's cost per NOP descriptor, and
 * how long the admin context waits behind every client context flooded
 * with long transfers.  Host-native; not a test (nothing is asserted).
 *
 * The host is the test fixture without its trace hook, as libsdxi's
 * software device (a hook costs one more call per descriptor; the NOP
 * cost is also printed with it, as the QEMU model has one).  Each COPY
 * measurement runs batches of descriptors (one doorbell and one CST_BLK
 * per batch) and times only the engine's execution; memcpy copies the
 * same bytes between the same buffers in batches of the same size.  Both
 * report the median batch, so that a shared machine's preemptions do not
 * count, and the best of three runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

static const struct sdxie_as FN = { 0 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Queue @n copies of @len bytes without running them. */
static void queue_copies(struct fx *fx, uint64_t src, uint64_t dst, uint64_t len, int n)
{
	union sdxi_desc d = d_copy(src, dst, len);

	for (int i = 0; i < n; i++)
		fx_put(fx, 1, &d, i == n - 1);
	fx_doorbell(fx, 1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of @n samples (reordered). */
static double median(double *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_double);
	return t[n / 2];
}

static int per_batch(uint64_t len)
{
	return len >= (1 << 20) ? 4 : 64;
}

/* One measurement: the engine's COPYs or memcpy, on the same buffers. */
struct batch {
	struct fx *fx;
	uint64_t src, dst, len;		/* device addresses */
	void *to;
	const void *from;		/* their host pointers */
};

static void engine_queue(struct batch *b)
{
	queue_copies(b->fx, b->src, b->dst, b->len, per_batch(b->len));
}

static void engine_run(struct batch *b)
{
	fx_run(b->fx);
}

static void cpu_run(struct batch *b)
{
	void *to = b->to;
	const void *from = b->from;
	uint64_t len = b->len;
	int n = per_batch(len);

	for (int k = 0; k < n; k++) {
		memcpy(to, from, len);
		__asm__ volatile("" : : "r"(to) : "memory");
	}
}

/*
 * GB/s of the median batch over @total bytes: @prepare (untimed, may be
 * NULL) then @run (timed), per batch.
 */
static double batch_gbs(struct batch *b, uint64_t total,
			void (*prepare)(struct batch *), void (*run)(struct batch *))
{
	uint64_t bytes = b->len * per_batch(b->len);
	size_t n = total / bytes;
	double *t = malloc(n * sizeof(*t)), gbs;

	if (!t)
		abort();
	for (size_t i = 0; i < n; i++) {
		double t0;

		if (prepare)
			prepare(b);
		t0 = now();
		run(b);
		t[i] = now() - t0;
	}
	gbs = bytes / median(t, n) / 1e9;
	free(t);
	return gbs;
}

/* ns per NOP: the median of 64 runs of 16384 NOPs (no CST_BLK). */
static double nop_cost(struct fx *fx)
{
	union sdxi_desc n = d_nop();
	double t[64];

	for (int b = 0; b < 64; b++) {
		double t0;

		for (int i = 0; i < 16384; i++)
			fx_put(fx, 1, &n, false);
		fx_doorbell(fx, 1);
		t0 = now();
		fx_run(fx);
		t[b] = (now() - t0) / 16384;
	}
	return median(t, 64) * 1e9;
}

/*
 * Every client context (1..127) queues 4 MiB COPYs and 1-byte REPCOPYs
 * over 1 MiB, with 4 KiB host mappings (an IOMMU's pages).  The host runs
 * the engine as the QEMU glue does (sdxie_run() with a budget of one
 * burst, again while work remains); an admin NOP is rung after the first
 * call.  Reported: the longest single call (how long a doorbell write can
 * wait for the lock the call holds), and from the admin doorbell to the
 * end of the call that completed it: the time, the calls, and the client
 * descriptors and bytes they retired and moved.
 */
static void admin_under_flood(void)
{
	union sdxi_desc c, r, n = d_nop();
	double longest = 0, t0, t;
	uint64_t src, dst, i, bytes0, retired0;
	unsigned int calls = 0;
	struct sdxie_stats st;
	struct fx fx;

	fx_init(&fx, NULL);
	for (uint32_t id = 1; id <= SDXIE_DEFAULT_MAX_CXT; id++)
		if (fx_cxt_new(&fx, id, 1024, FN))
			return;
	fx.map_chunk = 4096;
	src = fx_alloc(&fx, FN, 4 << 20, 4096);
	dst = fx_alloc(&fx, FN, 4 << 20, 4096);
	c = d_copy(src, dst, 4 << 20);
	r = d_repcopy(src, dst, 1, 1 << 20);
	for (uint32_t id = 1; id <= SDXIE_DEFAULT_MAX_CXT; id++) {
		for (int k = 0; k < 4; k++)
			fx_put(&fx, id, (id + k) & 1 ? &r : &c, false);
		fx_doorbell(&fx, id);
	}
	t0 = now();
	sdxie_run(fx.fn, fx.cfg.burst);
	longest = now() - t0;

	i = fx_submit(&fx, 0, &n, true);
	sdxie_get_stats(fx.fn, &st);
	bytes0 = st.bytes;
	retired0 = st.descriptors;
	t0 = now();
	while (fx_csb(&fx, 0, i) < 0) {
		t = now();
		sdxie_run(fx.fn, fx.cfg.burst);
		calls++;
		longest = now() - t > longest ? now() - t : longest;
	}
	t = now() - t0;
	sdxie_get_stats(fx.fn, &st);
	/* More calls of the flood, for the longest one. */
	for (int k = 0; k < 50; k++) {
		double t1 = now();

		sdxie_run(fx.fn, fx.cfg.burst);
		longest = now() - t1 > longest ? now() - t1 : longest;
	}
	printf("admin NOP behind %d flooded contexts: done in %u call(s), %.1f us, "
	       "%llu client descriptors and %llu KiB in them; longest call %.1f us\n",
	       SDXIE_DEFAULT_MAX_CXT, calls, t * 1e6,
	       (unsigned long long)(st.descriptors - retired0 - 1),
	       (unsigned long long)((st.bytes - bytes0) >> 10), longest * 1e6);
	fx_fini(&fx);
}

int main(void)
{
	static const uint64_t sizes[] = { 4096, 65536, 1 << 20, 4 << 20 };
	struct fx fx;
	uint64_t src, dst;

	fx_init_untraced(&fx, NULL);
	if (fx_cxt_new(&fx, 1, 16384, FN))
		return 1;
	src = fx_alloc(&fx, FN, 4 << 20, 4096);
	dst = fx_alloc(&fx, FN, 4 << 20, 4096);
	memset(fx_ptr(&fx, FN, src), 0x3c, 4 << 20);
	memset(fx_ptr(&fx, FN, dst), 0, 4 << 20);

	printf("engine COPY vs memcpy (GB/s = 1e9 bytes/s, same buffers, hot cache)\n");
	printf("%10s %12s %12s %8s\n", "size", "engine", "memcpy", "ratio");
	for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct batch b = { .fx = &fx, .src = src, .dst = dst, .len = sizes[k],
				   .to = fx_ptr(&fx, FN, dst), .from = fx_ptr(&fx, FN, src) };
		uint64_t total = 2ULL << 30;
		double e, c;

		/* Warm up both paths, then take the best of three. */
		batch_gbs(&b, 64ULL << 20, engine_queue, engine_run);
		batch_gbs(&b, 64ULL << 20, NULL, cpu_run);
		e = c = 0;
		for (int rep = 0; rep < 3; rep++) {
			double x = batch_gbs(&b, total, engine_queue, engine_run);
			double y = batch_gbs(&b, total, NULL, cpu_run);

			e = x > e ? x : e;
			c = y > c ? y : c;
		}
		printf("%7llu KiB %12.2f %12.2f %8.2f\n", (unsigned long long)(b.len >> 10),
		       e, c, e / c);
	}

	printf("engine NOP: %.1f ns per descriptor (no CST_BLK)\n", nop_cost(&fx));
	fx_fini(&fx);
	fx_init(&fx, NULL);
	if (fx_cxt_new(&fx, 1, 16384, FN))
		return 1;
	printf("engine NOP with a trace hook: %.1f ns per descriptor\n", nop_cost(&fx));
	fx_fini(&fx);
	admin_under_flood();
	return 0;
}
