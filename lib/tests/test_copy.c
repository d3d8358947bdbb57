// SPDX-License-Identifier: MIT
/*
 * The convenience layer on CPU addresses: sdxi_memcpy and its async form,
 * sdxi_fill, sdxi_write_imm, their argument checks and splitting.
 */
#include <stdlib.h>

#include "helpers.h"

struct cfx {
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
};

static int cfx_up(struct cfx *f, uint32_t entries, uint32_t flags)
{
	f->dev = test_dev();
	f->ctx = test_ctx(f->dev, entries, flags);
	return f->ctx != NULL;
}

static void cfx_down(struct cfx *f)
{
	sdxi_ctx_destroy(f->ctx);
	sdxi_dev_close(f->dev);
}

TEST(memcpy_heap_stack_and_mmap_memory)
{
	struct cfx f;
	char stack_src[300], stack_dst[300];
	uint8_t *heap = malloc(100000), *heap2 = malloc(100000);

	REQUIRE(cfx_up(&f, 0, 0) && heap && heap2);
	test_pattern(stack_src, sizeof(stack_src), 1);
	CHECK_ERR(sdxi_memcpy(f.ctx, stack_dst, stack_src, sizeof(stack_src)), 0);
	CHECK(!memcmp(stack_dst, stack_src, sizeof(stack_src)));
	test_pattern(heap, 100000, 2);
	CHECK_ERR(sdxi_memcpy(f.ctx, heap2, heap, 100000), 0);
	CHECK(test_pattern_ok(heap2, 100000, 2));
	CHECK_ERR(sdxi_memcpy(f.ctx, heap2, heap, 0), 0);	/* like memcpy */
	/* Unregister before free(): the pin would keep the pages. */
	CHECK(sdxi_mem_unregister(f.ctx, heap, 100000) >= 1);
	sdxi_mem_unregister(f.ctx, heap2, 100000);
	sdxi_mem_unregister(f.ctx, stack_src, sizeof(stack_src));
	sdxi_mem_unregister(f.ctx, stack_dst, sizeof(stack_dst));
	free(heap);
	free(heap2);
	cfx_down(&f);
}

/*
 * The argument rules of every convenience call: NULL context or ticket
 * -EINVAL; length 0 does nothing and succeeds (async: SDXI_TICKET_DONE);
 * NULL or wrapping buffers -EFAULT; overlap -EINVAL; WRT_IMM above 32
 * bytes -E2BIG.  The same on the CPU path (offload threshold above the
 * sizes) and the device path, except that the CPU needs the memory mapped
 * as memcpy() does: a range wrapping the address space is not checked
 * there.
 */
static void argument_rules(struct sdxi_ctx *ctx, uint8_t *buf, int on_cpu)
{
	void *wrap = (void *)(uintptr_t)(UINT64_MAX - 5);
	uint64_t t = 1;

	CHECK_ERR(sdxi_memcpy(ctx, buf + 10, buf, 100), -EINVAL);	/* overlap */
	CHECK_ERR(sdxi_memcpy(ctx, buf, buf + 99, 100), -EINVAL);
	CHECK_ERR(sdxi_memcpy(ctx, buf + 100, buf, 100), 0);		/* adjacent */
	CHECK_ERR(sdxi_memcpy_async(ctx, buf + 4096, buf, 10, NULL), -EINVAL);
	CHECK_ERR(sdxi_memcpy(NULL, buf + 4096, buf, 10), -EINVAL);
	CHECK_ERR(sdxi_memcpy_async(NULL, buf + 4096, buf, 10, &t), -EINVAL);
	/* Length 0. */
	CHECK_ERR(sdxi_memcpy(ctx, buf + 4096, buf, 0), 0);
	CHECK_ERR(sdxi_memcpy(ctx, NULL, NULL, 0), 0);
	CHECK_ERR(sdxi_memcpy_async(ctx, buf + 4096, buf, 0, &t), 0);
	CHECK_EQ(t, SDXI_TICKET_DONE);
	CHECK_ERR(sdxi_poll(ctx, t), 0);
	CHECK_ERR(sdxi_wait(ctx, t, NULL, NULL), 0);
	CHECK_ERR(sdxi_fill(ctx, buf, 1, 0), 0);
	t = 1;
	CHECK_ERR(sdxi_fill_async(ctx, buf, 1, 0, &t), 0);
	CHECK_EQ(t, SDXI_TICKET_DONE);
	CHECK_ERR(sdxi_write_imm(ctx, buf, "x", 0), 0);
	/* Buffers that cannot be registered. */
	CHECK_ERR(sdxi_memcpy(ctx, NULL, buf, 10), -EFAULT);
	CHECK_ERR(sdxi_memcpy(ctx, buf, NULL, 10), -EFAULT);
	if (!on_cpu)
		CHECK_ERR(sdxi_memcpy(ctx, wrap, buf, 10), -EFAULT);
	CHECK_ERR(sdxi_memcpy_async(ctx, wrap, buf, 10, &t), -EFAULT);
	CHECK_ERR(sdxi_memcpy_async(ctx, NULL, buf, 10, &t), -EFAULT);
	CHECK_ERR(sdxi_fill(ctx, NULL, 1, 10), -EFAULT);
	CHECK_ERR(sdxi_fill_async(ctx, NULL, 1, 10, &t), -EFAULT);
	CHECK_ERR(sdxi_write_imm(ctx, buf, NULL, 4), -EFAULT);
	CHECK_ERR(sdxi_write_imm(ctx, NULL, "x", 1), -EFAULT);
	CHECK_ERR(sdxi_write_imm(ctx, buf, "x", 33), -E2BIG);
}

TEST(memcpy_argument_errors)
{
	struct sdxi_policy cpu = { .offload_min = SDXI_OFFLOAD_NEVER };
	struct cfx f;
	uint8_t *buf = test_buf(8192);

	REQUIRE(cfx_up(&f, 0, 0) && buf);
	argument_rules(f.ctx, buf, 0);		/* on the device */
	CHECK_ERR(sdxi_ctx_set_policy(f.ctx, &cpu), 0);
	argument_rules(f.ctx, buf, 1);		/* on the CPU */
	cfx_down(&f);
	test_buf_free(buf, 8192);
}

/* Async copies, many in flight, one wait on the last. */
TEST(memcpy_async_many_in_flight)
{
	struct cfx f;
	size_t sz = 8192, n = 300;
	uint8_t *src = test_buf(sz * n), *dst = test_buf(sz * n);
	uint64_t t = 0;

	REQUIRE(cfx_up(&f, 1024, 0) && src && dst);
	test_pattern(src, sz * n, 3);
	for (size_t i = 0; i < n; i++)
		CHECK_ERR(sdxi_memcpy_async(f.ctx, dst + i * sz, src + i * sz, sz, &t), 0);
	CHECK_ERR(sdxi_wait(f.ctx, t, NULL, NULL), 0);
	CHECK(test_pattern_ok(dst, sz * n, 3));
	cfx_down(&f);
	test_buf_free(src, sz * n);
	test_buf_free(dst, sz * n);
}

/* More pieces than the ring holds go out in several batches. */
TEST(memcpy_larger_than_ring_times_max_buffer_splits)
{
	struct cfx f;
	uint8_t *src = test_buf(32 << 20), *dst = test_buf(32 << 20);

	REQUIRE(cfx_up(&f, 1024, 0) && src && dst);
	test_pattern(src, 32 << 20, 4);
	CHECK_ERR(sdxi_memcpy(f.ctx, dst, src, 32 << 20), 0);
	CHECK(test_pattern_ok(dst, 32 << 20, 4));
	cfx_down(&f);
	test_buf_free(src, 32 << 20);
	test_buf_free(dst, 32 << 20);
}

TEST(fill_and_write_imm_on_cpu_addresses)
{
	struct cfx f;
	uint8_t *buf = test_buf(1 << 20);
	uint64_t v = 0x1122334455667788ULL;
	uint32_t word;

	REQUIRE(cfx_up(&f, 0, 0) && buf);
	memset(buf, 0xee, 1 << 20);
	CHECK_ERR(sdxi_fill(f.ctx, buf + 3, 0xa5a5a5a5a5a5a5a5ULL, 500000), 0);
	CHECK_EQ(buf[2], 0xee);
	CHECK_EQ(buf[3], 0xa5);
	CHECK_EQ(buf[3 + 499999], 0xa5);
	CHECK_EQ(buf[3 + 500000], 0xee);
	CHECK_ERR(sdxi_write_imm(f.ctx, buf + 8, &v, 8), 0);
	CHECK(!memcmp(buf + 8, &v, 8));
	word = 0xcafef00d;
	CHECK_ERR(sdxi_write_imm(f.ctx, buf + 600000, &word, 4), 0);
	CHECK(!memcmp(buf + 600000, &word, 4));
	cfx_down(&f);
	test_buf_free(buf, 1 << 20);
}

/* Poll without waiting until the async copy lands. */
TEST(memcpy_async_then_poll)
{
	struct cfx f;
	uint8_t *buf = test_buf(1 << 20);
	uint64_t t;
	int ret;

	REQUIRE(cfx_up(&f, 0, 0) && buf);
	test_pattern(buf, 1 << 19, 6);
	CHECK_ERR(sdxi_memcpy_async(f.ctx, buf + (1 << 19), buf, 1 << 19, &t), 0);
	for (int i = 0; i < 100000000 && (ret = sdxi_poll(f.ctx, t)) == -EAGAIN; i++)
		;
	CHECK_ERR(ret, 0);
	CHECK(test_pattern_ok(buf + (1 << 19), 1 << 19, 6));
	cfx_down(&f);
	test_buf_free(buf, 1 << 20);
}
