/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Window helpers shared by the window tests of pinned and SVA contexts
 * (user_windows.c, user_sva.c): one file with one context, the window
 * ioctls, a COPY naming a key per address, and passing a descriptor over a
 * Unix socket.  Include after sdxi_common.h.
 */
#ifndef SDXI_WINDOWS_COMMON_H
#define SDXI_WINDOWS_COMMON_H

#include <sys/socket.h>

#define WINDOW_WAIT_MS	5000

/* One open file with one context. */
struct side {
	int fd;
	struct uctx x;
};

static inline int side_open(struct side *s, unsigned int entries)
{
	s->fd = open(SDXI_DEV, O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		return -errno;
	return uctx_create(s->fd, 0, entries, &s->x);
}

/* side_open() with CREATE_CONTEXT.isolation = @iso. */
static inline int side_open_iso(struct side *s, uint32_t iso)
{
	s->fd = open(SDXI_DEV, O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		return -errno;
	return uctx_create_mode(s->fd, 0, 0, iso, &s->x);
}

static inline void side_close(struct side *s)
{
	uctx_unmap(&s->x);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static inline uint32_t cid(const struct side *s)
{
	return s->x.c.out_context_id;
}

static inline int export_window(struct side *s, void *va, uint64_t len,
				uint32_t flags, int *wfd, uint32_t *wid)
{
	struct sdxi_export_window e = {
		.size = sizeof(e), .flags = flags, .context_id = cid(s),
		.vaddr = (uintptr_t)va, .length = len,
	};
	int ret = sdxi_ioc(s->fd, SDXI_IOC_EXPORT_WINDOW, &e);

	if (!ret) {
		*wfd = e.out_fd;
		if (wid)
			*wid = e.out_window_id;
	}
	return ret;
}

static inline int revoke_window(struct side *s, uint32_t wid)
{
	struct sdxi_window_cmd c = {
		.size = sizeof(c), .context_id = cid(s), .window_id = wid,
	};

	return sdxi_ioc(s->fd, SDXI_IOC_REVOKE_WINDOW, &c);
}

static inline int import_window(struct side *s, int wfd, struct sdxi_import_window *i)
{
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	i->context_id = cid(s);
	i->fd = wfd;
	return sdxi_ioc(s->fd, SDXI_IOC_IMPORT_WINDOW, i);
}

static inline int unimport_window(struct side *s, uint16_t akey)
{
	struct sdxi_unimport_window u = {
		.size = sizeof(u), .context_id = cid(s), .akey = akey,
	};

	return sdxi_ioc(s->fd, SDXI_IOC_UNIMPORT_WINDOW, &u);
}

/* One COPY with a key per address; 0, or -EIO when the context failed. */
static inline int copy2(struct side *s, uint64_t src, uint16_t skey,
			uint64_t dst, uint16_t dkey, uint32_t len)
{
	union sdxi_desc d;

	dsc_copy(&d, src, dst, len, skey);
	d.copy.akey1 = dkey;
	uctx_submit(&s->x, &d, 1);
	return uctx_wait(&s->x, s->x.w, WINDOW_WAIT_MS);
}

static inline int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char b = 'w';
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

static inline int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

#endif /* SDXI_WINDOWS_COMMON_H */
