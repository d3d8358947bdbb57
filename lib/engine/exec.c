// SPDX-License-Identifier: MIT
/*
 * Descriptor fetch and dispatch for one context's turn
 * (Documentation/hardware.rst, "Descriptor processing"): read Write_Index,
 * take slots R mod N while R < W and the slot is valid, validate the
 * common header (Table 6-3) and run the operation.
 *
 * The engine is in order within a context: a descriptor retires
 * completely (data, CST_BLK) before the next one is fetched, so fence (fe)
 * and sequential (se) are always satisfied.  A transfer that reaches the
 * byte limit of a run (fn->bytes_left) is suspended with the context
 * (still at R) and resumed first at its next turn.  By default the
 * function never clears vl in the ring (clear_valid does) and R passes a
 * descriptor once it retired (read_index_fetch: once it is fetched).
 */
#include "internal.h"

/* Common header checks, then the group's executor. */
static bool execute(struct sdxie_fn *fn, uint32_t id, const union sdxi_desc *d,
		    struct sdxie_err *e)
{
	const struct sdxie_cxt *c = &fn->cxt[id];
	uint32_t opcode = le32_get(&d->generic.opcode);
	uint64_t csbq = le64_get(&d->generic.csb_ptr);
	uint32_t type = (uint32_t)SDXI_FIELD_GET(SDXI_DSC_TYPE, opcode);
	uint8_t subtype = (uint8_t)SDXI_FIELD_GET(SDXI_DSC_SUBTYPE, opcode);

	if (opcode & (SDXI_DSC_OPCODE_RSVD | SDXI_DSC_CH | SDXI_DSC_RB))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (type < SDXI_DSC_TYPE_DMAB || type > SDXI_DSC_TYPE_INTR)
		return dsc_invalid(e, SDXI_ERR_BAD_TYPE);
	if (type == SDXI_DSC_TYPE_ADMIN && id != SDXI_ADMIN_CXT_ID)
		return dsc_invalid(e, SDXI_ERR_ADMIN_NOT_CXT0);
	if (!(c->opb & SDXI_OPB(type)))
		return dsc_invalid(e, SDXI_ERR_OPB_DISABLED);
	if (csbq & SDXI_DSC_NP) {
		if (csbq & ~SDXI_DSC_NP)
			return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	} else if (csbq & SDXI_DSC_CSB_RSVD) {
		return err_set(e, SDXI_STEP_CST_BLK, SDXI_SUB_STEP_VALIDATION,
			       SDXI_ERR_ALIGN, csbq);
	}

	switch (type) {
	case SDXI_DSC_TYPE_DMAB:
		return exec_dmab(fn, id, d, subtype, e);
	case SDXI_DSC_TYPE_ADMIN:
		return exec_admin(fn, d, subtype, e);
	case SDXI_DSC_TYPE_ATOMIC:
		return exec_atomic(fn, id, d, subtype, e);
	default:
		return exec_intr(fn, id, d, subtype, e);
	}
}

/*
 * clear_valid: write slot @index's word 0 back with vl cleared, after the
 * descriptor executed and before its CST_BLK and R are written (so a
 * producer that sees R past the slot also sees it cleared).  False with
 * @e filled when the write failed: that fails the descriptor (step DSC)
 * unless it failed already.
 */
static bool clear_valid(struct sdxie_fn *fn, const struct sdxie_cxt *c,
			uint64_t index, const union sdxi_desc *d,
			struct sdxie_err *e)
{
	uint64_t slot = c->ring + (index % c->ring_sz) * SDXI_DESC_SIZE;
	uint8_t raw[4];
	int st;

	le32_put(raw, le32_get(&d->generic.opcode) & ~(uint32_t)SDXI_DSC_VL);
	st = mem_write(fn, c->as, slot, raw, sizeof(raw));
	if (!st)
		return true;
	err_set(e, SDXI_STEP_DSC, mem_sub_step(st),
		mem_reason(st), slot);
	return false;
}

enum step_result {
	STEP_RETIRED,		/* descriptor R retired; go on */
	STEP_SUSPENDED,		/* descriptor R suspended at the byte limit */
	STEP_STOP,		/* nothing more for this context now */
};

/*
 * read_index_fetch: descriptor @index is taken.  Its slot's vl is cleared
 * first with clear_valid (the producer may rewrite the slot as soon as R
 * passes it), then R = index + 1 is written to CXT_STS, before the
 * descriptor executes; the engine's own index (c->r) still moves at
 * retirement, so a suspended transfer resumes at it.  True when the
 * descriptor may execute; otherwise *res says how the step ended: a
 * failed clear fails the descriptor, a failed R write the context.
 */
static bool take(struct sdxie_fn *fn, uint32_t id, uint64_t index,
		 const union sdxi_desc *d, enum step_result *res)
{
	const struct sdxie_cxt *c = &fn->cxt[id];
	struct sdxie_err e;
	uint8_t raw[8];

	if (fn->cfg.clear_valid && !clear_valid(fn, c, index, d, &e)) {
		*res = retire(fn, id, index, d, &e) ? STEP_RETIRED : STEP_STOP;
		return false;
	}
	le64_put(raw, index + 1);
	if (mem_write(fn, c->as, c->sts_ptr + 8, raw, sizeof(raw)) == SDXIE_MEM_OK)
		return true;
	err_set(&e, SDXI_STEP_CXT_STS, SDXI_SUB_STEP_ACCESS, SDXI_ERR_ACCESS, c->sts_ptr);
	cxt_fail(fn, id, &e, true, index);
	*res = STEP_STOP;
	return false;
}

/* Suspend descriptor @d: an access waits for a page request. */
static enum step_result wait_page(struct sdxie_cxt *c, const union sdxi_desc *d)
{
	c->desc = *d;
	c->suspended = true;
	c->waiting = true;
	return STEP_STOP;
}

/* Translate ahead what retiring descriptor @index writes: slot, CST_BLK. */
static int probe_retire(struct sdxie_fn *fn, const struct sdxie_cxt *c,
			uint64_t index, const union sdxi_desc *d)
{
	uint64_t csbq = le64_get(&d->generic.csb_ptr);

	if (fn->cfg.clear_valid &&
	    mem_probe(fn, c->as, c->ring + (index % c->ring_sz) * SDXI_DESC_SIZE,
		      SDXI_DESC_SIZE, true) == SDXIE_MEM_PENDING)
		return SDXIE_MEM_PENDING;
	if (csbq & (SDXI_DSC_NP | SDXI_DSC_CSB_RSVD))
		return SDXIE_MEM_OK;
	return mem_probe(fn, c->as, csbq & SDXI_DSC_CSB_PTR,
			 sizeof(struct sdxi_cst_blk), true);
}

/* Fetch (or resume) and run descriptor R. */
static enum step_result step(struct sdxie_fn *fn, uint32_t id)
{
	struct sdxie_cxt *c = &fn->cxt[id];
	uint64_t index = c->r;
	union sdxi_desc d;
	struct sdxie_err e = { 0 };
	bool ok;
	int st;

	if (c->suspended) {
		d = c->desc;
		c->suspended = false;
	} else {
		st = view_fetch(fn, c, index, &d);
		if (st == SDXIE_MEM_PENDING) {
			c->waiting = true;
			return STEP_STOP;
		}
		if (st) {
			err_set(&e, SDXI_STEP_DSC, mem_sub_step(st),
				mem_reason(st),
				c->ring + (index % c->ring_sz) * SDXI_DESC_SIZE);
			cxt_fail(fn, id, &e, true, index);
			return STEP_STOP;
		}
		/* A slot the producer has not published yet: wait for a doorbell. */
		if (!(le32_get(&d.generic.opcode) & SDXI_DSC_VL))
			return STEP_STOP;
		c->moved = 0;
		if (fn->cfg.read_index_fetch) {
			enum step_result res;

			if (!take(fn, id, index, &d, &res))
				return res;
		}
	}

	if (probe_retire(fn, c, index, &d) == SDXIE_MEM_PENDING)
		return wait_page(c, &d);
	ok = execute(fn, id, &d, &e);
	if (!ok && e.pending)
		return wait_page(c, &d);
	/* An admin descriptor may have taken the whole function down. */
	if (id == SDXI_ADMIN_CXT_ID && (fn->gsv != SDXI_GSV_ACTIVE || !c->cached))
		return STEP_STOP;
	/* The transfer set suspended: keep the descriptor for the next turn. */
	if (ok && c->suspended) {
		c->desc = d;
		return STEP_SUSPENDED;
	}
	if (fn->cfg.clear_valid && !fn->cfg.read_index_fetch) {
		struct sdxie_err ce;

		if (!clear_valid(fn, c, index, &d, &ce) && ok) {
			e = ce;
			ok = false;
		}
	}
	if (ok && retire_plain(fn, id, index, &d))
		return STEP_RETIRED;
	return retire(fn, id, index, &d, ok ? NULL : &e) ? STEP_RETIRED : STEP_STOP;
}

unsigned int cxt_process(struct sdxie_fn *fn, uint32_t id, unsigned int quantum,
			 bool *more)
{
	struct sdxie_cxt *c = &fn->cxt[id];
	enum step_result res = STEP_RETIRED;
	unsigned int done = 0;
	struct sdxie_err e;
	uint8_t raw[8];
	uint64_t w;
	int st;

	*more = false;
	if (c->state != SDXI_CXTV_RUN || !c->cached || c->waiting)
		return 0;

	st = mem_read(fn, c->as, c->wi_ptr, raw, sizeof(raw));
	/* CXT_STS is written when descriptors retire: translate it ahead. */
	if (st == SDXIE_MEM_PENDING ||
	    (!st && mem_probe(fn, c->as, c->sts_ptr, sizeof(struct sdxi_cxt_sts),
			      true) == SDXIE_MEM_PENDING)) {
		c->waiting = true;
		return 0;
	}
	if (st) {
		err_set(&e, SDXI_STEP_WRITE_INDEX, mem_sub_step(st),
			mem_reason(st), c->wi_ptr);
		cxt_fail(fn, id, &e, false, 0);
		return 0;
	}
	w = le64_get(raw);
	/* W may run ahead of valid slots, but never behind R or past a ring. */
	if (w < c->r || w - c->r > c->ring_sz) {
		err_set(&e, SDXI_STEP_WRITE_INDEX, SDXI_SUB_STEP_VALIDATION,
			SDXI_ERR_INDEX, c->wi_ptr);
		cxt_fail(fn, id, &e, false, 0);
		return 0;
	}

	view_begin(fn, id);
	while ((c->suspended || c->r < w) && done < quantum && fn->bytes_left) {
		uint64_t r = c->r;

		res = step(fn, id);
		if (res != STEP_RETIRED) {
			/* A failed descriptor retires too (R moves past it). */
			if (res == STEP_SUSPENDED || c->r != r)
				done++;
			break;
		}
		done++;
	}
	if (fn->view.r_dirty && !cxt_retire_r(fn, id, c->r)) {
		err_set(&e, SDXI_STEP_CXT_STS, SDXI_SUB_STEP_ACCESS, SDXI_ERR_ACCESS,
			c->sts_ptr);
		cxt_fail(fn, id, &e, true, c->r - 1);
		res = STEP_STOP;
	}
	view_end(fn);
	*more = res != STEP_STOP && !c->waiting && (c->suspended || c->r < w);
	return done;
}
