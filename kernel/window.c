// SPDX-License-Identifier: GPL-2.0
/*
 * Windows between processes (Documentation/uapi.rst "Windows").
 *
 * A window is a page-aligned range inside one MAP_MEM registration of an
 * exporting context, or, for an SVA context (which has no registrations),
 * a range of the exporter's address space that EXPORT_WINDOW pins for the
 * window itself.  It has a PASID and a paging domain of its own that
 * hold exactly the range's pages, at the exporter's addresses, with exactly
 * the exported access.  Importing the window into a context of the same
 * function programs one AKey entry of that context with the window's
 * PASID (pv = 1): a descriptor names the exporter's memory by putting that
 * AKey index next to the address, and the function translates each
 * address of a descriptor through its own AKey (hardware.rst "Address
 * spaces").  User space never names a PASID; an address outside the
 * range, or an access the window does not grant, is a translation fault
 * reported to the importer's own context.
 *
 * Revocation (REVOKE_WINDOW, UNMAP_MEM of the registration, the exporting
 * context's destruction, the exporter's close or exit, device removal) is
 * synchronous: every importer's AKey entry is invalidated and a DSC_SYNC
 * (flt = AKEY) per importing context waits out any descriptor still using
 * it (sdxi_cxt_set_akey()); then the PASID is detached (the IOMMU flushes
 * its caches) and freed, all before the registration's pages can be
 * unpinned, or the window's own pins (SVA exporter) are released.
 * Importers keep their (invalid) AKey index until they
 * unimport it or their context ends, so an index is never silently
 * reused for another window.
 *
 * Windows of another function are refused (-EXDEV): an importer's AKey
 * can only name its own function (tgt_sfunc = 0), and the function
 * implements no RKeys (hardware.rst, "Bit layouts").
 *
 * References: the window file, the exporting context's list (until
 * revocation) and every import hold one on &struct sdxi_window.  Locks: a
 * file's lock, then &sdxi_udev.win_lock, then the admin lock (inside
 * sdxi_cxt_set_akey()).
 */
#include <linux/anon_inodes.h>
#include <linux/cleanup.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sdxi.h>

#include "compat.h"
#include "context.h"
#include "mem.h"
#include "quota.h"
#include "sdxi.h"
#include "user_file.h"
#include "window.h"

/**
 * struct sdxi_window - one exported range
 * @ref: the window file, the exporter's list until revocation, each import
 * @ud: the device (a reference)
 * @dev: the function's bus device, while not revoked
 * @u: the exporting context, NULL once revoked; &sdxi_udev.win_lock
 * @m: the registration the range lies in, while not revoked
 * @node: in &sdxi_uctx.windows of @u
 * @imports: live imports (&sdxi_wimport.wnode); &sdxi_udev.win_lock
 * @id: its ID in the exporting context
 * @flags: SDXI_MAP_READ and/or SDXI_MAP_WRITE
 * @va: start of the range (the exporter's address)
 * @len: its length
 * @pasid: the window's PASID, while not revoked
 * @dom: its domain, holding only the range, while not revoked
 * @pages: the range's pages pinned by EXPORT_WINDOW for an SVA exporter
 *	   (charged to it like MAP_MEM) until revocation; NULL on a
 *	   registration, whose pins the window uses
 */
struct sdxi_window {
	struct kref ref;
	struct sdxi_udev *ud;
	struct device *dev;
	struct sdxi_uctx *u;
	struct sdxi_umap *m;
	struct list_head node;
	struct list_head imports;
	u32 id;
	u32 flags;
	u64 va;
	u64 len;
	u32 pasid;
	struct iommu_domain *dom;
	struct page **pages;
};

/**
 * struct sdxi_wimport - a window imported into a context
 * @wnode: in &sdxi_window.imports while the window is not revoked
 * @unode: in &sdxi_uctx.imports of @u
 * @w: the window (a reference)
 * @u: the importing context
 * @akey: the AKey index programmed with the window's PASID
 * @live: in @w's list (the AKey entry valid)
 */
struct sdxi_wimport {
	struct list_head wnode;
	struct list_head unode;
	struct sdxi_window *w;
	struct sdxi_uctx *u;
	u16 akey;
	bool live;
};

static void sdxi_window_free(struct kref *ref)
{
	struct sdxi_window *w = container_of(ref, struct sdxi_window, ref);

	put_device(&w->ud->dev);
	kfree(w);
}

static void sdxi_window_put(struct sdxi_window *w)
{
	kref_put(&w->ref, sdxi_window_free);
}

static int sdxi_window_release(struct inode *inode, struct file *f)
{
	sdxi_window_put(f->private_data);
	return 0;
}

static const struct file_operations sdxi_window_fops = {
	.owner = THIS_MODULE,
	.release = sdxi_window_release,
};

/* A PASID and a domain holding only @pages; none on failure. */
static int sdxi_window_as_init(struct sdxi_window *w, struct page **pages,
			       int prot)
{
	struct iommu_domain *dom;
	ioasid_t pasid;
	int err;

	pasid = iommu_alloc_global_pasid(w->dev);
	if (pasid == IOMMU_PASID_INVALID)
		return -ENOSPC;
	dom = iommu_paging_domain_alloc(w->dev);
	if (IS_ERR(dom)) {
		err = PTR_ERR(dom);
		goto free_pasid;
	}
	err = sdxi_iommu_map_pages(dom, w->va, pages, w->len >> PAGE_SHIFT,
				   prot);
	if (err)
		goto free_dom;
	err = iommu_attach_device_pasid(dom, w->dev, pasid, NULL);
	if (err)
		goto free_dom;
	w->pasid = pasid;
	w->dom = dom;
	atomic_inc(&w->ud->stats.pasids);
	return 0;

free_dom:
	iommu_domain_free(dom);
free_pasid:
	iommu_free_global_pasid(pasid);
	return err;
}

/* Release the pins an SVA exporter's window holds, and their charge. */
static void sdxi_window_unpin(struct sdxi_uctx *u, struct page **pages,
			      u64 len)
{
	unsigned long n = len >> PAGE_SHIFT;

	unpin_user_pages(pages, n);
	kvfree(pages);
	sdxi_user_uncharge_pinned(u->ud, u->mm, u->facct, u->uacct, len);
}

/*
 * Revoke a window: invalidate every import's AKey (each waited out by a
 * SYNC), then detach and free the PASID and domain, and only then release
 * the window's own pins.  The exporter's file lock is held, so a
 * registration's pages stay pinned until this returns.
 */
static void sdxi_window_revoke(struct sdxi_window *w)
{
	struct sdxi_uctx *u = w->u;
	struct sdxi_wimport *imp, *tmp;
	int err;

	lockdep_assert_held(&u->uf->lock);
	scoped_guard(mutex, &w->ud->win_lock) {
		list_for_each_entry_safe(imp, tmp, &w->imports, wnode) {
			err = sdxi_cxt_set_akey(imp->u->cxt, imp->akey, NULL);
			if (err)
				dev_warn(w->dev, "context %u: AKey %u of window not synced (%d)\n",
					 imp->u->id, imp->akey, err);
			list_del_init(&imp->wnode);
			imp->live = false;
		}
		w->u = NULL;
		list_del(&w->node);
	}
	iommu_detach_device_pasid(w->dom, w->dev, w->pasid);
	iommu_domain_free(w->dom);
	iommu_free_global_pasid(w->pasid);
	w->dom = NULL;
	w->m = NULL;
	if (w->pages) {
		sdxi_window_unpin(u, w->pages, w->len);
		u->pinned_pages -= w->len >> PAGE_SHIFT;
		atomic64_sub(w->len >> PAGE_SHIFT, &w->ud->stats.pinned_pages);
		w->pages = NULL;
	}
	atomic_dec(&w->ud->stats.pasids);
	atomic_dec(&w->ud->stats.windows);
	sdxi_user_uncharge(w->ud, u->facct, u->uacct, SDXI_URES_CONTEXTS, 1);
	sdxi_window_put(w);
}

/* The registration of @u that holds [va, va + len) whole, or NULL. */
static struct sdxi_umap *sdxi_window_find_map(struct sdxi_uctx *u, u64 va,
					      u64 len)
{
	struct interval_tree_node *it;
	struct sdxi_umap *m;

	it = interval_tree_iter_first(&u->maps, va, va + len - 1);
	if (!it)
		return NULL;
	m = container_of(it, struct sdxi_umap, it);
	if (m->kind != SDXI_UMAP_MEM || it->start > va ||
	    it->last < va + len - 1)
		return NULL;
	return m;
}

/*
 * Runs @op on context @id of @uf with the file's lock held, @key being
 * the window or import @op looks for: the part REVOKE_WINDOW,
 * UNIMPORT_WINDOW and EXPORT_WINDOW's early check share.  Returns @op's
 * result, or -ENOENT (no such context), -ENODEV, -EINTR.
 */
static int sdxi_window_cxt_op(struct sdxi_ufile *uf, u32 id, u32 key,
			      int (*op)(struct sdxi_ufile *uf,
					struct sdxi_uctx *u, u32 key))
{
	struct sdxi_uctx *u;

	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, id);
	if (!u)
		return -ENOENT;
	return op(uf, u, key);
}

/* EXPORT_WINDOW's early check: an SVA context (1) or not (0). */
static int sdxi_window_export_kind(struct sdxi_ufile *uf, struct sdxi_uctx *u,
				   u32 unused)
{
	if (!u->isolated)
		return -EOPNOTSUPP;
	return !!u->sva;
}

/*
 * Whether the caller's mappings cover [va, va + len) whole (-ENOENT) and
 * allow @flags (-EACCES), as its own loads and stores would need.
 */
static int sdxi_window_vma_check(u64 va, u64 len, u32 flags)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	u64 addr = va;
	int err = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (addr < va + len) {
		vma = vma_lookup(mm, addr);
		if (!vma) {
			err = -ENOENT;
			break;
		}
		if (((flags & SDXI_MAP_READ) && !(vma->vm_flags & VM_READ)) ||
		    ((flags & SDXI_MAP_WRITE) && !(vma->vm_flags & VM_WRITE))) {
			err = -EACCES;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return err;
}

/*
 * An SVA exporter's range, pinned from the caller's address space (the
 * file's opener: ioctls from another mm are refused) and charged to it
 * like MAP_MEM, with no lock of this driver held.  Returns the pages or
 * ERR_PTR(-ENOENT, -EACCES, -EFAULT, -ENOMEM, -EDQUOT, -EINTR).
 */
static struct page **sdxi_window_pin(struct sdxi_ufile *uf, u64 va, u64 len,
				     u32 flags)
{
	unsigned int gup = FOLL_LONGTERM;
	unsigned long n = len >> PAGE_SHIFT;
	struct page **pages;
	int err;

	if (flags & SDXI_MAP_WRITE)
		gup |= FOLL_WRITE;
	err = sdxi_window_vma_check(va, len, flags);
	if (err)
		return ERR_PTR(err);
	err = sdxi_user_charge_pinned(uf->udev, uf->mm, uf->facct, uf->uacct,
				      len);
	if (err)
		return ERR_PTR(err);
	pages = kvmalloc_array(n, sizeof(*pages),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pages) {
		err = -ENOMEM;
		goto uncharge;
	}
	err = sdxi_pin_user_range(va, n, gup, pages);
	if (!err)
		return pages;
	kvfree(pages);
uncharge:
	sdxi_user_uncharge_pinned(uf->udev, uf->mm, uf->facct, uf->uacct, len);
	return ERR_PTR(err);
}

/*
 * EXPORT_WINDOW under the exporter's file lock.  @pages: the range pinned
 * for an SVA exporter (the window takes them over on success), or NULL to
 * use a registration's.
 */
static int sdxi_window_create(struct sdxi_ufile *uf, u32 id, u64 va, u64 len,
			      u32 flags, struct page **pages, s32 *fd,
			      u32 *window_id)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_window *w;
	struct sdxi_umap *m = NULL;
	struct file *file;
	struct sdxi_uctx *u;
	int prot = IOMMU_CACHE, err, nfd;

	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, id);
	if (!u)
		return -ENOENT;
	if (!u->isolated)
		return -EOPNOTSUPP;
	if (flags & SDXI_MAP_READ)
		prot |= IOMMU_READ;
	if (flags & SDXI_MAP_WRITE)
		prot |= IOMMU_WRITE;
	if (pages) {
		/* The context went while the range was pinned. */
		if (!u->sva)
			return -ENOENT;
	} else {
		m = sdxi_window_find_map(u, va, len);
		if (!m)
			return -ENOENT;
		if ((prot & m->prot) != prot)
			return -EACCES;
		pages = m->pages + ((va - m->it.start) >> PAGE_SHIFT);
	}
	/* Each window holds a PASID: charged as a context. */
	err = sdxi_user_charge(ud, u->facct, u->uacct, SDXI_URES_CONTEXTS, 1);
	if (err)
		return err;
	w = kzalloc_obj(*w, GFP_KERNEL_ACCOUNT);
	if (!w) {
		err = -ENOMEM;
		goto uncharge;
	}
	kref_init(&w->ref);
	INIT_LIST_HEAD(&w->imports);
	w->ud = ud;
	get_device(&ud->dev);
	w->dev = u->dev;
	w->flags = flags;
	w->va = va;
	w->len = len;
	err = sdxi_window_as_init(w, pages, prot);
	if (err)
		goto free;
	nfd = get_unused_fd_flags(O_CLOEXEC);
	if (nfd < 0) {
		err = nfd;
		goto free_as;
	}
	/* The file's reference; the exporter's list holds the first one. */
	kref_get(&w->ref);
	file = anon_inode_getfile("[sdxi-window]", &sdxi_window_fops, w, O_RDONLY);
	if (IS_ERR(file)) {
		kref_put(&w->ref, sdxi_window_free);
		put_unused_fd(nfd);
		err = PTR_ERR(file);
		goto free_as;
	}
	w->m = m;
	if (!m) {
		w->pages = pages;
		u->pinned_pages += len >> PAGE_SHIFT;
		atomic64_add(len >> PAGE_SHIFT, &ud->stats.pinned_pages);
	}
	w->id = u->next_window_id++;
	scoped_guard(mutex, &ud->win_lock) {
		w->u = u;
		list_add_tail(&w->node, &u->windows);
	}
	atomic_inc(&ud->stats.windows);
	fd_install(nfd, file);
	*fd = nfd;
	*window_id = w->id;
	return 0;

free_as:
	iommu_detach_device_pasid(w->dom, w->dev, w->pasid);
	iommu_domain_free(w->dom);
	iommu_free_global_pasid(w->pasid);
	atomic_dec(&ud->stats.pasids);
free:
	sdxi_window_put(w);
uncharge:
	sdxi_user_uncharge(ud, u->facct, u->uacct, SDXI_URES_CONTEXTS, 1);
	return err;
}

/**
 * sdxi_window_export() - EXPORT_WINDOW
 * @uf: the exporter's file (the caller is its opener; no lock held)
 * @id: the exporting context
 * @va: page-aligned start
 * @len: page-aligned length, not 0, no wrap-around
 * @flags: SDXI_MAP_READ and/or SDXI_MAP_WRITE
 * @fd: the window's new file descriptor, on success
 * @window_id: its ID, on success
 *
 * For an SVA context the range is pinned from the caller's address space
 * first, with no lock held (as MAP_MEM pins), and the window keeps the
 * pins until it is revoked; otherwise it must lie in a registration.
 *
 * Return: 0; -ENOENT (no such context; the range is not inside one of
 * its MAP_MEM registrations, or for an SVA context not mapped whole);
 * -EACCES (the registration, or the SVA context's mappings, do not allow
 * @flags); -EFAULT (SVA: a page that cannot be pinned, e.g. an I/O
 * mapping); -EOPNOTSUPP (not isolated); -EDQUOT; -ENOSPC (no PASID);
 * -EMFILE; -ENOMEM (also RLIMIT_MEMLOCK); -ENODEV; -EINTR.
 */
int sdxi_window_export(struct sdxi_ufile *uf, u32 id, u64 va, u64 len,
		       u32 flags, s32 *fd, u32 *window_id)
{
	struct page **pages;
	int err;

	err = sdxi_window_cxt_op(uf, id, 0, sdxi_window_export_kind);
	if (err <= 0)
		return err ?: sdxi_window_create(uf, id, va, len, flags, NULL,
						 fd, window_id);
	pages = sdxi_window_pin(uf, va, len, flags);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	err = sdxi_window_create(uf, id, va, len, flags, pages, fd, window_id);
	if (err) {
		unpin_user_pages(pages, len >> PAGE_SHIFT);
		kvfree(pages);
		sdxi_user_uncharge_pinned(uf->udev, uf->mm, uf->facct,
					  uf->uacct, len);
	}
	return err;
}

static int sdxi_window_revoke_locked(struct sdxi_ufile *uf,
				     struct sdxi_uctx *u, u32 window_id)
{
	struct sdxi_window *w;

	list_for_each_entry(w, &u->windows, node) {
		if (w->id == window_id) {
			sdxi_window_revoke(w);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * sdxi_window_revoke_by_id() - REVOKE_WINDOW
 * @uf: the exporter's file
 * @id: the exporting context
 * @window_id: the window
 *
 * Every import of the window loses its AKey (synced before this returns,
 * so no copy of an importer reaches the registration afterwards); the
 * window's PASID and domain are freed.  The importers keep their AKey
 * indexes until they unimport.
 *
 * Return: 0, or -ENOENT (no such context or window), -ENODEV, -EINTR.
 */
int sdxi_window_revoke_by_id(struct sdxi_ufile *uf, u32 id, u32 window_id)
{
	return sdxi_window_cxt_op(uf, id, window_id, sdxi_window_revoke_locked);
}

/**
 * sdxi_window_revoke_map() - revoke the windows on a registration
 * @u: the exporting context; &sdxi_ufile.lock held
 * @m: its registration, about to be unmapped and unpinned
 */
void sdxi_window_revoke_map(struct sdxi_uctx *u, struct sdxi_umap *m)
{
	struct sdxi_window *w, *tmp;

	list_for_each_entry_safe(w, tmp, &u->windows, node)
		if (w->m == m)
			sdxi_window_revoke(w);
}

/* Forget an import; &sdxi_udev.win_lock held. */
static void sdxi_wimport_drop(struct sdxi_wimport *imp)
{
	struct sdxi_uctx *u = imp->u;
	int err;

	lockdep_assert_held(&u->ud->win_lock);
	if (imp->live) {
		err = sdxi_cxt_set_akey(u->cxt, imp->akey, NULL);
		if (err)
			dev_warn(u->dev, "context %u: AKey %u of window not synced (%d)\n",
				 u->id, imp->akey, err);
		list_del(&imp->wnode);
	}
	clear_bit(imp->akey, u->import_akeys);
	list_del(&imp->unode);
	atomic_dec(&u->ud->stats.imports);
	sdxi_window_put(imp->w);
	kfree(imp);
}

/**
 * sdxi_window_ctx_teardown() - a context goes: revoke what it exports and
 * drop what it imports
 * @u: the context, out of its file's xarray; &sdxi_ufile.lock held
 *
 * Called before the context is stopped and its registrations unpinned.
 */
void sdxi_window_ctx_teardown(struct sdxi_uctx *u)
{
	struct sdxi_wimport *imp, *itmp;
	struct sdxi_window *w, *tmp;

	list_for_each_entry_safe(w, tmp, &u->windows, node)
		sdxi_window_revoke(w);
	guard(mutex)(&u->ud->win_lock);
	list_for_each_entry_safe(imp, itmp, &u->imports, unode)
		sdxi_wimport_drop(imp);
}

/* IMPORT_WINDOW under the importer's file lock: program @imp's AKey. */
static int sdxi_window_import_locked(struct sdxi_ufile *uf, u32 id,
				     struct sdxi_window *w,
				     struct sdxi_wimport *imp, u16 *akey)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_uctx *u;
	unsigned long idx;
	int err;

	CLASS(sdxi_ufile_locked, l)(uf);
	if (IS_ERR(l))
		return PTR_ERR(l);
	u = xa_load(&uf->cxts, id);
	if (!u)
		return -ENOENT;
	if (!u->isolated)
		return -EOPNOTSUPP;
	if (w->ud != ud)
		return -EXDEV;
	guard(mutex)(&ud->win_lock);
	if (!w->u)
		return -EKEYREVOKED;
	idx = find_next_zero_bit(u->import_akeys, SDXI_CXT_AKEY_ENTRIES,
				 SDXI_CXT_INIT_AKEYS);
	if (idx >= SDXI_CXT_AKEY_ENTRIES)
		return -ENOSPC;
	err = sdxi_cxt_set_akey(u->cxt, idx,
				&(struct sdxi_akey){ .pv = true, .pasid = w->pasid });
	if (err)
		return err;
	set_bit(idx, u->import_akeys);
	kref_get(&w->ref);
	imp->w = w;
	imp->u = u;
	imp->akey = idx;
	imp->live = true;
	list_add_tail(&imp->wnode, &w->imports);
	list_add_tail(&imp->unode, &u->imports);
	atomic_inc(&ud->stats.imports);
	*akey = idx;
	return 0;
}

/**
 * sdxi_window_import() - IMPORT_WINDOW
 * @uf: the importer's file
 * @id: the importing context
 * @fd: a window file descriptor
 * @akey: the AKey index programmed, on success
 * @flags: the window's SDXI_MAP_* access, on success
 * @base: the device address of its first byte under @akey, on success
 * @len: its length, on success
 *
 * Return: 0; -EBADF (@fd not open); -EINVAL (not a window); -ENOENT (no
 * such context); -EOPNOTSUPP (not isolated); -EXDEV (another function's
 * window); -EKEYREVOKED; -ENOSPC (no free AKey); -ENOMEM; -ENODEV; -EINTR.
 */
int sdxi_window_import(struct sdxi_ufile *uf, u32 id, int fd, u16 *akey,
		       u16 *flags, u64 *base, u64 *len)
{
	struct sdxi_wimport *imp;
	struct sdxi_window *w;
	int err;

	struct file *file __free(fput) = fget(fd);
	if (!file)
		return -EBADF;
	if (file->f_op != &sdxi_window_fops)
		return -EINVAL;
	w = file->private_data;
	imp = kzalloc_obj(*imp, GFP_KERNEL_ACCOUNT);
	if (!imp)
		return -ENOMEM;
	/* From its success on, @imp may go with the context at any time. */
	err = sdxi_window_import_locked(uf, id, w, imp, akey);
	if (err) {
		kfree(imp);
		return err;
	}
	*flags = w->flags;
	*base = w->va;
	*len = w->len;
	return 0;
}

static int sdxi_window_unimport_locked(struct sdxi_ufile *uf,
				       struct sdxi_uctx *u, u32 akey)
{
	struct sdxi_wimport *imp;

	guard(mutex)(&uf->udev->win_lock);
	list_for_each_entry(imp, &u->imports, unode) {
		if (imp->akey == akey) {
			sdxi_wimport_drop(imp);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * sdxi_window_unimport() - UNIMPORT_WINDOW
 * @uf: the importer's file
 * @id: the importing context
 * @akey: the AKey index IMPORT_WINDOW returned
 *
 * The AKey entry is cleared (if the window was not revoked already) and
 * its index freed for another import.
 *
 * Return: 0, or -ENOENT (no such context or import), -ENODEV, -EINTR.
 */
int sdxi_window_unimport(struct sdxi_ufile *uf, u32 id, u16 akey)
{
	return sdxi_window_cxt_op(uf, id, akey, sdxi_window_unimport_locked);
}
