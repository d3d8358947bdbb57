// SPDX-License-Identifier: MIT
/*
 * A library whose constructor copies (1 MiB memcpy, memmove, memset)
 * before or after libsdxi-offload's, depending on the order of
 * LD_PRELOAD, and whose malloc() wrapper copies too: the interposer's
 * first call may come from here, before its constructor and during its
 * own dlsym().  Prints "early: ok" when every copy was right.
 */
#include <dlfcn.h>
#include <unistd.h>

#include "check.h"

static unsigned char a[1 << 20], b[1 << 20];

__attribute__((constructor)) static void early(void)
{
	fill_pat(a, sizeof(a), 3);
	memcpy(b, a, sizeof(a));
	if (!is_pat(b, sizeof(b), 3, 0))
		FAIL("early memcpy");
	memmove(b + 1, b, sizeof(b) - 1);
	if (!is_pat(b + 1, sizeof(b) - 1, 3, 0))
		FAIL("early memmove");
	memset(b, 9, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		if (b[i] != 9)
			FAIL("early memset");
	if (write(1, "early: ok\n", 10) != 10)
		exit(1);
}
