// SPDX-License-Identifier: MIT
/*
 * The registration cache: device mappings made on first use by the
 * convenience layer (sdxi_memcpy() and friends), which never hands their
 * addresses out.
 *
 * The kernel refuses overlapping mappings in a context (EEXIST), so the
 * cache never asks for one: it maps only the gaps between existing
 * mappings, as aligned chunks (cache_shift) clipped to the neighbouring
 * mappings and to the run of mappings the memory lies in (vma.c), or as
 * the whole run when that is no larger than a chunk, and falls back to
 * the exact pages of the gap when that cannot be pinned.  Read-only
 * memory is mapped read-only.
 *
 * A cache mapping is dropped by sdxi_mem_unregister() of a range
 * overlapping it, by a registration (sdxi_mem_register(), sdxi_mem_iova())
 * needing its pages, or with the context.  Since nobody holds its
 * addresses beyond one submission, dropping it only waits for the
 * descriptors submitted meanwhile (drop_maps() in mem.c).
 */
#include "internal.h"

#define PAGE	4096ULL

/*
 * Map the gap [lo, hi) for the cache: the aligned chunk around it,
 * clipped to the run of mappings it lies in, or that whole run if it is
 * no larger than a chunk (a small buffer across a chunk boundary is one
 * mapping, not two); then clipped to the neighbouring device mappings
 * [prev_end, next_start), read-only if the memory is; if that
 * cannot be pinned, the exact pages of the gap (read-write, or read-only
 * for a read).
 */
static int fill_gap(struct sdxi_ctx *ctx, uint64_t lo, uint64_t hi, uint64_t prev_end,
		    uint64_t next_start, unsigned int access, struct reg_draft *d)
{
	const unsigned int rw = SDXI_MEM_READ | SDXI_MEM_WRITE;
	uint64_t ca = ALIGN_DOWN(lo, ctx->chunk), cb = ALIGN_UP(hi, ctx->chunk), vlo, vhi;
	unsigned int acc = rw;
	struct reg_map m;
	bool writable;
	int ret;

	if (cb < hi)		/* aligning up wrapped */
		cb = hi;
	/* A run no larger than a chunk lies within a chunk's length of @lo. */
	if (!vma_run(lo, lo > ctx->chunk ? lo - ctx->chunk : 0,
		     cb - lo > ctx->chunk ? cb : lo + ctx->chunk, &vlo, &vhi, &writable)) {
		if (vhi - vlo <= ctx->chunk) {
			/* All of a small run, wherever the chunk boundaries fall. */
			ca = vlo;
			cb = vhi;
		} else {
			if (ca < vlo)
				ca = vlo;
			if (cb > vhi)
				cb = vhi;
		}
		if (!writable)
			acc = SDXI_MEM_READ;
	}
	if (ca < prev_end)
		ca = prev_end;
	if (cb > next_start)
		cb = next_start;
	if (ca > lo)
		ca = lo;
	if (cb < hi)
		cb = hi;
	if ((access & ~acc) != 0)
		return -EFAULT;		/* writing read-only memory */
	if (!map_device(ctx, ca, cb - ca, acc, &m))
		return draft_add_map(d, &m);
	ret = map_device(ctx, lo, hi - lo, rw, &m);
	if (ret == -EFAULT && access == SDXI_MEM_READ)
		ret = map_device(ctx, lo, hi - lo, SDXI_MEM_READ, &m);
	return ret ? ret : draft_add_map(d, &m);
}

/*
 * Cache miss: map whatever part of the pages covering [va, va + len) is
 * not mapped.  0, -EFAULT (memory that cannot be mapped with @access, or
 * mapped without it), -ENOMEM.
 */
int reg_fill(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access)
{
	uint64_t pa = ALIGN_DOWN(va, PAGE), pb = ALIGN_UP(va + len, PAGE), cur = pa;
	const struct reg_table *t;
	struct reg_draft d;
	uint32_t first_new;
	int ret;

	if (ctx->flags & SDXI_CTX_NO_CACHE)
		return -EFAULT;
	pthread_mutex_lock(&ctx->reg_lock);
	t = ctx->regs;
	ret = draft_init(&d, t);
	first_new = t->nmap;
	while (cur < pb && !ret) {
		long i = reg_map_find(t, cur);
		uint64_t prev_end = 0, next_start = UINT64_MAX;

		if (i >= 0 && cur < t->map[i].end) {
			if ((t->map[i].access & access) != access)
				ret = -EFAULT;
			cur = t->map[i].end;
			continue;
		}
		if (i >= 0)
			prev_end = t->map[i].end;
		if (i + 1 < (long)t->nmap)
			next_start = t->map[i + 1].start;
		ret = fill_gap(ctx, cur, pb < next_start ? pb : next_start, prev_end,
			       next_start, access, &d);
		if (!ret)
			cur = d.map[d.nmap - 1].end;
	}
	if (!ret && d.nmap > first_new) {
		ret = draft_publish(ctx, &d);
		if (!ret)
			ctx->misses++;
	}
	if (ret && d.map)
		unmap_device(ctx, d.map + first_new, d.nmap - first_new);
	draft_free(&d);
	if (ret && ret != -ENOMEM)
		ret = -EFAULT;
	pthread_mutex_unlock(&ctx->reg_lock);
	return ret;
}
