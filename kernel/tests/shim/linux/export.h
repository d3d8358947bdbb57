/* SPDX-License-Identifier: GPL-2.0 */
/* Host compat shim: symbol exports mean nothing outside the kernel. */
#ifndef _SDXI_SHIM_EXPORT_H
#define _SDXI_SHIM_EXPORT_H
#endif
