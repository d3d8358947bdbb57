// SPDX-License-Identifier: MIT
/*
 * Interrupt group (type 0x004, SDXI 1.0 Table 6-12): DSC_INTR raises the
 * vector that AKey entry akey names (vl = 1, iv = 1, tgt_sfunc = 0), once
 * the descriptor has retired (retire()).
 */
#include "internal.h"

bool exec_intr(struct sdxie_fn *fn, uint32_t id, const union sdxi_desc *d,
	       uint8_t subtype, struct sdxie_err *e)
{
	const struct sdxi_dsc_intr *p = &d->intr;
	uint16_t idx = le16_get(&p->akey);
	struct sdxi_akey_ent k;
	struct sdxie_as as;
	uint32_t vector;
	uint16_t intr;

	if (subtype != SDXI_DSC_INTR)
		return dsc_invalid(e, SDXI_ERR_BAD_TYPE);
	if (!all_zero(p->rsvd_0, sizeof(p->rsvd_0)) || !all_zero(p->rsvd_1, sizeof(p->rsvd_1)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (!akey_lookup(fn, &fn->cxt[id], idx, &k, &as, e))
		return false;
	intr = le16_get(&k.intr);
	vector = (uint32_t)SDXI_FIELD_GET(SDXI_AKEY_INTR_NUM, intr);
	/* Only the local function (tgt_sfunc 0) can be targeted. */
	if (!(intr & SDXI_AKEY_IV) || le16_get(&k.tgt_sfunc) ||
	    vector >= fn->cfg.nr_vectors)
		return err_set(e, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION,
			       SDXI_ERR_INTR, 0);
	fn->irq_after_retire = vector + 1;
	return true;
}
