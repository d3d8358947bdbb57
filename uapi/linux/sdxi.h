/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/sdxiN: user-mapped SDXI contexts.
 *
 * Documentation/uapi.rst is the full description; this header is the
 * normative ABI.  Hardware formats (descriptors, CST_BLK, CXT_STS) are in
 * <linux/sdxi_hw.h>.
 */
#ifndef _UAPI_LINUX_SDXI_H
#define _UAPI_LINUX_SDXI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: General ioctl format
 *
 * Every ioctl takes a pointer to a struct that starts with
 * ``__u32 size`` (the size user space knows, ``sizeof(struct ...)`` at
 * compile time) and ``__u32 flags``.  The kernel accepts smaller structs
 * from older user space (missing fields read as zero) and larger ones from
 * newer user space as long as the bytes it does not know are zero
 * (copy_struct_from_user()).  Output fields are written only up to the size
 * user space passed.  Every ``flags`` bit not defined here, and every
 * ``__reserved`` field, must be zero.
 *
 * Errors, common to all ioctls:
 *
 * - ENOTTY: unknown ioctl number.
 * - EFAULT: the argument pointer (or a pointer inside it) is not readable
 *   or writable.
 * - EINVAL: size smaller than the first version of the struct, unknown flag
 *   bits, non-zero reserved fields, or an argument out of range.
 * - E2BIG: the struct is larger than the kernel's and the extra bytes are
 *   not zero.
 * - ENOENT: no context with that ID on this file.
 * - EPERM: the calling process is not the one that opened the file
 *   (file passed over a socket or inherited across fork()).
 * - EBADF: a state-changing ioctl (all but GET_INFO and CONTEXT_STATUS) on
 *   a file not opened for writing.
 * - EDQUOT: the file's or the user's limit (Documentation/uapi.rst
 *   "Limits").
 * - ENODEV: the SDXI function was removed; only close() remains useful.
 */

#define SDXI_ABI_VERSION	1

#define SDXI_TYPE		0xDA

enum {
	SDXI_CMD_GET_INFO = 0x00,
	SDXI_CMD_CREATE_CONTEXT = 0x01,
	SDXI_CMD_DESTROY_CONTEXT = 0x02,
	SDXI_CMD_RESET_CONTEXT = 0x03,
	SDXI_CMD_CONTEXT_STATUS = 0x04,
	SDXI_CMD_MAP_MEM = 0x05,
	SDXI_CMD_UNMAP_MEM = 0x06,
	SDXI_CMD_MAP_DMABUF = 0x07,
	SDXI_CMD_UNMAP_DMABUF = 0x08,
	SDXI_CMD_SET_EVENTFD = 0x09,
};

/* Windows between processes (Documentation/uapi.rst "Windows"). */
enum {
	SDXI_CMD_EXPORT_WINDOW = 0x10,
	SDXI_CMD_REVOKE_WINDOW = 0x11,
	SDXI_CMD_IMPORT_WINDOW = 0x12,
	SDXI_CMD_UNIMPORT_WINDOW = 0x13,
};

/* Isolation of user contexts (struct sdxi_info.out_isolation). */
enum sdxi_isolation {
	/* Each context has its own PASID and IOMMU domain; IOVA == VA. */
	SDXI_ISOLATION_PASID = 1,
	/*
	 * No IOMMU, allow_unsafe_noiommu set: MAP_MEM returns bus addresses
	 * and the device can reach all memory.  The kernel is tainted.
	 */
	SDXI_ISOLATION_NONE = 2,
	/*
	 * Shared virtual addressing: the context's data accesses carry the
	 * opener's process PASID and go through its page tables (faults
	 * resolved by the IOMMU); nothing is pinned, MAP_MEM is refused.
	 * Only asked for (struct sdxi_create_context.isolation), never the
	 * default; available with SDXI_INFO_F_SVA.
	 */
	SDXI_ISOLATION_SVA = 3,
};

/*
 * After the function's removal every mapping of a context stays valid and
 * shows private pages instead (Documentation/uapi.rst "Device removal"):
 * the CXT_STS page reads state SDXI_CXTV_STOP_FN, read index 0 and, as the
 * __le32 at byte SDXI_STS_REMOVED_OFFSET (beyond the 16 bytes of CXT_STS,
 * zero while the function is present), SDXI_STS_REMOVED.
 */
#define SDXI_STS_REMOVED_OFFSET		64
#define SDXI_STS_REMOVED		0x52454d44

/* struct sdxi_info.out_flags */
#define SDXI_INFO_F_INTERRUPTS		(1ULL << 0)	/* eventfd/poll completion */
#define SDXI_INFO_F_DMABUF		(1ULL << 1)	/* MAP_DMABUF supported */
#define SDXI_INFO_F_SVA			(1ULL << 2)	/* SDXI_ISOLATION_SVA contexts */
#define SDXI_INFO_F_WINDOWS		(1ULL << 8)	/* EXPORT/IMPORT_WINDOW */

/**
 * struct sdxi_info - ioctl(SDXI_IOC_GET_INFO)
 * @size: sizeof(struct sdxi_info)
 * @flags: must be 0
 * @out_abi_version: SDXI_ABI_VERSION of the kernel
 * @out_sdxi_version: SDXI version of the function, major << 16 | minor
 * @out_op_groups: operation groups user contexts may use, SDXI_OPB_* of
 *                 <linux/sdxi_hw.h> (never the admin group)
 * @out_min_ring_entries: smallest ring CREATE_CONTEXT accepts
 * @out_max_ring_entries: largest ring CREATE_CONTEXT accepts
 * @out_db_stride: bytes of one doorbell window (the doorbell mmap size)
 * @out_max_buffer: largest transfer of one descriptor of a user context,
 *                  in bytes
 * @out_max_contexts: user contexts the function can hold in total
 * @out_free_contexts: user contexts this file can still create now (the
 *                     function's and the file's and user's limits)
 * @out_isolation: enum sdxi_isolation; 0 when user contexts are refused
 *                 (no PASID-capable IOMMU, unsafe mode not allowed)
 * @out_numa_node: NUMA node of the function, or -1
 * @out_flags: SDXI_INFO_F_*
 * @out_kernel_iova: start of the IOVA window where the kernel maps a
 *                   context's own regions (ring, indexes, CST_BLK array);
 *                   MAP_MEM and MAP_DMABUF cannot use it
 * @out_kernel_iova_size: size of that window
 */
struct sdxi_info {
	__u32 size;
	__u32 flags;
	__u32 out_abi_version;
	__u32 out_sdxi_version;
	__u32 out_op_groups;
	__u32 out_min_ring_entries;
	__u32 out_max_ring_entries;
	__u32 out_db_stride;
	__aligned_u64 out_max_buffer;
	__u32 out_max_contexts;
	__u32 out_free_contexts;
	__u32 out_isolation;
	__s32 out_numa_node;
	__aligned_u64 out_flags;
	__aligned_u64 out_kernel_iova;
	__aligned_u64 out_kernel_iova_size;
};

/* struct sdxi_create_context.flags */
#define SDXI_CTX_F_INTERRUPT		(1U << 0)	/* set up the completion AKey */

/**
 * struct sdxi_create_context - ioctl(SDXI_IOC_CREATE_CONTEXT)
 * @size: sizeof(struct sdxi_create_context)
 * @flags: SDXI_CTX_F_*
 * @ring_entries: descriptors in the ring; 0 means out_min_ring_entries.
 *                Any value in [min, max] is accepted (not only powers of 2).
 * @__reserved: must be 0
 * @out_context_id: the context's ID, used by the other ioctls
 * @out_pasid: the PASID the context's accesses are tagged with (0 when
 *             isolation is SDXI_ISOLATION_NONE)
 * @out_akey_data: AKey index to put in descriptors for data accesses
 * @out_akey_intr: AKey index for DSC_INTR (completion interrupt), or
 *                 0xffff without SDXI_CTX_F_INTERRUPT
 * @out_ring_entries: ring size in descriptors (ring_entries, or the
 *                    default for 0)
 * @out_ring_offset: mmap offset of the descriptor ring (read/write)
 * @out_ring_size: its size in bytes (ring_entries * 64, page rounded)
 * @out_wi_offset: mmap offset of the write-index page (read/write); the
 *                 Write_Index is the u64 at offset 0
 * @out_wi_size: its size (one page)
 * @out_sts_offset: mmap offset of the CXT_STS page (read only; a writable
 *                  mapping is refused); struct sdxi_cxt_sts at offset 0
 * @out_sts_size: its size (one page)
 * @out_db_offset: mmap offset of the doorbell (write only, uncached)
 * @out_db_size: its size (the doorbell stride)
 * @out_csb_offset: mmap offset of the CST_BLK array (read/write), one
 *                  32-byte struct sdxi_cst_blk per ring slot
 * @out_csb_size: its size (ring_entries * 32, page rounded)
 * @out_ring_iova: device address of the ring in the context's space
 * @out_wi_iova: device address of the write index
 * @out_sts_iova: device address of CXT_STS
 * @out_csb_iova: device address of CST_BLK 0; slot i is at + 32 * i
 * @isolation: 0 for the function's default (GET_INFO out_isolation:
 *             PASID with registrations, or NONE), or the enum
 *             sdxi_isolation asked for: SDXI_ISOLATION_SVA (EOPNOTSUPP
 *             without SDXI_INFO_F_SVA or when the IOMMU refuses to bind
 *             the caller's address space), or the default's own value.
 *             Appended in the second version of the struct.
 * @out_isolation: the context's enum sdxi_isolation
 *
 * The context is started and ready when the call returns.  The regions
 * stay valid until DESTROY_CONTEXT or close(); RESET_CONTEXT keeps them.
 *
 * An SVA context's data addresses (descriptor addresses through
 * out_akey_data) are the opener's virtual addresses; its own regions stay
 * at the out_*_iova addresses, in an address space of their own.
 */
struct sdxi_create_context {
	__u32 size;
	__u32 flags;
	__u32 ring_entries;
	__u32 __reserved;
	__u32 out_context_id;
	__u32 out_pasid;
	__u16 out_akey_data;
	__u16 out_akey_intr;
	__u32 out_ring_entries;
	__aligned_u64 out_ring_offset;
	__aligned_u64 out_ring_size;
	__aligned_u64 out_wi_offset;
	__aligned_u64 out_wi_size;
	__aligned_u64 out_sts_offset;
	__aligned_u64 out_sts_size;
	__aligned_u64 out_db_offset;
	__aligned_u64 out_db_size;
	__aligned_u64 out_csb_offset;
	__aligned_u64 out_csb_size;
	__aligned_u64 out_ring_iova;
	__aligned_u64 out_wi_iova;
	__aligned_u64 out_sts_iova;
	__aligned_u64 out_csb_iova;
	__u32 isolation;
	__u32 out_isolation;
};

/**
 * struct sdxi_context_cmd - DESTROY_CONTEXT and RESET_CONTEXT
 * @size: sizeof(struct sdxi_context_cmd)
 * @flags: must be 0
 * @context_id: the context
 * @__reserved: must be 0
 *
 * DESTROY_CONTEXT stops the context, waits (bounded) for it to stop,
 * revokes its mappings, unmaps and unpins its memory and frees it.
 *
 * RESET_CONTEXT recovers a context from an error (or any state): it stops
 * the context, zeroes the ring, the write index and the CST_BLK array,
 * restarts it at read index 0 and clears its error records.  Mappings stay
 * valid; user space restarts its own write index at 0.  When the admin
 * context cannot stop or start it, the error is returned and the context
 * stays stopped.
 */
struct sdxi_context_cmd {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__u32 __reserved;
};

/**
 * struct sdxi_error_record - one decoded error-log entry of a context
 * @dsc_index: index of the failed descriptor (valid with SDXI_ERR_F_DIV)
 * @addr: address involved (error-log vendor_addr), or 0
 * @step: SDXI_STEP_* of <linux/sdxi_hw.h>
 * @sub_step: SDXI_SUB_STEP_*
 * @reaction: SDXI_RE_*
 * @reason: enum sdxi_err_reason
 * @buf: SDXI_BUF_* (valid with SDXI_ERR_F_BV)
 * @flags: SDXI_ERR_F_*
 * @__reserved: 0
 */
struct sdxi_error_record {
	__aligned_u64 dsc_index;
	__aligned_u64 addr;
	__u8 step;
	__u8 sub_step;
	__u8 reaction;
	__u8 buf;
	__u16 reason;
	__u16 flags;
#define SDXI_ERR_F_DIV		(1U << 0)
#define SDXI_ERR_F_BV		(1U << 1)
	__u32 __reserved[2];
};

/**
 * struct sdxi_context_status - ioctl(SDXI_IOC_CONTEXT_STATUS)
 * @size: sizeof(struct sdxi_context_status)
 * @flags: must be 0
 * @context_id: the context
 * @out_state: SDXI_CXTV_* as the function reports it in CXT_STS
 * @out_read_index: CXT_STS.read_index
 * @out_errors: error records produced for this context since CREATE or
 *              the last RESET (the kernel keeps the most recent ones)
 * @nr_records: in: room in @records; out: records written.  When more
 *              records are kept than fit, the most recent ones are
 *              returned; records are in the order they were logged
 *              (most recent last)
 * @__reserved: must be 0
 * @records: user pointer to an array of struct sdxi_error_record
 */
struct sdxi_context_status {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__u32 out_state;
	__aligned_u64 out_read_index;
	__u32 out_errors;
	__u32 nr_records;
	__aligned_u64 records;
};

/* struct sdxi_map_mem.flags and struct sdxi_map_dmabuf.flags */
#define SDXI_MAP_READ			(1U << 0)	/* the device may read */
#define SDXI_MAP_WRITE			(1U << 1)	/* the device may write */

/**
 * struct sdxi_map_mem - ioctl(SDXI_IOC_MAP_MEM) and ioctl(SDXI_IOC_UNMAP_MEM)
 * @size: sizeof(struct sdxi_map_mem)
 * @flags: MAP: SDXI_MAP_READ and/or SDXI_MAP_WRITE; UNMAP: 0
 * @context_id: the context whose address space is changed
 * @__reserved: must be 0
 * @vaddr: page-aligned start of the user range
 * @length: page-aligned length
 * @out_iova: MAP: the device address of @vaddr: @vaddr itself with
 *            SDXI_ISOLATION_PASID; the bus address with SDXI_ISOLATION_NONE
 *            (which needs the range physically contiguous)
 *
 * MAP pins the pages (FOLL_LONGTERM, charged to RLIMIT_MEMLOCK and the
 * device's pinning limits before anything is allocated) and maps
 * them at IOVA == VA with the requested access.  A range overlapping an
 * existing registration of the context is refused (EEXIST).  UNMAP takes
 * exactly a range given to MAP: the device loses access (IOTLB flushed)
 * before the pages are unpinned, so a descriptor still in flight faults
 * instead of touching freed memory.  Registrations go away with the
 * context.  An SDXI_ISOLATION_SVA context has no registrations: MAP_MEM
 * and MAP_DMABUF are refused (EOPNOTSUPP), nothing is pinned.
 */
struct sdxi_map_mem {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__u32 __reserved;
	__aligned_u64 vaddr;
	__aligned_u64 length;
	__aligned_u64 out_iova;
};

/**
 * struct sdxi_map_dmabuf - ioctl(SDXI_IOC_MAP_DMABUF)
 * @size: sizeof(struct sdxi_map_dmabuf)
 * @flags: SDXI_MAP_READ and/or SDXI_MAP_WRITE
 * @context_id: the context
 * @fd: the dma-buf
 * @offset: page-aligned offset into the dma-buf
 * @length: page-aligned length
 * @iova: page-aligned device address to map at; user space names a range it
 *        reserved (e.g. mmap(PROT_NONE)) so that it does not collide with
 *        its own registrations
 *
 * The device may write the buffer only if its file is open for writing,
 * read it only if it is open for reading (else EACCES).  The kernel
 * attaches dynamically: when the exporter moves the buffer the mapping is
 * revoked (descriptors touching it fault) and re-established on the next
 * use.  UNMAP_DMABUF takes struct sdxi_unmap_dmabuf.
 */
struct sdxi_map_dmabuf {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__s32 fd;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 iova;
};

/**
 * struct sdxi_unmap_dmabuf - ioctl(SDXI_IOC_UNMAP_DMABUF)
 * @size: sizeof(struct sdxi_unmap_dmabuf)
 * @flags: must be 0
 * @context_id: the context
 * @__reserved: must be 0
 * @iova: the iova given to MAP_DMABUF
 */
struct sdxi_unmap_dmabuf {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__u32 __reserved;
	__aligned_u64 iova;
};

/**
 * struct sdxi_set_eventfd - ioctl(SDXI_IOC_SET_EVENTFD)
 * @size: sizeof(struct sdxi_set_eventfd)
 * @flags: must be 0
 * @context_id: the context (created with SDXI_CTX_F_INTERRUPT)
 * @fd: eventfd signalled on completion interrupts (back-to-back ones may
 *      be merged), or -1 to remove it
 *
 * Independently of any eventfd, poll() on the device file reports POLLIN
 * after a completion interrupt of any of its contexts (read() returns and
 * clears the u64 count of them), and POLLPRI | POLLERR while one of its
 * contexts is in error.
 */
struct sdxi_set_eventfd {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__s32 fd;
};

/**
 * struct sdxi_export_window - ioctl(SDXI_IOC_EXPORT_WINDOW)
 * @size: sizeof(struct sdxi_export_window)
 * @flags: SDXI_MAP_READ and/or SDXI_MAP_WRITE: what importers may do
 * @context_id: the exporting context
 * @__reserved: must be 0
 * @vaddr: page-aligned start of the exported range
 * @length: page-aligned length
 * @out_fd: the window file descriptor (close-on-exec), to pass to
 *	    importers (e.g. with SCM_RIGHTS)
 * @out_window_id: the window's ID in the context, for REVOKE_WINDOW
 *
 * The range must lie inside one MAP_MEM registration of the context that
 * allows at least the access in @flags (else ENOENT or EACCES); for an
 * SVA context, inside the caller's mappings with at least that access
 * (else ENOENT or EACCES), and the window pins it.  Importers
 * reach exactly [vaddr, vaddr + length) with exactly @flags, through a
 * PASID of the window's own (Documentation/uapi.rst "Windows").  The
 * window is revoked by REVOKE_WINDOW, by UNMAP_MEM of its registration, by
 * DESTROY_CONTEXT of the exporting context and by the exporter's close()
 * or exit; closing a window fd never revokes it (other processes may hold
 * copies).  Each window holds a PASID and counts as a context against the
 * limits.  EXDEV is never returned here; EOPNOTSUPP without
 * SDXI_ISOLATION_PASID.
 */
struct sdxi_export_window {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__u32 __reserved;
	__aligned_u64 vaddr;
	__aligned_u64 length;
	__s32 out_fd;
	__u32 out_window_id;
};

/**
 * struct sdxi_window_cmd - ioctl(SDXI_IOC_REVOKE_WINDOW)
 * @size: sizeof(struct sdxi_window_cmd)
 * @flags: must be 0
 * @context_id: the exporting context
 * @window_id: out_window_id of EXPORT_WINDOW
 *
 * Synchronous: when it returns, every importer's AKey for the window is
 * invalid, no descriptor of any importer touches the range any more
 * (queued ones fail in their own context with reason AKEY_INVALID), the
 * window's PASID is detached and its IOTLB entries flushed.
 */
struct sdxi_window_cmd {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__u32 window_id;
};

/**
 * struct sdxi_import_window - ioctl(SDXI_IOC_IMPORT_WINDOW)
 * @size: sizeof(struct sdxi_import_window)
 * @flags: must be 0
 * @context_id: the importing context (of this file)
 * @fd: a window file descriptor
 * @out_akey: AKey index of the context to name the window in descriptors
 * @out_flags: SDXI_MAP_READ and/or SDXI_MAP_WRITE, as exported
 * @__reserved: must be 0
 * @out_base: the device address of the window's first byte under
 *	      @out_akey (the exporter's vaddr)
 * @out_length: the window's length
 *
 * Errors: EINVAL (@fd is not a window), EBADF (@fd is not open),
 * EKEYREVOKED (the window was revoked), EXDEV (the window belongs to
 * another SDXI function: RKeys are not supported), ENOSPC (no free AKey
 * in the context).
 */
struct sdxi_import_window {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__s32 fd;
	__u16 out_akey;
	__u16 out_flags;
	__u32 __reserved;
	__aligned_u64 out_base;
	__aligned_u64 out_length;
};

/**
 * struct sdxi_unimport_window - ioctl(SDXI_IOC_UNIMPORT_WINDOW)
 * @size: sizeof(struct sdxi_unimport_window)
 * @flags: must be 0
 * @context_id: the importing context
 * @akey: out_akey of IMPORT_WINDOW
 * @__reserved: must be 0
 *
 * Invalidates the AKey (synchronously, as REVOKE_WINDOW) and frees it for
 * a later import.  An import whose window was revoked keeps its AKey,
 * invalid, until UNIMPORT_WINDOW or the context's end, so an index is
 * never silently reused.
 */
struct sdxi_unimport_window {
	__u32 size;
	__u32 flags;
	__u32 context_id;
	__u16 akey;
	__u16 __reserved;
};

#define SDXI_IOC_GET_INFO	_IO(SDXI_TYPE, SDXI_CMD_GET_INFO)
#define SDXI_IOC_CREATE_CONTEXT	_IO(SDXI_TYPE, SDXI_CMD_CREATE_CONTEXT)
#define SDXI_IOC_DESTROY_CONTEXT _IO(SDXI_TYPE, SDXI_CMD_DESTROY_CONTEXT)
#define SDXI_IOC_RESET_CONTEXT	_IO(SDXI_TYPE, SDXI_CMD_RESET_CONTEXT)
#define SDXI_IOC_CONTEXT_STATUS	_IO(SDXI_TYPE, SDXI_CMD_CONTEXT_STATUS)
#define SDXI_IOC_MAP_MEM	_IO(SDXI_TYPE, SDXI_CMD_MAP_MEM)
#define SDXI_IOC_UNMAP_MEM	_IO(SDXI_TYPE, SDXI_CMD_UNMAP_MEM)
#define SDXI_IOC_MAP_DMABUF	_IO(SDXI_TYPE, SDXI_CMD_MAP_DMABUF)
#define SDXI_IOC_UNMAP_DMABUF	_IO(SDXI_TYPE, SDXI_CMD_UNMAP_DMABUF)
#define SDXI_IOC_SET_EVENTFD	_IO(SDXI_TYPE, SDXI_CMD_SET_EVENTFD)
#define SDXI_IOC_EXPORT_WINDOW	_IO(SDXI_TYPE, SDXI_CMD_EXPORT_WINDOW)
#define SDXI_IOC_REVOKE_WINDOW	_IO(SDXI_TYPE, SDXI_CMD_REVOKE_WINDOW)
#define SDXI_IOC_IMPORT_WINDOW	_IO(SDXI_TYPE, SDXI_CMD_IMPORT_WINDOW)
#define SDXI_IOC_UNIMPORT_WINDOW _IO(SDXI_TYPE, SDXI_CMD_UNIMPORT_WINDOW)

#endif /* _UAPI_LINUX_SDXI_H */
