/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP registry for the libsdxi suite, plus the helpers the tests
 * share (device and context setup, buffers).
 *
 *   TEST(name) { ... CHECK(cond); CHECK_EQ(a, b); CHECK_ERR(expr, -EINVAL); }
 *
 * One TEST is one TAP line; failed checks print "# file:line: ..."
 * diagnostics.  SKIP(why) ends a test as skipped (e.g. a soft-device hook
 * on real hardware).  Helpers follow the triad: _test_x() returns rc,
 * test_x() asserts success (REQUIRE), CHECK_ERR(expr, -errno) expects an
 * exact errno.
 */
#ifndef LIBSDXI_TAP_H
#define LIBSDXI_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sdxi.h"
#include "sdxi_test.h"

struct tap_state {
	int failed;
	const char *skip;
};

extern struct tap_state tap_cur;
void tap_register(const char *name, void (*fn)(void));
int tap_main(int argc, char **argv);

#define TEST(name)							\
	static void test_##name(void);					\
	__attribute__((constructor)) static void reg_##name(void)	\
	{ tap_register(#name, test_##name); }				\
	static void test_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: CHECK(%s) failed\n",		\
			       __FILE__, __LINE__, #cond);		\
			tap_cur.failed++;				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);	\
		if (_a != _b) {						\
			printf("# %s:%d: %s == %s: 0x%" PRIx64		\
			       " != 0x%" PRIx64 "\n", __FILE__,		\
			       __LINE__, #a, #b, _a, _b);		\
			tap_cur.failed++;				\
		}							\
	} while (0)

/* @expr must return exactly @err (0 or a negative errno). */
#define CHECK_ERR(expr, err)						\
	do {								\
		long _r = (long)(expr), _e = (long)(err);		\
		if (_r != _e) {						\
			printf("# %s:%d: %s returned %ld (%s), expected %ld\n", \
			       __FILE__, __LINE__, #expr, _r,		\
			       _r < 0 ? strerror((int)-_r) : "ok", _e);	\
			tap_cur.failed++;				\
		}							\
	} while (0)

#define REQUIRE(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: REQUIRE(%s) failed\n",		\
			       __FILE__, __LINE__, #cond);		\
			tap_cur.failed++;				\
			return;						\
		}							\
	} while (0)

#define SKIP(why)	do { tap_cur.skip = (why); return; } while (0)

/* Helpers (helpers.c). */
struct sdxi_dev *test_dev(void);		/* $SDXI_DEVICE (default soft) */
int test_is_soft(struct sdxi_dev *dev);
int test_identity(struct sdxi_dev *dev);	/* IOVA == VA (PASID isolation) */
int test_has_interrupts(struct sdxi_dev *dev);
int _test_ctx(struct sdxi_dev *dev, uint32_t entries, uint32_t flags, struct sdxi_ctx **ctx);
struct sdxi_ctx *test_ctx(struct sdxi_dev *dev, uint32_t entries, uint32_t flags);
void *test_buf(size_t len);			/* page-aligned, zeroed, mmap'd */
void test_buf_free(void *p, size_t len);
void test_pattern(void *p, size_t len, unsigned int seed);
int test_pattern_ok(const void *p, size_t len, unsigned int seed);
uint64_t test_va(const void *p);
/* Register @p for read and write with @ctx, asserting success. */
void test_register(struct sdxi_ctx *ctx, const void *p, size_t len);
/* Wait (spin, 10 s timeout) for @ticket; its result. */
int test_wait(struct sdxi_ctx *ctx, uint64_t ticket);
/* Stall / unstall the software device (0, or -EOPNOTSUPP). */
int test_stall(struct sdxi_dev *dev, int on);

/* Bits [lo, hi] (absolute, little endian) of a 64-byte descriptor. */
uint64_t desc_bits(const void *desc, unsigned int lo, unsigned int hi);
/* True if bytes [from, to) of @p are all zero. */
int bytes_zero(const void *p, size_t from, size_t to);

#endif /* LIBSDXI_TAP_H */
