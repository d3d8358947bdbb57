// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes of an SDXI function, in the "sdxi" group of the bus
 * device (e.g. /sys/bus/pci/devices/0000:00:03.0/sdxi/).  Documented in
 * Documentation/driver.rst.  The driver core adds them after probe and
 * removes them before remove, so drvdata is valid whenever they run.
 */
#include <linux/bitfield.h>
#include <linux/device.h>
#include <linux/sysfs.h>

#include "context.h"
#include "hwstruct.h"
#include "sdxi.h"
#include "sysfs.h"

static struct sdxi_fn *to_sdxi(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t version_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct sdxi_fn *sdxi = to_sdxi(dev);

	return sysfs_emit(buf, "%u.%u\n", sdxi->ver_major, sdxi->ver_minor);
}
static DEVICE_ATTR_RO(version);

/*
 * Capabilities, one value per file: raw CAP0/CAP1, then the decoded
 * fields and what the driver derived from them at probe.
 */
#define SDXI_CAP_ATTR(_name, _fmt, _expr)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct sdxi_fn *sdxi = to_sdxi(dev);				\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static DEVICE_ATTR_RO(_name)

SDXI_CAP_ATTR(cap0, "%#llx", sdxi->cap0);
SDXI_CAP_ATTR(cap1, "%#llx", sdxi->cap1);
SDXI_CAP_ATTR(max_cxt, "%u", (u32)FIELD_GET(SDXI_CAP1_MAX_CXT, sdxi->cap1));
SDXI_CAP_ATTR(max_ring_entries, "%u", sdxi->max_ring_entries);
SDXI_CAP_ATTR(db_stride, "%u", sdxi->db_stride);
SDXI_CAP_ATTR(max_buffer, "%llu", sdxi->max_buffer);
SDXI_CAP_ATTR(max_akey_entries, "%llu", SDXI_AKEY_ENTRIES(sdxi->max_akey_enc));
SDXI_CAP_ATTR(op_groups, "%#x", sdxi->opb);
SDXI_CAP_ATTR(vectors, "%u", sdxi->nr_vectors);

static ssize_t max_contexts_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_sdxi(dev)->max_cxt);
}
static DEVICE_ATTR_RO(max_contexts);

static ssize_t active_contexts_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", sdxi_cxt_count(to_sdxi(dev)));
}
static DEVICE_ATTR_RO(active_contexts);

static ssize_t leaked_contexts_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_sdxi(dev)->nr_leaked));
}
static DEVICE_ATTR_RO(leaked_contexts);

static ssize_t function_state_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct sdxi_fn *sdxi = to_sdxi(dev);

	return sysfs_emit(buf, "%s\n", sdxi_gsv_name(sdxi_fn_state(sdxi)));
}
static DEVICE_ATTR_RO(function_state);

static ssize_t driver_state_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct sdxi_fn *sdxi = to_sdxi(dev);

	return sysfs_emit(buf, "%s\n",
			  sdxi_dev_state_name(READ_ONCE(sdxi->state)));
}
static DEVICE_ATTR_RO(driver_state);

static ssize_t recover_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	bool v;
	int err;

	err = kstrtobool(buf, &v);
	if (err)
		return err;
	if (v)
		sdxi_fn_request_recovery(to_sdxi(dev));
	return count;
}
static DEVICE_ATTR_WO(recover);

/* A counter of struct sdxi_stats, found by offset. */
struct sdxi_stat_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t sdxi_stat_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct sdxi_stat_attr *sa = container_of(attr, struct sdxi_stat_attr,
						 attr);
	atomic64_t *v = (void *)&to_sdxi(dev)->stats + sa->offset;

	return sysfs_emit(buf, "%lld\n", atomic64_read(v));
}

#define SDXI_STAT_ATTR(_name)						\
static struct sdxi_stat_attr sdxi_stat_##_name = {			\
	.attr = {							\
		.attr = { .name = __stringify(_name), .mode = 0444 },	\
		.show = sdxi_stat_show,					\
	},								\
	.offset = offsetof(struct sdxi_stats, _name),			\
}

SDXI_STAT_ATTR(errlog_entries);
SDXI_STAT_ATTR(cxt_errors);
SDXI_STAT_ATTR(fn_errors);
SDXI_STAT_ATTR(errlog_overflows);
SDXI_STAT_ATTR(errlog_failures);
SDXI_STAT_ATTR(admin_timeouts);
SDXI_STAT_ATTR(dsc_errors);
SDXI_STAT_ATTR(dma_aborted);
SDXI_STAT_ATTR(recoveries);
SDXI_STAT_ATTR(recovery_failures);

static struct attribute *sdxi_attrs[] = {
	&dev_attr_version.attr,
	&dev_attr_cap0.attr,
	&dev_attr_cap1.attr,
	&dev_attr_max_cxt.attr,
	&dev_attr_max_ring_entries.attr,
	&dev_attr_db_stride.attr,
	&dev_attr_max_buffer.attr,
	&dev_attr_max_akey_entries.attr,
	&dev_attr_op_groups.attr,
	&dev_attr_vectors.attr,
	&dev_attr_max_contexts.attr,
	&dev_attr_active_contexts.attr,
	&dev_attr_leaked_contexts.attr,
	&dev_attr_function_state.attr,
	&dev_attr_driver_state.attr,
	&dev_attr_recover.attr,
	&sdxi_stat_errlog_entries.attr.attr,
	&sdxi_stat_cxt_errors.attr.attr,
	&sdxi_stat_fn_errors.attr.attr,
	&sdxi_stat_errlog_overflows.attr.attr,
	&sdxi_stat_errlog_failures.attr.attr,
	&sdxi_stat_admin_timeouts.attr.attr,
	&sdxi_stat_dsc_errors.attr.attr,
	&sdxi_stat_dma_aborted.attr.attr,
	&sdxi_stat_recoveries.attr.attr,
	&sdxi_stat_recovery_failures.attr.attr,
	NULL
};

static const struct attribute_group sdxi_group = {
	.name = "sdxi",
	.attrs = sdxi_attrs,
};

const struct attribute_group *sdxi_groups[] = {
	&sdxi_group,
	NULL
};
