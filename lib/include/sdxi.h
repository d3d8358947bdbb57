/* SPDX-License-Identifier: MIT */
/*
 * libsdxi: user-space access to SNIA SDXI 1.0 data movers.
 *
 * A device (struct sdxi_dev) is an SDXI function reached through
 * /dev/sdxiN, or the software device ("soft"), which runs the same engine
 * core in a library thread on the process's own memory.  A context (struct
 * sdxi_ctx) is one descriptor ring with its write index, status and
 * per-slot completion blocks, mapped into the process.  Memory the device
 * touches must be registered with the context, explicitly or through the
 * registration cache.
 *
 * Submitting work is a batch: reserve slots, encode descriptors into them,
 * submit (one write-index update and one doorbell).  Completion is polled
 * or waited for by ticket.  The headers:
 *
 *   <sdxi.h>          this one: the library's calls, and the two below
 *   <sdxi/encode.h>   descriptor encoders (pure, freestanding)
 *   <sdxi/ring.h>     the inline fast path: batches, sdxi_poll(), the
 *                     CPU side of sdxi_memcpy()
 *
 * Conventions: every function that can fail returns 0 (or a count) on
 * success and a negative errno on failure; errno is never set.  Names:
 * one operation has one name, <op> (see <sdxi/encode.h>): sdxi_prep_<op>
 * and sdxi_batch_<op> on device addresses, sdxi_<op> and sdxi_<op>_async
 * on CPU addresses, except that COPY is sdxi_memcpy(), after memcpy(3).
 * Documentation/library.rst describes the threading contract, memory
 * ordering, the registration rules and the error model; each function
 * has a man page.
 */
#ifndef LIBSDXI_H
#define LIBSDXI_H

#include <stddef.h>
#include <stdint.h>

#include <sdxi/encode.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Library version.  SDXI_LIB_CHECK_VERSION() is the compile-time test. */
#define SDXI_LIB_MAJOR		1
#define SDXI_LIB_MINOR		2
#define SDXI_LIB_CHECK_VERSION(major, minor) \
	(SDXI_LIB_MAJOR == (major) && SDXI_LIB_MINOR >= (minor))

/* Runtime version of the library that is loaded. */
int sdxi_lib_major(void);
int sdxi_lib_minor(void);
/* 1 if the loaded library is compatible with major.minor (same major, minor >= minor), else 0. */
int sdxi_lib_check_version(int major, int minor);

struct sdxi_dev;
struct sdxi_ctx;
struct sdxi_window;
struct sdxi_remote;

/*
 * ---------------------------------------------------------------------
 * Devices
 * ---------------------------------------------------------------------
 */

#define SDXI_DEV_PATH_MAX	64

/* struct sdxi_dev_info.flags */
#define SDXI_DEV_SOFT		(1u << 0)	/* the software device */
#define SDXI_DEV_INTERRUPTS	(1u << 1)	/* completion interrupts (eventfd) */
#define SDXI_DEV_DMABUF		(1u << 2)	/* dma-buf import (kernel) */
#define SDXI_DEV_SVA		(1u << 3)	/* SVA contexts (SDXI_CTX_MODE_SVA) */

/* struct sdxi_dev_info.isolation (values of enum sdxi_isolation) */
#define SDXI_ISOLATE_PASID	1	/* per-context address space, IOVA == VA */
#define SDXI_ISOLATE_NONE	2	/* bus addresses, no isolation */
#define SDXI_ISOLATE_SVA	3	/* the process's page tables (per context) */

/* What a device is and can do (sdxi_dev_list(), sdxi_dev_info()). */
struct sdxi_dev_info {
	char path[SDXI_DEV_PATH_MAX];	/* "/dev/sdxi0", or "soft" */
	uint32_t sdxi_version;		/* SDXI version: major << 16 | minor */
	uint32_t abi_version;		/* /dev/sdxiN ABI version (soft: 1) */
	uint32_t op_groups;		/* SDXI_OPB_* usable by contexts */
	uint32_t flags;			/* SDXI_DEV_* */
	uint32_t min_ring_entries;
	uint32_t max_ring_entries;
	uint64_t max_buffer;		/* bytes one descriptor may move */
	uint32_t max_contexts;
	uint32_t free_contexts;
	int32_t numa_node;		/* -1 when unknown */
	uint32_t isolation;		/* SDXI_ISOLATE_* */
	uint32_t reserved[8];
};

/*
 * List the SDXI functions of the system (not the software device) into
 * @infos[0..max).  Returns the number of functions found, which may exceed
 * @max; 0 when there are none.
 */
int sdxi_dev_list(struct sdxi_dev_info *infos, unsigned int max);

/*
 * Open a device by name: "soft" (the software device), a path
 * ("/dev/sdxi0") or a node name ("sdxi0").  @name NULL means the default
 * device: $SDXI_DEVICE when set, else the function nearest to the calling
 * thread.  Returns 0 with *devp set, -ENODEV when no such device exists,
 * or another negative errno.
 */
int sdxi_dev_open(const char *name, struct sdxi_dev **devp);
/* Open the @index-th function of sdxi_dev_list().  0 or -ENODEV. */
int sdxi_dev_open_index(unsigned int index, struct sdxi_dev **devp);
/* Open the function nearest (NUMA) to the calling thread.  0 or -ENODEV. */
int sdxi_dev_open_near(struct sdxi_dev **devp);
/* Drop the caller's reference; the device goes away with its last context. */
void sdxi_dev_close(struct sdxi_dev *dev);
/* Fill @info for @dev.  0 or a negative errno. */
int sdxi_dev_info(struct sdxi_dev *dev, struct sdxi_dev_info *info);

/*
 * ---------------------------------------------------------------------
 * Contexts
 * ---------------------------------------------------------------------
 */

/* struct sdxi_ctx_opts.flags */
#define SDXI_CTX_INTERRUPTS	(1u << 0)	/* completion interrupts: sdxi_ctx_fd(), blocking waits */
#define SDXI_CTX_SHARED		(1u << 1)	/* several threads submit concurrently */
#define SDXI_CTX_NO_CACHE	(1u << 2)	/* no registration cache */

/*
 * struct sdxi_ctx_opts.mode, and what sdxi_ctx_mode() returns.  An SVA
 * context reaches the process's memory through its page tables: device
 * addresses are the virtual addresses, nothing is registered or pinned,
 * sdxi_mem_register() only pre-faults.  A pinned context reaches only
 * registered (pinned) memory.  AUTO: SVA where the device offers it
 * (SDXI_DEV_SVA) and the kernel binds, else pinned; the software device
 * is registration-checked (pinned) unless SVA is asked for.
 */
#define SDXI_CTX_MODE_AUTO	0
#define SDXI_CTX_MODE_PINNED	1
#define SDXI_CTX_MODE_SVA	2

/* Options of sdxi_ctx_create(); all zero gives the defaults. */
struct sdxi_ctx_opts {
	uint32_t ring_entries;	/* 0: device minimum; rounded up to a power of two */
	uint32_t flags;		/* SDXI_CTX_* */
	uint32_t cache_shift;	/* cache chunk is 1 << cache_shift bytes, 12..30; 0: 21 (2 MiB) */
	uint32_t mode;		/* SDXI_CTX_MODE_*; -EOPNOTSUPP when not available */
	uint32_t reserved[4];	/* must be 0 */
};

/*
 * Create a context on @dev (@opts may be NULL).  The library maps the
 * regions the device reports and starts the context.  Returns 0 with
 * *ctxp set, -EINVAL for bad options, -EBUSY when the device has no free
 * context, or another negative errno.
 */
int sdxi_ctx_create(struct sdxi_dev *dev, const struct sdxi_ctx_opts *opts,
		    struct sdxi_ctx **ctxp);
/*
 * Stop @ctx, drop every registration it holds (explicit and cached) and
 * free it.  Nothing may use @ctx concurrently or afterwards.
 */
void sdxi_ctx_destroy(struct sdxi_ctx *ctx);

/* Decoded error-log record of a context (struct sdxi_error.flags). */
#define SDXI_ERROR_INDEX	(1u << 0)	/* @index is valid */
#define SDXI_ERROR_BUF		(1u << 1)	/* @buf is valid */

/*
 * One failure the device reported for a context.  @err is the errno-style
 * code that sdxi_poll()/sdxi_wait() return for the failed descriptor.
 */
struct sdxi_error {
	uint64_t index;		/* ticket of the failed descriptor */
	uint64_t addr;		/* address involved, or 0 */
	uint8_t step;		/* SDXI_STEP_* (10: data buffer, ...) */
	uint8_t sub_step;	/* SDXI_SUB_STEP_* (1: translation, ...) */
	uint8_t reaction;	/* SDXI_RE_* */
	uint8_t buf;		/* SDXI_BUF_SRC / SDXI_BUF_DST */
	uint16_t reason;	/* enum sdxi_err_reason */
	uint16_t flags;		/* SDXI_ERROR_* */
	int32_t err;		/* -EFAULT, -EINVAL, -EIO, ... */
	uint32_t reserved;
};

/* State and counters of a context (sdxi_ctx_status()). */
struct sdxi_ctx_status {
	uint32_t id;		/* context ID on the function */
	uint32_t state;		/* SDXI_CXTV_*: RUN, ERR_FN, ... */
	uint32_t ring_entries;
	uint32_t errors;	/* failures since create or the last reset */
	uint64_t read_index;	/* tickets below this have completed */
	uint64_t write_index;	/* tickets below this were submitted */
	struct sdxi_error last;	/* most recent failure, valid if errors > 0 */
	uint64_t reserved[4];
};

/* How @ctx reaches memory: SDXI_CTX_MODE_SVA or SDXI_CTX_MODE_PINNED. */
int sdxi_ctx_mode(struct sdxi_ctx *ctx);

/* Fill @st.  0 or a negative errno (-ENODEV when the device is gone). */
int sdxi_ctx_status(struct sdxi_ctx *ctx, struct sdxi_ctx_status *st);
/*
 * Most recent failure of @ctx.  Returns 0 with *err filled, or -ENOENT when
 * the context has not failed since its creation or last reset.
 */
int sdxi_ctx_error(struct sdxi_ctx *ctx, struct sdxi_error *err);
/*
 * Recover @ctx after an error (or from any state): the device stops it,
 * clears its ring and restarts it; registrations are kept.  Tickets issued
 * before the reset are resolved as completed, failed or canceled
 * (-ECANCELED).  Nothing may use @ctx concurrently.  0 or a negative errno.
 */
int sdxi_ctx_reset(struct sdxi_ctx *ctx);
/*
 * An fd that becomes readable (POLLIN) when a completion interrupt of @ctx
 * fires (an eventfd; read it to clear it).  Returns the fd, or -EOPNOTSUPP
 * when the context was created without SDXI_CTX_INTERRUPTS.
 */
int sdxi_ctx_fd(struct sdxi_ctx *ctx);

/*
 * ---------------------------------------------------------------------
 * Memory registration
 * ---------------------------------------------------------------------
 */

#define SDXI_MEM_READ		(1u << 0)	/* the device may read */
#define SDXI_MEM_WRITE		(1u << 1)	/* the device may write */

/*
 * Register [addr, addr + len) with @ctx for @access: the device may reach
 * the pages covering it until sdxi_mem_unregister() of a range holding
 * it, or sdxi_ctx_destroy().  Registrations may share pages.  Returns 0,
 * -EEXIST when a page is already registered without @access, -EFAULT
 * when the memory is not mapped with the requested access, -EINVAL for
 * len 0 or bad @access, or another negative errno.
 */
int sdxi_mem_register(struct sdxi_ctx *ctx, const void *addr, size_t len,
		      unsigned int access);
/*
 * Release the registrations of @ctx lying inside [addr, addr + len)
 * (sdxi_mem_register(), sdxi_mem_iova()) and the cache's registrations
 * overlapping it.  When it returns, no descriptor can reach a page of the
 * range that no other registration uses: the memory may be freed.
 * Returns the number released (0: the range is registered only by
 * registrations that extend beyond it), or -ENOENT when nothing of the
 * range was registered.
 */
int sdxi_mem_unregister(struct sdxi_ctx *ctx, const void *addr, size_t len);
/*
 * Device address of [addr, addr + len) for descriptors of @ctx with
 * @access.  Unless a registration already holds the range, it is
 * registered now (not with SDXI_CTX_NO_CACHE).  The address stays valid
 * until the application unregisters a range holding [addr, addr + len)
 * or destroys the context; releasing other memory, even in the same
 * pages, never invalidates it.  Returns 0 with *iova set, -EFAULT when
 * the range is not (and cannot be) registered with that access.
 */
int sdxi_mem_iova(struct sdxi_ctx *ctx, const void *addr, size_t len,
		  unsigned int access, uint64_t *iova);

/* Registration-cache counters of a context (sdxi_mem_stats()). */
struct sdxi_mem_stats {
	uint64_t hits;		/* lookups served by existing registrations
				 * (0 on SDXI_CTX_SHARED contexts: not counted,
				 * so that lookups write no shared memory) */
	uint64_t misses;	/* lookups that registered memory */
	uint64_t registrations;	/* device mappings (held + cached) */
	uint64_t cached;	/* of which the cache's */
	uint64_t bytes;		/* bytes mapped */
	uint64_t held;		/* registrations the application holds
				 * (sdxi_mem_register(), sdxi_mem_iova()) */
	uint64_t reserved[2];
};
/* Fill @st.  Always 0. */
int sdxi_mem_stats(struct sdxi_ctx *ctx, struct sdxi_mem_stats *st);

/*
 * ---------------------------------------------------------------------
 * Offload policy: which synchronous calls the calling CPU runs
 * ---------------------------------------------------------------------
 */

/* struct sdxi_policy.source */
#define SDXI_POLICY_UNSET	0	/* not decided yet: measured on first use */
#define SDXI_POLICY_MEASURED	1	/* measured on this device */
#define SDXI_POLICY_SOFT	2	/* the software device: the CPU always */
#define SDXI_POLICY_ENV		3	/* $SDXI_OFFLOAD_MIN */
#define SDXI_POLICY_APP		4	/* sdxi_ctx_set_policy() */

/* struct sdxi_policy.offload_min: the device never (the CPU always). */
#define SDXI_OFFLOAD_NEVER	UINT64_MAX

/*
 * The offload policy of a context.  sdxi_memcpy() and sdxi_fill() of
 * fewer than @offload_min bytes run on the calling CPU (memcpy(3) and
 * stores), larger ones on the device; the asynchronous calls and batches
 * always use the device.  The default is measured on the device the first
 * time a synchronous call needs it (the CPU's memcpy against the device's
 * fixed cost and bandwidth); $SDXI_OFFLOAD_MIN (a byte count with
 * optional k/m/g, "never", or "auto") overrides it for new contexts.
 */
struct sdxi_policy {
	uint64_t offload_min;	/* bytes; 0: always the device; SDXI_OFFLOAD_NEVER */
	uint32_t source;	/* SDXI_POLICY_* (read only) */
	uint32_t flags;		/* must be 0 */
	uint64_t cpu_bps;	/* measured CPU memcpy bytes/s, or 0 */
	uint64_t dev_bps;	/* measured device bytes/s (synchronous copy), or 0 */
	uint64_t dev_fixed_ns;	/* measured fixed cost of a synchronous copy, or 0 */
	uint64_t reserved[3];
};

/*
 * The policy in force on @ctx (measured now if it was not yet).  0 or a
 * negative errno.
 */
int sdxi_ctx_policy(struct sdxi_ctx *ctx, struct sdxi_policy *pol);
/*
 * Set @ctx's threshold to pol->offload_min (the other fields are read
 * only; flags must be 0).  A library that interposes memcpy(3) sets 0, so
 * that libsdxi never calls memcpy() for it.  0 or -EINVAL.
 */
int sdxi_ctx_set_policy(struct sdxi_ctx *ctx, const struct sdxi_policy *pol);

#ifdef __cplusplus
}
#endif

#include <sdxi/ring.h>

#ifdef __cplusplus
extern "C" {
#endif

/* struct sdxi_wait_opts.mode */
#define SDXI_WAIT_DEFAULT	0	/* BLOCK on a context with interrupts, else SPIN */
#define SDXI_WAIT_SPIN		1	/* poll; sched_yield() between polls after spin_ns */
#define SDXI_WAIT_BLOCK		2	/* poll for spin_ns, then sleep on the context fd */

/* How sdxi_wait() waits; NULL and all zero give the defaults. */
struct sdxi_wait_opts {
	uint32_t mode;		/* SDXI_WAIT_* */
	uint32_t flags;		/* must be 0 */
	uint64_t spin_ns;	/* busy-poll time before yielding or blocking; 0: 20 us */
	uint64_t timeout_ns;	/* give up after this long; 0: never */
	uint64_t reserved[2];	/* must be 0 */
};

/*
 * Wait until the descriptor with @ticket has completed.  Returns what
 * sdxi_poll() would (never -EAGAIN), -ETIMEDOUT when the timeout expires,
 * or -EOPNOTSUPP for SDXI_WAIT_BLOCK on a context without interrupts.  On
 * a descriptor failure *err (if not NULL) receives the decoded record.
 * A blocking wait may append an interrupt descriptor to the ring.
 */
int sdxi_wait(struct sdxi_ctx *ctx, uint64_t ticket, const struct sdxi_wait_opts *opts,
	      struct sdxi_error *err);

/*
 * ---------------------------------------------------------------------
 * Convenience layer: CPU addresses, registration cache, splitting
 *
 * Arguments, for all of them: a NULL @ctx or @ticket is -EINVAL; a length
 * of 0 does nothing and succeeds (the asynchronous calls return
 * SDXI_TICKET_DONE); a NULL buffer with a length, or memory that cannot
 * be registered, is -EFAULT; overlapping buffers are -EINVAL.  A context
 * that has stopped fails them at once with -EPIPE.
 * ---------------------------------------------------------------------
 */

/*
 * Copy @n bytes from @src to @dst and wait for it (inline, <sdxi/ring.h>):
 * on the calling CPU below the context's offload threshold, else through
 * @ctx, the memory looked up in (or added to) the registration cache and
 * copies larger than the max buffer split.  Returns 0, -EINVAL, -EFAULT,
 * -EPIPE or the descriptor's error.  On the CPU, the memory must be
 * mapped as for memcpy(3).
 *
 *   int sdxi_memcpy(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n);
 */
/*
 * Start the copy on the device and return at once with *ticket for
 * sdxi_poll() / sdxi_wait().  Returns 0, -EINVAL, -EFAULT, -EPIPE or
 * another negative errno.
 */
int sdxi_memcpy_async(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n,
		      uint64_t *ticket);
/*
 * Fill @n bytes at @dst with the 8-byte @pattern (sdxi_batch_fill()) and
 * wait; below the offload threshold on the calling CPU.  0 or errno.
 */
int sdxi_fill(struct sdxi_ctx *ctx, void *dst, uint64_t pattern, size_t n);
/* Asynchronous sdxi_fill(), always on the device. */
int sdxi_fill_async(struct sdxi_ctx *ctx, void *dst, uint64_t pattern, size_t n,
		    uint64_t *ticket);
/*
 * Write the @n (1..32) bytes at @data to @dst in one device write, and
 * wait (always on the device: its point is the device's ordering).
 * 0, -E2BIG for n above 32, or as above.
 */
int sdxi_write_imm(struct sdxi_ctx *ctx, void *dst, const void *data, size_t n);

/* Name of an error-log reason (enum sdxi_err_reason), e.g. "XLATE". */
const char *sdxi_reason_name(unsigned int reason);

/*
 * ---------------------------------------------------------------------
 * Windows between processes (since 1.2; Documentation/library.rst
 * "Windows between processes")
 *
 * An exporter makes a registered range of its memory reachable by other
 * processes' contexts: sdxi_mem_export() returns a window, whose file
 * descriptor (sdxi_window_fd()) is the capability it passes on, e.g.
 * with SCM_RIGHTS.  An importer gives that descriptor to one of its own
 * contexts (sdxi_mem_import()) and names the remote side of a descriptor
 * as (remote, offset) with the sdxi_batch_*_remote() helpers; each
 * address of a descriptor is resolved through its own AKey, so one
 * descriptor may move bytes between the importer's memory and the
 * exporter's.  Only [0, length) of the window is reachable, with the
 * rights it was exported with.
 * ---------------------------------------------------------------------
 */

/*
 * Export [addr, addr + len) of @ctx's memory to other processes with
 * @rights (SDXI_MEM_READ and/or SDXI_MEM_WRITE: what importers may do).
 * The range must be page aligned and lie inside one registration of
 * @ctx (sdxi_mem_register()) that allows @rights.  Returns 0 with *winp
 * set, -EINVAL (NULL arguments, len 0, unaligned, bad @rights), -ENOENT
 * (not inside a registration), -EACCES (the registration does not allow
 * @rights), -EOPNOTSUPP (an SVA context, or a device without windows),
 * or another negative errno (-ENOSPC, -EMFILE, -EDQUOT: the device's
 * limits).  The window stays valid until sdxi_window_close(),
 * sdxi_mem_unregister() of a range overlapping it, sdxi_ctx_destroy()
 * of @ctx or the exporter's exit, which all revoke it.
 */
int sdxi_mem_export(struct sdxi_ctx *ctx, const void *addr, size_t len, unsigned int rights,
		    struct sdxi_window **winp);
/*
 * The window's file descriptor (close-on-exec), owned by @win: pass it
 * to importers (a copy received with SCM_RIGHTS is the importer's to
 * close).  Closing a copy never revokes the window.
 */
int sdxi_window_fd(const struct sdxi_window *win);
/*
 * Revoke @win and free it.  Synchronous: when it returns, no importer's
 * descriptor reaches the range any more (later and queued ones fail in
 * the importer's context, see library.rst), so the memory may be
 * unregistered and freed.  0 or a negative errno (the window is freed
 * in every case).
 */
int sdxi_window_close(struct sdxi_window *win);

/*
 * Import the window whose descriptor is @fd into @ctx.  The library keeps
 * no reference to @fd (the caller may close it).  Returns 0 with *remp
 * set, -EBADF (@fd is not open), -EINVAL (@fd is not a window of this
 * kind of device, NULL arguments), -EKEYREVOKED (revoked, or its
 * exporter exited), -EPERM (software device: the kernel does not let
 * this process access the exporter's memory, see library.rst), -EXDEV
 * (a window of another SDXI function), -ENOSPC (no free AKey).
 */
int sdxi_mem_import(struct sdxi_ctx *ctx, int fd, struct sdxi_remote **remp);

/* What an import reaches (sdxi_remote_info()). */
struct sdxi_remote_info {
	uint64_t length;	/* bytes of the window: offsets 0..length-1 */
	uint64_t base;		/* device address of offset 0 under @akey */
	uint32_t rights;	/* SDXI_MEM_* the exporter granted */
	uint16_t akey;		/* AKey index of the importing context */
	uint16_t reserved0;
	uint64_t reserved[2];
};

/* Fill @info.  0 or -EINVAL. */
int sdxi_remote_info(const struct sdxi_remote *rem, struct sdxi_remote_info *info);
/*
 * Drop the import: its AKey is invalidated (descriptors still queued that
 * name it fail) and freed, and @rem with it.  Nothing may use @rem
 * concurrently or afterwards.
 */
void sdxi_remote_close(struct sdxi_remote *rem);

/*
 * Batch helpers naming a window: the remote side is @off bytes into
 * @rem, the local side a device address of the batch's context (as for
 * sdxi_batch_copy()).  @rem must be an import of the batch's context.
 * Checked before anything is written, in this order: -EINVAL (NULL @rem,
 * an import of another context, len 0, flags, as the local helpers),
 * -ERANGE ([off, off + len) not inside [0, length) of the window),
 * -EACCES (the window lacks the right: READ for a source, WRITE for a
 * destination, both for an atomic), -E2BIG, -ENOSPC, -EOPNOTSUPP.  The
 * device checks again: a window revoked meanwhile fails the descriptor
 * in this context (sdxi_ctx_error()).
 */
int sdxi_batch_copy_from_remote(struct sdxi_batch *b, uint64_t dst, const struct sdxi_remote *rem,
				uint64_t off, uint64_t len, unsigned int flags);
int sdxi_batch_copy_to_remote(struct sdxi_batch *b, const struct sdxi_remote *rem, uint64_t off,
			      uint64_t src, uint64_t len, unsigned int flags);
/* sdxi_batch_fill() of [off, off + len) of the window: 1 or 2 slots. */
int sdxi_batch_fill_remote(struct sdxi_batch *b, const struct sdxi_remote *rem, uint64_t off,
			   uint64_t pattern, uint64_t len, unsigned int flags);
/*
 * sdxi_batch_atomic() on the @size-byte target at @off of the window;
 * @ret_addr (local, 0 for none) receives the old value.
 */
int sdxi_batch_atomic_remote(struct sdxi_batch *b, unsigned int op, unsigned int size,
			     const struct sdxi_remote *rem, uint64_t off, uint64_t ret_addr,
			     uint64_t operand1, uint64_t operand2, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBSDXI_H */
