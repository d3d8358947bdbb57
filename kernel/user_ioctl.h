/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/sdxiN ioctls (user_ioctl.c).
 */
#ifndef _SDXI_USER_IOCTL_H
#define _SDXI_USER_IOCTL_H

struct file;

long sdxi_user_ioctl(struct file *f, unsigned int cmd, unsigned long arg);

#endif /* _SDXI_USER_IOCTL_H */
