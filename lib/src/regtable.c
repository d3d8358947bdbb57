// SPDX-License-Identifier: MIT
/*
 * The registration table of a context and its lookups.
 *
 * A context's registrations are two sorted arrays in one immutable
 * snapshot published with RCU (liburcu, urcu-memb flavour): the device
 * mappings (struct reg_map, disjoint) and the registrations the
 * application holds (struct reg_hold).  Lookups on the submit path take no
 * lock and write no shared memory; changes copy the snapshot into a draft
 * under ctx->reg_lock, publish the new one with rcu_assign_pointer() and
 * free the old one after synchronize_rcu().
 *
 * Why urcu-memb: its read side is a thread-local counter update with no
 * fence (synchronize_rcu() uses membarrier(2) to order readers), and it
 * needs nothing from application threads beyond registration, which the
 * library does itself on a thread's first lookup (and undoes at thread
 * exit).  urcu-qsbr would need every application thread to announce
 * quiescent states, which a library cannot impose.
 */
#include <stdlib.h>

#include <urcu/urcu-memb.h>

#include "internal.h"

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

/* Index of the last mapping with start <= va, or -1. */
long reg_map_find(const struct reg_table *t, uint64_t va)
{
	return find_last_le(t->map, t->nmap, sizeof(*t->map), offsetof(struct reg_map, start), va);
}

/* Index of the last hold with start <= va, or -1. */
static long hold_find(const struct reg_table *t, uint64_t va)
{
	return find_last_le(t->hold, t->nhold, sizeof(*t->hold),
			    offsetof(struct reg_hold, start), va);
}

/*
 * Device address of [va, va + len) with @access through the mappings of
 * @t.  0, -ENOENT (not covered: a cache miss) or -EACCES (covered without
 * that access).
 */
static int map_lookup(struct sdxi_ctx *ctx, const struct reg_table *t, uint64_t va,
		      uint64_t len, unsigned int access, uint64_t *iova)
{
	uint64_t end = va + len;
	const struct reg_map *e, *cur;
	long i = reg_map_find(t, va);

	if (i < 0 || va >= t->map[i].end)
		return -ENOENT;
	e = cur = &t->map[i];
	if ((e->access & access) != access)
		return -EACCES;
	if (!ctx->hw.identity) {
		if (end > e->end)
			return -ENOENT;
		*iova = e->iova + (va - e->start);
		return 0;
	}
	/* IOVA == VA: adjacent mappings form one range. */
	while (cur->end < end) {
		const struct reg_map *nx = cur + 1;

		if (nx == t->map + t->nmap || nx->start != cur->end)
			return -ENOENT;
		if ((nx->access & access) != access)
			return -EACCES;
		cur = nx;
	}
	*iova = va;
	return 0;
}

/*
 * The convenience layer's lookup, in an RCU read-side section: any
 * mapping will do, since the submission that uses the address happens in
 * the same section (see drop_maps()).
 */
int reg_lookup(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
	       uint64_t *iova)
{
	int ret;

	/* SVA: the device address is the virtual address; no cache. */
	if (ctx->hw.sva) {
		*iova = va;
		return 0;
	}
	ret = map_lookup(ctx, rcu_dereference(ctx->regs), va, len, access, iova);

	/*
	 * Counted only where one thread uses the context: on a shared one
	 * the counter would be a cache line written by every lookup.
	 */
	if (!ret && !(ctx->flags & SDXI_CTX_SHARED))
		ctx->hits++;
	return ret;
}

/*
 * sdxi_mem_iova()'s lookup: [va, va + len) must lie inside one hold that
 * allows @access, so that the address stays valid until that hold is
 * released.  0 with *iova set, or -ENOENT.
 */
int hold_lookup(struct sdxi_ctx *ctx, const struct reg_table *t, uint64_t va, uint64_t len,
		unsigned int access, uint64_t *iova)
{
	long i = hold_find(t, va);

	if (i < 0 || t->reach[access - 1][i] < va + len)
		return -ENOENT;
	return map_lookup(ctx, t, va, len, access, iova) ? -ENOENT : 0;
}

/* hold_lookup() on the current table, lock free; counts a hit. */
int hold_lookup_rcu(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
		    uint64_t *iova)
{
	int ret;

	reg_rcu_lock();
	ret = hold_lookup(ctx, rcu_dereference(ctx->regs), va, len, access, iova);
	reg_rcu_unlock();
	if (!ret && !(ctx->flags & SDXI_CTX_SHARED))
		ctx->hits++;
	return ret;
}

int draft_init(struct reg_draft *d, const struct reg_table *t)
{
	*d = (struct reg_draft){ 0 };
	d->cap_map = t->nmap + 4;
	d->cap_hold = t->nhold + 2;
	d->map = malloc(d->cap_map * sizeof(*d->map));
	d->hold = malloc(d->cap_hold * sizeof(*d->hold));
	if (!d->map || !d->hold) {
		draft_free(d);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < t->nmap; i++)
		d->map[i] = t->map[i];
	for (uint32_t i = 0; i < t->nhold; i++)
		d->hold[i] = t->hold[i];
	d->nmap = t->nmap;
	d->nhold = t->nhold;
	return 0;
}

void draft_free(struct reg_draft *d)
{
	free(d->map);
	free(d->hold);
	d->map = NULL;
	d->hold = NULL;
}

static int grow(void **arr, uint32_t *cap, size_t size)
{
	uint32_t n = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, n * size);

	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

int draft_add_map(struct reg_draft *d, const struct reg_map *m)
{
	if (d->nmap == d->cap_map && grow((void **)&d->map, &d->cap_map, sizeof(*m)))
		return -ENOMEM;
	d->map[d->nmap++] = *m;
	return 0;
}

int draft_add_hold(struct reg_draft *d, const struct reg_hold *h)
{
	if (d->nhold == d->cap_hold && grow((void **)&d->hold, &d->cap_hold, sizeof(*h)))
		return -ENOMEM;
	d->hold[d->nhold++] = *h;
	return 0;
}

static int cmp_map(const void *a, const void *b)
{
	const struct reg_map *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static int cmp_hold(const void *a, const void *b)
{
	const struct reg_hold *x = a, *y = b;

	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	return (x->end > y->end) - (x->end < y->end);
}

/* One allocation: the header, both arrays and the three reach arrays. */
static struct reg_table *table_build(const struct reg_draft *d)
{
	size_t bytes = sizeof(struct reg_table) + d->nmap * sizeof(struct reg_map) +
		       d->nhold * (sizeof(struct reg_hold) + 3 * sizeof(uint64_t));
	struct reg_table *t = malloc(bytes);
	uint64_t best[3] = { 0, 0, 0 };

	if (!t)
		return NULL;
	t->nmap = d->nmap;
	t->nhold = d->nhold;
	t->map = (struct reg_map *)(t + 1);
	t->hold = (struct reg_hold *)(t->map + d->nmap);
	t->reach[0] = (uint64_t *)(t->hold + d->nhold);
	t->reach[1] = t->reach[0] + d->nhold;
	t->reach[2] = t->reach[1] + d->nhold;
	for (uint32_t i = 0; i < d->nmap; i++)
		t->map[i] = d->map[i];
	for (uint32_t i = 0; i < d->nhold; i++)
		t->hold[i] = d->hold[i];
	qsort(t->map, t->nmap, sizeof(*t->map), cmp_map);
	qsort(t->hold, t->nhold, sizeof(*t->hold), cmp_hold);
	for (uint32_t i = 0; i < t->nhold; i++) {
		for (unsigned int k = 0; k < 3; k++) {
			unsigned int acc = k + 1;

			if ((t->hold[i].access & acc) == acc && t->hold[i].end > best[k])
				best[k] = t->hold[i].end;
			t->reach[k][i] = best[k];
		}
	}
	return t;
}

/*
 * Publish @d as the context's table and free the old one after a grace
 * period: when this returns, no lookup still sees an entry @d dropped.
 * Called with reg_lock held.  @d is freed on success and left to the
 * caller on failure (-ENOMEM).
 */
int draft_publish(struct sdxi_ctx *ctx, struct reg_draft *d)
{
	struct reg_table *old = ctx->regs, *nt = table_build(d);

	if (!nt)
		return -ENOMEM;
	draft_free(d);
	rcu_assign_pointer(ctx->regs, nt);
	urcu_memb_synchronize_rcu();
	free(old);
	return 0;
}

/* Map [va, va + len) on the device and describe it (no holds yet). */
int map_device(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
	       struct reg_map *out)
{
	uint64_t iova;
	int ret = ctx->dev->ops->map(ctx->dev, &ctx->hw, va, len, access, &iova);

	if (ret)
		return ret;
	*out = (struct reg_map){ va, va + len, iova, access, 0 };
	return 0;
}

void unmap_device(struct sdxi_ctx *ctx, const struct reg_map *m, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		ctx->dev->ops->unmap(ctx->dev, &ctx->hw, m[i].start, m[i].end - m[i].start);
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

/* The context is gone: its mappings went with it (backend). */
void reg_fini(struct sdxi_ctx *ctx)
{
	free(ctx->regs);
	pthread_mutex_destroy(&ctx->reg_lock);
}
