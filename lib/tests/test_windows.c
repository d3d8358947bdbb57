// SPDX-License-Identifier: MIT
/*
 * Windows between processes, with two real processes: a forked exporter
 * (which registers a buffer, exports its middle with some rights, sends
 * the window descriptor with SCM_RIGHTS and then obeys commands on the
 * socket) and this process as the importer.  Without AF_UNIX (the 7.3
 * debug kernel has no networking) the commands go through pipes and this
 * process takes the descriptor with pidfd_getfd(): the same capability
 * handed over another way.  Functional cases (both
 * directions, fill, atomics, batches mixing local and remote descriptors
 * across a ring wrap, several importers) and attacks (a read-only window
 * written, one byte past either end, use after revocation and after the
 * exporter's exit, descriptors the library would refuse, bad
 * descriptors, nothing leaked).  On any device: the software device, or
 * /dev/sdxiN in the VM (SKIP where the kernel offers no windows).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define XBUF	(64u << 10)		/* the exporter's registered buffer */
#define WOFF	4096u			/* the window: [WOFF, WOFF + WLEN) of it */
#define WLEN	(32u << 10)
#define SEED	7

struct wfx {
	pid_t pid;			/* the exporter */
	int rd;				/* from the exporter */
	int wr;				/* to the exporter */
	bool pipes;			/* no AF_UNIX: pipes and pidfd_getfd() */
	int fd;				/* the window descriptor received */
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	uint8_t *buf;			/* the importer's registered buffer */
	uint64_t iova;
};

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int read_all(int fd, void *p, size_t n);

static int send_fd(int sock, int fd, bool pipes)
{
	char c = 'F', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	if (pipes) {
		char msg[1 + sizeof(int)] = { 'P' };

		memcpy(msg + 1, &fd, sizeof(int));
		return write(sock, msg, sizeof(msg)) == (ssize_t)sizeof(msg) ? 0 : -1;
	}
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

/* Take descriptor @num of process @pid (pidfd_getfd()), or -errno. */
static int take_fd(pid_t pid, int num)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), fd;

	if (pidfd < 0)
		return -errno;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
	fd = fd < 0 ? -errno : fd;
	close(pidfd);
	return fd;
}

/* The descriptor sent, or -errno of the exporter's failure (sent as a byte). */
static int recv_fd(int sock, bool pipes, pid_t pid)
{
	char c = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h;
	int fd;

	if (pipes) {
		if (read(sock, &c, 1) != 1)
			return -EIO;
		if (c == 'P')
			return read_all(sock, &fd, sizeof(fd)) ? -EIO : take_fd(pid, fd);
	} else if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1) {
		return -EIO;
	}
	h = pipes ? NULL : CMSG_FIRSTHDR(&m);
	if ((c != 'F' && c != 'P') || (!pipes && (!h || h->cmsg_type != SCM_RIGHTS))) {
		char step = '?';

		if (read(sock, &step, 1) == 1)
			printf("# exporter failed at %s\n", step == 'o' ? "sdxi_dev_open()" :
			       step == 'c' ? "sdxi_ctx_create()" : step == 'r' ?
			       "sdxi_mem_register()" : "sdxi_mem_export()");
		return -(int)(unsigned char)c;
	}
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k <= 0)
			_exit(3);
		c += k;
		n -= (size_t)k;
	}
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n) {
		ssize_t k = read(fd, c, n);

		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * A pinned context (windows are exported from registrations; an SVA
 * context, the default where the kernel offers SVA, has none).
 */
static int pinned_ctx(struct sdxi_dev *dev, uint32_t entries, struct sdxi_ctx **ctx)
{
	struct sdxi_ctx_opts o = { .ring_entries = entries, .mode = SDXI_CTX_MODE_PINNED };

	return dev ? sdxi_ctx_create(dev, &o, ctx) : -ENODEV;
}

/* In @rights of exporter(): export from an SVA context, nothing registered. */
#define EXP_SVA	(1u << 8)

/*
 * The exporter: buffer patterned with SEED, registered read-write (not at
 * all with EXP_SVA), window with @rights.  Commands: R revoke (answers
 * k), D dump the buffer, X exit at once, Q clean up and exit.
 */
static void exporter(int rd, int sock, unsigned int rights, bool pipes)
{
	struct sdxi_ctx_opts sva = { .mode = SDXI_CTX_MODE_SVA };
	struct sdxi_window *w = NULL;
	struct sdxi_ctx *ctx = NULL;
	struct sdxi_dev *dev = NULL;
	uint8_t *buf = test_buf(XBUF);
	const char *name = getenv("SDXI_DEVICE");
	int ret = sdxi_dev_open(name ? name : "soft", &dev);
	char cmd, step = 'o';

	if (!ret && (step = 'c'))
		ret = (rights & EXP_SVA) ? sdxi_ctx_create(dev, &sva, &ctx) : pinned_ctx(dev, 0, &ctx);
	if (!ret && buf && (step = 'r')) {
		test_pattern(buf, XBUF, SEED);
		if (!(rights & EXP_SVA))
			ret = sdxi_mem_register(ctx, buf, XBUF, SDXI_MEM_READ | SDXI_MEM_WRITE);
	}
	if (!ret && (step = 'e'))
		ret = sdxi_mem_export(ctx, buf + WOFF, WLEN, rights & ~EXP_SVA, &w);
	if (ret) {
		char c[2] = { (char)-ret, step };

		write_all(sock, c, 2);
		_exit(1);
	}
	send_fd(sock, sdxi_window_fd(w), pipes);
	while (read(rd, &cmd, 1) == 1) {
		if (cmd == 'R') {
			sdxi_window_close(w);
			w = NULL;
			write_all(sock, "k", 1);
		} else if (cmd == 'D') {
			write_all(sock, buf, XBUF);
		} else if (cmd == 'X') {
			_exit(0);
		} else {
			break;
		}
	}
	if (w)
		sdxi_window_close(w);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	_exit(0);
}

/*
 * Fork an exporter with @rights and set up this process's context and
 * buffer.  1, or 0 after SKIP (no windows on this device).
 */
static int wfx_up(struct wfx *f, unsigned int rights, uint32_t entries)
{
	const char *force = getenv("SDXI_TEST_WINDOW_PIPES");
	int sv[2], up[2] = { -1, -1 };

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->rd = f->wr = -1;
	signal(SIGPIPE, SIG_IGN);
	f->pipes = (force && *force == '1') ||
		   socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	if (f->pipes && (pipe2(sv, O_CLOEXEC) || pipe2(up, O_CLOEXEC)))
		return 0;
	fflush(stdout);
	f->pid = fork();
	if (f->pid == 0) {
		if (f->pipes) {
			close(sv[0]);
			close(up[1]);
			exporter(up[0], sv[1], rights, true);
		}
		close(sv[0]);
		exporter(sv[1], sv[1], rights, false);
	}
	close(sv[1]);
	f->rd = sv[0];
	f->wr = sv[0];
	if (f->pipes) {
		close(up[0]);
		f->wr = up[1];
	}
	f->fd = recv_fd(f->rd, f->pipes, f->pid);
	f->dev = test_dev();
	if (pinned_ctx(f->dev, entries, &f->ctx))
		f->ctx = NULL;
	f->buf = test_buf(XBUF);
	if (f->ctx && f->buf) {
		test_register(f->ctx, f->buf, XBUF);
		sdxi_mem_iova(f->ctx, f->buf, XBUF, SDXI_MEM_READ | SDXI_MEM_WRITE, &f->iova);
	}
	return f->fd >= 0 && f->ctx && f->buf;
}

static void wfx_down(struct wfx *f)
{
	int st;

	if (f->wr >= 0) {
		(void)!write(f->wr, "Q", 1);
		close(f->wr);
	}
	if (f->rd >= 0 && f->rd != f->wr)
		close(f->rd);
	if (f->pid > 0)
		waitpid(f->pid, &st, 0);
	if (f->fd >= 0)
		close(f->fd);
	sdxi_ctx_destroy(f->ctx);
	sdxi_dev_close(f->dev);
	test_buf_free(f->buf, XBUF);
}

/* The exporter's buffer as it is now.  0 or -1. */
static int dump(struct wfx *f, uint8_t *out)
{
	if (write(f->wr, "D", 1) != 1)
		return -1;
	return read_all(f->rd, out, XBUF);
}

static int cmd_ack(struct wfx *f, char c)
{
	char k = 0;

	return write(f->wr, &c, 1) == 1 && read(f->rd, &k, 1) == 1 && k == 'k' ? 0 : -1;
}

/* Why wfx_up() failed: SKIP for a device without windows. */
#define WFX_UP(f, rights, entries)						\
	do {									\
		if (!wfx_up(f, rights, entries)) {				\
			int _e = (f)->fd;					\
			wfx_down(f);						\
			if (_e == -EOPNOTSUPP)					\
				SKIP("no windows on this device");		\
			printf("# set-up: %s\n", strerror(_e < 0 ? -_e : EIO));	\
			REQUIRE(0);						\
		}								\
	} while (0)

/* One descriptor of a batch through a helper, submitted and waited for. */
#define RUN1(ctx, call, errp)							\
	({									\
		struct sdxi_batch _b;						\
		uint64_t _t = 0;						\
		int _r = sdxi_batch_start(ctx, &_b, 2, SDXI_BATCH_WAIT);	\
		if (!_r)							\
			_r = (call);						\
		if (!sdxi_batch_submit(&_b, &_t) && !_r)			\
			_r = sdxi_wait(ctx, _t, NULL, errp);			\
		_r;								\
	})

/* A raw COPY naming the window's AKey (what the library would refuse). */
static int raw_copy(struct sdxi_ctx *ctx, uint64_t dst, uint16_t dkey, uint64_t src,
		    uint16_t skey, uint64_t len, struct sdxi_error *err)
{
	struct sdxi_desc_attr a = { .akey0 = skey, .akey1 = dkey };
	union sdxi_desc d;
	int ret = sdxi_prep_copy(&d, &a, dst, src, len);

	return ret ? ret : RUN1(ctx, sdxi_batch_add(&_b, &d, 0), err);
}

static int import(struct wfx *f, struct sdxi_remote **rem, struct sdxi_remote_info *ri)
{
	int ret = sdxi_mem_import(f->ctx, f->fd, rem);

	if (!ret)
		sdxi_remote_info(*rem, ri);
	return ret;
}

TEST(window_both_directions_fill_and_atomic)
{
	uint8_t *x = test_buf(XBUF);
	struct sdxi_remote_info ri;
	struct sdxi_remote *rem;
	struct wfx f;
	uint64_t old = 0, v;

	WFX_UP(&f, SDXI_MEM_READ | SDXI_MEM_WRITE, 0);
	REQUIRE(x);
	CHECK_ERR(import(&f, &rem, &ri), 0);
	CHECK_EQ(ri.length, WLEN);
	CHECK_EQ(ri.rights, SDXI_MEM_READ | SDXI_MEM_WRITE);
	/* Read: the whole window lands in our buffer. */
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, rem, 0, WLEN, 0), NULL), 0);
	REQUIRE(!dump(&f, x));
	CHECK(!memcmp(f.buf, x + WOFF, WLEN));
	/* Write: our pattern lands in the window and nowhere else. */
	test_pattern(f.buf, XBUF, 99);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_to_remote(&_b, rem, 100, f.iova, 5000, 0), NULL), 0);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_fill_remote(&_b, rem, 8192, 0x1122334455667788ULL, 200,
						     0), NULL), 0);
	REQUIRE(!dump(&f, x));
	CHECK(!memcmp(x + WOFF + 100, f.buf, 5000));
	memcpy(&v, x + WOFF + 8192 + 64, 8);
	CHECK_EQ(v, 0x1122334455667788ULL);
	/* Atomic add at offset 16384, old value returned into our buffer. */
	memcpy(&v, x + WOFF + 16384, 8);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_atomic_remote(&_b, SDXI_DSC_ATOMIC_UADD, 8, rem, 16384,
						       f.iova + 128, 5, 0, 0), NULL), 0);
	memcpy(&old, f.buf + 128, 8);
	CHECK_EQ(old, v);
	REQUIRE(!dump(&f, x));
	memcpy(&old, x + WOFF + 16384, 8);
	CHECK_EQ(old, v + 5);
	sdxi_remote_close(rem);
	test_buf_free(x, XBUF);
	wfx_down(&f);
}

TEST(window_read_only_refuses_writes)
{
	uint8_t *x = test_buf(XBUF), *ref = test_buf(XBUF);
	struct sdxi_remote_info ri;
	struct sdxi_remote *rem;
	struct sdxi_error e = { 0 };
	struct wfx f;

	WFX_UP(&f, SDXI_MEM_READ, 0);
	REQUIRE(x && ref);
	CHECK_ERR(import(&f, &rem, &ri), 0);
	CHECK_EQ(ri.rights, SDXI_MEM_READ);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, rem, 0, 4096, 0), NULL), 0);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_to_remote(&_b, rem, 0, f.iova, 64, 0), NULL),
		  -EACCES);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_fill_remote(&_b, rem, 0, 0, 64, 0), NULL), -EACCES);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_atomic_remote(&_b, SDXI_DSC_ATOMIC_UADD, 8, rem, 0, 0,
						       1, 0, 0), NULL), -EACCES);
	/* The device refuses the write the library would not encode. */
	CHECK_ERR(raw_copy(f.ctx, ri.base, ri.akey, f.iova, 0, 64, &e), -EFAULT);
	CHECK_EQ(e.reason, SDXI_ERR_XLATE);
	CHECK_EQ(e.step, SDXI_STEP_DATA);
	CHECK_EQ(e.addr, ri.base);
	sdxi_ctx_reset(f.ctx);
	test_pattern(ref, XBUF, SEED);
	REQUIRE(!dump(&f, x));
	CHECK(!memcmp(x, ref, XBUF));
	sdxi_remote_close(rem);
	test_buf_free(x, XBUF);
	test_buf_free(ref, XBUF);
	wfx_down(&f);
}

TEST(window_one_byte_past_either_end)
{
	uint8_t *x = test_buf(XBUF), *ref = test_buf(XBUF);
	struct sdxi_remote_info ri;
	struct sdxi_remote *rem;
	struct sdxi_error e = { 0 };
	struct wfx f;

	WFX_UP(&f, SDXI_MEM_READ | SDXI_MEM_WRITE, 0);
	REQUIRE(x && ref);
	CHECK_ERR(import(&f, &rem, &ri), 0);
	/* The library: exactly [0, length). */
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, rem, 0, WLEN + 1, 0),
		       NULL), -ERANGE);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, rem, 1, WLEN, 0), NULL),
		  -ERANGE);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_to_remote(&_b, rem, WLEN, f.iova, 1, 0), NULL),
		  -ERANGE);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_to_remote(&_b, rem, UINT64_MAX, f.iova, 2, 0),
		       NULL), -ERANGE);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, rem, 0, WLEN, 0), NULL), 0);
	/* The device: one byte before and one after, though mapped there. */
	CHECK_ERR(raw_copy(f.ctx, f.iova, 0, ri.base - 1, ri.akey, 2, &e), -EFAULT);
	CHECK_EQ(e.reason, SDXI_ERR_XLATE);
	CHECK_EQ(e.step, SDXI_STEP_DATA);
	sdxi_ctx_reset(f.ctx);
	CHECK_ERR(raw_copy(f.ctx, ri.base + WLEN - 1, ri.akey, f.iova, 0, 2, &e), -EFAULT);
	CHECK_EQ(e.reason, SDXI_ERR_XLATE);
	sdxi_ctx_reset(f.ctx);
	/*
	 * Nothing outside the window changed.  The window's last byte may
	 * have: a device may write the part of a failing copy it could
	 * translate (the kernel's does, page by page; the software device
	 * checks the whole range first).
	 */
	test_pattern(ref, XBUF, SEED);
	REQUIRE(!dump(&f, x));
	x[WOFF + WLEN - 1] = ref[WOFF + WLEN - 1];
	CHECK(!memcmp(x, ref, XBUF));
	sdxi_remote_close(rem);
	test_buf_free(x, XBUF);
	test_buf_free(ref, XBUF);
	wfx_down(&f);
}

/* A copy from the window now fails at its AKey in our context. */
static void check_gone(struct wfx *f, struct sdxi_remote *rem)
{
	struct sdxi_error e = { 0 };
	struct sdxi_remote *again = NULL;

	CHECK_ERR(RUN1(f->ctx, sdxi_batch_copy_from_remote(&_b, f->iova, rem, 0, 64, 0), &e),
		  -EINVAL);
	CHECK_EQ(e.reason, SDXI_ERR_AKEY_INVALID);
	CHECK_EQ(e.step, SDXI_STEP_AKEY);
	CHECK_ERR(sdxi_ctx_reset(f->ctx), 0);
	CHECK_ERR(sdxi_mem_import(f->ctx, f->fd, &again), -EKEYREVOKED);
	/* Our own memory still works. */
	CHECK_ERR(RUN1(f->ctx, sdxi_batch_copy(&_b, f->iova, f->iova + 8192, 64, 0), NULL), 0);
}

TEST(window_use_after_revoke_fails_in_importer)
{
	struct sdxi_remote_info ri;
	struct sdxi_remote *rem;
	struct wfx f;

	WFX_UP(&f, SDXI_MEM_READ | SDXI_MEM_WRITE, 0);
	CHECK_ERR(import(&f, &rem, &ri), 0);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, rem, 0, 64, 0), NULL), 0);
	REQUIRE(!cmd_ack(&f, 'R'));
	check_gone(&f, rem);
	sdxi_remote_close(rem);
	wfx_down(&f);
}

TEST(window_use_after_exporter_exit_fails_in_importer)
{
	struct sdxi_remote_info ri;
	struct sdxi_remote *rem;
	struct wfx f;
	int st;

	WFX_UP(&f, SDXI_MEM_READ | SDXI_MEM_WRITE, 0);
	CHECK_ERR(import(&f, &rem, &ri), 0);
	REQUIRE(write(f.wr, "X", 1) == 1);
	REQUIRE(waitpid(f.pid, &st, 0) == f.pid);
	f.pid = 0;
	check_gone(&f, rem);
	sdxi_remote_close(rem);
	wfx_down(&f);
}

TEST(window_several_importers)
{
	struct sdxi_remote *r1, *r2;
	struct sdxi_ctx *c2;
	uint8_t *b2 = test_buf(XBUF), *ref = test_buf(XBUF);
	uint64_t i2;
	struct wfx f;

	WFX_UP(&f, SDXI_MEM_READ, 0);
	REQUIRE(b2 && ref);
	REQUIRE(!pinned_ctx(f.dev, 0, &c2));
	test_register(c2, b2, XBUF);
	REQUIRE(!sdxi_mem_iova(c2, b2, XBUF, SDXI_MEM_WRITE, &i2));
	CHECK_ERR(sdxi_mem_import(f.ctx, f.fd, &r1), 0);
	CHECK_ERR(sdxi_mem_import(c2, f.fd, &r2), 0);
	/* An import of another context is refused in this one's batch. */
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, r2, 0, 64, 0), NULL),
		  -EINVAL);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, r1, 0, WLEN, 0), NULL), 0);
	CHECK_ERR(RUN1(c2, sdxi_batch_copy_from_remote(&_b, i2, r2, 0, WLEN, 0), NULL), 0);
	test_pattern(ref, XBUF, SEED);
	CHECK(!memcmp(f.buf, ref + WOFF, WLEN));
	CHECK(!memcmp(b2, ref + WOFF, WLEN));
	/* One import closed: the other still works. */
	sdxi_remote_close(r1);
	memset(b2, 0, XBUF);
	CHECK_ERR(RUN1(c2, sdxi_batch_copy_from_remote(&_b, i2, r2, 0, WLEN, 0), NULL), 0);
	CHECK(!memcmp(b2, ref + WOFF, WLEN));
	sdxi_remote_close(r2);
	sdxi_ctx_destroy(c2);
	test_buf_free(b2, XBUF);
	test_buf_free(ref, XBUF);
	wfx_down(&f);
}

TEST(window_batches_mix_local_and_remote_across_ring_wrap)
{
	uint8_t *x = test_buf(XBUF), *ref = test_buf(XBUF);
	struct sdxi_remote *rem;
	struct wfx f;
	int ok = 1;

	WFX_UP(&f, SDXI_MEM_READ | SDXI_MEM_WRITE, 16);
	REQUIRE(x && ref);
	REQUIRE(!sdxi_mem_import(f.ctx, f.fd, &rem));
	test_pattern(ref, XBUF, SEED);
	/* 24 batches of 3 on a 16-entry ring: it wraps, batches straddle it. */
	for (unsigned int i = 0; i < 24 && ok; i++) {
		uint64_t off = (i % 8) * 1024, t = 0;
		struct sdxi_batch b;

		ok = !sdxi_batch_start(f.ctx, &b, 3, SDXI_BATCH_WAIT) &&
		     !sdxi_batch_copy_from_remote(&b, f.iova + off, rem, off, 1024, 0) &&
		     !sdxi_batch_copy(&b, f.iova + 16384 + off, f.iova + off, 1024, SDXI_DESC_FENCE) &&
		     !sdxi_batch_copy_to_remote(&b, rem, 16384 + off, f.iova + off, 1024,
						SDXI_DESC_FENCE) &&
		     !sdxi_batch_submit(&b, &t) && !sdxi_wait(f.ctx, t, NULL, NULL);
	}
	CHECK(ok);
	CHECK(!memcmp(f.buf, ref + WOFF, 8192));
	CHECK(!memcmp(f.buf + 16384, ref + WOFF, 8192));
	REQUIRE(!dump(&f, x));
	CHECK(!memcmp(x + WOFF + 16384, ref + WOFF, 8192));
	sdxi_remote_close(rem);
	test_buf_free(x, XBUF);
	test_buf_free(ref, XBUF);
	wfx_down(&f);
}

TEST(window_bad_descriptors_and_nothing_leaked)
{
	struct sdxi_remote *rem = NULL;
	int before, pfd[2], fd, mfd;
	struct wfx f;

	WFX_UP(&f, SDXI_MEM_READ, 0);
	before = fd_count();
	CHECK_ERR(sdxi_mem_import(f.ctx, -1, &rem), -EBADF);
	REQUIRE(!pipe(pfd));
	close(pfd[1]);
	CHECK_ERR(sdxi_mem_import(f.ctx, pfd[0], &rem), -EINVAL);
	close(pfd[0]);
	CHECK_ERR(sdxi_mem_import(f.ctx, pfd[0], &rem), -EBADF);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_ERR(sdxi_mem_import(f.ctx, fd, &rem), -EINVAL);
	close(fd);
	/* A memfd of a window's size, but not a window. */
	mfd = memfd_create("not-a-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	REQUIRE(mfd >= 0 && !ftruncate(mfd, 4096));
	CHECK_ERR(sdxi_mem_import(f.ctx, mfd, &rem), -EINVAL);
	fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	CHECK_ERR(sdxi_mem_import(f.ctx, mfd, &rem), -EINVAL);
	close(mfd);
	/*
	 * The software device's window is a page anyone holding it can read:
	 * a forged copy without the seals, or with a bad magic, is refused.
	 */
	if (test_is_soft(f.dev)) {
		static uint8_t page[4096];

		REQUIRE(pread(f.fd, page, sizeof(page), 0) == (ssize_t)sizeof(page));
		for (int k = 0; k < 2; k++) {
			mfd = memfd_create("forged", MFD_CLOEXEC | MFD_ALLOW_SEALING);
			REQUIRE(mfd >= 0);
			page[0] ^= (uint8_t)k;
			REQUIRE(pwrite(mfd, page, sizeof(page), 0) == (ssize_t)sizeof(page));
			page[0] ^= (uint8_t)k;
			if (k)
				fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
			CHECK_ERR(sdxi_mem_import(f.ctx, mfd, &rem), -EINVAL);
			close(mfd);
		}
	}
	CHECK(rem == NULL);
	/* Imports come and go without leaking descriptors. */
	for (int i = 0; i < 100; i++) {
		CHECK_ERR(sdxi_mem_import(f.ctx, f.fd, &rem), 0);
		sdxi_remote_close(rem);
	}
	CHECK_EQ(fd_count(), before);
	wfx_down(&f);
}

TEST(window_export_arguments)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = NULL;
	uint8_t *buf = test_buf(XBUF);
	struct sdxi_window *w = NULL;
	int before = fd_count(), ret;

	REQUIRE(!pinned_ctx(dev, 0, &ctx) && buf);
	CHECK_ERR(sdxi_mem_export(ctx, buf, XBUF, SDXI_MEM_READ, &w), -ENOENT);
	REQUIRE(!sdxi_mem_register(ctx, buf, XBUF, SDXI_MEM_READ));
	ret = sdxi_mem_export(ctx, buf, XBUF, SDXI_MEM_READ, &w);
	if (ret == -EOPNOTSUPP) {
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
		test_buf_free(buf, XBUF);
		SKIP("no windows on this device");
	}
	CHECK_ERR(ret, 0);
	CHECK(sdxi_window_fd(w) >= 0);
	CHECK_ERR(sdxi_window_close(w), 0);
	CHECK_ERR(sdxi_mem_export(ctx, buf + 1, 4096, SDXI_MEM_READ, &w), -EINVAL);
	CHECK_ERR(sdxi_mem_export(ctx, buf, 100, SDXI_MEM_READ, &w), -EINVAL);
	CHECK_ERR(sdxi_mem_export(ctx, buf, 0, SDXI_MEM_READ, &w), -EINVAL);
	CHECK_ERR(sdxi_mem_export(ctx, buf, 4096, 0, &w), -EINVAL);
	CHECK_ERR(sdxi_mem_export(ctx, buf, 4096, 4, &w), -EINVAL);
	CHECK_ERR(sdxi_mem_export(ctx, buf, XBUF, SDXI_MEM_WRITE, &w), -EACCES);
	CHECK_ERR(sdxi_mem_export(ctx, buf, XBUF + 4096, SDXI_MEM_READ, &w), -ENOENT);
	/* Unregistering revokes: a new import of its descriptor is refused. */
	REQUIRE(!sdxi_mem_export(ctx, buf, XBUF, SDXI_MEM_READ, &w));
	{
		struct sdxi_remote *rem;
		int fd = dup(sdxi_window_fd(w));

		CHECK_ERR(sdxi_mem_unregister(ctx, buf, XBUF), 1);
		CHECK_ERR(sdxi_mem_import(ctx, fd, &rem), -EKEYREVOKED);
		close(fd);
	}
	CHECK_ERR(sdxi_window_close(w), 0);
	sdxi_ctx_destroy(ctx);
	CHECK_EQ(fd_count(), before);
	sdxi_dev_close(dev);
	test_buf_free(buf, XBUF);
}

/* Whether the device offers SVA contexts, and windows of pinned ones. */
static bool sva_and_windows_offered(void)
{
	struct sdxi_ctx_opts o = { .mode = SDXI_CTX_MODE_SVA };
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = NULL, *pinned = NULL;
	uint8_t *buf = test_buf(XBUF);
	struct sdxi_window *w = NULL;
	bool ok = dev && buf && !sdxi_ctx_create(dev, &o, &ctx) &&
		  !pinned_ctx(dev, 0, &pinned) &&
		  !sdxi_mem_register(pinned, buf, XBUF, SDXI_MEM_READ) &&
		  !sdxi_mem_export(pinned, buf, XBUF, SDXI_MEM_READ, &w);

	if (w)
		sdxi_window_close(w);
	sdxi_ctx_destroy(pinned);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	test_buf_free(buf, XBUF);
	return ok;
}

/*
 * An SVA context exports what the process maps, unregistered; an importer
 * copies both ways through it.  SKIP where the device offers no SVA
 * context or no windows at all.
 */
TEST(window_export_from_an_sva_context_needs_no_registration)
{
	uint8_t *x = test_buf(XBUF), *y = test_buf(XBUF);
	struct sdxi_remote_info ri;
	struct sdxi_remote *rem;
	struct wfx f;

	REQUIRE(x && y);
	if (!sva_and_windows_offered()) {
		test_buf_free(x, XBUF);
		test_buf_free(y, XBUF);
		SKIP("no SVA contexts or no windows on this device");
	}
	if (!wfx_up(&f, SDXI_MEM_READ | SDXI_MEM_WRITE | EXP_SVA, 0)) {
		printf("# set-up: %s\n", strerror(f.fd < 0 ? -f.fd : EIO));
		wfx_down(&f);
		REQUIRE(0);
	}
	CHECK_ERR(import(&f, &rem, &ri), 0);
	CHECK_EQ(ri.length, WLEN);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_from_remote(&_b, f.iova, rem, 0, WLEN, 0), NULL), 0);
	REQUIRE(!dump(&f, y));
	CHECK(!memcmp(f.buf, y + WOFF, WLEN));
	/* Our bytes land at offset 512 of the window and nowhere else. */
	test_pattern(f.buf, XBUF, 42);
	CHECK_ERR(RUN1(f.ctx, sdxi_batch_copy_to_remote(&_b, rem, 512, f.iova, 3000, 0), NULL), 0);
	REQUIRE(!dump(&f, x));
	CHECK(!memcmp(x + WOFF + 512, f.buf, 3000));
	CHECK(!memcmp(x, y, WOFF + 512));
	CHECK(!memcmp(x + WOFF + 3512, y + WOFF + 3512, XBUF - WOFF - 3512));
	sdxi_remote_close(rem);
	test_buf_free(x, XBUF);
	test_buf_free(y, XBUF);
	wfx_down(&f);
}
