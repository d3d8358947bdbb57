// SPDX-License-Identifier: MIT
/*
 * The offload policy: which synchronous calls run on the calling CPU.
 * The software device's fixed choice, a device's measured threshold,
 * $SDXI_OFFLOAD_MIN and sdxi_ctx_set_policy(), and that a call the CPU
 * runs never reaches the device (no registration, no doorbell) while one
 * above the threshold does.
 */
#include <stdlib.h>

#include "helpers.h"

/* A context with the library's default policy (test_ctx() forces the device). */
static struct sdxi_ctx *default_ctx(struct sdxi_dev *dev)
{
	struct sdxi_ctx *ctx = NULL;

	return dev && !sdxi_ctx_create(dev, NULL, &ctx) ? ctx : NULL;
}

static uint64_t registrations(struct sdxi_ctx *ctx)
{
	struct sdxi_mem_stats st;

	sdxi_mem_stats(ctx, &st);
	return st.registrations;
}

TEST(policy_default_is_the_cpu_on_soft_and_measured_elsewhere)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = default_ctx(dev);
	uint8_t *buf = test_buf(1 << 20);
	struct sdxi_policy p;
	uint64_t db = 0;

	REQUIRE(ctx && buf);
	CHECK_ERR(sdxi_ctx_policy(ctx, &p), 0);
	if (test_is_soft(dev)) {
		CHECK_EQ(p.source, SDXI_POLICY_SOFT);
		CHECK_EQ(p.offload_min, SDXI_OFFLOAD_NEVER);
		/* Every size on the CPU: nothing registered, no doorbell. */
		test_pattern(buf, 1 << 19, 4);
		CHECK_ERR(sdxi_memcpy(ctx, buf + (1 << 19), buf, 1 << 19), 0);
		CHECK(test_pattern_ok(buf + (1 << 19), 1 << 19, 4));
		CHECK_ERR(sdxi_soft_ctx_doorbells(ctx, &db), 0);
		CHECK_EQ(db, 0);
	} else {
		CHECK_EQ(p.source, SDXI_POLICY_MEASURED);
		CHECK(p.cpu_bps > 0);
		CHECK(p.dev_bps > 0);
		printf("# measured: offload from %llu bytes (cpu %llu MB/s, device %llu MB/s, "
		       "fixed %llu ns)\n", (unsigned long long)p.offload_min,
		       (unsigned long long)p.cpu_bps / 1000000,
		       (unsigned long long)p.dev_bps / 1000000,
		       (unsigned long long)p.dev_fixed_ns);
		/* The measurement left nothing registered. */
		CHECK_EQ(registrations(ctx), 0);
	}
	CHECK_EQ(registrations(ctx), 0);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	test_buf_free(buf, 1 << 20);
}

/*
 * The fit of a device's probe (4 KiB and 256 KiB device copies, a 256 KiB
 * CPU copy).  A device at 10 GB/s with 9.59 us fixed cost against a CPU
 * at 5 GB/s crosses at 95.9 KB: threshold 128 KiB.
 */
TEST(policy_fit_of_a_clean_probe)
{
	struct sdxi_policy p;

	sdxi_test_policy_fit(4096, 10000, 262144, 35805, 52429, &p);
	CHECK_EQ(p.source, SDXI_POLICY_MEASURED);
	CHECK(p.dev_bps > 9990000000ULL && p.dev_bps < 10010000000ULL);
	CHECK(p.cpu_bps > 4990000000ULL && p.cpu_bps < 5010000000ULL);
	CHECK(p.dev_fixed_ns >= 9580 && p.dev_fixed_ns <= 9600);
	CHECK_EQ(p.offload_min, 131072);
	/* A device no faster than the CPU: never. */
	sdxi_test_policy_fit(4096, 10000, 262144, 62000, 52429, &p);
	CHECK_EQ(p.offload_min, SDXI_OFFLOAD_NEVER);
	CHECK(p.dev_bps > 0 && p.cpu_bps > 0);
}

/*
 * A loaded machine or an emulated device: the large copy came back no
 * slower than the small one.  The figures are bounds (bandwidth from the
 * large copy alone, fixed cost its whole time), never zero, and the
 * threshold is no lower than a clean probe of the same device would give.
 */
TEST(policy_fit_of_a_noisy_probe_is_conservative)
{
	struct sdxi_policy clean, p;

	sdxi_test_policy_fit(4096, 10000, 262144, 35805, 52429, &clean);
	sdxi_test_policy_fit(4096, 40000, 262144, 35805, 52429, &p);
	CHECK_EQ(p.source, SDXI_POLICY_MEASURED);
	CHECK(p.cpu_bps > 0);
	CHECK(p.dev_bps > 0 && p.dev_bps <= clean.dev_bps);
	CHECK_EQ(p.dev_fixed_ns, 35805);
	CHECK(p.offload_min >= clean.offload_min);
	CHECK(p.offload_min != SDXI_OFFLOAD_NEVER);
	/* Equal times are the same case. */
	sdxi_test_policy_fit(4096, 35805, 262144, 35805, 52429, &p);
	CHECK(p.dev_bps > 0 && p.dev_fixed_ns == 35805);
}

/* A probe whose device copies failed: the device always, no figures. */
TEST(policy_fit_of_a_failed_probe)
{
	struct sdxi_policy p;

	sdxi_test_policy_fit(4096, UINT64_MAX, 262144, UINT64_MAX, 52429, &p);
	CHECK_EQ(p.source, SDXI_POLICY_MEASURED);
	CHECK_EQ(p.offload_min, 0);
	CHECK_EQ(p.dev_bps, 0);
	CHECK_EQ(p.cpu_bps, 0);
}

/* Below the threshold the CPU; from it on, the device. */
TEST(policy_threshold_splits_cpu_and_device)
{
	struct sdxi_policy p = { .offload_min = 4096 }, got;
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = default_ctx(dev);
	uint8_t *buf = test_buf(1 << 20);

	REQUIRE(ctx && buf);
	CHECK_ERR(sdxi_ctx_set_policy(ctx, &p), 0);
	CHECK_ERR(sdxi_ctx_policy(ctx, &got), 0);
	CHECK_EQ(got.source, SDXI_POLICY_APP);
	CHECK_EQ(got.offload_min, 4096);
	test_pattern(buf, 8192, 5);
	CHECK_ERR(sdxi_memcpy(ctx, buf + 65536, buf, 4095), 0);
	CHECK_ERR(sdxi_fill(ctx, buf + 131072, 0x0102030405060708ULL, 4095), 0);
	CHECK_EQ(registrations(ctx), 0);
	CHECK_ERR(sdxi_memcpy(ctx, buf + 262144, buf, 4096), 0);
	CHECK(registrations(ctx) > 0);
	CHECK(!memcmp(buf + 65536, buf, 4095));
	CHECK(!memcmp(buf + 262144, buf, 4096));
	for (int i = 0; i < 4095; i++)
		if (buf[131072 + i] != (uint8_t)(8 - i % 8)) {
			CHECK_EQ(buf[131072 + i], (uint8_t)(8 - i % 8));
			break;
		}
	/* Bad arguments. */
	p.flags = 1;
	CHECK_ERR(sdxi_ctx_set_policy(ctx, &p), -EINVAL);
	CHECK_ERR(sdxi_ctx_set_policy(ctx, NULL), -EINVAL);
	CHECK_ERR(sdxi_ctx_set_policy(NULL, &got), -EINVAL);
	CHECK_ERR(sdxi_ctx_policy(ctx, NULL), -EINVAL);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	test_buf_free(buf, 1 << 20);
}

/* The CPU's fill matches the device's at every length and alignment. */
TEST(policy_cpu_fill_matches_the_device)
{
	struct sdxi_policy cpu = { .offload_min = SDXI_OFFLOAD_NEVER };
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *on_dev = test_ctx(dev, 0, 0), *on_cpu = default_ctx(dev);
	uint8_t *a = test_buf(4096), *b = test_buf(4096);
	int bad = 0;

	REQUIRE(on_dev && on_cpu && a && b);
	CHECK_ERR(sdxi_ctx_set_policy(on_cpu, &cpu), 0);
	for (size_t n = 1; n <= 200 && !bad; n += 7) {
		for (size_t off = 0; off < 9; off += 4) {
			memset(a, 0xee, 4096);
			memset(b, 0xee, 4096);
			CHECK_ERR(sdxi_fill(on_dev, a + off, 0x1122334455667788ULL, n), 0);
			CHECK_ERR(sdxi_fill(on_cpu, b + off, 0x1122334455667788ULL, n), 0);
			bad |= memcmp(a, b, 4096) != 0;
		}
	}
	CHECK_EQ(bad, 0);
	sdxi_ctx_destroy(on_dev);
	sdxi_ctx_destroy(on_cpu);
	sdxi_dev_close(dev);
	test_buf_free(a, 4096);
	test_buf_free(b, 4096);
}

/* $SDXI_OFFLOAD_MIN applies to contexts created while it is set. */
TEST(policy_environment_overrides_the_default)
{
	static const struct { const char *v; uint64_t min; uint32_t env; } c[] = {
		{ "4096", 4096, 1 }, { "64k", 65536, 1 }, { "2M", 2 << 20, 1 },
		{ "0", 0, 1 }, { "never", SDXI_OFFLOAD_NEVER, 1 },
		{ "auto", 0, 0 }, { "12x", 0, 0 }, { "", 0, 0 }, { "-5", 0, 0 },
	};
	struct sdxi_dev *dev = test_dev();
	struct sdxi_policy p;

	REQUIRE(dev);
	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct sdxi_ctx *ctx;

		setenv("SDXI_OFFLOAD_MIN", c[i].v, 1);
		ctx = default_ctx(dev);
		unsetenv("SDXI_OFFLOAD_MIN");
		REQUIRE(ctx);
		CHECK_ERR(sdxi_ctx_policy(ctx, &p), 0);
		if (c[i].env) {
			CHECK_EQ(p.source, SDXI_POLICY_ENV);
			CHECK_EQ(p.offload_min, c[i].min);
		} else {
			CHECK(p.source != SDXI_POLICY_ENV);
		}
		sdxi_ctx_destroy(ctx);
	}
	sdxi_dev_close(dev);
}
