// SPDX-License-Identifier: GPL-2.0
/*
 * dmaengine provider: memcpy channels, one SDXI context per channel.
 *
 * How the dmaengine callbacks map onto the context's ring:
 *
 *   alloc_chan_resources  create and start a context: AKey 0 reaches data
 *			   in the context's address space, AKey 1 names the
 *			   channel's MSI-X vector.
 *   prep_dma_memcpy	   validate by a trial encode and allocate a
 *			   descriptor; no ring slot is touched, so a prepared
 *			   but abandoned descriptor cannot wedge the ring.
 *   tx_submit		   assign the cookie, queue on @pending.
 *   issue_pending	   reserve slots for as many pending descriptors as
 *			   fit (driver.rst, "Ring slots are reserved at
 *			   issue time"), publish each COPY with its slot's
 *			   CST_BLK, and one fenced DSC_INTR after the batch
 *			   if a descriptor asked for an interrupt or work is
 *			   left waiting for space; doorbell after the lock
 *			   drops.
 *   completion		   the channel's vector, or device_tx_status polling
 *			   (no DMA_PREP_INTERRUPT), reaps @active in order
 *			   by CST_BLK.  Both go through one function under
 *			   the channel lock, so the paths agree.  A block with
 *			   ER completes the descriptor as DMA_ERROR with a
 *			   DMA_TRANS_*_FAILED result, never as success.
 *			   Callbacks run from a BH work item.
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
 *			   callbacks.
 *
 * A context error (reported by the error log or seen as ER in a block)
 * fails that descriptor, then DSC_CXT_START_RS resumes the context after
 * it so the rest of the ring still runs.  Function recovery aborts issued
 * descriptors with errors (clients see errors, not hangs) and issues the
 * pending ones once the context runs again.
 */
#include <linux/cleanup.h>
#include <linux/delay.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/slab.h>

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

/* Recently failed cookies remembered for device_tx_status. */
#define SDXI_DMA_FAILED_COOKIES	256

/*
 * How long terminate_all lets submitted transactions finish before a
 * reset: they normally take microseconds; the bound only matters for a
 * stuck context and must not trip on a loaded (emulating) host.
 */
#define SDXI_DMA_DRAIN_MS	1000

/**
 * struct sdxi_dma_desc - one memcpy transaction
 * @txd: dmaengine descriptor
 * @node: on one of the channel's lists
 * @copy: COPY parameters, validated at prep
 * @index: ring index of the COPY, once issued
 * @end: one past the last ring slot the transaction owns (its COPY and
 *	 possibly the batch's DSC_INTR)
 * @result: outcome, once completed
 * @callback: invoke the client's callback when done (not for
 *	      transactions aborted after the client terminated them)
 * @terminated: submitted before a terminate_all, counted in
 *		&sdxi_dma_chan.draining
 */
struct sdxi_dma_desc {
	struct dma_async_tx_descriptor txd;
	struct list_head node;
	struct sdxi_copy copy;
	u64 index;
	u64 end;
	enum dmaengine_tx_result result;
	bool callback;
	bool terminated;
};

/**
 * struct sdxi_dma_chan - one channel and its context
 * @chan: dmaengine channel
 * @sdxi: function
 * @vector: MSI-X vector of the channel's DSC_INTR
 * @irq: its Linux IRQ
 * @max_len: largest transfer (CTL2.max_buffer)
 * @name: IRQ name
 * @cxt: the context, NULL without resources; @lock
 * @lock: guards the lists, @cxt, @stall, the work flags and cookies
 * @allocated: prepared, not submitted
 * @pending: submitted, not issued
 * @active: in the ring, in index order
 * @done: completed, callbacks and freeing pending
 * @stall: > 0 while the context is being reset: issue nothing
 * @draining: terminated transactions not finished yet
 * @drain: terminate_all asked for a drain
 * @reset: the ring must be reset (inconsistent indexes)
 * @resume: the context reported an error: resume it
 * @failed: ring of recently failed or aborted cookies
 * @failed_next: next slot of @failed
 * @cb_work: runs callbacks and frees descriptors (BH)
 * @work: resume, drain and reset (process context)
 */
struct sdxi_dma_chan {
	struct dma_chan chan;
	struct sdxi_fn *sdxi;
	unsigned int vector;
	int irq;
	u64 max_len;
	char name[32];

	struct sdxi_cxt *cxt;
	spinlock_t lock;		/* see @lock above */
	struct list_head allocated;
	struct list_head pending;
	struct list_head active;
	struct list_head done;
	unsigned int stall;
	unsigned int draining;
	bool drain;
	bool reset;
	bool resume;
	dma_cookie_t failed[SDXI_DMA_FAILED_COOKIES];
	unsigned int failed_next;

	struct work_struct cb_work;
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
 * Providers released by a client's last dma_release_channel().  In that
 * path the dmaengine core (drivers/dma/dmaengine.c, dma_chan_put()) calls
 * module_put(chan->device->owner) after dma_device_put() has run our
 * release callback, so the dma_device and its channels must outlive the
 * callback.  Nothing in the core reaches them once the module reference
 * is dropped, hence they are freed at module exit.  Only an unbind under
 * a client that holds a channel parks one.
 */
static LIST_HEAD(sdxi_dma_parked);
static DEFINE_SPINLOCK(sdxi_dma_parked_lock);

static struct sdxi_dma_chan *to_sdxi_dma_chan(struct dma_chan *chan)
{
	return container_of(chan, struct sdxi_dma_chan, chan);
}

static struct sdxi_dma_desc *to_sdxi_dma_desc(struct dma_async_tx_descriptor *txd)
{
	return container_of(txd, struct sdxi_dma_desc, txd);
}

static struct sdxi_dma *to_sdxi_dma(struct dma_device *dma)
{
	return container_of(dma, struct sdxi_dma, dma);
}

static void sdxi_dma_failed_add(struct sdxi_dma_chan *dc, dma_cookie_t cookie)
{
	lockdep_assert_held(&dc->lock);
	dc->failed[dc->failed_next] = cookie;
	dc->failed_next = (dc->failed_next + 1) % SDXI_DMA_FAILED_COOKIES;
}

static bool sdxi_dma_failed_has(struct sdxi_dma_chan *dc, dma_cookie_t cookie)
{
	unsigned int i;

	lockdep_assert_held(&dc->lock);
	for (i = 0; i < SDXI_DMA_FAILED_COOKIES; i++)
		if (dc->failed[i] == cookie)
			return true;
	return false;
}

/* Move a finished transaction to @done; issued ones complete in order. */
static void sdxi_dma_finish_locked(struct sdxi_dma_chan *dc,
				   struct sdxi_dma_desc *d,
				   enum dmaengine_tx_result result,
				   bool issued, bool callback)
{
	lockdep_assert_held(&dc->lock);
	d->result = result;
	d->callback = callback;
	if (d->terminated)
		dc->draining--;
	if (result != DMA_TRANS_NOERROR)
		sdxi_dma_failed_add(dc, d->txd.cookie);
	if (issued)
		dc->chan.completed_cookie = d->txd.cookie;
	trace_sdxi_dma_complete(&dc->chan, d->txd.cookie, d->index, issued, result);
	list_move_tail(&d->node, &dc->done);
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
 * Complete issued transactions in ring order, by their CST_BLKs.  The
 * function writes R + 1 only after a descriptor fully completed, but the
 * block is what carries the error, so the block decides.
 */
static bool sdxi_dma_reap_locked(struct sdxi_dma_chan *dc)
{
	struct sdxi_dma_desc *d, *tmp;
	u64 end = 0;
	int status;

	lockdep_assert_held(&dc->lock);
	list_for_each_entry_safe(d, tmp, &dc->active, node) {
		status = sdxi_ring_csb_status(dc->cxt, d->index);
		if (status == -EINPROGRESS)
			break;
		if (status) {
			atomic64_inc(&dc->sdxi->stats.dsc_errors);
			dev_err_ratelimited(dc->chan.device->dev,
					    "%s: copy %llu failed\n",
					    dma_chan_name(&dc->chan), d->index);
			sdxi_dma_finish_locked(dc, d, sdxi_dma_failure(dc, d),
					       true, true);
			/* The context is in ERR_FN now: resume after it. */
			dc->resume = true;
			queue_work(system_wq, &dc->work);
		} else {
			sdxi_dma_finish_locked(dc, d, DMA_TRANS_NOERROR, true,
					       true);
		}
		end = d->end;
	}
	/* Their blocks are read: the slots may be reused. */
	if (end)
		sdxi_ring_retire(dc->cxt, end);
	return end != 0;
}

/* Issue pending transactions into the ring; true if the doorbell is due. */
static bool sdxi_dma_issue_locked(struct sdxi_dma_chan *dc)
{
	struct sdxi_dma_desc *d, *tmp, *last = NULL;
	struct sdxi_cxt *cxt = dc->cxt;
	unsigned int n = 0, waiting = 0;
	struct sdxi_ring_rsv rsv;
	union sdxi_desc desc;
	bool intr = false;
	s64 space;
	u64 idx;

	lockdep_assert_held(&dc->lock);
	if (!cxt || dc->stall || list_empty(&dc->pending))
		return false;
	space = sdxi_ring_free_slots(cxt);
	if (space < 0) {
		dev_err_ratelimited(dc->chan.device->dev,
				    "%s: ring indexes inconsistent, resetting\n",
				    dma_chan_name(&dc->chan));
		dc->reset = true;
		queue_work(system_wq, &dc->work);
		return false;
	}
	/* Keep one slot for the DSC_INTR. */
	list_for_each_entry(d, &dc->pending, node) {
		if (n + 2 > space) {
			waiting++;
			continue;
		}
		n++;
		if (d->txd.flags & DMA_PREP_INTERRUPT)
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
	list_for_each_entry_safe(d, tmp, &dc->pending, node) {
		if (!n--)
			break;
		/* Validated at prep: cannot fail. */
		sdxi_encode_copy(&desc, &d->copy);
		sdxi_ring_publish(cxt, idx, &desc, true);
		d->index = idx++;
		d->end = idx;
		trace_sdxi_dma_submit(&dc->chan, cxt->id, d->txd.cookie, d->index,
				      d->copy.src, d->copy.dst, d->copy.len);
		list_move_tail(&d->node, &dc->active);
		last = d;
	}
	if (intr) {
		sdxi_encode_intr(&desc, SDXI_DMA_AKEY_INTR);
		sdxi_ring_publish(cxt, idx++, &desc, false);
		last->end = idx;
	}
	return true;
}

/* Reap, issue more, then doorbell and callbacks outside the lock. */
static void sdxi_dma_progress(struct sdxi_dma_chan *dc)
{
	struct sdxi_cxt *cxt;
	bool reaped, issued;

	scoped_guard(spinlock_irqsave, &dc->lock) {
		cxt = dc->cxt;
		if (!cxt)
			return;
		reaped = sdxi_dma_reap_locked(dc);
		issued = sdxi_dma_issue_locked(dc);
	}
	if (issued)
		sdxi_ring_doorbell(cxt);
	if (reaped)
		queue_work(system_bh_wq, &dc->cb_work);
}

/*
 * The function no longer executes the context: fail every issued
 * transaction (after reaping the ones that finished), and the pending ones
 * the client terminated.  Terminated transactions get no callback; the
 * others learn about the failure through their callback.  Pending
 * transactions nobody terminated stay queued.
 */
static void sdxi_dma_abort_locked(struct sdxi_dma_chan *dc)
{
	struct sdxi_dma_desc *d, *tmp;

	lockdep_assert_held(&dc->lock);
	if (dc->cxt)
		sdxi_dma_reap_locked(dc);
	list_for_each_entry_safe(d, tmp, &dc->active, node) {
		atomic64_inc(&dc->sdxi->stats.dma_aborted);
		sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, true,
				       !d->terminated);
	}
	list_for_each_entry_safe(d, tmp, &dc->pending, node) {
		if (!d->terminated)
			continue;
		atomic64_inc(&dc->sdxi->stats.dma_aborted);
		sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, false, false);
	}
}

static void sdxi_dma_cb_work(struct work_struct *work)
{
	struct sdxi_dma_chan *dc = container_of(work, struct sdxi_dma_chan,
						cb_work);
	struct sdxi_dma_desc *d, *tmp;
	LIST_HEAD(done);

	scoped_guard(spinlock_irqsave, &dc->lock)
		list_splice_tail_init(&dc->done, &done);

	list_for_each_entry_safe(d, tmp, &done, node) {
		struct dmaengine_result res = {
			.result = d->result,
			.residue = d->result == DMA_TRANS_NOERROR ? 0 : d->copy.len,
		};

		list_del(&d->node);
		if (d->callback) {
			if (d->txd.callback_result)
				d->txd.callback_result(d->txd.callback_param, &res);
			else if (d->txd.callback)
				d->txd.callback(d->txd.callback_param);
		}
		dma_descriptor_unmap(&d->txd);
		dma_run_dependencies(&d->txd);
		kfree(d);
	}
}

static bool sdxi_dma_drained(struct sdxi_dma_chan *dc)
{
	bool drained;

	scoped_guard(spinlock_irqsave, &dc->lock)
		drained = !dc->draining;
	return drained;
}

/*
 * Abandon the ring: stop the context, empty it and start it again.  The
 * issued transactions are failed by the reset_begin notification, once
 * the function no longer executes them; if the context cannot be stopped
 * they are left alone (their buffers may still be written).  Terminated
 * transactions that were never issued are failed here in any case.
 */
static void sdxi_dma_reset(struct sdxi_dma_chan *dc, struct sdxi_cxt *cxt)
{
	struct sdxi_dma_desc *d, *tmp;
	int err;

	scoped_guard(spinlock_irqsave, &dc->lock)
		dc->stall++;

	err = sdxi_cxt_reset(cxt);
	if (err)
		dev_err(dc->chan.device->dev, "%s: context %u reset failed (%d)\n",
			dma_chan_name(&dc->chan), cxt->id, err);

	scoped_guard(spinlock_irqsave, &dc->lock) {
		list_for_each_entry_safe(d, tmp, &dc->pending, node) {
			if (!d->terminated)
				continue;
			atomic64_inc(&dc->sdxi->stats.dma_aborted);
			sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, false,
					       false);
		}
		dc->stall--;
	}
	queue_work(system_bh_wq, &dc->cb_work);
	sdxi_dma_progress(dc);
}

static void sdxi_dma_work(struct work_struct *work)
{
	struct sdxi_dma_chan *dc = container_of(work, struct sdxi_dma_chan, work);
	bool resume, drain, reset;
	unsigned long deadline;
	struct sdxi_cxt *cxt;

	scoped_guard(spinlock_irqsave, &dc->lock) {
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

	scoped_guard(spinlock_irqsave, &dc->lock)
		dc->resume = true;
	queue_work(system_wq, &dc->work);
}

static void sdxi_dma_reset_begin(struct sdxi_cxt *cxt)
{
	struct sdxi_dma_chan *dc = cxt->owner;

	scoped_guard(spinlock_irqsave, &dc->lock) {
		dc->stall++;
		sdxi_dma_abort_locked(dc);
	}
	queue_work(system_bh_wq, &dc->cb_work);
}

static void sdxi_dma_reset_done(struct sdxi_cxt *cxt)
{
	struct sdxi_dma_chan *dc = cxt->owner;

	scoped_guard(spinlock_irqsave, &dc->lock)
		dc->stall--;
	sdxi_dma_progress(dc);
}

static const struct sdxi_cxt_ops sdxi_dma_cxt_ops = {
	.error = sdxi_dma_cxt_error,
	.reset_begin = sdxi_dma_reset_begin,
	.reset_done = sdxi_dma_reset_done,
};

static dma_cookie_t sdxi_dma_tx_submit(struct dma_async_tx_descriptor *txd)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(txd->chan);
	struct sdxi_dma_desc *d = to_sdxi_dma_desc(txd);
	dma_cookie_t cookie;

	scoped_guard(spinlock_irqsave, &dc->lock) {
		cookie = dc->chan.cookie + 1;
		if (cookie < DMA_MIN_COOKIE)
			cookie = DMA_MIN_COOKIE;
		txd->cookie = cookie;
		dc->chan.cookie = cookie;
		list_move_tail(&d->node, &dc->pending);
	}
	return cookie;
}

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

	d = kzalloc(sizeof(*d), GFP_NOWAIT);
	if (!d)
		return NULL;
	dma_async_tx_descriptor_init(&d->txd, chan);
	d->txd.tx_submit = sdxi_dma_tx_submit;
	d->txd.flags = flags;
	d->copy = copy;

	scoped_guard(spinlock_irqsave, &dc->lock) {
		if (dc->cxt) {
			list_add_tail(&d->node, &dc->allocated);
			return &d->txd;
		}
	}
	kfree(d);
	return NULL;
}

static void sdxi_dma_issue_pending(struct dma_chan *chan)
{
	sdxi_dma_progress(to_sdxi_dma_chan(chan));
}

static enum dma_status sdxi_dma_cookie_status(struct sdxi_dma_chan *dc,
					      dma_cookie_t cookie,
					      struct dma_tx_state *txstate)
{
	dma_cookie_t complete, used;
	struct sdxi_dma_desc *d;
	enum dma_status status;
	unsigned long flags;
	u32 residue = 0;

	spin_lock_irqsave(&dc->lock, flags);
	complete = dc->chan.completed_cookie;
	used = dc->chan.cookie;
	if (sdxi_dma_failed_has(dc, cookie)) {
		status = DMA_ERROR;
	} else {
		status = dma_async_is_complete(cookie, complete, used);
		if (status == DMA_IN_PROGRESS && txstate) {
			/* Our copies complete as a whole: all or nothing left. */
			list_for_each_entry(d, &dc->active, node)
				if (d->txd.cookie == cookie)
					residue = d->copy.len;
			list_for_each_entry(d, &dc->pending, node)
				if (d->txd.cookie == cookie)
					residue = d->copy.len;
		}
	}
	spin_unlock_irqrestore(&dc->lock, flags);
	dma_set_tx_state(txstate, complete, used, residue);
	return status;
}

static enum dma_status sdxi_dma_tx_status(struct dma_chan *chan,
					  dma_cookie_t cookie,
					  struct dma_tx_state *txstate)
{
	struct sdxi_dma_chan *dc = to_sdxi_dma_chan(chan);
	enum dma_status status;

	status = sdxi_dma_cookie_status(dc, cookie, NULL);
	if (status != DMA_IN_PROGRESS)
		return sdxi_dma_cookie_status(dc, cookie, txstate);
	/* Polled completion: the same reaping the interrupt does. */
	sdxi_dma_progress(dc);
	return sdxi_dma_cookie_status(dc, cookie, txstate);
}

static void sdxi_dma_mark_terminated(struct sdxi_dma_chan *dc,
				     struct list_head *list)
{
	struct sdxi_dma_desc *d;

	list_for_each_entry(d, list, node) {
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
	scoped_guard(spinlock_irqsave, &dc->lock) {
		cxt = dc->cxt;
		if (!cxt)
			return 0;
		sdxi_dma_mark_terminated(dc, &dc->active);
		sdxi_dma_mark_terminated(dc, &dc->pending);
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

	/* The drain or reset decides the fate of issued transactions... */
	flush_work(&dc->work);
	/* ...then no completion handler or callback is left running. */
	synchronize_irq(dc->irq);
	flush_work(&dc->cb_work);
}

static void sdxi_dma_failed_reset(struct sdxi_dma_chan *dc)
{
	unsigned int i;

	for (i = 0; i < SDXI_DMA_FAILED_COOKIES; i++)
		dc->failed[i] = -EINVAL;
	dc->failed_next = 0;
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
	scoped_guard(spinlock_irqsave, &dc->lock) {
		dc->cxt = cxt;
		dc->stall = 0;
		dc->draining = 0;
		dc->drain = false;
		dc->reset = false;
		dc->resume = false;
		sdxi_dma_failed_reset(dc);
		dc->chan.cookie = DMA_MIN_COOKIE;
		dc->chan.completed_cookie = DMA_MIN_COOKIE;
	}
	err = sdxi_cxt_start(cxt);
	if (err) {
		scoped_guard(spinlock_irqsave, &dc->lock)
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
 * ring is freed, and nothing of ours runs for it afterwards.  Transactions
 * left behind are failed, through their callbacks when @notify (the
 * device is going away under a client); a client releasing its channel
 * gets none.  Caller holds sd->lock.
 */
static void sdxi_dma_chan_teardown(struct sdxi_dma_chan *dc, bool notify)
{
	struct sdxi_dma_desc *d, *tmp;
	struct sdxi_cxt *cxt;

	scoped_guard(spinlock_irqsave, &dc->lock) {
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

	scoped_guard(spinlock_irqsave, &dc->lock) {
		list_for_each_entry_safe(d, tmp, &dc->active, node)
			sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, true,
					       notify && !d->terminated);
		list_for_each_entry_safe(d, tmp, &dc->pending, node)
			sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, false,
					       notify && !d->terminated);
		list_for_each_entry_safe(d, tmp, &dc->allocated, node)
			sdxi_dma_finish_locked(dc, d, DMA_TRANS_ABORTED, false,
					       false);
	}
	queue_work(system_bh_wq, &dc->cb_work);
	flush_work(&dc->cb_work);
}

static void sdxi_dma_free_chan_resources(struct dma_chan *chan)
{
	struct sdxi_dma *sd = to_sdxi_dma(chan->device);

	guard(mutex)(&sd->lock);
	sdxi_dma_chan_teardown(to_sdxi_dma_chan(chan), false);
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

/**
 * sdxi_dma_exit() - free the providers parked by sdxi_dma_release()
 *
 * Called at module exit, when no client can hold a channel any more.
 */
void sdxi_dma_exit(void)
{
	struct sdxi_dma *sd, *tmp;

	list_for_each_entry_safe(sd, tmp, &sdxi_dma_parked, parked)
		kfree(sd);
}

/*
 * Devres action, run before the function's teardown: contexts of channels
 * a client still holds are destroyed here, while the function is active;
 * the client's later free_chan_resources finds nothing left to do.
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
			if (dc->cxt || READ_ONCE(dc->chan.client_count))
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
		spin_lock_init(&dc->lock);
		INIT_LIST_HEAD(&dc->allocated);
		INIT_LIST_HEAD(&dc->pending);
		INIT_LIST_HEAD(&dc->active);
		INIT_LIST_HEAD(&dc->done);
		INIT_WORK(&dc->cb_work, sdxi_dma_cb_work);
		INIT_WORK(&dc->work, sdxi_dma_work);
		dc->chan.device = dma;
		list_add_tail(&dc->chan.device_node, &dma->channels);
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
