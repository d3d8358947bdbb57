// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN ioctls (Documentation/uapi.rst, the ABI is
 * uapi/linux/sdxi.h): one table, one copy-in and copy-out path.
 *
 * ioctl arguments are copied in before any lock and out after the last
 * one, so a user who parks the access (userfaultfd, FUSE) holds nothing
 * another file, an exit or an unbind needs.  State-changing ioctls need a
 * file opened for writing.
 */
#include <linux/cleanup.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/sdxi.h>

#include "context.h"
#include "mem.h"
#include "quota.h"
#include "ring.h"
#include "sdxi.h"
#include "user_context.h"
#include "user_file.h"
#include "user_ioctl.h"
#include "window.h"

/*
 * GET_INFO's argument.  The test configuration appends a member, as a
 * later ABI version would: binaries built against the first version then
 * pass a size smaller than the kernel's, and the ABI extension test
 * (selftests/sdxi/user_contexts.c) calls it at the old size, the new size
 * and with a non-zero unknown tail.  The kernel answers @test_echo + 1.
 */
struct sdxi_uinfo {
	struct sdxi_info v1;
#if IS_ENABLED(CONFIG_SDXI_TEST)
	__aligned_u64 test_echo;
#endif
};

/* Every ioctl argument, copied in before and out after any lock. */
union sdxi_uarg {
	struct {
		u32 size;
		u32 flags;
	} hdr;
	struct sdxi_uinfo info;
	struct sdxi_create_context create;
	struct sdxi_context_cmd cmd;
	struct sdxi_context_status status;
	struct sdxi_map_mem map;
	struct sdxi_map_dmabuf dmabuf;
	struct sdxi_unmap_dmabuf unmap_dmabuf;
	struct sdxi_set_eventfd eventfd;
	struct sdxi_export_window export_window;
	struct sdxi_window_cmd window_cmd;
	struct sdxi_import_window import_window;
	struct sdxi_unimport_window unimport_window;
};

static int sdxi_ioctl_get_info(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_info *info = &a->info.v1;
	struct sdxi_fn *sdxi;

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
		.out_max_buffer = sdxi_cxt_max_buffer(sdxi, sdxi_user_max_buffer()),
		.out_max_contexts = sdxi_user_contexts_max(ud),
		.out_free_contexts = sdxi_user_contexts_free(uf),
		.out_isolation = ud->isolated ? SDXI_ISOLATION_PASID :
				 allow_unsafe_noiommu ? SDXI_ISOLATION_NONE : 0,
		.out_numa_node = dev_to_node(sdxi->dev),
		.out_flags = ud->isolated ? SDXI_INFO_F_DMABUF : 0,
	};
	if (ud->isolated)
		info->out_flags |= SDXI_INFO_F_WINDOWS;
	if (sdxi_fn_vectors_free(sdxi) && (sdxi->opb & SDXI_OPB_INTR))
		info->out_flags |= SDXI_INFO_F_INTERRUPTS;
	if (sdxi_user_sva_available(ud))
		info->out_flags |= SDXI_INFO_F_SVA;
	if (ud->isolated) {
		info->out_kernel_iova = SDXI_UIOVA_BASE;
		info->out_kernel_iova_size = SDXI_UIOVA_SIZE;
	}
#if IS_ENABLED(CONFIG_SDXI_TEST)
	a->info.test_echo++;
#endif
	return 0;
}

static void sdxi_create_context_out(struct sdxi_uctx *u, struct sdxi_create_context *c)
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
		off[r][1] = sdxi_user_region_size(u, r);
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
	c->out_isolation = u->sva ? SDXI_ISOLATION_SVA :
			   u->isolated ? SDXI_ISOLATION_PASID : SDXI_ISOLATION_NONE;
}

static int sdxi_destroy_context_by_id(struct sdxi_ufile *uf, u32 id)
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

/* CREATE_CONTEXT under the file's lock; @sva is taken over. */
static int sdxi_create_context_locked(struct sdxi_ufile *uf,
				      struct sdxi_create_context *c,
				      struct sdxi_usva *sva)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	u32 entries = c->ring_entries ?: SDXI_RING_MIN_ENTRIES;
	u32 def = uf->udev->isolated ? SDXI_ISOLATION_PASID : SDXI_ISOLATION_NONE;
	struct sdxi_uctx *u;
	int err = 0;

	if (IS_ERR(l))
		err = PTR_ERR(l);
	else if (!sdxi_ring_entries_valid(entries, uf->udev->sdxi->max_ring_entries))
		err = -EINVAL;
	else if ((c->flags & SDXI_CTX_F_INTERRUPT) &&
		 !(uf->udev->sdxi->opb & SDXI_OPB_INTR))
		err = -EOPNOTSUPP;
	else if (c->isolation && c->isolation != def && !sva)
		err = c->isolation == SDXI_ISOLATION_PASID ? -EOPNOTSUPP : -EINVAL;
	if (err) {
		sdxi_user_sva_unbind(sva);
		return err;
	}
	u = sdxi_ufile_create_ctx(uf, entries, c->flags & SDXI_CTX_F_INTERRUPT, sva);
	if (IS_ERR(u))
		return PTR_ERR(u);
	sdxi_create_context_out(u, c);
	return 0;
}

/*
 * CREATE_CONTEXT.  An SVA context's bond is made first, with no lock held
 * (sdxi_user_sva_bind()), then handed to the context.
 */
static int sdxi_ioctl_create_context(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_create_context *c = &a->create;
	struct sdxi_usva *sva = NULL;

	if ((c->flags & ~SDXI_CTX_F_INTERRUPT) || c->__reserved)
		return -EINVAL;
	if (c->isolation == SDXI_ISOLATION_SVA) {
		sva = sdxi_user_sva_bind(uf);
		if (IS_ERR(sva))
			return PTR_ERR(sva);
	}
	return sdxi_create_context_locked(uf, c, sva);
}

/* The outputs could not be written: the context must not stay. */
static void sdxi_ioctl_create_context_undo(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	sdxi_destroy_context_by_id(uf, a->create.out_context_id);
}

static int sdxi_ioctl_destroy_context(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	if (a->cmd.flags || a->cmd.__reserved)
		return -EINVAL;
	return sdxi_destroy_context_by_id(uf, a->cmd.context_id);
}

static int sdxi_ioctl_reset_context(struct sdxi_ufile *uf, union sdxi_uarg *a)
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
static int sdxi_context_status_collect(struct sdxi_ufile *uf,
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

static int sdxi_ioctl_context_status(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_error_record recs[SDXI_UCTX_ERR_RECORDS];
	struct sdxi_context_status *s = &a->status;
	int err;

	if (s->flags)
		return -EINVAL;
	if (s->nr_records && !s->records)
		return -EFAULT;
	err = sdxi_context_status_collect(uf, s, recs);
	if (err)
		return err;
	/* With no lock held: the records may be in any kind of user memory. */
	if (s->nr_records && copy_to_user(u64_to_user_ptr(s->records), recs,
					  s->nr_records * sizeof(recs[0])))
		return -EFAULT;
	return 0;
}

/* Page-aligned, non-empty, no wrap-around. */
static bool sdxi_user_range_ok(u64 start, u64 len)
{
	return len && PAGE_ALIGNED(start) && PAGE_ALIGNED(len) &&
	       start + len > start;
}

static int sdxi_map_mem_args_valid(const struct sdxi_map_mem *m)
{
	if (m->__reserved || !sdxi_user_range_ok(m->vaddr, m->length) ||
	    m->vaddr + m->length > TASK_SIZE)
		return -EINVAL;
	return 0;
}

static int sdxi_unmap_mem_by_id(struct sdxi_ufile *uf, u32 id, u64 va, u64 len)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	struct sdxi_uctx *u;

	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, id);
	return u ? sdxi_user_unmap_mem(u, va, len) : -ENOENT;
}

static int sdxi_ioctl_map_mem(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_map_mem *m = &a->map;
	int err = sdxi_map_mem_args_valid(m);

	if (err)
		return err;
	if (!m->flags || (m->flags & ~(SDXI_MAP_READ | SDXI_MAP_WRITE)))
		return -EINVAL;
	return sdxi_user_map_mem(uf, m->context_id, m->vaddr, m->length, m->flags,
			     &m->out_iova);
}

static void sdxi_ioctl_map_mem_undo(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	sdxi_unmap_mem_by_id(uf, a->map.context_id, a->map.vaddr, a->map.length);
}

static int sdxi_ioctl_unmap_mem(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_map_mem *m = &a->map;
	int err = sdxi_map_mem_args_valid(m);

	if (err)
		return err;
	if (m->flags)
		return -EINVAL;
	return sdxi_unmap_mem_by_id(uf, m->context_id, m->vaddr, m->length);
}

static int sdxi_ioctl_map_dmabuf(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_map_dmabuf *m = &a->dmabuf;
	struct sdxi_uctx *u;

	if (!m->flags || (m->flags & ~(SDXI_MAP_READ | SDXI_MAP_WRITE)) ||
	    !sdxi_user_range_ok(m->iova, m->length) || !PAGE_ALIGNED(m->offset))
		return -EINVAL;
	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, m->context_id);
	if (!u)
		return -ENOENT;
	if (!u->isolated)
		return -EOPNOTSUPP;
	return sdxi_user_map_dmabuf(u, m->fd, m->offset, m->length, m->iova, m->flags);
}

static int sdxi_ioctl_unmap_dmabuf(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_unmap_dmabuf *m = &a->unmap_dmabuf;
	struct sdxi_uctx *u;

	if (m->flags || m->__reserved)
		return -EINVAL;
	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, m->context_id);
	return u ? sdxi_user_unmap_dmabuf(u, m->iova) : -ENOENT;
}

/* Swap a context's eventfd; the old one (or @ev on error) is returned. */
static int sdxi_swap_eventfd(struct sdxi_ufile *uf, u32 id,
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

static int sdxi_ioctl_set_eventfd(struct sdxi_ufile *uf, union sdxi_uarg *a)
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
	err = sdxi_swap_eventfd(uf, s->context_id, &ev);
	if (ev)
		eventfd_ctx_put(ev);
	return err;
}

static int sdxi_ioctl_export_window(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_export_window *e = &a->export_window;

	if (!e->flags || (e->flags & ~(SDXI_MAP_READ | SDXI_MAP_WRITE)) ||
	    e->__reserved || !sdxi_user_range_ok(e->vaddr, e->length) ||
	    e->vaddr + e->length > TASK_SIZE)
		return -EINVAL;
	return sdxi_window_export(uf, e->context_id, e->vaddr, e->length,
				  e->flags, &e->out_fd, &e->out_window_id);
}

/*
 * The outputs could not be written: revoke the window.  Its descriptor
 * stays in the table (another thread may already use that number) and
 * names a revoked window.
 */
static void sdxi_ioctl_export_window_undo(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	sdxi_window_revoke_by_id(uf, a->export_window.context_id,
				 a->export_window.out_window_id);
}

static int sdxi_ioctl_revoke_window(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	if (a->window_cmd.flags)
		return -EINVAL;
	return sdxi_window_revoke_by_id(uf, a->window_cmd.context_id,
					a->window_cmd.window_id);
}

static int sdxi_ioctl_import_window(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_import_window *i = &a->import_window;

	if (i->flags || i->__reserved)
		return -EINVAL;
	return sdxi_window_import(uf, i->context_id, i->fd, &i->out_akey,
				  &i->out_flags, &i->out_base, &i->out_length);
}

static void sdxi_ioctl_import_window_undo(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	sdxi_window_unimport(uf, a->import_window.context_id,
			     a->import_window.out_akey);
}

static int sdxi_ioctl_unimport_window(struct sdxi_ufile *uf, union sdxi_uarg *a)
{
	struct sdxi_unimport_window *i = &a->unimport_window;

	if (i->flags || i->__reserved)
		return -EINVAL;
	return sdxi_window_unimport(uf, i->context_id, i->akey);
}

/* Flags of an ioctl (&struct sdxi_ioctl_op.flags). */
#define SDXI_IOCTL_WRITE	BIT(0)	/* changes state: needs FMODE_WRITE */
#define SDXI_IOCTL_OUT		BIT(1)	/* has outputs, copied back */

/**
 * struct sdxi_ioctl_op - one ioctl of /dev/sdxiN
 * @cmd: its command number
 * @size: its struct as this kernel knows it
 * @min_size: its struct's first version: the smallest size accepted
 * @flags: SDXI_IOCTL_*
 * @run: the ioctl on the kernel copy of the argument; takes the locks it
 *	 needs and never holds one across a user-memory access
 * @undo: reverts a successful @run whose outputs could not be written
 */
struct sdxi_ioctl_op {
	unsigned int cmd;
	u32 size;
	u32 min_size;
	u32 flags;
	int (*run)(struct sdxi_ufile *uf, union sdxi_uarg *a);
	void (*undo)(struct sdxi_ufile *uf, union sdxi_uarg *a);
};

/*
 * One ioctl: _struct is its argument, _last the last member of the
 * struct's first version.  A member appended later leaves _last alone, so
 * binaries built against the first version keep working.  The table is in
 * command-number order: entry n serves _IO(SDXI_TYPE, n).
 */
#define SDXI_IOCTL_OP(_cmd, _fn, _undo, _flags, _struct, _last)		\
	{								\
		.cmd = _cmd,						\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union sdxi_uarg) <	\
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.flags = _flags,					\
		.run = _fn,						\
		.undo = _undo,						\
	}

static const struct sdxi_ioctl_op sdxi_ioctl_ops[] = {
	SDXI_IOCTL_OP(SDXI_IOC_GET_INFO, sdxi_ioctl_get_info, NULL,
		      SDXI_IOCTL_OUT, struct sdxi_uinfo,
		      v1.out_kernel_iova_size),
	SDXI_IOCTL_OP(SDXI_IOC_CREATE_CONTEXT, sdxi_ioctl_create_context,
		      sdxi_ioctl_create_context_undo,
		      SDXI_IOCTL_WRITE | SDXI_IOCTL_OUT,
		      struct sdxi_create_context, out_csb_iova),
	SDXI_IOCTL_OP(SDXI_IOC_DESTROY_CONTEXT, sdxi_ioctl_destroy_context, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_context_cmd, __reserved),
	SDXI_IOCTL_OP(SDXI_IOC_RESET_CONTEXT, sdxi_ioctl_reset_context, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_context_cmd, __reserved),
	SDXI_IOCTL_OP(SDXI_IOC_CONTEXT_STATUS, sdxi_ioctl_context_status, NULL,
		      SDXI_IOCTL_OUT, struct sdxi_context_status, records),
	SDXI_IOCTL_OP(SDXI_IOC_MAP_MEM, sdxi_ioctl_map_mem, sdxi_ioctl_map_mem_undo,
		      SDXI_IOCTL_WRITE | SDXI_IOCTL_OUT,
		      struct sdxi_map_mem, out_iova),
	SDXI_IOCTL_OP(SDXI_IOC_UNMAP_MEM, sdxi_ioctl_unmap_mem, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_map_mem, out_iova),
	SDXI_IOCTL_OP(SDXI_IOC_MAP_DMABUF, sdxi_ioctl_map_dmabuf, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_map_dmabuf, iova),
	SDXI_IOCTL_OP(SDXI_IOC_UNMAP_DMABUF, sdxi_ioctl_unmap_dmabuf, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_unmap_dmabuf, iova),
	SDXI_IOCTL_OP(SDXI_IOC_SET_EVENTFD, sdxi_ioctl_set_eventfd, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_set_eventfd, fd),
	/* Windows (window.c), at their own command numbers. */
	[SDXI_CMD_EXPORT_WINDOW] =
	SDXI_IOCTL_OP(SDXI_IOC_EXPORT_WINDOW, sdxi_ioctl_export_window,
		      sdxi_ioctl_export_window_undo,
		      SDXI_IOCTL_WRITE | SDXI_IOCTL_OUT,
		      struct sdxi_export_window, out_window_id),
	[SDXI_CMD_REVOKE_WINDOW] =
	SDXI_IOCTL_OP(SDXI_IOC_REVOKE_WINDOW, sdxi_ioctl_revoke_window, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_window_cmd, window_id),
	[SDXI_CMD_IMPORT_WINDOW] =
	SDXI_IOCTL_OP(SDXI_IOC_IMPORT_WINDOW, sdxi_ioctl_import_window,
		      sdxi_ioctl_import_window_undo,
		      SDXI_IOCTL_WRITE | SDXI_IOCTL_OUT,
		      struct sdxi_import_window, out_length),
	[SDXI_CMD_UNIMPORT_WINDOW] =
	SDXI_IOCTL_OP(SDXI_IOC_UNIMPORT_WINDOW, sdxi_ioctl_unimport_window, NULL,
		      SDXI_IOCTL_WRITE, struct sdxi_unimport_window, __reserved),
};

/*
 * Copy an extensible argument in: the size comes first; smaller than the
 * struct's first version is -EINVAL; what the caller did not pass reads
 * as zero, bytes past what this kernel knows must be zero (E2BIG); sizes
 * beyond a page are refused (E2BIG) to bound the zero check.
 */
static int sdxi_ioctl_copy_in(union sdxi_uarg *a, const struct sdxi_ioctl_op *op,
			      void __user *arg, u32 *usize)
{
	if (get_user(*usize, (u32 __user *)arg))
		return -EFAULT;
	if (*usize < op->min_size)
		return -EINVAL;
	if (*usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(a, op->size, arg, *usize);
}

/**
 * sdxi_user_ioctl() - &file_operations.unlocked_ioctl of /dev/sdxiN
 * @f: the file
 * @cmd: SDXI_IOC_*
 * @arg: the argument's user address
 *
 * The argument is copied in before anything is locked and out after
 * everything is unlocked: a user who parks the access (userfaultfd, FUSE)
 * holds nothing another file, an exit or an unbind needs.  Outputs are
 * written up to the smaller of the caller's size and this kernel's.
 *
 * Return: 0 or a negative errno; -ENOTTY for a command not in the table.
 */
long sdxi_user_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct sdxi_ufile *uf = f->private_data;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	const struct sdxi_ioctl_op *op;
	union sdxi_uarg a;
	u32 usize;
	int err;

	if (nr >= ARRAY_SIZE(sdxi_ioctl_ops))
		return -ENOTTY;
	op = &sdxi_ioctl_ops[nr];
	if (!op->run || op->cmd != cmd)
		return -ENOTTY;
	/* Fork or SCM_RIGHTS: only the opener's address space may use it. */
	if (current->mm != uf->mm)
		return -EPERM;
	if ((op->flags & SDXI_IOCTL_WRITE) && !(f->f_mode & FMODE_WRITE))
		return -EBADF;
	err = sdxi_ioctl_copy_in(&a, op, uarg, &usize);
	if (err)
		return err;
	err = op->run(uf, &a);
	if (err || !(op->flags & SDXI_IOCTL_OUT))
		return err;
	if (!copy_to_user(uarg, &a, min(op->size, usize)))
		return 0;
	if (op->undo)
		op->undo(uf, &a);
	return -EFAULT;
}
