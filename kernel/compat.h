/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels sdxi.ko builds against: Debian stable's
 * 6.12 LTS and the latest stable (7.3).  Each shim names the kernel change
 * it covers; the driver uses the shim's name and never tests the version
 * itself.  A shim goes when the oldest supported kernel has the change.
 */
#ifndef _SDXI_COMPAT_H
#define _SDXI_COMPAT_H

#include <linux/slab.h>
#include <linux/version.h>

/*
 * SDXI_IMPORT_NS(ns): MODULE_IMPORT_NS() of a symbol namespace named by a
 * bare identifier.  Since 6.13 ("module: Convert symbol namespace to
 * string literal", commit cdd30ebb1b9f) namespaces are string literals;
 * 6.12 stringifies its argument itself.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define SDXI_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#else
#define SDXI_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#endif

/*
 * SDXI_DMA_BUF_INVALIDATE: the member of struct dma_buf_attach_ops that an
 * exporter calls before it moves a buffer.  7.1 renamed it from
 * move_notify to invalidate_mappings ("dma-buf: Rename .move_notify()
 * callback to a clearer identifier"); its signature did not change.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 0)
#define SDXI_DMA_BUF_INVALIDATE	invalidate_mappings
#else
#define SDXI_DMA_BUF_INVALIDATE	move_notify
#endif

/*
 * kzalloc_obj(P, gfp): a zeroed allocation the size of typeof(P): the
 * typed allocators of "slab: Introduce kmalloc_obj() and family", which
 * 6.12 does not have (there the result is void *, assigned unchecked).
 * Only the form with the gfp argument is covered.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

/*
 * SDXI_SVA_REFUSED: iommu_sva_bind_device() refuses every bind on this
 * kernel.  Linux 6.12.y on x86 returns -EOPNOTSUPP before anything else
 * ("iommu: Disable SVA when CONFIG_X86 is set", backported because the
 * IOTLB was not flushed when kernel page tables were freed); the kernels
 * with iommu_sva_invalidate_kva_range() bind again (checked: 7.3).
 */
#if IS_ENABLED(CONFIG_X86) && LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#define SDXI_SVA_REFUSED	1
#else
#define SDXI_SVA_REFUSED	0
#endif

#endif /* _SDXI_COMPAT_H */
