/* SPDX-License-Identifier: GPL-2.0 */
/* The dmaengine provider (dma.c), registered by the bus glue. */
#ifndef _SDXI_DMA_H
#define _SDXI_DMA_H

struct sdxi_fn;

int sdxi_dma_register(struct sdxi_fn *sdxi);
void sdxi_dma_exit(void);

#endif /* _SDXI_DMA_H */
