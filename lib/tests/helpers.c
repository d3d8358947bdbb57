// SPDX-License-Identifier: MIT
/* Shared helpers of the libsdxi suite; see tap.h. */
#include <stdlib.h>
#include <sys/mman.h>

#include "helpers.h"

struct sdxi_dev *test_dev(void)
{
	const char *name = getenv("SDXI_DEVICE");
	struct sdxi_dev *dev = NULL;
	int ret = sdxi_dev_open(name && *name ? name : "soft", &dev);

	if (ret) {
		printf("# cannot open device %s: %s\n", name ? name : "soft", strerror(-ret));
		return NULL;
	}
	return dev;
}

int test_is_soft(struct sdxi_dev *dev)
{
	struct sdxi_dev_info in;

	return !sdxi_dev_info(dev, &in) && (in.flags & SDXI_DEV_SOFT);
}

int test_identity(struct sdxi_dev *dev)
{
	struct sdxi_dev_info in;

	return !sdxi_dev_info(dev, &in) && in.isolation == SDXI_ISOLATE_PASID;
}

int test_has_interrupts(struct sdxi_dev *dev)
{
	struct sdxi_dev_info in;

	return !sdxi_dev_info(dev, &in) && (in.flags & SDXI_DEV_INTERRUPTS);
}

int _test_ctx(struct sdxi_dev *dev, uint32_t entries, uint32_t flags, struct sdxi_ctx **ctx)
{
	struct sdxi_ctx_opts o = { .ring_entries = entries, .flags = flags };

	return sdxi_ctx_create(dev, &o, ctx);
}

struct sdxi_ctx *test_ctx(struct sdxi_dev *dev, uint32_t entries, uint32_t flags)
{
	struct sdxi_ctx *ctx = NULL;
	int ret = dev ? _test_ctx(dev, entries, flags, &ctx) : -ENODEV;

	if (ret)
		printf("# context: %s\n", strerror(-ret));
	return ret ? NULL : ctx;
}

void *test_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void test_buf_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

void test_pattern(void *p, size_t len, unsigned int seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 131 + seed * 7 + (i >> 8));
}

int test_pattern_ok(const void *p, size_t len, unsigned int seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != (uint8_t)(i * 131 + seed * 7 + (i >> 8)))
			return 0;
	return 1;
}

uint64_t test_va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

void test_register(struct sdxi_ctx *ctx, const void *p, size_t len)
{
	int ret = sdxi_mem_register(ctx, p, len, SDXI_MEM_READ | SDXI_MEM_WRITE);

	if (ret) {
		printf("# register %p+%zu: %s\n", p, len, strerror(-ret));
		tap_cur.failed++;
	}
}

int test_wait(struct sdxi_ctx *ctx, uint64_t ticket)
{
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_SPIN, .timeout_ns = 10000000000ULL };

	return sdxi_wait(ctx, ticket, &o, NULL);
}

int test_stall(struct sdxi_dev *dev, int on)
{
	struct sdxi_soft_faults f = { .stall = (uint32_t)on };

	return sdxi_soft_inject(dev, &f);
}

uint64_t desc_bits(const void *desc, unsigned int lo, unsigned int hi)
{
	const uint8_t *b = desc;
	uint64_t v = 0;

	for (unsigned int i = hi + 1; i-- > lo;)
		v = v << 1 | ((b[i / 8] >> (i % 8)) & 1);
	return v;
}

int bytes_zero(const void *p, size_t from, size_t to)
{
	const uint8_t *b = p;

	for (size_t i = from; i < to; i++)
		if (b[i])
			return 0;
	return 1;
}
