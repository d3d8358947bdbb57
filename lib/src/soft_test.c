// SPDX-License-Identifier: MIT
/*
 * Test hooks of libsdxi (lib/src/sdxi_test.h): the software device's fault
 * injection and counters, enumeration under another sysfs root, the
 * offload policy's fit and the lookup of the process's mappings.  Built
 * into libsdxi-test.a only, never into the installed libraries.
 */
#include <unistd.h>

#include "soft.h"
#include "sdxi_test.h"

SDXI_EXPORT int sdxi_soft_inject(struct sdxi_dev *dev, const struct sdxi_soft_faults *f)
{
	struct soft_dev *sd = dev ? soft_of(dev) : NULL;
	struct sdxie_faults ef = {
		.addr = f->fault_addr, .after = f->fault_after, .stall = f->stall != 0,
	};

	if (!sd)
		return -EOPNOTSUPP;
	ctl_lock(sd);
	sdxie_set_faults(sd->fn, &ef);
	if (f->force_fn_error) {
		sdxie_force_fn_error(sd->fn);
		errlog_process(sd);
	}
	ctl_unlock(sd);
	return 0;
}

SDXI_EXPORT int sdxi_soft_faults(struct sdxi_dev *dev, struct sdxi_soft_faults *f)
{
	struct soft_dev *sd = dev ? soft_of(dev) : NULL;
	struct sdxie_faults ef;

	if (!sd)
		return -EOPNOTSUPP;
	ctl_lock(sd);
	sdxie_get_faults(sd->fn, &ef);
	ctl_unlock(sd);
	*f = (struct sdxi_soft_faults){
		.fault_addr = ef.addr,
		.fault_after = ef.after,
		.stall = ef.stall,
	};
	return 0;
}

SDXI_EXPORT int sdxi_soft_stats(struct sdxi_dev *dev, struct sdxi_soft_stats *st)
{
	struct soft_dev *sd = dev ? soft_of(dev) : NULL;
	struct sdxie_stats es;

	if (!sd)
		return -EOPNOTSUPP;
	ctl_lock(sd);
	sdxie_get_stats(sd->fn, &es);
	ctl_unlock(sd);
	*st = (struct sdxi_soft_stats){
		.descriptors = es.descriptors,
		.errors = es.errors,
		.engine_doorbells = es.doorbells,
		.bytes = es.bytes,
	};
	return 0;
}

SDXI_EXPORT int sdxi_soft_ctx_doorbells(struct sdxi_ctx *ctx, uint64_t *n)
{
	struct soft_cxt *sc;

	if (!soft_of(ctx->dev))
		return -EOPNOTSUPP;
	sc = ctx->hw.priv;
	*n = atomic_load(&sc->doorbells);
	return 0;
}

SDXI_EXPORT int sdxi_test_dev_list(const char *class_dir, struct sdxi_dev_info *infos, unsigned int max)
{
	return dev_list_at(class_dir, infos, max);
}

SDXI_EXPORT void sdxi_test_policy_fit(uint64_t small, uint64_t small_ns, uint64_t large,
				      uint64_t large_ns, uint64_t cpu_ns, struct sdxi_policy *p)
{
	policy_fit(small, small_ns, large, large_ns, cpu_ns, p);
}

SDXI_EXPORT int sdxi_test_vma_find(int text, uint64_t addr, uint64_t *start, uint64_t *end,
				   unsigned int *flags)
{
	int fd = text ? -1 : vma_open();
	struct vma v;
	int ret = vma_find(fd, addr, &v);

	if (fd >= 0)
		close(fd);
	if (ret)
		return ret;
	*start = v.start;
	*end = v.end;
	*flags = v.read | v.write << 1 | v.shared << 2;
	return 0;
}
