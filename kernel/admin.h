/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Admin-context operations (admin.c; SDXI 1.0 6.3): context start,
 * stop and update, with a DSC_SYNC each, and the NOP round trip.  The
 * double-underscore ones are called with &sdxi_dev.adm_lock held.
 */
#ifndef _SDXI_ADMIN_H
#define _SDXI_ADMIN_H

#include <linux/types.h>

struct sdxi_fn;

int __sdxi_admin_cxt_start(struct sdxi_fn *sdxi, u16 id, bool resume);
int __sdxi_admin_cxt_stop(struct sdxi_fn *sdxi, u16 id);
int __sdxi_admin_cxt_update(struct sdxi_fn *sdxi, u16 id);
int sdxi_admin_nop(struct sdxi_fn *sdxi);
int __sdxi_admin_akey_sync(struct sdxi_fn *sdxi, u16 id);

#endif /* _SDXI_ADMIN_H */
