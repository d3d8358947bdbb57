// SPDX-License-Identifier: MIT
/*
 * Retiring a descriptor: completion status block (SDXI 1.0 Table 6-4;
 * hardware.rst, "Completion status blocks"), read index, and what a
 * failure does to the context.
 */
#include "internal.h"

/*
 * Signal the CST_BLK at @addr: set ER first when @error, then decrement
 * signal (status last, so a poller that sees the new signal also sees ER).
 * A signal already at 0 stays 0.
 */
static int csb_signal(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
		      bool error)
{
	uint8_t raw[8];
	uint64_t signal;
	int st;

	if (error) {
		st = mem_read(fn, as, addr + 8, raw, 4);
		if (st)
			return st;
		le32_put(raw, le32_get(raw) | SDXI_CST_BLK_ER);
		st = mem_write(fn, as, addr + 8, raw, 4);
		if (st)
			return st;
	}
	st = mem_read(fn, as, addr, raw, 8);
	if (st)
		return st;
	signal = le64_get(raw);
	if (signal)
		le64_put(raw, signal - 1);
	return mem_write(fn, as, addr, raw, 8);
}

void retire_event(struct sdxie_fn *fn, uint32_t id, uint64_t index,
		  const union sdxi_desc *d, const struct sdxie_err *e)
{
	uint32_t opcode = le32_get(&d->generic.opcode);
	struct sdxi_errlog_ent ent;

	if (!fn->ops->event)
		return;
	if (e) {
		memset(&ent, 0, sizeof(ent));
		le64_put(&ent.hd, SDXI_FIELD_PREP(SDXI_ERRLOG_STEP, (uint64_t)e->step) |
			 SDXI_FIELD_PREP(SDXI_ERRLOG_SUB_STEP, (uint64_t)e->sub_step));
		le16_put(&ent.err_class, e->reason);
		le64_put(&ent.vendor_addr, e->addr);
	}
	fn->ops->event(fn->opaque, &(struct sdxie_event){
		.kind = SDXIE_EV_DESC, .cxt = (uint16_t)id, .index = index,
		.type = (uint16_t)SDXI_FIELD_GET(SDXI_DSC_TYPE, opcode),
		.subtype = (uint8_t)SDXI_FIELD_GET(SDXI_DSC_SUBTYPE, opcode),
		.err = e ? &ent : NULL });
}

/*
 * Retire descriptor @index of context @id, which succeeded when @e is NULL.
 *
 * Success: CST_BLK, then R = index + 1 (in a client turn, written when
 * the turn ends unless an interrupt follows: view.c; with
 * read_index_fetch R was written when the descriptor was fetched); then
 * the interrupt an interrupt descriptor asked for.
 * Failure of a client context: CXT_STS.state = ERR_FN, R = index + 1,
 * CST_BLK with ER, then the error-log entry (reaction 1); the context
 * stops.  Failure in the admin context: R, CST_BLK with ER, log entry
 * with reaction 0; the admin context keeps running.
 *
 * Returns true if the context may go on to its next descriptor.
 */
bool retire(struct sdxie_fn *fn, uint32_t id, uint64_t index,
	    const union sdxi_desc *d, const struct sdxie_err *e)
{
	struct sdxie_cxt *c = &fn->cxt[id];
	uint64_t csbq = le64_get(&d->generic.csb_ptr);
	uint64_t csb = csbq & SDXI_DSC_CSB_PTR;
	bool has_csb = !(csbq & SDXI_DSC_NP);
	uint32_t irq = fn->irq_after_retire;
	struct sdxie_err csb_err;
	int st;

	fn->irq_after_retire = 0;

	if (!e) {
		st = has_csb ? csb_signal(fn, c->as, csb, false) : SDXIE_MEM_OK;
		if (st) {
			err_set(&csb_err, SDXI_STEP_CST_BLK, mem_sub_step(st),
				mem_reason(st), csb);
			e = &csb_err;
			has_csb = false;
		}
	}
	fn->stats.descriptors++;
	retire_event(fn, id, index, d, e);
	if (!e) {
		/* In a client turn R is written when the turn ends (view.c). */
		if (fn->view.on && !irq) {
			c->r = index + 1;
			fn->view.r_dirty = true;
			return true;
		}
		if (cxt_retire_r(fn, id, index + 1)) {
			/* Interrupt last: whoever it wakes sees the descriptor done. */
			if (irq)
				fn->ops->irq(fn->opaque, irq - 1);
			return true;
		}
		err_set(&csb_err, SDXI_STEP_CXT_STS, SDXI_SUB_STEP_ACCESS,
			SDXI_ERR_ACCESS, c->sts_ptr);
		cxt_fail(fn, id, &csb_err, true, index);
		return false;
	}

	if (id != SDXI_ADMIN_CXT_ID)
		cxt_set_state(fn, id, SDXI_CXTV_ERR_FN);
	cxt_retire_r(fn, id, index + 1);
	if (has_csb)
		csb_signal(fn, c->as, csb, true);
	errlog_report(fn, e, (int)id, true, index,
		      id == SDXI_ADMIN_CXT_ID ? SDXI_RE_INFO : SDXI_RE_CXT_STOPPED);
	return id == SDXI_ADMIN_CXT_ID;
}
