// SPDX-License-Identifier: GPL-2.0
/*
 * Open files of /dev/sdxiN and the contexts each holds
 * (Documentation/uapi.rst).
 *
 * An open file holds any number of user contexts (user_context.c) in its
 * xarray; it creates them, tears them down (revoking their mappings
 * first) and resets them.  ioctl(), mmap() and read() from an mm other
 * than the opener's get -EPERM.
 *
 * Locking (Documentation/uapi.rst "Security model"): the device-wide rwsem
 * (read) and the file's mutex are only held around bounded kernel work,
 * never across a user-memory access or a page pin, so what one user does
 * with its memory (userfaultfd, FUSE) never blocks another file's open(),
 * ioctl() or close(), an exit, or an unbind.  open() and release() only
 * take the rwsem for reading.
 */
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "compat.h"
#include "context.h"
#include "quota.h"
#include "ring.h"
#include "sdxi.h"
#include "user_context.h"
#include "user_debugfs.h"
#include "user_file.h"
#include "user_mmap.h"
#include "window.h"

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

/**
 * sdxi_uctx_teardown() - tear a context down from its file
 * @u: the context, already out of the file's xarray
 *
 * @removed: the function is going away: the mappings get the removed pages
 *
 * Revokes the user mappings, the windows the context exports and its
 * imports (sdxi_window_ctx_teardown()), then destroys the context
 * (sdxi_uctx_destroy()).  &sdxi_ufile.lock held.
 */
void sdxi_uctx_teardown(struct sdxi_uctx *u, bool removed)
{
	debugfs_remove(u->debugfs);
	sdxi_uctx_revoke(u, false, removed);
	sdxi_window_ctx_teardown(u);
	sdxi_uctx_destroy(u);
}

/**
 * sdxi_ufile_create_ctx() - CREATE_CONTEXT's kernel side
 * @uf: the file
 * @entries: ring size
 * @intr: with a completion interrupt
 * @sva: the bond of an SVA context, taken over (sdxi_uctx_create())
 *
 * The function is present and &sdxi_ufile.lock held.
 *
 * Return: the started context, in the file's xarray, or an ERR_PTR.
 */
struct sdxi_uctx *sdxi_ufile_create_ctx(struct sdxi_ufile *uf, u32 entries,
					bool intr, struct sdxi_usva *sva)
{
	struct sdxi_uctx *u = sdxi_uctx_create(uf, entries, intr, sva);
	int err;

	if (IS_ERR(u))
		return u;
	err = xa_insert(&uf->cxts, u->id, u, GFP_KERNEL_ACCOUNT);
	if (err) {
		sdxi_uctx_teardown(u, false);
		return ERR_PTR(err);
	}
	sdxi_uctx_debugfs_add(u);
	return u;
}

/**
 * sdxi_uctx_reset() - reset a user context
 * @u: the context, in its file's xarray
 *
 * RESET_CONTEXT, or an administrator's reset through the reset_context
 * attribute.  &sdxi_ufile.lock held.
 *
 * Return: 0 or a negative errno.
 */
int sdxi_uctx_reset(struct sdxi_uctx *u)
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

/**
 * sdxi_uctx_admin_reset() - an administrator's RESET_CONTEXT
 * @ud: the device
 * @id: context ID
 *
 * The same reset, under the owning file's lock, once the context is still
 * that file's.  No device-wide lock is held while the file's lock is
 * awaited.
 *
 * Return: 0 or a negative errno (-ENOENT: not a user context).
 */
int sdxi_uctx_admin_reset(struct sdxi_udev *ud, u32 id)
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

static void sdxi_ufile_free(struct sdxi_ufile *uf)
{
	sdxi_uacct_put(uf->udev, uf->facct);
	sdxi_uacct_put(uf->udev, uf->uacct);
	xa_destroy(&uf->cxts);
	mmdrop(uf->mm);
	kfree(uf);
}

/**
 * sdxi_ufile_put() - drop a reference on an open file
 * @uf: the file
 */
void sdxi_ufile_put(struct sdxi_ufile *uf)
{
	if (refcount_dec_and_test(&uf->ref))
		sdxi_ufile_free(uf);
}

/**
 * sdxi_user_open() - &file_operations.open of /dev/sdxiN
 * @inode: the device node
 * @f: the new file
 *
 * Only the device's presence is waited for (&sdxi_udev.rwsem for reading,
 * which removal holds for writing): never for another file's work.
 *
 * Return: 0 or a negative errno.
 */
int sdxi_user_open(struct inode *inode, struct file *f)
{
	struct sdxi_udev *ud = container_of(inode->i_cdev, struct sdxi_udev, cdev);
	struct sdxi_ufile *uf;

	if (!current->mm)
		return -EPERM;
	uf = kzalloc_obj(*uf, GFP_KERNEL_ACCOUNT);
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

/**
 * sdxi_ufile_destroy_all() - destroy every context of a file
 * @uf: the file
 * @removed: the function is going away (sdxi_uctx_teardown())
 *
 * &sdxi_udev.rwsem held.
 */
void sdxi_ufile_destroy_all(struct sdxi_ufile *uf, bool removed)
{
	struct sdxi_uctx *u;
	unsigned long id;

	guard(mutex)(&uf->lock);
	xa_for_each(&uf->cxts, id, u) {
		xa_erase(&uf->cxts, id);
		sdxi_uctx_teardown(u, removed);
	}
}

/**
 * sdxi_user_release() - &file_operations.release of /dev/sdxiN
 * @inode: the device node
 * @f: the file
 *
 * Return: 0.
 */
int sdxi_user_release(struct inode *inode, struct file *f)
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
