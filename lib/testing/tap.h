/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP test registry shared by the host test suites (engine,
 * libsdxi).
 *
 *   TEST(name) { ... CHECK(cond); CHECK_EQ(a, b); CHECK_ERR(expr, -EINVAL); }
 *
 * One TEST is one TAP line ("ok N - name" / "not ok N - name"), in name
 * order; failed checks print "# file:line: ..." diagnostics.  REQUIRE ends
 * a test on failure; SKIP(why) ends it as skipped.
 */
#ifndef SDXI_TESTING_TAP_H
#define SDXI_TESTING_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct tap_state {
	int failed;
	const char *skip;
};

extern struct tap_state tap_cur;
void tap_register(const char *name, void (*fn)(void));
/* Run the registered tests (argv[1]: only names containing it); exit status. */
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

#endif /* SDXI_TESTING_TAP_H */
