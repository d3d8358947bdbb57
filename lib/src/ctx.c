// SPDX-License-Identifier: MIT
/*
 * Contexts: creation (the backend maps the regions, the library hides
 * them behind struct sdxi_ring), destruction, status, the error record,
 * reset and the interrupt eventfd.
 */
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sdxi/uapi/sdxi.h>

#include "internal.h"

/*
 * Zeroed memory of the library (ring regions of the software device,
 * fill patterns) with a PROT_NONE page on each side: a mapping of its own
 * that the kernel never merges with the application's, so that a
 * registration-cache chunk, clipped to the application's mapping, never
 * covers it.  NULL on failure.
 */
void *map_guarded(size_t bytes)
{
	uint8_t *p = mmap(NULL, bytes + 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + 4096, bytes, PROT_READ | PROT_WRITE)) {
		munmap(p, bytes + 2 * 4096);
		return NULL;
	}
	return p + 4096;
}

void unmap_guarded(void *p, size_t bytes)
{
	if (p)
		munmap((uint8_t *)p - 4096, bytes + 2 * 4096);
}

/* The public ring layout: producer state on its own cache line. */
_Static_assert(offsetof(struct sdxi_ctx, ring) == 0, "the ring starts the context");
_Static_assert(offsetof(struct sdxi_ring, tail) == 128, "tail on its own cache line");
_Static_assert(sizeof(struct sdxi_ring) == 192, "struct sdxi_ring is ABI");
_Static_assert(sizeof(struct sdxi_batch) == 88, "struct sdxi_batch is ABI");

static uint32_t round_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

static int check_opts(const struct sdxi_ctx_opts *o, const struct sdxi_dev_info *in,
		      uint32_t *entries)
{
	uint32_t n;

	for (unsigned int i = 0; i < ARRAY_SIZE(o->reserved); i++)
		if (o->reserved[i])
			return -EINVAL;
	if (o->flags & ~(SDXI_CTX_INTERRUPTS | SDXI_CTX_SHARED | SDXI_CTX_NO_CACHE))
		return -EINVAL;
	if (o->cache_shift && (o->cache_shift < 12 || o->cache_shift > 30))
		return -EINVAL;
	if (o->mode > SDXI_CTX_MODE_SVA)
		return -EINVAL;
	if (o->mode == SDXI_CTX_MODE_SVA && !(in->flags & SDXI_DEV_SVA))
		return -EOPNOTSUPP;
	if ((o->flags & SDXI_CTX_INTERRUPTS) && !(in->flags & SDXI_DEV_INTERRUPTS))
		return -EOPNOTSUPP;
	n = o->ring_entries ? o->ring_entries : in->min_ring_entries;
	if (n < in->min_ring_entries)
		n = in->min_ring_entries;
	n = round_pow2(n);
	if (n > in->max_ring_entries || o->ring_entries > in->max_ring_entries)
		return -EINVAL;
	*entries = n;
	return 0;
}

/*
 * What a destroyed context keeps with SDXI_DEBUG=1: a status that sends
 * every inline call out of line (state not RUN, base above any ticket, no
 * CPU path), where the handle check catches it.
 */
static const union {
	struct sdxi_cxt_sts sts;
	uint8_t bytes[SDXI_STS_REMOVED_OFFSET + 4];	/* ctx_removed() reads there */
} dead = { .sts.state = SDXI_CXTV_STOP_SW };

static void ctx_free(struct sdxi_ctx *ctx, bool keep)
{
	if (ctx->efd >= 0)
		close(ctx->efd);
	unmap_guarded(ctx->pat_mem, ctx->pat_bytes);
	free(ctx->ring.pub);
	free(ctx->ring.bmark);
	ctx->magic = DEAD_MAGIC;
	if (keep) {
		ctx->ring.sts = &dead.sts;
		ctx->ring.base = UINT64_MAX;
		ctx->ring.cpu_below = 0;
		ctx->ring.flags |= SDXI__RING_SHARED;
		ctx->ring.fast_room = 0;
		return;
	}
	pthread_mutex_destroy(&ctx->err_lock);
	pthread_mutex_destroy(&ctx->pol_lock);
	pthread_mutex_destroy(&ctx->win_lock);
	free(ctx);
}

SDXI_EXPORT int sdxi_ctx_mode(struct sdxi_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_ctx_mode()");
	return ctx->hw.sva ? SDXI_CTX_MODE_SVA : SDXI_CTX_MODE_PINNED;
}

SDXI_EXPORT int sdxi_ctx_create(struct sdxi_dev *dev, const struct sdxi_ctx_opts *opts,
				struct sdxi_ctx **ctxp)
{
	static const struct sdxi_ctx_opts defaults;
	struct sdxi_ctx *ctx;
	uint32_t entries;
	uint64_t pat_iova;
	int ret;

	if (!dev || !ctxp)
		return -EINVAL;
	dev_check(dev, "sdxi_ctx_create()");
	if (!opts)
		opts = &defaults;
	ret = check_opts(opts, &dev->info, &entries);
	if (ret)
		return ret;
	ctx = aligned_alloc(64, ALIGN_UP(sizeof(*ctx), 64));
	if (!ctx)
		return -ENOMEM;
	memset(ctx, 0, sizeof(*ctx));
	ctx->magic = CTX_MAGIC;
	ctx->dev = dev;
	ctx->flags = opts->flags;
	ctx->efd = -1;
	pthread_mutex_init(&ctx->err_lock, NULL);
	pthread_mutex_init(&ctx->pol_lock, NULL);
	window_ctx_init(ctx);
	ctx->hist.fail = ctx->hist.fail_batch = UINT64_MAX;

	ret = dev->ops->ctx_create(dev, entries, opts->flags & SDXI_CTX_INTERRUPTS, opts->mode,
				   &ctx->hw);
	if (ret) {
		ctx_free(ctx, false);
		return ret;
	}
	ret = reg_init(ctx, opts->cache_shift ? opts->cache_shift : 21);
	if (ret)
		goto fail_hw;
	if (opts->flags & SDXI_CTX_INTERRUPTS) {
		ctx->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ret = ctx->efd < 0 ? -errno : dev->ops->set_eventfd(dev, &ctx->hw, ctx->efd);
		if (ret)
			goto fail_reg;
	}
	/* Fill patterns: 64 bytes per slot, readable by the device. */
	ctx->pat_bytes = ALIGN_UP((uint64_t)entries * 64, 4096);
	ctx->pat_mem = map_guarded(ctx->pat_bytes);
	if (!ctx->pat_mem) {
		ret = -ENOMEM;
		goto fail_reg;
	}
	/* SVA: the patterns are reached at their virtual address, unpinned. */
	pat_iova = (uint64_t)(uintptr_t)ctx->pat_mem;
	ret = ctx->hw.sva ? 0 :
	      dev->ops->map(dev, &ctx->hw, (uint64_t)(uintptr_t)ctx->pat_mem, ctx->pat_bytes,
			    SDXI_MEM_READ, &pat_iova);
	if (ret)
		goto fail_reg;
	if (opts->flags & SDXI_CTX_SHARED) {
		ctx->ring.pub = calloc(entries, sizeof(uint64_t));
		if (!ctx->ring.pub) {
			ret = -ENOMEM;
			goto fail_reg;
		}
	}
	ctx->ring.bmark = calloc(entries, sizeof(uint64_t));
	if (!ctx->ring.bmark) {
		ret = -ENOMEM;
		goto fail_reg;
	}
	ctx->ring.desc = ctx->hw.ring;
	ctx->ring.csb = ctx->hw.csb;
	ctx->ring.csb_iova = ctx->hw.csb_iova;
	ctx->ring.wi = ctx->hw.wi;
	ctx->ring.sts = ctx->hw.sts;
	ctx->ring.db = ctx->hw.db;
	ctx->ring.pat = ctx->pat_mem;
	ctx->ring.pat_iova = pat_iova;
	ctx->ring.max_buffer = dev->info.max_buffer;
	ctx->ring.mask = entries - 1;
	ctx->ring.flags = (opts->flags & SDXI_CTX_SHARED) ? SDXI__RING_SHARED : 0;
	ctx->ring.fast_room = (opts->flags & SDXI_CTX_SHARED) ? 0 : entries;
	ctx->ring.akey = ctx->hw.akey_data;
	ctx->ring.akey_intr = ctx->hw.akey_intr;
	policy_init(ctx);
	dev_get(dev);
	*ctxp = ctx;
	return 0;

fail_reg:
	reg_fini(ctx);
fail_hw:
	dev->ops->ctx_destroy(dev, &ctx->hw);
	ctx_free(ctx, false);
	return ret;
}

SDXI_EXPORT void sdxi_ctx_destroy(struct sdxi_ctx *ctx)
{
	struct sdxi_dev *dev;
	bool keep;

	if (!ctx)
		return;
	ctx_check(ctx, "sdxi_ctx_destroy()");
	dev = ctx->dev;
	keep = dev->debug;
	/* Its windows are revoked and its imports dropped first. */
	window_ctx_fini(ctx);
	/* Stops the context and drops every registration with it. */
	dev->ops->ctx_destroy(dev, &ctx->hw);
	reg_fini(ctx);
	ctx_free(ctx, keep);
	dev_put(dev);
}

SDXI_EXPORT int sdxi_ctx_fd(struct sdxi_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_ctx_fd()");
	return ctx->efd >= 0 ? ctx->efd : -EOPNOTSUPP;
}

SDXI_EXPORT int sdxi_ctx_error(struct sdxi_ctx *ctx, struct sdxi_error *err)
{
	struct sdxi_error e;
	int ret;

	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_ctx_error()");
	ret = ctx_failure(ctx, &e);
	if (!ret && err)
		*err = e;
	return ret;
}

SDXI_EXPORT int sdxi_ctx_status(struct sdxi_ctx *ctx, struct sdxi_ctx_status *st)
{
	struct sdxi_hwerr e;
	int ret;

	if (!ctx || !st)
		return -EINVAL;
	ctx_check(ctx, "sdxi_ctx_status()");
	memset(st, 0, sizeof(*st));
	ret = ctx->dev->ops->ctx_errors(ctx->dev, &ctx->hw, &e);
	if (ret)
		return ret;
	st->id = ctx->hw.id;
	st->state = ctx_state(ctx);
	st->ring_entries = ctx->ring.mask + 1;
	st->errors = e.count;
	st->read_index = ctx->ring.base + ctx_read_index(ctx);
	st->write_index = ctx->ring.base + le64toh(__atomic_load_n(ctx->ring.wi, __ATOMIC_ACQUIRE));
	if (e.count) {
		st->last = e.last;
		if (st->last.flags & SDXI_ERROR_INDEX)
			st->last.index += ctx->ring.base;
	}
	return 0;
}

/*
 * Record how the tickets of the run being reset resolve: below the failed
 * descriptor (or the completed index, when nothing failed) they completed, the failed one
 * keeps its error, the rest were canceled.
 */
static void record_history(struct sdxi_ctx *ctx)
{
	struct sdxi_ring *r = &ctx->ring;
	uint64_t rd = ring_done(ctx);
	struct sdxi_error e;
	int ret = -ENOENT;

	if (ctx_state(ctx) == SDXI_CXTV_ERR_FN) {
		/* The record follows the state change closely; allow it 1 s. */
		uint64_t t0 = now_ns();

		while ((ret = ctx_failure(ctx, &e)) == -ENOENT && now_ns() - t0 < 1000000000ULL)
			usleep(1000);
	}
	ctx->hist.base = r->base + ctx_tail(ctx);
	ctx->hist.fail = ctx->hist.fail_batch = UINT64_MAX;
	ctx->hist.fail_err = -EIO;
	ctx->hist.ok_end = r->base + rd;
	if (!ret && (e.flags & SDXI_ERROR_INDEX)) {
		ctx->hist.ok_end = e.index;
		ctx->hist.fail = e.index;
		ctx->hist.fail_batch = batch_ticket_of(ctx, e.index);
		ctx->hist.fail_err = e.err;
	}
}

SDXI_EXPORT int sdxi_ctx_reset(struct sdxi_ctx *ctx)
{
	struct sdxi_ring *r;
	int ret;

	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_ctx_reset()");
	if (ctx_state(ctx) != SDXI_CXTV_RUN && ctx_removed(ctx))
		return -ENODEV;
	r = &ctx->ring;
	record_history(ctx);
	ret = ctx->dev->ops->ctx_reset(ctx->dev, &ctx->hw);
	if (ret)
		return ret;
	/* The device restarted at R = 0 with a zeroed ring, W and CST_BLKs. */
	pthread_mutex_lock(&ctx->err_lock);
	r->base = ctx->hist.base;
	r->tail = 0;
	r->cached_r = 0;
	r->done = 0;
	if (r->pub)
		memset(r->pub, 0, ((uint64_t)r->mask + 1) * 8);
	memset(r->bmark, 0, ((uint64_t)r->mask + 1) * 8);
	atomic_store(&ctx->intr_hw, 0);
	ctx->fail_known = false;
	pthread_mutex_unlock(&ctx->err_lock);
	return 0;
}
