/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Descriptor ring index arithmetic (SDXI 1.0 3.7; Documentation/hardware.rst,
 * "Descriptor processing").
 *
 * Write_Index W and CXT_STS.read_index R are free-running 64-bit counters
 * that are never wrapped; descriptor k lives in slot k mod N.  N is any
 * ring size the function accepts (>= 1024, <= the CAP0 maximum); a power
 * of two is not assumed.  The inline functions are pure, also built into
 * the host unit tests; the others are the kernel-side producer and the
 * completion-block consumer of a context's ring (ring.c).
 */
#ifndef _SDXI_RING_H
#define _SDXI_RING_H

#include <linux/errno.h>
#include <linux/types.h>
#include <linux/sdxi_hw.h>
#include <sdxi/function.h>

/**
 * sdxi_ring_slot() - ring slot of a descriptor index
 * @index: free-running descriptor index
 * @entries: ring size N
 *
 * Return: @index mod @entries.
 */
static inline u32 sdxi_ring_slot(u64 index, u32 entries)
{
	return (u32)(index % entries);
}

/**
 * sdxi_ring_entries_valid() - whether the function accepts a ring size
 * @entries: ring size in descriptors
 * @max_entries: 1024 << CAP0.max_ds_ring_sz
 *
 * Return: true for SDXI_RING_MIN_ENTRIES <= @entries <= @max_entries.
 */
static inline bool sdxi_ring_entries_valid(u64 entries, u64 max_entries)
{
	return entries >= SDXI_RING_MIN_ENTRIES && entries <= max_entries;
}

/**
 * sdxi_ring_space() - free slots a producer may reserve
 * @read_index: R, read back from CXT_STS (function-owned)
 * @tail: oldest index software has not retired yet (its CST_BLK may still
 *	  be unread), <= @next
 * @next: next index to hand out, i.e. the W last published
 * @entries: ring size N
 *
 * A slot is reusable only when the function has taken it (R passed it: a
 * write index more than N ahead of R is a context error) and software has
 * retired it (its per-slot CST_BLK was read: re-arming it earlier would
 * lose the status).  So the producer may run N slots ahead of
 * min(@read_index, @tail).
 *
 * Return: the number of free slots (0 when full), or -EIO when the indexes
 * are inconsistent: R beyond W, a tail beyond W, or W more than N ahead.
 */
static inline s64 sdxi_ring_space(u64 read_index, u64 tail, u64 next,
				  u32 entries)
{
	u64 base = read_index < tail ? read_index : tail;

	if (read_index > next || tail > next || next - base > entries)
		return -EIO;
	return (s64)(entries - (next - base));
}

/**
 * struct sdxi_ring_rsv - a reservation of ring slots
 * @index: first descriptor index
 * @count: number of consecutive indexes
 */
struct sdxi_ring_rsv {
	u64 index;
	u32 count;
};

struct sdxi_cxt;

int sdxi_ring_try_reserve(struct sdxi_cxt *cxt, u32 count,
			  struct sdxi_ring_rsv *rsv);
int sdxi_ring_reserve(struct sdxi_cxt *cxt, u32 count, unsigned long timeout,
		      struct sdxi_ring_rsv *rsv);
s64 sdxi_ring_free_slots(struct sdxi_cxt *cxt);
void sdxi_ring_publish(struct sdxi_cxt *cxt, u64 index,
		       const union sdxi_desc *desc, bool csb);
void sdxi_ring_doorbell(struct sdxi_cxt *cxt);
void sdxi_ring_retire(struct sdxi_cxt *cxt, u64 end);
u64 sdxi_ring_read_index(struct sdxi_cxt *cxt);
void sdxi_ring_reset(struct sdxi_cxt *cxt);
void sdxi_ring_init(struct sdxi_cxt *cxt);

int sdxi_ring_csb_status(struct sdxi_cxt *cxt, u64 index);
int sdxi_ring_csb_wait(struct sdxi_cxt *cxt, u64 index, unsigned int ms);

#endif /* _SDXI_RING_H */
