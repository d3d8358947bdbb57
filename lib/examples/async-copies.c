// SPDX-License-Identifier: MIT
/*
 * async-copies: 64 asynchronous copies in flight on one context.  Each
 * sdxi_memcpy_async() starts a copy and returns its ticket at once; the
 * program then waits for every ticket (the device may finish them in any
 * order; each wait returns when its own copy is done) and checks the
 * data.  The asynchronous calls always use the device (the offload
 * policy only concerns synchronous ones).
 *
 *   cc $(pkg-config --cflags sdxi) async-copies.c $(pkg-config --libs sdxi)
 *   SDXI_DEVICE=soft ./a.out
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sdxi.h>

#define COPIES	64
#define SIZE	(64u << 10)	/* bytes per copy */

int main(void)
{
	struct sdxi_ctx_opts opts = { .ring_entries = 1024 };
	uint64_t tickets[COPIES];
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	uint8_t *src, *dst;
	int ret, started = 0;

	ret = sdxi_dev_open(NULL, &dev);
	if (ret) {
		fprintf(stderr, "sdxi_dev_open: %s\n", strerror(-ret));
		return 1;
	}
	ret = sdxi_ctx_create(dev, &opts, &ctx);
	if (ret) {
		fprintf(stderr, "sdxi_ctx_create: %s\n", strerror(-ret));
		sdxi_dev_close(dev);
		return 1;
	}
	src = malloc((size_t)COPIES * SIZE);
	dst = calloc(COPIES, SIZE);
	if (!src || !dst)
		return 1;
	for (size_t i = 0; i < (size_t)COPIES * SIZE; i++)
		src[i] = (uint8_t)(i ^ (i >> 11));

	/* All 64 in flight before the first wait. */
	for (int i = 0; i < COPIES && !ret; i++) {
		ret = sdxi_memcpy_async(ctx, dst + (size_t)i * SIZE, src + (size_t)i * SIZE, SIZE,
					&tickets[i]);
		started += !ret;
	}
	if (ret)
		fprintf(stderr, "sdxi_memcpy_async: %s\n", strerror(-ret));
	/* Wait for each one that started, even after an error. */
	for (int i = 0; i < started; i++) {
		struct sdxi_error err;
		int r = sdxi_wait(ctx, tickets[i], NULL, &err);

		if (r) {
			fprintf(stderr, "copy %d: %s (%s at %#llx)\n", i, strerror(-r),
				sdxi_reason_name(err.reason), (unsigned long long)err.addr);
			ret = ret ? ret : r;
		}
	}
	if (!ret && memcmp(src, dst, (size_t)COPIES * SIZE))
		ret = -EIO;
	if (!ret)
		printf("%d copies of %u KiB in flight at once: ok\n", COPIES, SIZE >> 10);
	sdxi_mem_unregister(ctx, src, (size_t)COPIES * SIZE);
	sdxi_mem_unregister(ctx, dst, (size_t)COPIES * SIZE);
	free(src);
	free(dst);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	return ret ? 1 : 0;
}
