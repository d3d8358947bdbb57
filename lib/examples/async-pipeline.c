// SPDX-License-Identifier: MIT
/*
 * async-pipeline: copy a large buffer as a pipeline of batches, keeping
 * several batches in flight.  Memory is registered explicitly; each batch
 * of 16 COPY descriptors is one reservation, one doorbell and one ticket.
 * The oldest batch is waited for before its chunk is checked, while the
 * device works on the younger ones.
 *
 *   cc $(pkg-config --cflags sdxi) async-pipeline.c $(pkg-config --libs sdxi)
 *   SDXI_DEVICE=soft ./a.out
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sdxi.h>

#define TOTAL		(64u << 20)	/* bytes to copy */
#define CHUNK		(64u << 10)	/* bytes per descriptor */
#define BATCH		16		/* descriptors per batch */
#define IN_FLIGHT	8		/* batches outstanding */

static int fail(const char *what, int ret)
{
	fprintf(stderr, "%s: %s\n", what, strerror(-ret));
	return 1;
}

int main(void)
{
	const size_t per_batch = (size_t)CHUNK * BATCH, batches = TOTAL / per_batch;
	struct sdxi_ctx_opts opts = { .ring_entries = 1024 };
	uint64_t tickets[IN_FLIGHT], src_iova, dst_iova;
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	uint8_t *src, *dst;
	size_t done = 0;
	int ret;

	ret = sdxi_dev_open(NULL, &dev);
	if (ret)
		return fail("sdxi_dev_open", ret);
	ret = sdxi_ctx_create(dev, &opts, &ctx);
	if (ret)
		return fail("sdxi_ctx_create", ret);
	src = mmap(NULL, TOTAL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, TOTAL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		return fail("mmap", -ENOMEM);
	for (size_t i = 0; i < TOTAL; i += 8)
		*(uint64_t *)(src + i) = i * 0x9e3779b97f4a7c15ULL;

	/* Explicit registration: pinned once, device addresses from the library. */
	ret = sdxi_mem_register(ctx, src, TOTAL, SDXI_MEM_READ);
	if (!ret)
		ret = sdxi_mem_register(ctx, dst, TOTAL, SDXI_MEM_WRITE);
	if (!ret)
		ret = sdxi_mem_iova(ctx, src, TOTAL, SDXI_MEM_READ, &src_iova);
	if (!ret)
		ret = sdxi_mem_iova(ctx, dst, TOTAL, SDXI_MEM_WRITE, &dst_iova);
	if (ret)
		return fail("registration", ret);

	for (size_t n = 0; n < batches + IN_FLIGHT && !ret; n++) {
		/* Retire the batch submitted IN_FLIGHT batches ago. */
		if (n >= IN_FLIGHT) {
			size_t old = n - IN_FLIGHT;
			struct sdxi_error err;

			ret = sdxi_wait(ctx, tickets[old % IN_FLIGHT], NULL, &err);
			if (ret) {
				fprintf(stderr, "batch %zu: %s (step %u, %s)\n", old, strerror(-ret),
					err.step, sdxi_reason_name(err.reason));
				break;
			}
			if (memcmp(dst + old * per_batch, src + old * per_batch, per_batch)) {
				fprintf(stderr, "batch %zu: data mismatch\n", old);
				ret = -EIO;
				break;
			}
			done += per_batch;
		}
		/* Submit the next one: 16 descriptors, one doorbell. */
		if (n < batches) {
			struct sdxi_batch b;

			ret = sdxi_batch_start(ctx, &b, BATCH, SDXI_BATCH_WAIT);
			if (ret)
				break;
			for (unsigned int i = 0; i < BATCH && !ret; i++) {
				uint64_t off = n * per_batch + (uint64_t)i * CHUNK;

				ret = sdxi_batch_copy(&b, dst_iova + off, src_iova + off, CHUNK, 0);
			}
			/* A started batch is always published (unused slots: NOPs). */
			sdxi_batch_submit(&b, &tickets[n % IN_FLIGHT]);
		}
	}
	if (!ret)
		printf("pipelined %zu MiB in %zu batches of %d copies: ok\n", done >> 20, batches,
		       BATCH);
	sdxi_ctx_destroy(ctx);	/* drops the registrations */
	sdxi_dev_close(dev);
	munmap(src, TOTAL);
	munmap(dst, TOTAL);
	return ret ? 1 : 0;
}
