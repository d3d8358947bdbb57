// SPDX-License-Identifier: GPL-2.0
/*
 * SDXI error log (SDXI 1.0 3.4 "Error Log"; Documentation/driver.rst,
 * "Error log").
 *
 * The function writes 64-byte ERRLOG_HD_ENT entries into a ring in memory
 * at ERR_WRT mod n and raises MSI-X vector 0 when ERR_STS.sts goes from 0
 * to 1 (ERR_CTL.en); the same vector signals a function-level error
 * (CTL0.fn_err_intr_en).  A threaded handler follows the spec's processing
 * sequence, decodes each entry into a dev_err line and a per-context
 * record, tells the context's owner, and schedules function recovery for
 * reaction 2 ("function stopped") or a function found in ERROR.
 */
#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>

#include "context.h"
#include "errlog.h"
#include "hwstruct.h"
#include "sdxi.h"
#include "trace.h"

static size_t sdxi_errlog_bytes(struct sdxi_fn *sdxi)
{
	return (size_t)sdxi->errlog_entries * sizeof(struct sdxi_errlog_ent);
}

/**
 * sdxi_errlog_alloc() - allocate the error log
 * @sdxi: function
 *
 * Zeroed, 4 KiB aligned (coherent allocations are page aligned).  Freed
 * by sdxi_errlog_free() once the function is stopped.
 *
 * Return: 0 or -ENOMEM.
 */
int sdxi_errlog_alloc(struct sdxi_fn *sdxi)
{
	sdxi->errlog = dma_alloc_coherent(sdxi->dev, sdxi_errlog_bytes(sdxi),
					  &sdxi->errlog_dma, GFP_KERNEL);
	return sdxi->errlog ? 0 : -ENOMEM;
}

/**
 * sdxi_errlog_free() - free the error log of a stopped function
 * @sdxi: function
 */
void sdxi_errlog_free(struct sdxi_fn *sdxi)
{
	if (sdxi->errlog)
		dma_free_coherent(sdxi->dev, sdxi_errlog_bytes(sdxi),
				  sdxi->errlog, sdxi->errlog_dma);
	sdxi->errlog = NULL;
}

/* Error-log set-up, steps 1-6 of driver.rst.  errlog_lock held. */
static void __sdxi_errlog_hw_init(struct sdxi_fn *sdxi)
{
	u64 cfg;

	/* 1. Disable logging. */
	sdxi_write64(sdxi, SDXI_MMIO_ERR_CFG, 0);
	/* 2. Clear ERR_STS (write 1 to clear). */
	sdxi_write64(sdxi, SDXI_MMIO_ERR_STS, SDXI_ERR_STS_STS |
		     SDXI_ERR_STS_OVF | SDXI_ERR_STS_ERR);
	/* 3. Zeroed log (re-zeroed: stale entries from before a reset). */
	memset(sdxi->errlog, 0, sdxi_errlog_bytes(sdxi));
	/* 4. Interrupt on logged errors (function errors: CTL0, step 8). */
	sdxi_write64(sdxi, SDXI_MMIO_ERR_CTL, SDXI_ERR_CTL_EN);
	/* 5. Empty ring. */
	sdxi_write64(sdxi, SDXI_MMIO_ERR_WRT, 0);
	sdxi_write64(sdxi, SDXI_MMIO_ERR_RD, 0);
	sdxi->errlog_rd = 0;
	/* 6. The handler for vector 0 is installed: enable logging. */
	cfg = (sdxi->errlog_dma & SDXI_ERR_CFG_PTR) |
	      FIELD_PREP(SDXI_ERR_CFG_SZ,
			 sdxi->errlog_entries / SDXI_ERRLOG_SZ_UNIT) |
	      SDXI_ERR_CFG_EN;
	/* The zeroed log is visible before the function may write it. */
	dma_wmb();
	sdxi_write64(sdxi, SDXI_MMIO_ERR_CFG, cfg);
}

/**
 * sdxi_errlog_hw_init() - program the error log (activation step 7)
 * @sdxi: function, stopped
 */
void sdxi_errlog_hw_init(struct sdxi_fn *sdxi)
{
	guard(mutex)(&sdxi->errlog_lock);
	__sdxi_errlog_hw_init(sdxi);
}

/**
 * sdxi_errlog_hw_disable() - stop logging and its interrupt
 * @sdxi: function, stopped
 */
void sdxi_errlog_hw_disable(struct sdxi_fn *sdxi)
{
	guard(mutex)(&sdxi->errlog_lock);
	sdxi_write64(sdxi, SDXI_MMIO_ERR_CTL, 0);
	sdxi_write64(sdxi, SDXI_MMIO_ERR_CFG, 0);
}

static void sdxi_errlog_report(struct sdxi_fn *sdxi,
			       const struct sdxi_err_rec *rec)
{
	char cxt[16] = "-", dsc[24] = "-", buf[8] = "-";
	struct sdxi_cxt *c;

	if (rec->cv)
		snprintf(cxt, sizeof(cxt), "%u", rec->cxt);
	if (rec->div)
		snprintf(dsc, sizeof(dsc), "%llu", rec->dsc_index);
	if (rec->bv)
		snprintf(buf, sizeof(buf), "%s", rec->buf == SDXI_BUF_SRC ? "src" :
			 rec->buf == SDXI_BUF_DST ? "dst" : "?");
	dev_err_ratelimited(sdxi->dev,
			    "error: context %s descriptor %s: step %u (%s), sub-step %u (%s), reaction %u (%s), buffer %s, reason %u (%s), address %#llx\n",
			    cxt, dsc, rec->step, sdxi_step_name(rec->step),
			    rec->sub_step, sdxi_sub_step_name(rec->sub_step),
			    rec->re, sdxi_re_name(rec->re), buf, rec->reason,
			    sdxi_reason_name(rec->reason), rec->addr);

	trace_sdxi_errlog(sdxi->dev, rec);
	atomic64_inc(&sdxi->stats.errlog_entries);
	if (rec->re == SDXI_RE_CXT_STOPPED)
		atomic64_inc(&sdxi->stats.cxt_errors);
	if (rec->cv) {
		/* Contexts are erased under this lock before they are freed. */
		xa_lock(&sdxi->cxts);
		c = xa_load(&sdxi->cxts, rec->cxt);
		if (c)
			sdxi_cxt_report_error(c, rec);
		xa_unlock(&sdxi->cxts);
	}
	if (rec->re == SDXI_RE_FN_STOPPED) {
		sdxi_cxts_report_fn_error(sdxi, rec);
		sdxi_fn_error(sdxi);
	}
}

/* Error-log processing by software, steps 1-11 of driver.rst. */
static void sdxi_errlog_process(struct sdxi_fn *sdxi)
{
	struct sdxi_err_rec rec;
	u64 sts, rd, wrt;

	guard(mutex)(&sdxi->errlog_lock);
	if (!sdxi->errlog)
		return;

	/* 1. */
	sts = sdxi_read64(sdxi, SDXI_MMIO_ERR_STS);
	if (!(sts & SDXI_ERR_STS_STS))
		return;
	if (sts & SDXI_ERR_STS_ERR) {
		/*
		 * The function failed to write the log: information was
		 * lost and it will not log again with err set.  Start a
		 * fresh log instead of leaving reporting dead.
		 */
		atomic64_inc(&sdxi->stats.errlog_failures);
		dev_err(sdxi->dev, "error log write failed; errors were lost, log reset\n");
		__sdxi_errlog_hw_init(sdxi);
		return;
	}
	if (sts & SDXI_ERR_STS_OVF) {
		atomic64_inc(&sdxi->stats.errlog_overflows);
		dev_err_ratelimited(sdxi->dev, "error log overflowed; errors were lost\n");
	}
	/* 2. */
	rd = sdxi_read64(sdxi, SDXI_MMIO_ERR_RD);
	/* 3. Clear before reading WRT, so a new entry raises a new interrupt. */
	sdxi_write64(sdxi, SDXI_MMIO_ERR_STS, sts & (SDXI_ERR_STS_STS |
						     SDXI_ERR_STS_OVF));
	/* 4. */
	wrt = sdxi_read64(sdxi, SDXI_MMIO_ERR_WRT);
	/* 5. */
	if (rd == wrt)
		return;
	if (rd > wrt || wrt - rd > sdxi->errlog_entries) {
		dev_err(sdxi->dev, "error log indexes inconsistent (rd %llu wrt %llu)\n",
			rd, wrt);
		rd = wrt > sdxi->errlog_entries ? wrt - sdxi->errlog_entries : 0;
	}
	/* Entries are written before WRT advances. */
	dma_rmb();
	/* 6-10. */
	for (; rd < wrt; rd++) {
		struct sdxi_errlog_ent *ent = &sdxi->errlog[rd % sdxi->errlog_entries];

		if (!sdxi_errlog_decode(ent, &rec))
			sdxi_errlog_report(sdxi, &rec);
		/* Not required; makes a stale slot recognizable. */
		WRITE_ONCE(ent->hd, 0);
	}
	/* 11. */
	sdxi_write64(sdxi, SDXI_MMIO_ERR_RD, rd);
	sdxi->errlog_rd = rd;
}

static irqreturn_t sdxi_errlog_thread(int irq, void *data)
{
	struct sdxi_fn *sdxi = data;
	u8 gsv;

	sdxi_errlog_process(sdxi);

	/* Vector 0 also signals a function-level error (fn_err_intr_en). */
	gsv = sdxi_fn_state(sdxi);
	if (gsv == SDXI_GSV_ERROR && READ_ONCE(sdxi->state) == SDXI_DEV_ACTIVE) {
		dev_err(sdxi->dev, "function error\n");
		sdxi_fn_error(sdxi);
	}
	return IRQ_HANDLED;
}

/**
 * sdxi_errlog_request_irq() - install the vector 0 handler
 * @sdxi: function
 *
 * Managed; freed before the teardown that stops the function.
 *
 * Return: 0 or a negative errno.
 */
int sdxi_errlog_request_irq(struct sdxi_fn *sdxi)
{
	int irq = sdxi_fn_vector_irq(sdxi, SDXI_ERRLOG_VECTOR);
	int err;

	if (irq < 0)
		return dev_err_probe(sdxi->dev, irq, "no error-log vector\n");
	err = devm_request_threaded_irq(sdxi->dev, irq, NULL, sdxi_errlog_thread,
					IRQF_ONESHOT, "sdxi-errlog", sdxi);
	if (err)
		return dev_err_probe(sdxi->dev, err, "requesting error-log IRQ\n");
	return 0;
}
