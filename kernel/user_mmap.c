// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN mappings of a user context's regions (Documentation/uapi.rst
 * "Mappings").
 *
 * User space maps the ring, write index, CXT_STS, CST_BLK array and
 * doorbell at the offsets CREATE_CONTEXT returned.  Mappings are populated
 * by a fault handler (VM_PFNMAP), never at mmap() time: revocation
 * (destroy, reset, removal) marks the context dead under its map_rwsem and
 * zaps every PTE with unmap_mapping_range() on the device-wide address
 * space; a fault after that gets SIGBUS, except after the function's
 * removal, when each region faults in a private page of its own (CXT_STS
 * reading "removed"), so that a program still using the mapping neither
 * dies nor sees another's data.  Inserting PTEs in mmap() itself
 * would race with revocation, because the VMA is linked into the address
 * space only after ->mmap returns (vfio-pci moved to faulting for the same
 * reason).
 *
 * Rules from idxd and VFIO: mmap() from an mm other than the opener's gets
 * -EPERM and faults SIGBUS; mappings are VM_IO (so madvise cannot make them
 * inheritable), VM_DONTCOPY, VM_DONTEXPAND, VM_DONTDUMP and of the exact
 * size; CXT_STS cannot be mapped writable.
 */
#include <linux/cleanup.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sdxi.h>
#include <linux/vmalloc.h>

#include "context.h"
#include "user_context.h"
#include "user_mmap.h"

/**
 * sdxi_uctx_revoke() - zap every user mapping of a context
 * @u: the context
 * @keep: later faults map the pages again; else they get SIGBUS
 * @removed: the function is going away: later faults map the context's
 *	     removed pages (Documentation/uapi.rst "Device removal")
 */
void sdxi_uctx_revoke(struct sdxi_uctx *u, bool keep, bool removed)
{
	struct address_space *as = u->ud->inode->i_mapping;

	scoped_guard(rwsem_write, &u->map_rwsem) {
		u->dead = !keep;
		u->removed = removed;
	}
	unmap_mapping_range(as, SDXI_UOFF(u->id, 0), SDXI_UOFF(1, 0), 1);
}

static void sdxi_user_vma_open(struct vm_area_struct *vma)
{
	struct sdxi_uctx *u = vma->vm_private_data;

	kref_get(&u->ref);
}

static void sdxi_user_vma_close(struct vm_area_struct *vma)
{
	sdxi_uctx_put(vma->vm_private_data);
}

/* Mappings have exact sizes: no partial munmap/mprotect splitting. */
static int sdxi_user_vma_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

/*
 * A fault after the function's removal (Documentation/uapi.rst "Device
 * removal"): every page of region @r shows one page private to the
 * context, zeroed, mapped cacheable.  Stores to the ring, write index,
 * CST_BLK and doorbell land there and reach nothing; CXT_STS reads state
 * STOP_FN, read index 0 and the removed mark.  The pages live as long as
 * the context structure, which outlives its mappings.
 */
static vm_fault_t sdxi_user_vma_fault_removed(struct vm_fault *vmf,
					      struct sdxi_uctx *u,
					      unsigned int r)
{
	struct page *pg = READ_ONCE(u->scratch[r]);

	if (!pg) {
		struct page *new = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		void *va;

		if (!new)
			return VM_FAULT_OOM;
		if (r == SDXI_CXT_STS) {
			va = page_address(new);
			((struct sdxi_cxt_sts *)va)->state = SDXI_CXTV_STOP_FN;
			*(__le32 *)(va + SDXI_STS_REMOVED_OFFSET) =
				cpu_to_le32(SDXI_STS_REMOVED);
		}
		pg = cmpxchg(&u->scratch[r], NULL, new);
		if (pg)
			__free_page(new);
		else
			pg = new;
	}
	return vmf_insert_pfn_prot(vmf->vma, vmf->address, page_to_pfn(pg),
				   vm_get_page_prot(vmf->vma->vm_flags));
}

static vm_fault_t sdxi_user_vma_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct sdxi_uctx *u = vma->vm_private_data;
	unsigned int r = (vma->vm_pgoff >> (SDXI_UOFF_REGION_SHIFT - PAGE_SHIFT)) & 0xf;
	unsigned long pg = vmf->pgoff - vma->vm_pgoff;
	unsigned long pfn;
	void *va;

	/* Only the opener's address space, whatever madvise() did. */
	if (vma->vm_mm != u->mm)
		return VM_FAULT_SIGBUS;
	guard(rwsem_read)(&u->map_rwsem);
	if (u->dead && u->removed)
		return sdxi_user_vma_fault_removed(vmf, u, r);
	if (u->dead || !u->cxt)
		return VM_FAULT_SIGBUS;
	if (r == SDXI_UREGION_DB) {
		pfn = u->db_pfn + pg;
	} else {
		va = u->cxt->bufs[r].va + (pg << PAGE_SHIFT);
		pfn = is_vmalloc_addr(va) ? vmalloc_to_pfn(va) :
					    PHYS_PFN(virt_to_phys(va));
	}
	return vmf_insert_pfn(vma, vmf->address, pfn);
}

static const struct vm_operations_struct sdxi_user_vm_ops = {
	.open = sdxi_user_vma_open,
	.close = sdxi_user_vma_close,
	.may_split = sdxi_user_vma_may_split,
	.fault = sdxi_user_vma_fault,
};

/* The mapping of region @r of @u must have the region's size and rights. */
static int sdxi_user_mmap_check(struct sdxi_uctx *u, struct vm_area_struct *vma,
				unsigned int r)
{
	if (!READ_ONCE(u->cxt))
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != sdxi_user_region_size(u, r))
		return -EINVAL;
	/* CXT_STS is the function's to write: never writable by the user. */
	if (r == SDXI_CXT_STS) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	return 0;
}

/**
 * sdxi_user_mmap() - &file_operations.mmap of /dev/sdxiN
 * @f: the file
 * @vma: the new mapping
 *
 * Return: 0 or a negative errno.
 */
int sdxi_user_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct sdxi_ufile *uf = f->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned int r = (off >> SDXI_UOFF_REGION_SHIFT) & 0xf;
	struct sdxi_uctx *u;
	int err;

	if (current->mm != uf->mm)
		return -EPERM;
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC) ||
	    (off & (SDXI_UOFF(0, 1) - 1)) || r >= SDXI_UREGIONS)
		return -EINVAL;

	/*
	 * Not &sdxi_ufile.lock: mmap() runs under mmap_lock, and the file's
	 * lock is held around IOMMU PASID attach and detach, which drain
	 * page requests whose handlers take mmap_lock.  The xarray's own
	 * lock is enough to take a reference: a context leaves the xarray
	 * before its reference is dropped, and its regions' sizes never
	 * change.  A context destroyed after this point leaves a mapping
	 * whose faults find it dead (sdxi_user_vma_fault()).
	 */
	xa_lock(&uf->cxts);
	u = xa_load(&uf->cxts, off >> SDXI_UOFF_ID_SHIFT);
	if (u)
		kref_get(&u->ref);
	xa_unlock(&uf->cxts);
	if (!u)
		return -EINVAL;
	err = sdxi_user_mmap_check(u, vma, r);
	if (err) {
		sdxi_uctx_put(u);
		return err;
	}
	vm_flags_clear(vma, VM_MAYEXEC);
	/*
	 * VM_IO on every region: madvise(MADV_DOFORK) refuses to clear
	 * VM_DONTCOPY of a VM_IO mapping, so no child inherits one.
	 */
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND |
		     VM_DONTDUMP);
	if (r == SDXI_UREGION_DB)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &sdxi_user_vm_ops;
	vma->vm_private_data = u;
	return 0;
}
