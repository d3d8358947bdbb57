/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/sdxiN poll() and read() (user_events.c).
 */
#ifndef _SDXI_USER_EVENTS_H
#define _SDXI_USER_EVENTS_H

#include <linux/poll.h>
#include <linux/types.h>

struct file;

__poll_t sdxi_user_poll(struct file *f, poll_table *wait);
ssize_t sdxi_user_read(struct file *f, char __user *buf, size_t len,
		       loff_t *ppos);

#endif /* _SDXI_USER_EVENTS_H */
