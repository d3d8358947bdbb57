// SPDX-License-Identifier: GPL-2.0
/*
 * dmaengine provider: memcpy channels, one SDXI context per channel, on
 * the dmaengine core's virtual channels (virt-dma) and cookie helpers.
 *
 * The virtual channel holds the transactions: allocated (prepared),
 * submitted (cookie assigned), issued, completed (callbacks pending, run
 * by its tasklet) and terminated (freed by device_synchronize).  The
 * issued list is in cookie order; the transactions written to the ring
 * (@in_ring) are a prefix of it, in ring order, the others wait for ring
 * space.
 *
 *   alloc_chan_resources  create and start a context: AKey 0 reaches data
 *			   in the context's address space, AKey 1 names the
 *			   channel's MSI-X vector.
 *   prep_dma_memcpy	   validate by a trial encode; vchan_tx_prep().  No
 *			   ring slot is touched, so a prepared but abandoned
 *			   descriptor cannot wedge the ring.
 *   tx_submit		   vchan_tx_submit(): the cookie.
 *   issue_pending	   vchan_issue_pending(), then reserve slots for as
 *			   many issued transactions as fit (driver.rst, "Ring
 *			   slots are reserved at issue time"), publish each
 *			   COPY with its slot's CST_BLK, and one fenced
 *			   DSC_INTR after the batch if a transaction asked
 *			   for an interrupt or work is left waiting for
 *			   space; doorbell after the lock drops.
 *   completion		   the channel's vector, or device_tx_status polling
 *			   (no DMA_PREP_INTERRUPT), reaps the ring's
 *			   transactions in order by CST_BLK (never by the
 *			   read index) through one function under the
 *			   channel lock, and completes them with
 *			   vchan_cookie_complete().  A block with ER
 *			   completes the transaction with a
 *			   DMA_TRANS_*_FAILED result, never as success.
 *   terminate_all	   drain: everything submitted so far is issued and
 *			   gets SDXI_DMA_DRAIN_MS to complete (normally, with
 *			   its callback); what does not make it is aborted
 *			   without callback after the context is stopped and
 *			   reset.  Several clients may share a channel (dmatest
 *			   runs threads per channel, polled ones terminate
 *			   after every transfer): aborting another client's
 *			   transfer that was submitted but not yet issued
 *			   would fail it for no reason, while a copy that
 *			   completes within the bound is harmless.
 *   synchronize	   waits for the drain or reset, for the IRQ and for
 *			   the callbacks (vchan_synchronize()).
 *
 * A context error (reported by the error log or seen as ER in a block)
 * fails that transaction, then DSC_CXT_START_RS resumes the context after
 * it so the rest of the ring still runs.  Function recovery aborts the
 * ring's transactions with errors (clients see errors, not hangs) and
 * issues the waiting ones once the context runs again.
 */
#include <linux/cleanup.h>
#include <linux/delay.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/slab.h>

/* The dmaengine core's own headers, from the kernel's source (Kbuild). */
#ifndef __CHECKER__
#if !__has_include("virt-dma.h") || !__has_include("dmaengine.h")
#error "drivers/dma/{virt-dma,dmaengine}.h of the kernel's source needed (install.rst)"
#endif
#endif
#include "dmaengine.h"
#include "virt-dma.h"

#include "compat.h"
#include "context.h"
#include "descriptor.h"
#include "dma.h"
#include "ring.h"
#include "sdxi.h"
#include "trace.h"

static unsigned int channels = 2;
module_param(channels, uint, 0444);
MODULE_PARM_DESC(channels, "dmaengine memcpy channels per function (default 2)");

static unsigned int ring_entries = SDXI_CXT_DEFAULT_ENTRIES;
module_param(ring_entries, uint, 0444);
MODULE_PARM_DESC(ring_entries, "descriptor ring size of each channel, >= 1024 (default 1024)");

#define SDXI_DMA_AKEY_DATA	0
#define SDXI_DMA_AKEY_INTR	1

/*
 * How long terminate_all lets submitted transactions finish before a
 * reset: they normally take microseconds; the bound only matters for a
 * stuck context and must not trip on a loaded (emulating) host.
 */
#define SDXI_DMA_DRAIN_MS	1000

/**
 * struct sdxi_dma_desc - one memcpy transaction
 * @vd: virtual-channel descriptor
 * @copy: COPY parameters, validated at prep
 * @index: ring index of the COPY, once in the ring
 * @end: one past the last ring slot the transaction owns (its COPY and
 *	 possibly the batch's DSC_INTR)
 * @in_ring: written to the ring
 * @terminated: submitted before a terminate_all, counted in
 *		&sdxi_dma_chan.draining
 */
struct sdxi_dma_desc {
	struct virt_dma_desc vd;
	struct sdxi_copy copy;
	u64 index;
	u64 end;
	bool in_ring;
	bool terminated;
};

/**
 * struct sdxi_dma_chan - one channel and its context
 * @vc: virtual channel; its lock guards the fields below marked "lock"
 * @sdxi: function
 * @vector: MSI-X vector of the channel's DSC_INTR
 * @irq: its Linux IRQ
 * @max_len: largest transfer (CTL2.max_buffer)
 * @name: IRQ name
 * @cxt: the context, NULL without resources (lock)
 * @stall: > 0 while the context is being reset: issue nothing (lock)
 * @draining: terminated transactions not finished yet (lock)
 * @drain: terminate_all asked for a drain (lock)
 * @reset: the ring must be reset (inconsistent indexes) (lock)
 * @resume: the context reported an error: resume it (lock)
 * @failed_cookie: the channel's most recent failed or aborted transaction,
 *		   which device_tx_status reports as DMA_ERROR (lock)
 * @work: resume, drain and reset (process context)
 */
struct sdxi_dma_chan {
	struct virt_dma_chan vc;
	struct sdxi_fn *sdxi;
	unsigned int vector;
	int irq;
	u64 max_len;
	char name[32];

	struct sdxi_cxt *cxt;
	unsigned int stall;
	unsigned int draining;
	bool drain;
	bool reset;
	bool resume;
	dma_cookie_t failed_cookie;

	struct work_struct work;
};

/**
 * struct sdxi_dma - the dmaengine provider of one function
 * @dma: dmaengine device; freed by its release callback, which may run
 *	 after the function is gone if a client still holds a channel
 * @lock: serializes channel resource allocation with teardown
 * @dead: torn down: no new channel resources
 * @park: a client held a channel at unregister: the release callback
 *	  parks this object until module exit instead of freeing it
 * @parked: entry in sdxi_dma_parked
 * @ring_entries: ring size of the channels' contexts
 * @nr_chans: number of @chans
 * @chans: channels
 */
struct sdxi_dma {
	struct dma_device dma;
	struct mutex lock;		/* see @lock above */
	bool dead;
	bool park;
	struct list_head parked;
	u32 ring_entries;
	unsigned int nr_chans;
	struct sdxi_dma_chan chans[] __counted_by(nr_chans);
};

/*
 * Providers released by a client's last dma_release_channel() after an
 * unbind.  In that path the dmaengine core runs our release callback
 * inside dma_chan_put() and then still reads the dma_device (6.12:
 * module_put(chan->device->owner), chan->device->privatecnt) and the
 * channel (6.12 and 7.3: chan->slave), so the dma_device and its channels
 * must outlive the callback (driver.rst, "Unbind with clients").  They are
 * freed at module exit, after the last such release (sdxi_dma_exit()).
 */
static LIST_HEAD(sdxi_dma_parked);
static DEFINE_SPINLOCK(sdxi_dma_parked_lock);

/*
 * SDXI_TEST_NO_PARKING is defined only by the build of make
 * check-kernel-lifetime (kernel/Kbuild), which shows the core's late
 * accesses without the parking; never in the module users build.
 */
#ifdef SDXI_TEST_NO_PARKING
#define SDXI_DMA_PARKING false
#else
#define SDXI_DMA_PARKING true
#endif

static struct sdxi_dma_chan *to_sdxi_dma_chan(struct dma_chan *chan)
{
	return container_of(chan, struct sdxi_dma_chan, vc.chan);
}

static struct sdxi_dma_desc *to_sdxi_dma_desc(struct virt_dma_desc *vd)
{
	return container_of(vd, struct sdxi_dma_desc, vd);
}

static struct sdxi_dma *to_sdxi_dma(struct dma_device *dma)
{
	return container_of(dma, struct sdxi_dma, dma);
}

static void sdxi_dma_desc_free(struct virt_dma_desc *vd)
{
	kfree(to_sdxi_dma_desc(vd));
}

/*
 * A transaction is finished: off its list, it completes its cookie with
 * @result (the callback reports it), or, with !@callback, it goes to the
 * terminated list without a callback.  Only transactions from the ring
 * complete their cookie without a callback: the others may have been
 * submitted before transactions still waiting, whose cookies must not
 * read as complete.
 */
static void sdxi_dma_finish_locked(struct sdxi_dma_chan *dc,
				   struct sdxi_dma_desc *d,
				   enum dmaengine_tx_result result,
				   bool callback)
{
	struct dma_async_tx_descriptor *tx = &d->vd.tx;

	lockdep_assert_held(&dc->vc.lock);
	list_del(&d->vd.node);
	if (d->terminated)
		dc->draining--;
	if (result != DMA_TRANS_NOERROR)
		dc->failed_cookie = tx->cookie;
	trace_sdxi_dma_complete(&dc->vc.chan, tx->cookie, d->index, d->in_ring,
				result);
	if (callback) {
		d->vd.tx_result.result = result;
		d->vd.tx_result.residue = result == DMA_TRANS_NOERROR ? 0 : d->copy.len;
		vchan_cookie_complete(&d->vd);
		return;
	}
	if (d->in_ring)
		dma_cookie_complete(tx);
	vchan_terminate_vdesc(&d->vd);
}

/* Which buffer failed, from the error log if it already told us. */
static enum dmaengine_tx_result sdxi_dma_failure(struct sdxi_dma_chan *dc,
						 struct sdxi_dma_desc *d)
{
	struct sdxi_err_rec rec;

	if (sdxi_cxt_last_error(dc->cxt, &rec) && rec.div &&
	    rec.dsc_index == d->index && rec.bv && rec.buf == SDXI_BUF_SRC)
		return DMA_TRANS_READ_FAILED;
	return DMA_TRANS_WRITE_FAILED;
}

/*
 * Complete the ring's transactions in ring order, by their CST_BLKs: the
 * block, not the read index, says that a descriptor completed and whether
 * it failed (hardware.rst).
 */
static void sdxi_dma_reap_locked(struct sdxi_dma_chan *dc)
{
	struct virt_dma_desc *vd, *tmp;
	struct sdxi_dma_desc *d;
	u64 end = 0;
	int status;

	lockdep_assert_held(&dc->vc.lock);
	list_for_each_entry_safe(vd, tmp, &dc->vc.desc_issued, node) {
		d = to_sdxi_dma_desc(vd);
		if (!d->in_ring)
			break;
		status = sdxi_ring_csb_status(dc->cxt, d->index);
		if (status == -EINPROGRESS)
			break;
		end = d->end;
		if (!status) {
			sdxi_dma_finish_locked(dc, d, DMA_TRANS_NOERROR, true);
			continue;
		}
		atomic64_inc(&dc->sdxi->stats.dsc_errors);
		dev_err_ratelimited(dc->vc.chan.device->dev, "%s: copy %llu failed\n",
				    dma_chan_name(&dc->vc.chan), d->index);
		sdxi_dma_finish_locked(dc, d, sdxi_dma_failure(dc, d), true);
		/* The context is in ERR_FN now: resume after it. */
		dc->resume = true;
		queue_work(system_wq, &dc->work);
	}
	/* Their blocks are read: the slots may be reused. */
	if (end)
		sdxi_ring_retire(dc->cxt, end);
}

/* Write issued transactions to the ring; true if the doorbell is due. */
static bool sdxi_dma_issue_locked(struct sdxi_dma_chan *dc)
{
	struct sdxi_dma_desc *d, *last = NULL;
	struct sdxi_cxt *cxt = dc->cxt;
	unsigned int n = 0, waiting = 0;
	struct sdxi_ring_rsv rsv;
	struct virt_dma_desc *vd;
	union sdxi_desc desc;
	bool intr = false;
	s64 space;
	u64 idx;

	lockdep_assert_held(&dc->vc.lock);
	if (!cxt || dc->stall)
		return false;
	space = sdxi_ring_free_slots(cxt);
	if (space < 0) {
		dev_err_ratelimited(dc->vc.chan.device->dev,
				    "%s: ring indexes inconsistent, resetting\n",
				    dma_chan_name(&dc->vc.chan));
		dc->reset = true;
		queue_work(system_wq, &dc->work);
		return false;
	}
	/* Keep one slot for the DSC_INTR. */
	list_for_each_entry(vd, &dc->vc.desc_issued, node) {
		d = to_sdxi_dma_desc(vd);
		if (d->in_ring)
			continue;
		if (n + 2 > space) {
			waiting++;
			continue;
		}
		n++;
		if (vd->tx.flags & DMA_PREP_INTERRUPT)
			intr = true;
	}
	if (!n)
		return false;
	/* Work left behind: get an interrupt when slots free up. */
	if (waiting)
		intr = true;
	if (sdxi_ring_try_reserve(cxt, n + intr, &rsv))
		return false;

	idx = rsv.index;
	list_for_each_entry(vd, &dc->vc.desc_issued, node) {
		d = to_sdxi_dma_desc(vd);
		if (d->in_ring)
			continue;
		if (!n--)
			break;
		/* Validated at prep: cannot fail. */
		sdxi_encode_copy(&desc, &d->copy);
		sdxi_ring_publish(cxt, idx, &desc, true);
		d->index = idx++;
		d->end = idx;
		d->in_ring = true;
		trace_sdxi_dma_submit(&dc->vc.chan, cxt->id, vd->tx.cookie,
				      d->index, d->copy.src, d->copy.dst,
				      d->copy.len);
		last = d;
	}
	if (intr) {
		sdxi_encode_intr(&desc, SDXI_DMA_AKEY_INTR);
		sdxi_ring_publish(cxt, idx++, &desc, false);
		last->end = idx;
	}
	return true;
}

/* Reap, issue more, then the doorbell outside the lock. */
static void sdxi_dma_progress(struct sdxi_dma_chan *dc)
{
	struct sdxi_cxt *cxt;
	bool issued;

	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		cxt = dc->cxt;
		if (!cxt)
			return;
		sdxi_dma_reap_locked(dc);
		issued = sdxi_dma_issue_locked(dc);
	}
	if (issued)
		sdxi_ring_doorbell(cxt);
}

/* Abort the terminated transactions that never reached the ring. */
static void sdxi_dma_abort_terminated_locked(struct sdxi_dma_chan *dc,
					     struct list_head *list)
{
	struct virt_dma_desc *vd, *tmp;
	struct sdxi_dma_desc *d;

	list_for_each_entry_safe(vd, tmp, list, node) {
		d = to_sdxi_dma_desc(vd);
		if (!d->terminated || d->in_ring)
			continue;
		atomic64_inc(&dc->sdxi->stats.dma_aborted);
		sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, false);
	}
}

/*
 * The function no longer executes the context: fail every transaction of
 * the ring (after reaping the ones that finished), and the waiting ones
 * the client terminated.  Terminated transactions get no callback; the
 * others learn about the failure through their callback.  Waiting
 * transactions nobody terminated stay queued.
 */
static void sdxi_dma_abort_locked(struct sdxi_dma_chan *dc)
{
	struct virt_dma_desc *vd, *tmp;
	struct sdxi_dma_desc *d;

	lockdep_assert_held(&dc->vc.lock);
	if (dc->cxt)
		sdxi_dma_reap_locked(dc);
	list_for_each_entry_safe(vd, tmp, &dc->vc.desc_issued, node) {
		d = to_sdxi_dma_desc(vd);
		if (!d->in_ring)
			break;
		atomic64_inc(&dc->sdxi->stats.dma_aborted);
		sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, !d->terminated);
	}
	sdxi_dma_abort_terminated_locked(dc, &dc->vc.desc_issued);
	sdxi_dma_abort_terminated_locked(dc, &dc->vc.desc_submitted);
}

static bool sdxi_dma_drained(struct sdxi_dma_chan *dc)
{
	bool drained;

	scoped_guard(spinlock_irqsave, &dc->vc.lock)
		drained = !dc->draining;
	return drained;
}

/*
 * Abandon the ring: stop the context, empty it and start it again.  The
 * ring's transactions are failed by the reset_begin notification, once
 * the function no longer executes them; if the context cannot be stopped
 * they are left alone (their buffers may still be written).  Terminated
 * transactions that never reached the ring are failed here in any case.
 */
static void sdxi_dma_reset(struct sdxi_dma_chan *dc, struct sdxi_cxt *cxt)
{
	int err;

	scoped_guard(spinlock_irqsave, &dc->vc.lock)
		dc->stall++;

	err = sdxi_cxt_reset(cxt);
	if (err)
		dev_err(dc->vc.chan.device->dev, "%s: context %u reset failed (%d)\n",
			dma_chan_name(&dc->vc.chan), cxt->id, err);

	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		sdxi_dma_abort_terminated_locked(dc, &dc->vc.desc_issued);
		sdxi_dma_abort_terminated_locked(dc, &dc->vc.desc_submitted);
		dc->stall--;
	}
	sdxi_dma_progress(dc);
}

static void sdxi_dma_work(struct work_struct *work)
{
	struct sdxi_dma_chan *dc = container_of(work, struct sdxi_dma_chan, work);
	bool resume, drain, reset;
	unsigned long deadline;
	struct sdxi_cxt *cxt;

	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		cxt = dc->cxt;
		resume = dc->resume;
		drain = dc->drain;
		reset = dc->reset;
		dc->resume = false;
		dc->drain = false;
		dc->reset = false;
	}
	if (!cxt)
		return;

	/* Complete what finished, including a failed descriptor. */
	sdxi_dma_progress(dc);
	if (resume && !reset && sdxi_cxt_resume(cxt))
		reset = true;
	if (drain && !reset) {
		deadline = jiffies + msecs_to_jiffies(SDXI_DMA_DRAIN_MS);
		while (!sdxi_dma_drained(dc)) {
			if (time_after(jiffies, deadline)) {
				reset = true;
				break;
			}
			usleep_range(50, 200);
			sdxi_dma_progress(dc);
		}
	}
	if (reset)
		sdxi_dma_reset(dc, cxt);
}

static irqreturn_t sdxi_dma_irq(int irq, void *data)
{
	sdxi_dma_progress(data);
	return IRQ_HANDLED;
}

static void sdxi_dma_cxt_error(struct sdxi_cxt *cxt,
			       const struct sdxi_err_rec *rec)
{
	struct sdxi_dma_chan *dc = cxt->owner;

	scoped_guard(spinlock_irqsave, &dc->vc.lock)
		dc->resume = true;
	queue_work(system_wq, &dc->work);
}

static void sdxi_dma_reset_begin(struct sdxi_cxt *cxt)
{
	struct sdxi_dma_chan *dc = cxt->owner;

	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		dc->stall++;
		sdxi_dma_abort_locked(dc);
	}
}

static void sdxi_dma_reset_done(struct sdxi_cxt *cxt)
{
	struct sdxi_dma_chan *dc = cxt->owner;

	scoped_guard(spinlock_irqsave, &dc->vc.lock)
		dc->stall--;
	sdxi_dma_progress(dc);
}

static const struct sdxi_cxt_ops sdxi_dma_cxt_ops = {
	.error = sdxi_dma_cxt_error,
	.reset_begin = sdxi_dma_reset_begin,
	.reset_done = sdxi_dma_reset_done,
};

static struct dma_async_tx_descriptor *
sdxi_dma_prep_memcpy(struct dma_chan *chan, dma_addr_t dst, dma_addr_t src,
		     size_t len, unsigned long flags)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);
	struct sdxi_copy copy = {
		.src = src,
		.dst = dst,
		.len = len,
		.src_akey = SDXI_DMA_AKEY_DATA,
		.dst_akey = SDXI_DMA_AKEY_DATA,
	};
	struct sdxi_dma_desc *d;
	union sdxi_desc trial;

	/* Client input never WARNs (driver.rst): refused quietly. */
	if (len > dc->max_len || sdxi_encode_copy(&trial, &copy))
		return NULL;
	/* A channel torn down under its client prepares nothing. */
	scoped_guard(spinlock_irqsave, &dc->vc.lock)
		if (!dc->cxt)
			return NULL;

	d = kzalloc_obj(*d, GFP_NOWAIT);
	if (!d)
		return NULL;
	d->copy = copy;
	return vchan_tx_prep(&dc->vc, &d->vd, flags);
}

static void sdxi_dma_issue_pending(struct dma_chan *chan)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);

	scoped_guard(spinlock_irqsave, &dc->vc.lock)
		vchan_issue_pending(&dc->vc);
	sdxi_dma_progress(dc);
}

static enum dma_status sdxi_dma_cookie_status(struct sdxi_dma_chan *dc,
					      dma_cookie_t cookie,
					      struct dma_tx_state *txstate)
{
	struct virt_dma_desc *vd;
	enum dma_status status;
	unsigned long flags;

	spin_lock_irqsave(&dc->vc.lock, flags);
	if (cookie == dc->failed_cookie) {
		dma_set_tx_state(txstate, dc->vc.chan.completed_cookie,
				 dc->vc.chan.cookie, 0);
		status = DMA_ERROR;
	} else {
		status = dma_cookie_status(&dc->vc.chan, cookie, txstate);
	}
	if (status == DMA_IN_PROGRESS && txstate) {
		/* Our copies complete as a whole: all or nothing left. */
		vd = vchan_find_desc(&dc->vc, cookie);
		dma_set_residue(txstate, vd ? to_sdxi_dma_desc(vd)->copy.len : 0);
	}
	spin_unlock_irqrestore(&dc->vc.lock, flags);
	return status;
}

static enum dma_status sdxi_dma_tx_status(struct dma_chan *chan,
					  dma_cookie_t cookie,
					  struct dma_tx_state *txstate)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);
	enum dma_status status;

	status = sdxi_dma_cookie_status(dc, cookie, txstate);
	if (status != DMA_IN_PROGRESS)
		return status;
	/* Polled completion: the same reaping the interrupt does. */
	sdxi_dma_progress(dc);
	return sdxi_dma_cookie_status(dc, cookie, txstate);
}

static void sdxi_dma_mark_terminated(struct sdxi_dma_chan *dc,
				     struct list_head *list)
{
	struct virt_dma_desc *vd;
	struct sdxi_dma_desc *d;

	list_for_each_entry(vd, list, node) {
		d = to_sdxi_dma_desc(vd);
		if (d->terminated)
			continue;
		d->terminated = true;
		dc->draining++;
	}
}

static int sdxi_dma_terminate_all(struct dma_chan *chan)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);
	struct sdxi_cxt *cxt;
	bool issued = false;

	/* Atomic context allowed: the drain itself runs in dc->work. */
	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		cxt = dc->cxt;
		if (!cxt)
			return 0;
		vchan_issue_pending(&dc->vc);
		sdxi_dma_mark_terminated(dc, &dc->vc.desc_issued);
		if (dc->draining) {
			issued = sdxi_dma_issue_locked(dc);
			dc->drain = true;
			queue_work(system_wq, &dc->work);
		}
	}
	if (issued)
		sdxi_ring_doorbell(cxt);
	return 0;
}

static void sdxi_dma_synchronize(struct dma_chan *chan)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);

	/* The drain or reset decides the fate of the ring's transactions... */
	flush_work(&dc->work);
	/* ...then no completion handler or callback is left running. */
	synchronize_irq(dc->irq);
	vchan_synchronize(&dc->vc);
}

static int sdxi_dma_alloc_chan_resources(struct dma_chan *chan)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);
	struct sdxi_dma *sd = to_sdxi_dma(chan->device);
	const struct sdxi_akey akeys[] = {
		[SDXI_DMA_AKEY_DATA] = { },
		[SDXI_DMA_AKEY_INTR] = { .intr = true, .vector = dc->vector },
	};
	const struct sdxi_cxt_params p = {
		.ring_entries = sd->ring_entries,
		.akeys = akeys,
		.nr_akeys = ARRAY_SIZE(akeys),
		.ops = &sdxi_dma_cxt_ops,
		.owner = dc,
	};
	struct sdxi_cxt *cxt;
	int err;

	guard(mutex)(&sd->lock);
	if (sd->dead)
		return -ENODEV;
	if (dc->cxt)
		return 0;

	cxt = sdxi_cxt_create(dc->sdxi, &p);
	if (IS_ERR(cxt)) {
		dev_err(dc->sdxi->dev, "%s: no context (%pe)\n", dc->name, cxt);
		return PTR_ERR(cxt);
	}
	err = request_irq(dc->irq, sdxi_dma_irq, 0, dc->name, dc);
	if (err) {
		dev_err(dc->sdxi->dev, "%s: no interrupt (%d)\n", dc->name, err);
		sdxi_cxt_destroy(cxt);
		return err;
	}
	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		dc->cxt = cxt;
		dc->stall = 0;
		dc->draining = 0;
		dc->drain = false;
		dc->reset = false;
		dc->resume = false;
		dc->failed_cookie = -EINVAL;
		dma_cookie_init(chan);
	}
	err = sdxi_cxt_start(cxt);
	if (err) {
		scoped_guard(spinlock_irqsave, &dc->vc.lock)
			dc->cxt = NULL;
		free_irq(dc->irq, dc);
		cancel_work_sync(&dc->work);
		sdxi_cxt_destroy(cxt);
		cancel_work_sync(&dc->work);
		dev_err(dc->sdxi->dev, "%s: context not started (%d)\n",
			dc->name, err);
		return err;
	}
	return 0;
}

/*
 * Release a channel's context: the function stops executing it before its
 * ring is freed, and nothing of ours runs for it afterwards.  With
 * @notify (the device is going away under a client) the transactions
 * left behind are failed through their callbacks, in cookie order; the
 * prepared ones stay with the virtual channel until the client releases
 * it.  Caller holds sd->lock.
 */
static void sdxi_dma_chan_teardown(struct sdxi_dma_chan *dc, bool notify)
{
	struct virt_dma_desc *vd, *tmp;
	struct sdxi_dma_desc *d;
	struct sdxi_cxt *cxt;

	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		cxt = dc->cxt;
		dc->cxt = NULL;
	}
	if (!cxt)
		return;
	free_irq(dc->irq, dc);
	cancel_work_sync(&dc->work);
	sdxi_cxt_destroy(cxt);
	/* An error report may have queued it again before the destroy. */
	cancel_work_sync(&dc->work);
	if (!notify)
		return;

	scoped_guard(spinlock_irqsave, &dc->vc.lock) {
		vchan_issue_pending(&dc->vc);
		list_for_each_entry_safe(vd, tmp, &dc->vc.desc_issued, node) {
			d = to_sdxi_dma_desc(vd);
			sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED,
					       !d->terminated);
		}
	}
	vchan_synchronize(&dc->vc);
}

static void sdxi_dma_free_chan_resources(struct dma_chan *chan)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);
	struct sdxi_dma *sd = to_sdxi_dma(chan->device);

	scoped_guard(mutex, &sd->lock)
		sdxi_dma_chan_teardown(dc, false);
	/* A recovery may have completed some since the core synchronized. */
	vchan_free_chan_resources(&dc->vc);
	vchan_synchronize(&dc->vc);
}

static void sdxi_dma_release(struct dma_device *dma)
{
	struct sdxi_dma *sd = to_sdxi_dma(dma);

	if (!sd->park) {
		kfree(sd);
		return;
	}
	spin_lock(&sdxi_dma_parked_lock);
	list_add(&sd->parked, &sdxi_dma_parked);
	spin_unlock(&sdxi_dma_parked_lock);
}

static bool sdxi_dma_filter_none(struct dma_chan *chan, void *param)
{
	return false;
}

/**
 * sdxi_dma_exit() - free the providers parked by sdxi_dma_release()
 *
 * Called at module exit, when no client can hold a channel any more.
 */
void sdxi_dma_exit(void)
{
	struct sdxi_dma *sd, *tmp;
	dma_cap_mask_t mask;

	if (list_empty(&sdxi_dma_parked))
		return;
	/*
	 * A client's dma_release_channel() drops our module reference inside
	 * the core's dma_list_mutex and uses the channel until it unlocks.
	 * A request that takes no channel locks and unlocks that mutex: no
	 * such release is in progress after it.
	 */
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	dma_request_channel(mask, sdxi_dma_filter_none, NULL);
	list_for_each_entry_safe(sd, tmp, &sdxi_dma_parked, parked)
		kfree(sd);
}

/*
 * Devres action, run before the function's teardown: contexts of channels
 * a client still holds are destroyed here, while the function is active;
 * the client's later free_chan_resources finds nothing left to do but
 * freeing its descriptors.
 */
static void sdxi_dma_unregister(void *data)
{
	struct sdxi_dma *sd = data;
	unsigned int i;

	scoped_guard(mutex, &sd->lock) {
		sd->dead = true;
		for (i = 0; i < sd->nr_chans; i++) {
			struct sdxi_dma_chan *dc = &sd->chans[i];

			/*
			 * No new client can come (@dead).  A channel with a
			 * context has a client, or one inside
			 * dma_chan_get() whose client_count is not raised
			 * yet; either may drop the last reference later.
			 */
			if (SDXI_DMA_PARKING &&
			    (dc->cxt || READ_ONCE(dc->vc.chan.client_count)))
				sd->park = true;
			sdxi_dma_chan_teardown(dc, true);
		}
	}
	sd->chans[0].sdxi->dma = NULL;
	/* Frees @sd (sdxi_dma_release) unless a client holds a channel. */
	dma_async_device_unregister(&sd->dma);
}

/**
 * sdxi_dma_register() - register the function's dmaengine memcpy channels
 * @sdxi: active function
 *
 * One channel per context, up to the "channels" module parameter, one
 * MSI-X vector each (vector 0 stays the error log's).  Unregistered by
 * devres before the function is stopped.
 *
 * Return: 0 or a negative errno.
 */
int sdxi_dma_register(struct sdxi_fn *sdxi)
{
	struct dma_device *dma;
	unsigned int nr, i;
	int err;

	nr = min3(channels, sdxi_fn_vectors_free(sdxi), (unsigned int)sdxi->max_cxt);
	/* Each channel creates its context when a client asks for it. */
	sdxi->kernel_cxts = nr;
	if (!nr) {
		dev_info(sdxi->dev, "no dmaengine channels (vectors %u)\n",
			 sdxi->nr_vectors);
		return 0;
	}
	if (!(sdxi->opb & SDXI_OPB_INTR))
		return dev_err_probe(sdxi->dev, -ENODEV,
				     "interrupt operation group missing\n");

	struct sdxi_dma *sd __free(kfree) = kzalloc(struct_size(sd, chans, nr),
						    GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	sd->nr_chans = nr;
	mutex_init(&sd->lock);
	sd->ring_entries = ring_entries;
	if (!sdxi_ring_entries_valid(ring_entries, sdxi->max_ring_entries)) {
		dev_warn(sdxi->dev, "ring_entries %u not in 1024..%u, using %u\n",
			 ring_entries, sdxi->max_ring_entries,
			 SDXI_CXT_DEFAULT_ENTRIES);
		sd->ring_entries = SDXI_CXT_DEFAULT_ENTRIES;
	}

	dma = &sd->dma;
	dma->dev = sdxi->dev;
	dma_cap_set(DMA_MEMCPY, dma->cap_mask);
	/* No async_tx dependency chains: only explicit requesters. */
	dma_cap_set(DMA_PRIVATE, dma->cap_mask);
	dma->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dma->directions = BIT(DMA_MEM_TO_MEM);
	dma->residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	dma->device_alloc_chan_resources = sdxi_dma_alloc_chan_resources;
	dma->device_free_chan_resources = sdxi_dma_free_chan_resources;
	dma->device_prep_dma_memcpy = sdxi_dma_prep_memcpy;
	dma->device_issue_pending = sdxi_dma_issue_pending;
	dma->device_tx_status = sdxi_dma_tx_status;
	dma->device_terminate_all = sdxi_dma_terminate_all;
	dma->device_synchronize = sdxi_dma_synchronize;
	dma->device_release = sdxi_dma_release;
	INIT_LIST_HEAD(&dma->channels);

	for (i = 0; i < nr; i++) {
		struct sdxi_dma_chan *dc = &sd->chans[i];

		dc->sdxi = sdxi;
		err = sdxi_fn_vector_get(sdxi);
		if (err < 0)
			return dev_err_probe(sdxi->dev, err,
					     "no vector for channel %u\n", i);
		dc->vector = err;
		dc->irq = sdxi_fn_vector_irq(sdxi, dc->vector);
		if (dc->irq < 0)
			return dev_err_probe(sdxi->dev, dc->irq,
					     "no vector for channel %u\n", i);
		dc->max_len = sdxi->max_buffer;
		snprintf(dc->name, sizeof(dc->name), "sdxi-%s-ch%u",
			 dev_name(sdxi->dev), i);
		INIT_WORK(&dc->work, sdxi_dma_work);
		dc->vc.desc_free = sdxi_dma_desc_free;
		vchan_init(&dc->vc, dma);
	}

	err = dma_async_device_register(dma);
	if (err)
		return dev_err_probe(sdxi->dev, err,
				     "registering dmaengine channels\n");
	/* From here on the dmaengine core owns @sd: freed by its release. */
	sdxi->dma = no_free_ptr(sd);
	return devm_add_action_or_reset(sdxi->dev, sdxi_dma_unregister,
					sdxi->dma);
}
