// SPDX-License-Identifier: MIT
/*
 * sync-copy: the smallest libsdxi program, a 1 MiB synchronous copy.
 * Opens the default device ($SDXI_DEVICE, e.g. "soft", or the SDXI
 * function nearest to this thread), creates a context and copies with
 * sdxi_memcpy(), which registers the memory on first use (or, below the
 * offload threshold, lets this CPU copy) and waits.  Prints the offload
 * policy the library applied.
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
	struct sdxi_policy pol;
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	char *src, *dst;
	int ret;

	ret = sdxi_dev_open(NULL, &dev);
	if (ret) {
		fprintf(stderr, "sdxi_dev_open: %s\n", strerror(-ret));
		return 1;
	}
	ret = sdxi_dev_info(dev, &info);
	if (!ret)
		ret = sdxi_ctx_create(dev, NULL, &ctx);
	if (ret) {
		fprintf(stderr, "device setup: %s\n", strerror(-ret));
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
		ret = memcmp(src, dst, len) ? -EIO : 0;
		if (!sdxi_ctx_policy(ctx, &pol))
			printf("copied %zu bytes on %s (%s): %s\n", len, info.path,
			       len >= pol.offload_min ? "by the device" : "by this CPU",
			       ret ? "MISMATCH" : "ok");
	}
	/* Drop the registrations before freeing the memory (the device pins it). */
	sdxi_mem_unregister(ctx, src, len);
	sdxi_mem_unregister(ctx, dst, len);
	free(src);
	free(dst);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	return ret ? 1 : 0;
}
