// SPDX-License-Identifier: GPL-2.0
/*
 * SDXI context layer: allocation, publication, start/stop, reset and
 * teardown of contexts (SDXI 1.0 3.2-3.7; Documentation/driver.rst,
 * "Contexts" and "Rules the driver keeps").
 *
 * Lifecycle of a client context:
 *   create:  ID from the xarray, regions and control structures allocated,
 *	      CXT_CTL and the L1 entry written with vl last, DSC_CXT_UPD +
 *	      DSC_SYNC so the function drops anything cached for this ID;
 *   start:   DSC_CXT_START_NM, CXT_STS.state reads RUN afterwards;
 *   stop:    DSC_CXT_STOP + DSC_SYNC(STOP);
 *   destroy: stop, rescind (vl cleared first), DSC_CXT_UPD + DSC_SYNC,
 *	      and only then free.  If the context cannot be stopped through
 *	      the admin ring, function recovery quiesces a kernel context; a
 *	      context still not quiesced is held whole (ID, regions, memory
 *	      source) until the function is next stopped, then freed.
 *
 * User contexts (&sdxi_cxt_params.user) can write their own CXT_STS and
 * CST_BLKs with their descriptors: the layer never decides anything
 * beyond such a context from what those hold, and nothing that fails on
 * its behalf (start, stop, reset, destroy) recovers the function.
 *
 * Every state change runs under sdxi_dev.adm_lock, which also serializes
 * function recovery; recovery empties every ring and restarts the contexts
 * whose owner wants them running (@run), telling owners before and after.
 */
#include <linux/cleanup.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>

#include "admin.h"
#include "context.h"
#include "ring.h"
#include "sdxi.h"
#include "trace.h"

/* Alignment the function requires of each region (Table 3-1). */
static const size_t sdxi_region_align[SDXI_CXT_NR_REGIONS] = {
	[SDXI_CXT_RING] = 64,
	[SDXI_CXT_STS] = 16,
	[SDXI_CXT_WRITE_INDEX] = 8,
	[SDXI_CXT_CSB] = 32,
};

static int sdxi_kmem_alloc(struct sdxi_cxt *cxt, enum sdxi_cxt_region region,
			   size_t size, struct sdxi_cxt_buf *buf)
{
	dma_addr_t dma;

	/*
	 * Whole pages per region: CXT_STS (device-written) and the write
	 * index (CPU-written) never share a cache line.
	 */
	size = PAGE_ALIGN(size);
	buf->va = dma_alloc_coherent(cxt->sdxi->dev, size, &dma, GFP_KERNEL);
	if (!buf->va)
		return -ENOMEM;
	buf->addr = dma;
	buf->size = size;
	return 0;
}

static void sdxi_kmem_free(struct sdxi_cxt *cxt, enum sdxi_cxt_region region,
			   struct sdxi_cxt_buf *buf)
{
	dma_free_coherent(cxt->sdxi->dev, buf->size, buf->va, buf->addr);
}

static const struct sdxi_cxt_mem_ops sdxi_kmem_ops = {
	.alloc = sdxi_kmem_alloc,
	.free = sdxi_kmem_free,
};

/*
 * Free a context's memory, then hand the memory source back to its owner
 * (&sdxi_cxt_mem_ops.release).  Copes with a half-built context (and with
 * NULL or an error pointer, for __free()); the caller guarantees the
 * function can no longer reach any of it.
 */
static void sdxi_cxt_free(struct sdxi_cxt *cxt)
{
	void (*release)(void *priv);
	struct device *dev;
	void *priv;
	int r;

	if (IS_ERR_OR_NULL(cxt))
		return;
	dev = cxt->sdxi->dev;
	for (r = 0; r < SDXI_CXT_NR_REGIONS; r++)
		if (cxt->bufs[r].va)
			cxt->mem_ops->free(cxt, r, &cxt->bufs[r]);
	if (cxt->akeys)
		dma_free_coherent(dev, SZ_4K, cxt->akeys, cxt->akeys_dma);
	if (cxt->ctl)
		dma_free_coherent(dev, SZ_4K, cxt->ctl, cxt->ctl_dma);
	release = cxt->mem_ops->release;
	priv = cxt->mem_priv;
	kfree(cxt);
	if (release)
		release(priv);
}

DEFINE_FREE(sdxi_cxt, struct sdxi_cxt *, sdxi_cxt_free(_T))

static size_t sdxi_region_size(enum sdxi_cxt_region r, u32 entries)
{
	switch (r) {
	case SDXI_CXT_RING:
		return (size_t)entries * sizeof(union sdxi_desc);
	case SDXI_CXT_STS:
		return sizeof(struct sdxi_cxt_sts);
	case SDXI_CXT_WRITE_INDEX:
		return sizeof(__le64);
	case SDXI_CXT_CSB:
		return (size_t)entries * sizeof(struct sdxi_cst_blk);
	default:
		return 0;
	}
}

/* L1 max_buffer for a byte limit: 2^(n + 21) bytes, at most the function's. */
static u8 sdxi_cxt_max_buffer_enc(struct sdxi_fn *sdxi, u64 bytes)
{
	if (!bytes || bytes >= sdxi->max_buffer)
		return sdxi->max_buffer_enc;
	if (bytes <= SZ_2M)
		return 0;
	return ilog2(bytes) - 21;
}

/**
 * sdxi_cxt_max_buffer() - largest transfer of a context created with a limit
 * @sdxi: function
 * @limit: &sdxi_cxt_params.max_buffer
 *
 * Return: bytes, as the function enforces them for that context.
 */
u64 sdxi_cxt_max_buffer(struct sdxi_fn *sdxi, u64 limit)
{
	return SDXI_MAX_BUFFER_BYTES(sdxi_cxt_max_buffer_enc(sdxi, limit));
}

/*
 * Allocate and fill everything but the ID; nothing is published yet.  On
 * failure the memory source has been released (&sdxi_cxt_mem_ops.release).
 */
static struct sdxi_cxt *sdxi_cxt_alloc(struct sdxi_fn *sdxi,
				       const struct sdxi_cxt_params *p)
{
	u32 entries = p->ring_entries ?: SDXI_CXT_DEFAULT_ENTRIES;
	struct sdxi_akey_ent akeys[SDXI_CXT_INIT_AKEYS];
	unsigned int i;
	int r, err;

	/* sdxi_cxt_free() copes with every partial state from here on. */
	struct sdxi_cxt *c __free(sdxi_cxt) =
		kzalloc(sizeof(*c), p->user ? GFP_KERNEL_ACCOUNT : GFP_KERNEL);
	if (!c) {
		if (p->mem_ops && p->mem_ops->release)
			p->mem_ops->release(p->mem_priv);
		return ERR_PTR(-ENOMEM);
	}
	c->sdxi = sdxi;
	c->mem_ops = p->mem_ops ?: &sdxi_kmem_ops;
	c->mem_priv = p->mem_priv;

	if (!sdxi_ring_entries_valid(entries, sdxi->max_ring_entries))
		return ERR_PTR(-EINVAL);
	if (p->nr_akeys > ARRAY_SIZE(akeys) || (p->nr_akeys && !p->akeys))
		return ERR_PTR(-EINVAL);
	/* Validate the AKey entries before allocating anything else. */
	for (i = 0; i < p->nr_akeys; i++) {
		if (p->akeys[i].intr && p->akeys[i].vector >= sdxi->nr_vectors)
			return ERR_PTR(-EINVAL);
		err = sdxi_encode_akey(&akeys[i], &p->akeys[i]);
		if (err)
			return ERR_PTR(err);
	}

	c->pv = p->pv;
	c->owner_restarts = p->owner_restarts;
	c->user = p->user;
	c->max_buffer_enc = sdxi_cxt_max_buffer_enc(sdxi, p->max_buffer);
	c->pasid = p->pasid;
	c->ops = p->ops;
	c->owner = p->owner;
	c->ring.entries = entries;
	INIT_LIST_HEAD(&c->leak_node);
	spin_lock_init(&c->err_lock);

	for (r = 0; r < SDXI_CXT_NR_REGIONS; r++) {
		err = c->mem_ops->alloc(c, r, sdxi_region_size(r, entries),
					&c->bufs[r]);
		if (err) {
			c->bufs[r].va = NULL;
			return ERR_PTR(err);
		}
		if (!IS_ALIGNED(c->bufs[r].addr, sdxi_region_align[r]))
			return ERR_PTR(-EINVAL);
	}
	c->ctl = dma_alloc_coherent(sdxi->dev, SZ_4K, &c->ctl_dma, GFP_KERNEL);
	if (!c->ctl)
		return ERR_PTR(-ENOMEM);
	c->akeys = dma_alloc_coherent(sdxi->dev, SZ_4K, &c->akeys_dma,
				      GFP_KERNEL);
	if (!c->akeys)
		return ERR_PTR(-ENOMEM);
	/* Not reachable by the function yet: plain stores suffice. */
	for (i = 0; i < p->nr_akeys; i++)
		c->akeys[i] = akeys[i];
	sdxi_ring_init(c);
	return_ptr(c);
}

/* Write CXT_CTL: everything, a write barrier, then the word with vl. */
static void sdxi_cxt_ctl_write(struct sdxi_cxt_ctl *dst,
			       const struct sdxi_cxt_ctl *src)
{
	WRITE_ONCE(dst->ds_ring_sz, src->ds_ring_sz);
	WRITE_ONCE(dst->cxt_sts_ptr, src->cxt_sts_ptr);
	WRITE_ONCE(dst->write_index_ptr, src->write_index_ptr);
	dma_wmb();
	WRITE_ONCE(dst->ds_ring_ptr, src->ds_ring_ptr);
}

/* Write an L1 entry: everything, a write barrier, then the word with vl. */
static void sdxi_l1_write(struct sdxi_cxt_l1_ent *dst,
			  const struct sdxi_cxt_l1_ent *src)
{
	WRITE_ONCE(dst->akey_ptr, src->akey_ptr);
	WRITE_ONCE(dst->misc, src->misc);
	WRITE_ONCE(dst->opb_000_enb, src->opb_000_enb);
	dma_wmb();
	WRITE_ONCE(dst->cxt_ctl_ptr, src->cxt_ctl_ptr);
}

/* Publish CXT_CTL and the L1 entry of @cxt (driver.rst, "Contexts"). */
static int sdxi_cxt_publish(struct sdxi_cxt *cxt)
{
	struct sdxi_fn *sdxi = cxt->sdxi;
	struct sdxi_cxt_ctl_params cp = {
		.ring = cxt->bufs[SDXI_CXT_RING].addr,
		.entries = cxt->ring.entries,
		.sts = cxt->bufs[SDXI_CXT_STS].addr,
		.write_index = cxt->bufs[SDXI_CXT_WRITE_INDEX].addr,
	};
	struct sdxi_l1_params lp = {
		.cxt_ctl = cxt->ctl_dma,
		.akey_table = cxt->akeys_dma,
		.akey_entries = SDXI_CXT_AKEY_ENTRIES,
		.pv = cxt->pv,
		.pasid = cxt->pasid,
		.max_buffer = cxt->max_buffer_enc,
		.opb = cxt->id == SDXI_ADMIN_CXT_ID ? sdxi->opb :
						      sdxi->opb & ~SDXI_OPB_ADMIN,
	};
	struct sdxi_cxt_l1_ent ent, *dst;
	struct sdxi_cxt_ctl ctl;
	int err;

	err = sdxi_encode_cxt_ctl(&ctl, &cp) ?: sdxi_encode_l1_ent(&ent, &lp) ?:
	      sdxi_fn_l1_entry(sdxi, cxt->id, &dst);
	if (err)
		return err;
	sdxi_cxt_ctl_write(cxt->ctl, &ctl);
	/* CXT_CTL complete before the L1 entry that points at it. */
	dma_wmb();
	sdxi_l1_write(dst, &ent);
	cxt->published = true;
	return 0;
}

/* Rescind the L1 entry and CXT_CTL: clear vl first, then the rest. */
static void sdxi_cxt_rescind(struct sdxi_cxt *cxt)
{
	struct sdxi_cxt_l1_ent *dst;

	if (!cxt->published || sdxi_fn_l1_entry(cxt->sdxi, cxt->id, &dst))
		return;
	WRITE_ONCE(dst->cxt_ctl_ptr, 0);
	dma_wmb();
	WRITE_ONCE(dst->akey_ptr, 0);
	WRITE_ONCE(dst->misc, 0);
	WRITE_ONCE(dst->opb_000_enb, 0);
	WRITE_ONCE(cxt->ctl->ds_ring_ptr, 0);
	dma_wmb();
	memset(cxt->ctl, 0, sizeof(*cxt->ctl));
	cxt->published = false;
}

/*
 * A client context ID reserved in the xarray (a NULL entry until the
 * context is stored).  Released on scope exit unless taken.
 */
struct sdxi_cxt_id {
	struct sdxi_fn *sdxi;
	int id;
};

static struct sdxi_cxt_id sdxi_cxt_id_alloc(struct sdxi_fn *sdxi)
{
	u32 id;
	int err;

	err = xa_alloc(&sdxi->cxts, &id, NULL, XA_LIMIT(1, sdxi->max_cxt),
		       GFP_KERNEL);
	if (err)
		return (struct sdxi_cxt_id){ .sdxi = sdxi, .id = err };
	atomic_inc(&sdxi->nr_client_ids);
	return (struct sdxi_cxt_id){ .sdxi = sdxi, .id = id };
}

static void sdxi_cxt_id_free(struct sdxi_fn *sdxi, u16 id)
{
	xa_erase(&sdxi->cxts, id);
	atomic_dec(&sdxi->nr_client_ids);
}

static void sdxi_cxt_id_release(struct sdxi_cxt_id *cid)
{
	if (cid->id > 0)
		sdxi_cxt_id_free(cid->sdxi, cid->id);
}

DEFINE_CLASS(sdxi_cxt_id, struct sdxi_cxt_id, sdxi_cxt_id_release(&_T),
	     sdxi_cxt_id_alloc(sdxi), struct sdxi_fn *sdxi)

static int take_sdxi_cxt_id(struct sdxi_cxt_id *cid)
{
	int id = cid->id;

	cid->id = -1;
	return id;
}

/**
 * sdxi_cxt_create() - allocate and publish a client context
 * @sdxi: function
 * @p: parameters: ring size, address space, memory source, AKeys, owner
 *
 * The context is published (the function may walk it) but not started.
 *
 * Return: the context, or ERR_PTR: -EINVAL for bad parameters, -ENOSPC
 * when every context ID is in use, -ENOMEM, -EIO when the function is not
 * active, -ETIMEDOUT when the admin context does not respond.
 */
struct sdxi_cxt *sdxi_cxt_create(struct sdxi_fn *sdxi,
				 const struct sdxi_cxt_params *p)
{
	struct sdxi_cxt *cxt __free(sdxi_cxt) = sdxi_cxt_alloc(sdxi, p);
	int err;

	if (IS_ERR(cxt))
		return ERR_CAST(no_free_ptr(cxt));

	CLASS(sdxi_cxt_id, cid)(sdxi);
	if (cid.id < 0)
		return ERR_PTR(cid.id == -EBUSY ? -ENOSPC : cid.id);
	cxt->id = cid.id;
	cxt->db = sdxi->dbs + (size_t)cxt->id * sdxi->db_stride;

	guard(mutex)(&sdxi->adm_lock);
	if (!sdxi->admin_up)
		return ERR_PTR(-EIO);
	/*
	 * The function may have cached the structures of an earlier context
	 * with this ID: refresh after publishing.  Until it is started the
	 * function never walks the context, so on failure rescinding is
	 * enough before freeing.
	 */
	err = sdxi_cxt_publish(cxt) ?: __sdxi_admin_cxt_update(sdxi, cxt->id);
	if (!err)
		err = xa_err(xa_store(&sdxi->cxts, cxt->id, cxt, GFP_KERNEL));
	if (err) {
		sdxi_cxt_rescind(cxt);
		return ERR_PTR(err);
	}
	take_sdxi_cxt_id(&cid);
	return_ptr(cxt);
}

/**
 * sdxi_cxt_hw_state() - CXT_STS.state as last written by the function
 * @cxt: context
 *
 * Return: SDXI_CXTV_* value.
 */
u8 sdxi_cxt_hw_state(struct sdxi_cxt *cxt)
{
	const struct sdxi_cxt_sts *sts = cxt->bufs[SDXI_CXT_STS].va;

	return READ_ONCE(sts->state) & SDXI_CXT_STS_STATE;
}

/*
 * Start a context.  The admin descriptor's completion block (kernel memory
 * in the function address space) is the answer; CXT_STS is also checked
 * for kernel contexts, but not for user contexts, whose own descriptors
 * can write their CXT_STS.
 */
static int __sdxi_cxt_start(struct sdxi_cxt *cxt, bool resume)
{
	int err;

	err = __sdxi_admin_cxt_start(cxt->sdxi, cxt->id, resume);
	if (!err && !cxt->user && sdxi_cxt_hw_state(cxt) != SDXI_CXTV_RUN)
		err = -EIO;
	trace_sdxi_cxt_state(cxt->sdxi->dev, cxt->id, cxt->user,
			     resume ? "resumed" : "running", err);
	if (err)
		dev_err_ratelimited(cxt->sdxi->dev, "context %u: start failed (%d)\n",
				    cxt->id, err);
	return err;
}

/**
 * sdxi_cxt_start() - start a published context with its ring as it is
 * @cxt: client context, not running
 *
 * DSC_CXT_START_NM: the function sets R := 0, so the ring must be empty
 * (new, or emptied by a reset).
 *
 * Return: 0, -EIO or -ETIMEDOUT.
 */
int sdxi_cxt_start(struct sdxi_cxt *cxt)
{
	struct sdxi_fn *sdxi = cxt->sdxi;
	int err;

	guard(mutex)(&sdxi->adm_lock);
	if (!sdxi->admin_up || cxt->dying)
		return -EIO;
	err = __sdxi_cxt_start(cxt, false);
	if (!err)
		cxt->run = true;
	return err;
}

/* Owner notifications, paired through @in_reset.  adm_lock held. */
static void sdxi_cxt_reset_begin(struct sdxi_cxt *cxt)
{
	lockdep_assert_held(&cxt->sdxi->adm_lock);
	if (cxt->in_reset)
		return;
	cxt->in_reset = true;
	trace_sdxi_cxt_state(cxt->sdxi->dev, cxt->id, cxt->user, "reset", 0);
	if (cxt->ops && cxt->ops->reset_begin)
		cxt->ops->reset_begin(cxt);
}

static void sdxi_cxt_reset_done(struct sdxi_cxt *cxt)
{
	lockdep_assert_held(&cxt->sdxi->adm_lock);
	if (!cxt->in_reset)
		return;
	cxt->in_reset = false;
	if (cxt->ops && cxt->ops->reset_done)
		cxt->ops->reset_done(cxt);
}

/**
 * sdxi_cxt_reset() - empty a context's ring and restart it
 * @cxt: client context with a kernel-owned ring
 *
 * Used when descriptors in the ring must be abandoned (terminate, wedged
 * or failed context).  Stops the context; once the function no longer
 * executes it, the owner's @reset_begin fails what was in flight; then the
 * ring, CST_BLKs and W are cleared, the context started with R := 0 and
 * @reset_done called.  If the admin ring cannot do it, a kernel context
 * falls back to function recovery, which does the same for every context;
 * a user context (&sdxi_cxt_params.user) is left stopped instead: nothing
 * done on a user's behalf recovers the function.  The owner must not
 * submit concurrently.
 *
 * Return: 0 when the context runs again with an empty ring, else an errno
 * (the context is stopped: -ETIMEDOUT or -EIO from the admin ring, -EIO
 * when the function could not be recovered).
 */
int sdxi_cxt_reset(struct sdxi_cxt *cxt)
{
	struct sdxi_fn *sdxi = cxt->sdxi;
	int err;

	scoped_guard(mutex, &sdxi->adm_lock) {
		if (cxt->dying)
			return -EIO;
		cxt->run = true;
		err = sdxi->admin_up ? __sdxi_admin_cxt_stop(sdxi, cxt->id) : -EIO;
		if (!err) {
			sdxi_cxt_reset_begin(cxt);
			sdxi_ring_reset(cxt);
			err = __sdxi_cxt_start(cxt, false);
			if (!err) {
				sdxi_cxt_reset_done(cxt);
				return 0;
			}
		}
		if (cxt->user) {
			cxt->run = false;
			return err;
		}
	}
	/* Recovery pairs a pending @reset_begin with @reset_done. */
	return sdxi_fn_recover_sync(sdxi);
}

/**
 * sdxi_cxt_resume() - restart a context after a descriptor error
 * @cxt: client context, normally in ERR_FN
 *
 * DSC_CXT_STOP + SYNC (clears ERR_FN), then DSC_CXT_START_RS with dv = 1:
 * the function resumes at the read index after the failed descriptor and
 * runs what is left in the ring (SDXI 1.0 4.3.4).
 *
 * Return: 0, or an errno; the caller then falls back to sdxi_cxt_reset().
 */
int sdxi_cxt_resume(struct sdxi_cxt *cxt)
{
	struct sdxi_fn *sdxi = cxt->sdxi;

	guard(mutex)(&sdxi->adm_lock);
	if (!sdxi->admin_up || cxt->dying)
		return -EIO;
	return __sdxi_admin_cxt_stop(sdxi, cxt->id) ?:
	       __sdxi_cxt_start(cxt, true);
}

/**
 * sdxi_cxt_destroy() - stop, rescind and free a client context
 * @cxt: client context
 *
 * The memory is freed only once the function can no longer reach it: after
 * a confirmed stop, or after the function itself was stopped.  When the
 * stop cannot be confirmed, a kernel context falls back to function
 * recovery; a user context only waits for a recovery that was already
 * requested (a wedged admin ring requests one).  A context that is still
 * not quiesced is leaked whole (driver.rst, "Quiesce before freeing"): its
 * ID stays reserved, its regions and its memory source stay as they are,
 * and it is freed only when the function is next stopped (recovery or
 * teardown), never earlier.
 */
void sdxi_cxt_destroy(struct sdxi_cxt *cxt)
{
	struct sdxi_fn *sdxi = cxt->sdxi;
	unsigned long epoch;
	bool quiesced;
	int err;

	scoped_guard(mutex, &sdxi->adm_lock) {
		cxt->dying = true;
		cxt->run = false;
		epoch = sdxi->reset_epoch;
		err = sdxi->admin_up ? __sdxi_admin_cxt_stop(sdxi, cxt->id) : -EIO;
	}
	trace_sdxi_cxt_state(sdxi->dev, cxt->id, cxt->user, "destroy", err);
	if (err && !cxt->user)
		sdxi_fn_recover_sync(sdxi);
	else if (err && atomic_read(&sdxi->recover_pending))
		flush_delayed_work(&sdxi->recover_work);

	scoped_guard(mutex, &sdxi->adm_lock) {
		quiesced = !err || sdxi->reset_epoch != epoch || sdxi->fn_stopped;
		sdxi_cxt_rescind(cxt);
		/*
		 * Drop cached structures for this ID.  A failure only leaves
		 * a stale cache of a stopped context, which the next create
		 * with this ID refreshes again.
		 */
		if (sdxi->admin_up)
			__sdxi_admin_cxt_update(sdxi, cxt->id);
		if (quiesced) {
			/* Error reports look contexts up under the xarray lock. */
			sdxi_cxt_id_free(sdxi, cxt->id);
		} else {
			/* Reserved, not free: no new context gets the ID. */
			xa_store(&sdxi->cxts, cxt->id, NULL, GFP_KERNEL);
			list_add_tail(&cxt->leak_node, &sdxi->leaked);
			atomic_inc(&sdxi->nr_leaked);
		}
	}
	if (!quiesced) {
		dev_err_ratelimited(sdxi->dev, "context %u: could not be quiesced, holding its memory until the function stops\n",
				    cxt->id);
		return;
	}
	sdxi_cxt_free(cxt);
}

/**
 * sdxi_cxt_report_error() - record a function-reported error of a context
 * @cxt: context named by the error-log entry
 * @rec: decoded entry
 *
 * Called by the error-log consumer under the xarray lock; forwards to the
 * owner's @error notification.
 */
void sdxi_cxt_report_error(struct sdxi_cxt *cxt, const struct sdxi_err_rec *rec)
{
	scoped_guard(spinlock_irqsave, &cxt->err_lock) {
		cxt->last_err = *rec;
		cxt->nr_errors++;
	}
	trace_sdxi_cxt_state(cxt->sdxi->dev, cxt->id, cxt->user, "error", 0);
	if (cxt->ops && cxt->ops->error)
		cxt->ops->error(cxt, rec);
}

/*
 * A context its owner restarts stays stopped after function recovery.  The
 * function wrote nothing when it failed or was reset, so CXT_STS still
 * reads RUN: say STOP_FN (SDXI 1.0 Table 3-6, stopped by the function) so
 * that a user-space waiter sees it without a system call.  Its CST_BLKs are
 * left alone: clearing them would read as successful completions.
 */
static void sdxi_cxt_mark_fn_stopped(struct sdxi_cxt *cxt)
{
	WRITE_ONCE(cxt->ring.sts->state, SDXI_CXTV_STOP_FN);
	/* The state is visible before the owner is told. */
	smp_wmb();
}

/**
 * sdxi_cxts_report_fn_error() - tell owner-restarted contexts of a function error
 * @sdxi: function
 * @rec: decoded entry with reaction 2 (function stopped)
 *
 * Those contexts stay stopped through the recovery that follows, so they
 * read STOP_FN at once (the function is in ERROR and writes nothing) and
 * their owners get the record that explains why, without waiting for the
 * recovery.  Other contexts are restarted by the recovery and not told.
 * Called by the error-log consumer.
 */
void sdxi_cxts_report_fn_error(struct sdxi_fn *sdxi, const struct sdxi_err_rec *rec)
{
	struct sdxi_cxt *cxt;
	unsigned long id;

	xa_lock(&sdxi->cxts);
	xa_for_each_start(&sdxi->cxts, id, cxt, 1) {
		if (!cxt->owner_restarts || !cxt->published)
			continue;
		sdxi_cxt_mark_fn_stopped(cxt);
		sdxi_cxt_report_error(cxt, rec);
	}
	xa_unlock(&sdxi->cxts);
}

/**
 * sdxi_cxt_last_error() - the last error logged for a context
 * @cxt: context
 * @rec: copy of the record
 *
 * Return: true if an error was ever logged for @cxt.
 */
bool sdxi_cxt_last_error(struct sdxi_cxt *cxt, struct sdxi_err_rec *rec)
{
	bool any;

	scoped_guard(spinlock_irqsave, &cxt->err_lock) {
		*rec = cxt->last_err;
		any = cxt->nr_errors != 0;
	}
	return any;
}

/**
 * sdxi_cxt_count() - client context IDs in use
 * @sdxi: function
 *
 * Counts reserved IDs too, so it reads 0 only when every client ID is free.
 *
 * Return: the count.
 */
unsigned int sdxi_cxt_count(struct sdxi_fn *sdxi)
{
	return atomic_read(&sdxi->nr_client_ids);
}

/**
 * sdxi_admin_cxt_create() - allocate the admin context (context 0)
 * @sdxi: function, stopped
 *
 * Activation publishes it (sdxi_admin_cxt_prepare()).  Freed by
 * sdxi_cxt_free_all().
 *
 * Return: 0 or a negative errno.
 */
int sdxi_admin_cxt_create(struct sdxi_fn *sdxi)
{
	struct sdxi_cxt_params p = { .ring_entries = SDXI_ADMIN_RING_ENTRIES };
	struct sdxi_cxt *cxt __free(sdxi_cxt) = sdxi_cxt_alloc(sdxi, &p);
	int err;

	if (IS_ERR(cxt))
		return PTR_ERR(no_free_ptr(cxt));
	cxt->id = SDXI_ADMIN_CXT_ID;
	cxt->db = sdxi->dbs;
	err = xa_insert(&sdxi->cxts, SDXI_ADMIN_CXT_ID, cxt, GFP_KERNEL);
	if (err)
		return err;
	sdxi->admin = no_free_ptr(cxt);
	return 0;
}

/**
 * sdxi_admin_cxt_prepare() - activation step 4: publish the admin context
 * @sdxi: function in GSV_STOP
 *
 * Empties the admin ring, publishes CXT_CTL and L1 entry 0, and sets the
 * admin CXT_STS.state to RUN: for context 0 software does that itself
 * before activation (SDXI 1.0 4.1.8.4.b).
 *
 * Return: 0 or a negative errno.
 */
int sdxi_admin_cxt_prepare(struct sdxi_fn *sdxi)
{
	struct sdxi_cxt *adm = sdxi->admin;
	struct sdxi_cxt_sts *sts = adm->bufs[SDXI_CXT_STS].va;
	int err;

	sdxi_ring_reset(adm);
	/* 4.a: CXT_CTL, AKey table (empty) and L1 entry 0. */
	err = sdxi_cxt_publish(adm);
	if (err)
		return err;
	/* 4.b: the bootstrap exception to "the function owns CXT_STS". */
	WRITE_ONCE(sts->read_index, 0);
	WRITE_ONCE(sts->state, SDXI_CXTV_RUN);
	dma_wmb();
	return 0;
}

/**
 * sdxi_cxts_reset_begin() - tell owners their in-flight work is lost
 * @sdxi: function, stopped; caller holds &sdxi_dev.adm_lock
 */
void sdxi_cxts_reset_begin(struct sdxi_fn *sdxi)
{
	struct sdxi_cxt *cxt;
	unsigned long id;

	lockdep_assert_held(&sdxi->adm_lock);
	xa_for_each_start(&sdxi->cxts, id, cxt, 1)
		sdxi_cxt_reset_begin(cxt);
}

/**
 * sdxi_cxts_restart() - empty every client ring and restart wanted contexts
 * @sdxi: function, just re-activated; caller holds &sdxi_dev.adm_lock
 *
 * The function was stopped or reset, so no ring is being read: every ring
 * is emptied, and contexts whose owner wants them running get
 * DSC_CXT_START_NM; contexts whose owner restarts them are left stopped
 * and marked STOP_FN instead.  A context whose start fails (its structures
 * no longer walk) is left stopped and reported; only a wedged admin ring
 * fails the whole recovery.
 *
 * Return: 0, or -ETIMEDOUT/-EINTR from the admin ring.
 */
int sdxi_cxts_restart(struct sdxi_fn *sdxi)
{
	struct sdxi_cxt *cxt;
	unsigned long id;
	int err;

	lockdep_assert_held(&sdxi->adm_lock);
	xa_for_each_start(&sdxi->cxts, id, cxt, 1) {
		if (cxt->owner_restarts) {
			cxt->run = false;
			sdxi_cxt_mark_fn_stopped(cxt);
		} else {
			sdxi_ring_reset(cxt);
		}
	}
	xa_for_each_start(&sdxi->cxts, id, cxt, 1) {
		if (!cxt->run || cxt->dying || cxt->owner_restarts)
			continue;
		err = __sdxi_cxt_start(cxt, false);
		if (err == -ETIMEDOUT || err == -EINTR)
			return err;
		if (err)
			cxt->run = false;
	}
	return 0;
}

/**
 * sdxi_cxts_reset_done() - tell owners their contexts run again
 * @sdxi: function; caller holds &sdxi_dev.adm_lock
 */
void sdxi_cxts_reset_done(struct sdxi_fn *sdxi)
{
	struct sdxi_cxt *cxt;
	unsigned long id;

	lockdep_assert_held(&sdxi->adm_lock);
	xa_for_each_start(&sdxi->cxts, id, cxt, 1)
		sdxi_cxt_reset_done(cxt);
}

/**
 * sdxi_cxts_take_leaked() - contexts that can be freed now the function stopped
 * @sdxi: function confirmed stopped; caller holds &sdxi_dev.adm_lock
 * @list: the contexts sdxi_cxt_destroy() could not quiesce are moved here
 *
 * Free them with sdxi_cxts_free_leaked(), which may be done after dropping
 * the lock: nothing else reaches them.
 */
void sdxi_cxts_take_leaked(struct sdxi_fn *sdxi, struct list_head *list)
{
	lockdep_assert_held(&sdxi->adm_lock);
	list_splice_tail_init(&sdxi->leaked, list);
}

/**
 * sdxi_cxts_free_leaked() - free contexts taken by sdxi_cxts_take_leaked()
 * @sdxi: function
 * @list: the contexts; emptied
 *
 * Each context's ID becomes free only now, with its memory.
 */
void sdxi_cxts_free_leaked(struct sdxi_fn *sdxi, struct list_head *list)
{
	struct sdxi_cxt *cxt, *tmp;

	list_for_each_entry_safe(cxt, tmp, list, leak_node) {
		list_del_init(&cxt->leak_node);
		dev_info(sdxi->dev, "context %u: freed after the function stopped\n",
			 cxt->id);
		sdxi_cxt_id_free(sdxi, cxt->id);
		atomic_dec(&sdxi->nr_leaked);
		sdxi_cxt_free(cxt);
	}
}

/**
 * sdxi_cxt_free_all() - free every context at teardown
 * @sdxi: function, confirmed stopped
 *
 * Client contexts should all have been destroyed by their owners; any
 * left over, and any that could not be quiesced before, are freed too,
 * since the function can no longer reach them.
 */
void sdxi_cxt_free_all(struct sdxi_fn *sdxi)
{
	struct sdxi_cxt *cxt;
	unsigned long id;
	LIST_HEAD(leaked);

	scoped_guard(mutex, &sdxi->adm_lock)
		sdxi_cxts_take_leaked(sdxi, &leaked);
	sdxi_cxts_free_leaked(sdxi, &leaked);
	xa_for_each(&sdxi->cxts, id, cxt) {
		if (id != SDXI_ADMIN_CXT_ID)
			dev_warn(sdxi->dev, "context %lu still allocated at removal\n",
				 id);
		if (id == SDXI_ADMIN_CXT_ID)
			xa_erase(&sdxi->cxts, id);
		else
			sdxi_cxt_id_free(sdxi, id);
		sdxi_cxt_free(cxt);
	}
	sdxi->admin = NULL;
}

/**
 * sdxi_cxt_set_akey() - install or invalidate one AKey entry of a live
 * context
 * @cxt: client context
 * @idx: entry, at least SDXI_CXT_INIT_AKEYS (the creator's entries are
 *	 fixed) and below SDXI_CXT_AKEY_ENTRIES
 * @k: new contents, or NULL to invalidate the entry
 *
 * AKey entries are read by the function on every use, never cached
 * (hardware.rst, "Contexts"): an entry is installed by writing its body,
 * then its first word with vl = 1.  Invalidation clears the first word,
 * then a DSC_SYNC (flt = AKEY) through the admin context waits until no
 * descriptor of the context still uses the old entry
 * (__sdxi_admin_akey_sync()); with the admin context down the function is
 * not executing descriptors and the cleared entry is enough.
 *
 * Return: 0; -EINVAL (index or contents out of range); -EIO or
 * -ETIMEDOUT from the SYNC (the entry is invalid all the same).
 */
int sdxi_cxt_set_akey(struct sdxi_cxt *cxt, u16 idx, const struct sdxi_akey *k)
{
	struct sdxi_fn *sdxi = cxt->sdxi;
	struct sdxi_akey_ent ent, *e;
	int err;

	if (idx < SDXI_CXT_INIT_AKEYS || idx >= SDXI_CXT_AKEY_ENTRIES || !cxt->id)
		return -EINVAL;
	e = &cxt->akeys[idx];
	if (k) {
		err = sdxi_encode_akey(&ent, k);
		if (err)
			return err;
		WRITE_ONCE(e->intr, 0);
		dma_wmb();
		e->tgt_sfunc = ent.tgt_sfunc;
		e->pasid = ent.pasid;
		memcpy((u8 *)e + offsetofend(struct sdxi_akey_ent, pasid),
		       (u8 *)&ent + offsetofend(struct sdxi_akey_ent, pasid),
		       sizeof(ent) - offsetofend(struct sdxi_akey_ent, pasid));
		dma_wmb();
		WRITE_ONCE(e->intr, ent.intr);
		return 0;
	}
	WRITE_ONCE(e->intr, 0);
	/* The cleared entry before the SYNC's doorbell (a posted write). */
	wmb();
	guard(mutex)(&sdxi->adm_lock);
	if (!sdxi->admin_up)
		return 0;
	return __sdxi_admin_akey_sync(sdxi, cxt->id);
}
