/* SPDX-License-Identifier: MIT */
/*
 * Test-only entry points of libsdxi: the software device's fault injection
 * and counters, enumeration under another sysfs root, the offload
 * policy's fit and the lookup of the process's mappings.  Not installed
 * and not exported from libsdxi.so (the test suite links libsdxi-test.a);
 * the calls taking a device return -EOPNOTSUPP on one that is not the
 * software device, so tests that need them SKIP on real hardware.
 */
#ifndef LIBSDXI_TEST_H
#define LIBSDXI_TEST_H

#include "sdxi.h"

/* Fault injection of the engine (Documentation/hardware.rst). */
struct sdxi_soft_faults {
	uint64_t fault_addr;	/* every data access covering it fails; 0: off */
	uint64_t fault_after;	/* data bytes that still move, then one fault; 0: off */
	uint32_t stall;		/* execute nothing while set */
	uint32_t force_fn_error; /* put the function in ERROR (write-only) */
};

/* Set the faults of @dev.  0, or -EOPNOTSUPP on a real device. */
int sdxi_soft_inject(struct sdxi_dev *dev, const struct sdxi_soft_faults *f);
/* Read them back (fault_after: bytes left).  0 or -EOPNOTSUPP. */
int sdxi_soft_faults(struct sdxi_dev *dev, struct sdxi_soft_faults *f);

/* Counters of the software device. */
struct sdxi_soft_stats {
	uint64_t descriptors;	/* retired by the engine, all contexts */
	uint64_t errors;	/* error-log entries produced */
	uint64_t engine_doorbells; /* doorbells the engine processed (coalesced) */
	uint64_t bytes;		/* data bytes written */
};
int sdxi_soft_stats(struct sdxi_dev *dev, struct sdxi_soft_stats *st);
/* Doorbells rung on @ctx by the library (one per published batch). */
int sdxi_soft_ctx_doorbells(struct sdxi_ctx *ctx, uint64_t *n);

/*
 * The offload policy a device's probe gives (policy.c): device copies of
 * @small and @large bytes in @small_ns and @large_ns (best of the rounds;
 * UINT64_MAX: failed), a CPU copy of @large bytes in @cpu_ns.
 */
void sdxi_test_policy_fit(uint64_t small, uint64_t small_ns, uint64_t large,
			  uint64_t large_ns, uint64_t cpu_ns, struct sdxi_policy *p);

/*
 * The mapping of the calling process covering @addr, as the library sees
 * it: through PROCMAP_QUERY (@text 0; the text where the kernel lacks it)
 * or the text of /proc/self/maps (@text 1).  0 with [*start, *end) and
 * *flags (1 readable, 2 writable, 4 shared), or -errno (-ENOENT: none).
 */
int sdxi_test_vma_find(int text, uint64_t addr, uint64_t *start, uint64_t *end,
		       unsigned int *flags);

/* sdxi_dev_list() under another class directory (a fake sysfs tree). */
int sdxi_test_dev_list(const char *class_dir, struct sdxi_dev_info *infos, unsigned int max);

#endif /* LIBSDXI_TEST_H */
