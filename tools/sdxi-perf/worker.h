/* SPDX-License-Identifier: MIT */
/*
 * sdxi-perf's worker: what the measurement loop (measure.c) and the
 * process and thread plumbing (spawn.c) share.  One worker is one thread;
 * it drives its contexts (struct wctx) through the phases described in
 * measure.c.
 */
#ifndef SDXI_PERF_WORKER_H
#define SDXI_PERF_WORKER_H

#include <pthread.h>

#include "sdxi-perf.h"

#define MAX_BUF_BYTES	(32ULL << 20)	/* per context and direction */
#define WAIT_TIMEOUT_S	10		/* a completion later than this is an error */
#define CPU_SAMPLE	16		/* CPU baseline: time one op in 16 */
#define FILL_PATTERN	0x5a5a5a5a5a5a5a5aULL	/* one byte repeated: memset can do it too */


struct inflight {
	uint64_t ticket;
	uint64_t t_call;
	uint64_t t_db;
	unsigned int n;
};

/* One context of a worker (for the CPU baseline: just its buffers). */
struct wctx {
	struct sdxi_ctx *ctx;
	uint8_t *src, *dst;
	size_t map_len;
	uint64_t stride;
	unsigned int nbufs;
	uint64_t src_iova, dst_iova;
	uint64_t *atom;			/* atomic target, own page */
	uint64_t atom_iova;
	struct inflight *fifo;		/* batches outstanding, oldest first */
	unsigned int cap, head, n;
	unsigned int out;		/* descriptors outstanding */
	uint64_t submitted;		/* descriptors submitted in this phase */
	uint64_t used;			/* descriptors ever submitted (buffers used) */
	uint64_t next_buf;
	uint64_t atomics_ok;		/* atomic descriptors completed, all phases */
	int full;			/* in a ring-full stall (count it once) */
};

/* Shared by every worker of a point, across processes. */
struct shared {
	pthread_barrier_t bar;
	int abort;
};

struct worker {
	const struct perf_cfg *cfg;
	const struct perf_point *pt;
	struct sdxi_dev *dev;
	struct shared *sh;
	unsigned int index;		/* global: process * threads + thread */
	struct wctx *c;
	unsigned int nctx;
	unsigned int slots_per_op;
	uint64_t bytes_per_op;
	uint64_t deadline;		/* ticks; 0: by count */
	uint64_t timeout_ticks;
	int stop;
	int soft;			/* the software device: never spin without yielding */
	uint8_t imm[SDXI_WRT_IMM_MAX];
	pthread_t tid;
	struct perf_result res;
};

/* measure.c: the body of one worker thread (struct worker *). */
void *perf_worker_main(void *arg);

/* verify.c */
void perf_atomic_operands(unsigned int op, uint64_t *op1, uint64_t *op2);
int perf_atomic_expected(unsigned int op, unsigned int size, uint64_t n, uint64_t *v);

#endif /* SDXI_PERF_WORKER_H */
