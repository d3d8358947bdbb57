// SPDX-License-Identifier: MIT
/*
 * Memory that goes away under queued copies.  An application that unmaps
 * (or frees) a buffer while descriptors naming it are queued has a bug,
 * but the process must survive it: the software device reports the access
 * as the translation fault an IOMMU would give (step 10, sub-step 1,
 * XLATE) and never takes a signal; a kernel device keeps the pinned pages
 * until the registration is dropped, so its copies complete.  A fixed
 * case with the device stalled while the memory goes, then a fuzz of
 * threads that map, copy, unmap and free at random.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "helpers.h"

/*
 * Copy between two registered buffers with the device stalled, unmap the
 * source, let the device run: the copy fails with XLATE on the source
 * (software device) or completes (pinned pages).
 */
TEST(unmapped_source_under_a_queued_copy_is_a_translation_fault)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 0, 0);
	uint8_t *src = test_buf(65536), *dst = test_buf(65536);
	struct sdxi_error err;
	struct sdxi_batch b;
	uint64_t si, di, t;
	int ret;

	REQUIRE(ctx && src && dst);
	if (test_stall(dev, 1)) {
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
		SKIP("no fault injection on this device");
	}
	test_pattern(src, 65536, 3);
	CHECK_ERR(sdxi_mem_iova(ctx, src, 65536, SDXI_MEM_READ, &si), 0);
	CHECK_ERR(sdxi_mem_iova(ctx, dst, 65536, SDXI_MEM_WRITE, &di), 0);
	CHECK_ERR(sdxi_batch_start(ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_copy(&b, di, si, 65536, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	munmap(src, 65536);
	CHECK_ERR(test_stall(dev, 0), 0);
	memset(&err, 0, sizeof(err));
	ret = sdxi_wait(ctx, t, NULL, &err);
	if (test_is_soft(dev)) {
		CHECK_ERR(ret, -EFAULT);
		CHECK_EQ(err.step, 10);
		CHECK_EQ(err.sub_step, 1);
		CHECK_EQ(err.reason, SDXI_ERR_XLATE);
		CHECK_EQ(err.buf, 0);
		CHECK_EQ(err.addr, si);
		CHECK_ERR(sdxi_ctx_reset(ctx), 0);
	} else {
		CHECK_ERR(ret, 0);
		CHECK(test_pattern_ok(dst, 65536, 3));
	}
	/* The registration of the unmapped memory can still be dropped. */
	CHECK_ERR(sdxi_mem_unregister(ctx, src, 65536), 1);
	CHECK_ERR(sdxi_memcpy(ctx, dst + 4096, dst, 64), 0);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	test_buf_free(dst, 65536);
}

#define FUZZ_THREADS	4
#define FUZZ_ROUNDS	60

struct fuzz {
	struct sdxi_ctx *ctx;
	unsigned int seed;
	int bad;		/* outcomes other than success or a fault */
	int faults;
};

/*
 * One round: a source and a destination (mmap or malloc), a batch of
 * copies between them or sdxi_memcpy_async(), and then, at random, the
 * source unmapped or freed before the wait.  Outcomes: success, the
 * descriptor's -EFAULT, -ECANCELED behind a failure, or -EPIPE when the
 * shared context had stopped (another thread's fault); after a failure
 * one thread resets the context.
 */
static void fuzz_round(struct fuzz *f, unsigned int *rnd)
{
	size_t n = 4096u << (rand_r(rnd) % 6);
	int use_mmap = rand_r(rnd) % 2, early = rand_r(rnd) % 3 == 0;
	uint8_t *src = use_mmap ? test_buf(n) : malloc(n), *dst = malloc(n), *gone = NULL;
	uint64_t si, di, t = SDXI_TICKET_DONE;
	int ret = 0;

	if (!src || !dst) {
		f->bad++;
		goto out;
	}
	memset(src, 0x3c, n);
	if (rand_r(rnd) % 2) {
		ret = sdxi_memcpy_async(f->ctx, dst, src, n, &t);
	} else {
		struct sdxi_batch b = { 0 };

		ret = sdxi_mem_iova(f->ctx, src, n, SDXI_MEM_READ, &si);
		if (!ret)
			ret = sdxi_mem_iova(f->ctx, dst, n, SDXI_MEM_WRITE, &di);
		if (!ret)
			ret = sdxi_batch_start(f->ctx, &b, 4, SDXI_BATCH_WAIT);
		for (int i = 0; i < 4 && !ret; i++)
			ret = sdxi_batch_copy(&b, di + (uint64_t)i * (n / 4), si + (uint64_t)i * (n / 4),
					      n / 4, 0);
		if (b.ring)
			sdxi_batch_submit(&b, &t);
	}
	if (early) {
		/* Gone while the copy may still be queued. */
		if (use_mmap)
			munmap(src, n);
		else
			free(src);
		gone = src;
		src = NULL;
	}
	if (!ret)
		ret = sdxi_wait(f->ctx, t, NULL, NULL);
	if (ret == -EFAULT || ret == -ECANCELED || ret == -EPIPE) {
		f->faults++;
		sdxi_ctx_reset(f->ctx);
	} else if (ret) {
		f->bad++;
	}
out:
	if (src) {
		sdxi_mem_unregister(f->ctx, src, n);
		if (use_mmap)
			munmap(src, n);
		else
			free(src);
	} else if (gone) {
		sdxi_mem_unregister(f->ctx, gone, n);
	}
	if (dst) {
		sdxi_mem_unregister(f->ctx, dst, n);
		free(dst);
	}
}

static void *fuzz_thread(void *arg)
{
	struct fuzz *f = arg;
	unsigned int rnd = f->seed;

	for (int i = 0; i < FUZZ_ROUNDS; i++)
		fuzz_round(f, &rnd);
	return NULL;
}

TEST(fuzz_threads_unmap_and_free_buffers_under_queued_copies)
{
	struct sdxi_dev *dev = test_dev();
	struct fuzz f[FUZZ_THREADS];
	pthread_t th[FUZZ_THREADS];
	int faults = 0;

	REQUIRE(dev);
	for (int i = 0; i < FUZZ_THREADS; i++) {
		f[i] = (struct fuzz){ .ctx = test_ctx(dev, 0, 0), .seed = 1000u + (unsigned int)i };
		REQUIRE(f[i].ctx);
	}
	for (int i = 0; i < FUZZ_THREADS; i++)
		REQUIRE(!pthread_create(&th[i], NULL, fuzz_thread, &f[i]));
	for (int i = 0; i < FUZZ_THREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(f[i].bad, 0);
		faults += f[i].faults;
		sdxi_ctx_destroy(f[i].ctx);
	}
	printf("# %d of %d rounds ended in a fault\n", faults, FUZZ_THREADS * FUZZ_ROUNDS);
	sdxi_dev_close(dev);
}
