// SPDX-License-Identifier: MIT
/*
 * The function's error log (SDXI 1.0 3.4, 9.3): entries written at
 * ERR_WRT mod n through the function address space, ERR_STS bookkeeping
 * and the vector 0 interrupt.
 */
#include "internal.h"

static void encode(struct sdxi_errlog_ent *ent, const struct sdxie_err *e,
		   int cxt, bool div, uint64_t index, uint8_t re)
{
	uint64_t hd = SDXI_ERRLOG_VL |
		      SDXI_FIELD_PREP(SDXI_ERRLOG_STEP, (uint64_t)e->step) |
		      SDXI_FIELD_PREP(SDXI_ERRLOG_TYPE, (uint64_t)SDXI_ERRLOG_HD_TYPE) |
		      SDXI_FIELD_PREP(SDXI_ERRLOG_SUB_STEP, (uint64_t)e->sub_step) |
		      SDXI_FIELD_PREP(SDXI_ERRLOG_RE, (uint64_t)re);

	if (cxt >= 0)
		hd |= SDXI_ERRLOG_CV |
		      SDXI_FIELD_PREP(SDXI_ERRLOG_CXT_NUM, (uint64_t)cxt);
	if (div)
		hd |= SDXI_ERRLOG_DIV;
	if (e->bv)
		hd |= SDXI_ERRLOG_BV |
		      SDXI_FIELD_PREP(SDXI_ERRLOG_BUF, (uint64_t)e->buf);

	memset(ent, 0, sizeof(*ent));
	le64_put(&ent->hd, hd);
	le64_put(&ent->dsc_index, div ? index : 0);
	le16_put(&ent->err_class, e->reason);
	le64_put(&ent->vendor_addr, e->addr);
}

/*
 * Record one error.  Returns true if the vector 0 interrupt was raised.
 * The log is a ring of ERR_CFG.sz * 64 entries; when it is full the entry
 * is dropped and ERR_STS.ovf set; when writing it fails ERR_STS.err is set
 * and the log is dead until software clears err.
 */
bool errlog_report(struct sdxie_fn *fn, const struct sdxie_err *e, int cxt,
		   bool div, uint64_t index, uint8_t re)
{
	uint64_t n = SDXI_FIELD_GET(SDXI_ERR_CFG_SZ, fn->err_cfg) * SDXI_ERRLOG_SZ_UNIT;
	uint64_t was = fn->err_sts;
	struct sdxi_errlog_ent ent;

	encode(&ent, e, cxt, div, index, re);
	fn->stats.errors++;
	fn_event(fn, &(struct sdxie_event){
		.kind = SDXIE_EV_ERROR, .cxt = cxt < 0 ? 0 : (uint16_t)cxt,
		.index = index, .err = &ent });

	if (!(fn->err_cfg & SDXI_ERR_CFG_EN) || (fn->err_sts & SDXI_ERR_STS_ERR)) {
		fn->stats.errlog_lost++;
		return false;
	}
	fn->err_sts |= SDXI_ERR_STS_STS;
	if (fn->err_wrt - fn->err_rd >= n) {
		fn->err_sts |= SDXI_ERR_STS_OVF;
		fn->stats.errlog_lost++;
	} else {
		uint64_t addr = (fn->err_cfg & SDXI_ERR_CFG_PTR) + (fn->err_wrt % n) * sizeof(ent);

		if (mem_write(fn, fn_as(fn), addr, &ent, sizeof(ent))) {
			fn->err_sts |= SDXI_ERR_STS_ERR;
			fn->stats.errlog_lost++;
		} else {
			fn->err_wrt++;
		}
	}
	if (!(was & SDXI_ERR_STS_STS) && (fn->err_ctl & SDXI_ERR_CTL_EN)) {
		fn->ops->irq(fn->opaque, SDXI_ERRLOG_VECTOR);
		return true;
	}
	return false;
}
