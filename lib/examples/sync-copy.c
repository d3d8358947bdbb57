// SPDX-License-Identifier: MIT
/*
 * sync-copy: the smallest libsdxi program.  Opens the default device
 * ($SDXI_DEVICE, e.g. "soft", or the SDXI function nearest to this
 * thread), creates a context and copies a buffer with sdxi_memcpy(), which
 * registers the memory on first use and waits for the copy.
 *
 *   cc $(pkg-config --cflags sdxi) sync-copy.c $(pkg-config --libs sdxi)
 *   SDXI_DEVICE=soft ./a.out
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sdxi.h>

int main(void)
{
	size_t len = 1 << 20;
	struct sdxi_dev_info info;
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	char *src, *dst;
	int ret;

	ret = sdxi_dev_open(NULL, &dev);
	if (ret) {
		fprintf(stderr, "sdxi_dev_open: %s\n", strerror(-ret));
		return 1;
	}
	sdxi_dev_info(dev, &info);
	ret = sdxi_ctx_create(dev, NULL, &ctx);
	if (ret) {
		fprintf(stderr, "sdxi_ctx_create: %s\n", strerror(-ret));
		sdxi_dev_close(dev);
		return 1;
	}
	src = malloc(len);
	dst = calloc(1, len);
	if (!src || !dst)
		return 1;
	for (size_t i = 0; i < len; i++)
		src[i] = (char)(i * 7);

	ret = sdxi_memcpy(ctx, dst, src, len);
	if (ret) {
		struct sdxi_error err;

		fprintf(stderr, "sdxi_memcpy: %s\n", strerror(-ret));
		if (!sdxi_ctx_error(ctx, &err))
			fprintf(stderr, "  step %u sub-step %u reason %s at %#llx\n", err.step,
				err.sub_step, sdxi_reason_name(err.reason),
				(unsigned long long)err.addr);
	} else {
		printf("copied %zu bytes on %s: %s\n", len, info.path,
		       memcmp(src, dst, len) ? "MISMATCH" : "ok");
		ret = memcmp(src, dst, len) ? -EIO : 0;
	}
	/* Drop the registrations before freeing the memory they pin. */
	sdxi_mem_unregister(ctx, src, len);
	sdxi_mem_unregister(ctx, dst, len);
	free(src);
	free(dst);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	return ret ? 1 : 0;
}
