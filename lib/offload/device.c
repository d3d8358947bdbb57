// SPDX-License-Identifier: MIT
/*
 * The device path: the device opened on the first call that may use it,
 * its threshold (measured, or the environment's), contexts (a pool of
 * four by default, or one per thread, created on the thread's first
 * offloaded call) and the synchronous copy and fill.
 *
 * Every call here runs under the guard: libsdxi's own memcpy() calls,
 * and libc's (malloc, stdio for /proc/self/maps), take the CPU path.
 *
 * Registration: each call registers its source and destination with the
 * context and unregisters them before it returns, instead of leaving
 * them in libsdxi's registration cache.  A kernel device pins registered
 * pages, and the program frees and unmaps memory through libc's internal
 * calls (free() -> munmap(), madvise()), which no interposer sees: a
 * cached registration would keep the old pages and the device would
 * copy from and to memory the program no longer has.  A call holds its
 * pages only while the program is inside memcpy(), where they cannot be
 * freed.  The cost of that is part of what the threshold measures.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sdxi.h>

#include "offload.h"

enum oflo_dev_state { DEV_UNOPENED, DEV_READY, DEV_CPU, DEV_NONE, DEV_FAILED, DEV_REMOVED };

#define POOL_SIZE	4
/* Consecutive device failures after which the device is dropped. */
#define MAX_ERRORS	8

static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sdxi_dev *dev;
static int dev_state;
static unsigned int contexts, errors_in_row;
static struct sdxi_dev_info info;
static uint64_t cpu_bps, dev_bps, dev_fixed_ns;
static pthread_key_t ctx_key;
static int key_ok;

static struct pool_slot {
	pthread_mutex_t lock;
	struct sdxi_ctx *ctx;
} pool[POOL_SIZE] = {
	[0 ... POOL_SIZE - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER },
};

extern uint64_t oflo_below[OFLO_NFN] OFLO_HIDDEN;

/*
 * Publish the threshold: @min for the statistics' accounting, and to the
 * fast path when @on (0 with statistics: every call is counted).
 */
static void set_min(uint64_t min, int on)
{
	__atomic_store_n(&oflo_min, min, __ATOMIC_RELAXED);
	for (int i = 0; i < OFLO_NFN; i++) {
		uint64_t below = on && (oflo_cfg.fns & (1u << i)) ? min : UINT64_MAX;

		__atomic_store_n(&oflo_below[i], oflo_cfg.stats ? 0 : below, __ATOMIC_RELAXED);
	}
}

/* The thread's context dies with it (the main thread's with the process). */
static void thread_exit(void *ctx)
{
	oflo_guard_enter();
	oflo_self.exited = 1;
	if (oflo_self.gen == __atomic_load_n(&oflo_generation, __ATOMIC_ACQUIRE) &&
	    oflo_self.ctx == ctx)
		sdxi_ctx_destroy(ctx);
	oflo_self.ctx = NULL;
	oflo_guard_exit();
}

/* The last error of a context creation, for the statistics. */
static int create_err;

static struct sdxi_ctx *new_ctx(void)
{
	struct sdxi_ctx_opts o = { .flags = SDXI_CTX_NO_CACHE };
	struct sdxi_policy always = { .offload_min = 0 };
	struct sdxi_ctx *ctx;
	int ret;

	ret = sdxi_ctx_create(dev, &o, &ctx);
	if (ret) {
		__atomic_store_n(&create_err, ret, __ATOMIC_RELAXED);
		return NULL;
	}
	/* The interposer decides; libsdxi must never call memcpy() for it. */
	ret = sdxi_ctx_set_policy(ctx, &always);
	if (ret) {
		__atomic_store_n(&create_err, ret, __ATOMIC_RELAXED);
		sdxi_ctx_destroy(ctx);
		return NULL;
	}
	__atomic_add_fetch(&contexts, 1, __ATOMIC_RELAXED);
	return ctx;
}

/* The calling thread's context (per-thread mode), created on first use. */
static struct sdxi_ctx *thread_ctx(void)
{
	if (oflo_self.ctx && oflo_self.gen == __atomic_load_n(&oflo_generation, __ATOMIC_ACQUIRE))
		return oflo_self.ctx;
	oflo_self.ctx = new_ctx();
	oflo_self.gen = oflo_generation;
	if (oflo_self.ctx && key_ok)
		pthread_setspecific(ctx_key, oflo_self.ctx);
	return oflo_self.ctx;
}

/*
 * A free context of the pool (created on first use), locked; NULL with
 * *busy set when all are busy.
 */
static struct pool_slot *pool_get(int *busy)
{
	*busy = 0;
	for (int i = 0; i < POOL_SIZE; i++) {
		struct pool_slot *p = &pool[i];

		if (pthread_mutex_trylock(&p->lock))
			continue;
		if (!p->ctx)
			p->ctx = new_ctx();
		if (p->ctx)
			return p;
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	*busy = 1;
	return NULL;
}

static uint64_t time_call(struct sdxi_ctx *ctx, void *dst, void *src, size_t n, int on_dev)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t t0 = oflo_now_ns(), t;
		int ret = 0;

		if (on_dev) {
			ret = sdxi_mem_register(ctx, src, n, SDXI_MEM_READ);
			if (!ret && !(ret = sdxi_mem_register(ctx, dst, n, SDXI_MEM_WRITE))) {
				ret = sdxi_memcpy(ctx, dst, src, n);
				sdxi_mem_unregister(ctx, dst, n);
			}
			sdxi_mem_unregister(ctx, src, n);
		} else {
			oflo_cpu.memcpy(dst, src, n);
		}
		t = oflo_now_ns() - t0;
		if (ret)
			return UINT64_MAX;
		if (t < best)
			best = t;
	}
	return best ? best : 1;
}

/*
 * SDXI_OFFLOAD_MIN=auto: where a call on the device (registration, copy,
 * wait, release) becomes faster than glibc's memcpy() on this CPU, from
 * the best of three of each at 64 KiB and 1 MiB.  The software device (a
 * thread of this machine that copies through the kernel) is measured for
 * the report but never chosen: libsdxi's own policy for it.
 */
static uint64_t calibrate(struct sdxi_ctx *ctx)
{
	const size_t n1 = 64 << 10, n2 = 1 << 20;
	uint64_t d1, d2, c2, min;
	char *a, *b;

	/*
	 * mmap(), not malloc(): freeing a large malloc() block raises glibc's
	 * mmap threshold, which would change where the program's own buffers
	 * go.
	 */
	a = mmap(NULL, 2 * n2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return UINT64_MAX;
	b = a + n2;
	oflo_cpu.memset(a, 0x5a, n2);
	oflo_cpu.memset(b, 0, n2);
	c2 = time_call(ctx, b, a, n2, 0);
	d1 = time_call(ctx, b, a, n1, 1);
	d2 = time_call(ctx, b, a, n2, 1);
	munmap(a, 2 * n2);
	cpu_bps = n2 * 1000000000ULL / c2;
	if (d1 == UINT64_MAX || d2 == UINT64_MAX || d2 <= d1)
		return UINT64_MAX;
	/* device: fixed + n / dev_bps; CPU: n / cpu_bps; they cross at min. */
	dev_bps = (n2 - n1) * 1000000000ULL / (d2 - d1);
	dev_fixed_ns = d1 > n1 * 1000000000ULL / dev_bps ? d1 - n1 * 1000000000ULL / dev_bps : 0;
	if ((info.flags & SDXI_DEV_SOFT) || d2 >= c2 || dev_bps <= cpu_bps)
		return UINT64_MAX;
	min = (uint64_t)((double)dev_fixed_ns / (1e9 / (double)cpu_bps - 1e9 / (double)dev_bps));
	if (min < 4096)
		min = 4096;
	return min > (1ULL << 62) ? UINT64_MAX : 1ULL << (64 - __builtin_clzll(min - 1));
}

/* Open the device and decide the threshold; under dev_lock. */
static void open_locked(void)
{
	struct sdxi_ctx *ctx;
	uint64_t min = oflo_cfg.min;

	if (sdxi_dev_open(oflo_cfg.device, &dev) || sdxi_dev_info(dev, &info)) {
		__atomic_store_n(&dev_state, DEV_NONE, __ATOMIC_RELEASE);
		set_min(oflo_cfg.auto_min ? UINT64_MAX : oflo_cfg.min, 0);
		return;
	}
	if (oflo_cfg.auto_min || oflo_cfg.split == OFLO_SPLIT_MEASURED) {
		/* The figures are needed by auto and by splitting. */
		uint64_t measured;

		ctx = new_ctx();
		measured = ctx ? calibrate(ctx) : UINT64_MAX;
		if (ctx) {
			sdxi_ctx_destroy(ctx);
			__atomic_sub_fetch(&contexts, 1, __ATOMIC_RELAXED);
		}
		if (oflo_cfg.auto_min)
			min = measured;
	}
	if (min == UINT64_MAX) {
		/* The CPU always: no thread of a software device left running. */
		sdxi_dev_close(dev);
		dev = NULL;
		__atomic_store_n(&dev_state, DEV_CPU, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&dev_state, DEV_READY, __ATOMIC_RELEASE);
	}
	set_min(min, min != UINT64_MAX);
}

/*
 * Whether the device can take the call.  The first caller opens and
 * measures it; the program's other threads do not wait for that (their
 * calls use the CPU meanwhile).
 */
static int ready(void)
{
	int s = __atomic_load_n(&dev_state, __ATOMIC_ACQUIRE);

	if (s == DEV_UNOPENED) {
		if (pthread_mutex_trylock(&dev_lock))
			return 0;
		if (dev_state == DEV_UNOPENED)
			open_locked();
		s = dev_state;
		pthread_mutex_unlock(&dev_lock);
	}
	return s == DEV_READY;
}

/* One more failure in a row; the device is dropped after MAX_ERRORS. */
static void one_more_failure(void)
{
	if (__atomic_add_fetch(&errors_in_row, 1, __ATOMIC_RELAXED) >= MAX_ERRORS) {
		__atomic_store_n(&dev_state, DEV_FAILED, __ATOMIC_RELEASE);
		set_min(__atomic_load_n(&oflo_min, __ATOMIC_RELAXED), 0);
	}
}

/*
 * The device was removed under the program (libsdxi's -ENODEV: the kernel
 * keeps the mappings harmless): the CPU from now on.  The contexts stay
 * as they are; other threads may still be using them and fail the same
 * way.
 */
static int gone(void)
{
	__atomic_store_n(&dev_state, DEV_REMOVED, __ATOMIC_RELEASE);
	set_min(__atomic_load_n(&oflo_min, __ATOMIC_RELAXED), 0);
	return OFLO_FB_REMOVED;
}

/* A device failure: counted, the call redone on the CPU by the caller. */
static int failed(struct sdxi_ctx *ctx, int err, int per_thread)
{
	oflo_stats_error(err);
	if (err == -EPIPE || err == -EIO) {
		/* A stopped context: restart it, or give it up (leaked: the device may be gone). */
		if (sdxi_ctx_reset(ctx) && per_thread)
			oflo_self.ctx = NULL;
	}
	one_more_failure();
	return OFLO_FB_ERROR;
}

/* Run @op on a context: the thread's, or one of the pool's. */
static int with_ctx(int (*op)(struct sdxi_ctx *, void *, const void *, int, size_t),
		    void *dst, const void *src, int c, size_t n)
{
	struct pool_slot *slot = NULL;
	struct sdxi_ctx *ctx;
	int ret, busy = 0;

	oflo_guard_enter();
	if (!ready()) {
		switch (__atomic_load_n(&dev_state, __ATOMIC_ACQUIRE)) {
		case DEV_CPU:		/* the CPU by measurement: not a fallback */
			ret = -2;
			break;
		case DEV_UNOPENED:	/* another thread is opening it */
			ret = OFLO_FB_BUSY;
			break;
		case DEV_REMOVED:
			ret = OFLO_FB_REMOVED;
			break;
		default:
			ret = OFLO_FB_NODEV;
		}
		goto out;
	}
	if (oflo_cfg.shared) {
		slot = pool_get(&busy);
		ctx = slot ? slot->ctx : NULL;
	} else {
		ctx = thread_ctx();
	}
	if (!ctx) {
		if (busy) {
			ret = OFLO_FB_BUSY;
		} else if (__atomic_load_n(&create_err, __ATOMIC_RELAXED) == -ENODEV) {
			ret = gone();
		} else {
			/* No context: the device refuses (or is gone). */
			oflo_stats_error(__atomic_load_n(&create_err, __ATOMIC_RELAXED));
			one_more_failure();
			ret = OFLO_FB_NODEV;
		}
		goto out;
	}
	ret = op(ctx, dst, src, c, n);
	if (ret == -EFAULT)
		ret = OFLO_FB_UNREACHABLE;
	else if (ret == -ENODEV)
		ret = gone();
	else if (ret < 0)
		ret = failed(ctx, ret, !slot);
	else
		__atomic_store_n(&errors_in_row, 0, __ATOMIC_RELAXED);
	if (slot)
		pthread_mutex_unlock(&slot->lock);
out:
	oflo_guard_exit();
	return ret;
}

/* A registration failure: the memory is unreachable, unless the device is gone. */
static int reg_failed(int err)
{
	return err == -ENODEV ? err : -EFAULT;
}

static int op_copy(struct sdxi_ctx *ctx, void *dst, const void *src, int c, size_t n)
{
	int ret;

	(void)c;
	ret = sdxi_mem_register(ctx, src, n, SDXI_MEM_READ);
	if (ret)
		return reg_failed(ret);
	ret = sdxi_mem_register(ctx, dst, n, SDXI_MEM_WRITE);
	if (!ret) {
		ret = sdxi_memcpy(ctx, dst, src, n);
		sdxi_mem_unregister(ctx, dst, n);
	} else {
		ret = reg_failed(ret);
	}
	sdxi_mem_unregister(ctx, src, n);
	return ret == -EFAULT ? -EIO : ret;
}

static int op_fill(struct sdxi_ctx *ctx, void *dst, const void *src, int c, size_t n)
{
	int ret;

	(void)src;
	ret = sdxi_mem_register(ctx, dst, n, SDXI_MEM_WRITE);
	if (ret)
		return reg_failed(ret);
	ret = sdxi_fill(ctx, dst, 0x0101010101010101ULL * (unsigned char)c, n);
	sdxi_mem_unregister(ctx, dst, n);
	return ret == -EFAULT ? -EIO : ret;
}

/*
 * SDXI_OFFLOAD_SPLIT: the device copies the head of a large call while
 * the CPU copies the rest.  With 1 the head is sized so that both finish
 * together, fixed + k / dev_bps = (n - k) / cpu_bps; with N% it is N %
 * of the call.
 */
#define SPLIT_MIN	(256 << 10)	/* smaller calls are not split */
#define SPLIT_PART_MIN	(64 << 10)	/* nor into a part smaller than this */

static unsigned long split_calls;

static size_t split_head(size_t n)
{
	double bc = (double)cpu_bps, bd = (double)dev_bps, k;

	if (!oflo_cfg.split || n < SPLIT_MIN)
		return 0;
	if (oflo_cfg.split < OFLO_SPLIT_MEASURED) {
		k = (double)n * oflo_cfg.split / 100;
	} else {
		if (!bc || !bd)
			return 0;
		k = ((double)n / bc - (double)dev_fixed_ns / 1e9) / (1 / bd + 1 / bc);
	}
	if (k < SPLIT_PART_MIN || (double)n - k < SPLIT_PART_MIN)
		return 0;
	return (size_t)k & ~(size_t)4095;
}

static int op_copy_split(struct sdxi_ctx *ctx, void *dst, const void *src, int c, size_t n)
{
	size_t k = split_head(n);
	uint64_t ticket;
	int ret;

	if (!k)
		return op_copy(ctx, dst, src, c, n);
	ret = sdxi_mem_register(ctx, src, k, SDXI_MEM_READ);
	if (ret)
		return reg_failed(ret);
	ret = sdxi_mem_register(ctx, dst, k, SDXI_MEM_WRITE);
	if (!ret) {
		ret = sdxi_memcpy_async(ctx, dst, src, k, &ticket);
		/* Meanwhile the tail; all of it again on the CPU if the head fails. */
		oflo_cpu.memcpy((char *)dst + k, (const char *)src + k, n - k);
		if (!ret)
			ret = sdxi_wait(ctx, ticket, NULL, NULL);
		sdxi_mem_unregister(ctx, dst, k);
	} else {
		ret = -EFAULT;
	}
	sdxi_mem_unregister(ctx, src, k);
	if (!ret)
		__atomic_add_fetch(&split_calls, 1, __ATOMIC_RELAXED);
	return ret == -EFAULT ? -EIO : ret;
}

int oflo_dev_copy(void *dst, const void *src, size_t n)
{
	return with_ctx(op_copy_split, dst, src, 0, n);
}

int oflo_dev_fill(void *dst, int c, size_t n)
{
	return with_ctx(op_fill, dst, NULL, c, n);
}

void oflo_dev_init(void)
{
	key_ok = !pthread_key_create(&ctx_key, thread_exit);
	if (!oflo_cfg.fns) {
		dev_state = DEV_NONE;
		set_min(UINT64_MAX, 0);
		return;
	}
	/*
	 * auto: the first call of 16 KiB or more opens the device and
	 * measures; smaller calls never leave the CPU.
	 */
	set_min(oflo_cfg.auto_min ? 16 << 10 : oflo_cfg.min, 1);
}

/*
 * In a fork() child: the parent's device, its contexts and the software
 * device's thread are not the child's; it uses the CPU (getpid() differs
 * from the parent's: see interpose.c) and never touches them.
 */
void oflo_dev_fork_child(void)
{
	__atomic_add_fetch(&oflo_generation, 1, __ATOMIC_RELEASE);
	pthread_mutex_init(&dev_lock, NULL);
	for (int i = 0; i < POOL_SIZE; i++)
		pthread_mutex_init(&pool[i].lock, NULL);
}

void oflo_dev_summary(struct oflo_dev_summary *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", dev_state == DEV_UNOPENED ? "(not opened)" :
		 info.path[0] ? info.path : "(none)");
	s->threshold_src = oflo_cfg.auto_min ? "auto" : "SDXI_OFFLOAD_MIN";
	s->cpu_bps = cpu_bps;
	s->dev_bps = dev_bps;
	s->dev_fixed_ns = dev_fixed_ns;
	s->contexts = __atomic_load_n(&contexts, __ATOMIC_RELAXED);
	s->split_calls = __atomic_load_n(&split_calls, __ATOMIC_RELAXED);
	s->state = dev_state;
}

/* The open device, or NULL (the test library's fault injection). */
struct sdxi_dev *oflo_dev_handle(void)
{
	return __atomic_load_n(&dev_state, __ATOMIC_ACQUIRE) == DEV_UNOPENED ? NULL : dev;
}
