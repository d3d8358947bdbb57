/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP test registry for the engine's host tests.
 *
 *   TEST(name) { ... CHECK(cond); CHECK_EQ(a, b); ... }
 *
 * Each TEST is one TAP line ("ok N - name" / "not ok N - name"); failed
 * checks print "# file:line: ..." diagnostics.  A test may call SKIP().
 */
#ifndef SDXIE_TAP_H
#define SDXIE_TAP_H

#include <inttypes.h>
#include <stdio.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

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

#endif /* SDXIE_TAP_H */
