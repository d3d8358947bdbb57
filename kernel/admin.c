// SPDX-License-Identifier: GPL-2.0
/*
 * Admin context operations (SDXI 1.0 6.3; Documentation/hardware.rst,
 * "Admin group", and driver.rst, "Contexts").
 *
 * Admin descriptors run only in context 0.  Every operation here is
 * synchronous: reserve slots on the admin ring, publish each descriptor
 * with its slot's CST_BLK (fe = 1 on all of them), ring the doorbell and
 * poll the blocks with a timeout.  The caller holds sdxi_dev.adm_lock.
 *
 * A timeout means the function is not executing the admin ring (stalled or
 * broken): the slots stay reserved (the blocks may still be written), the
 * admin context is marked down, and function recovery is scheduled, which
 * resets the admin ring.
 */
#include <linux/bitfield.h>
#include <linux/jiffies.h>

#include "admin.h"
#include "context.h"
#include "descriptor.h"
#include "ring.h"
#include "sdxi.h"
#include "trace.h"

/* The admin ring does not progress: mark it down and recover. */
static int sdxi_admin_wedged(struct sdxi_fn *sdxi, int err)
{
	atomic64_inc(&sdxi->stats.admin_timeouts);
	dev_err(sdxi->dev, "admin context not progressing (%d, R %llu), recovering\n",
		err, sdxi_ring_read_index(sdxi->admin));
	sdxi->admin_up = false;
	sdxi_fn_request_recovery(sdxi);
	return err == -EINTR ? err : -ETIMEDOUT;
}

static int sdxi_admin_run(struct sdxi_fn *sdxi, union sdxi_desc *d,
			  unsigned int n)
{
	struct sdxi_cxt *adm = sdxi->admin;
	struct sdxi_ring_rsv rsv;
	unsigned int i;
	int err, ret = 0;

	lockdep_assert_held(&sdxi->adm_lock);
	if (!sdxi->admin_up)
		return -EIO;

	err = sdxi_ring_reserve(adm, n, msecs_to_jiffies(SDXI_ADMIN_TIMEOUT_MS),
				&rsv);
	if (err)
		return sdxi_admin_wedged(sdxi, err);
	for (i = 0; i < n; i++)
		sdxi_ring_publish(adm, rsv.index + i, &d[i], true);
	sdxi_ring_doorbell(adm);

	/* In-order function: once the last block completes, all have. */
	err = sdxi_ring_csb_wait(adm, rsv.index + n - 1, SDXI_ADMIN_TIMEOUT_MS);
	if (err == -ETIMEDOUT)
		return sdxi_admin_wedged(sdxi, err);
	for (i = 0; i < n; i++) {
		err = sdxi_ring_csb_status(adm, rsv.index + i);
		trace_sdxi_admin(sdxi->dev,
				 FIELD_GET(SDXI_DSC_SUBTYPE, le32_to_cpu(d[i].generic.opcode)),
				 rsv.index + i, err);
		if (err && !ret) {
			dev_err_ratelimited(sdxi->dev,
					    "admin descriptor %llu (subtype %#x) failed\n",
					    rsv.index + i,
					    (u8)FIELD_GET(SDXI_DSC_SUBTYPE,
							  le32_to_cpu(d[i].generic.opcode)));
			ret = err;
		}
	}
	sdxi_ring_retire(adm, rsv.index + n);
	return ret;
}

/**
 * __sdxi_admin_cxt_start() - start one context (DSC_CXT_START_NM/_RS)
 * @sdxi: function
 * @id: client context ID
 * @resume: false: R := 0 (the ring was reset); true: resume at the
 *	    CXT_STS.read_index in memory and act as if the doorbell had been
 *	    rung (dv = 1), so descriptors after a failed one run
 *
 * Caller holds &sdxi_dev.adm_lock.
 *
 * Return: 0, -EIO (admin down or the descriptor failed) or -ETIMEDOUT.
 */
int __sdxi_admin_cxt_start(struct sdxi_fn *sdxi, u16 id, bool resume)
{
	struct sdxi_cxt_range r = { .start = id, .end = id };
	union sdxi_desc d;
	int err;

	err = sdxi_encode_cxt_start(&d, &r, resume, resume, 0);
	if (err)
		return err;
	return sdxi_admin_run(sdxi, &d, 1);
}

/**
 * __sdxi_admin_cxt_stop() - stop one context and wait for it to take effect
 * @sdxi: function
 * @id: client context ID (stopping context 0 is an error)
 *
 * DSC_CXT_STOP (soft) then DSC_SYNC (flt = STOP) over [id, id]; when the
 * SYNC's block completes the function no longer executes the context
 * (driver.rst, "Contexts").  Stopping a context in ERR_FN clears the error.
 * Caller holds &sdxi_dev.adm_lock.
 *
 * Return: 0, -EIO or -ETIMEDOUT.
 */
int __sdxi_admin_cxt_stop(struct sdxi_fn *sdxi, u16 id)
{
	struct sdxi_cxt_range r = { .start = id, .end = id };
	union sdxi_desc d[2];
	int err;

	err = sdxi_encode_cxt_stop(&d[0], &r, false) ?:
	      sdxi_encode_sync(&d[1], SDXI_SYNC_FLT_STOP, &r);
	if (err)
		return err;
	return sdxi_admin_run(sdxi, d, ARRAY_SIZE(d));
}

/**
 * __sdxi_admin_cxt_update() - make the function re-read a context's
 * L1 entry and CXT_CTL
 * @sdxi: function
 * @id: context ID whose structures changed
 *
 * DSC_CXT_UPD then DSC_SYNC (flt = CXT) (SDXI 1.0 4.3.1.1; driver.rst,
 * "Cached structures").  Caller holds &sdxi_dev.adm_lock.
 *
 * Return: 0, -EIO or -ETIMEDOUT.
 */
int __sdxi_admin_cxt_update(struct sdxi_fn *sdxi, u16 id)
{
	struct sdxi_cxt_range r = { .start = id, .end = id };
	union sdxi_desc d[2];
	int err;

	err = sdxi_encode_cxt_upd(&d[0], &r) ?:
	      sdxi_encode_sync(&d[1], SDXI_SYNC_FLT_CXT, &r);
	if (err)
		return err;
	return sdxi_admin_run(sdxi, d, ARRAY_SIZE(d));
}

/**
 * sdxi_admin_nop() - round trip through the admin ring
 * @sdxi: function
 *
 * A DSC_DMAB_NOP with a completion block: proves the function executes the
 * admin context (used after activation's jump start).  Caller holds
 * &sdxi_dev.adm_lock.
 *
 * Return: 0, -EIO or -ETIMEDOUT.
 */
int sdxi_admin_nop(struct sdxi_fn *sdxi)
{
	union sdxi_desc d;

	sdxi_encode_nop(&d);
	return sdxi_admin_run(sdxi, &d, 1);
}

/**
 * __sdxi_admin_akey_sync() - wait until a context's changed AKey entries
 * are seen
 * @sdxi: function
 * @id: context ID whose AKey table changed
 *
 * DSC_SYNC (flt = AKEY) over [id, id].  An admin descriptor runs after
 * the client turn in progress at its doorbell ends, and a suspended
 * transfer reads its AKey entries again at its next turn
 * (hardware.rst, "Arbitration"), so when the SYNC completes no descriptor
 * of the context uses an entry as it was before the change.  Caller holds
 * &sdxi_dev.adm_lock.
 *
 * Return: 0, -EIO or -ETIMEDOUT.
 */
int __sdxi_admin_akey_sync(struct sdxi_fn *sdxi, u16 id)
{
	struct sdxi_cxt_range r = { .start = id, .end = id };
	union sdxi_desc d;
	int err;

	err = sdxi_encode_sync(&d, SDXI_SYNC_FLT_AKEY, &r);
	if (err)
		return err;
	return sdxi_admin_run(sdxi, &d, 1);
}
