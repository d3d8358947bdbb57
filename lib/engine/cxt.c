// SPDX-License-Identifier: MIT
/*
 * Contexts: the table walk MMIO_CXT_L2 -> L2 -> L1 -> CXT_CTL (SDXI 1.0
 * 3.2 .. 3.5), the function-written CXT_STS (3.6), context error handling
 * and AKey lookup (3.8).
 */
#include "internal.h"

static bool walk_fault(struct sdxie_err *e, uint8_t step, int st, uint64_t addr)
{
	return err_set(e, step, mem_sub_step(st),
		       mem_reason(st), addr);
}

static bool walk_invalid(struct sdxie_err *e, uint8_t step, uint16_t reason,
			 uint64_t addr)
{
	return err_set(e, step, SDXI_SUB_STEP_VALIDATION, reason, addr);
}

/* L2 entry -> L1 entry of context @id, through the function address space. */
static bool walk_l1(struct sdxie_fn *fn, uint32_t id, struct sdxi_cxt_l1_ent *l1,
		    uint64_t *l1_addr, struct sdxie_err *e)
{
	uint64_t l2_addr = (fn->cxt_l2 & SDXI_CXT_L2_PTR) + SDXI_CXT_ID_L2(id) * 8;
	uint8_t raw[8];
	uint64_t l2;
	int st;

	st = mem_read(fn, fn_as(fn), l2_addr, raw, sizeof(raw));
	if (st)
		return walk_fault(e, SDXI_STEP_CXT_L2, st, l2_addr);
	l2 = le64_get(raw);
	if (!(l2 & SDXI_L2_ENT_VL))
		return walk_invalid(e, SDXI_STEP_CXT_L2, SDXI_ERR_NOT_VALID, l2_addr);
	if (l2 & SDXI_L2_ENT_RSVD)
		return walk_invalid(e, SDXI_STEP_CXT_L2, SDXI_ERR_RSVD_SET, l2_addr);

	*l1_addr = (l2 & SDXI_L2_ENT_LV01_PTR) + SDXI_CXT_ID_L1(id) * sizeof(*l1);
	st = mem_read(fn, fn_as(fn), *l1_addr, l1, sizeof(*l1));
	if (st)
		return walk_fault(e, SDXI_STEP_CXT_L1, st, *l1_addr);
	return true;
}

/* Validate the L1 entry (Table 3-3) into @c. */
static bool check_l1(struct sdxie_fn *fn, const struct sdxi_cxt_l1_ent *l1,
		     uint64_t addr, struct sdxie_cxt *c, struct sdxie_err *e)
{
	uint64_t ctl = le64_get(&l1->cxt_ctl_ptr), akey = le64_get(&l1->akey_ptr);
	uint32_t misc = le32_get(&l1->misc), akey_sz, max_buf;
	uint32_t avl = (uint32_t)SDXI_FIELD_GET(SDXI_CTL2_OPB_000_AVL, fn->ctl2);

	if (!(ctl & SDXI_L1_ENT_VL))
		return walk_invalid(e, SDXI_STEP_CXT_L1, SDXI_ERR_NOT_VALID, addr);
	if ((ctl & SDXI_L1_ENT_CTL_RSVD) || (akey & SDXI_L1_ENT_AKEY_RSVD) ||
	    (misc & SDXI_L1_ENT_MISC_RSVD) || le64_get(&l1->rsvd_0))
		return walk_invalid(e, SDXI_STEP_CXT_L1, SDXI_ERR_RSVD_SET, addr);

	akey_sz = (uint32_t)SDXI_FIELD_GET(SDXI_L1_ENT_AKEY_SZ, akey);
	if (akey_sz > SDXI_FIELD_GET(SDXI_CTL2_MAX_AKEY_SZ, fn->ctl2))
		return walk_invalid(e, SDXI_STEP_CXT_L1, SDXI_ERR_SIZE, addr);
	max_buf = (uint32_t)SDXI_FIELD_GET(SDXI_L1_ENT_MAX_BUFFER, misc);
	if (max_buf > 11)
		return walk_invalid(e, SDXI_STEP_CXT_L1, SDXI_ERR_SIZE, addr);

	c->as = fn_as(fn);
	if (ctl & SDXI_L1_ENT_PV) {
		uint32_t pasid = misc & SDXI_L1_ENT_CXT_PASID;

		if (!fn->ops->pasid_usable || !fn->ops->pasid_usable(fn->opaque, pasid))
			return walk_invalid(e, SDXI_STEP_CXT_L1, SDXI_ERR_PASID_INVALID, addr);
		c->as = (struct sdxie_as){ .pasid = pasid, .has_pasid = true };
	}
	c->akey_ptr = akey & SDXI_L1_ENT_AKEY_PTR;
	c->akey_entries = (uint32_t)SDXI_AKEY_ENTRIES(akey_sz);
	c->max_buffer = SDXI_MAX_BUFFER_BYTES(max_buf);
	if (c->max_buffer > fn_max_buffer(fn))
		c->max_buffer = fn_max_buffer(fn);
	c->opb = le32_get(&l1->opb_000_enb) & avl & fn->cfg.opb_cap;
	return true;
}

/* Validate CXT_CTL (Table 3-4) into @c. */
static bool check_ctl(struct sdxie_fn *fn, const struct sdxi_cxt_ctl *ctl,
		      uint64_t addr, struct sdxie_cxt *c, struct sdxie_err *e)
{
	uint64_t ring = le64_get(&ctl->ds_ring_ptr);
	uint64_t sts = le64_get(&ctl->cxt_sts_ptr), wi = le64_get(&ctl->write_index_ptr);
	uint32_t sz = le32_get(&ctl->ds_ring_sz);

	if (!(ring & SDXI_CXT_CTL_VL))
		return walk_invalid(e, SDXI_STEP_CXT_CTL, SDXI_ERR_NOT_VALID, addr);
	if ((ring & SDXI_CXT_CTL_RING_RSVD) || le32_get(&ctl->rsvd_0) ||
	    !all_zero(ctl->rsvd_1, sizeof(ctl->rsvd_1)))
		return walk_invalid(e, SDXI_STEP_CXT_CTL, SDXI_ERR_RSVD_SET, addr);
	if (sz < SDXI_RING_MIN_ENTRIES || sz > SDXI_RING_MAX_ENTRIES(fn->cfg.max_ring_sz))
		return walk_invalid(e, SDXI_STEP_CXT_CTL, SDXI_ERR_RING_SIZE, addr);
	if ((sts & ~SDXI_CXT_CTL_CXT_STS_PTR) || (wi & ~SDXI_CXT_CTL_WRITE_INDEX_PTR))
		return walk_invalid(e, SDXI_STEP_CXT_CTL, SDXI_ERR_ALIGN, addr);

	c->ring = ring & SDXI_CXT_CTL_DS_RING_PTR;
	c->ring_sz = sz;
	c->sts_ptr = sts;
	c->wi_ptr = wi;
	return true;
}

/*
 * Walk the tables for context @id and fill the cacheable part of @out.
 * The tables are read through the function address space.
 */
bool cxt_walk(struct sdxie_fn *fn, uint32_t id, struct sdxie_cxt *out,
	      struct sdxie_err *e)
{
	struct sdxi_cxt_l1_ent l1;
	struct sdxi_cxt_ctl ctl;
	struct sdxie_cxt c = { 0 };
	uint64_t l1_addr, ctl_addr;
	int st;

	if (!walk_l1(fn, id, &l1, &l1_addr, e) || !check_l1(fn, &l1, l1_addr, &c, e))
		return false;
	ctl_addr = le64_get(&l1.cxt_ctl_ptr) & SDXI_L1_ENT_CXT_CTL_PTR;
	st = mem_read(fn, fn_as(fn), ctl_addr, &ctl, sizeof(ctl));
	if (st)
		return walk_fault(e, SDXI_STEP_CXT_CTL, st, ctl_addr);
	if (!check_ctl(fn, &ctl, ctl_addr, &c, e))
		return false;

	c.state = out->state;
	c.queued = out->queued;
	c.r = out->r;
	c.suspended = out->suspended;
	c.moved = out->moved;
	c.waiting = out->waiting;
	c.desc = out->desc;
	c.cached = true;
	*out = c;
	return true;
}

/*
 * Record a context state change in CXT_STS.state (function-owned).  A
 * context that leaves RUN abandons a suspended transfer: R stays at it.
 */
void cxt_set_state(struct sdxie_fn *fn, uint32_t id, uint8_t state)
{
	struct sdxie_cxt *c = &fn->cxt[id];
	uint8_t b = state;

	c->state = state;
	if (state != SDXI_CXTV_RUN) {
		c->suspended = false;
		c->waiting = false;
	}
	if (c->cached)
		mem_write(fn, c->as, c->sts_ptr, &b, 1);
	fn_event(fn, &(struct sdxie_event){ .kind = SDXIE_EV_CXT_STATE,
					    .cxt = (uint16_t)id, .state = state });
}

/* Publish the read index in CXT_STS.read_index. */
bool cxt_write_r(struct sdxie_fn *fn, uint32_t id, uint64_t r)
{
	struct sdxie_cxt *c = &fn->cxt[id];
	uint8_t raw[8];

	c->r = r;
	fn->view.r_dirty = false;
	le64_put(raw, r);
	return mem_write(fn, c->as, c->sts_ptr + 8, raw, sizeof(raw)) == SDXIE_MEM_OK;
}

/*
 * R after descriptors up to r - 1 retired.  With read_index_fetch R was
 * published when each of them was fetched (exec.c), so only the engine's
 * own index moves; otherwise this is cxt_write_r().
 */
bool cxt_retire_r(struct sdxie_fn *fn, uint32_t id, uint64_t r)
{
	if (!fn->cfg.read_index_fetch)
		return cxt_write_r(fn, id, r);
	fn->cxt[id].r = r;
	fn->view.r_dirty = false;
	return true;
}

/*
 * A client context failed: it enters ERR_FN and stops (reaction 1).  The
 * admin context cannot be restarted by descriptor, so a failure of its own
 * structures is a function error instead.
 */
void cxt_fail(struct sdxie_fn *fn, uint32_t id, const struct sdxie_err *e,
	      bool div, uint64_t index)
{
	if (id == SDXI_ADMIN_CXT_ID) {
		fn_enter_error(fn, e, (int)id);
		return;
	}
	/* R of what the turn retired first, as if written at each retire. */
	if (fn->view.r_dirty && fn->view.id == id)
		cxt_retire_r(fn, id, fn->cxt[id].r);
	cxt_set_state(fn, id, SDXI_CXTV_ERR_FN);
	errlog_report(fn, e, (int)id, div, index, SDXI_RE_CXT_STOPPED);
}

/* Forget all cached context state (function stop, error, reset). */
void cxt_forget_all(struct sdxie_fn *fn)
{
	memset(fn->cxt, 0, sizeof(*fn->cxt) * fn->nr_cxt);
	fn->q_head = 0;
	fn->q_len = 0;
	fn->round_left = 0;
}

/*
 * Look up AKey @idx of context @c (Table 3-7).  Entries are read on every
 * use, never cached.  On success @as is the address space the key selects:
 * its PASID if pv = 1, else the context's own.  Each address of a
 * descriptor is looked up through its own key.  Only the local function
 * can be named (tgt_sfunc = 0).
 */
bool akey_lookup(struct sdxie_fn *fn, const struct sdxie_cxt *c, uint16_t idx,
		 struct sdxi_akey_ent *ent, struct sdxie_as *as,
		 struct sdxie_err *e)
{
	uint64_t addr = c->akey_ptr + (uint64_t)idx * sizeof(*ent);
	uint16_t intr;
	uint32_t pasid;
	void *p;
	int st;

	if (idx >= c->akey_entries)
		return err_set(e, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION,
			       SDXI_ERR_AKEY_INVALID, addr);
	p = view_ptr(&fn->view.akey, addr, sizeof(*ent));
	if (p) {
		memcpy(ent, p, sizeof(*ent));
	} else {
		st = view_read_akey(fn, c, addr, ent);
		if (st)
			return walk_fault(e, SDXI_STEP_AKEY, st, addr);
	}

	intr = le16_get(&ent->intr);
	pasid = le32_get(&ent->pasid);
	/* tgt_sfunc != 0 would name another function: no RKey path. */
	if (!(intr & SDXI_AKEY_VL) || (intr & (SDXI_AKEY_STE | SDXI_AKEY_INTR_RSVD)) ||
	    le16_get(&ent->tgt_sfunc) ||
	    (pasid & ~SDXI_AKEY_PASID) || le16_get(&ent->stag) ||
	    le16_get(&ent->rsvd_0) || le16_get(&ent->rkey) || le16_get(&ent->rsvd_1))
		return err_set(e, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION,
			       SDXI_ERR_AKEY_INVALID, addr);

	*as = c->as;
	if (intr & SDXI_AKEY_PV) {
		if (!fn->ops->pasid_usable ||
		    !fn->ops->pasid_usable(fn->opaque, pasid & SDXI_AKEY_PASID))
			return err_set(e, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION,
				       SDXI_ERR_PASID_INVALID, addr);
		*as = (struct sdxie_as){ .pasid = pasid & SDXI_AKEY_PASID,
					 .has_pasid = true };
	}
	return true;
}
