/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Limits of user contexts: what each file and user may hold (quota.c).
 */
#ifndef _SDXI_QUOTA_H
#define _SDXI_QUOTA_H

#include <linux/types.h>

#include "user.h"

u64 sdxi_user_max_buffer(void);
unsigned int sdxi_user_contexts_max(struct sdxi_udev *ud);
unsigned int sdxi_user_contexts_free(struct sdxi_ufile *uf);
int sdxi_user_charge(struct sdxi_udev *ud, struct sdxi_uacct *facct,
		     struct sdxi_uacct *uacct, enum sdxi_ures r, u64 n);
void sdxi_user_uncharge(struct sdxi_udev *ud, struct sdxi_uacct *facct,
			struct sdxi_uacct *uacct, enum sdxi_ures r, u64 n);
int sdxi_user_charge_pinned(struct sdxi_udev *ud, struct mm_struct *mm,
			    struct sdxi_uacct *facct, struct sdxi_uacct *uacct,
			u64 bytes);
void sdxi_user_uncharge_pinned(struct sdxi_udev *ud, struct mm_struct *mm,
			       struct sdxi_uacct *facct, struct sdxi_uacct *uacct,
			   u64 bytes);
struct sdxi_uacct *sdxi_uacct_file_new(void);
struct sdxi_uacct *sdxi_uacct_user_get(struct sdxi_udev *ud, kuid_t uid);
struct sdxi_uacct *sdxi_uacct_hold(struct sdxi_uacct *a);
void sdxi_uacct_put(struct sdxi_udev *ud, struct sdxi_uacct *a);
void sdxi_quota_debugfs(struct sdxi_udev *ud);

#endif /* _SDXI_QUOTA_H */
