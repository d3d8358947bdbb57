// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs of /dev/sdxiN: <debugfs>/sdxi/sdxiN/ holds one file per user
 * context (cxtN: owner, counters, state), the quota files (quota.c) and,
 * in the test configuration (CONFIG_SDXI_TEST) only, the dmabuf_move
 * trigger, which moves every imported dma-buf as an exporter would.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "context.h"
#include "mem.h"
#include "quota.h"
#include "ring.h"
#include "sdxi.h"
#include "user_debugfs.h"
#include "user.h"

static int sdxi_uctx_debugfs_show(struct seq_file *s, void *unused)
{
	struct sdxi_uctx *u = s->private;
	/*
	 * debugfs_remove() waits for readers and runs before the context is
	 * torn down, so @u and its regions are valid here.
	 */
	seq_printf(s, "pid=%d\npasid=%u\nring_entries=%u\n", u->uf->pid,
		   u->isolated ? u->pasid : 0, u->entries);
	seq_printf(s, "completed=%llu\nerrors=%u\ninterrupts=%lld\n",
		   u->completed_base + sdxi_ring_read_index(u->cxt),
		   READ_ONCE(u->nr_errs), atomic64_read(&u->intrs));
	seq_printf(s, "pinned_bytes=%lu\nimported_bytes=%llu\nvector=%u\n",
		   READ_ONCE(u->pinned_pages) << PAGE_SHIFT,
		   READ_ONCE(u->imported), u->vector);
	seq_printf(s, "uid=%u\nstate=%s\n",
		   from_kuid_munged(&init_user_ns, u->uacct->uid),
		   sdxi_cxtv_name(sdxi_cxt_hw_state(u->cxt)));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sdxi_uctx_debugfs);

#if IS_ENABLED(CONFIG_SDXI_TEST)
/* The dmabuf_move test hook (sdxi_dmabuf_move_all()). */
static ssize_t sdxi_dmabuf_move_write(struct file *f, const char __user *buf,
				      size_t count, loff_t *ppos)
{
	struct sdxi_udev *ud = file_inode(f)->i_private;
	bool remap;
	int err;

	err = kstrtobool_from_user(buf, count, &remap);
	if (err)
		return err;
	guard(rwsem_read)(&ud->rwsem);
	if (!ud->sdxi)
		return -ENODEV;
	sdxi_dmabuf_move_all(ud, remap);
	return count;
}

static const struct file_operations sdxi_dmabuf_move_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sdxi_dmabuf_move_write,
};
#endif

/**
 * sdxi_udev_debugfs_add() - create the debugfs directory of /dev/sdxiN
 * @ud: the device
 * @root: the driver's debugfs directory
 */
void sdxi_udev_debugfs_add(struct sdxi_udev *ud, struct dentry *root)
{
	ud->debugfs = debugfs_create_dir(dev_name(&ud->dev), root);
#if IS_ENABLED(CONFIG_SDXI_TEST)
	debugfs_create_file("dmabuf_move", 0200, ud->debugfs, ud,
			    &sdxi_dmabuf_move_fops);
#endif
	sdxi_quota_debugfs(ud);
}

/**
 * sdxi_uctx_debugfs_add() - create the debugfs file of a user context
 * @u: the context, started
 */
void sdxi_uctx_debugfs_add(struct sdxi_uctx *u)
{
	char name[16];

	snprintf(name, sizeof(name), "cxt%u", u->id);
	u->debugfs = debugfs_create_file(name, 0444, u->ud->debugfs, u,
					 &sdxi_uctx_debugfs_fops);
}
