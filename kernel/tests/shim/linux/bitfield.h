/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host compat shim for <linux/bitfield.h> and the byte-order helpers it
 * brings in.  FIELD_* work on in-place masks like the kernel's; the
 * kernel's compile-time mask checks are left out.
 */
#ifndef _SDXI_SHIM_BITFIELD_H
#define _SDXI_SHIM_BITFIELD_H

#include <asm/byteorder.h>
#include <linux/types.h>

#define __sdxi_lsb(mask)	((mask) & ~((mask) - 1))
#define FIELD_PREP(mask, val) \
	((__typeof__(mask))(((__typeof__(mask))(val) * __sdxi_lsb(mask)) & (mask)))
#define FIELD_GET(mask, reg) \
	((__typeof__(mask))(((reg) & (mask)) / __sdxi_lsb(mask)))
#define FIELD_MAX(mask)		((mask) / __sdxi_lsb(mask))

#endif
