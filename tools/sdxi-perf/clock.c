// SPDX-License-Identifier: MIT
/*
 * The clocks of sdxi-perf.  Per-batch timestamps use the cheapest counter
 * there is: the TSC on x86 (rdtsc, about 10-40 cycles, no system call),
 * converted to nanoseconds with a rate calibrated against CLOCK_MONOTONIC
 * at start-up; spans (bandwidth) use CLOCK_MONOTONIC itself, which is
 * comparable across processes.  Elsewhere the tick is CLOCK_MONOTONIC in
 * nanoseconds, so "cycles" are then nanoseconds (the environment block
 * says which).  Whether the TSC is invariant (same rate in every P-state
 * and across cores) is reported, not assumed; env.c reads the CPUID bit.
 */
#include <time.h>

#include "sdxi-perf.h"

double perf_tick_hz = 1e9;

uint64_t perf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#if !defined(__x86_64__) && !defined(__i386__)
uint64_t perf_ticks(void)
{
	return perf_now_ns();
}
#endif

/*
 * Calibrate ticks per second over 20 ms of CLOCK_MONOTONIC: the error of
 * the two clock reads (tens of ns) is below 1e-5 of the interval.
 */
void perf_clock_init(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint64_t t0 = perf_now_ns(), c0 = perf_ticks(), t1, c1;

	do {
		t1 = perf_now_ns();
	} while (t1 - t0 < 20000000);
	c1 = perf_ticks();
	perf_tick_hz = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
	if (perf_tick_hz <= 0)
		perf_tick_hz = 1e9;
#endif
}

/* Mean cost of one timestamp read, in ns (the TSC may tick coarsely). */
double perf_timer_overhead_ns(void)
{
	uint64_t a = perf_ticks(), b;

	for (int i = 0; i < 10000; i++)
		b = perf_ticks();
	b = perf_ticks();
	return (double)(b - a) / 10001.0 * 1e9 / perf_tick_hz;
}
