/* SPDX-License-Identifier: GPL-2.0 */
/* Host compat shim for <linux/array_size.h>. */
#ifndef _SDXI_SHIM_ARRAY_SIZE_H
#define _SDXI_SHIM_ARRAY_SIZE_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
