// SPDX-License-Identifier: MIT
/*
 * Admin group (type 0x002), legal only in context 0 (SDXI 1.0 6.4;
 * Documentation/hardware.rst, "Admin group").  CXT_UPD, AKEY_UPD, FN_UPD
 * and ADM_INTR layouts are our choice.  The engine is in order, so SYNC
 * completes at once: by the time it runs, everything before it has taken
 * effect.
 */
#include "internal.h"

/* Range checks shared by the context-range descriptors. */
static bool range_ok(struct sdxie_fn *fn, uint8_t vflags, uint16_t vf_num,
		     uint16_t start, uint16_t end, bool admin_ok,
		     struct sdxie_err *e)
{
	/* The model has no virtual functions. */
	if ((vflags & SDXI_DSC_VFLAGS_VF) || vf_num)
		return dsc_invalid(e, SDXI_ERR_CXT_RANGE);
	if (start > end || end > fn_max_cxt(fn) || (!admin_ok && start == SDXI_ADMIN_CXT_ID))
		return dsc_invalid(e, SDXI_ERR_CXT_RANGE);
	return true;
}

/*
 * Start contexts [start, end].  NM begins at R = 0; RS resumes at the
 * read index found in CXT_STS.  A running context is left alone.
 */
static bool cxt_start(struct sdxie_fn *fn, const union sdxi_desc *d, bool resume,
		      struct sdxie_err *e)
{
	const struct sdxi_dsc_cxt_start *p = &d->cxt_start;
	uint16_t start = le16_get(&p->cxt_start), end = le16_get(&p->cxt_end);
	bool dv = p->vflags & SDXI_DSC_VFLAGS_DV;

	if (p->rsvd_0 || (p->vflags & ~(SDXI_DSC_VFLAGS_VF | SDXI_DSC_VFLAGS_DV)) ||
	    !all_zero(p->rsvd_1, sizeof(p->rsvd_1)) || !all_zero(p->rsvd_2, sizeof(p->rsvd_2)) ||
	    (!dv && le64_get(&p->db_value)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (!range_ok(fn, p->vflags, le16_get(&p->vf_num), start, end, false, e))
		return false;

	for (uint32_t id = start; id <= end; id++) {
		struct sdxie_cxt *c = &fn->cxt[id];
		uint8_t raw[8];

		if (c->state == SDXI_CXTV_RUN)
			continue;
		if (!cxt_walk(fn, id, c, e))
			return false;
		if (resume) {
			int st = mem_read(fn, c->as, c->sts_ptr + 8, raw, sizeof(raw));

			if (st) {
				c->cached = false;
				return err_set(e, SDXI_STEP_CXT_STS, mem_sub_step(st),
					       st == SDXIE_MEM_XLATE ? SDXI_ERR_XLATE :
					       SDXI_ERR_ACCESS, c->sts_ptr);
			}
			c->r = le64_get(raw);
		} else {
			c->r = 0;
		}
		if (!cxt_write_r(fn, id, c->r)) {
			c->cached = false;
			return err_set(e, SDXI_STEP_CXT_STS, SDXI_SUB_STEP_ACCESS,
				       SDXI_ERR_ACCESS, c->sts_ptr);
		}
		cxt_set_state(fn, id, SDXI_CXTV_RUN);
		if (dv)
			queue_push(fn, id);
	}
	return true;
}

/* Stop contexts [start, end]: they report STOP_SW and are forgotten. */
static bool cxt_stop(struct sdxie_fn *fn, const union sdxi_desc *d,
		     struct sdxie_err *e)
{
	const struct sdxi_dsc_cxt_stop *p = &d->cxt_stop;
	uint16_t start = le16_get(&p->cxt_start), end = le16_get(&p->cxt_end);

	if (p->rsvd_0 || (p->vflags & ~(SDXI_DSC_VFLAGS_VF | SDXI_DSC_VFLAGS_HS)) ||
	    !all_zero(p->rsvd_1, sizeof(p->rsvd_1)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (!range_ok(fn, p->vflags, le16_get(&p->vf_num), start, end, false, e))
		return false;

	/*
	 * Soft and hard stop are the same here: immediate.  A transfer
	 * suspended between two turns is abandoned (cxt_set_state).
	 */
	for (uint32_t id = start; id <= end; id++) {
		struct sdxie_cxt *c = &fn->cxt[id];

		if (!c->cached)
			continue;
		cxt_set_state(fn, id, SDXI_CXTV_STOP_SW);
		c->cached = false;
	}
	return true;
}

/*
 * Re-read the L1 entry and CXT_CTL of every running context in [start,
 * end].  A context whose tables no longer walk fails (ERR_FN, its own
 * log entry); for the admin context that is a function error.
 */
static void refresh(struct sdxie_fn *fn, uint32_t start, uint32_t end)
{
	for (uint32_t id = start; id <= end && fn->gsv == SDXI_GSV_ACTIVE; id++) {
		struct sdxie_cxt *c = &fn->cxt[id];
		struct sdxie_err e;

		if (!c->cached || c->state != SDXI_CXTV_RUN)
			continue;
		if (!cxt_walk(fn, id, c, &e))
			cxt_fail(fn, id, &e, false, 0);
	}
}

static bool cxt_upd(struct sdxie_fn *fn, const union sdxi_desc *d, bool akey,
		    struct sdxie_err *e)
{
	const struct sdxi_dsc_cxt_upd *p = &d->cxt_upd;
	uint16_t start = le16_get(&p->cxt_start), end = le16_get(&p->cxt_end);
	uint16_t kstart = le16_get(&p->key_start), kend = le16_get(&p->key_end);

	if (p->rsvd_0 || (p->vflags & ~SDXI_DSC_VFLAGS_VF) ||
	    !all_zero(p->rsvd_1, sizeof(p->rsvd_1)) || (!akey && (kstart || kend)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (!range_ok(fn, p->vflags, le16_get(&p->vf_num), start, end, true, e))
		return false;
	if (akey) {
		/* AKey entries are never cached: nothing to drop. */
		if (kstart > kend)
			return dsc_invalid(e, SDXI_ERR_CXT_RANGE);
		return true;
	}
	refresh(fn, start, end);
	return true;
}

static bool sync_dsc(struct sdxie_fn *fn, const union sdxi_desc *d, struct sdxie_err *e)
{
	const struct sdxi_dsc_sync *p = &d->sync;
	uint8_t flt = p->cflags & SDXI_SYNC_FLT;
	uint16_t kstart = le16_get(&p->key_start), kend = le16_get(&p->key_end);
	bool keyed = flt == SDXI_SYNC_FLT_AKEY || flt == SDXI_SYNC_FLT_RKEY;

	if ((p->cflags & ~SDXI_SYNC_FLT) || flt > SDXI_SYNC_FLT_FN ||
	    (p->vflags & ~SDXI_DSC_VFLAGS_VF) || !all_zero(p->rsvd_1, sizeof(p->rsvd_1)) ||
	    (!keyed && (kstart || kend)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (keyed && kstart > kend)
		return dsc_invalid(e, SDXI_ERR_CXT_RANGE);
	return range_ok(fn, p->vflags, le16_get(&p->vf_num), le16_get(&p->cxt_start),
			le16_get(&p->cxt_end), true, e);
}

static bool adm_intr(struct sdxie_fn *fn, const union sdxi_desc *d, struct sdxie_err *e)
{
	const struct sdxi_dsc_adm_intr *p = &d->adm_intr;

	if (!all_zero(p->rsvd_0, sizeof(p->rsvd_0)) || !all_zero(p->rsvd_1, sizeof(p->rsvd_1)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (le16_get(&p->intr_num) >= fn->cfg.nr_vectors)
		return dsc_invalid(e, SDXI_ERR_INTR);
	fn->irq_after_retire = (uint32_t)le16_get(&p->intr_num) + 1;
	return true;
}

bool exec_admin(struct sdxie_fn *fn, const union sdxi_desc *d, uint8_t subtype,
		struct sdxie_err *e)
{
	switch (subtype) {
	case SDXI_DSC_FN_UPD:
		if (!all_zero(d->generic.body, sizeof(d->generic.body)))
			return dsc_invalid(e, SDXI_ERR_RSVD_SET);
		refresh(fn, 0, fn_max_cxt(fn));
		return true;
	case SDXI_DSC_CXT_UPD:
		return cxt_upd(fn, d, false, e);
	case SDXI_DSC_AKEY_UPD:
		return cxt_upd(fn, d, true, e);
	case SDXI_DSC_CXT_START_NM:
		return cxt_start(fn, d, false, e);
	case SDXI_DSC_CXT_START_RS:
		return cxt_start(fn, d, true, e);
	case SDXI_DSC_CXT_STOP:
		return cxt_stop(fn, d, e);
	case SDXI_DSC_ADM_INTR:
		return adm_intr(fn, d, e);
	case SDXI_DSC_SYNC:
		return sync_dsc(fn, d, e);
	default:	/* RKEY_UPD: RKeys are not implemented */
		return dsc_invalid(e, SDXI_ERR_BAD_TYPE);
	}
}
