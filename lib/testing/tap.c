// SPDX-License-Identifier: MIT
/* TAP runner shared by the host test suites; see tap.h. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define TAP_MAX 512

struct tap_test {
	const char *name;
	void (*fn)(void);
};

static struct tap_test tests[TAP_MAX];
static int ntests;
struct tap_state tap_cur;

void tap_register(const char *name, void (*fn)(void))
{
	if (ntests == TAP_MAX) {
		fprintf(stderr, "tap: too many tests\n");
		exit(2);
	}
	tests[ntests++] = (struct tap_test){ name, fn };
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct tap_test *)a)->name, ((const struct tap_test *)b)->name);
}

int tap_main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int n = 0, failed = 0;

	qsort(tests, (size_t)ntests, sizeof(tests[0]), cmp_name);
	for (int i = 0; i < ntests; i++)
		n += !filter || strstr(tests[i].name, filter);
	printf("1..%d\n", n);
	fflush(stdout);
	n = 0;
	for (int i = 0; i < ntests; i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		tap_cur = (struct tap_state){ 0 };
		tests[i].fn();
		fflush(stdout);
		if (tap_cur.skip)
			printf("ok %d - %s # SKIP %s\n", ++n, tests[i].name, tap_cur.skip);
		else if (tap_cur.failed)
			printf("not ok %d - %s\n", ++n, tests[i].name), failed++;
		else
			printf("ok %d - %s\n", ++n, tests[i].name);
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
