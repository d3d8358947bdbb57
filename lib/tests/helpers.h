/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the libsdxi tests (helpers.c), on top of the common
 * TAP registry (lib/testing/tap.h).  They follow the triad: _test_x()
 * returns rc, test_x() asserts success (REQUIRE), CHECK_ERR(expr, -errno)
 * expects an exact errno.
 */
#ifndef LIBSDXI_TEST_HELPERS_H
#define LIBSDXI_TEST_HELPERS_H

#include "sdxi.h"
#include "sdxi_test.h"
#include "tap.h"

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
/*
 * Fault injection: the software device's hook, or on a real device in the
 * test VM the QEMU model's knobs (sdxi-qom-set).  0, or -EOPNOTSUPP where
 * neither exists.
 */
int test_inject(struct sdxi_dev *dev, const struct sdxi_soft_faults *f);
int test_faults(struct sdxi_dev *dev, struct sdxi_soft_faults *f);
/* Stall / unstall the device (test_inject). */
int test_stall(struct sdxi_dev *dev, int on);

/* Bits [lo, hi] (absolute, little endian) of a 64-byte descriptor. */
uint64_t desc_bits(const void *desc, unsigned int lo, unsigned int hi);
/* True if bytes [from, to) of @p are all zero. */
int bytes_zero(const void *p, size_t from, size_t to);

#endif /* LIBSDXI_TEST_HELPERS_H */
