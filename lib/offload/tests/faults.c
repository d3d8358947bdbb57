// SPDX-License-Identifier: MIT
/*
 * Device failures never reach the program (under libsdxi-offload-test.so
 * with a forced threshold): a copy whose device transfer faults part way
 * is redone on the CPU; then the function fails for good (as a device
 * that vanished) and every later call is right, on the CPU.  The
 * statistics count the errors and the fallbacks (checked by run.sh).
 */
#include <dlfcn.h>

#include "check.h"

#define N (1 << 20)

static void copy_check(unsigned char *a, unsigned char *b, unsigned int seed)
{
	fill_pat(a, N, seed);
	memset(b, 0, N);
	memcpy(b, a, N);
	if (!is_pat(b, N, seed, 0))
		FAIL("copy %u", seed);
	memset(b, 0x3c, N);
	for (size_t i = 0; i < N; i++)
		if (b[i] != 0x3c)
			FAIL("memset %u at %zu", seed, i);
}

int main(void)
{
	int (*fault)(int, uint64_t) = (int (*)(int, uint64_t))dlsym(RTLD_DEFAULT,
								   "sdxi_offload_test_fault");
	unsigned char *a = xmalloc(N), *b = xmalloc(N);

	if (!fault)
		FAIL("not under libsdxi-offload-test.so");
	copy_check(a, b, 1);			/* opens the device */
	if (fault(0, N / 2))
		FAIL("fault injection");
	copy_check(a, b, 2);			/* faults half way */
	copy_check(a, b, 3);
	if (fault(1, 0))
		FAIL("function error injection");
	for (unsigned int i = 4; i < 40; i++)	/* the device is gone */
		copy_check(a, b, i);
	puts("faults: ok");
	return 0;
}
