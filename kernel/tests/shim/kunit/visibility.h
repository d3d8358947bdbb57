/* SPDX-License-Identifier: GPL-2.0 */
/* Host compat shim: no KUnit exports outside the kernel. */
#ifndef _SDXI_SHIM_KUNIT_VISIBILITY_H
#define _SDXI_SHIM_KUNIT_VISIBILITY_H

#define EXPORT_SYMBOL_IF_KUNIT(symbol)

#endif
