/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the function reaches on a user context's behalf: PASID, domain,
 * pinned memory, dma-buf imports (mem.c).
 */
#ifndef _SDXI_MEM_H
#define _SDXI_MEM_H

#include <linux/types.h>

#include "user.h"

extern const struct sdxi_cxt_mem_ops sdxi_umem_ops;
int sdxi_uas_init(struct sdxi_uctx *u);
void sdxi_uas_release(struct sdxi_uctx *u);
int sdxi_umap_mem(struct sdxi_ufile *uf, u32 id, u64 va, u64 len, u32 flags,
		  u64 *iova);
int sdxi_uunmap_mem(struct sdxi_uctx *u, u64 va, u64 len);
int sdxi_umap_dmabuf(struct sdxi_uctx *u, int fd, u64 offset, u64 len,
		     u64 iova, u32 flags);
int sdxi_uunmap_dmabuf(struct sdxi_uctx *u, u64 iova);
#if IS_ENABLED(CONFIG_SDXI_TEST)
void sdxi_udmabuf_move_all(struct sdxi_udev *ud, bool remap);
#endif
u64 sdxi_uregion_iova(enum sdxi_cxt_region r);

#endif /* _SDXI_MEM_H */
