// SPDX-License-Identifier: MIT
/*
 * The software device's error-log consumer, doing what the kernel driver
 * does with the function's error log: each entry naming a client context
 * becomes that context's latest record, and a function error stops every
 * context.
 */
#include <unistd.h>

#include "soft.h"

/*
 * The function entered ERROR: it forgot every context.  As the driver
 * would, mark each context stopped by the function and give it the
 * function's error record, so that its waiters fail with -EIO.
 */
static void fn_dead(struct soft_dev *sd, const struct sdxi_error *rec)
{
	sd->dead = true;
	for (uint32_t id = 1; id <= SOFT_MAX_CXT; id++) {
		struct soft_cxt *sc = &sd->cxt[id];

		if (!sc->used)
			continue;
		__atomic_store_n(&cxt_sts(sc)->state, SDXI_CXTV_STOP_FN, __ATOMIC_RELEASE);
		sc->nerr++;
		sc->last = *rec;
		sc->last.flags &= (uint16_t)~SDXI_ERROR_INDEX;
		if (sc->efd >= 0) {
			uint64_t one = 1;
			ssize_t n = write(sc->efd, &one, sizeof(one));

			(void)n;
		}
	}
}

/*
 * Error-log processing, as the spec's sequence has it: clear ERR_STS
 * before reading ERR_WRT, consume entries up to it, write ERR_RD.  Each
 * entry naming a client context becomes that context's latest record.
 */
void errlog_process(struct soft_dev *sd)
{
	uint64_t sts = sdxie_mmio_read(sd->fn, SDXI_MMIO_ERR_STS, 8), wrt;

	if (!(sts & SDXI_ERR_STS_STS))
		return;
	sdxie_mmio_write(sd->fn, SDXI_MMIO_ERR_STS, sts, 8);
	wrt = sdxie_mmio_read(sd->fn, SDXI_MMIO_ERR_WRT, 8);
	for (; sd->errlog_rd < wrt; sd->errlog_rd++) {
		const struct sdxi_errlog_ent *ent = &sd->errlog[sd->errlog_rd % SOFT_ERRLOG_ENTRIES];
		uint64_t hd = le64toh(ent->hd);
		struct sdxi_error rec;

		if (!(hd & SDXI_ERRLOG_VL) ||
		    SDXI_FIELD_GET(SDXI_ERRLOG_TYPE, hd) != SDXI_ERRLOG_HD_TYPE)
			continue;
		error_decode(ent, &rec);
		/*
		 * As the kernel does (Documentation/uapi.rst): faults on the
		 * structures only the device's owner writes (L2, L1, CXT_CTL,
		 * AKey and RKey tables) report no address.
		 */
		switch (rec.step) {
		case SDXI_STEP_CXT_L2:
		case SDXI_STEP_CXT_L1:
		case SDXI_STEP_CXT_CTL:
		case SDXI_STEP_AKEY:
		case SDXI_STEP_RKEY:
			rec.addr = 0;
			break;
		}
		if (rec.reaction == SDXI_RE_FN_STOPPED) {
			fn_dead(sd, &rec);
			continue;
		}
		if (hd & SDXI_ERRLOG_CV) {
			uint32_t id = (uint32_t)SDXI_FIELD_GET(SDXI_ERRLOG_CXT_NUM, hd);

			if (id && id <= SOFT_MAX_CXT && sd->cxt[id].used) {
				sd->cxt[id].nerr++;
				sd->cxt[id].last = rec;
			}
		}
	}
	sdxie_mmio_write(sd->fn, SDXI_MMIO_ERR_RD, sd->errlog_rd, 8);
}
