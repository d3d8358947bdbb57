/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/sdxiN: the character device of a function (cdev.c).
 */
#ifndef _SDXI_CDEV_H
#define _SDXI_CDEV_H

struct sdxi_fn;

int sdxi_cdev_init(void);
void sdxi_cdev_exit(void);
int sdxi_cdev_register(struct sdxi_fn *sdxi);
void sdxi_cdev_remove(struct sdxi_fn *sdxi);

#endif /* _SDXI_CDEV_H */
