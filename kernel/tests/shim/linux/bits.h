/* SPDX-License-Identifier: GPL-2.0 */
/* Host compat shim for <linux/bits.h>. */
#ifndef _SDXI_SHIM_BITS_H
#define _SDXI_SHIM_BITS_H

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))

#endif
