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
 * or waited for by ticket.  Descriptor encoders, the batch functions and
 * sdxi_poll() are inline below; everything else is in the library.
 *
 * Conventions: every function that can fail returns 0 (or a count) on
 * success and a negative errno on failure; errno is never set.
 * Documentation/library.rst describes the threading contract, memory
 * ordering, the registration cache and the error model; each function has
 * a man page.
 */
#ifndef LIBSDXI_H
#define LIBSDXI_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/sdxi_hw.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every inline function of this header is declared with SDXI_INLINE (never
 * a bare "static inline"), so that a build that wants real symbols (a
 * language binding) can define it empty before including the header.
 */
#ifndef SDXI_INLINE
#define SDXI_INLINE static inline
#endif

/*
 * Byte order of the hardware formats (little endian), without <endian.h>
 * (whose htole*() strict C99 does not declare).
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
SDXI_INLINE uint16_t sdxi__le16(uint16_t v) { return __builtin_bswap16(v); }
SDXI_INLINE uint32_t sdxi__le32(uint32_t v) { return __builtin_bswap32(v); }
SDXI_INLINE uint64_t sdxi__le64(uint64_t v) { return __builtin_bswap64(v); }
#else
SDXI_INLINE uint16_t sdxi__le16(uint16_t v) { return v; }
SDXI_INLINE uint32_t sdxi__le32(uint32_t v) { return v; }
SDXI_INLINE uint64_t sdxi__le64(uint64_t v) { return v; }
#endif

/* Library version.  SDXI_LIB_CHECK_VERSION() is the compile-time test. */
#define SDXI_LIB_MAJOR		1
#define SDXI_LIB_MINOR		0
#define SDXI_LIB_CHECK_VERSION(major, minor) \
	(SDXI_LIB_MAJOR == (major) && SDXI_LIB_MINOR >= (minor))

/* Runtime version of the library that is loaded. */
int sdxi_lib_major(void);
int sdxi_lib_minor(void);
/* 1 if the loaded library is compatible with major.minor (same major, minor >= minor), else 0. */
int sdxi_lib_check_version(int major, int minor);

struct sdxi_dev;
struct sdxi_ctx;

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

/* struct sdxi_dev_info.isolation (values of enum sdxi_isolation) */
#define SDXI_ISOLATE_PASID	1	/* per-context address space, IOVA == VA */
#define SDXI_ISOLATE_NONE	2	/* bus addresses, no isolation */

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

/* Options of sdxi_ctx_create(); all zero gives the defaults. */
struct sdxi_ctx_opts {
	uint32_t ring_entries;	/* 0: device minimum; rounded up to a power of two */
	uint32_t flags;		/* SDXI_CTX_* */
	uint32_t cache_shift;	/* cache chunk is 1 << cache_shift bytes, 12..30; 0: 21 (2 MiB) */
	uint32_t reserved[5];	/* must be 0 */
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
 * Register the pages covering [addr, addr + len) with @ctx for @access.
 * Cached registrations overlapping the range are dropped first (waiting
 * for descriptors that may use them).  Returns 0, -EEXIST when the range
 * overlaps an explicit registration, -EFAULT when the memory is not mapped
 * with the requested access, -EINVAL for len 0 or bad @access, or another
 * negative errno.
 */
int sdxi_mem_register(struct sdxi_ctx *ctx, const void *addr, size_t len,
		      unsigned int access);
/*
 * Drop every registration of @ctx (explicit or cached) that overlaps
 * [addr, addr + len), whole, after waiting until no descriptor submitted
 * before the call can still use it.  Returns the number of registrations
 * dropped, or -ENOENT when none overlapped.
 */
int sdxi_mem_unregister(struct sdxi_ctx *ctx, const void *addr, size_t len);
/*
 * Device address of [addr, addr + len) for descriptors of @ctx, which must
 * be registered with @access (or is registered now by the cache).  Returns
 * 0 with *iova set, -EFAULT when the range is not (and cannot be)
 * registered with that access.
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
 * Descriptor encoders (pure: they write *d whole, or return an error and
 * leave *d untouched)
 * ---------------------------------------------------------------------
 */

/* Descriptor flags (struct sdxi_desc_attr.flags, batch helpers' @flags). */
#define SDXI_DESC_SEQ		SDXI_DSC_SE	/* sequential: earlier writes visible first */
#define SDXI_DESC_FENCE		SDXI_DSC_FE	/* fence: earlier descriptors retire first */
/* Batch helpers only: */
#define SDXI_DESC_NO_CSB	(1u << 8)	/* no completion block for this descriptor */
#define SDXI_DESC_INTR		(1u << 9)	/* follow it with a completion interrupt */

/* Largest length one descriptor can encode (size is length - 1, 32 bits). */
#define SDXI_DESC_MAX_LEN	SDXI_DSC_MAX_LEN
/* Every context accepts at least this much (max_buffer is 2^(n+21) bytes). */
#define SDXI_DESC_MIN_MAX_BUFFER (1ULL << 21)

/*
 * Is @len outside 1..@max?  Lengths up to the smallest possible max
 * buffer skip the comparison with @max (it folds away for a constant).
 */
SDXI_INLINE int sdxi__len_bad(uint64_t len, uint64_t max)
{
	return len - 1 >= SDXI_DESC_MIN_MAX_BUFFER && len - 1 >= max;
}

/* Fields every descriptor carries besides its operation. */
struct sdxi_desc_attr {
	uint64_t csb;		/* CST_BLK device address, 32-byte aligned; 0: none */
	uint16_t akey0;		/* AKey of the source (atomic: target) */
	uint16_t akey1;		/* AKey of the destination (atomic: return data) */
	uint32_t flags;		/* SDXI_DESC_SEQ | SDXI_DESC_FENCE */
};

SDXI_INLINE int sdxi__wraps(uint64_t addr, uint64_t len)
{
	return addr > UINT64_MAX - len;
}

SDXI_INLINE int sdxi__overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Two ranges of the same length 1..2^32 overlap iff |b - a| < len, i.e.
 * (b - a + len - 1) mod 2^64 < 2 len - 1: one comparison.
 */
SDXI_INLINE int sdxi__overlap_eq(uint64_t a, uint64_t b, uint64_t len)
{
	return b - a + (len - 1) < 2 * len - 1;
}

/* Common checks of @a against data range [addr, addr + len); 0 or -EINVAL. */
SDXI_INLINE int sdxi__attr_check(const struct sdxi_desc_attr *a, uint64_t addr, uint64_t len)
{
	if (a->flags & ~(uint32_t)(SDXI_DESC_SEQ | SDXI_DESC_FENCE))
		return -EINVAL;
	/* CST_BLK: 32-byte aligned, not overlapping the data (SDXI 1.0 5.6). */
	if (a->csb && ((a->csb & ~SDXI_DSC_CSB_PTR) || sdxi__wraps(a->csb, 32) ||
		       (len && sdxi__overlap(a->csb, 32, addr, len))))
		return -EINVAL;
	return 0;
}

/* Opcode word (vl clear) and CST_BLK word of a descriptor. */
SDXI_INLINE uint32_t sdxi__opcode(unsigned int type, unsigned int subtype, uint32_t flags)
{
	return (uint32_t)(SDXI_FIELD_PREP(SDXI_DSC_TYPE, type) |
			  SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, subtype)) |
	       (flags & (SDXI_DSC_SE | SDXI_DSC_FE));
}

SDXI_INLINE uint64_t sdxi__csb_word(uint64_t csb)
{
	return csb ? csb : SDXI_DSC_NP;
}

/*
 * Field placement inside the quadwords of a descriptor, taken from the
 * layouts of <linux/sdxi_hw.h> (offsetof).  Encoders compute each
 * quadword as one integer, so that the compiler keeps a descriptor in
 * registers and writes it to the ring with eight stores, instead of
 * assembling it in memory from narrow field stores.
 */
#define SDXI__QW(type, member)		(offsetof(struct type, member) / 8)
#define SDXI__PUT(type, member, v)	\
	((uint64_t)(v) << (offsetof(struct type, member) % 8 * 8))
/* Field @member's bits in quadword @i (0 when it lives elsewhere). */
#define SDXI__FQ(type, member, i, v)	\
	(SDXI__QW(type, member) == (i) ? SDXI__PUT(type, member, v) : 0)

/* Quadword @i (little endian) of a COPY; @csbw is the CST_BLK word. */
SDXI_INLINE uint64_t sdxi__copy_q(unsigned int i, uint32_t op, uint16_t akey0, uint16_t akey1,
				  uint64_t dst, uint64_t src, uint64_t len, uint64_t csbw)
{
	return sdxi__le64((i == 0 ? (uint64_t)op : 0) |
			  SDXI__FQ(sdxi_dsc_copy, size, i, (uint32_t)(len - 1)) |
			  SDXI__FQ(sdxi_dsc_copy, akey0, i, akey0) |
			  SDXI__FQ(sdxi_dsc_copy, akey1, i, akey1) |
			  SDXI__FQ(sdxi_dsc_copy, addr0, i, src) |
			  SDXI__FQ(sdxi_dsc_copy, addr1, i, dst) |
			  SDXI__FQ(sdxi_dsc_copy, csb_ptr, i, csbw));
}

/* Quadword @i of a REPCOPY. */
SDXI_INLINE uint64_t sdxi__repcopy_q(unsigned int i, uint32_t op, uint16_t akey0,
				     uint16_t akey1, uint64_t dst, uint64_t src, uint64_t len,
				     uint64_t count, uint64_t csbw)
{
	return sdxi__le64((i == 0 ? (uint64_t)op : 0) |
			  SDXI__FQ(sdxi_dsc_repcopy, size, i, (uint32_t)(len - 1)) |
			  SDXI__FQ(sdxi_dsc_repcopy, akey0, i, akey0) |
			  SDXI__FQ(sdxi_dsc_repcopy, akey1, i, akey1) |
			  SDXI__FQ(sdxi_dsc_repcopy, addr0, i, src) |
			  SDXI__FQ(sdxi_dsc_repcopy, addr1, i, dst) |
			  SDXI__FQ(sdxi_dsc_repcopy, count, i, (uint32_t)(count - 1)) |
			  SDXI__FQ(sdxi_dsc_repcopy, csb_ptr, i, csbw));
}

/* Quadword @i of a NOP (akey 0: bytes 12-13 are reserved) or DSC_INTR. */
SDXI_INLINE uint64_t sdxi__simple_q(unsigned int i, uint32_t op, uint16_t akey, uint64_t csbw)
{
	return sdxi__le64((i == 0 ? (uint64_t)op : 0) |
			  SDXI__FQ(sdxi_dsc_intr, akey, i, akey) |
			  SDXI__FQ(sdxi_dsc_intr, csb_ptr, i, csbw));
}

/* Encoders without checks (the sdxi_prep_* and batch helpers check). */
SDXI_INLINE void sdxi__enc_copy(union sdxi_desc *d, uint64_t csb, uint16_t akey0,
				uint16_t akey1, uint32_t flags, uint64_t dst,
				uint64_t src, uint64_t len)
{
	uint32_t op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_COPY, flags);
	uint64_t w = sdxi__csb_word(csb);

	d->qw[0] = sdxi__copy_q(0, op, akey0, akey1, dst, src, len, w);
	d->qw[1] = sdxi__copy_q(1, op, akey0, akey1, dst, src, len, w);
	d->qw[2] = sdxi__copy_q(2, op, akey0, akey1, dst, src, len, w);
	d->qw[3] = sdxi__copy_q(3, op, akey0, akey1, dst, src, len, w);
	d->qw[4] = sdxi__copy_q(4, op, akey0, akey1, dst, src, len, w);
	d->qw[5] = sdxi__copy_q(5, op, akey0, akey1, dst, src, len, w);
	d->qw[6] = sdxi__copy_q(6, op, akey0, akey1, dst, src, len, w);
	d->qw[7] = sdxi__copy_q(7, op, akey0, akey1, dst, src, len, w);
}

SDXI_INLINE void sdxi__enc_repcopy(union sdxi_desc *d, uint64_t csb, uint16_t akey0,
				   uint16_t akey1, uint32_t flags, uint64_t dst,
				   uint64_t src, uint64_t len, uint64_t count)
{
	uint32_t op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_REPCOPY, flags);
	uint64_t w = sdxi__csb_word(csb);

	for (unsigned int i = 0; i < 8; i++)
		d->qw[i] = sdxi__repcopy_q(i, op, akey0, akey1, dst, src, len, count, w);
}

SDXI_INLINE void sdxi__enc_simple(union sdxi_desc *d, uint64_t csb, uint32_t flags,
				  unsigned int type, unsigned int subtype, uint16_t akey)
{
	uint32_t op = sdxi__opcode(type, subtype, flags);
	uint64_t w = sdxi__csb_word(csb);

	for (unsigned int i = 0; i < 8; i++)
		d->qw[i] = sdxi__simple_q(i, op, akey, w);
}

/* DSC_DMAB_NOP.  0, or -EINVAL (flags, CST_BLK alignment). */
SDXI_INLINE int sdxi_prep_nop(union sdxi_desc *d, const struct sdxi_desc_attr *a)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (sdxi__attr_check(a, 0, 0))
		return -EINVAL;
	sdxi__enc_simple(d, a->csb, a->flags, SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP, 0);
	return 0;
}

/*
 * DSC_DMAB_COPY of @len bytes from @src to @dst (device addresses).
 * Returns 0, -EINVAL (len 0, ranges that wrap, source and destination
 * overlapping when both use the same AKey, CST_BLK misaligned or
 * overlapping the data, unknown flags) or -E2BIG (len above 4 GiB).
 */
SDXI_INLINE int sdxi_prep_copy(union sdxi_desc *d, const struct sdxi_desc_attr *a,
			       uint64_t dst, uint64_t src, uint64_t len)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (len == 0 || sdxi__wraps(src, len) || sdxi__wraps(dst, len))
		return -EINVAL;
	if (len > SDXI_DESC_MAX_LEN)
		return -E2BIG;
	if ((a->akey0 == a->akey1 && sdxi__overlap(src, len, dst, len)) ||
	    sdxi__attr_check(a, src, len) || sdxi__attr_check(a, dst, len))
		return -EINVAL;
	sdxi__enc_copy(d, a->csb, a->akey0, a->akey1, a->flags, dst, src, len);
	return 0;
}

/*
 * DSC_DMAB_REPCOPY: the @len bytes at @src copied @count times to
 * consecutive blocks from @dst.  Returns 0, -EINVAL (len or count 0,
 * ranges that wrap, the source block overlapping the destination, CST_BLK
 * misaligned or overlapping) or -E2BIG (block or whole destination above
 * 4 GiB).
 */
SDXI_INLINE int sdxi_prep_repcopy(union sdxi_desc *d, const struct sdxi_desc_attr *a,
				  uint64_t dst, uint64_t src, uint64_t len, uint64_t count)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (len == 0 || count == 0 || sdxi__wraps(src, len))
		return -EINVAL;
	if (len > SDXI_DESC_MAX_LEN || count > SDXI_DESC_MAX_LEN / len)
		return -E2BIG;
	if (sdxi__wraps(dst, len * count) ||
	    (a->akey0 == a->akey1 && sdxi__overlap(src, len, dst, len * count)) ||
	    sdxi__attr_check(a, src, len) || sdxi__attr_check(a, dst, len * count))
		return -EINVAL;
	sdxi__enc_repcopy(d, a->csb, a->akey0, a->akey1, a->flags, dst, src, len, count);
	return 0;
}

/*
 * DSC_DMAB_WRT_IMM: write the @len bytes at @data (1..32) to @dst; an
 * aligned write of 1, 2, 4 or 8 bytes is single-copy atomic.  Uses
 * a->akey1.  Returns 0, -EINVAL (len 0, range wraps, CST_BLK) or -E2BIG
 * (len above 32).
 */
SDXI_INLINE int sdxi_prep_write_imm(union sdxi_desc *d, const struct sdxi_desc_attr *a,
				    uint64_t dst, const void *data, uint32_t len)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };
	union sdxi_desc t = { { 0 } };

	if (!a)
		a = &none;
	if (len == 0 || sdxi__wraps(dst, len))
		return -EINVAL;
	if (len > SDXI_WRT_IMM_MAX)
		return -E2BIG;
	if (sdxi__attr_check(a, dst, len))
		return -EINVAL;
	t.wrt_imm.opcode = sdxi__le32(sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_WRT_IMM,
						a->flags));
	t.wrt_imm.size = sdxi__le32(len - 1);
	t.wrt_imm.akey1 = sdxi__le16(a->akey1);
	t.wrt_imm.addr1 = sdxi__le64(dst);
	memcpy(t.wrt_imm.data, data, len);
	t.wrt_imm.csb_ptr = sdxi__le64(sdxi__csb_word(a->csb));
	*d = t;
	return 0;
}

/* Does atomic subtype @op exist, and does it read operand 2? */
SDXI_INLINE int sdxi__atomic_op_valid(unsigned int op)
{
	return op >= SDXI_DSC_ATOMIC_SWAP && op <= SDXI_DSC_ATOMIC_CMPSWAP && op != 0x04;
}

SDXI_INLINE int sdxi__atomic_uses_op2(unsigned int op)
{
	return op == SDXI_DSC_ATOMIC_UCLAMPI || op == SDXI_DSC_ATOMIC_UCLAMPD ||
	       op == SDXI_DSC_ATOMIC_CMPSWAP;
}

/*
 * Atomic group: apply @op (SDXI_DSC_ATOMIC_SWAP .. _CMPSWAP) with
 * @operand1/@operand2 to the @size-byte (4 or 8) target at @target
 * (through a->akey0); when @ret is not 0 the old value is written there
 * (through a->akey1).  @operand2 is the compare value of CMPSWAP and the
 * bound of UCLAMPI/UCLAMPD, and must be 0 for the others.  Returns 0 or
 * -EINVAL (unknown op, size, misaligned target or return address,
 * operands wider than @size, target and return overlapping, CST_BLK).
 */
SDXI_INLINE int sdxi_prep_atomic(union sdxi_desc *d, const struct sdxi_desc_attr *a,
				 unsigned int op, unsigned int size, uint64_t target,
				 uint64_t ret, uint64_t operand1, uint64_t operand2)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };
	union sdxi_desc t = { { 0 } };
	uint64_t mask = size == 4 ? 0xffffffffULL : ~0ULL;

	if (!a)
		a = &none;
	if (!sdxi__atomic_op_valid(op) || (size != 4 && size != 8) ||
	    (target & (size - 1)) || (ret & (size - 1)) ||
	    (operand1 & ~mask) || (operand2 & ~mask) ||
	    (operand2 && !sdxi__atomic_uses_op2(op)) ||
	    sdxi__wraps(target, size) || (ret && sdxi__wraps(ret, size)) ||
	    (ret && a->akey0 == a->akey1 && sdxi__overlap(target, size, ret, size)) ||
	    sdxi__attr_check(a, target, size) || (ret && sdxi__attr_check(a, ret, size)))
		return -EINVAL;
	t.atomic.opcode = sdxi__le32(sdxi__opcode(SDXI_DSC_TYPE_ATOMIC, op, a->flags));
	t.atomic.flags = (uint8_t)((size == 4 ? SDXI_ATOMIC_SZ_4 : SDXI_ATOMIC_SZ_8) |
				   (ret ? SDXI_ATOMIC_RV : 0));
	t.atomic.akey0 = sdxi__le16(a->akey0);
	t.atomic.akey1 = sdxi__le16(ret ? a->akey1 : 0);
	t.atomic.addr0 = sdxi__le64(target);
	t.atomic.addr1 = sdxi__le64(ret);
	t.atomic.operand1 = sdxi__le64(operand1);
	t.atomic.operand2 = sdxi__le64(operand2);
	t.atomic.csb_ptr = sdxi__le64(sdxi__csb_word(a->csb));
	*d = t;
	return 0;
}

/*
 * DSC_INTR: raise the interrupt that AKey @akey names (a context's
 * interrupt AKey).  a->akey0/akey1 are not used.  Returns 0 or -EINVAL
 * (flags, CST_BLK alignment).
 */
SDXI_INLINE int sdxi_prep_intr(union sdxi_desc *d, const struct sdxi_desc_attr *a,
			       uint16_t akey)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (sdxi__attr_check(a, 0, 0))
		return -EINVAL;
	sdxi__enc_simple(d, a->csb, a->flags, SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR, akey);
	return 0;
}

/*
 * ---------------------------------------------------------------------
 * The ring (fast path)
 *
 * struct sdxi_ring is the first member of every struct sdxi_ctx; it is
 * public only so that the batch functions and sdxi_poll() can be inline.
 * Applications never allocate it nor write its fields.  The padding keeps
 * the layout stable as fields are added.
 * ---------------------------------------------------------------------
 */

/* struct sdxi_ring.flags */
#define SDXI_RING_SHARED	(1u << 0)	/* SDXI_CTX_SHARED: atomic reservation */

struct sdxi_ring {
	/* Read-only after creation. */
	union sdxi_desc *desc;			/* slots */
	struct sdxi_cst_blk *csb;		/* per-slot CST_BLK (CPU view) */
	uint64_t csb_iova;			/* device address of csb[0] */
	uint64_t *wi;				/* Write_Index, read by the device */
	const struct sdxi_cxt_sts *sts;		/* CXT_STS, written by the device */
	volatile uint64_t *db;			/* doorbell; NULL: software device */
	uint64_t *pub;				/* SHARED: per-slot publication marks */
	uint64_t *pat;				/* per-slot 64-byte fill patterns */
	uint64_t pat_iova;			/* their device address */
	uint64_t max_buffer;			/* bytes per descriptor */
	uint32_t mask;				/* entries - 1 (a power of two) */
	uint32_t flags;				/* SDXI_RING_* */
	uint16_t akey;				/* data AKey */
	uint16_t akey_intr;			/* interrupt AKey, 0xffff if none */
	uint32_t pad0;
	uint64_t base;				/* ticket of hardware index 0 (reset) */
	uint64_t pad1[3];
	/* Producer state, on its own cache line. */
	uint64_t tail;				/* next index to reserve */
	uint64_t cached_r;			/* last read index seen */
	uint64_t pad2[6];
};

/*
 * A batch under construction: reserved slots [first, end) of one context.
 * It lives on the caller's stack and copies what the fast path needs from
 * the ring, so that the compiler can keep it in registers while
 * descriptors are written (stores to the ring cannot alias it).
 */
struct sdxi_batch {
	struct sdxi_ring *ring;
	union sdxi_desc *desc;
	struct sdxi_cst_blk *csb;
	uint64_t csb_iova;
	uint64_t max_buffer;
	uint64_t first;
	uint64_t next;		/* next slot to fill */
	uint64_t end;		/* one past the last reserved slot */
	uint32_t mask;
	uint16_t akey;
	uint16_t flags;		/* SDXI_BATCH_* */
	uint64_t reserved[2];
};

/* sdxi_batch_start() flags */
#define SDXI_BATCH_WAIT		(1u << 0)	/* wait for ring space instead of -EAGAIN */
#define SDXI_BATCH_INTR		(1u << 1)	/* end with a completion interrupt */
#define SDXI__BATCH_SHARED	(1u << 15)	/* internal: the ring is shared */

/* Exported internals used by the inline functions below. */
int64_t __sdxi_reserve(struct sdxi_ring *r, uint64_t need, uint32_t flags);
void __sdxi_publish(struct sdxi_ring *r, uint64_t first, uint64_t end);
void __sdxi_doorbell(struct sdxi_ring *r, uint64_t w);
int __sdxi_poll_slow(struct sdxi_ctx *ctx, uint64_t ticket);

SDXI_INLINE struct sdxi_ring *sdxi__ring(struct sdxi_ctx *ctx)
{
	return (struct sdxi_ring *)(void *)ctx;
}

/*
 * Ring the doorbell with write index @w.  Ordering: the caller stored W
 * (release) before; the doorbell store must reach the device after it.
 * On x86 an uncached store is not reordered with earlier stores; arm64
 * needs a store barrier towards the outer domain (what writeq does).
 */
SDXI_INLINE void sdxi__doorbell(struct sdxi_ring *r, uint64_t w)
{
	if (r->db) {
#if defined(__aarch64__)
		__asm__ __volatile__("dmb oshst" ::: "memory");
#else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
		*r->db = sdxi__le64(w);
	} else {
		__sdxi_doorbell(r, w);
	}
}

/*
 * A batch whose start failed: helpers say -ENOSPC and submit -EINVAL.
 * Every field is set (only on this path, so that the successful one keeps
 * the batch in registers).  Returns @err.
 */
SDXI_INLINE int sdxi__batch_inert(struct sdxi_batch *b, int err)
{
	b->ring = NULL;
	b->desc = NULL;
	b->csb = NULL;
	b->csb_iova = b->max_buffer = b->first = b->next = b->end = 0;
	b->mask = 0;
	b->akey = 0;
	b->flags = 0;
	return err;
}

/*
 * Reserve @n descriptor slots of @ctx (plus one for the interrupt with
 * SDXI_BATCH_INTR) into @b.  Returns 0, -EAGAIN when the ring is full
 * (without SDXI_BATCH_WAIT), -EINVAL (n 0, more than the ring, unknown
 * flags), -EOPNOTSUPP (SDXI_BATCH_INTR without interrupts), or -EIO when
 * the ring is full and the context has failed (it cannot drain).
 * A started batch must be submitted; on a context without SDXI_CTX_SHARED
 * it must be submitted before the next batch is started.
 */
SDXI_INLINE int sdxi_batch_start(struct sdxi_ctx *ctx, struct sdxi_batch *b,
				 unsigned int n, unsigned int flags)
{
	struct sdxi_ring *r = sdxi__ring(ctx);
	uint64_t need = (uint64_t)n + ((flags & SDXI_BATCH_INTR) ? 1 : 0);
	uint64_t t;

	if ((flags & ~(uint32_t)(SDXI_BATCH_WAIT | SDXI_BATCH_INTR)) || n == 0 ||
	    need > (uint64_t)r->mask + 1)
		return sdxi__batch_inert(b, -EINVAL);
	if ((flags & SDXI_BATCH_INTR) && r->akey_intr == 0xffff)
		return sdxi__batch_inert(b, -EOPNOTSUPP);
	t = r->tail;
	/*
	 * Room: slot reuse needs R > index - entries, i.e. the descriptor
	 * that last used the slot has retired (data, CST_BLK and R written).
	 * Acquire on R orders our rewrite of the slot and its CST_BLK after
	 * the device's last access to them.  Shared rings and a full ring go
	 * out of line (atomic reservation, waiting).
	 */
	if ((r->flags & SDXI_RING_SHARED) || t + need - r->cached_r > (uint64_t)r->mask + 1) {
		int64_t first = __sdxi_reserve(r, need, flags);

		if (first < 0)
			return sdxi__batch_inert(b, (int)first);
		t = (uint64_t)first;
	} else {
		r->tail = t + need;
	}
	b->ring = r;
	b->desc = r->desc;
	b->csb = r->csb;
	b->csb_iova = r->csb_iova;
	b->max_buffer = r->max_buffer;
	b->mask = r->mask;
	b->akey = r->akey;
	b->flags = (uint16_t)(flags | ((r->flags & SDXI_RING_SHARED) ? SDXI__BATCH_SHARED : 0));
	b->first = b->next = t;
	b->end = t + n;
	return 0;
}

/*
 * Write a descriptor, given as its eight little-endian quadwords, into the
 * next slot of @b.  Unless it names its own CST_BLK (q7 is not just np)
 * or flags has SDXI_DESC_NO_CSB, the slot's CST_BLK is attached and
 * re-armed (signal 1, flags 0) first.  Ordering: quadwords 1-7 and the
 * CST_BLK are plain stores; quadword 0 with vl is stored last with
 * release, so whoever sees vl = 1 sees the whole descriptor and its armed
 * CST_BLK.  The device only reads a slot below the published W, which is
 * stored after this (sdxi_batch_submit()).
 */
SDXI_INLINE void sdxi__batch_put8(struct sdxi_batch *b, uint32_t flags, uint64_t q0,
				  uint64_t q1, uint64_t q2, uint64_t q3, uint64_t q4,
				  uint64_t q5, uint64_t q6, uint64_t q7)
{
	uint64_t idx = b->next++;
	uint32_t slot = (uint32_t)idx & b->mask;
	union sdxi_desc *s = &b->desc[slot];

	if (!(flags & SDXI_DESC_NO_CSB) && q7 == sdxi__le64((uint64_t)SDXI_DSC_NP)) {
		struct sdxi_cst_blk *c = &b->csb[slot];

		c->signal = sdxi__le64(1);
		c->flags = 0;
		q7 = sdxi__le64(b->csb_iova + (uint64_t)slot * sizeof(struct sdxi_cst_blk));
	}
	s->qw[1] = q1;
	s->qw[2] = q2;
	s->qw[3] = q3;
	s->qw[4] = q4;
	s->qw[5] = q5;
	s->qw[6] = q6;
	s->qw[7] = q7;
	__atomic_store_n(&s->qw[0], q0 | sdxi__le64(SDXI_DSC_VL), __ATOMIC_RELEASE);
}

/* The same for a descriptor in memory. */
SDXI_INLINE void sdxi__batch_put(struct sdxi_batch *b, const union sdxi_desc *d,
				 uint32_t flags)
{
	sdxi__batch_put8(b, flags, d->qw[0], d->qw[1], d->qw[2], d->qw[3], d->qw[4],
			 d->qw[5], d->qw[6], d->qw[7]);
}

/* Slots a helper with @flags needs, checked against what @b has left. */
SDXI_INLINE int sdxi__batch_room(const struct sdxi_batch *b, uint32_t flags,
				 uint64_t descs)
{
	if (flags & ~(uint32_t)(SDXI_DESC_SEQ | SDXI_DESC_FENCE | SDXI_DESC_NO_CSB |
				SDXI_DESC_INTR))
		return -EINVAL;
	if (b->next + descs + ((flags & SDXI_DESC_INTR) ? 1 : 0) > b->end)
		return -ENOSPC;
	if ((flags & SDXI_DESC_INTR) && b->ring->akey_intr == 0xffff)
		return -EOPNOTSUPP;
	return 0;
}

/* The interrupt descriptor a helper with SDXI_DESC_INTR appends. */
SDXI_INLINE void sdxi__batch_intr(struct sdxi_batch *b, uint32_t flags)
{
	union sdxi_desc d;

	if (!(flags & SDXI_DESC_INTR))
		return;
	sdxi__enc_simple(&d, 0, SDXI_DSC_FE, SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR,
			 b->ring->akey_intr);
	sdxi__batch_put(b, &d, 0);
}

/*
 * Add descriptor @d (encoded by a sdxi_prep_* function; vl is set here)
 * to @b.  @flags may hold SDXI_DESC_NO_CSB and SDXI_DESC_INTR.  Returns 0,
 * -ENOSPC when the batch is full, -EINVAL (admin descriptor), -E2BIG
 * (length above the context's max buffer) or -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_add(struct sdxi_batch *b, const union sdxi_desc *d,
			       unsigned int flags)
{
	uint32_t op = sdxi__le32(d->generic.opcode);
	unsigned int type = (unsigned int)SDXI_FIELD_GET(SDXI_DSC_TYPE, op);
	unsigned int sub = (unsigned int)SDXI_FIELD_GET(SDXI_DSC_SUBTYPE, op);
	int ret = sdxi__batch_room(b, flags & (SDXI_DESC_NO_CSB | SDXI_DESC_INTR), 1);

	if (ret)
		return ret;
	if (type == SDXI_DSC_TYPE_ADMIN)
		return -EINVAL;
	if (type == SDXI_DSC_TYPE_DMAB &&
	    (sub == SDXI_DSC_DMAB_COPY || sub == SDXI_DSC_DMAB_REPCOPY)) {
		uint64_t len = (uint64_t)sdxi__le32(d->copy.size) + 1;
		uint64_t reps = sub == SDXI_DSC_DMAB_REPCOPY ?
				(uint64_t)sdxi__le32(d->repcopy.count) + 1 : 1;

		if (len > b->max_buffer || reps > b->max_buffer / len)
			return -E2BIG;
	}
	sdxi__batch_put(b, d, flags);
	sdxi__batch_intr(b, flags);
	return 0;
}

/* NOP in the next slot.  0, -EINVAL (flags), -ENOSPC or -EOPNOTSUPP. */
SDXI_INLINE int sdxi_batch_nop(struct sdxi_batch *b, unsigned int flags)
{
	union sdxi_desc d;
	int ret = sdxi__batch_room(b, flags, 1);

	if (ret)
		return ret;
	sdxi__enc_simple(&d, 0, flags, SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP, 0);
	sdxi__batch_put(b, &d, flags);
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * COPY of @len bytes from @src to @dst (device addresses, e.g. from
 * sdxi_mem_iova()) in the next slot of @b.  Returns 0, -EINVAL (len 0,
 * overlap, flags), -E2BIG (len above the context's max buffer), -ENOSPC
 * or -EOPNOTSUPP; on error nothing is written.  (A range that wraps the
 * address space is not checked here: the device reports a translation
 * fault for it, as for any address it cannot reach.)
 */
SDXI_INLINE int sdxi_batch_copy(struct sdxi_batch *b, uint64_t dst, uint64_t src,
				uint64_t len, unsigned int flags)
{
	uint32_t op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_COPY, flags);
	uint64_t w = SDXI_DSC_NP;
	int ret = sdxi__batch_room(b, flags, 1);
	uint16_t k;

	if (ret)
		return ret;
	k = b->akey;
	if (sdxi__len_bad(len, b->max_buffer))
		return len ? -E2BIG : -EINVAL;
	/* A range that wraps faults on the device (translation): not checked. */
	if (sdxi__overlap_eq(src, dst, len))
		return -EINVAL;
	sdxi__batch_put8(b, flags,
			 sdxi__copy_q(0, op, k, k, dst, src, len, w),
			 sdxi__copy_q(1, op, k, k, dst, src, len, w),
			 sdxi__copy_q(2, op, k, k, dst, src, len, w),
			 sdxi__copy_q(3, op, k, k, dst, src, len, w),
			 sdxi__copy_q(4, op, k, k, dst, src, len, w),
			 sdxi__copy_q(5, op, k, k, dst, src, len, w),
			 sdxi__copy_q(6, op, k, k, dst, src, len, w),
			 sdxi__copy_q(7, op, k, k, dst, src, len, w));
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * REPCOPY: the @len bytes at @src copied to @count consecutive blocks
 * starting at @dst (block i at @dst + i * @len).  Returns 0, -EINVAL (len
 * or count 0, source overlapping the destination, flags), -E2BIG (a
 * block, or len * count, above the context's max buffer), -ENOSPC or
 * -EOPNOTSUPP; on error nothing is written.
 */
SDXI_INLINE int sdxi_batch_repcopy(struct sdxi_batch *b, uint64_t dst, uint64_t src,
				   uint64_t len, uint64_t count, unsigned int flags)
{
	union sdxi_desc d;
	int ret = sdxi__batch_room(b, flags, 1);

	if (ret)
		return ret;
	if (len == 0 || count == 0)
		return -EINVAL;
	if (len > b->max_buffer || count > b->max_buffer / len)
		return -E2BIG;
	if (sdxi__overlap(src, len, dst, len * count))
		return -EINVAL;
	sdxi__enc_repcopy(&d, 0, b->akey, b->akey, flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE),
			  dst, src, len, count);
	sdxi__batch_put(b, &d, flags);
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * WRT_IMM of the @len (1..32) bytes at @data to @dst.  Returns 0, -EINVAL,
 * -E2BIG (len above 32), -ENOSPC or -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_write_imm(struct sdxi_batch *b, uint64_t dst,
				     const void *data, uint32_t len, unsigned int flags)
{
	struct sdxi_desc_attr a;
	union sdxi_desc d;
	int ret = sdxi__batch_room(b, flags, 1);

	if (ret)
		return ret;
	a.csb = 0;
	a.akey0 = a.akey1 = b->akey;
	a.flags = flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE);
	ret = sdxi_prep_write_imm(&d, &a, dst, data, len);
	if (ret)
		return ret;
	sdxi__batch_put(b, &d, flags);
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * Atomic @op on the @size-byte target (see sdxi_prep_atomic()).  Returns 0,
 * -EINVAL, -ENOSPC or -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_atomic(struct sdxi_batch *b, unsigned int op, unsigned int size,
				  uint64_t target, uint64_t ret_addr, uint64_t operand1,
				  uint64_t operand2, unsigned int flags)
{
	struct sdxi_desc_attr a;
	union sdxi_desc d;
	int ret = sdxi__batch_room(b, flags, 1);

	if (ret)
		return ret;
	a.csb = 0;
	a.akey0 = a.akey1 = b->akey;
	a.flags = flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE);
	ret = sdxi_prep_atomic(&d, &a, op, size, target, ret_addr, operand1, operand2);
	if (ret)
		return ret;
	sdxi__batch_put(b, &d, flags);
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * Fill [dst, dst + len) with the 8-byte @pattern (little endian: byte i
 * of the destination is byte i % 8 of the pattern).  REPCOPY of a 64-byte
 * block holding the pattern, kept by the library for this slot, plus a
 * COPY for a tail shorter than 64 bytes: 1 or 2 slots.  Returns 0,
 * -EINVAL (len 0), -E2BIG (len above the max buffer), -ENOSPC or
 * -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_fill(struct sdxi_batch *b, uint64_t dst, uint64_t pattern,
				uint64_t len, unsigned int flags)
{
	uint64_t blocks = len / 64, tail = len % 64;
	uint64_t descs = (uint64_t)(blocks != 0) + (uint64_t)(tail != 0);
	union sdxi_desc d;
	struct sdxi_ring *r;
	int ret = sdxi__batch_room(b, flags, descs);

	if (ret)
		return ret;
	if (sdxi__len_bad(len, b->max_buffer))
		return len ? -E2BIG : -EINVAL;
	r = b->ring;
	/*
	 * Each descriptor reads the pattern block of its own slot, which is
	 * rewritten only when that slot is reused (after it retired).
	 */
	for (uint64_t i = 0; i < descs; i++) {
		uint32_t slot = (uint32_t)(b->next) & b->mask;
		uint64_t *p = r->pat + (uint64_t)slot * 8;
		uint64_t src = r->pat_iova + (uint64_t)slot * 64;
		uint32_t f = (flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE));

		for (int k = 0; k < 8; k++)
			p[k] = sdxi__le64(pattern);
		if (i == 0 && blocks)
			sdxi__enc_repcopy(&d, 0, b->akey, b->akey, f, dst, src, 64, blocks);
		else
			sdxi__enc_copy(&d, 0, b->akey, b->akey, f, dst + blocks * 64, src, tail);
		sdxi__batch_put(b, &d, flags);
	}
	sdxi__batch_intr(b, flags);
	return 0;
}

/* Slots of @b not filled yet. */
SDXI_INLINE unsigned int sdxi_batch_space(const struct sdxi_batch *b)
{
	return (unsigned int)(b->end - b->next);
}

/*
 * Publish @b: unfilled slots become NOPs, the interrupt descriptor is
 * appended with SDXI_BATCH_INTR, then W is stored and the doorbell rung
 * once.  *ticket (if not NULL) is the ticket of the batch's last
 * descriptor: when it completes, the whole batch has.  Returns 0, or
 * -EINVAL for a batch whose sdxi_batch_start() failed.
 *
 * Ordering: every slot's vl was stored with release before; W is stored
 * with release after them, so the device, which reads W and then the
 * slots below it, never sees a stale slot of the previous lap.  With
 * SDXI_CTX_SHARED, __sdxi_publish() advances W only over slots whose
 * producers have finished (a slower producer holds W back; it rings the
 * doorbell for everyone when it publishes).
 */
SDXI_INLINE int sdxi_batch_submit(struct sdxi_batch *b, uint64_t *ticket)
{
	struct sdxi_ring *r = b->ring;
	union sdxi_desc d;
	uint64_t end = b->end;

	if (!r)
		return -EINVAL;
	while (b->next < b->end) {
		sdxi__enc_simple(&d, 0, 0, SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP, 0);
		sdxi__batch_put(b, &d, 0);
	}
	if (b->flags & SDXI_BATCH_INTR) {
		b->end++;
		sdxi__batch_intr(b, SDXI_DESC_INTR);
		end++;
	}
	if (b->flags & SDXI__BATCH_SHARED) {
		__sdxi_publish(r, b->first, end);
	} else {
		__atomic_store_n(r->wi, sdxi__le64(end), __ATOMIC_RELEASE);
		sdxi__doorbell(r, end);
	}
	if (ticket)
		*ticket = r->base + end - 1;
	b->first = b->next = b->end = end;
	return 0;
}

/*
 * Has the descriptor with @ticket completed?  Returns 0 when it completed
 * successfully, -EAGAIN while it is pending, the error of the descriptor
 * when it failed (-EFAULT, -EINVAL, -EIO, see sdxi_ctx_error()),
 * -ECANCELED when an earlier descriptor failed so it will never run, or
 * -EINVAL for a ticket that was never issued.  Non-blocking.
 *
 * Ordering: R is loaded with acquire; the device writes a descriptor's
 * data and CST_BLK before R = index + 1 (hardware contract), so after
 * seeing R > index the data is visible.  The state byte is read after R:
 * the device writes ERR_FN before R on a failure.
 */
SDXI_INLINE int sdxi_poll(struct sdxi_ctx *ctx, uint64_t ticket)
{
	struct sdxi_ring *r = sdxi__ring(ctx);
	uint64_t hw = ticket - r->base, rd;
	uint8_t state;

	if (ticket < r->base)
		return __sdxi_poll_slow(ctx, ticket);
	rd = sdxi__le64(__atomic_load_n(&r->sts->read_index, __ATOMIC_ACQUIRE));
	state = __atomic_load_n(&r->sts->state, __ATOMIC_RELAXED) & SDXI_CXT_STS_STATE;
	if (state == SDXI_CXTV_RUN) {
		if (rd > hw)
			return 0;
		if (hw < __atomic_load_n(&r->tail, __ATOMIC_RELAXED))
			return -EAGAIN;
	}
	return __sdxi_poll_slow(ctx, ticket);
}

/* struct sdxi_wait_opts.mode */
#define SDXI_WAIT_SPIN		0	/* poll; sched_yield() between polls after spin_ns */
#define SDXI_WAIT_BLOCK		1	/* poll for spin_ns, then sleep on the context fd */

/* How sdxi_wait() waits; NULL gives the defaults. */
struct sdxi_wait_opts {
	uint32_t mode;		/* SDXI_WAIT_*; default BLOCK with interrupts, else SPIN */
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
 * ---------------------------------------------------------------------
 */

/*
 * Copy @n bytes from @src to @dst through @ctx and wait for it.  Memory is
 * looked up in (or added to) the registration cache; copies larger than
 * the max buffer are split.  Returns 0 (also for n 0), -EINVAL when the
 * buffers overlap, -EFAULT when memory cannot be registered, or the
 * descriptor's error.
 */
int sdxi_memcpy(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n);
/*
 * Start the copy and return at once with *ticket for sdxi_poll() /
 * sdxi_wait().  Returns 0, -EINVAL (n 0, overlap), -EFAULT, -EAGAIN (ring
 * full) or another negative errno.
 */
int sdxi_memcpy_async(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n,
		      uint64_t *ticket);
/* Fill @n bytes at @dst with the 8-byte @pattern (sdxi_batch_fill()) and wait. 0 or errno. */
int sdxi_fill(struct sdxi_ctx *ctx, void *dst, uint64_t pattern, size_t n);
/* Asynchronous sdxi_fill(). */
int sdxi_fill_async(struct sdxi_ctx *ctx, void *dst, uint64_t pattern, size_t n,
		    uint64_t *ticket);
/* Write the @n (1..32) bytes at @data to @dst in one device write, and wait. */
int sdxi_write_imm(struct sdxi_ctx *ctx, void *dst, const void *data, size_t n);

/* Name of an error-log reason (enum sdxi_err_reason), e.g. "XLATE". */
const char *sdxi_reason_name(unsigned int reason);

#ifdef __cplusplus
}
#endif

#endif /* LIBSDXI_H */
