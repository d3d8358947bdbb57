/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host compat shim: the kernel's <linux/types.h> on top of the UAPI one,
 * so the driver's pure files (descriptor.c, hwstruct.c, ring.h) build in
 * plain C11 host tests.
 */
#ifndef _SDXI_SHIM_TYPES_H
#define _SDXI_SHIM_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef uint64_t dma_addr_t;

#endif
