// SPDX-License-Identifier: MIT
/*
 * Out-of-line copies of functions that are inline in the headers, for
 * binaries built when they were not, and for language bindings that
 * cannot use inline functions.
 */
#define sdxi_memcpy sdxi__memcpy_inline
#include "internal.h"
#undef sdxi_memcpy

SDXI_EXPORT int sdxi_memcpy(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n);

SDXI_EXPORT int sdxi_memcpy(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n)
{
	return sdxi__memcpy_inline(ctx, dst, src, n);
}
