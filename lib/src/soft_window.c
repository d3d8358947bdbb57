// SPDX-License-Identifier: MIT
/*
 * The software device's windows between processes (Documentation/
 * library.rst, "Windows between processes", "On the software device").
 *
 * A window is a sealed memfd of one page (struct soft_win_page), mapped
 * shared by the exporter and by every importer: the exporter's process
 * (pid and start time, so that a reused pid is not taken for it), the
 * range and rights, a revoked flag the exporter sets, and a table of
 * importers, each with a busy flag it holds around every access to the
 * exporter's memory.  Its descriptor is what the exporter passes on.
 *
 * An import takes a free PASID of the device's window range and an AKey
 * entry (pv = 1, that PASID) of the importing context; the engine
 * resolves each address through its own AKey, and the IOMMU
 * (soft_iommu.c) translates a window PASID to exactly the window's range
 * with its rights and moves the bytes with process_vm_readv()/writev()
 * on the exporter.  Before each engine run, imports whose window was
 * revoked or whose exporter exited (its pidfd) lose their AKey entry, so
 * later descriptors fail at the AKey as on the kernel's device; an access
 * that finds the window revoked during a run fails as a translation.
 *
 * Revocation is synchronous: the exporter sets the flag (sequentially
 * consistent), then waits until no live importer is busy.  An importer
 * sets busy (sequentially consistent), then reads the flag; so either it
 * sees the flag and does not access, or the exporter sees it busy and
 * waits for the access to end.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "soft.h"

#define WIN_PAGE_MAGIC		0x57584453u	/* "SDXW" */
#define WIN_PAGE_VERSION	1
#define WIN_IMPORTERS		64
#define WIN_SEALS		(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

struct soft_win_page {
	uint32_t magic;
	uint32_t version;
	int32_t pid;			/* the exporter */
	uint32_t rights;		/* SDXI_MEM_* */
	uint64_t starttime;		/* the exporter's, /proc/PID/stat field 22 */
	uint64_t self;			/* this page's address in the exporter */
	uint64_t base;
	uint64_t length;
	_Atomic uint32_t revoked;
	uint32_t pad;
	struct {
		_Atomic int32_t pid;	/* 0: free */
		_Atomic uint32_t busy;
	} imp[WIN_IMPORTERS];
};

_Static_assert(sizeof(struct soft_win_page) <= SOFT_PAGE, "window page");

/* Start time of process @pid (clock ticks since boot), 0 if unknown. */
static uint64_t proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* After the command name, which may hold spaces: field 3 on. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
				 "%*d %*d %*d %llu", &t) != 1)
		return 0;
	return t;
}

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

static bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

int soft_win_export(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w)
{
	struct soft_win_page *pg;
	int fd;

	(void)dev, (void)hw;
	fd = memfd_create("sdxi-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, SOFT_PAGE)) {
		close(fd);
		return -ENOMEM;
	}
	pg = mmap(NULL, SOFT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pg == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}
	pg->version = WIN_PAGE_VERSION;
	pg->pid = (int32_t)getpid();
	pg->rights = w->rights;
	pg->starttime = proc_starttime(getpid());
	pg->self = addr_of(pg);
	pg->base = w->va;
	pg->length = w->len;
	__atomic_store_n(&pg->magic, WIN_PAGE_MAGIC, __ATOMIC_RELEASE);
	if (fcntl(fd, F_ADD_SEALS, WIN_SEALS)) {
		munmap(pg, SOFT_PAGE);
		close(fd);
		return -errno;
	}
	w->fd = fd;
	w->id = 0;
	w->priv = pg;
	return 0;
}

int soft_win_revoke(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w)
{
	struct soft_win_page *pg = w->priv;

	(void)dev, (void)hw;
	if (!pg)
		return 0;
	atomic_store(&pg->revoked, 1);
	/* Wait for the accesses in flight of importers that are alive. */
	for (unsigned int i = 0; i < WIN_IMPORTERS; i++) {
		while (atomic_load(&pg->imp[i].busy)) {
			pid_t pid = atomic_load(&pg->imp[i].pid);

			if (!pid || !pid_alive(pid))
				break;
			sched_yield();
		}
	}
	munmap(pg, SOFT_PAGE);
	close(w->fd);
	w->fd = -1;
	w->priv = NULL;
	return 0;
}

struct soft_import *soft_import_of(struct soft_dev *sd, uint32_t pasid)
{
	uint32_t i = pasid - SOFT_WIN_PASID_BASE;

	if (pasid < SOFT_WIN_PASID_BASE || i >= SOFT_MAX_IMPORTS || !sd->imp[i].used)
		return NULL;
	return &sd->imp[i];
}

/* Make import @im's AKey entry invalid (under sd->lock). */
static void import_kill(struct soft_dev *sd, struct soft_import *im)
{
	struct sdxi_akey_ent *ak = &sd->akey[im->cxt_id][im->akey];

	im->dead = true;
	__atomic_store_n(&ak->intr, 0, __ATOMIC_RELEASE);
	memset(ak, 0, sizeof(*ak));
}

static bool import_revoked(struct soft_import *im)
{
	return atomic_load(&im->page->revoked) || !pidfd_alive(im->pidfd);
}

void soft_win_sweep(struct soft_dev *sd)
{
	for (uint32_t i = 0; i < SOFT_MAX_IMPORTS; i++) {
		struct soft_import *im = &sd->imp[i];

		if (im->used && !im->dead && import_revoked(im))
			import_kill(sd, im);
	}
}

/*
 * Move @len bytes between @buf and the exporter's memory at @addr (inside
 * the window: soft_iommu.c checked).  SDXIE_MEM_OK, or SDXIE_MEM_XLATE
 * when the window was revoked, the exporter is gone or the page is not
 * mapped (any more).  A read is checked again after the copy: bytes read
 * from a process that has died may come from another one that reused its
 * pid.
 */
int soft_remote_access(struct soft_dev *sd, struct soft_import *im, uint64_t addr, void *buf,
		       uint64_t len, bool write)
{
	struct iovec local = { buf, len }, remote = { ptr_of(addr), len };
	_Atomic uint32_t *busy = &im->page->imp[im->slot].busy;
	ssize_t n = -1;

	atomic_store(busy, 1);
	if (!import_revoked(im)) {
		if (write)
			n = process_vm_writev(im->pid, &local, 1, &remote, 1, 0);
		else
			n = process_vm_readv(im->pid, &local, 1, &remote, 1, 0);
		if (!write && !pidfd_alive(im->pidfd))
			n = -1;
	}
	atomic_store(busy, 0);
	if (n < 0 && import_revoked(im))
		import_kill(sd, im);
	return n == (ssize_t)len ? SDXIE_MEM_OK : SDXIE_MEM_XLATE;
}

/* Check @fd is a window page and map it.  NULL with *err set if not. */
static struct soft_win_page *page_open(int fd, int *err)
{
	struct soft_win_page *pg;
	struct stat st;
	int seals;

	if (fstat(fd, &st)) {
		*err = -errno;
		return NULL;
	}
	*err = -EINVAL;
	if (!S_ISREG(st.st_mode) || st.st_size != SOFT_PAGE)
		return NULL;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & WIN_SEALS) != WIN_SEALS)
		return NULL;
	pg = mmap(NULL, SOFT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pg == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	if (__atomic_load_n(&pg->magic, __ATOMIC_ACQUIRE) != WIN_PAGE_MAGIC ||
	    pg->version != WIN_PAGE_VERSION || pg->pid <= 0 || !pg->length ||
	    pg->base + pg->length < pg->base || !pg->rights ||
	    (pg->rights & ~(SDXI_MEM_READ | SDXI_MEM_WRITE))) {
		munmap(pg, SOFT_PAGE);
		return NULL;
	}
	return pg;
}

/*
 * Reach the exporter: a pidfd on the process the page names, checked to
 * be the one that exported (start time), and a read of the page's magic
 * through process_vm_readv(), which is what the engine will use.
 */
static int exporter_open(const struct soft_win_page *pg, int *pidfd)
{
	struct iovec local, remote = { ptr_of(pg->self), sizeof(uint32_t) };
	uint32_t magic = 0;
	int fd = (int)syscall(SYS_pidfd_open, pg->pid, 0);

	if (fd < 0)
		return errno == ESRCH ? -EKEYREVOKED : -errno;
	local = (struct iovec){ &magic, sizeof(magic) };
	if (proc_starttime(pg->pid) != pg->starttime) {
		close(fd);
		return -EKEYREVOKED;
	}
	if (process_vm_readv(pg->pid, &local, 1, &remote, 1, 0) != sizeof(magic)) {
		int err = errno == ESRCH ? -EKEYREVOKED : errno == EPERM ? -EPERM : -EINVAL;

		close(fd);
		return err;
	}
	if (magic != WIN_PAGE_MAGIC || !pidfd_alive(fd)) {
		close(fd);
		return -EKEYREVOKED;
	}
	*pidfd = fd;
	return 0;
}

/* A free importer entry of @pg (one whose process died is free too). */
static int slot_claim(struct soft_win_page *pg)
{
	int32_t me = (int32_t)getpid();

	for (unsigned int i = 0; i < WIN_IMPORTERS; i++) {
		int32_t old = atomic_load(&pg->imp[i].pid);

		if (old && pid_alive(old))
			continue;
		if (atomic_compare_exchange_strong(&pg->imp[i].pid, &old, me)) {
			atomic_store(&pg->imp[i].busy, 0);
			return (int)i;
		}
	}
	return -ENOSPC;
}

static int akey_free(struct soft_dev *sd, uint32_t id)
{
	struct sdxi_akey_ent *ak = sd->akey[id];

	for (unsigned int k = SOFT_WIN_AKEY_FIRST; k < SOFT_AKEY_BYTES / sizeof(*ak); k++) {
		bool taken = false;

		if (le16toh(ak[k].intr) & SDXI_AKEY_VL)
			continue;
		/* Dead imports keep their index until they are closed. */
		for (uint32_t i = 0; i < SOFT_MAX_IMPORTS; i++)
			taken |= sd->imp[i].used && sd->imp[i].cxt_id == id && sd->imp[i].akey == k;
		if (!taken)
			return (int)k;
	}
	return -ENOSPC;
}

int soft_win_import(struct sdxi_dev *dev, struct sdxi_hwctx *hw, int fd, struct sdxi_remote *r)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;
	struct soft_import *im = NULL;
	struct soft_win_page *pg;
	int ret, pidfd = -1, slot, key;

	pg = page_open(fd, &ret);
	if (!pg)
		return ret;
	ret = -EKEYREVOKED;
	if (atomic_load(&pg->revoked))
		goto fail;
	ret = exporter_open(pg, &pidfd);
	if (ret)
		goto fail;
	slot = slot_claim(pg);
	ret = slot;
	if (slot < 0)
		goto fail;
	ctl_lock(sd);
	for (uint32_t i = 0; i < SOFT_MAX_IMPORTS && !im; i++)
		if (!sd->imp[i].used)
			im = &sd->imp[i];
	key = im ? akey_free(sd, sc->id) : -ENOSPC;
	if (key < 0) {
		ctl_unlock(sd);
		atomic_store(&pg->imp[slot].pid, 0);
		ret = key;
		goto fail;
	}
	*im = (struct soft_import){
		.used = true, .cxt_id = sc->id, .akey = (uint16_t)key, .slot = (uint32_t)slot,
		.page = pg, .pidfd = pidfd, .pid = pg->pid, .base = pg->base,
		.length = pg->length, .rights = pg->rights,
	};
	sd->nimports++;
	{
		struct sdxi_akey_ent *ak = &sd->akey[sc->id][key];
		uint32_t pasid = SOFT_WIN_PASID_BASE + (uint32_t)(im - sd->imp);

		memset(ak, 0, sizeof(*ak));
		ak->pasid = htole32(pasid);
		__atomic_store_n(&ak->intr, htole16(SDXI_AKEY_VL | SDXI_AKEY_PV), __ATOMIC_RELEASE);
	}
	ctl_unlock(sd);
	r->base = im->base;
	r->length = im->length;
	r->rights = im->rights;
	r->akey = im->akey;
	r->priv = im;
	return 0;
fail:
	if (pidfd >= 0)
		close(pidfd);
	munmap(pg, SOFT_PAGE);
	return ret;
}

void soft_win_unimport(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_remote *r)
{
	struct soft_dev *sd = dev->priv;
	struct soft_import *im = r->priv;
	struct soft_win_page *pg;
	int pidfd;

	(void)hw;
	ctl_lock(sd);
	/* Under the lock: no engine access is in flight, none starts after. */
	if (!im->dead)
		import_kill(sd, im);
	pg = im->page;
	pidfd = im->pidfd;
	atomic_store(&pg->imp[im->slot].pid, 0);
	memset(im, 0, sizeof(*im));
	sd->nimports--;
	ctl_unlock(sd);
	close(pidfd);
	munmap(pg, SOFT_PAGE);
}
