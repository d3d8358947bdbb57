// SPDX-License-Identifier: MIT
/*
 * Misuse of handles: a device used after sdxi_dev_close(), a context used
 * after sdxi_ctx_destroy(), a window or import used after it was closed,
 * or a pointer that is none of these.  A library must not carry on with a
 * handle it no longer owns, so these print what happened, naming the
 * call, and abort.  They are reliable with
 * SDXI_DEBUG=1 (freed handles are kept, see internal.h) and a best effort
 * otherwise, where the behaviour is undefined.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

void dev_misuse(const struct sdxi_dev *dev, const char *call)
{
	if (dev->magic == DEV_MAGIC || dev->magic == DEAD_MAGIC)
		fprintf(stderr, "libsdxi: %s: device %p was closed (sdxi_dev_close())\n", call,
			(const void *)dev);
	else
		fprintf(stderr, "libsdxi: %s: %p is not a libsdxi device\n", call,
			(const void *)dev);
	abort();
}

void ctx_misuse(const struct sdxi_ctx *ctx, const char *call)
{
	if (ctx->magic == DEAD_MAGIC)
		fprintf(stderr, "libsdxi: %s: context %p was destroyed (sdxi_ctx_destroy())\n",
			call, (const void *)ctx);
	else
		fprintf(stderr, "libsdxi: %s: %p is not a libsdxi context\n", call,
			(const void *)ctx);
	abort();
}

void handle_misuse(const void *h, const char *what, const char *call)
{
	fprintf(stderr, "libsdxi: %s: %p is not a live libsdxi %s\n", call, h, what);
	abort();
}
