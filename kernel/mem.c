// SPDX-License-Identifier: GPL-2.0
/*
 * Address space of a user context (Documentation/uapi.rst "Isolation"):
 * its PASID and private paging domain, its own regions, pinned user memory
 * and imported dma-bufs.
 *
 * Every access the function makes for a user context is tagged with the
 * context's PASID: the L1 entry (ring, write index, CXT_STS, CST_BLKs) and
 * both AKeys (data, interrupt) carry it (hardware.rst "Address spaces"),
 * and the PASID is attached to a domain that holds only:
 *   - the context's regions, at fixed IOVAs in SDXI_UIOVA_BASE's window,
 *     with the least access the function needs (ring and write index
 *     read-only, CXT_STS and CST_BLKs read/write);
 *   - MAP_MEM registrations at IOVA == VA, with the access asked for;
 *   - MAP_DMABUF imports at the IOVA user space named.
 * L2/L1 tables, CXT_CTL and the AKey table are in the function address
 * space, which no user context can name.
 *
 * Teardown order (driver.rst, "Quiesce before freeing"): the context layer
 * stops the context (or, when that cannot be confirmed, the whole
 * function), frees the regions (each unmapped from the domain, IOTLB
 * flushed, before its pages go), then sdxi_user_as_release() detaches the
 * PASID (the IOMMU flushes its caches), frees the domain and the PASID,
 * unpins and drops the dma-buf imports.  UNMAP_MEM likewise unmaps before
 * it unpins.
 *
 * An SVA context (SDXI_ISOLATION_SVA) has the same PASID and domain for
 * its regions, so the ring, write index, CXT_STS and CST_BLKs stay where
 * the process cannot redirect them; only its data AKey carries the PASID
 * of the opener's mm (iommu_sva_bind_device()), through which the function
 * reaches the process's virtual addresses and nothing else: kernel
 * addresses are supervisor pages, which the IOMMU refuses to the
 * function's user-mode requests.  Such a context has no registrations
 * (a window it exports pins its range itself: window.c).
 * Its bond goes after the PASID detach, in sdxi_user_as_release(), that
 * is once the context is stopped; the unbind (on a workqueue, see
 * sdxi_usva_wq) drains the mm's PASID (page requests in flight are
 * answered) before the IOMMU forgets it.  Exit
 * needs nothing more: the IOMMU driver blocks the mm's PASID when the mm
 * is torn down (the context faults), and the bond holds the mm structure
 * until the unbind.
 *
 * Nothing is allocated or pinned before it is charged (quota.c); every
 * allocation made for a context is charged to the caller's memory cgroup.
 * Nothing here runs with a lock other files need while it touches user
 * memory: MAP_MEM pins with no lock held.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/sdxi.h>

#include "compat.h"
#include "context.h"
#include "sdxi.h"
#include "mem.h"
#include "quota.h"
#include "user_context.h"
#include "user_file.h"
#include "window.h"

SDXI_IMPORT_NS(DMA_BUF);

/*
 * Longest wait for an exporter's kernel fences before a dma-buf is mapped:
 * they move memory and normally signal in microseconds; a buffer whose
 * fences do not signal is not mapped (-ETIMEDOUT) rather than waited for.
 */
#define SDXI_DMABUF_FENCE_MS	2000

/* Where each region sits in the kernel IOVA window, and what it may do. */
static const struct {
	u64 offset;
	int prot;
} sdxi_user_regions[SDXI_CXT_NR_REGIONS] = {
	/* Writable: a function may clear vl after execution (hardware.rst). */
	[SDXI_CXT_RING] = { 0, IOMMU_READ | IOMMU_WRITE },
	[SDXI_CXT_CSB] = { SZ_1G, IOMMU_READ | IOMMU_WRITE },
	[SDXI_CXT_STS] = { SZ_2G, IOMMU_READ | IOMMU_WRITE },
	[SDXI_CXT_WRITE_INDEX] = { SZ_2G + SZ_64K, IOMMU_READ },
};

/**
 * sdxi_user_region_iova() - IOVA of a user context region
 * @r: region
 *
 * Return: its device address in every user context's domain.
 */
u64 sdxi_user_region_iova(enum sdxi_cxt_region r)
{
	return SDXI_UIOVA_BASE + sdxi_user_regions[r].offset;
}

/**
 * sdxi_user_as_init() - give a user context its PASID and private domain
 * @u: context being created (isolated)
 *
 * Return: 0; -ENOSPC when no PASID is left; -ENOMEM; or the attach error.
 */
int sdxi_user_as_init(struct sdxi_uctx *u)
{
	struct iommu_domain *dom;
	ioasid_t pasid;
	int err;

	pasid = iommu_alloc_global_pasid(u->dev);
	if (pasid == IOMMU_PASID_INVALID)
		return -ENOSPC;
	dom = iommu_paging_domain_alloc(u->dev);
	if (IS_ERR(dom)) {
		iommu_free_global_pasid(pasid);
		return PTR_ERR(dom);
	}
	err = iommu_attach_device_pasid(dom, u->dev, pasid, NULL);
	if (err) {
		iommu_domain_free(dom);
		iommu_free_global_pasid(pasid);
		return err;
	}
	u->pasid = pasid;
	u->dom = dom;
	atomic_inc(&u->ud->stats.pasids);
	return 0;
}

/**
 * sdxi_user_sva_available() - whether SVA contexts can be created
 * @ud: the function's device
 *
 * The function sits behind a PASID-capable IOMMU, the IOMMU driver enabled
 * PASID and ATS on it (it enables PRI when it attaches the first domain
 * that takes page faults, that is at the first bind), and this kernel
 * binds process address spaces (SDXI_SVA_REFUSED).  The bind itself may
 * still fail (sdxi_user_sva_bind()).
 *
 * Return: true when GET_INFO reports SDXI_INFO_F_SVA.
 */
bool sdxi_user_sva_available(struct sdxi_udev *ud)
{
#if IS_ENABLED(CONFIG_IOMMU_SVA) && IS_ENABLED(CONFIG_PCI_PASID) && \
	IS_ENABLED(CONFIG_PCI_ATS)
	struct pci_dev *pdev;

	if (SDXI_SVA_REFUSED || !ud->isolated || !dev_is_pci(ud->sdxi->dev))
		return false;
	pdev = to_pci_dev(ud->sdxi->dev);
	return pdev->pasid_enabled && pdev->ats_enabled;
#else
	return false;
#endif
}

/**
 * struct sdxi_usva - the bond of an SVA context with its opener's mm
 * @sva: the IOMMU's bond (iommu_sva_bind_device())
 * @dev: the function's device, held until the unbind
 * @mm: the bound mm structure, held by @mn until the unbind
 * @mn: tells when the mm's teardown has begun (sdxi_usva_mm_release())
 * @released: completed by that teardown's MMU notifier release
 * @live: a user of @mm taken when the unbind was queued
 * @unbind: gives the bond back (sdxi_usva_unbind_work())
 */
struct sdxi_usva {
	struct iommu_sva *sva;
	struct device *dev;
	struct mm_struct *mm;
	struct mmu_notifier mn;
	struct completion released;
	bool live;
	struct work_struct unbind;
};

/*
 * Unbinds run on their own workqueue, with no lock of this driver held:
 * a bind takes the IOMMU's SVA lock and then the mm's mmap_lock (MMU
 * notifier registration), mmap() takes a file's lock under mmap_lock, and
 * contexts are released under that file's lock.  Module exit drains it.
 */
static struct workqueue_struct *sdxi_usva_wq;

/*
 * When the mm's last user goes, exit_mmap() has the IOMMU driver tear the
 * mm's PASID entries down (its MMU notifier release).  The intel-iommu
 * driver does not serialise that with a detach of the same PASID, which
 * the unbind is: run together, each finds the entry half torn down by the
 * other (a WARNING in intel_pasid_tear_down_entry(), and the detach skips
 * its page-request drain).  So the unbind never overlaps that release.
 * When the unbind is queued with a user of the mm left, it takes one
 * (sdxi_user_sva_unbind()) and exit_mmap() cannot begin before it is
 * dropped, after the detach.  With none left, exit_mmap() is running, has
 * run or is about to run, in whichever task dropped the last user (the
 * process itself, the IOMMU's page-request worker, anyone who held the mm
 * for a moment): the unbind waits for the bond's own notifier's release,
 * which exit_mmap() calls with every other release in one SRCU read
 * section, and then for that section to end.
 */
static void sdxi_usva_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	complete(&container_of(mn, struct sdxi_usva, mn)->released);
}

static const struct mmu_notifier_ops sdxi_usva_mm_ops = {
	.release = sdxi_usva_mm_release,
};

static void sdxi_usva_unbind_work(struct work_struct *work)
{
	struct sdxi_usva *s = container_of(work, struct sdxi_usva, unbind);

	if (!s->live) {
		wait_for_completion(&s->released);
		mmu_notifier_synchronize();
	}
	iommu_sva_unbind_device(s->sva);
	mmu_notifier_unregister(&s->mn, s->mm);
	if (s->live)
		mmput(s->mm);
	put_device(s->dev);
	kfree(s);
}

/**
 * sdxi_user_mem_init() - module init of the SVA bonds' workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int sdxi_user_mem_init(void)
{
	sdxi_usva_wq = alloc_workqueue("sdxi_sva", WQ_UNBOUND, 0);
	return sdxi_usva_wq ? 0 : -ENOMEM;
}

/**
 * sdxi_user_mem_exit() - module exit: every bond given back
 */
void sdxi_user_mem_exit(void)
{
	destroy_workqueue(sdxi_usva_wq);
}

/**
 * sdxi_user_sva_bind() - bind the opener's address space to the function
 * @uf: the file; called by its opener (current->mm is &sdxi_ufile.mm)
 *      with no lock held
 *
 * The bond an SVA context will own (sdxi_uctx_create()).  It is made
 * before the file's lock is taken: binding registers an MMU notifier,
 * which takes the mm's mmap_lock, and mmap() takes the file's lock under
 * it.  The device's presence is only checked here; CREATE_CONTEXT checks
 * it again under the lock and gives the bond back when it went.
 *
 * Return: the bond; ERR_PTR(-EOPNOTSUPP) when SVA is not available or the
 * IOMMU refuses this device, -ENODEV when the function was removed,
 * -ENOMEM, or another bind error (-ENOSPC, -EBUSY for a tagged-address
 * mm).
 */
struct sdxi_usva *sdxi_user_sva_bind(struct sdxi_ufile *uf)
{
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_usva *s;
	int err;

	if (current->mm != uf->mm)
		return ERR_PTR(-EPERM);
	s = kzalloc_obj(*s, GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	INIT_WORK(&s->unbind, sdxi_usva_unbind_work);
	scoped_guard(rwsem_read, &ud->rwsem) {
		err = !ud->sdxi ? -ENODEV : !sdxi_user_sva_available(ud) ? -EOPNOTSUPP : 0;
		if (!err)
			s->dev = get_device(ud->sdxi->dev);
	}
	if (!err) {
		s->sva = iommu_sva_bind_device(s->dev, current->mm);
		err = IS_ERR_OR_NULL(s->sva) ? (s->sva ? PTR_ERR(s->sva) : -EOPNOTSUPP) : 0;
		if (err == -ENODEV || err == -EINVAL)
			err = -EOPNOTSUPP;
	}
	if (!err) {
		s->mm = current->mm;
		s->mn.ops = &sdxi_usva_mm_ops;
		init_completion(&s->released);
		err = mmu_notifier_register(&s->mn, s->mm);
		if (err)
			iommu_sva_unbind_device(s->sva);
	}
	if (err) {
		if (s->dev)
			put_device(s->dev);
		kfree(s);
		return ERR_PTR(err);
	}
	return s;
}

/**
 * sdxi_user_sva_pasid() - the PASID of a bond
 * @s: the bond
 *
 * Return: the mm's PASID.
 */
u32 sdxi_user_sva_pasid(struct sdxi_usva *s)
{
	return iommu_sva_get_pasid(s->sva);
}

/**
 * sdxi_user_sva_unbind() - give a bond back
 * @s: what sdxi_user_sva_bind() returned, or NULL
 *
 * Nothing reaches memory under the bond's PASID any more (its context is
 * stopped, or never ran).  The unbind, which drains the PASID, runs on
 * the bonds' workqueue: the caller may hold the file's lock.  A user of
 * the mm, when it still has one, is held until then (see
 * sdxi_usva_unbind_work()).
 */
void sdxi_user_sva_unbind(struct sdxi_usva *s)
{
	if (!s)
		return;
	s->live = mmget_not_zero(s->mm);
	queue_work(sdxi_usva_wq, &s->unbind);
}

static void sdxi_unpin(struct sdxi_uctx *u, struct sdxi_umap *m)
{
	unpin_user_pages(m->pages, m->npages);
	sdxi_user_uncharge_pinned(u->ud, u->mm, u->facct, u->uacct, m->len);
	atomic64_sub(m->npages, &u->ud->stats.pinned_pages);
	u->pinned_pages -= m->npages;
	kvfree(m->pages);
	m->pages = NULL;
}

static void sdxi_dmabuf_release(struct sdxi_uctx *u, struct sdxi_umap *m);

/**
 * sdxi_user_as_release() - tear down a user context's address space
 * @u: context whose regions are freed (the function no longer executes
 *     it), or whose creation failed
 *
 * Detaches the PASID first: from then on nothing tagged with it reaches
 * memory.  Then the domain and PASID are freed, registrations unpinned
 * and dma-bufs detached, each giving its charge back.
 */
void sdxi_user_as_release(struct sdxi_uctx *u)
{
	struct interval_tree_node *it;

	/*
	 * An exporter may call move_notify at any time: make every import
	 * forget the domain (under its reservation lock) before it goes.
	 */
	for (it = interval_tree_iter_first(&u->maps, 0, ULONG_MAX); it;
	     it = interval_tree_iter_next(it, 0, ULONG_MAX)) {
		struct sdxi_umap *m = container_of(it, struct sdxi_umap, it);

		if (m->kind != SDXI_UMAP_DMABUF)
			continue;
		dma_resv_lock(m->dmabuf->resv, NULL);
		m->dead = true;
		dma_resv_unlock(m->dmabuf->resv);
		cancel_work_sync(&m->remap);
	}
	if (u->dom) {
		iommu_detach_device_pasid(u->dom, u->dev, u->pasid);
		iommu_domain_free(u->dom);
		iommu_free_global_pasid(u->pasid);
		atomic_dec(&u->ud->stats.pasids);
		u->dom = NULL;
	}
	sdxi_user_sva_unbind(u->sva);
	u->sva = NULL;
	while ((it = interval_tree_iter_first(&u->maps, 0, ULONG_MAX))) {
		struct sdxi_umap *m = container_of(it, struct sdxi_umap, it);

		interval_tree_remove(it, &u->maps);
		if (m->kind == SDXI_UMAP_MEM)
			sdxi_unpin(u, m);
		else
			sdxi_dmabuf_release(u, m);
		kfree(m);
	}
}

/**
 * sdxi_iommu_map_pages() - map pages at consecutive IOVAs of a domain
 * @dom: the domain
 * @iova: page-aligned start
 * @pages: the pages
 * @n: their number
 * @prot: IOMMU_*
 *
 * Physically contiguous runs are mapped as one; nothing stays mapped on
 * failure.
 *
 * Return: 0 or the iommu_map() error.
 */
int sdxi_iommu_map_pages(struct iommu_domain *dom, u64 iova,
			 struct page **pages, unsigned long n, int prot)
{
	unsigned long i = 0, j;
	int err;

	while (i < n) {
		phys_addr_t phys = page_to_phys(pages[i]);

		for (j = i + 1; j < n; j++)
			if (page_to_phys(pages[j]) != phys + (j - i) * PAGE_SIZE)
				break;
		err = iommu_map(dom, iova + i * PAGE_SIZE, phys, (j - i) * PAGE_SIZE,
				prot, GFP_KERNEL_ACCOUNT);
		if (err) {
			if (i)
				iommu_unmap(dom, iova, i * PAGE_SIZE);
			return err;
		}
		i = j;
	}
	return 0;
}

/*
 * Region allocator of user contexts (struct sdxi_cxt_mem_ops).  Isolated:
 * zeroed vmalloc pages charged to the caller's memory cgroup (mapped to
 * user space by the fault handler) and mapped into the domain at the
 * region's fixed IOVA.  Unsafe no-IOMMU mode: coherent memory at a bus
 * address.
 */
static int sdxi_user_mem_alloc(struct sdxi_cxt *cxt, enum sdxi_cxt_region r,
			       size_t size, struct sdxi_cxt_buf *buf)
{
	struct sdxi_uctx *u = cxt->mem_priv;
	unsigned long i, n;
	dma_addr_t dma;
	int err;

	size = PAGE_ALIGN(size);
	if (!u->isolated) {
		buf->va = dma_alloc_coherent(u->dev, size, &dma, GFP_KERNEL);
		if (!buf->va)
			return -ENOMEM;
		buf->addr = dma;
		buf->size = size;
		return 0;
	}
	buf->va = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!buf->va)
		return -ENOMEM;
	n = size >> PAGE_SHIFT;
	struct page **pages __free(kvfree) = kvmalloc_array(n, sizeof(*pages),
							    GFP_KERNEL_ACCOUNT);
	if (!pages) {
		vfree(buf->va);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		pages[i] = vmalloc_to_page(buf->va + i * PAGE_SIZE);
	buf->addr = sdxi_user_region_iova(r);
	buf->size = size;
	err = sdxi_iommu_map_pages(u->dom, buf->addr, pages, n,
				   sdxi_user_regions[r].prot | IOMMU_CACHE);
	if (err)
		vfree(buf->va);
	return err;
}

/* The domain is still attached: unmap (IOTLB flushed) before freeing. */
static void sdxi_user_mem_free(struct sdxi_cxt *cxt, enum sdxi_cxt_region r,
			       struct sdxi_cxt_buf *buf)
{
	struct sdxi_uctx *u = cxt->mem_priv;

	if (!u->isolated) {
		dma_free_coherent(u->dev, buf->size, buf->va, buf->addr);
		return;
	}
	if (u->dom)
		iommu_unmap(u->dom, buf->addr, buf->size);
	vfree(buf->va);
}

const struct sdxi_cxt_mem_ops sdxi_user_mem_ops = {
	.alloc = sdxi_user_mem_alloc,
	.free = sdxi_user_mem_free,
	.release = sdxi_uctx_release,
};

/* An IOVA range user space may use: not the kernel's, not taken. */
static int sdxi_user_range_check(struct sdxi_uctx *u, u64 start, u64 len)
{
	u64 last = start + len - 1;

	lockdep_assert_held(&u->uf->lock);
	/* SVA: the data AKey reaches the process's mm, not this domain. */
	if (u->sva)
		return -EOPNOTSUPP;
	if (u->isolated) {
		if (last > u->dom->geometry.aperture_end)
			return -EINVAL;
		if (start < SDXI_UIOVA_BASE + SDXI_UIOVA_SIZE &&
		    last >= SDXI_UIOVA_BASE)
			return -EEXIST;
	}
	if (interval_tree_iter_first(&u->maps, start, last))
		return -EEXIST;
	return 0;
}

static struct sdxi_uctx *sdxi_find_user_context(struct sdxi_ufile *uf, u32 id)
{
	lockdep_assert_held(&uf->lock);
	return xa_load(&uf->cxts, id);
}

/* MAP_MEM's early check: the function, the context, a free range. */
static int sdxi_map_mem_check(struct sdxi_ufile *uf, u32 id, u64 va, u64 len)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	struct sdxi_uctx *u;

	if (IS_ERR(l))
		return PTR_ERR(l);
	u = sdxi_find_user_context(uf, id);
	return u ? sdxi_user_range_check(u, va, len) : -ENOENT;
}

/*
 * MAP_MEM's second half, once the pages are pinned: check again (the
 * context may have gone, or the range been taken) and map.
 */
static int sdxi_map_mem_insert(struct sdxi_ufile *uf, u32 id,
			       struct sdxi_umap *m, u64 *iova)
{
	CLASS(sdxi_ufile_locked, l)(uf);
	u64 va = m->it.start, len = m->len;
	unsigned long i, n = m->npages;
	struct sdxi_uctx *u;
	int err;

	if (IS_ERR(l))
		return PTR_ERR(l);
	u = sdxi_find_user_context(uf, id);
	err = u ? sdxi_user_range_check(u, va, len) : -ENOENT;
	if (err)
		return err;
	if (u->isolated) {
		err = sdxi_iommu_map_pages(u->dom, va, m->pages, n, m->prot);
		*iova = va;
	} else {
		/*
		 * No IOMMU: the function uses bus addresses, equal to
		 * physical ones on the platforms this is allowed on.
		 */
		for (i = 1; i < n; i++)
			if (page_to_phys(m->pages[i]) !=
			    page_to_phys(m->pages[0]) + i * PAGE_SIZE)
				break;
		err = i < n ? -EINVAL : 0;
		*iova = page_to_phys(m->pages[0]);
	}
	if (err)
		return err;
	m->u = u;
	interval_tree_insert(&m->it, &u->maps);
	u->pinned_pages += n;
	atomic64_add(n, &uf->udev->stats.pinned_pages);
	return 0;
}

/**
 * sdxi_pin_user_range() - pin a range of the caller's address space
 * @va: page-aligned start
 * @n: number of pages
 * @gup: FOLL_LONGTERM, with FOLL_WRITE for device writes
 * @pages: room for @n pages
 *
 * Called with no lock of this driver held: a page may belong to a
 * userfaultfd or FUSE mapping and take any time to come, and pinning
 * takes mmap_lock.  A fatal signal stops it.
 *
 * Return: 0 with all @n pages pinned, or -EFAULT (a page not mapped with
 * that access, or not pinnable), -EINTR, -ENOMEM with none pinned.
 */
int sdxi_pin_user_range(u64 va, unsigned long n, unsigned int gup,
			struct page **pages)
{
	unsigned long done = 0;
	long ret;
	int err;

	while (done < n) {
		ret = pin_user_pages_fast(va + done * PAGE_SIZE, n - done, gup,
					  pages + done);
		if (ret <= 0) {
			err = ret ?: -EFAULT;
			goto unpin;
		}
		done += ret;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto unpin;
		}
	}
	return 0;

unpin:
	unpin_user_pages(pages, done);
	return err;
}

/**
 * sdxi_user_map_mem() - MAP_MEM: pin a user range and map it at IOVA == VA
 * @uf: file (the caller is its opener; no lock held)
 * @id: context
 * @va: page-aligned start
 * @len: page-aligned length, not 0
 * @flags: SDXI_MAP_READ and/or SDXI_MAP_WRITE
 * @iova: the device address, on success
 *
 * The limits are charged first, then the page array is allocated and the
 * pages are pinned with no lock held (a page may belong to a userfaultfd
 * or FUSE mapping and take any time to come; pinning also takes
 * mmap_lock, which mmap() holds around the file lock); only then the
 * function's presence, the context and the range are checked again and
 * the range mapped.
 *
 * Return: 0; -ENOENT (no such context); -EEXIST (overlap); -ENOMEM
 * (RLIMIT_MEMLOCK or memory); -EDQUOT (the device's pinning limits);
 * -EFAULT (range not mapped with the access asked for); -EINVAL
 * (physically discontiguous range without an IOMMU); -ENODEV; -EINTR.
 */
int sdxi_user_map_mem(struct sdxi_ufile *uf, u32 id, u64 va, u64 len, u32 flags,
		      u64 *iova)
{
	unsigned long n = len >> PAGE_SHIFT, done = 0;
	unsigned int gup = FOLL_LONGTERM;
	struct sdxi_udev *ud = uf->udev;
	struct sdxi_umap *m;
	int prot = IOMMU_CACHE;
	int err;

	if (flags & SDXI_MAP_READ)
		prot |= IOMMU_READ;
	if (flags & SDXI_MAP_WRITE) {
		prot |= IOMMU_WRITE;
		gup |= FOLL_WRITE;
	}
	/* Early answers for a missing context or an overlap. */
	err = sdxi_map_mem_check(uf, id, va, len);
	if (err)
		return err;
	/* Limits before any allocation sized by @len. */
	err = sdxi_user_charge_pinned(ud, uf->mm, uf->facct, uf->uacct, len);
	if (err)
		return err;
	m = kzalloc_obj(*m, GFP_KERNEL_ACCOUNT);
	if (!m) {
		err = -ENOMEM;
		goto uncharge;
	}
	m->pages = kvmalloc_array(n, sizeof(*m->pages),
				  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!m->pages) {
		err = -ENOMEM;
		goto free;
	}
	err = sdxi_pin_user_range(va, n, gup, m->pages);
	if (err)
		goto unpin;
	done = n;
	m->npages = n;
	m->len = len;
	m->kind = SDXI_UMAP_MEM;
	m->prot = prot;
	m->it.start = va;
	m->it.last = va + len - 1;

	err = sdxi_map_mem_insert(uf, id, m, iova);
	if (err)
		goto unpin;
	return 0;

unpin:
	unpin_user_pages(m->pages, done);
	kvfree(m->pages);
free:
	kfree(m);
uncharge:
	sdxi_user_uncharge_pinned(ud, uf->mm, uf->facct, uf->uacct, len);
	return err;
}

static struct sdxi_umap *sdxi_find_map(struct sdxi_uctx *u, u64 start,
				       u64 len, enum sdxi_umap_kind kind)
{
	struct interval_tree_node *it;
	struct sdxi_umap *m;

	it = interval_tree_iter_first(&u->maps, start, start);
	if (!it)
		return NULL;
	m = container_of(it, struct sdxi_umap, it);
	if (m->kind != kind || it->start != start ||
	    (len && it->last != start + len - 1))
		return NULL;
	return m;
}

/**
 * sdxi_user_unmap_mem() - UNMAP_MEM: make a registration unreachable, unpin it
 * @u: context; &sdxi_ufile.lock held
 * @va: start given to MAP_MEM
 * @len: length given to MAP_MEM
 *
 * iommu_unmap() flushes the IOTLB before it returns, so a descriptor still
 * in flight faults instead of reaching pages that are about to be
 * unpinned.
 *
 * Return: 0, or -ENOENT when no registration has exactly that range.
 */
int sdxi_user_unmap_mem(struct sdxi_uctx *u, u64 va, u64 len)
{
	struct sdxi_umap *m;

	lockdep_assert_held(&u->uf->lock);
	m = sdxi_find_map(u, va, len, SDXI_UMAP_MEM);
	if (!m)
		return -ENOENT;
	/* Windows on it first: their PASIDs reach the same pages. */
	sdxi_window_revoke_map(u, m);
	interval_tree_remove(&m->it, &u->maps);
	if (u->dom)
		iommu_unmap(u->dom, va, len);
	sdxi_unpin(u, m);
	kfree(m);
	return 0;
}

/*
 * dma-buf import.  The attachment is dynamic: the exporter calls
 * move_notify (reservation lock held) before it moves the buffer; the
 * range is then unmapped from the domain (IOTLB flushed, descriptors
 * touching it fault) and a work item maps the new location once the
 * exporter's kernel fences signalled.
 *
 * The importer contract: only the DMA addresses of the attachment's
 * sg_table are used (never sg_page(): CONFIG_DMABUF_DEBUG hides it).
 * They are addresses in the function's requester-ID space, and the
 * function reaches the buffer through the context's PASID instead, so each
 * page is looked up in the requester-ID domain (iommu_iova_to_phys(); an
 * identity domain gives the address itself) and mapped at the same
 * offset in the context's domain.  Exactly the buffer's segments are
 * mapped: a segment that does not start and end on page boundaries within
 * the imported range is refused, never rounded out to whole pages.  The
 * buffer must be system memory (no peer-to-peer).
 */

/* What requester-ID address @dma reaches: the physical address, or 0. */
static phys_addr_t sdxi_rid_to_phys(struct iommu_domain *rid, dma_addr_t dma)
{
	return rid ? iommu_iova_to_phys(rid, dma) : dma;
}

/*
 * Map [iova, iova + len) of @dom to the pages [dma, dma + len) reaches in
 * the requester-ID space, coalescing physically contiguous runs; nothing
 * on failure.
 */
static int sdxi_iommu_map_dma(struct iommu_domain *dom, struct iommu_domain *rid,
			      u64 iova, dma_addr_t dma, u64 len, int prot)
{
	u64 off = 0, run;
	int err;

	while (off < len) {
		phys_addr_t phys = sdxi_rid_to_phys(rid, dma + off);

		err = -EFAULT;
		if (!phys)
			goto undo;
		for (run = PAGE_SIZE; off + run < len; run += PAGE_SIZE)
			if (sdxi_rid_to_phys(rid, dma + off + run) != phys + run)
				break;
		err = iommu_map(dom, iova + off, phys, run, prot,
				GFP_KERNEL_ACCOUNT);
		if (err)
			goto undo;
		off += run;
	}
	return 0;
undo:
	if (off)
		iommu_unmap(dom, iova, off);
	return err;
}

/* Map the imported range of @sgt's DMA segments; none on failure. */
static int sdxi_dmabuf_map_sgt(struct sdxi_umap *m, struct sg_table *sgt)
{
	struct sdxi_uctx *u = m->u;
	struct iommu_domain *rid = iommu_get_domain_for_dev(u->dev);
	u64 skip = m->offset, done = 0;
	struct scatterlist *sg;
	int err = 0;
	u32 i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t dma = sg_dma_address(sg);
		u64 slen = sg_dma_len(sg), chunk;

		if (skip >= slen) {
			skip -= slen;
			continue;
		}
		chunk = min(slen - skip, m->len - done);
		if (!PAGE_ALIGNED(dma + skip) || !PAGE_ALIGNED(chunk)) {
			err = -EOPNOTSUPP;
			break;
		}
		err = sdxi_iommu_map_dma(u->dom, rid, m->it.start + done,
					 dma + skip, chunk, m->prot);
		if (err)
			break;
		done += chunk;
		skip = 0;
		if (done == m->len)
			break;
	}
	if (!err && done < m->len)
		err = -EINVAL;
	if (err && done)
		iommu_unmap(u->dom, m->it.start, done);
	return err;
}

/*
 * Map an import; reservation lock held.  The attachment is mapped by the
 * first of its imports and shared by the others.  The wait for the
 * exporter's fences is bounded, and interruptible when @intr (an ioctl).
 */
static int sdxi_dmabuf_map_locked(struct sdxi_umap *m, bool intr)
{
	struct sdxi_uattach *ua = m->ua;
	struct sg_table *sgt = ua->sgt;
	long lret;
	int err;

	dma_resv_assert_held(m->dmabuf->resv);
	if (m->mapped || m->dead || !m->u->dom)
		return 0;
	if (!sgt) {
		sgt = dma_buf_map_attachment(m->attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
	}
	lret = dma_resv_wait_timeout(m->dmabuf->resv, DMA_RESV_USAGE_KERNEL,
				     intr, msecs_to_jiffies(SDXI_DMABUF_FENCE_MS));
	err = lret < 0 ? lret : !lret ? -ETIMEDOUT : sdxi_dmabuf_map_sgt(m, sgt);
	if (err) {
		if (!ua->nmapped)
			dma_buf_unmap_attachment(m->attach, sgt, DMA_BIDIRECTIONAL);
		return err;
	}
	ua->sgt = sgt;
	ua->nmapped++;
	m->mapped = true;
	return 0;
}

/*
 * Revoke the device's access; reservation lock held.  A dead import's
 * domain is detached already (or about to be freed): only the attachment
 * mapping is dropped then, with the last import using it.
 */
static void sdxi_dmabuf_unmap_locked(struct sdxi_umap *m)
{
	struct sdxi_uattach *ua = m->ua;

	dma_resv_assert_held(m->dmabuf->resv);
	if (!m->mapped)
		return;
	if (!m->dead && m->u->dom)
		iommu_unmap(m->u->dom, m->it.start, m->len);
	m->mapped = false;
	if (--ua->nmapped)
		return;
	dma_buf_unmap_attachment(m->attach, ua->sgt, DMA_BIDIRECTIONAL);
	ua->sgt = NULL;
}

static void sdxi_dmabuf_remap_work(struct work_struct *work)
{
	struct sdxi_umap *m = container_of(work, struct sdxi_umap, remap);
	int err;

	dma_resv_lock(m->dmabuf->resv, NULL);
	err = sdxi_dmabuf_map_locked(m, false);
	dma_resv_unlock(m->dmabuf->resv);
	if (err)
		dev_dbg(m->u->dev, "context %u: dma-buf at %#lx not re-mapped (%d)\n",
			m->u->id, m->it.start, err);
}

static void sdxi_dmabuf_move_notify(struct dma_buf_attachment *attach)
{
	struct sdxi_uattach *ua = attach->importer_priv;
	struct sdxi_umap *m;

	list_for_each_entry(m, &ua->maps, ua_node) {
		sdxi_dmabuf_unmap_locked(m);
		if (!m->dead)
			schedule_work(&m->remap);
	}
}

static const struct dma_buf_attach_ops sdxi_dmabuf_importer_ops = {
	.allow_peer2peer = false,
	.SDXI_DMA_BUF_INVALIDATE = sdxi_dmabuf_move_notify,
};

/*
 * One attachment per dma-buf and function, shared by every import of the
 * buffer into any of the function's contexts: each attachment is mapped
 * for the function by the exporter (the core maps it bidirectionally at
 * attach time for exporters that do not move buffers), so two would map
 * the same memory device-writable twice.  Takes over the caller's
 * reference to @dmabuf.
 */
static struct sdxi_uattach *sdxi_uattach_get(struct sdxi_uctx *u,
					     struct dma_buf *dmabuf)
{
	struct sdxi_udev *ud = u->ud;
	struct dma_buf_attachment *attach;
	struct sdxi_uattach *ua;

	guard(mutex)(&ud->attach_lock);
	list_for_each_entry(ua, &ud->attachments, node) {
		if (ua->dmabuf == dmabuf) {
			ua->users++;
			dma_buf_put(dmabuf);
			return ua;
		}
	}
	ua = kzalloc_obj(*ua, GFP_KERNEL_ACCOUNT);
	if (!ua) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&ua->maps);
	ua->dmabuf = dmabuf;
	ua->users = 1;
	attach = dma_buf_dynamic_attach(dmabuf, u->dev, &sdxi_dmabuf_importer_ops, ua);
	if (IS_ERR(attach)) {
		dma_buf_put(dmabuf);
		kfree(ua);
		return ERR_CAST(attach);
	}
	ua->attach = attach;
	list_add(&ua->node, &ud->attachments);
	return ua;
}

static void sdxi_uattach_put(struct sdxi_uctx *u, struct sdxi_uattach *ua)
{
	struct sdxi_udev *ud = u->ud;

	scoped_guard(mutex, &ud->attach_lock) {
		if (--ua->users)
			return;
		list_del(&ua->node);
	}
	dma_buf_detach(ua->dmabuf, ua->attach);
	dma_buf_put(ua->dmabuf);
	kfree(ua);
}

static void sdxi_dmabuf_release(struct sdxi_uctx *u, struct sdxi_umap *m)
{
	dma_resv_lock(m->dmabuf->resv, NULL);
	sdxi_dmabuf_unmap_locked(m);
	m->dead = true;
	list_del(&m->ua_node);
	dma_resv_unlock(m->dmabuf->resv);
	cancel_work_sync(&m->remap);
	sdxi_uattach_put(u, m->ua);
	sdxi_user_uncharge(u->ud, u->facct, u->uacct, SDXI_URES_IMPORTED, m->len);
	u->imported -= m->len;
	atomic_dec(&u->ud->stats.dmabufs);
}

/*
 * What the device may do with a dma-buf follows how its file was opened:
 * writes only to a buffer opened for writing (DMA_HEAP_IOCTL_ALLOC and
 * DRM PRIME give read-only ones without O_RDWR).
 */
static int sdxi_dmabuf_access(struct dma_buf *dmabuf, u32 flags)
{
	fmode_t mode = dmabuf->file->f_mode;

	if (((flags & SDXI_MAP_WRITE) && !(mode & FMODE_WRITE)) ||
	    ((flags & SDXI_MAP_READ) && !(mode & FMODE_READ)))
		return -EACCES;
	return 0;
}

/**
 * sdxi_user_map_dmabuf() - MAP_DMABUF: import a dma-buf at a chosen IOVA
 * @u: isolated context; &sdxi_ufile.lock held
 * @fd: the dma-buf
 * @offset: page-aligned offset into it
 * @len: page-aligned length, not 0
 * @iova: page-aligned device address
 * @flags: SDXI_MAP_READ and/or SDXI_MAP_WRITE
 *
 * Return: 0; -EBADF/-EINVAL (not a dma-buf, range outside it); -EACCES
 * (access the buffer's file does not allow); -EEXIST (overlap); -EDQUOT
 * (import limits); -EOPNOTSUPP (not mappable at page granularity, or not
 * system memory); -ETIMEDOUT (the exporter's fences did not signal);
 * -EINTR; -ENOMEM.
 */
int sdxi_user_map_dmabuf(struct sdxi_uctx *u, int fd, u64 offset, u64 len,
			 u64 iova, u32 flags)
{
	struct dma_buf *dmabuf;
	struct sdxi_umap *m;
	int err;

	lockdep_assert_held(&u->uf->lock);
	err = sdxi_user_range_check(u, iova, len);
	if (err)
		return err;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	err = sdxi_dmabuf_access(dmabuf, flags);
	if (!err && (offset > dmabuf->size || len > dmabuf->size - offset))
		err = -EINVAL;
	if (!err)
		err = sdxi_user_charge(u->ud, u->facct, u->uacct, SDXI_URES_IMPORTED, len);
	if (err) {
		dma_buf_put(dmabuf);
		return err;
	}
	m = kzalloc_obj(*m, GFP_KERNEL_ACCOUNT);
	if (!m) {
		dma_buf_put(dmabuf);
		err = -ENOMEM;
		goto uncharge;
	}
	m->kind = SDXI_UMAP_DMABUF;
	m->u = u;
	m->offset = offset;
	m->len = len;
	m->prot = IOMMU_CACHE | ((flags & SDXI_MAP_READ) ? IOMMU_READ : 0) |
		  ((flags & SDXI_MAP_WRITE) ? IOMMU_WRITE : 0);
	m->it.start = iova;
	m->it.last = iova + len - 1;
	INIT_WORK(&m->remap, sdxi_dmabuf_remap_work);
	m->ua = sdxi_uattach_get(u, dmabuf);
	if (IS_ERR(m->ua)) {
		err = PTR_ERR(m->ua);
		kfree(m);
		goto uncharge;
	}
	m->dmabuf = m->ua->dmabuf;
	m->attach = m->ua->attach;
	err = dma_resv_lock_interruptible(m->dmabuf->resv, NULL);
	if (!err) {
		err = sdxi_dmabuf_map_locked(m, true);
		if (!err)
			list_add(&m->ua_node, &m->ua->maps);
		dma_resv_unlock(m->dmabuf->resv);
	}
	if (err) {
		sdxi_uattach_put(u, m->ua);
		kfree(m);
		goto uncharge;
	}
	interval_tree_insert(&m->it, &u->maps);
	u->imported += len;
	atomic_inc(&u->ud->stats.dmabufs);
	return 0;

uncharge:
	sdxi_user_uncharge(u->ud, u->facct, u->uacct, SDXI_URES_IMPORTED, len);
	return err;
}

/**
 * sdxi_user_unmap_dmabuf() - UNMAP_DMABUF
 * @u: context; &sdxi_ufile.lock held
 * @iova: the IOVA given to MAP_DMABUF
 *
 * Return: 0, or -ENOENT when no dma-buf is mapped there.
 */
int sdxi_user_unmap_dmabuf(struct sdxi_uctx *u, u64 iova)
{
	struct sdxi_umap *m;

	lockdep_assert_held(&u->uf->lock);
	m = sdxi_find_map(u, iova, 0, SDXI_UMAP_DMABUF);
	if (!m)
		return -ENOENT;
	interval_tree_remove(&m->it, &u->maps);
	sdxi_dmabuf_release(u, m);
	kfree(m);
	return 0;
}

#if IS_ENABLED(CONFIG_SDXI_TEST)
/**
 * sdxi_dmabuf_move_all() - act as if every exporter moved its buffer
 * @ud: device
 * @remap: also re-establish the mappings (as after a real move); false
 *	   leaves them revoked until the next call with @remap
 *
 * A test hook (debugfs "dmabuf_move", test configuration only): udmabuf and the system heap never
 * move their buffers, so this is how the revoke and re-establish paths
 * run.  It goes through the attachments, as an exporter does, so every
 * import is reached, also one of a context that could not be quiesced.
 */
void sdxi_dmabuf_move_all(struct sdxi_udev *ud, bool remap)
{
	struct sdxi_uattach *ua;
	struct sdxi_umap *m;

	guard(mutex)(&ud->attach_lock);
	list_for_each_entry(ua, &ud->attachments, node) {
		dma_resv_lock(ua->dmabuf->resv, NULL);
		list_for_each_entry(m, &ua->maps, ua_node) {
			sdxi_dmabuf_unmap_locked(m);
			if (remap)
				sdxi_dmabuf_map_locked(m, false);
		}
		dma_resv_unlock(ua->dmabuf->resv);
	}
}
#endif
