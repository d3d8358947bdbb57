// SPDX-License-Identifier: MIT
/* Runs after early-so's constructor; copies once more, joins its thread. */
#include <dlfcn.h>

#include "check.h"

int main(void)
{
	size_t n = 4 << 20;
	unsigned char *a = xmalloc(n), *b = xmalloc(n);

	fill_pat(a, n, 5);
	memcpy(b, a, n);
	if (!is_pat(b, n, 5, 0))
		FAIL("memcpy");
	int (*wait)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "early_thread_wait");

	if (!wait || wait())
		FAIL("early-so's thread");
	puts("main: ok");
	return 0;
}
