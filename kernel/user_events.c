// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN events: poll() reports completion interrupts not yet read,
 * contexts in error and the function's removal; read() returns and clears
 * the count of completion interrupts (Documentation/uapi.rst "Events").
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/uaccess.h>

#include "user_events.h"
#include "user.h"

/**
 * sdxi_user_poll() - &file_operations.poll of /dev/sdxiN
 * @f: the file
 * @wait: poll table
 *
 * Return: EPOLLIN for unread completion interrupts, EPOLLPRI | EPOLLERR for
 * a context in error, EPOLLHUP | EPOLLERR once the function was removed.
 */
__poll_t sdxi_user_poll(struct file *f, poll_table *wait)
{
	struct sdxi_ufile *uf = f->private_data;
	__poll_t mask = 0;

	poll_wait(f, &uf->wq, wait);
	if (atomic64_read(&uf->events))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (atomic_read(&uf->nr_in_error))
		mask |= EPOLLPRI | EPOLLERR;
	if (!READ_ONCE(uf->udev->sdxi))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

/**
 * sdxi_user_read() - &file_operations.read of /dev/sdxiN
 * @f: the file
 * @buf: where the count goes (a u64)
 * @len: its size
 * @ppos: unused
 *
 * Return: 8 (the number of completion interrupts since the last read) or
 * a negative errno.
 */
ssize_t sdxi_user_read(struct file *f, char __user *buf, size_t len,
		       loff_t *ppos)
{
	struct sdxi_ufile *uf = f->private_data;
	u64 v;
	int err;

	if (current->mm != uf->mm)
		return -EPERM;
	if (len < sizeof(v))
		return -EINVAL;
	while (!(v = atomic64_xchg(&uf->events, 0))) {
		if (!READ_ONCE(uf->udev->sdxi))
			return -ENODEV;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(uf->wq,
					       atomic64_read(&uf->events) ||
					       !READ_ONCE(uf->udev->sdxi));
		if (err)
			return err;
	}
	if (put_user(v, (u64 __user *)buf)) {
		atomic64_add(v, &uf->events);
		return -EFAULT;
	}
	return sizeof(v);
}
