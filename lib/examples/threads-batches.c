// SPDX-License-Identifier: MIT
/*
 * threads-batches: four threads share one context (SDXI_CTX_SHARED), each
 * submitting batches of small copies while the others allocate, register,
 * unregister and free their own buffers.  Per round a thread allocates
 * eight small source and destination buffers with malloc() (neighbours of
 * other threads' buffers, often in the same pages), gets their device
 * addresses from sdxi_mem_iova(), copies them in one batch (one doorbell),
 * waits for the batch's ticket, checks the data, then unregisters and
 * frees them.  A device address stays valid until its own range is
 * unregistered, whatever the other threads release meanwhile.
 *
 *   cc $(pkg-config --cflags sdxi) threads-batches.c $(pkg-config --libs sdxi) -lpthread
 *   SDXI_DEVICE=soft ./a.out
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sdxi.h>

#define THREADS		4
#define ROUNDS		200
#define PER_BATCH	8

struct job {
	struct sdxi_ctx *ctx;
	unsigned int seed;
	int err;
};

/* One round: allocate, register (through sdxi_mem_iova()), copy, check, release. */
static int round_trip(struct sdxi_ctx *ctx, unsigned int *seed)
{
	uint8_t *src[PER_BATCH] = { 0 }, *dst[PER_BATCH] = { 0 };
	uint64_t s[PER_BATCH], d[PER_BATCH], ticket = SDXI_TICKET_DONE;
	size_t len[PER_BATCH];
	struct sdxi_batch b;
	int ret = 0, i;

	for (i = 0; i < PER_BATCH; i++) {
		len[i] = 64 + (size_t)(rand_r(seed) % 2048);
		src[i] = malloc(len[i]);
		dst[i] = malloc(len[i]);
		if (!src[i] || !dst[i]) {
			ret = -ENOMEM;
			goto out;
		}
		memset(src[i], rand_r(seed) & 0xff, len[i]);
		memset(dst[i], 0, len[i]);
	}
	/*
	 * Device addresses first (registered now if need be): registration
	 * calls may wait for submitted work, so on a shared context they are
	 * never made while this thread holds an open batch.
	 */
	for (i = 0; i < PER_BATCH && !ret; i++) {
		ret = sdxi_mem_iova(ctx, src[i], len[i], SDXI_MEM_READ, &s[i]);
		if (!ret)
			ret = sdxi_mem_iova(ctx, dst[i], len[i], SDXI_MEM_WRITE, &d[i]);
	}
	if (!ret)
		ret = sdxi_batch_start(ctx, &b, PER_BATCH, SDXI_BATCH_WAIT);
	if (!ret) {
		for (i = 0; i < PER_BATCH && !ret; i++)
			ret = sdxi_batch_copy(&b, d[i], s[i], len[i], 0);
		/* A started batch is always submitted (slots not filled become NOPs). */
		sdxi_batch_submit(&b, &ticket);
		if (!ret)
			ret = sdxi_wait(ctx, ticket, NULL, NULL);
	}
	for (i = 0; i < PER_BATCH && !ret; i++)
		if (memcmp(src[i], dst[i], len[i]))
			ret = -EIO;
out:
	for (i = 0; i < PER_BATCH; i++) {
		/* Unregister before free(): only this buffer's pages go. */
		if (src[i])
			sdxi_mem_unregister(ctx, src[i], len[i]);
		if (dst[i])
			sdxi_mem_unregister(ctx, dst[i], len[i]);
		free(src[i]);
		free(dst[i]);
	}
	return ret;
}

static void *worker(void *arg)
{
	struct job *j = arg;

	for (int r = 0; r < ROUNDS && !j->err; r++)
		j->err = round_trip(j->ctx, &j->seed);
	return NULL;
}

int main(void)
{
	struct sdxi_ctx_opts opts = { .flags = SDXI_CTX_SHARED };
	struct job jobs[THREADS];
	pthread_t th[THREADS];
	struct sdxi_mem_stats st;
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	int ret, failed = 0;

	ret = sdxi_dev_open(NULL, &dev);
	if (ret) {
		fprintf(stderr, "sdxi_dev_open: %s\n", strerror(-ret));
		return 1;
	}
	ret = sdxi_ctx_create(dev, &opts, &ctx);
	if (ret) {
		fprintf(stderr, "sdxi_ctx_create: %s\n", strerror(-ret));
		sdxi_dev_close(dev);
		return 1;
	}
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){ .ctx = ctx, .seed = 17u * (unsigned int)i + 1 };
		if (pthread_create(&th[i], NULL, worker, &jobs[i])) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		if (jobs[i].err) {
			fprintf(stderr, "thread %d: %s\n", i, strerror(-jobs[i].err));
			failed = 1;
		}
	}
	if (!failed && !sdxi_mem_stats(ctx, &st))
		printf("%d threads x %d batches of %d copies on one context: ok "
		       "(%llu registrations left)\n", THREADS, ROUNDS, PER_BATCH,
		       (unsigned long long)st.held);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	return failed;
}
