// SPDX-License-Identifier: MIT
/*
 * The registration cache: device mappings made on first use by the
 * convenience layer (sdxi_memcpy() and friends), which never hands their
 * addresses out.
 *
 * The kernel refuses overlapping mappings in a context (EEXIST), so the
 * cache never asks for one: it maps only the gaps between existing
 * mappings, as aligned chunks (cache_shift) clipped to the neighbouring
 * mappings and to the run of mappings the memory lies in (one read of
 * /proc/self/maps per miss), and falls back to the exact pages of the gap
 * when that cannot be pinned.  Read-only memory is mapped read-only.
 *
 * A cache mapping is dropped by sdxi_mem_unregister() of a range
 * overlapping it, by a registration (sdxi_mem_register(), sdxi_mem_iova())
 * needing its pages, or with the context.  Since nobody holds its
 * addresses beyond one submission, dropping it only waits for the
 * descriptors submitted meanwhile (drop_maps() in mem.c).
 */
#include <stdio.h>

#include "internal.h"

#define PAGE	4096ULL

/* Enough for the maps of any ordinary process in one read(). */
#define MAPS_READ_SIZE	(1 << 20)

/*
 * The run of contiguous mappings with the same access around @addr, from
 * /proc/self/maps.  0 with [*lo, *hi) and *writable, or -EFAULT when
 * @addr is not mapped readable.
 */
int vma_run(uint64_t addr, uint64_t *lo, uint64_t *hi, bool *writable)
{
	FILE *f = fopen("/proc/self/maps", "re");
	uint64_t run_lo = 0, run_hi = 0;
	int run_p = -1;
	bool found = false;
	char line[512];

	if (!f)
		return -EFAULT;
	/*
	 * One read() per buffer fill, and the kernel holds the mmap lock
	 * for one read(): a buffer that takes the whole file at once gives
	 * a consistent snapshot even while other threads map and unmap
	 * (stdio's default 4 KiB reads could see a mapping change between
	 * two of them and miss the run around @addr).
	 */
	setvbuf(f, NULL, _IOFBF, MAPS_READ_SIZE);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, off, ino;
		char perm[5], dev[16];
		int p;

		if (sscanf(line, "%llx-%llx %4s %llx %15s %llu", &a, &b, perm, &off, dev, &ino) != 6)
			continue;
		/*
		 * Only private anonymous or file memory extends a run: shared
		 * mappings (a device's registers or rings, shared files) end
		 * it, since pinning across them would fail.
		 */
		p = (perm[0] == 'r') | (perm[1] == 'w') << 1 | (perm[3] == 's') << 2;
		if (a == run_hi && p == run_p && !(p & 4)) {
			run_hi = b;
		} else {
			if (found)
				break;
			run_lo = a;
			run_hi = b;
			run_p = p;
		}
		if (addr >= run_lo && addr < run_hi)
			found = true;
	}
	fclose(f);
	if (!found || !(run_p & 1))
		return -EFAULT;
	*lo = run_lo;
	*hi = run_hi;
	*writable = run_p & 2;
	return 0;
}

/*
 * Map the gap [lo, hi) for the cache: the aligned chunk around it,
 * clipped to the mapping it lies in and to the neighbouring device
 * mappings [prev_end, next_start), read-only if the memory is; if that
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
	if (!vma_run(lo, &vlo, &vhi, &writable)) {
		if (ca < vlo)
			ca = vlo;
		if (cb > vhi)
			cb = vhi;
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
