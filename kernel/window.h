/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Windows: a range of one context's registered memory that contexts of
 * other processes reach through AKeys (window.c; Documentation/uapi.rst
 * "Windows").
 */
#ifndef _SDXI_WINDOW_H
#define _SDXI_WINDOW_H

#include <linux/types.h>

#include "user.h"

int sdxi_window_export(struct sdxi_ufile *uf, u32 id, u64 va, u64 len,
		       u32 flags, s32 *fd, u32 *window_id);
int sdxi_window_revoke_by_id(struct sdxi_ufile *uf, u32 id, u32 window_id);
int sdxi_window_import(struct sdxi_ufile *uf, u32 id, int fd, u16 *akey,
		       u16 *flags, u64 *base, u64 *len);
int sdxi_window_unimport(struct sdxi_ufile *uf, u32 id, u16 akey);
void sdxi_window_revoke_map(struct sdxi_uctx *u, struct sdxi_umap *m);
void sdxi_window_ctx_teardown(struct sdxi_uctx *u);

#endif /* _SDXI_WINDOW_H */
