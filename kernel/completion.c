// SPDX-License-Identifier: GPL-2.0
/*
 * Completion status blocks (SDXI 1.0 Table 6-4; Documentation/hardware.rst).
 *
 * Every kernel context owns one CST_BLK per ring slot, allocated with the
 * context and freed only after the function can no longer reach it, so a
 * completion that arrives after a timeout lands in live memory and a
 * wedged slot is never reused (driver.rst, "Completion blocks live as
 * long as their context").  Software arms a
 * block (signal = 1, flags = 0) before the descriptor's valid bit is set;
 * on retirement the function sets ER if the descriptor failed and then
 * decrements signal, so status is read only after signal reads 0.
 */
#include <linux/iopoll.h>

#include "context.h"
#include "ring.h"

/**
 * sdxi_csb_arm() - prepare a CST_BLK for one descriptor
 * @csb: block; the caller orders this before publishing the descriptor
 */
void sdxi_csb_arm(struct sdxi_cst_blk *csb)
{
	WRITE_ONCE(csb->flags, 0);
	WRITE_ONCE(csb->rsvd_0, 0);
	WRITE_ONCE(csb->signal, cpu_to_le64(1));
}

/**
 * sdxi_csb_status() - status of an armed CST_BLK
 * @csb: block armed by sdxi_csb_arm()
 *
 * Return: -EINPROGRESS while signal is not 0; then 0, or -EIO if the
 * function recorded an error (flags.ER).
 */
int sdxi_csb_status(const struct sdxi_cst_blk *csb)
{
	/* Device-written: signal is decremented last (status last). */
	if (READ_ONCE(csb->signal))
		return -EINPROGRESS;
	/* Read flags only after seeing signal == 0 (SDXI 1.0 5.6). */
	dma_rmb();
	return le32_to_cpu(READ_ONCE(csb->flags)) & SDXI_CST_BLK_ER ? -EIO : 0;
}

/**
 * sdxi_ring_csb_status() - status of the descriptor at a ring index
 * @cxt: context with a kernel-owned ring
 * @index: descriptor index that was published with its slot's CST_BLK
 *
 * Return: as sdxi_csb_status().
 */
int sdxi_ring_csb_status(struct sdxi_cxt *cxt, u64 index)
{
	struct sdxi_ring *ring = &cxt->ring;

	return sdxi_csb_status(&ring->csbs[sdxi_ring_slot(index, ring->entries)]);
}

/**
 * sdxi_ring_csb_wait() - poll a descriptor's CST_BLK until it completes
 * @cxt: context with a kernel-owned ring
 * @index: descriptor index that was published with its slot's CST_BLK
 * @ms: timeout in milliseconds
 *
 * Sleeps between polls; process context only.  On a timeout the block
 * stays live (the function may still complete it later) and the slot must
 * not be retired.
 *
 * Return: 0, -EIO for a failed descriptor, or -ETIMEDOUT.
 */
int sdxi_ring_csb_wait(struct sdxi_cxt *cxt, u64 index, unsigned int ms)
{
	int status, err;

	err = read_poll_timeout(sdxi_ring_csb_status, status,
				status != -EINPROGRESS, 20,
				(u64)ms * USEC_PER_MSEC, false, cxt, index);
	return err ?: status;
}
