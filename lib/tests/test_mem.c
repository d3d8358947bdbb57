// SPDX-License-Identifier: MIT
/*
 * Memory registration and the registration cache: hits, misses, aligned
 * chunks and their fallback to exact pages, never overlapping an explicit
 * registration, invalidation by unregister, access rights, the lifetime
 * rule of device addresses (releasing one registration never takes a page
 * another uses), and an unregistered buffer faulting exactly as on the
 * device.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define MB	(1u << 20)

struct mfx {
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
};

static int mfx_up(struct mfx *f, uint32_t flags)
{
	f->dev = test_dev();
	f->ctx = test_ctx(f->dev, 0, flags);
	return f->ctx != NULL;
}

static void mfx_down(struct mfx *f)
{
	sdxi_ctx_destroy(f->ctx);
	sdxi_dev_close(f->dev);
}

static struct sdxi_mem_stats stats(struct sdxi_ctx *ctx)
{
	struct sdxi_mem_stats st;

	sdxi_mem_stats(ctx, &st);
	return st;
}

/* A 2 MiB-aligned region of @len bytes inside a larger mapping. */
static uint8_t *aligned_region(size_t len, void **map, size_t *maplen)
{
	uintptr_t p;

	*maplen = len + 2 * MB;
	*map = test_buf(*maplen);
	if (!*map)
		return NULL;
	p = ((uintptr_t)*map + 2 * MB - 1) & ~(uintptr_t)(2 * MB - 1);
	return (uint8_t *)p;
}

TEST(cache_miss_registers_then_hits)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *buf;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0));
	buf = aligned_region(4 * MB, &map, &ml);
	REQUIRE(buf);
	test_pattern(buf, 4096, 5);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + MB, buf, 4096), 0);
	CHECK(test_pattern_ok(buf + MB, 4096, 5));
	st = stats(f.ctx);
	CHECK_EQ(st.misses, 1);
	/* One 2 MiB chunk holds both buffers. */
	CHECK_EQ(st.registrations, 1);
	CHECK_EQ(st.cached, 1);
	CHECK_EQ(st.bytes, 2 * MB);
	/* Same chunk, other offsets: hits, nothing new. */
	for (int i = 0; i < 10; i++)
		CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096 * (size_t)(i + 2), buf, 64), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.misses, 1);
	CHECK_EQ(st.registrations, 1);
	CHECK(st.hits >= 20);
	/* The next chunk: one more miss and registration. */
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 2 * MB + 100, buf, 64), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.misses, 2);
	CHECK_EQ(st.registrations, 2);
	mfx_down(&f);
	test_buf_free(map, ml);
}

/* A chunk is clipped to the mapping the buffer lies in. */
TEST(cache_chunk_clipped_to_the_mapping)
{
	struct mfx f;
	uint8_t *map = test_buf(5 * 4096), *buf = map + 4096;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0) && map);
	/* Guard pages: the mapping of the buffer is exactly 3 pages. */
	mprotect(map, 4096, PROT_NONE);
	mprotect(map + 4 * 4096, 4096, PROT_NONE);
	test_pattern(buf, 4096, 1);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096 + 100, buf + 10, 5000), -EINVAL); /* overlap */
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096 + 100, buf + 10, 4000), 0);
	CHECK(!memcmp(buf + 4096 + 100, buf + 10, 4000));
	st = stats(f.ctx);
	/* One registration of the 3 pages, not a 2 MiB chunk; one miss. */
	CHECK_EQ(st.registrations, 1);
	CHECK_EQ(st.bytes, 3 * 4096);
	CHECK_EQ(st.misses, 1);
	/* The guard pages cannot be used. */
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 100, map + 10, 16), -EFAULT);
	mfx_down(&f);
	test_buf_free(map, 5 * 4096);
}

/*
 * A small mapping across a chunk boundary: one registration of all of it,
 * not one per chunk it touches.
 */
TEST(cache_small_mapping_across_a_chunk_boundary_is_one_registration)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *edge, *buf;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0));
	/* 3 pages, one below a 2 MiB boundary and two above, guarded. */
	edge = aligned_region(4 * MB, &map, &ml);
	REQUIRE(edge);
	edge += 2 * MB;
	buf = edge - 4096;
	mprotect(buf - 4096, 4096, PROT_NONE);
	mprotect(edge + 8192, 4096, PROT_NONE);
	test_pattern(buf, 4096, 3);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096 + 100, buf + 10, 4000), 0);
	CHECK(!memcmp(buf + 4096 + 100, buf + 10, 4000));
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 10, buf + 8192 + 5, 3000), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.registrations, 1);
	CHECK_EQ(st.bytes, 3 * 4096);
	CHECK_EQ(st.misses, 1);
	mfx_down(&f);
	test_buf_free(map, ml);
}

/* Many buffers of one small mapping: one miss for all of them. */
TEST(cache_small_mapping_registered_once)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *buf;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0));
	/* A 256 KiB mapping of its own inside one 2 MiB chunk. */
	buf = aligned_region(2 * MB, &map, &ml);
	REQUIRE(buf);
	mprotect(buf - 4096, 4096, PROT_NONE);
	mprotect(buf + (256 << 10), 4096, PROT_NONE);
	for (int i = 0; i < 60; i++)
		CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096 * (size_t)(i + 2) + 7, buf + 64, 3000), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.misses, 1);
	CHECK_EQ(st.registrations, 1);
	CHECK_EQ(st.bytes, 256 << 10);
	CHECK(st.hits >= 118);
	mfx_down(&f);
	test_buf_free(map, ml);
}

/* The cache only fills gaps: it never asks for an overlapping range. */
TEST(cache_never_overlaps_explicit_registrations)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *buf;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0));
	buf = aligned_region(2 * MB, &map, &ml);
	REQUIRE(buf);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 8192, 4096, SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 65536, 8192, SDXI_MEM_READ), 0);
	/* A copy spanning both explicit ranges and the gaps around them. */
	test_pattern(buf, 32768, 2);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + MB, buf, 100000), 0);
	CHECK(!memcmp(buf + MB, buf, 100000));
	st = stats(f.ctx);
	CHECK_EQ(st.registrations - st.cached, 2);
	/* Gaps before, between and after: the chunk clipped to neighbours. */
	CHECK_EQ(st.cached, 3);
	CHECK_EQ(st.bytes, 2 * MB);
	mfx_down(&f);
	test_buf_free(map, ml);
}

TEST(unregister_drops_cached_registration)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *buf;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0));
	buf = aligned_region(2 * MB, &map, &ml);
	REQUIRE(buf);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096, buf, 64), 0);
	CHECK_EQ(stats(f.ctx).registrations, 1);
	/* Any overlap drops the whole chunk. */
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf + 100, 1), 1);
	st = stats(f.ctx);
	CHECK_EQ(st.registrations, 0);
	CHECK_EQ(st.bytes, 0);
	/* Nothing left there. */
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf, 4096), -ENOENT);
	/* The next use misses and registers again. */
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096, buf, 64), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.misses, 2);
	CHECK_EQ(st.registrations, 1);
	mfx_down(&f);
	test_buf_free(map, ml);
}

TEST(register_rules_and_errors)
{
	struct mfx f;
	uint8_t *buf = test_buf(16 * 4096);
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0) && buf);
	/* Bad arguments. */
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 0, SDXI_MEM_READ), -EINVAL);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 4096, 0), -EINVAL);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 4096, 1u << 2), -EINVAL);
	CHECK_ERR(sdxi_mem_register(f.ctx, (void *)(uintptr_t)(UINT64_MAX - 10), 100,
				    SDXI_MEM_READ), -EINVAL);
	CHECK_ERR(sdxi_mem_register(NULL, buf, 4096, SDXI_MEM_READ), -EINVAL);
	/* Page rounded: [buf + 10, +5000) covers pages 0 and 1. */
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 10, 5000, SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.bytes, 8192);
	CHECK_EQ(st.held, 1);
	/* Registrations may share pages: they share the page's mapping. */
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 5100, 4000, SDXI_MEM_READ), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.held, 2);
	CHECK_EQ(st.bytes, 3 * 4096);
	/* Unregistering a range releases the registrations inside it only. */
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf, 4096), 0);
	CHECK_EQ(stats(f.ctx).held, 2);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf + 10, 5000), 1);
	st = stats(f.ctx);
	CHECK_EQ(st.held, 1);
	/* Page 0 was the released one's alone; page 1 is still used. */
	CHECK_EQ(st.bytes, 2 * 4096);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf, 16 * 4096), 1);
	st = stats(f.ctx);
	CHECK_EQ(st.registrations, 0);
	CHECK_EQ(st.held, 0);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf, 16 * 4096), -ENOENT);
	mfx_down(&f);
	test_buf_free(buf, 16 * 4096);
}

/* A page registered read-only cannot be registered again for writing. */
TEST(register_over_a_read_only_registration_for_write_eexist)
{
	struct mfx f;
	uint8_t *buf = test_buf(4 * 4096);
	uint64_t iova;

	REQUIRE(mfx_up(&f, 0) && buf);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 2 * 4096, SDXI_MEM_READ), 0);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 4096, 4096, SDXI_MEM_WRITE), -EEXIST);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf + 4096, 64, SDXI_MEM_WRITE, &iova), -EFAULT);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf + 4096, 64, SDXI_MEM_READ, &iova), 0);
	/* Nothing was left behind by the refusals. */
	CHECK_EQ(stats(f.ctx).held, 1);
	mfx_down(&f);
	test_buf_free(buf, 4 * 4096);
}

/* Copy @n bytes with one raw COPY descriptor between device addresses. */
static int raw_copy(struct sdxi_ctx *ctx, uint64_t dst, uint64_t src, uint64_t n)
{
	struct sdxi_batch b;
	uint64_t t;
	int ret = sdxi_batch_start(ctx, &b, 1, SDXI_BATCH_WAIT);

	if (ret)
		return ret;
	ret = sdxi_batch_copy(&b, dst, src, n, 0);
	sdxi_batch_submit(&b, &t);
	return ret ? ret : test_wait(ctx, t);
}

/*
 * The defect this rule fixes: buffers A and B lie in one cache chunk;
 * releasing A must not take the mapping B's device address relies on,
 * whether A was registered, handed out by sdxi_mem_iova() or only cached.
 */
TEST(iova_survives_release_of_a_neighbour_in_the_same_chunk)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *buf, *a, *b;
	uint64_t ia, ib, ib2;

	REQUIRE(mfx_up(&f, 0));
	buf = aligned_region(2 * MB, &map, &ml);
	REQUIRE(buf);
	a = buf + 4096;
	b = buf + 64 * 4096;
	test_pattern(a, 4096, 1);
	/* A cached, then B handed out, then A handed out and registered. */
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 8192, a, 4096), 0);
	CHECK_ERR(sdxi_mem_iova(f.ctx, b, 8192, SDXI_MEM_READ | SDXI_MEM_WRITE, &ib), 0);
	CHECK_ERR(sdxi_mem_iova(f.ctx, a, 4096, SDXI_MEM_READ, &ia), 0);
	CHECK_ERR(sdxi_mem_register(f.ctx, a + 4096 * 10, 4096, SDXI_MEM_READ), 0);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, a, 4096), 1);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, a + 4096 * 10, 4096), 1);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf + 8192, 4096), -ENOENT);
	/* B's address still works, from the device's side. */
	test_pattern(b, 4096, 7);
	CHECK_ERR(raw_copy(f.ctx, ib + 4096, ib, 4096), 0);
	CHECK(test_pattern_ok(b + 4096, 4096, 7));
	/* Asking again gives the same address and no new registration. */
	CHECK_ERR(sdxi_mem_iova(f.ctx, b + 100, 200, SDXI_MEM_READ, &ib2), 0);
	CHECK_EQ(ib2, ib + 100);
	CHECK_EQ(stats(f.ctx).held, 1);
	mfx_down(&f);
	test_buf_free(map, ml);
}

/* Two small buffers in one page: releasing one keeps the page for the other. */
TEST(iova_survives_release_of_a_buffer_sharing_its_page)
{
	struct mfx f;
	uint8_t *buf = test_buf(4 * 4096);
	uint64_t ia, ib;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, SDXI_CTX_NO_CACHE) && buf);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 100, 1000, SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf + 100, 1000, SDXI_MEM_READ, &ia), 0);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 2000, 5000, SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf + 2000, 5000, SDXI_MEM_READ, &ib), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.held, 2);
	CHECK_EQ(st.bytes, 2 * 4096);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf + 100, 1000), 1);
	/* Page 0 is B's too: still mapped; so is page 1. */
	st = stats(f.ctx);
	CHECK_EQ(st.held, 1);
	CHECK_EQ(st.bytes, 2 * 4096);
	test_pattern(buf + 2000, 2000, 3);
	CHECK_ERR(raw_copy(f.ctx, ib + 3000, ib, 2000), 0);
	CHECK(test_pattern_ok(buf + 5000, 2000, 3));
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf + 2000, 5000), 1);
	CHECK_EQ(stats(f.ctx).registrations, 0);
	mfx_down(&f);
	test_buf_free(buf, 4 * 4096);
}

/*
 * After unregistering, the pages only the released registration used are
 * gone for the device (a raw descriptor faults with XLATE there), while a
 * page shared with a registration still held stays reachable.
 */
TEST(unregister_unmaps_exactly_the_pages_nobody_else_uses)
{
	struct sdxi_error err;
	struct mfx f;
	uint8_t *buf = test_buf(4 * 4096);
	uint64_t ia, ib;

	REQUIRE(mfx_up(&f, SDXI_CTX_NO_CACHE) && buf);
	/* A: pages 0-2 (ends inside page 2); B: from inside page 2 to page 3. */
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 2 * 4096 + 100, SDXI_MEM_READ | SDXI_MEM_WRITE),
		  0);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf, 2 * 4096 + 100, SDXI_MEM_READ, &ia), 0);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 2 * 4096 + 200, 4096,
				    SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf + 2 * 4096 + 200, 4096, SDXI_MEM_WRITE, &ib), 0);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf, 2 * 4096 + 100), 1);
	CHECK_EQ(stats(f.ctx).bytes, 2 * 4096);
	/* Page 2 (shared) works; page 0 (A's alone) faults. */
	CHECK_ERR(raw_copy(f.ctx, ib + 64, ib, 64), 0);
	CHECK_ERR(raw_copy(f.ctx, ib, ia, 64), -EFAULT);
	CHECK_ERR(sdxi_ctx_error(f.ctx, &err), 0);
	CHECK_EQ(err.step, 10);
	CHECK_EQ(err.sub_step, 1);
	CHECK_EQ(err.reason, SDXI_ERR_XLATE);
	CHECK_EQ(err.buf, 0);
	CHECK_ERR(sdxi_ctx_reset(f.ctx), 0);
	mfx_down(&f);
	test_buf_free(buf, 4 * 4096);
}

/* sdxi_mem_iova() of memory it already handed out adds nothing. */
TEST(iova_of_the_same_memory_holds_once)
{
	struct mfx f;
	uint8_t *buf = test_buf(64 * 4096);
	uint64_t iova;

	REQUIRE(mfx_up(&f, 0) && buf);
	for (int i = 0; i < 100; i++)
		CHECK_ERR(sdxi_mem_iova(f.ctx, buf + (i % 10) * 100, 3000, SDXI_MEM_READ, &iova),
			  0);
	/* [0, 3000) ... [900, 3900): each not inside an earlier one: 10. */
	CHECK_EQ(stats(f.ctx).held, 10);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf, 64 * 4096, SDXI_MEM_READ, &iova), 0);
	for (int i = 0; i < 100; i++)
		CHECK_ERR(sdxi_mem_iova(f.ctx, buf + i * 1000, 500, SDXI_MEM_READ, &iova), 0);
	CHECK_EQ(stats(f.ctx).held, 11);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf, 64 * 4096), 11);
	CHECK_EQ(stats(f.ctx).registrations, 0);
	mfx_down(&f);
	test_buf_free(buf, 64 * 4096);
}

/* An explicit registration replaces the cached chunk it overlaps. */
TEST(register_over_cached_replaces_it)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *buf;
	struct sdxi_mem_stats st;

	REQUIRE(mfx_up(&f, 0));
	buf = aligned_region(2 * MB, &map, &ml);
	REQUIRE(buf);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096, buf, 64), 0);
	CHECK_EQ(stats(f.ctx).cached, 1);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 8192, SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	st = stats(f.ctx);
	CHECK_EQ(st.cached, 0);
	CHECK_EQ(st.registrations, 1);
	CHECK_EQ(st.bytes, 8192);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096, buf, 64), 0);
	CHECK_EQ(stats(f.ctx).misses, 1);	/* served by the explicit one */
	mfx_down(&f);
	test_buf_free(map, ml);
}

TEST(register_unmapped_memory_efault)
{
	struct mfx f;
	uint8_t *buf = test_buf(8192);

	REQUIRE(mfx_up(&f, 0) && buf);
	munmap(buf + 4096, 4096);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 8192, SDXI_MEM_READ), -EFAULT);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 4096, 1, SDXI_MEM_READ), -EFAULT);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 4096, SDXI_MEM_READ), 0);
	/* sdxi_memcpy on memory that cannot be registered. */
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096, buf, 64), -EFAULT);
	mfx_down(&f);
	test_buf_free(buf, 4096);
}

TEST(read_only_memory_is_a_source_not_a_destination)
{
	struct mfx f;
	uint8_t *ro = test_buf(4096), *rw = test_buf(4096);
	uint64_t iova;

	REQUIRE(mfx_up(&f, 0) && ro && rw);
	test_pattern(ro, 4096, 4);
	mprotect(ro, 4096, PROT_READ);
	CHECK_ERR(sdxi_mem_register(f.ctx, ro, 4096, SDXI_MEM_WRITE), -EFAULT);
	/* The cache registers it read-only and copies from it. */
	CHECK_ERR(sdxi_memcpy(f.ctx, rw, ro, 4096), 0);
	CHECK(test_pattern_ok(rw, 4096, 4));
	CHECK_ERR(sdxi_memcpy(f.ctx, ro, rw, 64), -EFAULT);
	CHECK_ERR(sdxi_mem_iova(f.ctx, ro, 64, SDXI_MEM_WRITE, &iova), -EFAULT);
	CHECK_ERR(sdxi_mem_iova(f.ctx, ro, 64, SDXI_MEM_READ, &iova), 0);
	if (test_identity(f.dev))
		CHECK_EQ(iova, test_va(ro));	/* IOVA == VA (PASID isolation) */
	mfx_down(&f);
	test_buf_free(ro, 4096);
	test_buf_free(rw, 4096);
}

TEST(no_cache_context_needs_explicit_registration)
{
	struct mfx f;
	uint8_t *buf = test_buf(8192);
	uint64_t iova;

	REQUIRE(mfx_up(&f, SDXI_CTX_NO_CACHE) && buf);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096, buf, 64), -EFAULT);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf, 64, SDXI_MEM_READ, &iova), -EFAULT);
	CHECK_EQ(stats(f.ctx).registrations, 0);
	test_register(f.ctx, buf, 8192);
	CHECK_ERR(sdxi_memcpy(f.ctx, buf + 4096, buf, 64), 0);
	CHECK_ERR(sdxi_mem_iova(f.ctx, buf + 5, 64, SDXI_MEM_READ, &iova), 0);
	if (test_identity(f.dev))
		CHECK_EQ(iova, test_va(buf + 5));
	mfx_down(&f);
	test_buf_free(buf, 8192);
}

/*
 * A descriptor naming memory that is not registered faults as on the
 * device: the context fails, the record says data buffer (step 10),
 * translation (sub-step 1), XLATE, which buffer and where, and the
 * ticket fails with -EFAULT; later tickets are canceled; reset recovers.
 */
TEST(unregistered_buffer_faults_like_the_device)
{
	struct sdxi_ctx_status st;
	struct sdxi_error err;
	struct sdxi_batch b;
	struct mfx f;
	uint8_t *reg = test_buf(4096), *unreg = test_buf(4096);
	uint64_t t0, t1, t2 = 0;
	int stalled;

	REQUIRE(mfx_up(&f, SDXI_CTX_NO_CACHE) && reg && unreg);
	test_register(f.ctx, reg, 4096);
	CHECK_ERR(sdxi_ctx_error(f.ctx, &err), -ENOENT);
	/*
	 * The device stalled while the three batches go in, so that the third
	 * is queued before the second fails (after that, -EPIPE at once).
	 */
	stalled = !test_stall(f.dev, 1);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(reg) + 2048, test_va(reg), 64, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t0), 0);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(reg), test_va(unreg) + 16, 64, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t1), 0);
	if (stalled) {
		CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), 0);
		CHECK_ERR(sdxi_batch_nop(&b, 0), 0);
		CHECK_ERR(sdxi_batch_submit(&b, &t2), 0);
		CHECK_ERR(test_stall(f.dev, 0), 0);
	}

	CHECK_ERR(test_wait(f.ctx, t0), 0);
	memset(&err, 0, sizeof(err));
	CHECK_ERR(sdxi_wait(f.ctx, t1, NULL, &err), -EFAULT);
	CHECK_EQ(err.step, 10);			/* SDXI_STEP_DATA */
	CHECK_EQ(err.sub_step, 1);		/* translation */
	CHECK_EQ(err.reason, 13);		/* XLATE */
	CHECK_EQ(err.reaction, 1);		/* context stopped */
	CHECK(err.flags & SDXI_ERROR_INDEX);
	CHECK(err.flags & SDXI_ERROR_BUF);
	CHECK_EQ(err.buf, 0);			/* source */
	CHECK_EQ(err.index, t1);
	CHECK_EQ(err.addr, test_va(unreg) + 16);
	CHECK_EQ(err.err, -EFAULT);
	CHECK(!strcmp(sdxi_reason_name(err.reason), "XLATE"));
	if (stalled)
		CHECK_ERR(test_wait(f.ctx, t2), -ECANCELED);
	CHECK_ERR(sdxi_poll(f.ctx, t0), 0);
	/* The failed slot's CST_BLK carries ER (flags bit 31). */
	CHECK(sdxi__ring(f.ctx)->csb[t1 & sdxi__ring(f.ctx)->mask].flags & 0x80000000u);
	CHECK_ERR(sdxi_ctx_status(f.ctx, &st), 0);
	CHECK_EQ(st.state, 0xf);		/* ERR_FN */
	CHECK_EQ(st.errors, 1);
	CHECK_EQ(st.read_index, t1 + 1);
	CHECK_EQ(st.last.index, t1);
	/* New work is refused at once; reset recovers. */
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), -EPIPE);
	CHECK_ERR(sdxi_ctx_reset(f.ctx), 0);
	CHECK_ERR(sdxi_poll(f.ctx, t0), 0);
	CHECK_ERR(sdxi_poll(f.ctx, t1), -EFAULT);
	if (stalled)
		CHECK_ERR(sdxi_poll(f.ctx, t2), -ECANCELED);
	CHECK_ERR(sdxi_ctx_error(f.ctx, &err), -ENOENT);
	CHECK_ERR(sdxi_memcpy(f.ctx, reg + 1024, reg, 100), 0);
	CHECK_ERR(sdxi_ctx_status(f.ctx, &st), 0);
	CHECK_EQ(st.state, SDXI_CXTV_RUN);
	CHECK_EQ(st.errors, 0);
	CHECK(st.read_index > t1 + stalled);
	mfx_down(&f);
	test_buf_free(reg, 4096);
	test_buf_free(unreg, 4096);
}

/* A destination registered read-only faults on write, like the IOMMU. */
TEST(read_only_registration_faults_on_device_write)
{
	struct sdxi_error err;
	struct sdxi_batch b;
	struct mfx f;
	uint8_t *buf = test_buf(8192);
	uint64_t t;

	REQUIRE(mfx_up(&f, SDXI_CTX_NO_CACHE) && buf);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf, 4096, SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	CHECK_ERR(sdxi_mem_register(f.ctx, buf + 4096, 4096, SDXI_MEM_READ), 0);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(buf) + 4096, test_va(buf), 64, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_wait(f.ctx, t, NULL, &err), -EFAULT);
	CHECK_EQ(err.step, 10);
	CHECK_EQ(err.sub_step, 1);
	CHECK_EQ(err.buf, 1);			/* destination */
	CHECK_EQ(err.addr, test_va(buf) + 4096);
	mfx_down(&f);
	test_buf_free(buf, 8192);
}

/* Unregister waits for descriptors in flight that use the range. */
TEST(unregister_waits_for_descriptors_in_flight)
{
	struct sdxi_batch b;
	struct mfx f;
	uint8_t *buf = test_buf(MB);
	uint64_t t;

	REQUIRE(mfx_up(&f, 0) && buf);
	test_register(f.ctx, buf, MB);
	test_pattern(buf, MB / 2, 8);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 8, 0), 0);
	for (int i = 0; i < 8; i++)
		CHECK_ERR(sdxi_batch_copy(&b, test_va(buf) + MB / 2, test_va(buf), MB / 2, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_mem_unregister(f.ctx, buf, MB), 1);
	/* Every copy ran with the memory still registered. */
	CHECK_ERR(sdxi_poll(f.ctx, t), 0);
	CHECK(test_pattern_ok(buf + MB / 2, MB / 2, 8));
	mfx_down(&f);
	test_buf_free(buf, MB);
}

/*
 * A registration call made while the caller holds an open batch on a
 * private ring: dropping the cache mapping it needs waits for what was
 * published, not for the caller's own batch (which would never come).
 * In a child with an alarm, so that a regression fails instead of hanging.
 */
static int iova_inside_open_batch(void)
{
	struct mfx f;
	void *map;
	size_t ml;
	uint8_t *buf;
	struct sdxi_batch b;
	uint64_t s, t;
	int ret;

	if (!mfx_up(&f, 0))
		return 2;
	buf = aligned_region(2 * MB, &map, &ml);
	if (!buf || sdxi_memcpy(f.ctx, buf + 65536, buf, 64))
		return 3;
	ret = sdxi_batch_start(f.ctx, &b, 2, 0);
	if (!ret)
		ret = sdxi_mem_iova(f.ctx, buf + 4096, 4096, SDXI_MEM_READ | SDXI_MEM_WRITE, &s);
	if (!ret)
		ret = sdxi_batch_copy(&b, s + 2048, s, 64, 0);
	sdxi_batch_submit(&b, &t);
	if (!ret)
		ret = test_wait(f.ctx, t);
	mfx_down(&f);
	return ret ? 4 : 0;
}

TEST(iova_inside_an_open_batch_on_a_private_ring)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(20);
		_exit(iova_inside_open_batch());
	}
	REQUIRE(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}
