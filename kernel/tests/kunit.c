// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "sdxi_unit": the driver's unit test cases (unit_cases.h),
 * the same ones the host runner (unit.c) executes, here against the
 * functions of the loaded sdxi.ko, which exports them to the
 * EXPORTED_FOR_KUNIT_TESTING namespace when the kernel has CONFIG_KUNIT.
 *
 * Built as sdxi_kunit.ko only against a kernel with CONFIG_KUNIT (the
 * debug kernel of make check-debug); loading it runs the suite and prints
 * KTAP to the kernel log.
 */
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/string.h>

#include "../compat.h"

/*
 * The cases take no argument, as on the host, so the checks find their
 * test through kunit_get_current_test().
 */
#define CHECK(cond)							\
	KUNIT_EXPECT_TRUE(kunit_get_current_test(), cond)

#define CHECK_EQ(a, b)							\
	KUNIT_EXPECT_EQ(kunit_get_current_test(),			\
			(unsigned long long)(a), (unsigned long long)(b))

#include "unit_cases.h"

/* One parameterised KUnit case, one parameter per table entry. */
static void sdxi_unit_case_desc(const struct sdxi_unit_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sdxi_unit, sdxi_unit_cases, sdxi_unit_case_desc);

static void sdxi_unit_run(struct kunit *test)
{
	const struct sdxi_unit_case *c = test->param_value;

	c->fn();
}

static struct kunit_case sdxi_unit_kunit_cases[] = {
	KUNIT_CASE_PARAM(sdxi_unit_run, sdxi_unit_gen_params),
	{}
};

static struct kunit_suite sdxi_unit_suite = {
	.name = "sdxi_unit",
	.test_cases = sdxi_unit_kunit_cases,
};

kunit_test_suite(sdxi_unit_suite);

MODULE_DESCRIPTION("KUnit tests for the SDXI driver's encoders and ring math");
MODULE_LICENSE("GPL");
SDXI_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
