// SPDX-License-Identifier: MIT
/*
 * The CPU path: glibc's own memcpy(), memmove() and memset(), found with
 * dlsym(RTLD_NEXT) (which resolves their IFUNCs to this CPU's variants),
 * and the bootstrap loops used until then.
 *
 * dlsym() itself may call malloc() and memcpy(), and an interposed call
 * can come before the library's constructor (from ld.so, libc's own
 * start-up, other constructors): the first call resolves the three under
 * the guard, and every call made meanwhile, on any thread, runs the
 * bootstrap loops: libsdxi's own copies for its software device
 * (lib/src/memops.c, built into this library too, with
 * -fno-tree-loop-distribute-patterns so that they never become calls to
 * memcpy() or memset() again).
 */
#include <dlfcn.h>

#include "offload.h"

struct oflo_cpu oflo_cpu;

/* 0 not started, 1 resolving (some thread is in dlsym()), 2 done. */
static int resolve_state;

void oflo_cpu_resolve(void)
{
	int expect = 0;
	void *c, *m, *s;

	if (!__atomic_compare_exchange_n(&resolve_state, &expect, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return;
	oflo_guard_enter();
	c = dlsym(RTLD_NEXT, "memcpy");
	m = dlsym(RTLD_NEXT, "memmove");
	s = dlsym(RTLD_NEXT, "memset");
	/* Without them (a libc without RTLD_NEXT), the loops stay. */
	__atomic_store_n((void **)&oflo_cpu.memcpy, c ? c : (void *)sdxi__memcpy,
			 __ATOMIC_RELEASE);
	__atomic_store_n((void **)&oflo_cpu.memmove, m ? m : (void *)sdxi__memmove,
			 __ATOMIC_RELEASE);
	__atomic_store_n((void **)&oflo_cpu.memset, s ? s : (void *)sdxi__memset,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&resolve_state, 2, __ATOMIC_RELEASE);
	oflo_guard_exit();
}
