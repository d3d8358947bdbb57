// SPDX-License-Identifier: MIT
/*
 * Memory registration and the registration cache.
 *
 * Every context keeps one sorted, non-overlapping table of its
 * registrations, explicit (sdxi_mem_register()) and cached (made on first
 * use by the convenience functions and sdxi_mem_iova()).  The table is an
 * immutable snapshot published with RCU (liburcu, urcu-memb flavour):
 * lookups on the submit path take no lock and write no shared memory;
 * changes copy the table under ctx->reg_lock, publish the copy with
 * rcu_assign_pointer() and free the old one after synchronize_rcu().
 *
 * Why urcu-memb: its read side is a thread-local counter update with no
 * fence (synchronize_rcu() uses membarrier(2) to order readers), it needs
 * no cooperation from application threads beyond registration, which the
 * library does itself on a thread's first lookup (and undoes at thread
 * exit).  urcu-qsbr would need every application thread to announce
 * quiescent states, which a library cannot impose.
 *
 * The kernel refuses overlapping registrations in a context (EEXIST), so
 * the cache never asks for one: it registers only the gaps between
 * existing entries, as aligned chunks (cache_shift) clipped to the
 * neighbouring entries and to the mapping the memory lies in (one read of
 * /proc/self/maps per miss), and falls back to the exact pages of the gap
 * when that cannot be pinned.  Read-only mappings are registered
 * read-only.
 *
 * A cached registration is dropped only by sdxi_mem_unregister() of an
 * overlapping range, by an explicit sdxi_mem_register() overlapping it, or
 * when the context is destroyed.  Dropping waits for the descriptors that
 * may use it (RCU grace period, then the ring drained to the tail seen at
 * that point).  The pin keeps the pages: memory the application unmaps
 * while registered stays allocated to the device, which keeps reading and
 * writing the old pages; unregister first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include "internal.h"

#define PAGE	4096ULL

/*
 * Reader registration with urcu-memb.  This is the library's only
 * process-wide state, and it is liburcu's by nature: liburcu tracks
 * readers per thread.  A thread is registered on its first lookup and
 * unregistered by a thread-exit destructor.
 */
static pthread_once_t rcu_once = PTHREAD_ONCE_INIT;
static pthread_key_t rcu_key;
static __thread bool rcu_registered;

static void rcu_thread_exit(void *unused)
{
	(void)unused;
	urcu_memb_unregister_thread();
	rcu_registered = false;
}

static void rcu_key_create(void)
{
	pthread_key_create(&rcu_key, rcu_thread_exit);
}

void rcu_reader(void)
{
	if (rcu_registered)
		return;
	pthread_once(&rcu_once, rcu_key_create);
	urcu_memb_register_thread();
	pthread_setspecific(rcu_key, (void *)1);
	rcu_registered = true;
}

void reg_rcu_lock(void)
{
	rcu_reader();
	urcu_memb_read_lock();
}

void reg_rcu_unlock(void)
{
	urcu_memb_read_unlock();
}

/* Index of the last entry with start <= va, or -1. */
static long table_find(const struct reg_table *t, uint64_t va)
{
	long lo = 0, hi = (long)t->n - 1, best = -1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;

		if (t->e[mid].start <= va) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

/*
 * Device address of [va, va + len) with @access, in an RCU read-side
 * section.  0, -ENOENT (not covered: a cache miss) or -EACCES (covered
 * without that access).
 */
int reg_lookup(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
	       uint64_t *iova)
{
	const struct reg_table *t = rcu_dereference(ctx->regs);
	uint64_t end = va + len;
	const struct reg_ent *e, *cur;
	long i = table_find(t, va);

	if (i < 0 || va >= t->e[i].end)
		return -ENOENT;
	e = cur = &t->e[i];
	if ((e->access & access) != access)
		return -EACCES;
	if (!ctx->hw.identity) {
		if (end > e->end)
			return -ENOENT;
		*iova = e->iova + (va - e->start);
	} else {
		/* IOVA == VA: adjacent registrations form one range. */
		while (cur->end < end) {
			const struct reg_ent *nx = cur + 1;

			if (nx == t->e + t->n || nx->start != cur->end)
				return -ENOENT;
			if ((nx->access & access) != access)
				return -EACCES;
			cur = nx;
		}
		*iova = va;
	}
	/*
	 * Counted only where one thread uses the context: on a shared one
	 * the counter would be a cache line written by every lookup.
	 */
	if (!(ctx->flags & SDXI_CTX_SHARED))
		ctx->hits++;
	return 0;
}

/* A growing list of entries to add to the table. */
struct ent_list {
	struct reg_ent *e;
	uint32_t n, cap;
};

static int list_add(struct ent_list *l, const struct reg_ent *e)
{
	if (l->n == l->cap) {
		struct reg_ent *p = realloc(l->e, (l->cap ? l->cap * 2 : 8) * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->e = p;
		l->cap = l->cap ? l->cap * 2 : 8;
	}
	l->e[l->n++] = *e;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct reg_ent *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/*
 * Publish @old minus the entries flagged in @drop (may be NULL) plus @add,
 * then free @old after a grace period.  Called with reg_lock held.
 */
static int table_update(struct sdxi_ctx *ctx, const bool *drop, const struct ent_list *add)
{
	struct reg_table *old = ctx->regs, *nt;
	uint32_t n = 0, cap = old->n + (add ? add->n : 0);

	nt = malloc(sizeof(*nt) + cap * sizeof(nt->e[0]));
	if (!nt)
		return -ENOMEM;
	for (uint32_t i = 0; i < old->n; i++)
		if (!drop || !drop[i])
			nt->e[n++] = old->e[i];
	for (uint32_t i = 0; add && i < add->n; i++)
		nt->e[n++] = add->e[i];
	nt->n = n;
	qsort(nt->e, n, sizeof(nt->e[0]), cmp_ent);
	rcu_assign_pointer(ctx->regs, nt);
	urcu_memb_synchronize_rcu();
	free(old);
	return 0;
}

/* Map [va, va + len) on the device and describe it as an entry. */
static int map_ent(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
		   uint32_t flags, struct reg_ent *out)
{
	uint64_t iova;
	int ret = ctx->dev->ops->map(ctx->dev, &ctx->hw, va, len, access, &iova);

	if (ret)
		return ret;
	*out = (struct reg_ent){ va, va + len, iova, access, flags };
	return 0;
}

/* Enough for the maps of any ordinary process in one read(). */
#define MAPS_READ_SIZE	(1 << 20)

/*
 * The run of contiguous mappings with the same access around @addr, from
 * /proc/self/maps (read on cache misses only).  0 with [*lo, *hi) and
 * *writable, or -EFAULT when @addr is not mapped readable.
 */
static int vma_run(uint64_t addr, uint64_t *lo, uint64_t *hi, bool *writable)
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
 * Register the gap [lo, hi) for the cache: the aligned chunk around it,
 * clipped to the mapping it lies in and to the neighbouring registrations
 * [prev_end, next_start), read-only if the mapping is; if that cannot be
 * pinned, the exact pages of the gap (read-write, or read-only for a read).
 */
static int fill_gap(struct sdxi_ctx *ctx, uint64_t lo, uint64_t hi, uint64_t prev_end,
		    uint64_t next_start, unsigned int access, struct ent_list *add)
{
	const unsigned int rw = SDXI_MEM_READ | SDXI_MEM_WRITE;
	uint64_t ca = ALIGN_DOWN(lo, ctx->chunk), cb = ALIGN_UP(hi, ctx->chunk), vlo, vhi;
	unsigned int acc = rw;
	struct reg_ent e;
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
	if (!map_ent(ctx, ca, cb - ca, acc, REG_CACHED, &e))
		return list_add(add, &e);
	ret = map_ent(ctx, lo, hi - lo, rw, REG_CACHED, &e);
	if (ret == -EFAULT && access == SDXI_MEM_READ)
		ret = map_ent(ctx, lo, hi - lo, SDXI_MEM_READ, REG_CACHED, &e);
	return ret ? ret : list_add(add, &e);
}

static void unmap_list(struct sdxi_ctx *ctx, const struct ent_list *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		ctx->dev->ops->unmap(ctx->dev, &ctx->hw, l->e[i].start, l->e[i].end - l->e[i].start);
}

/*
 * Cache miss: register whatever part of the pages covering [va, va + len)
 * is not registered.  0, -EFAULT (memory that cannot be registered with
 * @access, or covered by a registration without it), -ENOMEM.
 */
int reg_fill(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access)
{
	uint64_t pa = ALIGN_DOWN(va, PAGE), pb = ALIGN_UP(va + len, PAGE), cur = pa;
	struct ent_list add = { 0 };
	const struct reg_table *t;
	int ret = 0;

	if (ctx->flags & SDXI_CTX_NO_CACHE)
		return -EFAULT;
	pthread_mutex_lock(&ctx->reg_lock);
	t = ctx->regs;
	while (cur < pb && !ret) {
		long i = table_find(t, cur);
		uint64_t prev_end = 0, next_start = UINT64_MAX;

		if (i >= 0 && cur < t->e[i].end) {
			if ((t->e[i].access & access) != access)
				ret = -EFAULT;
			cur = t->e[i].end;
			continue;
		}
		if (i >= 0)
			prev_end = t->e[i].end;
		if (i + 1 < (long)t->n)
			next_start = t->e[i + 1].start;
		ret = fill_gap(ctx, cur, pb < next_start ? pb : next_start, prev_end,
			       next_start, access, &add);
		if (!ret)
			cur = add.e[add.n - 1].end;
	}
	if (!ret && add.n) {
		ret = table_update(ctx, NULL, &add);
		if (!ret)
			ctx->misses++;
	}
	if (ret) {
		unmap_list(ctx, &add);
		if (ret != -ENOMEM)
			ret = -EFAULT;
	}
	pthread_mutex_unlock(&ctx->reg_lock);
	free(add.e);
	return ret;
}

/*
 * Drop the entries of the table flagged in @drop: unpublish, wait for
 * readers and for descriptors submitted meanwhile, then unmap.  Called
 * with reg_lock held.
 */
static int drop_entries(struct sdxi_ctx *ctx, const bool *drop)
{
	const struct reg_table *t = ctx->regs;
	struct ent_list gone = { 0 };
	int ret = 0;

	for (uint32_t i = 0; i < t->n && !ret; i++)
		if (drop[i])
			ret = list_add(&gone, &t->e[i]);
	if (!ret)
		ret = table_update(ctx, drop, NULL);
	if (!ret) {
		/* Lookups that found them have submitted: let those retire. */
		ctx_quiesce(ctx);
		unmap_list(ctx, &gone);
		ret = (int)gone.n;
	}
	free(gone.e);
	return ret;
}

static int range_check(const void *addr, size_t len, uint64_t *pa, uint64_t *pb)
{
	uint64_t va = (uint64_t)(uintptr_t)addr;

	if (!len || va + len < va || va + len > UINT64_MAX - PAGE)
		return -EINVAL;
	*pa = ALIGN_DOWN(va, PAGE);
	*pb = ALIGN_UP(va + len, PAGE);
	return 0;
}

SDXI_EXPORT int sdxi_mem_register(struct sdxi_ctx *ctx, const void *addr, size_t len,
				  unsigned int access)
{
	struct ent_list add = { 0 };
	const struct reg_table *t;
	uint64_t pa, pb;
	bool *drop = NULL;
	bool any = false;
	int ret;

	if (!ctx || !access || (access & ~(SDXI_MEM_READ | SDXI_MEM_WRITE)))
		return -EINVAL;
	ret = range_check(addr, len, &pa, &pb);
	if (ret)
		return ret;
	pthread_mutex_lock(&ctx->reg_lock);
	t = ctx->regs;
	drop = calloc(t->n + 1, sizeof(*drop));
	if (!drop) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		if (t->e[i].end <= pa || t->e[i].start >= pb)
			continue;
		if (!(t->e[i].flags & REG_CACHED)) {
			ret = -EEXIST;
			goto out;
		}
		drop[i] = any = true;
	}
	if (any) {
		ret = drop_entries(ctx, drop);
		if (ret < 0)
			goto out;
	}
	add.e = calloc(1, sizeof(*add.e));
	ret = add.e ? map_ent(ctx, pa, pb - pa, access, 0, add.e) : -ENOMEM;
	if (!ret) {
		add.n = 1;
		ret = table_update(ctx, NULL, &add);
		if (ret)
			unmap_list(ctx, &add);
	}
out:
	pthread_mutex_unlock(&ctx->reg_lock);
	free(drop);
	free(add.e);
	return ret;
}

SDXI_EXPORT int sdxi_mem_unregister(struct sdxi_ctx *ctx, const void *addr, size_t len)
{
	const struct reg_table *t;
	uint64_t pa, pb;
	bool *drop, any = false;
	int ret;

	if (!ctx)
		return -EINVAL;
	ret = range_check(addr, len, &pa, &pb);
	if (ret)
		return ret;
	pthread_mutex_lock(&ctx->reg_lock);
	t = ctx->regs;
	drop = calloc(t->n + 1, sizeof(*drop));
	if (!drop) {
		pthread_mutex_unlock(&ctx->reg_lock);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < t->n; i++)
		if (t->e[i].start < pb && t->e[i].end > pa)
			drop[i] = any = true;
	ret = any ? drop_entries(ctx, drop) : -ENOENT;
	pthread_mutex_unlock(&ctx->reg_lock);
	free(drop);
	return ret;
}

SDXI_EXPORT int sdxi_mem_iova(struct sdxi_ctx *ctx, const void *addr, size_t len,
			      unsigned int access, uint64_t *iova)
{
	uint64_t va = (uint64_t)(uintptr_t)addr, pa, pb;
	int ret;

	if (!ctx || !iova || !access || (access & ~(SDXI_MEM_READ | SDXI_MEM_WRITE)))
		return -EINVAL;
	ret = range_check(addr, len, &pa, &pb);
	if (ret)
		return ret;
	for (int tries = 0; tries < 2; tries++) {
		reg_rcu_lock();
		ret = reg_lookup(ctx, va, len, access, iova);
		reg_rcu_unlock();
		if (ret != -ENOENT)
			break;
		ret = reg_fill(ctx, va, len, access);
		if (ret)
			return ret;
	}
	return ret == -EACCES || ret == -ENOENT ? -EFAULT : ret;
}

SDXI_EXPORT int sdxi_mem_stats(struct sdxi_ctx *ctx, struct sdxi_mem_stats *st)
{
	const struct reg_table *t;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&ctx->reg_lock);
	t = ctx->regs;
	st->hits = ctx->hits;
	st->misses = ctx->misses;
	st->registrations = t->n;
	for (uint32_t i = 0; i < t->n; i++) {
		st->cached += !!(t->e[i].flags & REG_CACHED);
		st->bytes += t->e[i].end - t->e[i].start;
	}
	pthread_mutex_unlock(&ctx->reg_lock);
	return 0;
}

int reg_init(struct sdxi_ctx *ctx, uint32_t cache_shift)
{
	ctx->regs = calloc(1, sizeof(*ctx->regs));
	if (!ctx->regs)
		return -ENOMEM;
	ctx->chunk = 1ULL << cache_shift;
	pthread_mutex_init(&ctx->reg_lock, NULL);
	return 0;
}

/* The context is gone: its registrations went with it (backend). */
void reg_fini(struct sdxi_ctx *ctx)
{
	free(ctx->regs);
	pthread_mutex_destroy(&ctx->reg_lock);
}
