/* SPDX-License-Identifier: MIT */
/*
 * sdxie: the SDXI 1.0 engine core.
 *
 * The one place where SDXI semantics are executed in software: the
 * function's register file and state machine, the context table walk,
 * descriptor fetch and execution, completion status blocks, interrupts and
 * the error log.  It is glue-agnostic: the QEMU device model and libsdxi's
 * software device both wrap it.  Pure C11, no QEMU or kernel headers; all
 * memory is reached through struct sdxie_host_ops, and all state lives in
 * a struct sdxie_fn (no globals).
 *
 * Threading: an sdxie_fn is not internally locked.  The host serializes
 * every call on one function (QEMU: the BQL; libsdxi: its device lock).
 *
 * Documentation/hardware.rst is the contract this code implements.
 */
#ifndef SDXIE_H
#define SDXIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/sdxi_hw.h>
#include <sdxi/function.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Address space of one access.  The function address space (has_pasid
 * false) is the requester-ID space: L2/L1 tables, CXT_CTL, AKey tables,
 * the error log.  A PASID address space is used for a context whose L1
 * entry has pv = 1 (its ring, write index, CXT_STS, CST_BLKs) and for data
 * reached through an AKey entry with pv = 1.
 */
struct sdxie_as {
	uint32_t pasid;
	bool has_pasid;
};

/* Result of a host memory access. */
enum sdxie_mem_status {
	SDXIE_MEM_OK = 0,
	SDXIE_MEM_XLATE = 1,	/* translation failed (IOMMU fault, unmapped) */
	SDXIE_MEM_ACCESS = 2,	/* translated but the access failed */
	/*
	 * Not translated yet, and the host has asked for the translation
	 * (an ATS miss on a page that is not present: a PRI page request).
	 * The engine makes no further access for the context: the
	 * descriptor is suspended where it is, and the context waits until
	 * the host calls sdxie_translation_ready() (Documentation/hardware.rst,
	 * "ATS and page requests").
	 */
	SDXIE_MEM_PENDING = 3,
};

/* Trace events the engine reports to its host (optional). */
enum sdxie_event_kind {
	SDXIE_EV_DESC,		/* a descriptor retired (status 0 or error) */
	SDXIE_EV_ERROR,		/* an error-log entry was produced */
	SDXIE_EV_FN_STATE,	/* STS0.fn_gsv changed */
	SDXIE_EV_CXT_STATE,	/* a context's state changed */
};

struct sdxie_event {
	enum sdxie_event_kind kind;
	uint16_t cxt;
	uint16_t type;
	uint8_t subtype;
	uint8_t state;		/* FN_STATE: gsv; CXT_STATE: SDXI_CXTV_* */
	uint64_t index;		/* DESC, ERROR: descriptor index */
	const struct sdxi_errlog_ent *err;	/* ERROR, DESC on failure */
};

/*
 * Services the host provides.  read/write are mandatory; map/unmap are an
 * optional fast path for bulk data and host-atomic operations.  Every
 * callback returns an enum sdxie_mem_status where it returns an int.
 */
struct sdxie_host_ops {
	int (*read)(void *opaque, struct sdxie_as as, uint64_t addr,
		    void *buf, uint64_t len);
	int (*write)(void *opaque, struct sdxie_as as, uint64_t addr,
		     const void *buf, uint64_t len);
	/*
	 * Map up to *len bytes at addr for direct access and return the
	 * host pointer, with *len set to the contiguous length mapped (> 0).
	 * Return NULL with *status set on a fault, or NULL with *status
	 * SDXIE_MEM_OK when direct mapping is not possible here (the engine
	 * then falls back to read/write through a bounce buffer).  The
	 * engine may keep a mapping until the sdxie_run() call that took it
	 * returns (a context's turn reuses it, as an IOTLB entry), so the
	 * host must keep it valid that long; every mapping is unmapped
	 * before the call returns.
	 */
	void *(*map)(void *opaque, struct sdxie_as as, uint64_t addr,
		     uint64_t *len, bool is_write, int *status);
	void (*unmap)(void *opaque, void *host, uint64_t len, bool is_write);
	/*
	 * Optional: translate [addr, addr + len) for an access of this kind
	 * without accessing it, as an ATS translation request made ahead of
	 * use.  The engine probes what a descriptor writes after its first
	 * side effect (the CST_BLK, atomic return data, CXT_STS), so that a
	 * page request (SDXIE_MEM_PENDING) can only suspend a descriptor at
	 * a point where running it again is correct.  Only
	 * SDXIE_MEM_PENDING is acted on; a fault is reported by the access
	 * itself.
	 */
	int (*probe)(void *opaque, struct sdxie_as as, uint64_t addr,
		     uint64_t len, bool is_write);
	/* Whether a PASID value may be used at all (PASID enabled, in range). */
	bool (*pasid_usable)(void *opaque, uint32_t pasid);
	/* Raise MSI-X vector @vector; return false if it does not exist. */
	bool (*irq)(void *opaque, unsigned int vector);
	/* Ask the host to call sdxie_run() soon (e.g. schedule a BH). */
	void (*kick)(void *opaque);
	/* Optional trace hook. */
	void (*event)(void *opaque, const struct sdxie_event *ev);
};

/* Capabilities of the function (CAP0/CAP1 contents). */
struct sdxie_config {
	uint16_t max_cxt;	/* CAP1.max_cxt: highest context ID */
	uint8_t max_ring_sz;	/* CAP0.max_ds_ring_sz: 1024 << n entries */
	uint8_t db_stride;	/* CAP0.db_stride: 4 KiB << n */
	uint8_t max_buffer;	/* CAP1.max_buffer: 2^(n+21) bytes */
	uint8_t max_akey_sz;	/* CAP1.max_akey_sz: 256 << n entries */
	uint8_t max_errlog_sz;	/* CAP1.max_errlog_sz: 64 << n entries */
	uint32_t opb_cap;	/* CAP1.opb_000_cap */
	uint16_t sfunc;		/* CAP0.sfunc */
	uint16_t nr_vectors;	/* interrupt vectors the host can raise */
	uint16_t burst;		/* descriptors per context turn (arbitration) */
	/*
	 * Behaviours SDXI 1.0 leaves open (Documentation/hardware.rst,
	 * "Behaviours the specification leaves open"); false/0 is the default.
	 */
	bool reset_immediate;	/* a RESET requested in STOP completes at once */
	bool clear_valid;	/* clear a slot's vl once its descriptor executed */
	uint32_t shuffle_seed;	/* nonzero: shuffle each round's turn order */
	bool read_index_fetch;	/* R passes a descriptor when it is fetched */
};

/* Default capabilities of our function (Documentation/hardware.rst). */
#define SDXIE_DEFAULT_MAX_CXT		127
#define SDXIE_DEFAULT_MAX_RING_SZ	4	/* 16384 descriptors */
#define SDXIE_DEFAULT_DB_STRIDE		0	/* 4 KiB */
#define SDXIE_DEFAULT_MAX_BUFFER	11	/* 4 GiB */
#define SDXIE_DEFAULT_MAX_AKEY_SZ	2	/* 1024 entries */
#define SDXIE_DEFAULT_MAX_ERRLOG_SZ	4	/* 1024 entries */
#define SDXIE_DEFAULT_OPB_CAP		(SDXI_OPB_DMAB | SDXI_OPB_ADMIN | \
					 SDXI_OPB_ATOMIC | SDXI_OPB_INTR)
#define SDXIE_DEFAULT_NR_VECTORS	128
#define SDXIE_DEFAULT_BURST		64

/*
 * Data bytes one sdxie_run() call, and so one context's turn, moves at
 * most.  A COPY or REPCOPY that reaches this limit is suspended there and
 * resumed at the context's next turn (Documentation/hardware.rst,
 * "Arbitration").
 */
#define SDXIE_TURN_BYTES		(256ULL << 10)

/* Fill @cfg with the defaults above. */
void sdxie_config_default(struct sdxie_config *cfg);

/*
 * Check @cfg.  Returns 0, or -1 with a one-line reason naming the field and
 * its legal range written to @why.
 */
int sdxie_config_check(const struct sdxie_config *cfg, char *why, size_t len);

struct sdxie_fn;

/* Create a function in GSV_STOP with reset register values; NULL on ENOMEM. */
struct sdxie_fn *sdxie_fn_new(const struct sdxie_config *cfg,
			      const struct sdxie_host_ops *ops, void *opaque);
void sdxie_fn_free(struct sdxie_fn *fn);

/* Synchronous function-level reset (device reset, FLR): no memory access. */
void sdxie_fn_reset(struct sdxie_fn *fn);

/*
 * BAR0 register access.  @size is 4 or 8.  Reads of reserved offsets
 * return 0; writes that are not 8 bytes wide and 8-byte aligned, to
 * read-only or reserved offsets, are ignored.  Return value of the write:
 * false when the write was ignored (so the host can log a guest error).
 */
uint64_t sdxie_mmio_read(struct sdxie_fn *fn, uint64_t off, unsigned int size);
bool sdxie_mmio_write(struct sdxie_fn *fn, uint64_t off, uint64_t val,
		      unsigned int size);

/*
 * Doorbell of context @cxt (BAR2 offset / db_stride).  The value is the
 * producer's write index; the function reads Write_Index from memory.
 * Returns false when the doorbell is ignored (context beyond max_cxt,
 * function not active, context not running).
 */
bool sdxie_doorbell(struct sdxie_fn *fn, uint32_t cxt, uint64_t value);

/*
 * Make progress: complete a pending state transition, then serve contexts
 * one turn at a time (Documentation/hardware.rst, "Arbitration"): the
 * admin context whenever it has work, else the next client context in
 * round robin.  A turn executes at most cfg.burst descriptors.
 *
 * One call executes at most @budget descriptors (a suspension counts as
 * one) and moves at most SDXIE_TURN_BYTES data bytes: a transfer that
 * reaches that limit is suspended and resumed at its context's next turn.
 * So the time a call takes is bounded whatever the descriptors are, and a
 * host that must notice doorbells while work is pending (QEMU: a doorbell
 * write needs the lock this call holds) passes a small budget, e.g.
 * cfg.burst, and calls again.  Budget 0 only completes a pending state
 * transition.  Returns true when work remains, in which case the host
 * calls again later.
 */
bool sdxie_run(struct sdxie_fn *fn, unsigned int budget);

/*
 * Translations the host reported SDXIE_MEM_PENDING for may now be retried
 * (a page request was answered, with success or not): every context
 * waiting for one is queued again and the host is kicked.  A failed
 * request makes the retried access report SDXIE_MEM_XLATE, which becomes
 * the context's error as any translation fault does.
 */
void sdxie_translation_ready(struct sdxie_fn *fn);

/*
 * Fault injection (Documentation/hardware.rst, "Fault injection").  A trap
 * value of 0 is off.  sdxie_set_faults() re-arms fault-after only when the
 * value differs from what sdxie_get_faults() reports, so a host may read,
 * change another knob and write the whole struct back.
 */
struct sdxie_faults {
	uint64_t addr;		/* any data access covering addr faults */
	uint64_t after;		/* data bytes that still move; the access
				 * that would cross this count faults and
				 * the trap disarms (one-shot) */
	bool stall;		/* execute no descriptor while set */
};
void sdxie_set_faults(struct sdxie_fn *fn, const struct sdxie_faults *f);
void sdxie_get_faults(const struct sdxie_fn *fn, struct sdxie_faults *f);
/* Put the function into GSV_ERROR with an error-log entry (reaction 2). */
void sdxie_force_fn_error(struct sdxie_fn *fn);

/* Introspection for tests and tracing. */
struct sdxie_stats {
	uint64_t descriptors;	/* retired, including failed ones */
	uint64_t errors;	/* error-log entries produced */
	uint64_t errlog_lost;	/* entries dropped (log off/full/broken) */
	uint64_t doorbells;
	uint64_t bytes;		/* data bytes written by data operations */
};
void sdxie_get_stats(const struct sdxie_fn *fn, struct sdxie_stats *st);
uint8_t sdxie_fn_state(const struct sdxie_fn *fn);		/* gsv */
uint8_t sdxie_cxt_state(const struct sdxie_fn *fn, uint32_t cxt); /* CXTV_* */

#ifdef __cplusplus
}
#endif

#endif /* SDXIE_H */
