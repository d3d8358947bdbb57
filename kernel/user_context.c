// SPDX-License-Identifier: GPL-2.0
/*
 * User contexts of /dev/sdxiN: the object, its references and what it
 * holds (Documentation/uapi.rst, object lifetimes in user.h).
 *
 * A user context is a context-layer context whose regions come from
 * mem.c (PASID domain) and whose owner callbacks record errors for
 * CONTEXT_STATUS and poll().  It holds a PASID and private domain, its
 * registrations, an MSI-X vector with its interrupt and eventfd, and
 * charges (quota.c); all of it goes together in sdxi_uctx_release(), once
 * the function can no longer reach the context's memory.
 */
#include <linux/capability.h>
#include <linux/cleanup.h>
#include <linux/eventfd.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "compat.h"
#include "context.h"
#include "mem.h"
#include "quota.h"
#include "ring.h"
#include "sdxi.h"
#include "user_context.h"

bool allow_unsafe_noiommu;
module_param(allow_unsafe_noiommu, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_noiommu,
		 "allow user contexts without a PASID-capable IOMMU to CAP_SYS_RAWIO (no isolation, taints the kernel)");

static void sdxi_uctx_free(struct kref *ref)
{
	struct sdxi_uctx *u = container_of(ref, struct sdxi_uctx, ref);
	struct sdxi_udev *ud = u->ud;
	unsigned int r;

	for (r = 0; r < SDXI_UREGIONS; r++)
		if (u->scratch[r])
			__free_page(u->scratch[r]);
	sdxi_uacct_put(ud, u->facct);
	sdxi_uacct_put(ud, u->uacct);
	mmdrop(u->mm);
	kfree(u);
	put_device(&ud->dev);
}

/**
 * sdxi_uctx_put() - drop a reference on a user context
 * @u: the context
 */
void sdxi_uctx_put(struct sdxi_uctx *u)
{
	kref_put(&u->ref, sdxi_uctx_free);
}

/* Mark a context in error (poll() reports it); err_lock held. */
static void sdxi_uctx_set_error(struct sdxi_uctx *u)
{
	lockdep_assert_held(&u->err_lock);
	if (!u->in_error)
		atomic_inc(&u->uf->nr_in_error);
	u->in_error = true;
}

/**
 * sdxi_uctx_clear_error() - forget a context's errors (RESET_CONTEXT,
 *			     teardown)
 * @u: the context
 */
void sdxi_uctx_clear_error(struct sdxi_uctx *u)
{
	unsigned long flags;

	spin_lock_irqsave(&u->err_lock, flags);
	if (u->in_error)
		atomic_dec(&u->uf->nr_in_error);
	u->in_error = false;
	u->nr_errs = 0;
	spin_unlock_irqrestore(&u->err_lock, flags);
}

/* Owner callbacks of the context layer. */
static void sdxi_uctx_error(struct sdxi_cxt *cxt, const struct sdxi_err_rec *rec)
{
	struct sdxi_uctx *u = cxt->owner;

	scoped_guard(spinlock_irqsave, &u->err_lock) {
		u->errs[u->nr_errs % SDXI_UCTX_ERR_RECORDS] = *rec;
		u->nr_errs++;
		sdxi_uctx_set_error(u);
	}
	wake_up_interruptible_poll(&u->uf->wq, EPOLLPRI | EPOLLERR);
}

static void sdxi_uctx_reset_begin(struct sdxi_cxt *cxt)
{
	struct sdxi_uctx *u = cxt->owner;

	/* Function recovery left the context stopped: user space must RESET. */
	scoped_guard(spinlock_irqsave, &u->err_lock)
		sdxi_uctx_set_error(u);
	wake_up_interruptible_poll(&u->uf->wq, EPOLLPRI | EPOLLERR);
}

static const struct sdxi_cxt_ops sdxi_uctx_ops = {
	.error = sdxi_uctx_error,
	.reset_begin = sdxi_uctx_reset_begin,
};

static irqreturn_t sdxi_uctx_irq(int irq, void *data)
{
	struct sdxi_uctx *u = data;

	atomic64_inc(&u->intrs);
	atomic64_inc(&u->uf->events);
	scoped_guard(spinlock_irqsave, &u->ev_lock)
		if (u->ev)
			eventfd_signal(u->ev);
	wake_up_interruptible_poll(&u->uf->wq, EPOLLIN | EPOLLRDNORM);
	return IRQ_HANDLED;
}

/**
 * sdxi_user_region_size() - the size of a mappable region of a user context
 * @u: the context
 * @r: enum sdxi_cxt_region, or SDXI_UREGION_DB
 *
 * Return: its size in bytes.
 */
u64 sdxi_user_region_size(struct sdxi_uctx *u, unsigned int r)
{
	struct sdxi_udev *ud = u->ud;

	if (r == SDXI_UREGION_DB)
		return ud->sdxi->db_stride;
	return u->cxt->bufs[r].size;
}

/* A vector for @u, charged to its file and user. */
static int sdxi_uctx_get_vector(struct sdxi_uctx *u)
{
	int v = sdxi_fn_vector_get(u->ud->sdxi);
	int err;

	if (v < 0)
		return v;
	err = sdxi_user_charge(u->ud, u->facct, u->uacct, SDXI_URES_VECTORS, 1);
	if (err) {
		sdxi_fn_vector_put(u->ud->sdxi, v);
		return err;
	}
	u->vector = v;
	return 0;
}

/**
 * sdxi_uctx_release() - give back everything a user context holds
 * @priv: the context (&struct sdxi_uctx)
 *
 * &sdxi_cxt_mem_ops.release of user contexts: called once the function
 * can no longer reach the context's memory (its regions are freed), or
 * when its creation failed.  The PASID, domain, registrations and dma-buf
 * imports, the vector and every charge go together; the structure itself
 * goes with its last reference.
 */
void sdxi_uctx_release(void *priv)
{
	struct sdxi_uctx *u = priv;
	struct sdxi_udev *ud = u->ud;

	sdxi_user_as_release(u);
	if (u->vector) {
		sdxi_fn_vector_put(ud->sdxi, u->vector);
		sdxi_user_uncharge(ud, u->facct, u->uacct, SDXI_URES_VECTORS, 1);
		u->vector = 0;
	}
	sdxi_user_uncharge(ud, u->facct, u->uacct, SDXI_URES_CONTEXTS, 1);
	atomic_dec(&ud->stats.contexts);
	sdxi_uctx_put(u);
}

/**
 * sdxi_uctx_destroy() - stop a user context and drop the caller's reference
 * @u: the context, no longer mapped nor in its file's xarray
 *
 * The context layer stops the context through the admin ring and waits
 * (bounded), frees the regions and releases the rest
 * (sdxi_uctx_release()), or, if the stop cannot be confirmed, holds all of
 * it until the function stops.  Then its interrupt and eventfd.
 */
void sdxi_uctx_destroy(struct sdxi_uctx *u)
{
	sdxi_cxt_destroy(u->cxt);
	u->cxt = NULL;
	if (u->irq > 0)
		free_irq(u->irq, u);
	if (u->ev)
		eventfd_ctx_put(u->ev);
	u->ev = NULL;
	sdxi_uctx_clear_error(u);
	sdxi_uctx_put(u);
}

static bool sdxi_noiommu_allowed(struct sdxi_udev *ud)
{
	static atomic_t tainted;

	if (!allow_unsafe_noiommu || !capable(CAP_SYS_RAWIO)) {
		dev_notice_ratelimited(ud->sdxi->dev,
				       "user contexts need a PASID-capable IOMMU (intel_iommu=on,sm_on), or allow_unsafe_noiommu=1 and CAP_SYS_RAWIO\n");
		return false;
	}
	if (!atomic_xchg(&tainted, 1)) {
		dev_warn(ud->sdxi->dev, "user contexts without IOMMU isolation: the device can reach all memory; tainting the kernel\n");
		add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	}
	return true;
}

/* A new context structure, charged; references: the file's and the layer's. */
static struct sdxi_uctx *sdxi_uctx_new(struct sdxi_ufile *uf)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_uctx *u;
	int err;

	err = sdxi_user_charge(ud, uf->facct, uf->uacct, SDXI_URES_CONTEXTS, 1);
	if (err)
		return ERR_PTR(err);
	u = kzalloc_obj(*u, GFP_KERNEL_ACCOUNT);
	if (!u) {
		sdxi_user_uncharge(ud, uf->facct, uf->uacct, SDXI_URES_CONTEXTS, 1);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&u->ref);
	kref_get(&u->ref);
	u->uf = uf;
	u->ud = ud;
	get_device(&ud->dev);
	u->dev = ud->sdxi->dev;
	u->mm = uf->mm;
	mmgrab(u->mm);
	u->facct = sdxi_uacct_hold(uf->facct);
	u->uacct = sdxi_uacct_hold(uf->uacct);
	u->isolated = ud->isolated;
	u->maps = RB_ROOT_CACHED;
	spin_lock_init(&u->ev_lock);
	spin_lock_init(&u->err_lock);
	init_rwsem(&u->map_rwsem);
	INIT_LIST_HEAD(&u->windows);
	INIT_LIST_HEAD(&u->imports);
	atomic_inc(&ud->stats.contexts);
	return u;
}

/**
 * sdxi_uctx_create() - create and start a user context of a file
 * @uf: the file
 * @entries: ring size
 * @intr: with a completion interrupt
 * @sva: for an SVA context, the bond of the opener's mm
 *       (sdxi_user_sva_bind()), which the context takes over (given back
 *       on failure); NULL otherwise
 *
 * The function is present and &sdxi_ufile.lock held.  The context is not
 * yet in the file's xarray.
 *
 * Return: the context, holding the caller's reference and the context
 * layer's, or an ERR_PTR.
 */
struct sdxi_uctx *sdxi_uctx_create(struct sdxi_ufile *uf, u32 entries,
				   bool intr, struct sdxi_usva *sva)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_fn *sdxi = ud->sdxi;
	struct sdxi_akey akeys[2] = {};
	struct sdxi_cxt_params p = {
		.ring_entries = entries,
		.mem_ops = &sdxi_user_mem_ops,
		.akeys = akeys,
		.nr_akeys = intr ? 2 : 1,
		.ops = &sdxi_uctx_ops,
		/* User space owns the ring: only RESET_CONTEXT restarts it. */
		.owner_restarts = true,
		.user = true,
		.max_buffer = sdxi_user_max_buffer(),
	};
	struct sdxi_uctx *u;
	struct sdxi_cxt *cxt;
	int err;

	if ((!ud->isolated && !sdxi_noiommu_allowed(ud)) || (sva && !ud->isolated)) {
		sdxi_user_sva_unbind(sva);
		return ERR_PTR(-EOPNOTSUPP);
	}
	u = sdxi_uctx_new(uf);
	if (IS_ERR(u)) {
		sdxi_user_sva_unbind(sva);
		return u;
	}
	u->entries = entries;
	if (sva) {
		u->sva = sva;
		u->sva_pasid = sdxi_user_sva_pasid(sva);
	}
	err = u->isolated ? sdxi_user_as_init(u) : 0;
	if (!err && intr)
		err = sdxi_uctx_get_vector(u);
	if (err) {
		sdxi_uctx_release(u);
		sdxi_uctx_put(u);
		return ERR_PTR(err);
	}
	/*
	 * Data and interrupt keys: both in the context's own PASID, but
	 * data in the mm's PASID for an SVA context.
	 */
	akeys[SDXI_UAKEY_DATA] = (struct sdxi_akey){ .pv = u->isolated,
						     .pasid = u->sva ? u->sva_pasid :
							      u->pasid };
	akeys[SDXI_UAKEY_INTR] = (struct sdxi_akey){ .intr = true,
						     .vector = u->vector,
						     .pv = u->isolated,
						     .pasid = u->pasid };
	p.pv = u->isolated;
	p.pasid = u->pasid;
	p.mem_priv = u;
	p.owner = u;
	/* From here on the context layer calls sdxi_uctx_release(). */
	cxt = sdxi_cxt_create(sdxi, &p);
	if (IS_ERR(cxt)) {
		sdxi_uctx_put(u);
		return ERR_CAST(cxt);
	}
	u->cxt = cxt;
	u->id = cxt->id;
	u->db_pfn = PHYS_PFN(sdxi->dbs_phys + (phys_addr_t)u->id * sdxi->db_stride);
	if (u->vector) {
		u->irq = sdxi_fn_vector_irq(sdxi, u->vector);
		err = u->irq < 0 ? u->irq :
		      request_irq(u->irq, sdxi_uctx_irq, 0, "sdxi-user", u);
		if (err) {
			u->irq = 0;
			goto fail;
		}
	}
	err = sdxi_cxt_start(cxt);
	if (err)
		goto fail;
	return u;

fail:
	sdxi_uctx_destroy(u);
	return ERR_PTR(err);
}

/**
 * sdxi_uctx_get_by_id() - find a user context of a function by its ID
 * @ud: the function's device
 * @id: context ID
 * @ufp: set to its file
 *
 * The user context @id of the function with a reference, and a reference
 * on its file; -ENOENT when @id is not a user context (a free ID, the
 * admin context, a kernel channel's context, one that could not be
 * quiesced).  A context found in the function's xarray still holds the
 * context layer's reference, and its file is still open (a file's contexts
 * leave that xarray before its final close releases it), so both
 * references can be taken under the xarray lock.
 *
 * Return: the context, or an ERR_PTR (-ENOENT, -ENODEV, -EINTR).
 */
struct sdxi_uctx *sdxi_uctx_get_by_id(struct sdxi_udev *ud, u32 id,
				      struct sdxi_ufile **ufp)
{
	struct sdxi_uctx *u = NULL;
	struct sdxi_cxt *cxt;

	if (down_read_killable(&ud->rwsem))
		return ERR_PTR(-EINTR);
	if (!ud->sdxi) {
		up_read(&ud->rwsem);
		return ERR_PTR(-ENODEV);
	}
	xa_lock(&ud->sdxi->cxts);
	cxt = xa_load(&ud->sdxi->cxts, id);
	if (cxt && cxt->ops == &sdxi_uctx_ops) {
		u = cxt->owner;
		kref_get(&u->ref);
		*ufp = u->uf;
		refcount_inc(&u->uf->ref);
	}
	xa_unlock(&ud->sdxi->cxts);
	up_read(&ud->rwsem);
	return u ?: ERR_PTR(-ENOENT);
}
