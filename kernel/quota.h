/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Limits of user contexts: what each file and user may hold (quota.c).
 */
#ifndef _SDXI_QUOTA_H
#define _SDXI_QUOTA_H

#include <linux/types.h>

#include "user.h"

u64 sdxi_umax_buffer(void);
unsigned int sdxi_ucontexts_max(struct sdxi_udev *ud);
unsigned int sdxi_ucontexts_free(struct sdxi_ufile *uf);
int sdxi_ucharge(struct sdxi_udev *ud, struct sdxi_uacct *facct,
		 struct sdxi_uacct *uacct, enum sdxi_ures r, u64 n);
void sdxi_uuncharge(struct sdxi_udev *ud, struct sdxi_uacct *facct,
		    struct sdxi_uacct *uacct, enum sdxi_ures r, u64 n);
int sdxi_ucharge_pinned(struct sdxi_udev *ud, struct mm_struct *mm,
			struct sdxi_uacct *facct, struct sdxi_uacct *uacct,
			u64 bytes);
void sdxi_uuncharge_pinned(struct sdxi_udev *ud, struct mm_struct *mm,
			   struct sdxi_uacct *facct, struct sdxi_uacct *uacct,
			   u64 bytes);
struct sdxi_uacct *sdxi_uacct_file_new(void);
struct sdxi_uacct *sdxi_uacct_user_get(struct sdxi_udev *ud, kuid_t uid);
struct sdxi_uacct *sdxi_uacct_hold(struct sdxi_uacct *a);
void sdxi_uacct_put(struct sdxi_udev *ud, struct sdxi_uacct *a);
void sdxi_uquota_debugfs(struct sdxi_udev *ud);

#endif /* _SDXI_QUOTA_H */
