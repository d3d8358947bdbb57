// SPDX-License-Identifier: MIT
/*
 * window-exchange: a producer process hands large messages to a consumer
 * process three ways, and prints the rate of each and their ratios:
 *
 *   window   the producer exports its message buffer as a window
 *            (sdxi_mem_export(), the descriptor sent with SCM_RIGHTS); the
 *            consumer's context copies each message out of it with one
 *            descriptor (sdxi_batch_copy_from_remote()): one copy, by the
 *            device
 *   shm      a shared-memory buffer: the producer copies the message in,
 *            the consumer copies it out: two CPU copies
 *   pvr      the consumer reads the producer's buffer with
 *            process_vm_readv(2): one CPU copy by the kernel
 *
 * Each message is announced and acknowledged over a Unix socket, the
 * same for the three.  Producing the message (writing its bytes) is not
 * timed.  The consumer checks every message it received.
 *
 *   cc $(pkg-config --cflags sdxi) window-exchange.c $(pkg-config --libs sdxi)
 *   SDXI_DEVICE=soft ./a.out [message KiB [messages]]
 *
 * On the software device the "device" copy is the library's engine
 * thread moving the bytes with process_vm_readv(), so it shows the
 * mechanism, not a device's speed; on /dev/sdxiN the DMA engine copies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sdxi.h>

enum { WINDOW, SHM, PVR, METHODS };
static const char *const names[METHODS] = { "window", "shm", "pvr" };

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void produce(unsigned char *p, size_t len, unsigned int msg)
{
	for (size_t i = 0; i < len; i += 64)
		p[i] = (unsigned char)(msg + i / 64);
}

static int check(const unsigned char *p, size_t len, unsigned int msg)
{
	for (size_t i = 0; i < len; i += 64)
		if (p[i] != (unsigned char)(msg + i / 64))
			return -1;
	return 0;
}

static int send_fd(int sock, int fd, uint64_t addr)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &addr, sizeof(addr) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *h;

	if (fd >= 0) {
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, 0) == sizeof(addr) ? 0 : -1;
}

static int recv_fd(int sock, uint64_t *addr)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { addr, sizeof(*addr) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != sizeof(*addr))
		return -2;
	h = CMSG_FIRSTHDR(&m);
	if (h && h->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

static int open_ctx(struct sdxi_dev **dev, struct sdxi_ctx **ctx)
{
	int ret = sdxi_dev_open(getenv("SDXI_DEVICE") ? NULL : "soft", dev);

	if (!ret) {
		ret = sdxi_ctx_create(*dev, NULL, ctx);
		if (ret)
			sdxi_dev_close(*dev);
	}
	if (ret)
		fprintf(stderr, "device: %s\n", strerror(-ret));
	return ret;
}

/* The consumer: receives @n messages of @len bytes by @method.  0 or 1. */
static int consumer(int sock, int method, size_t len, unsigned int n, pid_t producer)
{
	unsigned char *local = mmap(NULL, len, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct sdxi_remote *rem = NULL;
	struct sdxi_ctx *ctx = NULL;
	struct sdxi_dev *dev = NULL;
	unsigned char *shm = NULL;
	uint64_t addr, dst = 0;
	int fd = recv_fd(sock, &addr), bad = 0;
	char c;

	if (local == MAP_FAILED || fd == -2)
		return 1;
	if (method == WINDOW) {
		if (open_ctx(&dev, &ctx) || sdxi_mem_import(ctx, fd, &rem) ||
		    sdxi_mem_iova(ctx, local, len, SDXI_MEM_WRITE, &dst))
			return 1;
		close(fd);
	} else if (method == SHM) {
		shm = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (shm == MAP_FAILED)
			return 1;
	}
	for (unsigned int i = 0; i < n && read(sock, &c, 1) == 1; i++) {
		if (method == WINDOW) {
			struct sdxi_batch b;
			uint64_t t;
			int ret = sdxi_batch_start(ctx, &b, 1, SDXI_BATCH_WAIT);

			if (!ret)
				ret = sdxi_batch_copy_from_remote(&b, dst, rem, 0, len, 0);
			if (sdxi_batch_submit(&b, &t) || ret || sdxi_wait(ctx, t, NULL, NULL))
				return 1;
		} else if (method == SHM) {
			memcpy(local, shm, len);
		} else {
			struct iovec l = { local, len }, r = { (void *)(uintptr_t)addr, len };

			if (process_vm_readv(producer, &l, 1, &r, 1, 0) != (ssize_t)len)
				return 1;
		}
		bad |= check(local, len, i);
		if (write(sock, "a", 1) != 1)
			return 1;
	}
	if (rem)
		sdxi_remote_close(rem);
	if (ctx) {
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
	}
	return bad ? 2 : 0;
}

/* One run of @method: the MB/s the producer saw, or a negative value. */
static double run(int method, size_t len, unsigned int n)
{
	struct sdxi_window *win = NULL;
	struct sdxi_ctx *ctx = NULL;
	struct sdxi_dev *dev = NULL;
	unsigned char *buf, *msg;
	int sv[2], st, fd = -1, ok = 1;
	double t0, t;
	pid_t pid;
	char c;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		   -1, 0);
	if (buf == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	msg = buf;
	if (method == WINDOW) {
		if (open_ctx(&dev, &ctx) || sdxi_mem_register(ctx, buf, len, SDXI_MEM_READ) ||
		    sdxi_mem_export(ctx, buf, len, SDXI_MEM_READ, &win))
			return -1;
		fd = sdxi_window_fd(win);
	} else if (method == SHM) {
		fd = memfd_create("exchange", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)len))
			return -1;
		msg = malloc(len);
		if (!msg)
			return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(consumer(sv[1], method, len, n, getppid()));
	}
	close(sv[1]);
	if (send_fd(sv[0], fd, (uint64_t)(uintptr_t)buf))
		return -1;
	unsigned char *shm = method == SHM ?
		mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : NULL;

	t = 0;
	for (unsigned int i = 0; i < n && ok; i++) {
		produce(msg, len, i);
		t0 = now();
		if (method == SHM)
			memcpy(shm, msg, len);
		ok = write(sv[0], "m", 1) == 1 && read(sv[0], &c, 1) == 1;
		t += now() - t0;
	}
	close(sv[0]);
	waitpid(pid, &st, 0);
	if (win)
		sdxi_window_close(win);
	if (ctx) {
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
	}
	if (method == SHM) {
		munmap(shm, len);
		close(fd);
		free(msg);
	}
	munmap(buf, len);
	if (!ok || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s: consumer failed (%d)\n", names[method],
			WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return (double)len * n / t / 1e6;
}

int main(int argc, char **argv)
{
	size_t kib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	unsigned int n = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 32;
	size_t len = kib << 10;
	double mbs[METHODS];

	if (!kib || kib % 4 || kib > 2048 || !n) {
		fprintf(stderr, "usage: %s [message KiB: 4..2048, a multiple of 4 [messages]]\n", argv[0]);
		return 2;
	}
	for (int m = 0; m < METHODS; m++) {
		mbs[m] = run(m, len, n);
		if (mbs[m] < 0)
			return 1;
		printf("%-7s %8.1f MB/s  (%u messages of %zu KiB)\n", names[m], mbs[m], n, kib);
	}
	printf("ratio window/shm %.2f, window/pvr %.2f\n", mbs[WINDOW] / mbs[SHM],
	       mbs[WINDOW] / mbs[PVR]);
	return 0;
}
