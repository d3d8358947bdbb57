// SPDX-License-Identifier: MIT
/*
 * make bench: the engine's COPY throughput at 4 KiB .. 4 MiB next to
 * memcpy on the same buffers, the engine's cost per NOP descriptor, and
 * how long the admin context waits behind every client context flooded
 * with long transfers.  Host-native; not a test (nothing is asserted).
 *
 * Each COPY measurement runs batches of descriptors (one doorbell and one
 * CST_BLK per batch) and times only the engine's execution; memcpy copies
 * the same bytes between the same buffers.
 */
#include <stdio.h>
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

static double engine_copy(struct fx *fx, uint64_t src, uint64_t dst, uint64_t len,
			  uint64_t total)
{
	int per_batch = len >= (1 << 20) ? 4 : 64;
	double t = 0;

	for (uint64_t moved = 0; moved < total; moved += len * per_batch) {
		double t0;

		queue_copies(fx, src, dst, len, per_batch);
		t0 = now();
		fx_run(fx);
		t += now() - t0;
	}
	return total / t / 1e9;
}

static double cpu_copy(void *dst, const void *src, uint64_t len, uint64_t total)
{
	double t0 = now();

	for (uint64_t moved = 0; moved < total; moved += len) {
		memcpy(dst, src, len);
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return total / (now() - t0) / 1e9;
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
	int nops = 1 << 20;
	double t, t0;

	fx_init(&fx, NULL);
	if (fx_cxt_new(&fx, 1, 16384, FN))
		return 1;
	src = fx_alloc(&fx, FN, 4 << 20, 4096);
	dst = fx_alloc(&fx, FN, 4 << 20, 4096);
	memset(fx_ptr(&fx, FN, src), 0x3c, 4 << 20);
	memset(fx_ptr(&fx, FN, dst), 0, 4 << 20);

	printf("engine COPY vs memcpy (GB/s = 1e9 bytes/s, same buffers, hot cache)\n");
	printf("%10s %12s %12s %8s\n", "size", "engine", "memcpy", "ratio");
	for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint64_t len = sizes[k], total = 2ULL << 30;
		double e, c;

		/* Warm up both paths, then take the best of three. */
		engine_copy(&fx, src, dst, len, 64ULL << 20);
		cpu_copy(fx_ptr(&fx, FN, dst), fx_ptr(&fx, FN, src), len, 64ULL << 20);
		e = c = 0;
		for (int rep = 0; rep < 3; rep++) {
			double x = engine_copy(&fx, src, dst, len, total);
			double y = cpu_copy(fx_ptr(&fx, FN, dst), fx_ptr(&fx, FN, src), len, total);

			e = x > e ? x : e;
			c = y > c ? y : c;
		}
		printf("%7llu KiB %12.2f %12.2f %8.2f\n", (unsigned long long)(len >> 10),
		       e, c, e / c);
	}

	/* NOPs: fill the ring ahead, time only execution. */
	t = 0;
	for (int done = 0; done < nops; done += 16384) {
		union sdxi_desc n = d_nop();

		for (int i = 0; i < 16384; i++)
			fx_put(&fx, 1, &n, false);
		fx_doorbell(&fx, 1);
		t0 = now();
		fx_run(&fx);
		t += now() - t0;
	}
	printf("engine NOP: %.1f ns per descriptor (%d descriptors, no CST_BLK)\n",
	       t / nops * 1e9, nops);
	fx_fini(&fx);
	admin_under_flood();
	return 0;
}
