// SPDX-License-Identifier: MIT
/*
 * Threading contract: a context created with SDXI_CTX_SHARED takes
 * concurrent batches from several threads (atomic reservation, ordered
 * publication); contexts used by one thread each need nothing shared.
 * Four threads, several ring laps, every byte verified.
 */
#include <pthread.h>
#include <stdlib.h>

#include "helpers.h"

#define THREADS		4
#define PER_THREAD	3000		/* descriptors per thread */
#define CHUNK		512		/* bytes per copy */

struct worker {
	struct sdxi_ctx *ctx;
	uint8_t *src, *dst;
	unsigned int seed;
	int errors;
	uint64_t last;
};

/* Random batch sizes 1..16, each copy to its own offset; verify at the end. */
static void *copy_worker(void *arg)
{
	struct worker *w = arg;
	unsigned int rnd = w->seed;
	uint32_t done = 0;

	while (done < PER_THREAD) {
		struct sdxi_batch b;
		uint32_t n = 1 + (rand_r(&rnd) % 16);

		if (n > PER_THREAD - done)
			n = PER_THREAD - done;
		if (sdxi_batch_start(w->ctx, &b, n, SDXI_BATCH_WAIT)) {
			w->errors++;
			break;
		}
		for (uint32_t i = 0; i < n; i++, done++) {
			uint64_t off = (uint64_t)done * CHUNK;

			if (sdxi_batch_copy(&b, test_va(w->dst) + off, test_va(w->src) + off,
					    CHUNK, 0))
				w->errors++;
		}
		sdxi_batch_submit(&b, &w->last);
		if (rand_r(&rnd) % 8 == 0 && test_wait(w->ctx, w->last))
			w->errors++;
	}
	if (test_wait(w->ctx, w->last))
		w->errors++;
	return NULL;
}

static void run_workers(struct sdxi_dev *dev, int shared)
{
	size_t bytes = (size_t)PER_THREAD * CHUNK;
	struct sdxi_ctx *one = NULL;
	struct worker w[THREADS];
	pthread_t th[THREADS];

	if (shared) {
		one = test_ctx(dev, 1024, SDXI_CTX_SHARED);
		REQUIRE(one);
	}
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .seed = (unsigned int)i + 1 };
		w[i].ctx = shared ? one : test_ctx(dev, 1024, 0);
		w[i].src = test_buf(bytes);
		w[i].dst = test_buf(bytes);
		REQUIRE(w[i].ctx && w[i].src && w[i].dst);
		test_pattern(w[i].src, bytes, (unsigned int)i + 10);
		test_register(w[i].ctx, w[i].src, bytes);
		test_register(w[i].ctx, w[i].dst, bytes);
	}
	for (int i = 0; i < THREADS; i++)
		REQUIRE(!pthread_create(&th[i], NULL, copy_worker, &w[i]));
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		CHECK_EQ(w[i].errors, 0);
		CHECK(test_pattern_ok(w[i].dst, bytes, (unsigned int)i + 10));
	}
	if (shared) {
		struct sdxi_ctx_status st;

		/* 12000 descriptors through 1024 slots: many laps, all retired. */
		CHECK_ERR(sdxi_ctx_status(one, &st), 0);
		CHECK_EQ(st.read_index, st.write_index);
		CHECK(st.write_index >= THREADS * PER_THREAD);
		CHECK_EQ(st.state, SDXI_CXTV_RUN);
		sdxi_ctx_destroy(one);
	}
	for (int i = 0; i < THREADS; i++) {
		if (!shared)
			sdxi_ctx_destroy(w[i].ctx);
		test_buf_free(w[i].src, bytes);
		test_buf_free(w[i].dst, bytes);
	}
}

TEST(threads_4_share_one_context)
{
	struct sdxi_dev *dev = test_dev();

	REQUIRE(dev);
	run_workers(dev, 1);
	sdxi_dev_close(dev);
}

TEST(threads_4_with_one_context_each)
{
	struct sdxi_dev *dev = test_dev();

	REQUIRE(dev);
	run_workers(dev, 0);
	sdxi_dev_close(dev);
}

/* sdxi_memcpy from 4 threads on one shared context: cache fills race. */
struct mc {
	struct sdxi_ctx *ctx;
	uint8_t *src, *dst;
	int errors;
};

static void *memcpy_worker(void *arg)
{
	struct mc *m = arg;

	for (int i = 0; i < 200; i++) {
		size_t off = (size_t)(i % 64) * 4096, n = 1 + (size_t)(i * 37) % 4000;

		if (sdxi_memcpy(m->ctx, m->dst + off, m->src + off, n) ||
		    memcmp(m->dst + off, m->src + off, n))
			m->errors++;
	}
	return NULL;
}

TEST(threads_4_memcpy_through_shared_cache)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 1024, SDXI_CTX_SHARED);
	struct sdxi_mem_stats ms;
	pthread_t th[THREADS];
	struct mc m[THREADS];

	REQUIRE(ctx);
	for (int i = 0; i < THREADS; i++) {
		m[i] = (struct mc){ .ctx = ctx, .src = test_buf(1 << 18), .dst = test_buf(1 << 18) };
		REQUIRE(m[i].src && m[i].dst);
		test_pattern(m[i].src, 1 << 18, (unsigned int)i);
	}
	for (int i = 0; i < THREADS; i++)
		REQUIRE(!pthread_create(&th[i], NULL, memcpy_worker, &m[i]));
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(m[i].errors, 0);
	CHECK_ERR(sdxi_mem_stats(ctx, &ms), 0);
	CHECK_EQ(ms.hits, 0);		/* not counted on shared contexts */
	CHECK(ms.misses >= 1);
	CHECK(ms.misses <= 2 * THREADS);	/* 2 buffers of 256 KiB per thread */
	CHECK_EQ(ms.registrations, ms.cached);
	sdxi_ctx_destroy(ctx);
	for (int i = 0; i < THREADS; i++) {
		test_buf_free(m[i].src, 1 << 18);
		test_buf_free(m[i].dst, 1 << 18);
	}
	sdxi_dev_close(dev);
}

/*
 * What the registration rule is for: four threads on one shared context,
 * each allocating buffers with malloc (so that buffers of different
 * threads share pages and cache chunks; the larger ones are mmap'd and
 * unmapped by free), getting device addresses from sdxi_mem_iova() or
 * sdxi_mem_register(), copying them with batches of small copies,
 * checking, unregistering and freeing, with sdxi_memcpy() through the
 * cache in between.  Another thread's release must never break a copy.
 */
#define CHURN_ROUNDS	150

struct churn {
	struct sdxi_ctx *ctx;
	unsigned int seed;
	int errors;
	int first_err;
};

static void churn_fail(struct churn *c, int err)
{
	if (!c->errors++)
		c->first_err = err;
}

static int churn_round(struct churn *c, unsigned int *rnd)
{
	size_t n = 64 + (size_t)(rand_r(rnd) % 6 ? rand_r(rnd) % 8192 : rand_r(rnd) % 300000);
	uint8_t *src = malloc(n), *dst = malloc(n);
	uint64_t si, di, t;
	struct sdxi_batch b;
	unsigned int pieces = 1 + (unsigned int)(rand_r(rnd) % 8);
	size_t per = n / pieces;
	int ret = -ENOMEM;

	if (!src || !dst)
		goto out;
	test_pattern(src, n, *rnd);
	memset(dst, 0, n);
	if (rand_r(rnd) % 2) {
		ret = sdxi_mem_register(c->ctx, src, n, SDXI_MEM_READ);
		if (!ret)
			ret = sdxi_mem_register(c->ctx, dst, n, SDXI_MEM_WRITE);
		if (ret)
			goto out;
	}
	ret = sdxi_mem_iova(c->ctx, src, n, SDXI_MEM_READ, &si);
	if (!ret)
		ret = sdxi_mem_iova(c->ctx, dst, n, SDXI_MEM_WRITE, &di);
	if (ret)
		goto out;
	ret = sdxi_batch_start(c->ctx, &b, pieces, SDXI_BATCH_WAIT);
	if (ret)
		goto out;
	for (unsigned int i = 0; i < pieces && !ret; i++) {
		size_t off = i * per, len = i + 1 == pieces ? n - off : per;

		ret = sdxi_batch_copy(&b, di + off, si + off, len, 0);
	}
	sdxi_batch_submit(&b, &t);
	if (!ret)
		ret = sdxi_wait(c->ctx, t, NULL, NULL);
	if (!ret && memcmp(src, dst, n))
		ret = -EILSEQ;
	/* And through the cache, on the same memory. */
	if (!ret)
		ret = sdxi_memcpy(c->ctx, dst, src, n / 2 + 1);
out:
	if (src && sdxi_mem_unregister(c->ctx, src, n) < 0 && !ret)
		ret = -ENOENT;
	if (dst && sdxi_mem_unregister(c->ctx, dst, n) < 0 && !ret)
		ret = -ENOENT;
	free(src);
	free(dst);
	return ret;
}

static void *churn_worker(void *arg)
{
	struct churn *c = arg;
	unsigned int rnd = c->seed;

	for (int i = 0; i < CHURN_ROUNDS; i++) {
		int ret = churn_round(c, &rnd);

		if (ret)
			churn_fail(c, ret);
	}
	return NULL;
}

TEST(threads_4_share_one_context_while_allocating_and_freeing)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 1024, SDXI_CTX_SHARED);
	struct sdxi_ctx_status st;
	struct sdxi_mem_stats ms;
	struct churn c[THREADS];
	pthread_t th[THREADS];

	REQUIRE(ctx);
	for (int i = 0; i < THREADS; i++) {
		c[i] = (struct churn){ .ctx = ctx, .seed = 77u * (unsigned int)i + 5 };
		REQUIRE(!pthread_create(&th[i], NULL, churn_worker, &c[i]));
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		if (c[i].errors)
			printf("# thread %d: %d failed rounds, first %s\n", i, c[i].errors,
			       strerror(-c[i].first_err));
		CHECK_EQ(c[i].errors, 0);
	}
	CHECK_ERR(sdxi_ctx_status(ctx, &st), 0);
	CHECK_EQ(st.state, SDXI_CXTV_RUN);
	CHECK_EQ(st.errors, 0);
	/* Every registration was released. */
	CHECK_ERR(sdxi_mem_stats(ctx, &ms), 0);
	CHECK_EQ(ms.held, 0);
	CHECK_EQ(ms.registrations, ms.cached);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
}
