// SPDX-License-Identifier: MIT
/*
 * Kernel backend: /dev/sdxiN (uapi/linux/sdxi.h).  Contexts are created
 * by ioctl and their regions (ring, write index, CXT_STS, doorbell,
 * CST_BLK array) mapped at the offsets CREATE_CONTEXT returns; memory is
 * registered with MAP_MEM.  Without the driver there is nothing to open:
 * enumeration finds nothing and opens fail with -ENODEV.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sdxi/uapi/sdxi.h>

#include "internal.h"

struct kdev {
	int fd;
};

struct kctx {
	void *ring, *wi, *sts, *db, *csb;
	size_t ring_size, wi_size, sts_size, db_size, csb_size;
};

static int kioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static void info_from_kernel(const struct sdxi_info *k, struct sdxi_dev_info *in)
{
	in->sdxi_version = k->out_sdxi_version;
	in->abi_version = k->out_abi_version;
	in->op_groups = k->out_op_groups;
	in->flags = ((k->out_flags & SDXI_INFO_F_INTERRUPTS) ? SDXI_DEV_INTERRUPTS : 0) |
		    ((k->out_flags & SDXI_INFO_F_DMABUF) ? SDXI_DEV_DMABUF : 0) |
		    ((k->out_flags & SDXI_INFO_F_SVA) ? SDXI_DEV_SVA : 0);
	in->min_ring_entries = k->out_min_ring_entries;
	in->max_ring_entries = k->out_max_ring_entries;
	in->max_buffer = k->out_max_buffer;
	in->max_contexts = k->out_max_contexts;
	in->free_contexts = k->out_free_contexts;
	in->numa_node = k->out_numa_node;
	in->isolation = k->out_isolation;
}

static int get_info(int fd, const char *path, struct sdxi_dev_info *in)
{
	struct sdxi_info k = { .size = sizeof(k) };
	int ret = kioctl(fd, SDXI_IOC_GET_INFO, &k);

	if (ret)
		return ret == -ENOTTY ? -ENODEV : ret;
	memset(in, 0, sizeof(*in));
	strncpy(in->path, path, sizeof(in->path) - 1);
	info_from_kernel(&k, in);
	return 0;
}

static int open_node(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT || errno == ENXIO ? -ENODEV : -errno;
	return fd;
}

int kdev_probe(const char *path, struct sdxi_dev_info *info)
{
	struct sdxi_dev_info tmp;
	int fd = open_node(path), ret;

	if (fd < 0)
		return fd;
	ret = get_info(fd, path, &tmp);
	close(fd);
	if (!ret)
		*info = tmp;
	return ret;
}

int kdev_open(const char *path, struct sdxi_dev **devp)
{
	struct sdxi_dev_info info;
	struct kdev *k;
	int fd = open_node(path), ret;

	if (fd < 0)
		return fd;
	ret = get_info(fd, path, &info);
	if (ret || !(k = calloc(1, sizeof(*k)))) {
		close(fd);
		return ret ? ret : -ENOMEM;
	}
	k->fd = fd;
	*devp = dev_alloc(&kdev_ops, k);
	if (!*devp) {
		close(fd);
		free(k);
		return -ENOMEM;
	}
	(*devp)->info = info;
	return 0;
}

static int kfd(struct sdxi_dev *dev)
{
	return ((struct kdev *)dev->priv)->fd;
}

static int k_info(struct sdxi_dev *dev, struct sdxi_dev_info *info)
{
	/* Refresh the counters that change (free contexts). */
	return get_info(kfd(dev), dev->info.path, info);
}

static void *map_region(int fd, uint64_t off, uint64_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, fd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

static void unmap_regions(struct kctx *kc)
{
	if (kc->ring)
		munmap(kc->ring, kc->ring_size);
	if (kc->wi)
		munmap(kc->wi, kc->wi_size);
	if (kc->sts)
		munmap(kc->sts, kc->sts_size);
	if (kc->db)
		munmap(kc->db, kc->db_size);
	if (kc->csb)
		munmap(kc->csb, kc->csb_size);
}

static int destroy_id(int fd, uint32_t id)
{
	struct sdxi_context_cmd c = { .size = sizeof(c), .context_id = id };

	return kioctl(fd, SDXI_IOC_DESTROY_CONTEXT, &c);
}

/*
 * CREATE_CONTEXT in @mode: SVA asks for SDXI_ISOLATION_SVA; AUTO asks for
 * it where GET_INFO offers it and falls back to the default (pinned) when
 * the kernel cannot bind this process; PINNED takes the default.
 */
static int create_in_mode(int fd, struct sdxi_dev *dev, uint32_t mode,
			  struct sdxi_create_context *c)
{
	struct sdxi_create_context req = *c;
	bool sva = mode == SDXI_CTX_MODE_SVA ||
		   (mode == SDXI_CTX_MODE_AUTO && (dev->info.flags & SDXI_DEV_SVA));
	int ret;

	if (sva) {
		c->isolation = SDXI_ISOLATION_SVA;
		ret = kioctl(fd, SDXI_IOC_CREATE_CONTEXT, c);
		if (!ret || mode == SDXI_CTX_MODE_SVA || ret != -EOPNOTSUPP)
			return ret;
		*c = req;
	}
	return kioctl(fd, SDXI_IOC_CREATE_CONTEXT, c);
}

static int k_ctx_create(struct sdxi_dev *dev, uint32_t entries, bool intr, uint32_t mode,
			struct sdxi_hwctx *hw)
{
	struct sdxi_create_context c = {
		.size = sizeof(c),
		.flags = intr ? SDXI_CTX_F_INTERRUPT : 0,
		.ring_entries = entries,
	};
	int fd = kfd(dev), ret;
	struct kctx *kc;

	ret = create_in_mode(fd, dev, mode, &c);
	if (ret)
		return ret == -ENOSPC ? -EBUSY : ret;
	kc = calloc(1, sizeof(*kc));
	if (!kc) {
		destroy_id(fd, c.out_context_id);
		return -ENOMEM;
	}
	kc->ring_size = c.out_ring_size;
	kc->wi_size = c.out_wi_size;
	kc->sts_size = c.out_sts_size;
	kc->db_size = c.out_db_size;
	kc->csb_size = c.out_csb_size;
	kc->ring = map_region(fd, c.out_ring_offset, c.out_ring_size, PROT_READ | PROT_WRITE);
	kc->wi = map_region(fd, c.out_wi_offset, c.out_wi_size, PROT_READ | PROT_WRITE);
	/* CXT_STS is the device's: the kernel refuses a writable mapping. */
	kc->sts = map_region(fd, c.out_sts_offset, c.out_sts_size, PROT_READ);
	kc->db = map_region(fd, c.out_db_offset, c.out_db_size, PROT_WRITE);
	kc->csb = map_region(fd, c.out_csb_offset, c.out_csb_size, PROT_READ | PROT_WRITE);
	if (!kc->ring || !kc->wi || !kc->sts || !kc->db || !kc->csb ||
	    c.out_ring_entries != entries) {
		ret = c.out_ring_entries != entries ? -EPROTO : -ENOMEM;
		unmap_regions(kc);
		free(kc);
		destroy_id(fd, c.out_context_id);
		return ret;
	}
	*hw = (struct sdxi_hwctx){
		.id = c.out_context_id,
		.pasid = c.out_pasid,
		.entries = c.out_ring_entries,
		.akey_data = c.out_akey_data,
		.akey_intr = intr ? c.out_akey_intr : 0xffff,
		.ring = kc->ring,
		.wi = kc->wi,
		.sts = kc->sts,
		.db = kc->db,
		.csb = kc->csb,
		.csb_iova = c.out_csb_iova,
		.identity = dev->info.isolation == SDXI_ISOLATE_PASID,
		.sva = c.out_isolation == SDXI_ISOLATION_SVA,
		.priv = kc,
	};
	return 0;
}

static void k_ctx_destroy(struct sdxi_dev *dev, struct sdxi_hwctx *hw)
{
	struct kctx *kc = hw->priv;

	unmap_regions(kc);
	free(kc);
	destroy_id(kfd(dev), hw->id);
}

static int k_ctx_reset(struct sdxi_dev *dev, struct sdxi_hwctx *hw)
{
	struct sdxi_context_cmd c = { .size = sizeof(c), .context_id = hw->id };

	return kioctl(kfd(dev), SDXI_IOC_RESET_CONTEXT, &c);
}

static int k_ctx_errors(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_hwerr *e)
{
	struct sdxi_error_record rec;
	struct sdxi_context_status s = {
		.size = sizeof(s),
		.context_id = hw->id,
		.nr_records = 1,
		.records = (uintptr_t)&rec,
	};
	int ret = kioctl(kfd(dev), SDXI_IOC_CONTEXT_STATUS, &s);

	if (ret)
		return ret;
	memset(e, 0, sizeof(*e));
	e->count = s.out_errors;
	if (!s.out_errors || !s.nr_records)
		return 0;
	e->last = (struct sdxi_error){
		.index = rec.dsc_index,
		.addr = rec.addr,
		.step = rec.step,
		.sub_step = rec.sub_step,
		.reaction = rec.reaction,
		.buf = rec.buf,
		.reason = rec.reason,
		.flags = (uint16_t)(((rec.flags & SDXI_ERR_F_DIV) ? SDXI_ERROR_INDEX : 0) |
				    ((rec.flags & SDXI_ERR_F_BV) ? SDXI_ERROR_BUF : 0)),
		.err = error_errno(rec.reason),
	};
	return 0;
}

static int k_map(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len,
		 unsigned int access, uint64_t *iova)
{
	struct sdxi_map_mem m = {
		.size = sizeof(m),
		.flags = ((access & SDXI_MEM_READ) ? SDXI_MAP_READ : 0) |
			 ((access & SDXI_MEM_WRITE) ? SDXI_MAP_WRITE : 0),
		.context_id = hw->id,
		.vaddr = va,
		.length = len,
	};
	int ret = kioctl(kfd(dev), SDXI_IOC_MAP_MEM, &m);

	if (!ret)
		*iova = m.out_iova;
	return ret;
}

static int k_unmap(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len)
{
	struct sdxi_map_mem m = {
		.size = sizeof(m),
		.context_id = hw->id,
		.vaddr = va,
		.length = len,
	};

	return kioctl(kfd(dev), SDXI_IOC_UNMAP_MEM, &m);
}

static int k_set_eventfd(struct sdxi_dev *dev, struct sdxi_hwctx *hw, int fd)
{
	struct sdxi_set_eventfd s = { .size = sizeof(s), .context_id = hw->id, .fd = fd };

	return kioctl(kfd(dev), SDXI_IOC_SET_EVENTFD, &s);
}

/*
 * Windows: the kernel's EXPORT/REVOKE/IMPORT/UNIMPORT_WINDOW
 * (Documentation/uapi.rst "Windows"); errnos pass through, except ENOTTY
 * (a kernel without windows), which is EOPNOTSUPP.
 */
static int win_errno(int ret)
{
	return ret == -ENOTTY ? -EOPNOTSUPP : ret;
}

static int k_win_export(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w)
{
	struct sdxi_export_window e = {
		.size = sizeof(e),
		.flags = ((w->rights & SDXI_MEM_READ) ? SDXI_MAP_READ : 0) |
			 ((w->rights & SDXI_MEM_WRITE) ? SDXI_MAP_WRITE : 0),
		.context_id = hw->id,
		.vaddr = w->va,
		.length = w->len,
	};
	int ret = win_errno(kioctl(kfd(dev), SDXI_IOC_EXPORT_WINDOW, &e));

	if (ret)
		return ret;
	w->fd = e.out_fd;
	w->id = e.out_window_id;
	return 0;
}

/* Revoke (synchronous in the kernel), then close the library's fd. */
static int k_win_revoke(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w)
{
	struct sdxi_window_cmd c = {
		.size = sizeof(c), .context_id = hw->id, .window_id = w->id,
	};
	int ret = kioctl(kfd(dev), SDXI_IOC_REVOKE_WINDOW, &c);

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	/* ENOENT: the kernel revoked it already (UNMAP_MEM of its range). */
	return ret == -ENOENT ? 0 : ret;
}

static int k_win_import(struct sdxi_dev *dev, struct sdxi_hwctx *hw, int fd,
			struct sdxi_remote *r)
{
	struct sdxi_import_window im = { .size = sizeof(im), .context_id = hw->id, .fd = fd };
	int ret = win_errno(kioctl(kfd(dev), SDXI_IOC_IMPORT_WINDOW, &im));

	if (ret)
		return ret;
	r->base = im.out_base;
	r->length = im.out_length;
	r->rights = ((im.out_flags & SDXI_MAP_READ) ? SDXI_MEM_READ : 0) |
		    ((im.out_flags & SDXI_MAP_WRITE) ? SDXI_MEM_WRITE : 0);
	r->akey = im.out_akey;
	return 0;
}

static void k_win_unimport(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_remote *r)
{
	struct sdxi_unimport_window u = { .size = sizeof(u), .context_id = hw->id, .akey = r->akey };

	kioctl(kfd(dev), SDXI_IOC_UNIMPORT_WINDOW, &u);
}

static void k_close(struct sdxi_dev *dev)
{
	struct kdev *k = dev->priv;

	close(k->fd);
	free(k);
}

const struct sdxi_backend_ops kdev_ops = {
	.info = k_info,
	.ctx_create = k_ctx_create,
	.ctx_destroy = k_ctx_destroy,
	.ctx_reset = k_ctx_reset,
	.ctx_errors = k_ctx_errors,
	.map = k_map,
	.unmap = k_unmap,
	.set_eventfd = k_set_eventfd,
	.close = k_close,
	.win_export = k_win_export,
	.win_revoke = k_win_revoke,
	.win_import = k_win_import,
	.win_unimport = k_win_unimport,
};
