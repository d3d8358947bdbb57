/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open files of /dev/sdxiN and their contexts (user_file.c).
 */
#ifndef _SDXI_USER_FILE_H
#define _SDXI_USER_FILE_H

#include <linux/cleanup.h>
#include <linux/err.h>

#include "user.h"

int sdxi_ufile_lock(struct sdxi_ufile *uf);
void sdxi_ufile_unlock(struct sdxi_ufile *uf);
void sdxi_ufile_put(struct sdxi_ufile *uf);
int sdxi_user_open(struct inode *inode, struct file *f);
int sdxi_user_release(struct inode *inode, struct file *f);
void sdxi_ufile_destroy_all(struct sdxi_ufile *uf, bool removed);
struct sdxi_uctx *sdxi_ufile_create_ctx(struct sdxi_ufile *uf, u32 entries,
					bool intr, struct sdxi_usva *sva);
void sdxi_uctx_teardown(struct sdxi_uctx *u, bool removed);
int sdxi_uctx_reset(struct sdxi_uctx *u);
int sdxi_uctx_admin_reset(struct sdxi_udev *ud, u32 id);

static inline struct sdxi_ufile *sdxi_ufile_lock_ptr(struct sdxi_ufile *uf)
{
	int err = sdxi_ufile_lock(uf);

	return err ? ERR_PTR(err) : uf;
}

static inline void sdxi_ufile_unlock_ptr(struct sdxi_ufile *uf)
{
	if (!IS_ERR(uf))
		sdxi_ufile_unlock(uf);
}

/*
 * CLASS(sdxi_ufile_locked, l)(uf): until the end of the scope the function
 * is present (&sdxi_udev.rwsem held for reading) and the file's lock is
 * held; or l is an ERR_PTR (-ENODEV: removed, -EINTR: fatal signal).
 */
DEFINE_CLASS(sdxi_ufile_locked, struct sdxi_ufile *, sdxi_ufile_unlock_ptr(_T),
	     sdxi_ufile_lock_ptr(uf), struct sdxi_ufile *uf)

#endif /* _SDXI_USER_FILE_H */
