// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-side producer of an SDXI descriptor ring (SDXI 1.0 3.7;
 * Documentation/driver.rst, "Ring protocol" and "Publication order").
 *
 * Reservation advances the write index W immediately and publishes it, so
 * the function may see W ahead of descriptors whose valid bit is still
 * clear; it stops at such a slot and waits for the next doorbell
 * (Documentation/hardware.rst).  The function never clears vl in the ring,
 * so a reused slot still carries vl = 1 from the previous lap: reservation
 * clears it before W covers the slot.  Publication writes a descriptor's
 * qwords 1-7, a write barrier, then qword 0 with vl; the doorbell follows
 * the last publication.
 *
 * The consumer side is here too: completion status blocks (SDXI 1.0
 * Table 6-4).  Every kernel context owns one CST_BLK per ring slot,
 * allocated with the context and freed only after the function can no
 * longer reach it, so a completion that arrives after a timeout lands in
 * live memory and a wedged slot is never reused (driver.rst, "Completion
 * blocks live as long as their context").  A block is armed (signal = 1,
 * flags = 0) before the descriptor's valid bit is set; on retirement the
 * function sets ER if the descriptor failed and then decrements signal,
 * so status is read only after signal reads 0.
 */
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "context.h"
#include "descriptor.h"
#include "ring.h"
#include "sdxi.h"

/* Prepare a CST_BLK for one descriptor; ordered before its publication. */
static void sdxi_csb_arm(struct sdxi_cst_blk *csb)
{
	WRITE_ONCE(csb->flags, 0);
	WRITE_ONCE(csb->rsvd_0, 0);
	WRITE_ONCE(csb->signal, cpu_to_le64(1));
}

/*
 * Status of an armed CST_BLK: -EINPROGRESS while signal is not 0; then 0,
 * or -EIO if the function recorded an error (flags.ER).
 */
static int sdxi_csb_status(const struct sdxi_cst_blk *csb)
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
	struct sdxi_cxt_ring *ring = &cxt->ring;

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

/**
 * sdxi_ring_read_index() - CXT_STS.read_index as last written by the function
 * @cxt: context
 *
 * Return: R.
 */
u64 sdxi_ring_read_index(struct sdxi_cxt *cxt)
{
	/*
	 * Device-written and read-only for us; an aligned 64-bit load is
	 * not torn.  R counts descriptors taken, not completed
	 * (Documentation/hardware.rst, "Descriptor processing"): it only
	 * says which slots the function no longer reads; completion is the
	 * CST_BLK's (sdxi_ring_csb_status()).
	 */
	return le64_to_cpu(READ_ONCE(cxt->ring.sts->read_index));
}

static s64 sdxi_ring_space_locked(struct sdxi_cxt *cxt)
{
	struct sdxi_cxt_ring *ring = &cxt->ring;

	lockdep_assert_held(&ring->lock);
	return sdxi_ring_space(sdxi_ring_read_index(cxt), ring->tail,
			       ring->next, ring->entries);
}

/**
 * sdxi_ring_free_slots() - slots a reservation could get right now
 * @cxt: context with a kernel-owned ring
 *
 * Return: free slots, or -EIO if the function's read index is
 * inconsistent with what was published (the context needs a reset).
 */
s64 sdxi_ring_free_slots(struct sdxi_cxt *cxt)
{
	s64 space;

	scoped_guard(spinlock_irqsave, &cxt->ring.lock)
		space = sdxi_ring_space_locked(cxt);
	return space;
}

static int sdxi_ring_reserve_locked(struct sdxi_cxt *cxt, u32 count,
				    struct sdxi_ring_rsv *rsv)
{
	struct sdxi_cxt_ring *ring = &cxt->ring;
	s64 space;
	u32 i;

	lockdep_assert_held(&ring->lock);
	space = sdxi_ring_space_locked(cxt);
	if (space < 0)
		return space;
	if (space < count)
		return -EBUSY;

	/*
	 * Stale vl from the previous lap: clear it before W covers the
	 * slot, so the function stops there until the descriptor is
	 * published (driver.rst, "Publication order").  The previous lap's
	 * descriptor
	 * was taken already (R passed it), so nothing reads it any more.
	 */
	for (i = 0; i < count; i++) {
		u32 slot = sdxi_ring_slot(ring->next + i, ring->entries);

		WRITE_ONCE(ring->slots[slot].qw[0], 0);
	}
	/* Cleared valid bits are visible before the W that covers them. */
	dma_wmb();
	rsv->index = ring->next;
	rsv->count = count;
	ring->next += count;
	WRITE_ONCE(*ring->write_index, cpu_to_le64(ring->next));
	return 0;
}

/**
 * sdxi_ring_try_reserve() - reserve consecutive ring slots without waiting
 * @cxt: context with a kernel-owned ring
 * @count: slots wanted, 1 .. ring size
 * @rsv: the reservation, on success
 *
 * The reserved slots get vl cleared and W is published to cover them.
 * Every reserved slot must then be published (sdxi_ring_publish(); a NOP
 * for a slot that ends up unused), or the function stalls at it.
 *
 * Return: 0; -EBUSY when the ring is full (callers must handle it);
 * -EIO for inconsistent indexes; -EINVAL for a bad @count.
 */
int sdxi_ring_try_reserve(struct sdxi_cxt *cxt, u32 count,
			  struct sdxi_ring_rsv *rsv)
{
	int err;

	if (!count || count > cxt->ring.entries)
		return -EINVAL;
	scoped_guard(spinlock_irqsave, &cxt->ring.lock)
		err = sdxi_ring_reserve_locked(cxt, count, rsv);
	return err;
}

/* Wait condition: a reservation succeeded or failed for good. */
static bool sdxi_ring_reserved(struct sdxi_cxt *cxt, u32 count,
			       struct sdxi_ring_rsv *rsv, int *err)
{
	*err = sdxi_ring_try_reserve(cxt, count, rsv);
	return *err != -EBUSY;
}

/**
 * sdxi_ring_reserve() - reserve ring slots, waiting for space
 * @cxt: context with a kernel-owned ring
 * @count: slots wanted
 * @timeout: longest wait, in jiffies
 * @rsv: the reservation, on success
 *
 * Space appears when the owner retires completed slots
 * (sdxi_ring_retire() wakes waiters); the condition is also re-checked
 * periodically because the function's progress raises no event by itself.
 *
 * Return: 0; -ETIMEDOUT; -EINTR on a fatal signal; or an error of
 * sdxi_ring_try_reserve() other than -EBUSY.
 */
int sdxi_ring_reserve(struct sdxi_cxt *cxt, u32 count, unsigned long timeout,
		      struct sdxi_ring_rsv *rsv)
{
	unsigned long deadline = jiffies + timeout;
	int err;

	for (;;) {
		long left = (long)(deadline - jiffies);
		long slice, ret;

		err = sdxi_ring_try_reserve(cxt, count, rsv);
		if (err != -EBUSY)
			return err;
		if (left <= 0)
			return -ETIMEDOUT;
		slice = min_t(long, left, msecs_to_jiffies(10));
		ret = wait_event_killable_timeout(cxt->ring.wq,
						  sdxi_ring_reserved(cxt, count,
								     rsv, &err),
						  slice);
		if (ret < 0)
			return -EINTR;
		if (ret > 0)
			return err;
	}
}

/**
 * sdxi_ring_publish() - hand one reserved descriptor to the function
 * @cxt: context with a kernel-owned ring
 * @index: reserved descriptor index
 * @desc: encoded descriptor (vl clear)
 * @csb: attach the slot's own CST_BLK and arm it
 *
 * Nothing in a descriptor may change once vl is set (driver.rst), so
 * the body goes first, then a write barrier, then qword 0 with vl.  The
 * per-slot CST_BLK is re-armed before that barrier, so the function can
 * never complete into a stale block.
 */
void sdxi_ring_publish(struct sdxi_cxt *cxt, u64 index,
		       const union sdxi_desc *desc, bool csb)
{
	struct sdxi_cxt_ring *ring = &cxt->ring;
	u32 slot = sdxi_ring_slot(index, ring->entries);
	union sdxi_desc *dst = &ring->slots[slot];
	union sdxi_desc d = *desc;
	int i;

	if (csb) {
		sdxi_csb_arm(&ring->csbs[slot]);
		/* Per-slot blocks are 32-byte aligned: cannot fail. */
		sdxi_desc_set_csb(&d, ring->csbs_addr +
				  (u64)slot * sizeof(struct sdxi_cst_blk));
	}
	for (i = 1; i < ARRAY_SIZE(d.qw); i++)
		WRITE_ONCE(dst->qw[i], d.qw[i]);
	/* Body and armed CST_BLK before the valid bit (publication order). */
	dma_wmb();
	WRITE_ONCE(dst->qw[0], d.qw[0] | cpu_to_le64(SDXI_DSC_VL));
}

/**
 * sdxi_ring_doorbell() - ring the context's doorbell with the current W
 * @cxt: context with a kernel-owned ring
 *
 * The function reads W from memory, so the value written only needs to be
 * a W that was published; doorbells may be coalesced or arrive out of
 * order (hardware.rst, "Descriptor processing"), which is why callers
 * ring it after
 * dropping their locks.
 */
void sdxi_ring_doorbell(struct sdxi_cxt *cxt)
{
	u64 w;

	scoped_guard(spinlock_irqsave, &cxt->ring.lock)
		w = cxt->ring.next;
	/*
	 * writeq orders the earlier stores to coherent memory (descriptor
	 * valid bits, W) before the MMIO write that makes the function
	 * read them.
	 */
	writeq(w, cxt->db);
}

/**
 * sdxi_ring_retire() - give slots back after their status was consumed
 * @cxt: context with a kernel-owned ring
 * @end: one past the last retired descriptor index
 *
 * Wakes reservers waiting for space.
 */
void sdxi_ring_retire(struct sdxi_cxt *cxt, u64 end)
{
	struct sdxi_cxt_ring *ring = &cxt->ring;

	scoped_guard(spinlock_irqsave, &ring->lock) {
		if (end > ring->tail && end <= ring->next)
			ring->tail = end;
	}
	wake_up_all(&ring->wq);
}

/**
 * sdxi_ring_reset() - empty a stopped context's ring
 * @cxt: context whose ring the function cannot read now (stopped,
 *	 function stopped, or never started)
 *
 * Clears every slot (no stale vl survives), every CST_BLK and W, and
 * restarts the free-running indexes at 0; a following DSC_CXT_START_NM
 * sets R := 0.  The owner must not submit concurrently.
 */
void sdxi_ring_reset(struct sdxi_cxt *cxt)
{
	struct sdxi_cxt_ring *ring = &cxt->ring;

	scoped_guard(spinlock_irqsave, &ring->lock) {
		memset(ring->slots, 0, (size_t)ring->entries * sizeof(*ring->slots));
		memset(ring->csbs, 0, (size_t)ring->entries * sizeof(*ring->csbs));
		ring->next = 0;
		ring->tail = 0;
		WRITE_ONCE(*ring->write_index, 0);
		/* Cleared ring and W visible before any later start. */
		dma_wmb();
	}
	wake_up_all(&ring->wq);
}

/**
 * sdxi_ring_init() - set up the producer state over allocated regions
 * @cxt: context whose regions are allocated and whose ring.entries is set
 */
void sdxi_ring_init(struct sdxi_cxt *cxt)
{
	struct sdxi_cxt_ring *ring = &cxt->ring;

	spin_lock_init(&ring->lock);
	init_waitqueue_head(&ring->wq);
	ring->slots = cxt->bufs[SDXI_CXT_RING].va;
	ring->csbs = cxt->bufs[SDXI_CXT_CSB].va;
	ring->csbs_addr = cxt->bufs[SDXI_CXT_CSB].addr;
	ring->write_index = cxt->bufs[SDXI_CXT_WRITE_INDEX].va;
	ring->sts = cxt->bufs[SDXI_CXT_STS].va;
	ring->next = 0;
	ring->tail = 0;
}
