// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN: the character device and class of user-mapped SDXI contexts
 * (Documentation/uapi.rst, the ABI is uapi/linux/sdxi.h).
 *
 * One character device per function, its class device's sysfs attributes
 * (counters, isolation, an administrator's reset_context), and the
 * pseudo-filesystem whose one inode per device gives every open file the
 * same address space, so that revocation reaches every mapping.  The open
 * files are user_file.c's, their ioctls user_ioctl.c's, their mappings
 * user_mmap.c's and poll()/read() user_events.c's.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>

#include "cdev.h"
#include "compat.h"
#include "mem.h"
#include "quota.h"
#include "sdxi.h"
#include "user_context.h"
#include "user_debugfs.h"
#include "user_events.h"
#include "user_file.h"
#include "user_ioctl.h"
#include "user_mmap.h"

#define SDXI_UMINORS		256
#define SDXI_FS_MAGIC		0x5d01f5

static dev_t sdxi_devt;
static DEFINE_IDA(sdxi_minors);
static struct vfsmount *sdxi_mnt;
static int sdxi_mnt_count;
static DEFINE_MUTEX(sdxi_mnt_lock);
static struct dentry *sdxi_debugfs_root;

static char *sdxi_devnode(const struct device *dev, umode_t *mode)
{
	/* root:root 0660; a udev rule gives a group access. */
	if (mode)
		*mode = 0660;
	return NULL;
}

/*
 * /sys/class/sdxi/sdxiN.  The class devices have no parent (they live in
 * /sys/devices/virtual/sdxi/) and get their "device" link by hand: as
 * children of the PCI device, the class's glue directory would collide
 * with the function's "sdxi" attribute group.
 */
static const struct class sdxi_class = {
	.name = "sdxi",
	.devnode = sdxi_devnode,
};

static int sdxi_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, SDXI_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: a mount pinned while a function is bound must not hold the
 * module (rmmod unbinds the functions, which releases the pins); every
 * user of the inode holds the module through an open file anyway.
 */
static struct file_system_type sdxi_fs_type = {
	.name = "sdxi",
	.init_fs_context = sdxi_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

static const struct file_operations sdxi_user_fops = {
	.owner = THIS_MODULE,
	.open = sdxi_user_open,
	.release = sdxi_user_release,
	.unlocked_ioctl = sdxi_user_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = sdxi_user_mmap,
	.poll = sdxi_user_poll,
	.read = sdxi_user_read,
	.llseek = noop_llseek,
};

#define SDXI_USTAT_ATTR(_name, _expr)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev); \
									\
	return sysfs_emit(buf, "%lld\n", (long long)(_expr));		\
}									\
static DEVICE_ATTR_RO(_name)

/* An amount held by all user contexts (charges, enum sdxi_ures). */
static u64 sdxi_user_use(struct sdxi_udev *ud, enum sdxi_ures r)
{
	u64 v;

	spin_lock(&ud->acct_lock);
	v = ud->use[r];
	spin_unlock(&ud->acct_lock);
	return v;
}

static unsigned int sdxi_user_contexts_offered(struct sdxi_udev *ud)
{
	guard(rwsem_read)(&ud->rwsem);
	return ud->sdxi ? sdxi_user_contexts_max(ud) : 0;
}

SDXI_USTAT_ATTR(user_contexts, atomic_read(&ud->stats.contexts));
SDXI_USTAT_ATTR(pasids, atomic_read(&ud->stats.pasids));
SDXI_USTAT_ATTR(pinned_pages, atomic64_read(&ud->stats.pinned_pages));
SDXI_USTAT_ATTR(dmabufs, atomic_read(&ud->stats.dmabufs));
SDXI_USTAT_ATTR(open_files, atomic_read(&ud->stats.files));
SDXI_USTAT_ATTR(pinned_bytes, sdxi_user_use(ud, SDXI_URES_PINNED));
SDXI_USTAT_ATTR(imported_bytes, sdxi_user_use(ud, SDXI_URES_IMPORTED));
SDXI_USTAT_ATTR(user_vectors, sdxi_user_use(ud, SDXI_URES_VECTORS));
SDXI_USTAT_ATTR(max_user_contexts, sdxi_user_contexts_offered(ud));
SDXI_USTAT_ATTR(windows, atomic_read(&ud->stats.windows));
SDXI_USTAT_ATTR(window_imports, atomic_read(&ud->stats.imports));

static ssize_t isolation_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev);

	return sysfs_emit(buf, "%s\n", ud->isolated ? "pasid" :
			  allow_unsafe_noiommu ? "none" : "unavailable");
}
static DEVICE_ATTR_RO(isolation);

static ssize_t reset_context_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev);
	unsigned int id;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtouint(buf, 10, &id))
		return -EINVAL;
	err = sdxi_uctx_admin_reset(ud, id);
	return err ?: count;
}
static DEVICE_ATTR_WO(reset_context);

static struct attribute *sdxi_udev_attrs[] = {
	&dev_attr_user_contexts.attr,
	&dev_attr_pasids.attr,
	&dev_attr_pinned_pages.attr,
	&dev_attr_dmabufs.attr,
	&dev_attr_open_files.attr,
	&dev_attr_pinned_bytes.attr,
	&dev_attr_imported_bytes.attr,
	&dev_attr_user_vectors.attr,
	&dev_attr_max_user_contexts.attr,
	&dev_attr_isolation.attr,
	&dev_attr_reset_context.attr,
	&dev_attr_windows.attr,
	&dev_attr_window_imports.attr,
	NULL
};
ATTRIBUTE_GROUPS(sdxi_udev);

static void sdxi_udev_release(struct device *dev)
{
	struct sdxi_udev *ud = container_of(dev, struct sdxi_udev, dev);

	if (ud->inode)
		iput(ud->inode);
	scoped_guard(mutex, &sdxi_mnt_lock)
		if (ud->inode)
			simple_release_fs(&sdxi_mnt, &sdxi_mnt_count);
	ida_free(&sdxi_minors, MINOR(dev->devt));
	xa_destroy(&ud->users);
	kfree(ud);
}

/*
 * Function teardown, first of the devres actions: no new opens; every
 * context of every open file revoked and destroyed while the admin ring
 * still works; later calls on those files fail with -ENODEV and the
 * structure is freed at the last close.
 */
static void sdxi_cdev_unregister(void *data)
{
	struct sdxi_udev *ud = data;
	struct sdxi_ufile *uf;

	sysfs_remove_link(&ud->dev.kobj, "device");
	cdev_device_del(&ud->cdev, &ud->dev);
	scoped_guard(rwsem_write, &ud->rwsem) {
		list_for_each_entry(uf, &ud->files, node)
			sdxi_ufile_destroy_all(uf, true);
		ud->sdxi->udev = NULL;
		WRITE_ONCE(ud->sdxi, NULL);
		list_for_each_entry(uf, &ud->files, node)
			wake_up_all(&uf->wq);
	}
	debugfs_remove_recursive(ud->debugfs);
	put_device(&ud->dev);
}

/**
 * sdxi_cdev_remove() - remove /dev/sdxiN from the bus driver's remove()
 * @sdxi: function
 *
 * User contexts hold PASIDs attached to the device, and the driver core
 * checks that none is left right after remove() and before devres runs,
 * so they are torn down here rather than by the devres action.
 */
void sdxi_cdev_remove(struct sdxi_fn *sdxi)
{
	if (sdxi->udev)
		devm_release_action(sdxi->dev, sdxi_cdev_unregister, sdxi->udev);
}

/* The IOMMU gives the function PASIDs and private domains. */
static bool sdxi_pasid_capable(struct device *dev)
{
	return device_iommu_mapped(dev) && dev->iommu &&
	       dev->iommu->max_pasids > 0;
}

/**
 * sdxi_cdev_register() - create /dev/sdxiN for an active function
 * @sdxi: function
 *
 * Managed: removed (and every user context destroyed) before the rest of
 * the function's teardown.
 *
 * Return: 0 or a negative errno.
 */
int sdxi_cdev_register(struct sdxi_fn *sdxi)
{
	struct device *dev = sdxi->dev;
	struct sdxi_udev *ud;
	int minor, err;

	ud = kzalloc_obj(*ud, GFP_KERNEL);
	if (!ud)
		return -ENOMEM;
	minor = ida_alloc_max(&sdxi_minors, SDXI_UMINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		kfree(ud);
		return minor;
	}
	init_rwsem(&ud->rwsem);
	INIT_LIST_HEAD(&ud->files);
	mutex_init(&ud->files_lock);
	spin_lock_init(&ud->acct_lock);
	xa_init(&ud->users);
	mutex_init(&ud->attach_lock);
	mutex_init(&ud->win_lock);
	INIT_LIST_HEAD(&ud->attachments);
	ud->sdxi = sdxi;
	ud->isolated = sdxi_pasid_capable(dev);

	device_initialize(&ud->dev);
	ud->dev.class = &sdxi_class;
	ud->dev.devt = MKDEV(MAJOR(sdxi_devt), minor);
	ud->dev.groups = sdxi_udev_groups;
	ud->dev.release = sdxi_udev_release;
	/* From here on put_device() frees everything. */
	err = dev_set_name(&ud->dev, "sdxi%d", minor);
	if (err)
		goto put;
	scoped_guard(mutex, &sdxi_mnt_lock) {
		err = simple_pin_fs(&sdxi_fs_type, &sdxi_mnt, &sdxi_mnt_count);
		if (!err) {
			ud->inode = alloc_anon_inode(sdxi_mnt->mnt_sb);
			if (IS_ERR(ud->inode)) {
				err = PTR_ERR(ud->inode);
				ud->inode = NULL;
				simple_release_fs(&sdxi_mnt, &sdxi_mnt_count);
			}
		}
	}
	if (err)
		goto put;

	cdev_init(&ud->cdev, &sdxi_user_fops);
	ud->cdev.owner = THIS_MODULE;
	err = cdev_device_add(&ud->cdev, &ud->dev);
	if (err)
		goto put;
	err = sysfs_create_link(&ud->dev.kobj, &dev->kobj, "device");
	if (err) {
		cdev_device_del(&ud->cdev, &ud->dev);
		goto put;
	}
	sdxi_udev_debugfs_add(ud, sdxi_debugfs_root);
	sdxi->udev = ud;
	if (!ud->isolated)
		dev_info(dev, "%s: no PASID-capable IOMMU: user contexts %s\n",
			 dev_name(&ud->dev), allow_unsafe_noiommu ?
			 "without isolation (allow_unsafe_noiommu)" : "refused");
	return devm_add_action_or_reset(dev, sdxi_cdev_unregister, ud);

put:
	put_device(&ud->dev);
	return err;
}

/**
 * sdxi_cdev_init() - module init: device numbers, class, debugfs
 *
 * Return: 0 or a negative errno.
 */
int sdxi_cdev_init(void)
{
	int err;

	err = alloc_chrdev_region(&sdxi_devt, 0, SDXI_UMINORS, SDXI_DRV_NAME);
	if (err)
		return err;
	err = class_register(&sdxi_class);
	if (err) {
		unregister_chrdev_region(sdxi_devt, SDXI_UMINORS);
		return err;
	}
	err = sdxi_user_mem_init();
	if (err) {
		class_unregister(&sdxi_class);
		unregister_chrdev_region(sdxi_devt, SDXI_UMINORS);
		return err;
	}
	sdxi_debugfs_root = debugfs_create_dir(SDXI_DRV_NAME, NULL);
	sdxi_fn_debugfs_init(sdxi_debugfs_root);
	return 0;
}

/**
 * sdxi_cdev_exit() - module exit
 */
void sdxi_cdev_exit(void)
{
	debugfs_remove_recursive(sdxi_debugfs_root);
	sdxi_user_mem_exit();
	class_unregister(&sdxi_class);
	unregister_chrdev_region(sdxi_devt, SDXI_UMINORS);
}
