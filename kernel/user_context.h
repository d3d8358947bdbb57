/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User contexts of /dev/sdxiN: the object and its lifetime
 * (user_context.c).
 */
#ifndef _SDXI_USER_CONTEXT_H
#define _SDXI_USER_CONTEXT_H

#include <linux/types.h>

#include "user.h"

/* Module parameter: user contexts without an IOMMU, for CAP_SYS_RAWIO. */
extern bool allow_unsafe_noiommu;

struct sdxi_uctx *sdxi_uctx_create(struct sdxi_ufile *uf, u32 entries,
				   bool intr, struct sdxi_usva *sva);
void sdxi_uctx_destroy(struct sdxi_uctx *u);
void sdxi_uctx_release(void *priv);
void sdxi_uctx_put(struct sdxi_uctx *u);
void sdxi_uctx_clear_error(struct sdxi_uctx *u);
u64 sdxi_user_region_size(struct sdxi_uctx *u, unsigned int r);
struct sdxi_uctx *sdxi_uctx_get_by_id(struct sdxi_udev *ud, u32 id,
				      struct sdxi_ufile **ufp);

#endif /* _SDXI_USER_CONTEXT_H */
