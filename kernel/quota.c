// SPDX-License-Identifier: GPL-2.0
/*
 * Limits of /dev/sdxiN users (Documentation/uapi.rst "Security model",
 * Documentation/driver.rst "Module parameters").
 *
 * Every open file has an account, and so has every user (real uid of the
 * opener) per function: the contexts, interrupt vectors, pinned bytes and
 * imported dma-buf bytes charged to it.  A charge is taken before anything
 * is allocated for it and checked against both the file's and the user's
 * limit (-EDQUOT); contexts are also bounded by what the function offers
 * user space once the kernel's own channels have theirs (-ENOSPC).  Pinned
 * bytes are charged to the opener's RLIMIT_MEMLOCK as well (-ENOMEM),
 * unless it has CAP_IPC_LOCK, like RDMA.  Contexts hold references on the
 * accounts they were charged to and give the charges back when the
 * function no longer reaches their memory (sdxi_uctx_release()).
 *
 * The limits are module parameters, adjustable at run time by root in
 * /sys/module/sdxi/parameters/; a change applies to later charges.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "compat.h"
#include "sdxi.h"
#include "quota.h"

static unsigned int max_contexts_per_file = 32;
module_param(max_contexts_per_file, uint, 0644);
MODULE_PARM_DESC(max_contexts_per_file, "user contexts one open file may hold (default 32)");

static unsigned int max_contexts_per_user = 64;
module_param(max_contexts_per_user, uint, 0644);
MODULE_PARM_DESC(max_contexts_per_user, "user contexts one user (uid) may hold per function (default 64)");

static unsigned int max_vectors_per_file = 16;
module_param(max_vectors_per_file, uint, 0644);
MODULE_PARM_DESC(max_vectors_per_file, "interrupt vectors (SDXI_CTX_F_INTERRUPT contexts) per open file (default 16)");

static unsigned int max_vectors_per_user = 32;
module_param(max_vectors_per_user, uint, 0644);
MODULE_PARM_DESC(max_vectors_per_user, "interrupt vectors per user (uid) and function (default 32)");

static unsigned long max_pinned_mb_per_file = 1024;
module_param(max_pinned_mb_per_file, ulong, 0644);
MODULE_PARM_DESC(max_pinned_mb_per_file, "MiB MAP_MEM may pin per open file (default 1024)");

static unsigned long max_pinned_mb_per_user = 2048;
module_param(max_pinned_mb_per_user, ulong, 0644);
MODULE_PARM_DESC(max_pinned_mb_per_user, "MiB MAP_MEM may pin per user (uid) and function (default 2048)");

static unsigned long max_imported_mb_per_file = 1024;
module_param(max_imported_mb_per_file, ulong, 0644);
MODULE_PARM_DESC(max_imported_mb_per_file, "MiB of dma-buf MAP_DMABUF may import per open file (default 1024)");

static unsigned long max_imported_mb_per_user = 2048;
module_param(max_imported_mb_per_user, ulong, 0644);
MODULE_PARM_DESC(max_imported_mb_per_user, "MiB of dma-buf MAP_DMABUF may import per user (uid) and function (default 2048)");

static unsigned long max_user_buffer_mb;
module_param(max_user_buffer_mb, ulong, 0644);
MODULE_PARM_DESC(max_user_buffer_mb, "largest transfer of one user descriptor in MiB, rounded down to a power of two, at least 2; 0: the function's (default)");

/* MiB to bytes, saturating. */
static u64 sdxi_mib(unsigned long mb)
{
	return mb > (U64_MAX >> 20) ? U64_MAX : (u64)mb << 20;
}

static u64 sdxi_quota_limit(enum sdxi_ures r, bool user)
{
	switch (r) {
	case SDXI_URES_CONTEXTS:
		return user ? READ_ONCE(max_contexts_per_user) :
			      READ_ONCE(max_contexts_per_file);
	case SDXI_URES_VECTORS:
		return user ? READ_ONCE(max_vectors_per_user) :
			      READ_ONCE(max_vectors_per_file);
	case SDXI_URES_PINNED:
		return sdxi_mib(user ? READ_ONCE(max_pinned_mb_per_user) :
				       READ_ONCE(max_pinned_mb_per_file));
	case SDXI_URES_IMPORTED:
		return sdxi_mib(user ? READ_ONCE(max_imported_mb_per_user) :
				       READ_ONCE(max_imported_mb_per_file));
	default:
		return 0;
	}
}

/* @use + @n within @limit, without overflow. */
static bool sdxi_quota_fits(u64 use, u64 n, u64 limit)
{
	return use <= limit && n <= limit - use;
}

/**
 * sdxi_user_max_buffer() - largest transfer of one user descriptor
 *
 * The function already bounds how long user work delays the admin
 * context (hardware.rst "Arbitration"); this lets root bound one
 * descriptor's work further on a function that does not.
 *
 * Return: bytes (the context layer rounds down to what the L1 entry can
 * express and caps at the function's maximum), or 0 for the function's.
 */
u64 sdxi_user_max_buffer(void)
{
	unsigned long mb = READ_ONCE(max_user_buffer_mb);

	return mb ? max_t(u64, sdxi_mib(mb), SZ_2M) : 0;
}

/**
 * sdxi_user_contexts_max() - user contexts the function offers in total
 * @ud: device; its function is present
 *
 * Return: the function's client contexts less those kept for the kernel.
 */
unsigned int sdxi_user_contexts_max(struct sdxi_udev *ud)
{
	struct sdxi_fn *sdxi = ud->sdxi;

	return sdxi->max_cxt > sdxi->kernel_cxts ?
	       sdxi->max_cxt - sdxi->kernel_cxts : 0;
}

/**
 * sdxi_user_contexts_free() - contexts a file could create now
 * @uf: file; its function is present
 *
 * Return: the smallest of what the function, the file's and its user's
 * limits leave.
 */
unsigned int sdxi_user_contexts_free(struct sdxi_ufile *uf)
{
	struct sdxi_udev *ud = uf->udev;
	u64 f = sdxi_quota_limit(SDXI_URES_CONTEXTS, false);
	u64 u = sdxi_quota_limit(SDXI_URES_CONTEXTS, true);
	u64 dev = sdxi_user_contexts_max(ud);

	spin_lock(&ud->acct_lock);
	f -= min(f, uf->facct->use[SDXI_URES_CONTEXTS]);
	u -= min(u, uf->uacct->use[SDXI_URES_CONTEXTS]);
	dev -= min(dev, ud->use[SDXI_URES_CONTEXTS]);
	spin_unlock(&ud->acct_lock);
	return min3(f, u, dev);
}

/**
 * sdxi_user_charge() - charge @n of resource @r to a file and its user
 * @ud: device; for contexts its function is present
 * @facct: the file's account
 * @uacct: the user's account
 * @r: resource
 * @n: amount
 *
 * Return: 0; -EDQUOT when the file's or the user's limit would be
 * exceeded; -ENOSPC when the function has no more contexts for users.
 */
int sdxi_user_charge(struct sdxi_udev *ud, struct sdxi_uacct *facct,
		     struct sdxi_uacct *uacct, enum sdxi_ures r, u64 n)
{
	u64 flimit = sdxi_quota_limit(r, false), ulimit = sdxi_quota_limit(r, true);
	u64 dlimit = r == SDXI_URES_CONTEXTS ? sdxi_user_contexts_max(ud) : U64_MAX;
	int err = 0;

	spin_lock(&ud->acct_lock);
	if (!sdxi_quota_fits(facct->use[r], n, flimit) ||
	    !sdxi_quota_fits(uacct->use[r], n, ulimit)) {
		err = -EDQUOT;
	} else if (!sdxi_quota_fits(ud->use[r], n, dlimit)) {
		err = -ENOSPC;
	} else {
		facct->use[r] += n;
		uacct->use[r] += n;
		ud->use[r] += n;
	}
	spin_unlock(&ud->acct_lock);
	return err;
}

/**
 * sdxi_user_uncharge() - give back what sdxi_user_charge() took
 * @ud: device
 * @facct: the file's account
 * @uacct: the user's account
 * @r: resource
 * @n: amount
 */
void sdxi_user_uncharge(struct sdxi_udev *ud, struct sdxi_uacct *facct,
			struct sdxi_uacct *uacct, enum sdxi_ures r, u64 n)
{
	spin_lock(&ud->acct_lock);
	if (!WARN_ON_ONCE(facct->use[r] < n || uacct->use[r] < n ||
			  ud->use[r] < n)) {
		facct->use[r] -= n;
		uacct->use[r] -= n;
		ud->use[r] -= n;
	}
	spin_unlock(&ud->acct_lock);
}

/**
 * sdxi_user_charge_pinned() - charge pages about to be pinned
 * @ud: device
 * @mm: the opener's address space (current's)
 * @facct: the file's account
 * @uacct: the user's account
 * @bytes: page-aligned length
 *
 * RLIMIT_MEMLOCK (the mm's pinned_vm, as RDMA does; CAP_IPC_LOCK is
 * exempt) and the device's per-file and per-user limits.
 *
 * Return: 0, -ENOMEM (RLIMIT_MEMLOCK) or -EDQUOT.
 */
int sdxi_user_charge_pinned(struct sdxi_udev *ud, struct mm_struct *mm,
			    struct sdxi_uacct *facct, struct sdxi_uacct *uacct,
			u64 bytes)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	u64 n = bytes >> PAGE_SHIFT;
	int err;

	if (atomic64_add_return(n, &mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK)) {
		atomic64_sub(n, &mm->pinned_vm);
		return -ENOMEM;
	}
	err = sdxi_user_charge(ud, facct, uacct, SDXI_URES_PINNED, bytes);
	if (err)
		atomic64_sub(n, &mm->pinned_vm);
	return err;
}

/**
 * sdxi_user_uncharge_pinned() - give back what sdxi_user_charge_pinned() took
 * @ud: device
 * @mm: the address space that was charged
 * @facct: the file's account
 * @uacct: the user's account
 * @bytes: page-aligned length
 */
void sdxi_user_uncharge_pinned(struct sdxi_udev *ud, struct mm_struct *mm,
			       struct sdxi_uacct *facct, struct sdxi_uacct *uacct,
			   u64 bytes)
{
	atomic64_sub(bytes >> PAGE_SHIFT, &mm->pinned_vm);
	sdxi_user_uncharge(ud, facct, uacct, SDXI_URES_PINNED, bytes);
}

/**
 * sdxi_uacct_file_new() - the account of a new open file
 *
 * Return: the account (one reference), or NULL.
 */
struct sdxi_uacct *sdxi_uacct_file_new(void)
{
	struct sdxi_uacct *a = kzalloc_obj(*a, GFP_KERNEL_ACCOUNT);

	if (a)
		refcount_set(&a->ref, 1);
	return a;
}

/**
 * sdxi_uacct_user_get() - the account of a user on a function
 * @ud: device
 * @uid: the user
 *
 * Return: the account with a new reference (created on first use), or NULL.
 */
struct sdxi_uacct *sdxi_uacct_user_get(struct sdxi_udev *ud, kuid_t uid)
{
	struct sdxi_uacct *a, *new = sdxi_uacct_file_new();
	u32 key = __kuid_val(uid);
	int err;

	if (!new)
		return NULL;
	new->uid = uid;
	new->user = true;
	xa_lock(&ud->users);
	for (;;) {
		/* Put drops the last reference under the lock, so a is live. */
		a = xa_load(&ud->users, key);
		if (a) {
			refcount_inc(&a->ref);
			break;
		}
		err = __xa_insert(&ud->users, key, new, GFP_KERNEL_ACCOUNT);
		if (!err) {
			a = new;
			new = NULL;
			break;
		}
		if (err != -EBUSY)
			break;
	}
	xa_unlock(&ud->users);
	kfree(new);
	return a;
}

/**
 * sdxi_uacct_hold() - take another reference on an account
 * @a: account
 *
 * Return: @a.
 */
struct sdxi_uacct *sdxi_uacct_hold(struct sdxi_uacct *a)
{
	refcount_inc(&a->ref);
	return a;
}

/**
 * sdxi_uacct_put() - drop a reference on an account
 * @ud: its device
 * @a: account, or NULL
 */
void sdxi_uacct_put(struct sdxi_udev *ud, struct sdxi_uacct *a)
{
	if (!a)
		return;
	if (!a->user) {
		if (refcount_dec_and_test(&a->ref))
			kfree(a);
		return;
	}
	xa_lock(&ud->users);
	if (!refcount_dec_and_test(&a->ref)) {
		xa_unlock(&ud->users);
		return;
	}
	__xa_erase(&ud->users, __kuid_val(a->uid));
	xa_unlock(&ud->users);
	kfree(a);
}

/* debugfs "users": one line per user holding anything on the function. */
static int sdxi_quota_users_show(struct seq_file *s, void *unused)
{
	struct sdxi_udev *ud = s->private;
	struct sdxi_uacct *a;
	unsigned long key;

	xa_lock(&ud->users);
	xa_for_each(&ud->users, key, a) {
		u64 use[SDXI_URES_NR];

		scoped_guard(spinlock, &ud->acct_lock)
			memcpy(use, a->use, sizeof(use));
		seq_printf(s, "uid=%u contexts=%llu vectors=%llu pinned_bytes=%llu imported_bytes=%llu\n",
			   from_kuid_munged(&init_user_ns, a->uid),
			   use[SDXI_URES_CONTEXTS], use[SDXI_URES_VECTORS],
			   use[SDXI_URES_PINNED], use[SDXI_URES_IMPORTED]);
	}
	xa_unlock(&ud->users);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sdxi_quota_users);

/**
 * sdxi_quota_debugfs() - add the per-user file to the device's debugfs
 * @ud: device, with its debugfs directory
 */
void sdxi_quota_debugfs(struct sdxi_udev *ud)
{
	debugfs_create_file("users", 0444, ud->debugfs, ud,
			    &sdxi_quota_users_fops);
}
