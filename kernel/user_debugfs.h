/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debugfs of /dev/sdxiN (user_debugfs.c).
 */
#ifndef _SDXI_USER_DEBUGFS_H
#define _SDXI_USER_DEBUGFS_H

struct dentry;
struct sdxi_udev;
struct sdxi_uctx;

void sdxi_udev_debugfs_add(struct sdxi_udev *ud, struct dentry *root);
void sdxi_uctx_debugfs_add(struct sdxi_uctx *u);

#endif /* _SDXI_USER_DEBUGFS_H */
