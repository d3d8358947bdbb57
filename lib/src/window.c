// SPDX-License-Identifier: MIT
/*
 * Windows between processes: sdxi_mem_export() and sdxi_mem_import(),
 * the bookkeeping both backends share, and the batch helpers that name a
 * window (Documentation/library.rst, "Windows between processes").
 *
 * A window belongs to its exporting context and an import to its
 * importing context: the context lists them, so that sdxi_ctx_destroy()
 * revokes and frees what is left and sdxi_mem_unregister() revokes the
 * windows over the range it releases.  The backend does the rest
 * (kdev.c: the kernel's window ioctls; soft_window.c: the software
 * device's).
 *
 * The batch helpers check the window's bounds and rights before they
 * encode; the device checks again (the AKey entry, then the window's
 * translation), which is what stops a revoked window.
 */
#include <stdlib.h>

#include "internal.h"

#define WIN_PAGE	4096ULL

void window_ctx_init(struct sdxi_ctx *ctx)
{
	pthread_mutex_init(&ctx->win_lock, NULL);
	ctx->windows = NULL;
	ctx->remotes = NULL;
}

static void window_free(struct sdxi_window *w)
{
	w->magic = DEAD_MAGIC;
	free(w);
}

static void remote_free(struct sdxi_remote *r)
{
	r->magic = DEAD_MAGIC;
	free(r);
}

/* Revoke every window of @ctx and drop every import into it. */
void window_ctx_fini(struct sdxi_ctx *ctx)
{
	struct sdxi_dev *dev = ctx->dev;

	pthread_mutex_lock(&ctx->win_lock);
	while (ctx->windows) {
		struct sdxi_window *w = ctx->windows;

		ctx->windows = w->next;
		if (!w->revoked)
			dev->ops->win_revoke(dev, &ctx->hw, w);
		window_free(w);
	}
	while (ctx->remotes) {
		struct sdxi_remote *r = ctx->remotes;

		ctx->remotes = r->next;
		dev->ops->win_unimport(dev, &ctx->hw, r);
		remote_free(r);
	}
	pthread_mutex_unlock(&ctx->win_lock);
}

/* Revoke the windows of @ctx overlapping [va, end) (they stay listed). */
void window_revoke_range(struct sdxi_ctx *ctx, uint64_t va, uint64_t end)
{
	pthread_mutex_lock(&ctx->win_lock);
	for (struct sdxi_window *w = ctx->windows; w; w = w->next) {
		if (w->revoked || w->va >= end || w->va + w->len <= va)
			continue;
		ctx->dev->ops->win_revoke(ctx->dev, &ctx->hw, w);
		w->revoked = true;
	}
	pthread_mutex_unlock(&ctx->win_lock);
}

static bool rights_ok(unsigned int rights)
{
	return rights && !(rights & ~(SDXI_MEM_READ | SDXI_MEM_WRITE));
}

SDXI_EXPORT int sdxi_mem_export(struct sdxi_ctx *ctx, const void *addr, size_t len,
				unsigned int rights, struct sdxi_window **winp)
{
	uint64_t va = (uint64_t)(uintptr_t)addr, iova;
	struct sdxi_window *w;
	int ret;

	if (!ctx || !winp || !addr || !len || !rights_ok(rights) || (va | len) % WIN_PAGE ||
	    va + len < va)
		return -EINVAL;
	ctx_check(ctx, "sdxi_mem_export()");
	if (!ctx->dev->ops->win_export)
		return -EOPNOTSUPP;
	/*
	 * Inside one registration of the application's, with the rights.  An
	 * SVA context has none: the device checks the process's mappings.
	 */
	ret = ctx->hw.sva ? 0 : hold_lookup_rcu(ctx, va, len, rights, &iova);
	if (ret) {
		bool any = (rights != SDXI_MEM_READ &&
			    !hold_lookup_rcu(ctx, va, len, SDXI_MEM_READ, &iova)) ||
			   (rights != SDXI_MEM_WRITE &&
			    !hold_lookup_rcu(ctx, va, len, SDXI_MEM_WRITE, &iova));

		return any ? -EACCES : -ENOENT;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct sdxi_window){
		.magic = WIN_MAGIC, .ctx = ctx, .va = va, .len = len, .rights = rights, .fd = -1,
	};
	ret = ctx->dev->ops->win_export(ctx->dev, &ctx->hw, w);
	if (ret) {
		free(w);
		return ret;
	}
	pthread_mutex_lock(&ctx->win_lock);
	w->next = ctx->windows;
	ctx->windows = w;
	pthread_mutex_unlock(&ctx->win_lock);
	*winp = w;
	return 0;
}

static void win_check(const struct sdxi_window *w, const char *call)
{
	if (w->magic != WIN_MAGIC)
		handle_misuse(w, "window", call);
}

SDXI_EXPORT int sdxi_window_fd(const struct sdxi_window *win)
{
	if (!win)
		return -EINVAL;
	win_check(win, "sdxi_window_fd()");
	return win->fd;
}

SDXI_EXPORT int sdxi_window_close(struct sdxi_window *win)
{
	struct sdxi_ctx *ctx;
	int ret = 0;

	if (!win)
		return -EINVAL;
	win_check(win, "sdxi_window_close()");
	ctx = win->ctx;
	pthread_mutex_lock(&ctx->win_lock);
	for (struct sdxi_window **p = &ctx->windows; *p; p = &(*p)->next) {
		if (*p == win) {
			*p = win->next;
			break;
		}
	}
	if (!win->revoked)
		ret = ctx->dev->ops->win_revoke(ctx->dev, &ctx->hw, win);
	pthread_mutex_unlock(&ctx->win_lock);
	window_free(win);
	return ret;
}

SDXI_EXPORT int sdxi_mem_import(struct sdxi_ctx *ctx, int fd, struct sdxi_remote **remp)
{
	struct sdxi_remote *r;
	int ret;

	if (!ctx || !remp)
		return -EINVAL;
	ctx_check(ctx, "sdxi_mem_import()");
	if (fd < 0)
		return -EBADF;
	if (!ctx->dev->ops->win_import)
		return -EOPNOTSUPP;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct sdxi_remote){ .magic = REM_MAGIC, .ctx = ctx };
	ret = ctx->dev->ops->win_import(ctx->dev, &ctx->hw, fd, r);
	if (ret) {
		free(r);
		return ret;
	}
	pthread_mutex_lock(&ctx->win_lock);
	r->next = ctx->remotes;
	ctx->remotes = r;
	pthread_mutex_unlock(&ctx->win_lock);
	*remp = r;
	return 0;
}

static void rem_check(const struct sdxi_remote *r, const char *call)
{
	if (r->magic != REM_MAGIC)
		handle_misuse(r, "import", call);
}

SDXI_EXPORT int sdxi_remote_info(const struct sdxi_remote *rem, struct sdxi_remote_info *info)
{
	if (!rem || !info)
		return -EINVAL;
	rem_check(rem, "sdxi_remote_info()");
	*info = (struct sdxi_remote_info){
		.length = rem->length, .base = rem->base, .rights = rem->rights, .akey = rem->akey,
	};
	return 0;
}

SDXI_EXPORT void sdxi_remote_close(struct sdxi_remote *rem)
{
	struct sdxi_ctx *ctx;

	if (!rem)
		return;
	rem_check(rem, "sdxi_remote_close()");
	ctx = rem->ctx;
	pthread_mutex_lock(&ctx->win_lock);
	for (struct sdxi_remote **p = &ctx->remotes; *p; p = &(*p)->next) {
		if (*p == rem) {
			*p = rem->next;
			break;
		}
	}
	ctx->dev->ops->win_unimport(ctx->dev, &ctx->hw, rem);
	pthread_mutex_unlock(&ctx->win_lock);
	remote_free(rem);
}

/*
 * The checks every remote helper makes, in the documented order: @rem is
 * an import of @b's context, [off, off + len) lies in the window, the
 * window has @need.  0 or -EINVAL, -ERANGE, -EACCES.
 */
static int remote_check(const struct sdxi_batch *b, const struct sdxi_remote *rem, uint64_t off,
			uint64_t len, unsigned int need, unsigned int flags)
{
	if (!rem || !b->ring || (flags & ~(uint32_t)(SDXI_DESC_SEQ | SDXI_DESC_FENCE |
						    SDXI_DESC_NO_CSB | SDXI_DESC_INTR)))
		return -EINVAL;
	rem_check(rem, "sdxi_batch_*_remote()");
	if (sdxi__ring(rem->ctx) != b->ring || !len)
		return -EINVAL;
	if (off > rem->length || len > rem->length - off)
		return -ERANGE;
	if ((rem->rights & need) != need)
		return -EACCES;
	return 0;
}

static int copy_remote(struct sdxi_batch *b, uint64_t dst, uint16_t dkey, uint64_t src,
		       uint16_t skey, uint64_t len, unsigned int flags)
{
	union sdxi_desc d;
	int ret = sdxi__batch_room(b, flags, 1);

	if (ret)
		return ret;
	if (sdxi__len_bad(len, b->max_buffer))
		return -E2BIG;
	sdxi__enc_copy(&d, 0, skey, dkey, flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE), dst, src, len);
	return sdxi__batch_add_encoded(b, &d, flags);
}

SDXI_EXPORT int sdxi_batch_copy_from_remote(struct sdxi_batch *b, uint64_t dst,
					    const struct sdxi_remote *rem, uint64_t off,
					    uint64_t len, unsigned int flags)
{
	int ret = b ? remote_check(b, rem, off, len, SDXI_MEM_READ, flags) : -EINVAL;

	return ret ? ret : copy_remote(b, dst, b->akey, rem->base + off, rem->akey, len, flags);
}

SDXI_EXPORT int sdxi_batch_copy_to_remote(struct sdxi_batch *b, const struct sdxi_remote *rem,
					  uint64_t off, uint64_t src, uint64_t len,
					  unsigned int flags)
{
	int ret = b ? remote_check(b, rem, off, len, SDXI_MEM_WRITE, flags) : -EINVAL;

	return ret ? ret : copy_remote(b, rem->base + off, rem->akey, src, b->akey, len, flags);
}

SDXI_EXPORT int sdxi_batch_fill_remote(struct sdxi_batch *b, const struct sdxi_remote *rem,
				       uint64_t off, uint64_t pattern, uint64_t len,
				       unsigned int flags)
{
	int ret = b ? remote_check(b, rem, off, len, SDXI_MEM_WRITE, flags) : -EINVAL;

	return ret ? ret : sdxi__batch_fill_to(b, rem->base + off, rem->akey, pattern, len, flags);
}

SDXI_EXPORT int sdxi_batch_atomic_remote(struct sdxi_batch *b, unsigned int op, unsigned int size,
					 const struct sdxi_remote *rem, uint64_t off,
					 uint64_t ret_addr, uint64_t operand1, uint64_t operand2,
					 unsigned int flags)
{
	struct sdxi_desc_attr a;
	union sdxi_desc d;
	int ret = b ? remote_check(b, rem, off, size ? size : 1,
				   SDXI_MEM_READ | SDXI_MEM_WRITE, flags) : -EINVAL;

	if (!ret)
		ret = sdxi__batch_attr(b, flags, &a);
	if (ret)
		return ret;
	a.akey0 = rem->akey;
	ret = sdxi_prep_atomic(&d, &a, op, size, rem->base + off, ret_addr, operand1, operand2);
	return ret ? ret : sdxi__batch_add_encoded(b, &d, flags);
}
