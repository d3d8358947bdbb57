// SPDX-License-Identifier: MIT
/*
 * Devices: version queries, enumeration of the SDXI functions of the
 * system (/sys/class/sdxi and GET_INFO), and opening a device by name,
 * index, NUMA proximity or as the software device.
 *
 * Sysfs layout we rely on (Documentation/uapi.rst): one directory
 * /sys/class/sdxi/sdxiN per function, whose "device" link is the PCI
 * function (numa_node there); the node is /dev/sdxiN.
 */
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SYSFS_CLASS	"/sys/class/sdxi"

SDXI_EXPORT int sdxi_lib_major(void)
{
	return SDXI_LIB_MAJOR;
}

SDXI_EXPORT int sdxi_lib_minor(void)
{
	return SDXI_LIB_MINOR;
}

SDXI_EXPORT int sdxi_lib_check_version(int major, int minor)
{
	return major == SDXI_LIB_MAJOR && minor <= SDXI_LIB_MINOR;
}

/* SDXI_DEBUG set to anything but "" or "0". */
static bool debug_env(void)
{
	const char *v = secure_getenv("SDXI_DEBUG");

	return v && *v && strcmp(v, "0");
}

struct sdxi_dev *dev_alloc(const struct sdxi_backend_ops *ops, void *priv)
{
	struct sdxi_dev *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->magic = DEV_MAGIC;
	dev->ops = ops;
	dev->priv = priv;
	dev->refs = 1;
	dev->debug = debug_env();
	pthread_mutex_init(&dev->lock, NULL);
	return dev;
}

void dev_get(struct sdxi_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	dev->refs++;
	pthread_mutex_unlock(&dev->lock);
}

void dev_put(struct sdxi_dev *dev)
{
	unsigned int left;

	pthread_mutex_lock(&dev->lock);
	left = --dev->refs;
	pthread_mutex_unlock(&dev->lock);
	if (left)
		return;
	dev->ops->close(dev);
	dev->magic = DEAD_MAGIC;
	if (dev->debug)
		return;		/* kept, so that a later use is caught */
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

SDXI_EXPORT void sdxi_dev_close(struct sdxi_dev *dev)
{
	bool was;

	if (!dev)
		return;
	dev_check(dev, "sdxi_dev_close()");
	pthread_mutex_lock(&dev->lock);
	was = dev->closed;
	dev->closed = true;
	pthread_mutex_unlock(&dev->lock);
	if (was)
		dev_misuse(dev, "sdxi_dev_close()");
	dev_put(dev);
}

SDXI_EXPORT int sdxi_dev_info(struct sdxi_dev *dev, struct sdxi_dev_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	dev_check(dev, "sdxi_dev_info()");
	return dev->ops->info(dev, info);
}

/* Read a small integer attribute; -1 when absent. */
static long read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* "sdxi12" -> 12; -1 for other names. */
static long node_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "sdxi", 4) || !name[4])
		return -1;
	n = strtol(name + 4, &end, 10);
	return *end || n < 0 ? -1 : n;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/*
 * The functions under @sysfs (a class directory), in node order.  Each gets
 * its path and NUMA node from sysfs and the rest from GET_INFO when the
 * node can be opened.
 */
int dev_list_at(const char *sysfs, struct sdxi_dev_info *infos, unsigned int max)
{
	DIR *d = opendir(sysfs);
	struct dirent *de;
	long *nums = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long k = node_number(de->d_name);

		if (k < 0)
			continue;
		if (n == cap) {
			long *p = realloc(nums, (cap = cap ? cap * 2 : 16) * sizeof(*p));

			if (!p) {
				free(nums);
				closedir(d);
				return -ENOMEM;
			}
			nums = p;
		}
		nums[n++] = k;
	}
	closedir(d);
	qsort(nums, n, sizeof(*nums), cmp_long);
	for (size_t i = 0; i < n && i < max; i++) {
		struct sdxi_dev_info *in = &infos[i];
		char attr[256];

		memset(in, 0, sizeof(*in));
		snprintf(in->path, sizeof(in->path), "/dev/sdxi%ld", nums[i]);
		snprintf(attr, sizeof(attr), "%s/sdxi%ld/device/numa_node", sysfs, nums[i]);
		/*
		 * Capabilities from the node when it opens (it may not:
		 * permissions, no driver); the NUMA node always from the
		 * tree being listed.
		 */
		kdev_probe(in->path, in);
		in->numa_node = (int32_t)read_long(attr);
	}
	free(nums);
	return (int)n;
}

SDXI_EXPORT int sdxi_dev_list(struct sdxi_dev_info *infos, unsigned int max)
{
	if (!infos && max)
		return -EINVAL;
	return dev_list_at(SYSFS_CLASS, infos, max);
}

/* All functions of the system (allocated); their count or a negative errno. */
static int list_all(struct sdxi_dev_info **out)
{
	int n = sdxi_dev_list(NULL, 0), m;

	*out = NULL;
	if (n <= 0)
		return n;
	*out = calloc((size_t)n, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	m = sdxi_dev_list(*out, (unsigned int)n);
	return m < n ? m : n;	/* a function may have gone meanwhile */
}

SDXI_EXPORT int sdxi_dev_open_index(unsigned int index, struct sdxi_dev **devp)
{
	struct sdxi_dev_info *all;
	int n = list_all(&all), ret;

	if (!devp)
		return -EINVAL;
	if (n < 0)
		return n;
	ret = (unsigned int)n > index ? kdev_open(all[index].path, devp) : -ENODEV;
	free(all);
	return ret;
}

/* NUMA distance from @from to @to (sysfs), large when unknown. */
static long numa_distance(int from, int to)
{
	char path[128];
	FILE *f;
	long d = 1000;

	if (from < 0 || to < 0)
		return d;
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/distance", from);
	f = fopen(path, "re");
	if (!f)
		return from == to ? 10 : d;
	for (int i = 0; i <= to; i++)
		if (fscanf(f, "%ld", &d) != 1) {
			d = 1000;
			break;
		}
	fclose(f);
	return d;
}

SDXI_EXPORT int sdxi_dev_open_near(struct sdxi_dev **devp)
{
	struct sdxi_dev_info *all;
	unsigned int cpu, node;
	int n = list_all(&all), best = -1, ret = -ENODEV;
	long best_d = 0;

	if (!devp)
		return -EINVAL;
	if (n < 0)
		return n;
	if (getcpu(&cpu, &node))
		node = 0;
	/* Nearest first; ties go to the lower index.  Try them in turn. */
	for (int tried = 0; tried < n && ret; tried++) {
		best = -1;
		for (int i = 0; i < n; i++) {
			long d;

			if (!all[i].path[0])
				continue;
			d = numa_distance((int)node, all[i].numa_node);
			if (best < 0 || d < best_d) {
				best = i;
				best_d = d;
			}
		}
		if (best < 0)
			break;
		ret = kdev_open(all[best].path, devp);
		all[best].path[0] = 0;
	}
	free(all);
	return ret;
}

SDXI_EXPORT int sdxi_dev_open(const char *name, struct sdxi_dev **devp)
{
	char path[SDXI_DEV_PATH_MAX];

	if (!devp)
		return -EINVAL;
	if (!name || !*name) {
		name = secure_getenv("SDXI_DEVICE");
		if (!name || !*name)
			return sdxi_dev_open_near(devp);
	}
	if (!strcmp(name, "soft"))
		return soft_open(devp, NULL);
	if (!strncmp(name, "soft:", 5))
		return soft_open(devp, name + 5);
	if (name[0] != '/') {
		if ((size_t)snprintf(path, sizeof(path), "/dev/%s", name) >= sizeof(path))
			return -ENAMETOOLONG;
		name = path;
	}
	if (strlen(name) >= SDXI_DEV_PATH_MAX)
		return -ENAMETOOLONG;
	return kdev_open(name, devp);
}
