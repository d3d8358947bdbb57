/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the function reaches on a user context's behalf: PASID, domain,
 * pinned memory, dma-buf imports (mem.c).
 */
#ifndef _SDXI_MEM_H
#define _SDXI_MEM_H

#include <linux/types.h>

#include "user.h"

extern const struct sdxi_cxt_mem_ops sdxi_user_mem_ops;
int sdxi_user_as_init(struct sdxi_uctx *u);
void sdxi_user_as_release(struct sdxi_uctx *u);
bool sdxi_user_sva_available(struct sdxi_udev *ud);
int sdxi_user_mem_init(void);
void sdxi_user_mem_exit(void);
struct sdxi_usva *sdxi_user_sva_bind(struct sdxi_ufile *uf);
u32 sdxi_user_sva_pasid(struct sdxi_usva *s);
void sdxi_user_sva_unbind(struct sdxi_usva *s);
int sdxi_user_map_mem(struct sdxi_ufile *uf, u32 id, u64 va, u64 len, u32 flags,
		      u64 *iova);
int sdxi_user_unmap_mem(struct sdxi_uctx *u, u64 va, u64 len);
int sdxi_user_map_dmabuf(struct sdxi_uctx *u, int fd, u64 offset, u64 len,
			 u64 iova, u32 flags);
int sdxi_user_unmap_dmabuf(struct sdxi_uctx *u, u64 iova);
#if IS_ENABLED(CONFIG_SDXI_TEST)
void sdxi_dmabuf_move_all(struct sdxi_udev *ud, bool remap);
#endif
u64 sdxi_user_region_iova(enum sdxi_cxt_region r);
struct iommu_domain;
struct page;
int sdxi_iommu_map_pages(struct iommu_domain *dom, u64 iova,
			 struct page **pages, unsigned long n, int prot);
int sdxi_pin_user_range(u64 va, unsigned long n, unsigned int gup,
			struct page **pages);

#endif /* _SDXI_MEM_H */
