/* SPDX-License-Identifier: GPL-2.0 */
/* sysfs attributes of a function (sysfs.c), installed by the bus glue. */
#ifndef _SDXI_SYSFS_H
#define _SDXI_SYSFS_H

struct attribute_group;

extern const struct attribute_group *sdxi_groups[];

#endif /* _SDXI_SYSFS_H */
