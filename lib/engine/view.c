// SPDX-License-Identifier: MIT
/*
 * Views: host mappings a client context's turn holds, so that each
 * descriptor reads its ring slot and AKey entries and moves its data with
 * plain loads, stores and memmove() instead of host calls: the ring, the
 * AKey table, and the last source and destination data ranges.  Every
 * access still reads or writes memory when it happens (only translations
 * are kept, as an IOTLB would); the host keeps a mapping valid until it is
 * unmapped, and the turn unmaps them all when it ends.  Without a map()
 * callback, or where it declines, accesses go through read()/write().
 *
 * Data written through the destination view reaches the host (its unmap)
 * before any control-structure write (mem_write()): a CST_BLK, R, CXT_STS,
 * the error log.  R itself is written once, when the turn ends or before
 * an interrupt or a failure of the context (retire_plain(), cxt_fail()),
 * so R > k still means that descriptor k has completed.
 *
 * Memory ordering (the producer publishes a slot's body, then qword 0 with
 * vl, then W): qword 0 is read before the body with an acquire fence in
 * between.  Control-structure writes go through the host's write(), which
 * orders them after the data (libsdxi's software device fences).
 */
#include "internal.h"

#define VIEW_MAX	65536		/* bytes of ring one view maps at most */
#define VIEW_AKEY_PAGE	4096

static void view_drop(struct sdxie_fn *fn, struct sdxie_view *v)
{
	if (v->host)
		fn->ops->unmap(fn->opaque, v->host, v->len, v->is_write);
	v->host = NULL;
	v->len = 0;	/* view_ptr() relies on it */
}

/*
 * Remap @v as [base, base + want) (which contains [addr, addr + len)) and
 * return the host pointer to @addr in *p.  Returns SDXIE_MEM_OK with *p
 * NULL when the host maps nothing here (use read/write), or the host's
 * fault status.
 */
static int view_map(struct sdxie_fn *fn, struct sdxie_view *v, struct sdxie_as as,
		    uint64_t addr, uint64_t len, uint64_t base, uint64_t want,
		    bool is_write, void **p)
{
	uint64_t mlen = want;
	int st = SDXIE_MEM_OK;
	void *host;

	*p = NULL;
	view_drop(fn, v);
	if (!fn->view.on || base + want < base)
		return SDXIE_MEM_OK;
	host = fn->ops->map(fn->opaque, as, base, &mlen, is_write, &st);
	if (!host)
		return st;
	*v = (struct sdxie_view){ .host = host, .as = as, .addr = base, .len = mlen,
				  .is_write = is_write };
	*p = view_ptr(v, addr, len);
	return SDXIE_MEM_OK;
}

void view_begin(struct sdxie_fn *fn, uint32_t id)
{
	/* Admin descriptors may re-walk the admin context itself. */
	fn->view.on = id != SDXI_ADMIN_CXT_ID && fn->ops->map;
	fn->view.id = id;
	fn->view.r_dirty = false;
	fn->view.run = 0;
	fn->irq_after_retire = 0;
}

void view_end(struct sdxie_fn *fn)
{
	view_drop(fn, &fn->view.ring);
	view_drop(fn, &fn->view.akey);
	view_drop(fn, &fn->view.src);
	view_drop(fn, &fn->view.dst);
	fn->view.on = false;
}

int view_fetch_slow(struct sdxie_fn *fn, const struct sdxie_cxt *c, uint64_t index,
		    union sdxi_desc *d)
{
	struct sdxie_view *v = &fn->view.ring;
	/* Rings of a power-of-two size need no division. */
	uint64_t slot = c->ring_sz & (c->ring_sz - 1) ? index % c->ring_sz :
			index & (c->ring_sz - 1);
	uint64_t addr = c->ring + slot * SDXI_DESC_SIZE;
	void *p;
	int st;

	fn->view.run = 0;
	p = view_ptr(v, addr, SDXI_DESC_SIZE);
	if (!p) {
		/* Map from this slot on, towards the end of the ring. */
		st = view_map(fn, v, c->as, addr, SDXI_DESC_SIZE, addr,
			      min64((c->ring_sz - slot) * SDXI_DESC_SIZE, VIEW_MAX),
			      false, &p);
		/* A fault may be the view's wider range: read the slot alone. */
		if (st || !p)
			return mem_read(fn, c->as, addr, d, sizeof(*d));
	}
	/* The slots after this one that the view holds, up to the ring's end. */
	fn->view.next_index = index + 1;
	fn->view.next_host = (const uint8_t *)p + SDXI_DESC_SIZE;
	fn->view.run = min64((v->len - (addr - v->addr)) / SDXI_DESC_SIZE,
			     c->ring_sz - slot) - 1;
	view_load_desc(d, p);
	return SDXIE_MEM_OK;
}

int view_read_akey(struct sdxie_fn *fn, const struct sdxie_cxt *c, uint64_t addr,
		   struct sdxi_akey_ent *ent)
{
	uint64_t end = c->akey_ptr + (uint64_t)c->akey_entries * sizeof(*ent);
	uint64_t base = addr & ~(uint64_t)(VIEW_AKEY_PAGE - 1);
	void *p;
	int st;

	p = view_ptr(&fn->view.akey, addr, sizeof(*ent));
	if (!p) {
		/* The table is 4 KiB aligned: map the 4 KiB of entries around @addr. */
		st = view_map(fn, &fn->view.akey, fn_as(fn), addr, sizeof(*ent), base,
			      min64(VIEW_AKEY_PAGE, end - base), false, &p);
		if (st || !p)
			return mem_read(fn, fn_as(fn), addr, ent, sizeof(*ent));
	}
	memcpy(ent, p, sizeof(*ent));
	return SDXIE_MEM_OK;
}

void *view_data(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
		uint64_t *len, bool is_write, int *status)
{
	struct sdxie_view *v = is_write ? &fn->view.dst : &fn->view.src;
	void *p;

	*status = SDXIE_MEM_OK;
	if (!same_as(v->as, as) || !view_ptr(v, addr, 1)) {
		/*
		 * Exactly the range asked for: a host may refuse a range for
		 * any part of it, and may mark all it maps written (QEMU:
		 * dirty pages, translated code dropped) when it is unmapped.
		 */
		*status = view_map(fn, v, as, addr, 1, addr, *len, is_write, &p);
		if (!p)
			return NULL;
	}
	if (*len > v->len - (addr - v->addr))
		*len = v->len - (addr - v->addr);
	return (uint8_t *)v->host + (addr - v->addr);
}

void view_release_writes(struct sdxie_fn *fn)
{
	view_drop(fn, &fn->view.dst);
}
