/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verified traffic on /dev/sdxi0 for the operator tests and the
 * robustness harness: one file, two contexts (the first with interrupts,
 * waited for in poll(); the second by its read index), copies checked
 * every round, and a dma-buf import written every round when udmabuf
 * exists.  Raw UAPI (sdxi_common.h).
 */
#ifndef _SDXI_SELFTEST_TRAFFIC_H
#define _SDXI_SELFTEST_TRAFFIC_H

#include <setjmp.h>
#include <signal.h>

#include "sdxi_common.h"

#define TR_WAIT_MS	5000

static inline uint32_t tr_id(struct uctx *x)
{
	return x->c.out_context_id;
}

#define TR_CHUNK	(32 * 1024)
#define TR_BATCH	8
#define TR_BYTES	(TR_CHUNK * TR_BATCH)
#define TR_DMABUF	(64 * 1024)

/* One file, two contexts (the first with interrupts), optionally a dma-buf. */
struct traffic {
	int fd;
	struct uctx x[2];
	unsigned char *src[2], *dst[2];
	int buf;
	unsigned char *cpu;
	uint64_t iova;
};

static inline int traffic_setup(struct traffic *t, bool with_dmabuf)
{
	int k, ret;

	memset(t, 0, sizeof(*t));
	t->buf = -1;
	t->fd = open(SDXI_DEV, O_RDWR);
	if (t->fd < 0)
		return -errno;
	for (k = 0; k < 2; k++) {
		ret = uctx_create(t->fd, k ? 0 : SDXI_CTX_F_INTERRUPT, 0, &t->x[k]);
		if (ret)
			return ret;
		t->src[k] = alloc_pages_filled(TR_BYTES / SDXI_PG, 0);
		t->dst[k] = alloc_pages_filled(TR_BYTES / SDXI_PG, 0);
		if (!t->src[k] || !t->dst[k])
			return -ENOMEM;
		ret = map_mem(t->fd, tr_id(&t->x[k]), t->src[k], TR_BYTES, SDXI_MAP_READ) ?:
		      map_mem(t->fd, tr_id(&t->x[k]), t->dst[k], TR_BYTES, SDXI_MAP_WRITE);
		if (ret)
			return ret;
	}
	if (with_dmabuf) {
		void *cpu, *resv;

		t->buf = udmabuf_new(TR_DMABUF, &cpu);
		if (t->buf == -ENOENT) {
			t->buf = -1;
			return 0;
		}
		if (t->buf < 0)
			return t->buf;
		t->cpu = cpu;
		resv = mmap(NULL, TR_DMABUF, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (resv == MAP_FAILED)
			return -errno;
		t->iova = (uintptr_t)resv;
		ret = map_dmabuf(t->fd, tr_id(&t->x[1]), t->buf, t->iova, TR_DMABUF);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * One round: TR_BATCH copies on each context (context 0 ends with an
 * interrupt and is waited for in poll(), context 1 by its read index),
 * a copy into the dma-buf, all checked.  0, -ENODEV when the device went
 * away (POLLHUP), -EIO, -ETIMEDOUT or -EILSEQ (wrong data).
 */
static inline int traffic_round(struct traffic *t, unsigned int r)
{
	union sdxi_desc d[TR_BATCH + 2];
	struct pollfd p = { .fd = t->fd, .events = POLLIN | POLLPRI };
	uint64_t v;
	int k, i, ret;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < TR_BATCH; i++) {
			memset(t->src[k] + i * TR_CHUNK, (int)(r * 3 + k * 7 + i + 1), TR_CHUNK);
			dsc_copy(&d[i], (uintptr_t)t->src[k] + i * TR_CHUNK,
				 (uintptr_t)t->dst[k] + i * TR_CHUNK, TR_CHUNK, 0);
		}
		i = TR_BATCH;
		if (k == 0)
			dsc_intr(&d[i++], t->x[0].c.out_akey_intr);
		else if (t->buf >= 0)
			dsc_copy(&d[i++], (uintptr_t)t->src[1], t->iova, TR_DMABUF, 0);
		uctx_submit(&t->x[k], d, i);
	}
	/* Context 0: sleep until its interrupt (or the device's end). */
	if (poll(&p, 1, TR_WAIT_MS) != 1)
		return -ETIMEDOUT;
	if (p.revents & POLLHUP)
		return -ENODEV;
	if (p.revents & POLLPRI)
		return -EIO;
	if (read(t->fd, &v, 8) != 8)
		return errno == ENODEV ? -ENODEV : -EIO;
	for (k = 0; k < 2; k++) {
		ret = uctx_wait(&t->x[k], t->x[k].w, TR_WAIT_MS);
		if (ret)
			return ret;
		if (memcmp(t->src[k], t->dst[k], TR_BYTES))
			return -EILSEQ;
	}
	if (t->buf >= 0 && memcmp(t->cpu, t->src[1], TR_DMABUF))
		return -EILSEQ;
	return 0;
}

static sigjmp_buf gone_jmp __attribute__((unused));

static inline void tr_on_sigbus(int sig)
{
	siglongjmp(gone_jmp, 1);
}

/*
 * Child body: rounds of traffic until the device goes away, or @rounds
 * of them (0: no limit); a byte on @ready_fd once the first two rounds
 * are done.  After the device went, check that every way of asking says
 * so.  Exits 0 (rounds done, or the device went away and said so), 1-2
 * (setup), 3-5 (the device went but a call did not say ENODEV/POLLHUP),
 * 10 + errno (a round failed: -EILSEQ is wrong data).
 */
static inline void traffic_run(int ready_fd, unsigned int rounds)
{
	struct traffic t;
	struct sdxi_info info;
	struct pollfd p;
	volatile unsigned int r = 0;
	volatile int ret = 0;

	if (traffic_setup(&t, true))
		_exit(1);
	signal(SIGBUS, tr_on_sigbus);
	if (!sigsetjmp(gone_jmp, 1)) {
		for (;; r++) {
			ret = traffic_round(&t, r);
			if (r == 1 && ready_fd >= 0 && write(ready_fd, "r", 1) != 1)
				_exit(2);
			if (ret)
				break;
			if (rounds && r + 1 >= rounds)
				_exit(0);
		}
		if (ret != -ENODEV && ret != -EIO && ret != -ETIMEDOUT)
			_exit(10 + (-ret & 0x3f));
	}
	/* SIGBUS on a revoked mapping, or the round saw the device go. */
	signal(SIGBUS, SIG_DFL);
	if (sdxi_get_info(t.fd, &info) != -ENODEV)
		_exit(3);
	if (map_mem(t.fd, tr_id(&t.x[0]), t.src[0], SDXI_PG, SDXI_MAP_READ) != -ENODEV)
		_exit(4);
	p = (struct pollfd){ .fd = t.fd, .events = POLLIN };
	if (poll(&p, 1, 1000) != 1 || !(p.revents & POLLHUP))
		_exit(5);
	_exit(0);
}

#endif /* _SDXI_SELFTEST_TRAFFIC_H */
