// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN: user-mapped SDXI contexts (Documentation/uapi.rst, the ABI
 * is uapi/linux/sdxi.h).
 *
 * One character device per function.  An open file holds any number of
 * contexts; each is a context-layer context whose regions come from
 * mem.c (PASID domain) and whose owner callbacks record errors for
 * CONTEXT_STATUS and poll().  User space maps the ring, write index,
 * CXT_STS, CST_BLK array and doorbell at the offsets CREATE_CONTEXT
 * returned and then submits without entering the kernel.
 *
 * Mappings are populated by a fault handler (VM_PFNMAP), never at mmap()
 * time: revocation (destroy, reset, removal) marks the context dead under
 * its map_rwsem and zaps every PTE with unmap_mapping_range() on the
 * device-wide address space; a fault after that gets SIGBUS, except after
 * the function's removal, when each region faults in a private page of
 * its own (CXT_STS reading "removed"), so that a program still using the
 * mapping neither dies nor sees another's data.  Inserting
 * PTEs in mmap() itself would race with revocation, because the VMA is
 * linked into the address space only after ->mmap returns (vfio-pci
 * moved to faulting for the same reason).
 *
 * Rules from idxd and VFIO: ioctl(), mmap() and read() from an mm other
 * than the opener's get -EPERM, and so do faults (SIGBUS); mappings are
 * VM_IO (so madvise cannot make them inheritable), VM_DONTCOPY,
 * VM_DONTEXPAND, VM_DONTDUMP and of the exact size; CXT_STS cannot be
 * mapped writable.  State-changing ioctls need a file opened for writing.
 *
 * Locking (Documentation/uapi.rst "Security model"): ioctl arguments are
 * copied in before any lock and out after the last one; the device-wide
 * rwsem (read) and the file's mutex are only held around bounded kernel
 * work, never across a user-memory access or a page pin, so what one user
 * does with its memory (userfaultfd, FUSE) never blocks another file's
 * open(), ioctl() or close(), an exit, or an unbind.  open() and release()
 * only take the rwsem for reading.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/sdxi.h>

#include "context.h"
#include "ring.h"
#include "sdxi.h"
#include "user.h"

#define SDXI_UMINORS		256
#define SDXI_FS_MAGIC		0x5d01f5

static bool allow_unsafe_noiommu;
module_param(allow_unsafe_noiommu, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_noiommu,
		 "allow user contexts without a PASID-capable IOMMU to CAP_SYS_RAWIO (no isolation, taints the kernel)");

static dev_t sdxi_devt;
static DEFINE_IDA(sdxi_minors);
static struct vfsmount *sdxi_mnt;
static int sdxi_mnt_count;
static DEFINE_MUTEX(sdxi_mnt_lock);
static struct dentry *sdxi_debugfs_root;

static char *sdxi_devnode(const struct device *dev, umode_t *mode)
{
	/* root:root 0660; a udev rule gives a group access. */
	if (mode)
		*mode = 0660;
	return NULL;
}

/*
 * /sys/class/sdxi/sdxiN.  The class devices have no parent (they live in
 * /sys/devices/virtual/sdxi/) and get their "device" link by hand: as
 * children of the PCI device, the class's glue directory would collide
 * with the function's "sdxi" attribute group.
 */
static const struct class sdxi_class = {
	.name = "sdxi",
	.devnode = sdxi_devnode,
};

static int sdxi_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, SDXI_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: a mount pinned while a function is bound must not hold the
 * module (rmmod unbinds the functions, which releases the pins); every
 * user of the inode holds the module through an open file anyway.
 */
static struct file_system_type sdxi_fs_type = {
	.name = "sdxi",
	.init_fs_context = sdxi_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

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

static void sdxi_uctx_put(struct sdxi_uctx *u)
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

/* Forget a context's errors (RESET_CONTEXT, teardown). */
static void sdxi_uctx_clear_error(struct sdxi_uctx *u)
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

static u64 sdxi_uregion_size(struct sdxi_uctx *u, unsigned int r)
{
	struct sdxi_udev *ud = u->ud;

	if (r == SDXI_UREGION_DB)
		return ud->sdxi->db_stride;
	return u->cxt->bufs[r].size;
}

/*
 * Zap every user mapping of @u; later faults get SIGBUS unless @keep, or
 * the removed pages (sdxi_uvma_fault_removed()) if @removed.
 */
static void sdxi_uctx_revoke(struct sdxi_uctx *u, bool keep, bool removed)
{
	struct address_space *as = u->ud->inode->i_mapping;

	scoped_guard(rwsem_write, &u->map_rwsem) {
		u->dead = !keep;
		u->removed = removed;
	}
	unmap_mapping_range(as, SDXI_UOFF(u->id, 0), SDXI_UOFF(1, 0), 1);
}

static unsigned int sdxi_uvector_alloc(struct sdxi_udev *ud)
{
	unsigned int v;

	spin_lock(&ud->vec_lock);
	v = find_next_zero_bit(ud->vectors, ud->nr_vectors, ud->first_vector);
	if (v < ud->nr_vectors)
		__set_bit(v, ud->vectors);
	else
		v = 0;
	spin_unlock(&ud->vec_lock);
	return v;
}

static void sdxi_uvector_free(struct sdxi_udev *ud, unsigned int v)
{
	spin_lock(&ud->vec_lock);
	__clear_bit(v, ud->vectors);
	spin_unlock(&ud->vec_lock);
}

/* A vector for @u, charged to its file and user. */
static int sdxi_uctx_get_vector(struct sdxi_uctx *u)
{
	unsigned int v = sdxi_uvector_alloc(u->ud);
	int err;

	if (!v)
		return -ENOSPC;
	err = sdxi_ucharge(u->ud, u->facct, u->uacct, SDXI_URES_VECTORS, 1);
	if (err) {
		sdxi_uvector_free(u->ud, v);
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

	sdxi_uas_release(u);
	if (u->vector) {
		sdxi_uvector_free(ud, u->vector);
		sdxi_uuncharge(ud, u->facct, u->uacct, SDXI_URES_VECTORS, 1);
		u->vector = 0;
	}
	sdxi_uuncharge(ud, u->facct, u->uacct, SDXI_URES_CONTEXTS, 1);
	atomic_dec(&ud->stats.contexts);
	sdxi_uctx_put(u);
}

static int sdxi_uctx_debugfs_show(struct seq_file *s, void *unused);
DEFINE_SHOW_ATTRIBUTE(sdxi_uctx_debugfs);

/*
 * Tear a context down from its file: revoke the user mappings; the
 * context layer stops the context through the admin ring and waits
 * (bounded), frees the regions and releases the rest
 * (sdxi_uctx_release()), or, if the stop cannot be confirmed, holds all of
 * it until the function stops.  Then its interrupt and eventfd.  @removed:
 * the function is going away, and the mappings get the removed pages.
 * &sdxi_ufile.lock held; the context is already out of the file's xarray.
 */
static void sdxi_uctx_teardown(struct sdxi_uctx *u, bool removed)
{
	debugfs_remove(u->debugfs);
	sdxi_uctx_revoke(u, false, removed);
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

static bool sdxi_unoiommu_allowed(struct sdxi_udev *ud)
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

	err = sdxi_ucharge(ud, uf->facct, uf->uacct, SDXI_URES_CONTEXTS, 1);
	if (err)
		return ERR_PTR(err);
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u) {
		sdxi_uuncharge(ud, uf->facct, uf->uacct, SDXI_URES_CONTEXTS, 1);
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
	atomic_inc(&ud->stats.contexts);
	return u;
}

/* CREATE_CONTEXT; the function is present and &sdxi_ufile.lock held. */
static struct sdxi_uctx *sdxi_uctx_create(struct sdxi_ufile *uf, u32 entries,
					  bool intr)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_dev *sdxi = ud->sdxi;
	struct sdxi_akey akeys[2] = {};
	struct sdxi_cxt_params p = {
		.ring_entries = entries,
		.mem_ops = &sdxi_umem_ops,
		.akeys = akeys,
		.nr_akeys = intr ? 2 : 1,
		.ops = &sdxi_uctx_ops,
		/* User space owns the ring: only RESET_CONTEXT restarts it. */
		.owner_restarts = true,
		.user = true,
		.max_buffer = sdxi_umax_buffer(),
	};
	struct sdxi_uctx *u;
	struct sdxi_cxt *cxt;
	char name[16];
	int err;

	if (!ud->isolated && !sdxi_unoiommu_allowed(ud))
		return ERR_PTR(-EOPNOTSUPP);
	u = sdxi_uctx_new(uf);
	if (IS_ERR(u))
		return u;
	u->entries = entries;
	err = u->isolated ? sdxi_uas_init(u) : 0;
	if (!err && intr)
		err = sdxi_uctx_get_vector(u);
	if (err) {
		sdxi_uctx_release(u);
		sdxi_uctx_put(u);
		return ERR_PTR(err);
	}
	/* Data and interrupt keys: both in the context's own PASID. */
	akeys[SDXI_UAKEY_DATA] = (struct sdxi_akey){ .pv = u->isolated,
						     .pasid = u->pasid };
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
		u->irq = sdxi->bus_ops->get_irq(sdxi, u->vector);
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
	err = xa_insert(&uf->cxts, u->id, u, GFP_KERNEL_ACCOUNT);
	if (err)
		goto fail;
	snprintf(name, sizeof(name), "cxt%u", u->id);
	u->debugfs = debugfs_create_file(name, 0444, ud->debugfs, u,
					 &sdxi_uctx_debugfs_fops);
	return u;

fail:
	sdxi_uctx_teardown(u, false);
	return ERR_PTR(err);
}

/**
 * sdxi_ufile_lock() - enter a file's work on the function
 * @uf: file
 *
 * Takes &sdxi_udev.rwsem for reading (the function cannot go) and the
 * file's lock.  Neither is ever held across a user-memory access, a page
 * pin or an unbounded wait, so another file, unbind or exit never waits
 * for what one user does with its memory.
 *
 * Return: 0; -ENODEV when the function was removed; -EINTR on a fatal
 * signal.
 */
int sdxi_ufile_lock(struct sdxi_ufile *uf)
{
	struct sdxi_udev *ud = uf->udev;

	if (down_read_killable(&ud->rwsem))
		return -EINTR;
	if (!ud->sdxi) {
		up_read(&ud->rwsem);
		return -ENODEV;
	}
	if (mutex_lock_killable(&uf->lock)) {
		up_read(&ud->rwsem);
		return -EINTR;
	}
	return 0;
}

/**
 * sdxi_ufile_unlock() - leave what sdxi_ufile_lock() entered
 * @uf: file
 */
void sdxi_ufile_unlock(struct sdxi_ufile *uf)
{
	mutex_unlock(&uf->lock);
	up_read(&uf->udev->rwsem);
}

/* Every ioctl argument, copied in before and out after any lock. */
union sdxi_uarg {
	struct {
		u32 size;
		u32 flags;
	} hdr;
	struct sdxi_info info;
	struct sdxi_create_context create;
	struct sdxi_context_cmd cmd;
	struct sdxi_context_status status;
	struct sdxi_map_mem map;
	struct sdxi_map_dmabuf dmabuf;
	struct sdxi_unmap_dmabuf unmap_dmabuf;
	struct sdxi_set_eventfd eventfd;
};

static int sdxi_uget_info(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_info *info = &a->info;
	struct sdxi_dev *sdxi;

	if (info->flags)
		return -EINVAL;
	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	sdxi = ud->sdxi;
	*info = (struct sdxi_info){
		.size = info->size,
		.out_abi_version = SDXI_ABI_VERSION,
		.out_sdxi_version = sdxi->ver_major << 16 | sdxi->ver_minor,
		.out_op_groups = sdxi->opb & ~SDXI_OPB_ADMIN,
		.out_min_ring_entries = SDXI_RING_MIN_ENTRIES,
		.out_max_ring_entries = sdxi->max_ring_entries,
		.out_db_stride = sdxi->db_stride,
		.out_max_buffer = sdxi_cxt_max_buffer(sdxi, sdxi_umax_buffer()),
		.out_max_contexts = sdxi_ucontexts_max(ud),
		.out_free_contexts = sdxi_ucontexts_free(uf),
		.out_isolation = ud->isolated ? SDXI_ISOLATION_PASID :
				 allow_unsafe_noiommu ? SDXI_ISOLATION_NONE : 0,
		.out_numa_node = dev_to_node(sdxi->dev),
		.out_flags = ud->isolated ? SDXI_INFO_F_DMABUF : 0,
	};
	if (ud->first_vector < ud->nr_vectors && (sdxi->opb & SDXI_OPB_INTR))
		info->out_flags |= SDXI_INFO_F_INTERRUPTS;
	if (ud->isolated) {
		info->out_kernel_iova = SDXI_UIOVA_BASE;
		info->out_kernel_iova_size = SDXI_UIOVA_SIZE;
	}
	return 0;
}

static void sdxi_ucreate_out(struct sdxi_uctx *u, struct sdxi_create_context *c)
{
	struct sdxi_cxt *cxt = u->cxt;
	unsigned int r;
	u64 *off[SDXI_UREGIONS] = {
		[SDXI_CXT_RING] = &c->out_ring_offset,
		[SDXI_CXT_STS] = &c->out_sts_offset,
		[SDXI_CXT_WRITE_INDEX] = &c->out_wi_offset,
		[SDXI_CXT_CSB] = &c->out_csb_offset,
		[SDXI_UREGION_DB] = &c->out_db_offset,
	};

	/* The size of each region follows its offset in the struct. */
	for (r = 0; r < SDXI_UREGIONS; r++) {
		off[r][0] = SDXI_UOFF(u->id, r);
		off[r][1] = sdxi_uregion_size(u, r);
	}
	c->out_context_id = u->id;
	c->out_pasid = u->isolated ? u->pasid : 0;
	c->out_akey_data = SDXI_UAKEY_DATA;
	c->out_akey_intr = u->vector ? SDXI_UAKEY_INTR : SDXI_UAKEY_NONE;
	c->out_ring_entries = u->entries;
	c->out_ring_iova = cxt->bufs[SDXI_CXT_RING].addr;
	c->out_wi_iova = cxt->bufs[SDXI_CXT_WRITE_INDEX].addr;
	c->out_sts_iova = cxt->bufs[SDXI_CXT_STS].addr;
	c->out_csb_iova = cxt->bufs[SDXI_CXT_CSB].addr;
}

static int sdxi_udestroy_id(struct sdxi_ufile *uf, u32 id)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	struct sdxi_uctx *u;

	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_erase(&uf->cxts, id);
	if (!u)
		return -ENOENT;
	sdxi_uctx_teardown(u, false);
	return 0;
}

static int sdxi_ucreate(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_create_context *c = &a->create;
	struct sdxi_uctx *u;
	u32 entries;

	if ((c->flags & ~SDXI_CTX_F_INTERRUPT) || c->__reserved)
		return -EINVAL;
	entries = c->ring_entries ?: SDXI_RING_MIN_ENTRIES;

	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	if (!sdxi_ring_entries_valid(entries, uf->udev->sdxi->max_ring_entries))
		return -EINVAL;
	if ((c->flags & SDXI_CTX_F_INTERRUPT) &&
	    !(uf->udev->sdxi->opb & SDXI_OPB_INTR))
		return -EOPNOTSUPP;
	u = sdxi_uctx_create(uf, entries, c->flags & SDXI_CTX_F_INTERRUPT);
	if (IS_ERR(u))
		return PTR_ERR(u);
	sdxi_ucreate_out(u, c);
	return 0;
}

/* The outputs could not be written: the context must not stay. */
static void sdxi_ucreate_undo(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	sdxi_udestroy_id(uf, a->create.out_context_id);
}

static int sdxi_udestroy(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	if (a->cmd.flags || a->cmd.__reserved)
		return -EINVAL;
	return sdxi_udestroy_id(uf, a->cmd.context_id);
}

/*
 * Reset a user context: RESET_CONTEXT, or an administrator's reset through
 * the reset_context attribute.  &sdxi_ufile.lock held; @u is in the file's
 * xarray.
 */
static int sdxi_uctx_reset(struct sdxi_uctx *u)
{
	int err;

	/* PTEs go; the VMAs stay valid and fault the same pages back. */
	sdxi_uctx_revoke(u, true, false);
	u->completed_base += sdxi_ring_read_index(u->cxt);
	err = sdxi_cxt_reset(u->cxt);
	/* After the reset: it notifies reset_begin, which marks an error. */
	if (!err)
		sdxi_uctx_clear_error(u);
	return err;
}

static int sdxi_ureset(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_uctx *u;

	if (a->cmd.flags || a->cmd.__reserved)
		return -EINVAL;
	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, a->cmd.context_id);
	if (!u)
		return -ENOENT;
	return sdxi_uctx_reset(u);
}

/* CONTEXT_STATUS's kernel side: the state and up to @s->nr_records records. */
static int sdxi_ustatus_collect(struct sdxi_ufile *uf,
				struct sdxi_context_status *s,
				struct sdxi_error_record *recs)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	u32 i, n, kept, first;
	struct sdxi_uctx *u;

	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, s->context_id);
	if (!u)
		return -ENOENT;
	s->out_state = sdxi_cxt_hw_state(u->cxt);
	s->out_read_index = sdxi_ring_read_index(u->cxt);
	spin_lock_irq(&u->err_lock);
	kept = min_t(u32, u->nr_errs, SDXI_UCTX_ERR_RECORDS);
	n = min(s->nr_records, kept);
	first = u->nr_errs - n;
	for (i = 0; i < n; i++)
		sdxi_err_rec_to_user(&u->errs[(first + i) % SDXI_UCTX_ERR_RECORDS],
				     u->id, &recs[i]);
	s->out_errors = u->nr_errs;
	s->nr_records = n;
	spin_unlock_irq(&u->err_lock);
	return 0;
}

static int sdxi_ustatus(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_error_record recs[SDXI_UCTX_ERR_RECORDS];
	struct sdxi_context_status *s = &a->status;
	int err;

	if (s->flags)
		return -EINVAL;
	if (s->nr_records && !s->records)
		return -EFAULT;
	err = sdxi_ustatus_collect(uf, s, recs);
	if (err)
		return err;
	/* With no lock held: the records may be in any kind of user memory. */
	if (s->nr_records && copy_to_user(u64_to_user_ptr(s->records), recs,
					  s->nr_records * sizeof(recs[0])))
		return -EFAULT;
	return 0;
}

/* Page-aligned, non-empty, no wrap-around. */
static bool sdxi_urange_ok(u64 start, u64 len)
{
	return len && PAGE_ALIGNED(start) && PAGE_ALIGNED(len) &&
	       start + len > start;
}

static int sdxi_umap_mem_args(const struct sdxi_map_mem *m)
{
	if (m->__reserved || !sdxi_urange_ok(m->vaddr, m->length) ||
	    m->vaddr + m->length > TASK_SIZE)
		return -EINVAL;
	return 0;
}

static int sdxi_uunmap_mem_id(struct sdxi_ufile *uf, u32 id, u64 va, u64 len)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	struct sdxi_uctx *u;

	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, id);
	return u ? sdxi_uunmap_mem(u, va, len) : -ENOENT;
}

static int sdxi_umap(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_map_mem *m = &a->map;
	int err = sdxi_umap_mem_args(m);

	if (err)
		return err;
	if (!m->flags || (m->flags & ~(SDXI_MAP_READ | SDXI_MAP_WRITE)))
		return -EINVAL;
	return sdxi_umap_mem(uf, m->context_id, m->vaddr, m->length, m->flags,
			     &m->out_iova);
}

static void sdxi_umap_undo(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	sdxi_uunmap_mem_id(uf, a->map.context_id, a->map.vaddr, a->map.length);
}

static int sdxi_uunmap(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_map_mem *m = &a->map;
	int err = sdxi_umap_mem_args(m);

	if (err)
		return err;
	if (m->flags)
		return -EINVAL;
	return sdxi_uunmap_mem_id(uf, m->context_id, m->vaddr, m->length);
}

static int sdxi_umap_dmabuf_ioctl(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_map_dmabuf *m = &a->dmabuf;
	struct sdxi_uctx *u;

	if (!m->flags || (m->flags & ~(SDXI_MAP_READ | SDXI_MAP_WRITE)) ||
	    !sdxi_urange_ok(m->iova, m->length) || !PAGE_ALIGNED(m->offset))
		return -EINVAL;
	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, m->context_id);
	if (!u)
		return -ENOENT;
	if (!u->isolated)
		return -EOPNOTSUPP;
	return sdxi_umap_dmabuf(u, m->fd, m->offset, m->length, m->iova, m->flags);
}

static int sdxi_uunmap_dmabuf_ioctl(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_unmap_dmabuf *m = &a->unmap_dmabuf;
	struct sdxi_uctx *u;

	if (m->flags || m->__reserved)
		return -EINVAL;
	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, m->context_id);
	return u ? sdxi_uunmap_dmabuf(u, m->iova) : -ENOENT;
}

/* Swap a context's eventfd; the old one (or @ev on error) is returned. */
static int sdxi_uswap_eventfd(struct sdxi_ufile *uf, u32 id,
			      struct eventfd_ctx **ev)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	struct sdxi_uctx *u;

	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, id);
	if (!u)
		return -ENOENT;
	if (!u->vector)
		return -EINVAL;
	scoped_guard(spinlock_irqsave, &u->ev_lock)
		swap(u->ev, *ev);
	return 0;
}

static int sdxi_uset_eventfd(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_set_eventfd *s = &a->eventfd;
	struct eventfd_ctx *ev = NULL;
	int err;

	if (s->flags || s->fd < -1)
		return -EINVAL;
	if (s->fd >= 0) {
		ev = eventfd_ctx_fdget(s->fd);
		if (IS_ERR(ev))
			return PTR_ERR(ev);
	}
	err = sdxi_uswap_eventfd(uf, s->context_id, &ev);
	if (ev)
		eventfd_ctx_put(ev);
	return err;
}

/**
 * struct sdxi_uioctl - one ioctl of /dev/sdxiN
 * @size: its struct: the smallest size accepted (every struct is at its
 *	  first version)
 * @write: changes state: needs a file opened for writing
 * @out: has outputs, copied back (up to the caller's size) after @run
 * @run: the ioctl on the kernel copy of the argument; takes the locks it
 *	 needs and never holds one across a user-memory access
 * @undo: reverts a successful @run whose outputs could not be written
 */
struct sdxi_uioctl {
	u32 size;
	bool write;
	bool out;
	int (*run)(struct sdxi_ufile *uf, union sdxi_uarg *a);
	void (*undo)(struct sdxi_ufile *uf, union sdxi_uarg *a);
};

static const struct sdxi_uioctl sdxi_uioctls[] = {
	[SDXI_CMD_GET_INFO] = {
		sizeof(struct sdxi_info), false, true, sdxi_uget_info },
	[SDXI_CMD_CREATE_CONTEXT] = {
		sizeof(struct sdxi_create_context), true, true, sdxi_ucreate,
		sdxi_ucreate_undo },
	[SDXI_CMD_DESTROY_CONTEXT] = {
		sizeof(struct sdxi_context_cmd), true, false, sdxi_udestroy },
	[SDXI_CMD_RESET_CONTEXT] = {
		sizeof(struct sdxi_context_cmd), true, false, sdxi_ureset },
	[SDXI_CMD_CONTEXT_STATUS] = {
		sizeof(struct sdxi_context_status), false, true, sdxi_ustatus },
	[SDXI_CMD_MAP_MEM] = {
		sizeof(struct sdxi_map_mem), true, true, sdxi_umap,
		sdxi_umap_undo },
	[SDXI_CMD_UNMAP_MEM] = {
		sizeof(struct sdxi_map_mem), true, false, sdxi_uunmap },
	[SDXI_CMD_MAP_DMABUF] = {
		sizeof(struct sdxi_map_dmabuf), true, false,
		sdxi_umap_dmabuf_ioctl },
	[SDXI_CMD_UNMAP_DMABUF] = {
		sizeof(struct sdxi_unmap_dmabuf), true, false,
		sdxi_uunmap_dmabuf_ioctl },
	[SDXI_CMD_SET_EVENTFD] = {
		sizeof(struct sdxi_set_eventfd), true, false,
		sdxi_uset_eventfd },
};

/*
 * Copy an extensible argument in: the size comes first; smaller than the
 * first version is -EINVAL, bytes past what we know must be zero (E2BIG);
 * sizes beyond a page are refused (E2BIG) to bound the zero check.
 */
static int sdxi_ucopy_in(void *k, size_t ksize, void __user *arg, u32 *usize)
{
	if (get_user(*usize, (u32 __user *)arg))
		return -EFAULT;
	if (*usize < ksize)
		return -EINVAL;
	if (*usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(k, ksize, arg, *usize);
}

/*
 * The argument is copied in before anything is locked and out after
 * everything is unlocked: a user who parks the access (userfaultfd, FUSE)
 * holds nothing another file, an exit or an unbind needs.
 */
static long sdxi_uioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct sdxi_ufile *uf = f->private_data;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	const struct sdxi_uioctl *op;
	union sdxi_uarg a;
	u32 usize;
	int err;

	if (nr >= ARRAY_SIZE(sdxi_uioctls) || cmd != _IO(SDXI_TYPE, nr) ||
	    !sdxi_uioctls[nr].run)
		return -ENOTTY;
	op = &sdxi_uioctls[nr];
	/* Fork or SCM_RIGHTS: only the opener's address space may use it. */
	if (current->mm != uf->mm)
		return -EPERM;
	if (op->write && !(f->f_mode & FMODE_WRITE))
		return -EBADF;
	err = sdxi_ucopy_in(&a, op->size, uarg, &usize);
	if (err)
		return err;
	err = op->run(uf, &a);
	if (err || !op->out)
		return err;
	if (!copy_to_user(uarg, &a, min_t(size_t, op->size, usize)))
		return 0;
	if (op->undo)
		op->undo(uf, &a);
	return -EFAULT;
}

static void sdxi_uvma_open(struct vm_area_struct *vma)
{
	struct sdxi_uctx *u = vma->vm_private_data;

	kref_get(&u->ref);
}

static void sdxi_uvma_close(struct vm_area_struct *vma)
{
	sdxi_uctx_put(vma->vm_private_data);
}

/* Mappings have exact sizes: no partial munmap/mprotect splitting. */
static int sdxi_uvma_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

/*
 * A fault after the function's removal (Documentation/uapi.rst "Device
 * removal"): every page of region @r shows one page private to the
 * context, zeroed, mapped cacheable.  Stores to the ring, write index,
 * CST_BLK and doorbell land there and reach nothing; CXT_STS reads state
 * STOP_FN, read index 0 and the removed mark.  The pages live as long as
 * the context structure, which outlives its mappings.
 */
static vm_fault_t sdxi_uvma_fault_removed(struct vm_fault *vmf,
					  struct sdxi_uctx *u, unsigned int r)
{
	struct page *pg = READ_ONCE(u->scratch[r]);

	if (!pg) {
		struct page *new = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		void *va;

		if (!new)
			return VM_FAULT_OOM;
		if (r == SDXI_CXT_STS) {
			va = page_address(new);
			((struct sdxi_cxt_sts *)va)->state = SDXI_CXTV_STOP_FN;
			*(__le32 *)(va + SDXI_STS_REMOVED_OFFSET) =
				cpu_to_le32(SDXI_STS_REMOVED);
		}
		pg = cmpxchg(&u->scratch[r], NULL, new);
		if (pg)
			__free_page(new);
		else
			pg = new;
	}
	return vmf_insert_pfn_prot(vmf->vma, vmf->address, page_to_pfn(pg),
				   vm_get_page_prot(vmf->vma->vm_flags));
}

static vm_fault_t sdxi_uvma_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct sdxi_uctx *u = vma->vm_private_data;
	unsigned int r = (vma->vm_pgoff >> (SDXI_UOFF_REGION_SHIFT - PAGE_SHIFT)) & 0xf;
	unsigned long pg = vmf->pgoff - vma->vm_pgoff;
	unsigned long pfn;
	void *va;

	/* Only the opener's address space, whatever madvise() did. */
	if (vma->vm_mm != u->mm)
		return VM_FAULT_SIGBUS;
	guard(rwsem_read)(&u->map_rwsem);
	if (u->dead && u->removed)
		return sdxi_uvma_fault_removed(vmf, u, r);
	if (u->dead || !u->cxt)
		return VM_FAULT_SIGBUS;
	if (r == SDXI_UREGION_DB) {
		pfn = u->db_pfn + pg;
	} else {
		va = u->cxt->bufs[r].va + (pg << PAGE_SHIFT);
		pfn = is_vmalloc_addr(va) ? vmalloc_to_pfn(va) :
					    PHYS_PFN(virt_to_phys(va));
	}
	return vmf_insert_pfn(vma, vmf->address, pfn);
}

static const struct vm_operations_struct sdxi_uvm_ops = {
	.open = sdxi_uvma_open,
	.close = sdxi_uvma_close,
	.may_split = sdxi_uvma_may_split,
	.fault = sdxi_uvma_fault,
};

static int sdxi_ummap(struct file *f, struct vm_area_struct *vma)
{
	struct sdxi_ufile *uf = f->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned int r = (off >> SDXI_UOFF_REGION_SHIFT) & 0xf;
	struct sdxi_uctx *u;

	if (current->mm != uf->mm)
		return -EPERM;
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC) ||
	    (off & (SDXI_UOFF(0, 1) - 1)) || r >= SDXI_UREGIONS)
		return -EINVAL;

	guard(mutex)(&uf->lock);
	u = xa_load(&uf->cxts, off >> SDXI_UOFF_ID_SHIFT);
	if (!u || !u->cxt)
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != sdxi_uregion_size(u, r))
		return -EINVAL;
	/* CXT_STS is the function's to write: never writable by the user. */
	if (r == SDXI_CXT_STS) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	vm_flags_clear(vma, VM_MAYEXEC);
	/*
	 * VM_IO on every region: madvise(MADV_DOFORK) refuses to clear
	 * VM_DONTCOPY of a VM_IO mapping, so no child inherits one.
	 */
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND |
		     VM_DONTDUMP);
	if (r == SDXI_UREGION_DB)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &sdxi_uvm_ops;
	vma->vm_private_data = u;
	kref_get(&u->ref);
	return 0;
}

static __poll_t sdxi_upoll(struct file *f, poll_table *wait)
{
	struct sdxi_ufile *uf = f->private_data;
	__poll_t mask = 0;

	poll_wait(f, &uf->wq, wait);
	if (atomic64_read(&uf->events))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (atomic_read(&uf->nr_in_error))
		mask |= EPOLLPRI | EPOLLERR;
	if (!READ_ONCE(uf->udev->sdxi))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

static ssize_t sdxi_uread(struct file *f, char __user *buf, size_t len,
			  loff_t *ppos)
{
	struct sdxi_ufile *uf = f->private_data;
	u64 v;
	int err;

	if (current->mm != uf->mm)
		return -EPERM;
	if (len < sizeof(v))
		return -EINVAL;
	while (!(v = atomic64_xchg(&uf->events, 0))) {
		if (!READ_ONCE(uf->udev->sdxi))
			return -ENODEV;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(uf->wq,
					       atomic64_read(&uf->events) ||
					       !READ_ONCE(uf->udev->sdxi));
		if (err)
			return err;
	}
	if (put_user(v, (u64 __user *)buf)) {
		atomic64_add(v, &uf->events);
		return -EFAULT;
	}
	return sizeof(v);
}

static void sdxi_ufile_free(struct sdxi_ufile *uf)
{
	sdxi_uacct_put(uf->udev, uf->facct);
	sdxi_uacct_put(uf->udev, uf->uacct);
	xa_destroy(&uf->cxts);
	mmdrop(uf->mm);
	kfree(uf);
}

static void sdxi_ufile_put(struct sdxi_ufile *uf)
{
	if (refcount_dec_and_test(&uf->ref))
		sdxi_ufile_free(uf);
}

/*
 * Only the device's presence is waited for (&sdxi_udev.rwsem for reading,
 * which removal holds for writing): never for another file's work.
 */
static int sdxi_uopen(struct inode *inode, struct file *f)
{
	struct sdxi_udev *ud = container_of(inode->i_cdev, struct sdxi_udev, cdev);
	struct sdxi_ufile *uf;

	if (!current->mm)
		return -EPERM;
	uf = kzalloc(sizeof(*uf), GFP_KERNEL_ACCOUNT);
	if (!uf)
		return -ENOMEM;
	refcount_set(&uf->ref, 1);
	uf->udev = ud;
	uf->mm = current->mm;
	mmgrab(uf->mm);
	uf->pid = task_tgid_nr(current);
	mutex_init(&uf->lock);
	xa_init(&uf->cxts);
	init_waitqueue_head(&uf->wq);
	uf->facct = sdxi_uacct_file_new();
	/* Charged to the real uid, like RLIMIT_NPROC and io_uring's pins. */
	uf->uacct = sdxi_uacct_user_get(ud, current_uid());
	if (!uf->facct || !uf->uacct) {
		sdxi_ufile_free(uf);
		return -ENOMEM;
	}

	scoped_guard(rwsem_read, &ud->rwsem) {
		if (!ud->sdxi) {
			sdxi_ufile_free(uf);
			return -ENODEV;
		}
		scoped_guard(mutex, &ud->files_lock)
			list_add(&uf->node, &ud->files);
		get_device(&ud->dev);
	}
	atomic_inc(&ud->stats.files);
	/* Every open shares one address space: revocation reaches all. */
	f->f_mapping = ud->inode->i_mapping;
	f->private_data = uf;
	return nonseekable_open(inode, f);
}

/* Destroy every context of a file; &sdxi_udev.rwsem held. */
static void sdxi_ufile_destroy_all(struct sdxi_ufile *uf, bool removed)
{
	struct sdxi_uctx *u;
	unsigned long id;

	guard(mutex)(&uf->lock);
	xa_for_each(&uf->cxts, id, u) {
		xa_erase(&uf->cxts, id);
		sdxi_uctx_teardown(u, removed);
	}
}

static int sdxi_urelease(struct inode *inode, struct file *f)
{
	struct sdxi_ufile *uf = f->private_data;
	struct sdxi_udev *ud = uf->udev;

	scoped_guard(rwsem_read, &ud->rwsem) {
		if (ud->sdxi)
			sdxi_ufile_destroy_all(uf, false);
		scoped_guard(mutex, &ud->files_lock)
			list_del(&uf->node);
	}
	atomic_dec(&ud->stats.files);
	sdxi_ufile_put(uf);
	put_device(&ud->dev);
	return 0;
}

static const struct file_operations sdxi_ufops = {
	.owner = THIS_MODULE,
	.open = sdxi_uopen,
	.release = sdxi_urelease,
	.unlocked_ioctl = sdxi_uioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = sdxi_ummap,
	.poll = sdxi_upoll,
	.read = sdxi_uread,
	.llseek = noop_llseek,
};

static int sdxi_uctx_debugfs_show(struct seq_file *s, void *unused)
{
	struct sdxi_uctx *u = s->private;
	/*
	 * debugfs_remove() waits for readers and runs before the context is
	 * torn down, so @u and its regions are valid here.
	 */
	seq_printf(s, "pid=%d\npasid=%u\nring_entries=%u\n", u->uf->pid,
		   u->isolated ? u->pasid : 0, u->entries);
	seq_printf(s, "completed=%llu\nerrors=%u\ninterrupts=%lld\n",
		   u->completed_base + sdxi_ring_read_index(u->cxt),
		   READ_ONCE(u->nr_errs), atomic64_read(&u->intrs));
	seq_printf(s, "pinned_bytes=%lu\nimported_bytes=%llu\nvector=%u\n",
		   READ_ONCE(u->pinned_pages) << PAGE_SHIFT,
		   READ_ONCE(u->imported), u->vector);
	seq_printf(s, "uid=%u\nstate=%s\n",
		   from_kuid_munged(&init_user_ns, u->uacct->uid),
		   sdxi_cxtv_name(sdxi_cxt_hw_state(u->cxt)));
	return 0;
}

static ssize_t sdxi_dmabuf_move_write(struct file *f, const char __user *buf,
				      size_t count, loff_t *ppos)
{
	struct sdxi_udev *ud = file_inode(f)->i_private;
	bool remap;
	int err;

	err = kstrtobool_from_user(buf, count, &remap);
	if (err)
		return err;
	guard(rwsem_read)(&ud->rwsem);
	if (!ud->sdxi)
		return -ENODEV;
	sdxi_udmabuf_move_all(ud, remap);
	return count;
}

static const struct file_operations sdxi_dmabuf_move_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sdxi_dmabuf_move_write,
};

#define SDXI_USTAT_ATTR(_name, _expr)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev); \
									\
	return sysfs_emit(buf, "%lld\n", (long long)(_expr));		\
}									\
static DEVICE_ATTR_RO(_name)

/* An amount held by all user contexts (charges, enum sdxi_ures). */
static u64 sdxi_uuse(struct sdxi_udev *ud, enum sdxi_ures r)
{
	u64 v;

	spin_lock(&ud->acct_lock);
	v = ud->use[r];
	spin_unlock(&ud->acct_lock);
	return v;
}

static unsigned int sdxi_ucontexts_offered(struct sdxi_udev *ud)
{
	guard(rwsem_read)(&ud->rwsem);
	return ud->sdxi ? sdxi_ucontexts_max(ud) : 0;
}

SDXI_USTAT_ATTR(user_contexts, atomic_read(&ud->stats.contexts));
SDXI_USTAT_ATTR(pasids, atomic_read(&ud->stats.pasids));
SDXI_USTAT_ATTR(pinned_pages, atomic64_read(&ud->stats.pinned_pages));
SDXI_USTAT_ATTR(dmabufs, atomic_read(&ud->stats.dmabufs));
SDXI_USTAT_ATTR(open_files, atomic_read(&ud->stats.files));
SDXI_USTAT_ATTR(pinned_bytes, sdxi_uuse(ud, SDXI_URES_PINNED));
SDXI_USTAT_ATTR(imported_bytes, sdxi_uuse(ud, SDXI_URES_IMPORTED));
SDXI_USTAT_ATTR(user_vectors, sdxi_uuse(ud, SDXI_URES_VECTORS));
SDXI_USTAT_ATTR(max_user_contexts, sdxi_ucontexts_offered(ud));

static ssize_t isolation_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev);

	return sysfs_emit(buf, "%s\n", ud->isolated ? "pasid" :
			  allow_unsafe_noiommu ? "none" : "unavailable");
}
static DEVICE_ATTR_RO(isolation);

/*
 * The user context @id of the function with a reference, and a reference
 * on its file; -ENOENT when @id is not a user context (a free ID, the
 * admin context, a kernel channel's context, one that could not be
 * quiesced).  A context found in the function's xarray still holds the
 * context layer's reference, and its file is still open (a file's contexts
 * leave that xarray before its final close releases it), so both
 * references can be taken under the xarray lock.
 */
static struct sdxi_uctx *sdxi_uctx_get_by_id(struct sdxi_udev *ud, u32 id,
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

/*
 * An administrator's RESET_CONTEXT of user context @id: the same reset,
 * under the owning file's lock, once the context is still that file's.
 * No device-wide lock is held while the file's lock is awaited.
 */
static int sdxi_uctx_admin_reset(struct sdxi_udev *ud, u32 id)
{
	struct sdxi_ufile *uf;
	struct sdxi_uctx *u;
	int err;

	u = sdxi_uctx_get_by_id(ud, id, &uf);
	if (IS_ERR(u))
		return PTR_ERR(u);
	err = sdxi_ufile_lock(uf);
	if (!err) {
		err = xa_load(&uf->cxts, id) == u ? sdxi_uctx_reset(u) : -ENOENT;
		if (err != -ENOENT)
			dev_info_ratelimited(u->dev, "context %u of pid %d: reset by an administrator (%d)\n",
					     id, uf->pid, err);
		sdxi_ufile_unlock(uf);
	}
	sdxi_uctx_put(u);
	sdxi_ufile_put(uf);
	return err;
}

static ssize_t reset_context_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev);
	unsigned int id;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtouint(buf, 10, &id))
		return -EINVAL;
	err = sdxi_uctx_admin_reset(ud, id);
	return err ?: count;
}
static DEVICE_ATTR_WO(reset_context);

static struct attribute *sdxi_udev_attrs[] = {
	&dev_attr_user_contexts.attr,
	&dev_attr_pasids.attr,
	&dev_attr_pinned_pages.attr,
	&dev_attr_dmabufs.attr,
	&dev_attr_open_files.attr,
	&dev_attr_pinned_bytes.attr,
	&dev_attr_imported_bytes.attr,
	&dev_attr_user_vectors.attr,
	&dev_attr_max_user_contexts.attr,
	&dev_attr_isolation.attr,
	&dev_attr_reset_context.attr,
	NULL
};
ATTRIBUTE_GROUPS(sdxi_udev);

static void sdxi_udev_release(struct device *dev)
{
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev);

	if (ud->inode)
		iput(ud->inode);
	scoped_guard(mutex, &sdxi_mnt_lock)
		if (ud->inode)
			simple_release_fs(&sdxi_mnt, &sdxi_mnt_count);
	ida_free(&sdxi_minors, MINOR(dev->devt));
	bitmap_free(ud->vectors);
	xa_destroy(&ud->users);
	kfree(ud);
}

/*
 * Function teardown, first of the devres actions: no new opens; every
 * context of every open file revoked and destroyed while the admin ring
 * still works; later calls on those files fail with -ENODEV and the
 * structure is freed at the last close.
 */
static void sdxi_cdev_unregister(void *data)
{
	struct sdxi_udev *ud = data;
	struct sdxi_ufile *uf;

	sysfs_remove_link(&ud->dev.kobj, "device");
	cdev_device_del(&ud->cdev, &ud->dev);
	scoped_guard(rwsem_write, &ud->rwsem) {
		list_for_each_entry(uf, &ud->files, node)
			sdxi_ufile_destroy_all(uf, true);
		ud->sdxi->udev = NULL;
		WRITE_ONCE(ud->sdxi, NULL);
		list_for_each_entry(uf, &ud->files, node)
			wake_up_all(&uf->wq);
	}
	debugfs_remove_recursive(ud->debugfs);
	put_device(&ud->dev);
}

/**
 * sdxi_cdev_remove() - remove /dev/sdxiN from the bus driver's remove()
 * @sdxi: function
 *
 * User contexts hold PASIDs attached to the device, and the driver core
 * checks that none is left right after remove() and before devres runs,
 * so they are torn down here rather than by the devres action.
 */
void sdxi_cdev_remove(struct sdxi_dev *sdxi)
{
	if (sdxi->udev)
		devm_release_action(sdxi->dev, sdxi_cdev_unregister, sdxi->udev);
}

/* The IOMMU gives the function PASIDs and private domains. */
static bool sdxi_pasid_capable(struct device *dev)
{
	return device_iommu_mapped(dev) && dev->iommu &&
	       dev->iommu->max_pasids > 0;
}

/**
 * sdxi_cdev_register() - create /dev/sdxiN for an active function
 * @sdxi: function
 *
 * Managed: removed (and every user context destroyed) before the rest of
 * the function's teardown.
 *
 * Return: 0 or a negative errno.
 */
int sdxi_cdev_register(struct sdxi_dev *sdxi)
{
	struct device *dev = sdxi->dev;
	struct sdxi_udev *ud;
	int minor, err;

	ud = kzalloc(sizeof(*ud), GFP_KERNEL);
	if (!ud)
		return -ENOMEM;
	minor = ida_alloc_max(&sdxi_minors, SDXI_UMINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		kfree(ud);
		return minor;
	}
	init_rwsem(&ud->rwsem);
	INIT_LIST_HEAD(&ud->files);
	mutex_init(&ud->files_lock);
	spin_lock_init(&ud->acct_lock);
	xa_init(&ud->users);
	mutex_init(&ud->attach_lock);
	INIT_LIST_HEAD(&ud->attachments);
	spin_lock_init(&ud->vec_lock);
	ud->sdxi = sdxi;
	ud->isolated = sdxi_pasid_capable(dev);
	ud->nr_vectors = sdxi->nr_vectors;
	ud->first_vector = max(sdxi->first_user_vector, 1U);

	device_initialize(&ud->dev);
	ud->dev.class = &sdxi_class;
	ud->dev.devt = MKDEV(MAJOR(sdxi_devt), minor);
	ud->dev.groups = sdxi_udev_groups;
	ud->dev.release = sdxi_udev_release;
	/* From here on put_device() frees everything. */
	err = dev_set_name(&ud->dev, "sdxi%d", minor);
	if (err)
		goto put;
	ud->vectors = bitmap_zalloc(ud->nr_vectors, GFP_KERNEL);
	if (!ud->vectors) {
		err = -ENOMEM;
		goto put;
	}
	scoped_guard(mutex, &sdxi_mnt_lock) {
		err = simple_pin_fs(&sdxi_fs_type, &sdxi_mnt, &sdxi_mnt_count);
		if (!err) {
			ud->inode = alloc_anon_inode(sdxi_mnt->mnt_sb);
			if (IS_ERR(ud->inode)) {
				err = PTR_ERR(ud->inode);
				ud->inode = NULL;
				simple_release_fs(&sdxi_mnt, &sdxi_mnt_count);
			}
		}
	}
	if (err)
		goto put;

	cdev_init(&ud->cdev, &sdxi_ufops);
	ud->cdev.owner = THIS_MODULE;
	err = cdev_device_add(&ud->cdev, &ud->dev);
	if (err)
		goto put;
	err = sysfs_create_link(&ud->dev.kobj, &dev->kobj, "device");
	if (err) {
		cdev_device_del(&ud->cdev, &ud->dev);
		goto put;
	}
	ud->debugfs = debugfs_create_dir(dev_name(&ud->dev), sdxi_debugfs_root);
	debugfs_create_file("dmabuf_move", 0200, ud->debugfs, ud,
			    &sdxi_dmabuf_move_fops);
	sdxi_uquota_debugfs(ud);
	sdxi->udev = ud;
	if (!ud->isolated)
		dev_info(dev, "%s: no PASID-capable IOMMU: user contexts %s\n",
			 dev_name(&ud->dev), allow_unsafe_noiommu ?
			 "without isolation (allow_unsafe_noiommu)" : "refused");
	return devm_add_action_or_reset(dev, sdxi_cdev_unregister, ud);

put:
	put_device(&ud->dev);
	return err;
}

/**
 * sdxi_cdev_init() - module init: device numbers, class, debugfs
 *
 * Return: 0 or a negative errno.
 */
int sdxi_cdev_init(void)
{
	int err;

	err = alloc_chrdev_region(&sdxi_devt, 0, SDXI_UMINORS, SDXI_DRV_NAME);
	if (err)
		return err;
	err = class_register(&sdxi_class);
	if (err) {
		unregister_chrdev_region(sdxi_devt, SDXI_UMINORS);
		return err;
	}
	sdxi_debugfs_root = debugfs_create_dir(SDXI_DRV_NAME, NULL);
	sdxi_dev_debugfs_init(sdxi_debugfs_root);
	return 0;
}

/**
 * sdxi_cdev_exit() - module exit
 */
void sdxi_cdev_exit(void)
{
	debugfs_remove_recursive(sdxi_debugfs_root);
	class_unregister(&sdxi_class);
	unregister_chrdev_region(sdxi_devt, SDXI_UMINORS);
}
