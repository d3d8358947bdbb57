// SPDX-License-Identifier: MIT
/*
 * The interposed functions.  Each is a size test against the function's
 * threshold and a call of glibc's implementation; only calls at or above
 * it (or every call, with statistics on) reach the slow path, which
 * decides between the device and the CPU (see sdxi-offload(7)).
 */
#include <stdlib.h>
#include <unistd.h>

#include "offload.h"

#define EXPORT __attribute__((visibility("default")))

__thread struct oflo_thread oflo_self OFLO_TLS;

/*
 * Per function: calls of fewer bytes take the CPU at once.  UINT64_MAX
 * until the constructor has run and for functions not offloaded, the
 * threshold once the device is ready, 0 with statistics on (every call
 * is counted).
 */
uint64_t oflo_below[OFLO_NFN] = { UINT64_MAX, UINT64_MAX, UINT64_MAX };

extern void __chk_fail(void) __attribute__((noreturn));

static inline void *cpu_memcpy(void *dst, const void *src, size_t n)
{
	void *(*f)(void *, const void *, size_t) =
		__atomic_load_n(&oflo_cpu.memcpy, __ATOMIC_ACQUIRE);

	if (__builtin_expect(!f, 0)) {
		oflo_cpu_resolve();
		f = __atomic_load_n(&oflo_cpu.memcpy, __ATOMIC_ACQUIRE);
		if (!f)
			return sdxi__memcpy(dst, src, n);
	}
	return f(dst, src, n);
}

static inline void *cpu_memmove(void *dst, const void *src, size_t n)
{
	void *(*f)(void *, const void *, size_t) =
		__atomic_load_n(&oflo_cpu.memmove, __ATOMIC_ACQUIRE);

	if (__builtin_expect(!f, 0)) {
		oflo_cpu_resolve();
		f = __atomic_load_n(&oflo_cpu.memmove, __ATOMIC_ACQUIRE);
		if (!f)
			return sdxi__memmove(dst, src, n);
	}
	return f(dst, src, n);
}

static inline void *cpu_memset(void *dst, int c, size_t n)
{
	void *(*f)(void *, int, size_t) = __atomic_load_n(&oflo_cpu.memset, __ATOMIC_ACQUIRE);

	if (__builtin_expect(!f, 0)) {
		oflo_cpu_resolve();
		f = __atomic_load_n(&oflo_cpu.memset, __ATOMIC_ACQUIRE);
		if (!f)
			return sdxi__memset(dst, c, n);
	}
	return f(dst, c, n);
}

static inline int fast(enum oflo_fn fn, size_t n)
{
	return __builtin_expect(n < __atomic_load_n(&oflo_below[fn], __ATOMIC_RELAXED), 1);
}

/*
 * Whether this call may try the device: -1 yes, -2 no (below the
 * threshold or switched off), else the fallback reason.  The library's
 * own calls (depth > 0 outside a signal handler: libsdxi's and libc's
 * inside the device path) return OFLO_NFB: not the program's, not
 * counted.
 */
static int may_offload(enum oflo_fn fn, size_t n)
{
	if (oflo_self.in_signal)
		return OFLO_FB_SIGNAL;
	if (oflo_self.depth)
		return OFLO_NFB;
	if (n < __atomic_load_n(&oflo_min, __ATOMIC_RELAXED) || !(oflo_cfg.fns & (1u << fn)))
		return -2;	/* the CPU by configuration: no fallback */
	if (!__atomic_load_n(&oflo_cfg.ready, __ATOMIC_ACQUIRE) || oflo_self.exited)
		return OFLO_FB_EXIT;
	/* A fork() child, or a vfork()/posix_spawn() child sharing our memory. */
	if (getpid() != oflo_pid)
		return OFLO_FB_CHILD;
	return -1;
}

/* The device, or the CPU with the reason counted; then the statistics. */
static void *slow_copy(enum oflo_fn fn, void *dst, const void *src, size_t n)
{
	int why = may_offload(fn, n), dev = 0;
	uint64_t t0;

	if (why == OFLO_NFB)
		return fn == OFLO_MEMCPY ? cpu_memcpy(dst, src, n) : cpu_memmove(dst, src, n);
	t0 = oflo_cfg.stats ? oflo_now_ns() : 0;
	if (why == -1 && ((uintptr_t)dst - (uintptr_t)src < n || (uintptr_t)src - (uintptr_t)dst < n))
		why = OFLO_FB_OVERLAP;
	if (why == -1) {
		why = oflo_dev_copy(dst, src, n);
		dev = why == 0;
	}
	if (!dev) {
		if (why >= 0)
			oflo_stats_fallback(why);
		if (fn == OFLO_MEMCPY)
			cpu_memcpy(dst, src, n);
		else
			cpu_memmove(dst, src, n);
	}
	if (oflo_cfg.stats)
		oflo_stats_count(fn, n, dev, oflo_now_ns() - t0);
	return dst;
}

static void *slow_set(void *dst, int c, size_t n)
{
	int why = may_offload(OFLO_MEMSET, n), dev = 0;
	uint64_t t0;

	if (why == OFLO_NFB)
		return cpu_memset(dst, c, n);
	t0 = oflo_cfg.stats ? oflo_now_ns() : 0;
	if (why == -1) {
		why = oflo_dev_fill(dst, c, n);
		dev = why == 0;
	}
	if (!dev) {
		if (why >= 0)
			oflo_stats_fallback(why);
		cpu_memset(dst, c, n);
	}
	if (oflo_cfg.stats)
		oflo_stats_count(OFLO_MEMSET, n, dev, oflo_now_ns() - t0);
	return dst;
}

EXPORT void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	if (fast(OFLO_MEMCPY, n))
		return cpu_memcpy(dst, src, n);
	return slow_copy(OFLO_MEMCPY, dst, src, n);
}

EXPORT void *memmove(void *dst, const void *src, size_t n)
{
	if (fast(OFLO_MEMMOVE, n))
		return cpu_memmove(dst, src, n);
	return slow_copy(OFLO_MEMMOVE, dst, src, n);
}

EXPORT void *memset(void *dst, int c, size_t n)
{
	if (fast(OFLO_MEMSET, n))
		return cpu_memset(dst, c, n);
	return slow_set(dst, c, n);
}

EXPORT void *mempcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return (char *)memcpy(dst, src, n) + n;
}

EXPORT void *__mempcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return (char *)memcpy(dst, src, n) + n;
}

EXPORT void *__memcpy_chk(void *restrict dst, const void *restrict src, size_t n, size_t dstlen)
{
	if (dstlen < n)
		__chk_fail();
	return memcpy(dst, src, n);
}

EXPORT void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (dstlen < n)
		__chk_fail();
	return memmove(dst, src, n);
}

EXPORT void *__mempcpy_chk(void *restrict dst, const void *restrict src, size_t n, size_t dstlen)
{
	if (dstlen < n)
		__chk_fail();
	return (char *)memcpy(dst, src, n) + n;
}

EXPORT void *__memset_chk(void *dst, int c, size_t n, size_t dstlen)
{
	if (dstlen < n)
		__chk_fail();
	return memset(dst, c, n);
}

EXPORT void bcopy(const void *src, void *dst, size_t n)
{
	memmove(dst, src, n);
}

EXPORT void bzero(void *dst, size_t n)
{
	memset(dst, 0, n);
}
