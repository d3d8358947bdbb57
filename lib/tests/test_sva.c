// SPDX-License-Identifier: MIT
/*
 * Context modes (SDXI_CTX_MODE_*): an SVA context reaches the process's
 * memory with no registration (device address == virtual address, the
 * registration cache bypassed, sdxi_mem_register() a pre-fault hint); a
 * pinned one only registered memory.  The software device offers both
 * and reports the mode it gave.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "helpers.h"

/* A context in @mode whose synchronous calls always use the device. */
static struct sdxi_ctx *mode_ctx(struct sdxi_dev *dev, uint32_t mode, int *ret)
{
	struct sdxi_ctx_opts o = { .mode = mode };
	struct sdxi_policy pol = { .offload_min = 0 };
	struct sdxi_ctx *ctx = NULL;

	*ret = sdxi_ctx_create(dev, &o, &ctx);
	if (!*ret)
		*ret = sdxi_ctx_set_policy(ctx, &pol);
	return *ret ? NULL : ctx;
}

TEST(unknown_mode_is_refused)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx_opts o = { .mode = SDXI_CTX_MODE_SVA + 1 };
	struct sdxi_ctx *ctx = NULL;

	REQUIRE(dev);
	CHECK_ERR(sdxi_ctx_create(dev, &o, &ctx), -EINVAL);
	CHECK(ctx == NULL);
	sdxi_dev_close(dev);
}

TEST(mode_query_reports_what_was_asked)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_dev_info in;
	struct sdxi_ctx *ctx;
	int ret;

	REQUIRE(dev);
	CHECK_ERR(sdxi_dev_info(dev, &in), 0);
	ctx = mode_ctx(dev, SDXI_CTX_MODE_PINNED, &ret);
	CHECK_ERR(ret, 0);
	if (ctx)
		CHECK_EQ(sdxi_ctx_mode(ctx), SDXI_CTX_MODE_PINNED);
	sdxi_ctx_destroy(ctx);
	ctx = mode_ctx(dev, SDXI_CTX_MODE_SVA, &ret);
	if (!(in.flags & SDXI_DEV_SVA)) {
		CHECK_ERR(ret, -EOPNOTSUPP);
	} else {
		CHECK_ERR(ret, 0);
		if (ctx)
			CHECK_EQ(sdxi_ctx_mode(ctx), SDXI_CTX_MODE_SVA);
	}
	sdxi_ctx_destroy(ctx);
	/* AUTO: SVA on a kernel device offering it; the soft device registers. */
	ctx = mode_ctx(dev, SDXI_CTX_MODE_AUTO, &ret);
	CHECK_ERR(ret, 0);
	if (ctx)
		CHECK_EQ(sdxi_ctx_mode(ctx), !test_is_soft(dev) && (in.flags & SDXI_DEV_SVA) ?
					     SDXI_CTX_MODE_SVA : SDXI_CTX_MODE_PINNED);
	sdxi_ctx_destroy(ctx);
	if (test_is_soft(dev))
		CHECK(in.flags & SDXI_DEV_SVA);
	sdxi_dev_close(dev);
}

/*
 * SVA: unregistered memory is copied at its virtual address, nothing is
 * registered (the cache is bypassed), and sdxi_mem_register() neither
 * registers nor fails on mapped memory.
 */
TEST(sva_copies_unregistered_memory_without_registering)
{
	struct sdxi_dev *dev = test_dev();
	uint8_t *src = test_buf(65536), *dst = test_buf(65536);
	struct sdxi_mem_stats st;
	struct sdxi_ctx *ctx;
	uint64_t iova = 0;
	int ret;

	REQUIRE(dev && src && dst);
	ctx = mode_ctx(dev, SDXI_CTX_MODE_SVA, &ret);
	if (ret == -EOPNOTSUPP) {
		sdxi_dev_close(dev);
		SKIP("the device offers no SVA contexts");
	}
	REQUIRE(ctx);
	test_pattern(src, 65536, 9);
	CHECK_ERR(sdxi_mem_iova(ctx, src + 100, 1000, SDXI_MEM_READ, &iova), 0);
	CHECK_EQ(iova, (uint64_t)(uintptr_t)(src + 100));
	CHECK_ERR(sdxi_memcpy(ctx, dst, src, 65536), 0);
	CHECK(test_pattern_ok(dst, 65536, 9));
	CHECK_ERR(sdxi_mem_register(ctx, dst, 65536, SDXI_MEM_WRITE), 0);
	CHECK_ERR(sdxi_mem_unregister(ctx, dst, 65536), 0);
	CHECK_ERR(sdxi_mem_stats(ctx, &st), 0);
	CHECK_EQ(st.registrations, 0);
	CHECK_EQ(st.misses, 0);
	CHECK_EQ(st.held, 0);
	sdxi_ctx_destroy(ctx);
	test_buf_free(src, 65536);
	test_buf_free(dst, 65536);
	sdxi_dev_close(dev);
}

/* The pre-fault hint reports memory that is not mapped with the access. */
TEST(sva_register_of_unmapped_or_read_only_memory_fails)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx;
	uint8_t *p;
	int ret;

	REQUIRE(dev);
	ctx = mode_ctx(dev, SDXI_CTX_MODE_SVA, &ret);
	if (ret == -EOPNOTSUPP) {
		sdxi_dev_close(dev);
		SKIP("the device offers no SVA contexts");
	}
	REQUIRE(ctx);
	p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(p != MAP_FAILED);
	CHECK_ERR(sdxi_mem_register(ctx, p, 8192, SDXI_MEM_READ), 0);
	CHECK_ERR(sdxi_mem_register(ctx, p, 8192, SDXI_MEM_WRITE), -EFAULT);
	munmap(p, 8192);
	CHECK_ERR(sdxi_mem_register(ctx, p, 8192, SDXI_MEM_READ), -EFAULT);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
}

/*
 * SVA still honours the page tables: a read-only destination is a
 * translation fault on the destination and is not written.
 */
TEST(sva_read_only_destination_faults_and_is_not_written)
{
	struct sdxi_dev *dev = test_dev();
	uint8_t *src = test_buf(4096), *dst;
	struct sdxi_error err;
	struct sdxi_ctx *ctx;
	int ret;

	REQUIRE(dev && src);
	ctx = mode_ctx(dev, SDXI_CTX_MODE_SVA, &ret);
	if (ret == -EOPNOTSUPP) {
		sdxi_dev_close(dev);
		SKIP("the device offers no SVA contexts");
	}
	REQUIRE(ctx);
	dst = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(dst != MAP_FAILED);
	memset(dst, 0x5a, 4096);
	REQUIRE(!mprotect(dst, 4096, PROT_READ));
	test_pattern(src, 4096, 4);
	CHECK_ERR(sdxi_memcpy(ctx, dst, src, 4096), -EFAULT);
	CHECK_ERR(sdxi_ctx_error(ctx, &err), 0);
	CHECK_EQ(err.reason, SDXI_ERR_XLATE);
	CHECK_EQ(err.addr, (uint64_t)(uintptr_t)dst);
	CHECK(dst[0] == 0x5a && dst[4095] == 0x5a);
	CHECK_ERR(sdxi_ctx_reset(ctx), 0);
	munmap(dst, 4096);
	sdxi_ctx_destroy(ctx);
	test_buf_free(src, 4096);
	sdxi_dev_close(dev);
}

/* Pinned mode on the same device still refuses unregistered memory. */
TEST(pinned_mode_reaches_only_registered_memory)
{
	struct sdxi_dev *dev = test_dev();
	uint8_t *src = test_buf(4096), *dst = test_buf(4096);
	struct sdxi_ctx_opts o = { .mode = SDXI_CTX_MODE_PINNED, .flags = SDXI_CTX_NO_CACHE };
	struct sdxi_ctx *ctx = NULL;
	uint64_t iova;

	REQUIRE(dev && src && dst);
	CHECK_ERR(sdxi_ctx_create(dev, &o, &ctx), 0);
	REQUIRE(ctx);
	CHECK_EQ(sdxi_ctx_mode(ctx), SDXI_CTX_MODE_PINNED);
	CHECK_ERR(sdxi_mem_iova(ctx, src, 4096, SDXI_MEM_READ, &iova), -EFAULT);
	sdxi_ctx_destroy(ctx);
	test_buf_free(src, 4096);
	test_buf_free(dst, 4096);
	sdxi_dev_close(dev);
}
