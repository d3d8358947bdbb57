// SPDX-License-Identifier: MIT
/*
 * Memory registration: sdxi_mem_register(), sdxi_mem_unregister(),
 * sdxi_mem_iova() and the rule that keeps every device address valid.
 *
 * The device reaches memory through mappings (struct reg_map), which the
 * kernel pins whole, refuses to overlap (EEXIST) and unmaps only whole.
 * The application holds registrations (struct reg_hold): the exact bytes
 * it registered, or whose device address sdxi_mem_iova() handed out.  A
 * mapping counts the holds that use it and is unmapped only when the last
 * one is released, so releasing one registration never takes a page
 * another one uses: two buffers that share a page share its mapping.
 *
 * To make that possible without ever remapping a page in use, a hold is
 * mapped as up to three pieces: its first and last page on their own when
 * the hold covers them only partly (those are the pages it may share with
 * other memory; they are mapped read-write when the memory allows it, for
 * whoever else registers there), and the pages in between with the access
 * asked for (sdxi_mem_iova(): read-write when the memory allows).  Pages
 * already mapped for another hold are shared.  The cache's mappings
 * (cache.c) are never shared with a hold: a hold needing their pages
 * drops them first.
 *
 * Dropping a mapping waits for the descriptors that may use it: the new
 * table is published and a grace period passes (every lookup that found
 * the mapping has submitted), then the ring drains to the tail seen at
 * that point (every descriptor that could use it has retired, or the
 * context has stopped), and only then is it unmapped.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"

#define PAGE	4096ULL

static int range_check(const void *addr, size_t len, uint64_t *va, uint64_t *end)
{
	uint64_t a = (uint64_t)(uintptr_t)addr;

	if (!len || a + len < a || a + len > UINT64_MAX - PAGE)
		return -EINVAL;
	*va = a;
	*end = a + len;
	return 0;
}

static int access_check(unsigned int access)
{
	return access && !(access & ~(SDXI_MEM_READ | SDXI_MEM_WRITE)) ? 0 : -EINVAL;
}

static bool overlaps(const struct reg_map *m, uint64_t pa, uint64_t pb)
{
	return m->start < pb && m->end > pa;
}

/*
 * Publish @d, which no longer has the mappings @gone, then wait for the
 * descriptors that may still use them and unmap them.  Called with
 * reg_lock held; @d is consumed.
 */
static int drop_maps(struct sdxi_ctx *ctx, struct reg_draft *d, const struct reg_map *gone,
		     uint32_t ngone)
{
	int ret = draft_publish(ctx, d);

	if (ret) {
		draft_free(d);
		return ret;
	}
	if (ngone) {
		/* Lookups that found them have submitted: let those retire. */
		ctx_quiesce(ctx);
		unmap_device(ctx, gone, ngone);
	}
	return 0;
}

/*
 * Remove from @d the mappings with no hold that overlap [pa, pb) and
 * append them to *gone.  Returns how many, or -ENOMEM.
 */
static int take_unheld(struct reg_draft *d, uint64_t pa, uint64_t pb, struct reg_map **gone,
		       uint32_t *ngone)
{
	uint32_t n = 0, taken = 0;

	for (uint32_t i = 0; i < d->nmap; i++) {
		if (d->map[i].holds == 0 && overlaps(&d->map[i], pa, pb)) {
			struct reg_map *g = realloc(*gone, (*ngone + 1) * sizeof(**gone));

			if (!g)
				return -ENOMEM;
			*gone = g;
			g[(*ngone)++] = d->map[i];
			taken++;
			continue;
		}
		d->map[n++] = d->map[i];
	}
	d->nmap = n;
	return (int)taken;
}

/* Drop the cache's mappings overlapping [pa, pb). */
static int evict_cache(struct sdxi_ctx *ctx, uint64_t pa, uint64_t pb)
{
	struct reg_map *gone = NULL;
	uint32_t ngone = 0;
	struct reg_draft d;
	int ret = draft_init(&d, ctx->regs);

	if (!ret)
		ret = take_unheld(&d, pa, pb, &gone, &ngone);
	if (ret > 0)
		ret = drop_maps(ctx, &d, gone, ngone);
	else
		draft_free(&d);
	free(gone);
	return ret;
}

/* A piece of a new hold to map. */
struct piece {
	uint64_t start, end;
	unsigned int access;	/* what to try first */
	unsigned int fallback;	/* what to try when that cannot be pinned, or 0 */
};

/*
 * Split the unmapped range [lo, hi) of a hold on pages [pa, pb) into the
 * pieces described above.  @head/@tail: the hold covers its first/last
 * page only partly.  Returns the number of pieces (at most 3).
 */
static int plan_gap(uint64_t lo, uint64_t hi, uint64_t pa, uint64_t pb, bool head, bool tail,
		    unsigned int body_access, unsigned int access, struct piece *out)
{
	const unsigned int rw = SDXI_MEM_READ | SDXI_MEM_WRITE;
	uint64_t pts[4];
	int np = 0, n = 0;

	pts[np++] = lo;
	if (head && pa + PAGE > lo && pa + PAGE < hi)
		pts[np++] = pa + PAGE;
	if (tail && pb - PAGE > pts[np - 1] && pb - PAGE < hi)
		pts[np++] = pb - PAGE;
	pts[np++] = hi;
	for (int k = 0; k + 1 < np; k++) {
		uint64_t s = pts[k], e = pts[k + 1];
		bool edge = (head && s == pa && e == pa + PAGE) ||
			    (tail && s == pb - PAGE && e == pb);

		out[n].start = s;
		out[n].end = e;
		out[n].access = edge ? rw : body_access;
		out[n].fallback = out[n].access != access ? access : 0;
		n++;
	}
	return n;
}

/*
 * Register [a, b) as a hold of the application (reg_lock held).  0,
 * -EACCES (pages already mapped without @access), -EEXIST (bus-address
 * contexts: the pages are mapped otherwise), -EFAULT (cannot be pinned)
 * or -ENOMEM.
 */
static int hold_add(struct sdxi_ctx *ctx, uint64_t a, uint64_t b, unsigned int access,
		    uint32_t flags)
{
	const unsigned int rw = SDXI_MEM_READ | SDXI_MEM_WRITE;
	uint64_t pa = ALIGN_DOWN(a, PAGE), pb = ALIGN_UP(b, PAGE), cur = pa;
	unsigned int body = (flags & HOLD_IOVA) ? rw : access;
	struct reg_map *added = NULL;
	uint32_t nadded = 0;
	const struct reg_table *t;
	struct reg_draft d;
	int ret = evict_cache(ctx, pa, pb);

	if (ret < 0)
		return ret;
	t = ctx->regs;
	ret = 0;
	while (cur < pb && !ret) {
		long i = reg_map_find(t, cur);
		uint64_t next = pb;
		struct piece p[3];
		int np;

		if (i >= 0 && cur < t->map[i].end) {
			const struct reg_map *m = &t->map[i];

			if (!ctx->hw.identity && (m->start > pa || m->end < pb))
				ret = -EEXIST;	/* one bus address range per hold */
			else if ((m->access & access) != access)
				ret = -EACCES;
			cur = m->end;
			continue;
		}
		if (i + 1 < (long)t->nmap && t->map[i + 1].start < pb)
			next = t->map[i + 1].start;
		if (!ctx->hw.identity) {
			if (cur != pa || next != pb) {
				ret = -EEXIST;
				break;
			}
			p[0] = (struct piece){ pa, pb, access, 0 };
			np = 1;
		} else {
			np = plan_gap(cur, next, pa, pb, a != pa, b != pb, body, access, p);
		}
		for (int k = 0; k < np && !ret; k++) {
			struct reg_map m, *grown;

			ret = map_device(ctx, p[k].start, p[k].end - p[k].start, p[k].access, &m);
			if (ret == -EFAULT && p[k].fallback)
				ret = map_device(ctx, p[k].start, p[k].end - p[k].start,
						 p[k].fallback, &m);
			if (ret)
				break;
			grown = realloc(added, (nadded + 1) * sizeof(*added));
			if (!grown) {
				unmap_device(ctx, &m, 1);
				ret = -ENOMEM;
				break;
			}
			added = grown;
			added[nadded++] = m;
		}
		cur = next;
	}
	if (!ret)
		ret = draft_init(&d, t);
	for (uint32_t k = 0; k < nadded && !ret; k++)
		ret = draft_add_map(&d, &added[k]);
	if (!ret) {
		struct reg_hold h = { a, b, access, flags };

		for (uint32_t k = 0; k < d.nmap; k++)
			if (overlaps(&d.map[k], pa, pb))
				d.map[k].holds++;
		ret = draft_add_hold(&d, &h);
	}
	if (!ret) {
		ret = draft_publish(ctx, &d);
		if (ret)
			draft_free(&d);
	}
	if (ret)
		unmap_device(ctx, added, nadded);
	free(added);
	return ret;
}

/*
 * Release the holds inside [a, b) and drop the mappings nobody holds any
 * more, with the cache's mappings overlapping the range (reg_lock held).
 * Returns the holds released plus the cache mappings dropped, or -ENOENT
 * when nothing was mapped there.
 */
static int hold_release(struct sdxi_ctx *ctx, uint64_t a, uint64_t b)
{
	uint64_t pa = ALIGN_DOWN(a, PAGE), pb = ALIGN_UP(b, PAGE);
	const struct reg_table *t = ctx->regs;
	struct reg_map *gone = NULL;
	uint32_t ngone = 0, kept = 0, released = 0, cached = 0;
	bool any = false;
	struct reg_draft d;
	int ret = draft_init(&d, t);

	if (ret)
		return ret;
	for (uint32_t i = 0; i < d.nmap; i++) {
		any |= overlaps(&d.map[i], pa, pb);
		cached += d.map[i].holds == 0 && overlaps(&d.map[i], pa, pb);
	}
	for (uint32_t i = 0; i < d.nhold; i++) {
		const struct reg_hold *h = &d.hold[i];

		if (h->start < a || h->end > b) {
			d.hold[kept++] = *h;
			continue;
		}
		for (uint32_t k = 0; k < d.nmap; k++)
			if (overlaps(&d.map[k], ALIGN_DOWN(h->start, PAGE), ALIGN_UP(h->end, PAGE)))
				d.map[k].holds--;
		released++;
	}
	d.nhold = kept;
	if (!any && !released) {
		draft_free(&d);
		return -ENOENT;
	}
	ret = take_unheld(&d, pa, pb, &gone, &ngone);
	if (ret >= 0)
		ret = drop_maps(ctx, &d, gone, ngone);
	else
		draft_free(&d);
	free(gone);
	return ret < 0 ? ret : (int)(released + cached);
}

/*
 * SVA: nothing to register; the pages are faulted in now (for writing
 * when the device may write), so that the device's first access finds
 * them present.  A hint only: the kernel may reclaim them later, and the
 * device then faults them in again.
 */
static int sva_prefault(uint64_t va, uint64_t end, unsigned int access)
{
	uint64_t a = ALIGN_DOWN(va, PAGE), b = ALIGN_UP(end, PAGE);
	int advice = (access & SDXI_MEM_WRITE) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;

	/* ENOMEM: not mapped; EINVAL: not with that access (or VM_IO). */
	if (!madvise((void *)(uintptr_t)a, b - a, advice))
		return 0;
	return errno == EINTR ? -EINTR : -EFAULT;
}

SDXI_EXPORT int sdxi_mem_register(struct sdxi_ctx *ctx, const void *addr, size_t len,
				  unsigned int access)
{
	uint64_t va, end;
	int ret;

	if (!ctx || access_check(access))
		return -EINVAL;
	ctx_check(ctx, "sdxi_mem_register()");
	ret = range_check(addr, len, &va, &end);
	if (ret)
		return ret;
	if (ctx->hw.sva)
		return sva_prefault(va, end, access);
	pthread_mutex_lock(&ctx->reg_lock);
	ret = hold_add(ctx, va, end, access, 0);
	pthread_mutex_unlock(&ctx->reg_lock);
	return ret == -EACCES ? -EEXIST : ret;
}

SDXI_EXPORT int sdxi_mem_unregister(struct sdxi_ctx *ctx, const void *addr, size_t len)
{
	uint64_t va, end;
	int ret;

	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_mem_unregister()");
	ret = range_check(addr, len, &va, &end);
	if (ret)
		return ret;
	if (ctx->hw.sva)
		return 0;
	/* Windows over the range go before the memory they reach. */
	window_revoke_range(ctx, va, end);
	pthread_mutex_lock(&ctx->reg_lock);
	ret = hold_release(ctx, va, end);
	pthread_mutex_unlock(&ctx->reg_lock);
	return ret;
}

SDXI_EXPORT int sdxi_mem_iova(struct sdxi_ctx *ctx, const void *addr, size_t len,
			      unsigned int access, uint64_t *iova)
{
	uint64_t va, end;
	int ret;

	if (!ctx || !iova || access_check(access))
		return -EINVAL;
	ctx_check(ctx, "sdxi_mem_iova()");
	ret = range_check(addr, len, &va, &end);
	if (ret)
		return ret;
	if (ctx->hw.sva) {
		*iova = va;
		return 0;
	}
	if (!hold_lookup_rcu(ctx, va, len, access, iova))
		return 0;
	if (ctx->flags & SDXI_CTX_NO_CACHE)
		return -EFAULT;
	pthread_mutex_lock(&ctx->reg_lock);
	ret = hold_lookup(ctx, ctx->regs, va, len, access, iova);
	if (ret) {
		ret = hold_add(ctx, va, end, access, HOLD_IOVA);
		if (!ret) {
			ctx->misses++;
			ret = hold_lookup(ctx, ctx->regs, va, len, access, iova);
		}
	}
	pthread_mutex_unlock(&ctx->reg_lock);
	return ret && ret != -ENOMEM ? -EFAULT : ret;
}

SDXI_EXPORT int sdxi_mem_stats(struct sdxi_ctx *ctx, struct sdxi_mem_stats *st)
{
	const struct reg_table *t;

	if (!ctx || !st)
		return -EINVAL;
	ctx_check(ctx, "sdxi_mem_stats()");
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&ctx->reg_lock);
	t = ctx->regs;
	st->hits = ctx->hits;
	st->misses = ctx->misses;
	st->registrations = t->nmap;
	st->held = t->nhold;
	for (uint32_t i = 0; i < t->nmap; i++) {
		st->cached += t->map[i].holds == 0;
		st->bytes += t->map[i].end - t->map[i].start;
	}
	pthread_mutex_unlock(&ctx->reg_lock);
	return 0;
}
