/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/sdxiN mappings: mmap, fault, revocation (user_mmap.c).
 */
#ifndef _SDXI_USER_MMAP_H
#define _SDXI_USER_MMAP_H

#include <linux/types.h>

struct file;
struct sdxi_uctx;
struct vm_area_struct;

int sdxi_user_mmap(struct file *f, struct vm_area_struct *vma);
void sdxi_uctx_revoke(struct sdxi_uctx *u, bool keep, bool removed);

#endif /* _SDXI_USER_MMAP_H */
