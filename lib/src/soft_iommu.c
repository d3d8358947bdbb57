// SPDX-License-Identifier: MIT
/*
 * The software device's IOMMU: what each context's PASID may reach, how
 * the engine reaches it, and registration (the driver's MAP_MEM and
 * UNMAP_MEM).
 *
 *   - The function address space is its private arena and nothing else.
 *   - A PASID access is translated only if it lies in the context's own
 *     regions (ring, write index, CXT_STS, CST_BLK array) or in a range
 *     registered with it, with the READ/WRITE rights of the registration;
 *     anything else is SDXIE_MEM_XLATE, which the engine reports exactly
 *     as the device does (step 10, sub-step 1 for data).  IOVA == VA, as
 *     with PASID isolation in the kernel.
 *   - An SVA context (SDXI_CTX_MODE_SVA) reaches, besides its own regions,
 *     every application address the process's page tables map with the
 *     access needed (the kernel's copy checks it), as a PASID bound to
 *     the process would; never the function's arena, which stands for
 *     memory the process cannot name.
 *   - Registration checks what the kernel's pin would: the range must be
 *     mapped with the requested access; overlapping registrations are
 *     refused (EEXIST), and so is the function's private memory (EFAULT);
 *     unregistration is exact, and after it returns the engine can no
 *     longer reach the range.
 *
 * The device cannot pin: registered memory is the application's live
 * mapping, which the application may unmap while a descriptor naming it
 * is queued (its bug, but the library must not turn it into a crash).
 * So the engine never dereferences application memory: the kernel moves
 * the bytes (process_vm_readv()/process_vm_writev() on this process, or
 * pread()/pwrite() on /proc/self/mem where a seccomp policy forbids
 * those), and an unmapped page comes back as EFAULT, reported as the
 * translation fault an IOMMU would give.  Bulk copies therefore go
 * through the engine's bounce buffer, and atomics are a read and a write
 * (atomic against other descriptors, which the engine runs one at a time,
 * not against CPU accesses to the same target).  The context's own
 * regions and the arena are library memory and are accessed directly.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "soft.h"

struct soft_cxt *pasid_cxt(struct soft_dev *sd, uint32_t pasid)
{
	uint32_t id = pasid - SOFT_PASID_BASE;

	if (pasid < SOFT_PASID_BASE || id > SOFT_MAX_CXT || !id || !sd->cxt[id].used)
		return NULL;
	return &sd->cxt[id];
}

/* Index of the last map with start <= addr, or -1. */
static long map_find(const struct soft_cxt *sc, uint64_t addr)
{
	return find_last_le(sc->maps, sc->nmaps, sizeof(*sc->maps),
			    offsetof(struct soft_map, start), addr);
}

/* Where a translated address lies. */
enum reach {
	REACH_NONE,		/* not translated: SDXIE_MEM_XLATE */
	REACH_LIBRARY,		/* the arena or a context's own regions */
	REACH_USER,		/* registered application memory */
	REACH_REMOTE,		/* an imported window: another process's memory */
};

/*
 * Translate an access of up to *len bytes at @addr in @as: where it lies,
 * with *len clipped to the bytes reachable contiguously from @addr with
 * the needed right.
 */
static enum reach xlate(struct soft_dev *sd, struct sdxie_as as, uint64_t addr, uint64_t *len,
			bool is_write)
{
	uint64_t want = *len, reach = 0;
	struct soft_cxt *sc;
	long i;

	if (!as.has_pasid) {
		uint64_t lo = addr_of(sd->arena), hi = lo + SOFT_ARENA_SIZE;

		if (addr < lo || addr >= hi)
			return REACH_NONE;
		*len = want < hi - addr ? want : hi - addr;
		return REACH_LIBRARY;
	}
	if (as.pasid >= SOFT_WIN_PASID_BASE) {
		struct soft_import *im = soft_import_of(sd, as.pasid);

		/* Exactly the window, with exactly its rights. */
		if (!im || im->dead || addr < im->base || addr - im->base >= im->length ||
		    !(im->rights & (is_write ? SDXI_MEM_WRITE : SDXI_MEM_READ)))
			return REACH_NONE;
		reach = im->length - (addr - im->base);
		*len = want < reach ? want : reach;
		return REACH_REMOTE;
	}
	sc = pasid_cxt(sd, as.pasid);
	if (!sc)
		return REACH_NONE;
	for (unsigned int k = 0; k < ARRAY_SIZE(sc->own); k++) {
		if (addr >= sc->own[k].start && addr < sc->own[k].end) {
			reach = sc->own[k].end - addr;
			*len = want < reach ? want : reach;
			return REACH_LIBRARY;
		}
	}
	if (sc->sva) {
		uint64_t lo = addr_of(sd->arena), hi = lo + SOFT_ARENA_SIZE;

		if (addr < hi && addr + want > lo)
			return REACH_NONE;
		return REACH_USER;
	}
	i = map_find(sc, addr);
	if (i < 0 || addr >= sc->maps[i].end)
		return REACH_NONE;
	/* Adjacent registrations are one contiguous range for the device. */
	for (uint64_t at = addr; i < (long)sc->nmaps && reach < want; i++) {
		const struct soft_map *m = &sc->maps[i];

		if (m->start != at && at != addr)
			break;
		if (!(m->access & (is_write ? SDXI_MEM_WRITE : SDXI_MEM_READ)))
			break;
		reach += m->end - at;
		at = m->end;
	}
	if (!reach)
		return REACH_NONE;
	*len = want < reach ? want : reach;
	return REACH_USER;
}

/*
 * Move @len bytes between @buf and application memory at @addr through
 * the kernel: SDXIE_MEM_OK, or SDXIE_MEM_XLATE when a page is not mapped
 * (any more) with that access.
 */
static int user_copy(struct soft_dev *sd, uint64_t addr, void *buf, uint64_t len, bool write)
{
	struct iovec local = { buf, len }, remote = { ptr_of(addr), len };
	ssize_t n;

	if (sd->mem_fd >= 0)
		n = write ? pwrite(sd->mem_fd, buf, len, (off_t)addr) :
			    pread(sd->mem_fd, buf, len, (off_t)addr);
	else if (write)
		n = process_vm_writev(sd->pid, &local, 1, &remote, 1, 0);
	else
		n = process_vm_readv(sd->pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? SDXIE_MEM_OK : SDXIE_MEM_XLATE;
}

/*
 * Choose how to reach application memory: process_vm_readv() when the
 * kernel lets this process use it on itself, else /proc/self/mem.
 * -errno when neither works.
 */
int soft_mem_init(struct soft_dev *sd)
{
	uint64_t probe = 1, out = 0;
	struct iovec local = { &out, sizeof(out) }, remote = { &probe, sizeof(probe) };

	sd->pid = getpid();
	sd->mem_fd = -1;
	if (process_vm_readv(sd->pid, &local, 1, &remote, 1, 0) == sizeof(out) && out == 1)
		return 0;
	sd->mem_fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (sd->mem_fd < 0)
		return -errno;
	return 0;
}

void soft_mem_fini(struct soft_dev *sd)
{
	if (sd->mem_fd >= 0)
		close(sd->mem_fd);
	sd->mem_fd = -1;
}

/*
 * Host callbacks of the engine (struct sdxie_host_ops).  Ordering with
 * the application threads: the engine thread learns of work through the
 * doorbell mailbox (an acquire exchange that pairs with the producer's RMW
 * after its W store), so it sees W and the slots.  Every function write
 * (CST_BLK, R, CXT_STS) is preceded by a release fence, so data written
 * before it is visible to a consumer that reads R or a CST_BLK with
 * acquire; the kernel's copies are ordinary stores for that purpose.
 */
int soft_read(void *o, struct sdxie_as as, uint64_t addr, void *buf, uint64_t len)
{
	struct soft_dev *sd = o;
	uint64_t n = len;
	enum reach r = xlate(sd, as, addr, &n, false);
	int st = SDXIE_MEM_OK;

	if (r == REACH_NONE || n < len)
		return SDXIE_MEM_XLATE;
	if (r == REACH_REMOTE)
		st = soft_remote_access(sd, soft_import_of(sd, as.pasid), addr, buf, len, false);
	else if (r == REACH_USER)
		st = user_copy(sd, addr, buf, len, false);
	else
		memcpy(buf, ptr_of(addr), len);
	atomic_thread_fence(memory_order_acquire);
	return st;
}

int soft_write(void *o, struct sdxie_as as, uint64_t addr, const void *buf, uint64_t len)
{
	struct soft_dev *sd = o;
	uint64_t n = len;
	enum reach r = xlate(sd, as, addr, &n, true);

	if (r == REACH_NONE || n < len)
		return SDXIE_MEM_XLATE;
	atomic_thread_fence(memory_order_release);
	if (r == REACH_REMOTE)
		return soft_remote_access(sd, soft_import_of(sd, as.pasid), addr, (void *)buf, len,
					  true);
	if (r == REACH_USER)
		return user_copy(sd, addr, (void *)buf, len, true);
	memcpy(ptr_of(addr), buf, len);
	return SDXIE_MEM_OK;
}

/*
 * Direct access for library memory only; for application memory the
 * engine falls back to soft_read()/soft_write() (NULL with status OK).
 */
void *soft_map_host(void *o, struct sdxie_as as, uint64_t addr, uint64_t *len, bool is_write,
		    int *status)
{
	enum reach r = xlate(o, as, addr, len, is_write);

	*status = r == REACH_NONE ? SDXIE_MEM_XLATE : SDXIE_MEM_OK;
	return r == REACH_LIBRARY ? ptr_of(addr) : NULL;
}

void soft_unmap_host(void *o, void *host, uint64_t len, bool is_write)
{
	(void)o, (void)host, (void)len, (void)is_write;
}

bool soft_pasid_usable(void *o, uint32_t pasid)
{
	return pasid_cxt(o, pasid) != NULL || soft_import_of(o, pasid) != NULL;
}

/*
 * Is [va, va + len) private to the function: its arena or the regions of
 * a context?  On the real device those are kernel memory or device
 * mappings, which cannot be pinned, so registering them fails (EFAULT).
 */
static bool private_overlap(struct soft_dev *sd, uint64_t va, uint64_t len)
{
	uint64_t a = addr_of(sd->arena);

	if (va < a + SOFT_ARENA_SIZE && a < va + len)
		return true;
	for (uint32_t id = 1; id <= SOFT_MAX_CXT; id++) {
		const struct soft_cxt *sc = &sd->cxt[id];

		if (!sc->used)
			continue;
		for (unsigned int k = 0; k < ARRAY_SIZE(sc->own); k++)
			if (va < sc->own[k].end && sc->own[k].start < va + len)
				return true;
	}
	return false;
}

/*
 * What pinning would check: [va, va + len) is mapped, readable, and
 * writable when @access asks for WRITE.  0 or -EFAULT.
 */
static int check_mapped(uint64_t va, uint64_t len, unsigned int access)
{
	int fd = vma_open();
	uint64_t at = va, end = va + len;
	struct vma v;

	while (at < end && !vma_find(fd, at, &v)) {
		if (!v.read || ((access & SDXI_MEM_WRITE) && !v.write))
			break;
		at = v.end;
	}
	if (fd >= 0)
		close(fd);
	return at >= end ? 0 : -EFAULT;
}

int soft_map(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len,
	     unsigned int access, uint64_t *iova)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;
	long i;
	int ret;

	if (!len || (va | len) % SOFT_PAGE || va + len < va || !access ||
	    (access & ~(SDXI_MEM_READ | SDXI_MEM_WRITE)))
		return -EINVAL;
	ret = check_mapped(va, len, access);
	if (ret)
		return ret;
	ctl_lock(sd);
	i = map_find(sc, va + len - 1);
	if (private_overlap(sd, va, len)) {
		ret = -EFAULT;
	} else if (i >= 0 && sc->maps[i].end > va) {
		ret = -EEXIST;
	} else if (sc->nmaps == sc->cap) {
		struct soft_map *m = realloc(sc->maps, (sc->cap ? sc->cap * 2 : 16) * sizeof(*m));

		if (m) {
			sc->maps = m;
			sc->cap = sc->cap ? sc->cap * 2 : 16;
		} else {
			ret = -ENOMEM;
		}
	}
	if (!ret) {
		i++;
		memmove(&sc->maps[i + 1], &sc->maps[i], (sc->nmaps - (size_t)i) * sizeof(*sc->maps));
		sc->maps[i] = (struct soft_map){ va, va + len, access };
		sc->nmaps++;
		*iova = va;
	}
	ctl_unlock(sd);
	return ret;
}

/*
 * Exact unmap.  After the lock is released the engine can no longer reach
 * the range (every access is translated under the lock), like the kernel's
 * IOTLB flush before unpinning.
 */
int soft_unmap(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;
	int ret = -ENOENT;
	long i;

	ctl_lock(sd);
	i = map_find(sc, va);
	if (i >= 0 && sc->maps[i].start == va && sc->maps[i].end == va + len) {
		memmove(&sc->maps[i], &sc->maps[i + 1],
			(sc->nmaps - (size_t)i - 1) * sizeof(*sc->maps));
		sc->nmaps--;
		ret = 0;
	}
	ctl_unlock(sd);
	return ret;
}
