// SPDX-License-Identifier: GPL-2.0
/*
 * Host runner for the driver's unit test cases (unit_cases.h): the pure
 * driver files built as plain C11 against the shim headers in shim/.
 * The same cases run as KUnit in the debug kernel (kunit.c).
 *
 * Output is TAP: one "ok N - name" line per test case.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/array_size.h>

static int t_failed;		/* checks failed in the current case */
static int t_num;		/* cases run */
static int t_bad;		/* cases failed */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: check failed: %s\n",			\
		       __FILE__, __LINE__, #cond);			\
		t_failed++;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == %#llx, expected %s == %#llx\n",\
		       __FILE__, __LINE__, #a, _a, #b, _b);		\
		t_failed++;						\
	}								\
} while (0)

static void run(const char *name, void (*fn)(void))
{
	t_failed = 0;
	fn();
	t_num++;
	if (t_failed)
		t_bad++;
	printf("%s %d - %s\n", t_failed ? "not ok" : "ok", t_num, name);
}

#include "unit_cases.h"

int main(void)
{
	size_t i;

	printf("1..%zu\n", ARRAY_SIZE(sdxi_unit_cases));
	for (i = 0; i < ARRAY_SIZE(sdxi_unit_cases); i++)
		run(sdxi_unit_cases[i].name, sdxi_unit_cases[i].fn);
	return t_bad ? 1 : 0;
}
