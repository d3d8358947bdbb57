// SPDX-License-Identifier: MIT
/*
 * Memory accesses of the function.  Control structures (tables, rings,
 * indexes, status, completion blocks, the error log) go straight to the
 * host.  Data accesses (descriptor buffers, atomic targets and return
 * data) also pass through fault injection, and bulk copies use the host's
 * direct mapping when it has one.
 *
 * Any access may return SDXIE_MEM_PENDING (the host asked for the page:
 * hardware.rst, "ATS and page requests").  Data accesses report it as an
 * error with .pending set, which exec.c turns into a suspension of the
 * descriptor; control-structure accesses return it to their caller.
 */
#include "internal.h"

int mem_read(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	     void *buf, uint64_t len)
{
	if (addr + len < addr)
		return SDXIE_MEM_XLATE;
	return fn->ops->read(fn->opaque, as, addr, buf, len);
}

int mem_write(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	      const void *buf, uint64_t len)
{
	/* Data written through views first reaches the host. */
	view_release_writes(fn);
	if (addr + len < addr)
		return SDXIE_MEM_XLATE;
	return fn->ops->write(fn->opaque, as, addr, buf, len);
}

/*
 * mem_probe: translate [@addr, @addr + @len) ahead of an access through the
 * host's probe hook (an ATS translation request).  SDXIE_MEM_OK when the
 * host has no such hook.
 */
int mem_probe(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	      uint64_t len, bool is_write)
{
	if (!fn->ops->probe || !len || addr + len < addr)
		return SDXIE_MEM_OK;
	return fn->ops->probe(fn->opaque, as, addr, len, is_write);
}

/* A pending translation that must fail after all counts as a translation error. */
uint8_t mem_sub_step(int status)
{
	return status == SDXIE_MEM_ACCESS ? SDXI_SUB_STEP_ACCESS : SDXI_SUB_STEP_XLATE;
}

uint16_t mem_reason(int status)
{
	return status == SDXIE_MEM_ACCESS ? SDXI_ERR_ACCESS : SDXI_ERR_XLATE;
}

static bool data_fault(struct sdxie_err *e, int status, uint16_t reason,
		       uint8_t buf, uint64_t addr)
{
	*e = (struct sdxie_err){
		.step = SDXI_STEP_DATA,
		.sub_step = mem_sub_step(status),
		.reason = reason,
		.bv = true,
		.buf = buf,
		.addr = addr,
	};
	return false;
}

static bool mem_fault(struct sdxie_err *e, int status, uint8_t buf, uint64_t addr)
{
	data_fault(e, status, mem_reason(status), buf, addr);
	e->pending = status == SDXIE_MEM_PENDING;
	return false;
}

/* Bytes of [addr, addr + len) reachable before the fault-addr trap. */
static uint64_t fault_limit(const struct sdxie_fn *fn, uint64_t addr, uint64_t len)
{
	uint64_t trap = fn->faults.addr;

	if (trap && trap >= addr && trap - addr < len)
		return trap - addr;
	return len;
}

/* Bytes that may still move before the fault-after trap fires. */
static uint64_t after_limit(const struct sdxie_fn *fn, uint64_t len)
{
	return fn->faults.after_armed && fn->faults.after_left < len ?
	       fn->faults.after_left : len;
}

static void after_consume(struct sdxie_fn *fn, uint64_t n)
{
	if (fn->faults.after_armed)
		fn->faults.after_left -= n;
}

/* Source of a transfer: device memory, or host memory the engine holds. */
struct data_src {
	struct sdxie_as as;
	uint64_t addr;
	const uint8_t *host;	/* non-NULL: the bytes are here */
};

/*
 * Direct access to data: in a client context's turn through the turn's
 * views (kept mapped until the turn ends or a control structure is
 * written), otherwise mapped for this one access.
 */
static void *map_data(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
		      uint64_t *len, bool is_write, int *st)
{
	if (fn->view.on)
		return view_data(fn, as, addr, len, is_write, st);
	return fn->ops->map(fn->opaque, as, addr, len, is_write, st);
}

static void unmap_data(struct sdxie_fn *fn, void *host, uint64_t len, bool is_write)
{
	if (!fn->view.on)
		fn->ops->unmap(fn->opaque, host, len, is_write);
}

/* Write up to @n bytes from host memory; the count written or 0 with @e. */
static uint64_t write_chunk(struct sdxie_fn *fn, struct sdxie_as das, uint64_t dst,
			    const uint8_t *src, uint64_t n, struct sdxie_err *e)
{
	const struct sdxie_host_ops *ops = fn->ops;
	int st = SDXIE_MEM_OK;

	if (ops->map) {
		uint64_t dl = n;
		void *d = map_data(fn, das, dst, &dl, true, &st);

		if (d) {
			memcpy(d, src, dl);
			unmap_data(fn, d, dl, true);
			return dl;
		}
		if (st)
			return mem_fault(e, st, SDXI_BUF_DST, dst), 0;
	}
	n = min64(n, SDXIE_BOUNCE_SIZE);
	st = ops->write(fn->opaque, das, dst, src, n);
	if (st)
		return mem_fault(e, st, SDXI_BUF_DST, dst), 0;
	return n;
}

/* Move up to @n bytes; return the count moved (> 0) or 0 with @e set. */
static uint64_t copy_chunk(struct sdxie_fn *fn, struct sdxie_as das, uint64_t dst,
			   struct sdxie_as sas, uint64_t src, uint64_t n,
			   struct sdxie_err *e)
{
	const struct sdxie_host_ops *ops = fn->ops;
	int st = SDXIE_MEM_OK;

	if (ops->map) {
		uint64_t sl = n, dl;
		void *s = map_data(fn, sas, src, &sl, false, &st);
		void *d;

		if (!s && st)
			return mem_fault(e, st, SDXI_BUF_SRC, src), 0;
		if (s) {
			/* The destination is mapped no longer than the source,
			 * so every mapped destination byte is written. */
			dl = sl;
			d = map_data(fn, das, dst, &dl, true, &st);
			if (d) {
				memmove(d, s, dl);
				unmap_data(fn, d, dl, true);
				unmap_data(fn, s, sl, false);
				return dl;
			}
			unmap_data(fn, s, sl, false);
			if (st)
				return mem_fault(e, st, SDXI_BUF_DST, dst), 0;
		}
	}
	n = min64(n, SDXIE_BOUNCE_SIZE);
	st = ops->read(fn->opaque, sas, src, fn->bounce, n);
	if (st)
		return mem_fault(e, st, SDXI_BUF_SRC, src), 0;
	st = ops->write(fn->opaque, das, dst, fn->bounce, n);
	if (st)
		return mem_fault(e, st, SDXI_BUF_DST, dst), 0;
	return n;
}

/*
 * Move @len bytes front to back, through both fault traps; a fault leaves
 * the bytes before it written.  Traps apply to a device-memory source
 * only (a host source was read, and checked, before).
 */
static bool transfer(struct sdxie_fn *fn, struct sdxie_as das, uint64_t dst,
		     struct data_src s, uint64_t len, struct sdxie_err *e)
{
	if (!s.host && s.addr + len < s.addr)
		return mem_fault(e, SDXIE_MEM_XLATE, SDXI_BUF_SRC, s.addr);
	if (dst + len < dst)
		return mem_fault(e, SDXIE_MEM_XLATE, SDXI_BUF_DST, dst);

	while (len) {
		uint64_t ls = s.host ? len : fault_limit(fn, s.addr, len);
		uint64_t ld = fault_limit(fn, dst, len);
		uint64_t n = after_limit(fn, min64(ls, ld)), done;

		if (!n) {
			if (ls && ld) {
				/* Only the one-shot fault-after trap stops us. */
				fn->faults.after_armed = false;
				return data_fault(e, SDXIE_MEM_XLATE, SDXI_ERR_INJECTED,
						  SDXI_BUF_DST, dst);
			}
			return data_fault(e, SDXIE_MEM_XLATE, SDXI_ERR_INJECTED,
					  ls ? SDXI_BUF_DST : SDXI_BUF_SRC,
					  ls ? dst : s.addr);
		}
		if (s.host)
			done = write_chunk(fn, das, dst, s.host, n, e);
		else
			done = copy_chunk(fn, das, dst, s.as, s.addr, n, e);
		if (!done)
			return false;
		after_consume(fn, done);
		fn->stats.bytes += done;
		if (s.host)
			s.host += done;
		else
			s.addr += done;
		dst += done;
		len -= done;
	}
	return true;
}

bool data_copy(struct sdxie_fn *fn, struct sdxie_as das, uint64_t dst,
	       struct sdxie_as sas, uint64_t src, uint64_t len,
	       struct sdxie_err *e)
{
	if (data_copy_direct(fn, das, dst, sas, src, len))
		return true;
	return transfer(fn, das, dst, (struct data_src){ .as = sas, .addr = src },
			len, e);
}

bool data_copy_from_host(struct sdxie_fn *fn, struct sdxie_as das, uint64_t dst,
			 const void *src, uint64_t len, struct sdxie_err *e)
{
	return transfer(fn, das, dst, (struct data_src){ .host = src }, len, e);
}

/*
 * Fill fn->pattern with copies of the @len-byte block at @src (@len <
 * SDXIE_PATTERN_BLOCK_MAX) and return how many bytes of it hold whole
 * blocks.  0 when the block cannot be read whole right now (a trap covers
 * it, or the read fails): the caller then copies block by block, which
 * reports the fault where it is.
 */
uint64_t data_load_pattern(struct sdxie_fn *fn, struct sdxie_as sas, uint64_t src,
			   uint64_t len)
{
	uint64_t whole = SDXIE_PATTERN_SIZE / len * len, filled = len;

	if (fault_limit(fn, src, len) < len ||
	    mem_read(fn, sas, src, fn->pattern, len) != SDXIE_MEM_OK)
		return 0;
	while (filled < whole) {
		uint64_t n = min64(filled, whole - filled);

		memcpy(fn->pattern + filled, fn->pattern, n);
		filled += n;
	}
	return whole;
}

/* Check both traps for a small access that must happen whole. */
static bool small_access_ok(struct sdxie_fn *fn, uint64_t addr, uint64_t len,
			    uint8_t buf, struct sdxie_err *e)
{
	if (addr + len < addr)
		return mem_fault(e, SDXIE_MEM_XLATE, buf, addr);
	if (fault_limit(fn, addr, len) < len)
		return data_fault(e, SDXIE_MEM_XLATE, SDXI_ERR_INJECTED, buf, addr);
	if (after_limit(fn, len) < len) {
		fn->faults.after_armed = false;
		return data_fault(e, SDXIE_MEM_XLATE, SDXI_ERR_INJECTED, buf, addr);
	}
	return true;
}

bool data_write(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
		const void *buf, uint64_t len, uint8_t buf_id,
		struct sdxie_err *e)
{
	int st;

	if (!small_access_ok(fn, addr, len, buf_id, e))
		return false;
	st = fn->ops->write(fn->opaque, as, addr, buf, len);
	if (st)
		return mem_fault(e, st, buf_id, addr);
	after_consume(fn, len);
	fn->stats.bytes += len;
	return true;
}

static uint64_t load_n(const void *p, unsigned int size)
{
	return size == 4 ? le32_get(p) : le64_get(p);
}

static void store_n(void *p, unsigned int size, uint64_t v)
{
	if (size == 4)
		le32_put(p, (uint32_t)v);
	else
		le64_put(p, v);
}

/* Host-atomic read-modify-write on a directly mapped, aligned target. */
static uint64_t rmw_host(void *host, unsigned int size,
			 uint64_t (*op)(uint64_t, const void *), const void *arg)
{
	if (size == 4) {
		uint32_t old = __atomic_load_n((uint32_t *)host, __ATOMIC_RELAXED), new;

		do {
			uint8_t le[4];

			le32_put(le, old);
			store_n(le, 4, op(le32_get(le), arg));
			memcpy(&new, le, 4);
		} while (!__atomic_compare_exchange_n((uint32_t *)host, &old, new, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		return le32_get(&old);
	} else {
		uint64_t old = __atomic_load_n((uint64_t *)host, __ATOMIC_RELAXED), new;

		do {
			uint8_t le[8];

			memcpy(le, &old, 8);
			le64_put(le, op(le64_get(le), arg));
			memcpy(&new, le, 8);
		} while (!__atomic_compare_exchange_n((uint64_t *)host, &old, new, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		return le64_get(&old);
	}
}

bool data_rmw(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	      unsigned int size, uint64_t (*op)(uint64_t old, const void *arg),
	      const void *arg, uint64_t *old, struct sdxie_err *e)
{
	const struct sdxie_host_ops *ops = fn->ops;
	uint8_t buf[8];
	int st = SDXIE_MEM_OK;

	if (!small_access_ok(fn, addr, size, SDXI_BUF_SRC, e))
		return false;
	if (ops->map) {
		uint64_t len = size;
		void *host = ops->map(fn->opaque, as, addr, &len, true, &st);

		if (!host && st)
			return mem_fault(e, st, SDXI_BUF_SRC, addr);
		if (host && len >= size) {
			*old = rmw_host(host, size, op, arg);
			ops->unmap(fn->opaque, host, len, true);
			goto done;
		}
		if (host)
			ops->unmap(fn->opaque, host, len, true);
	}
	/* No direct mapping: not atomic against other agents (documented). */
	st = ops->read(fn->opaque, as, addr, buf, size);
	if (st)
		return mem_fault(e, st, SDXI_BUF_SRC, addr);
	*old = load_n(buf, size);
	store_n(buf, size, op(*old, arg));
	st = ops->write(fn->opaque, as, addr, buf, size);
	if (st)
		return mem_fault(e, st, SDXI_BUF_SRC, addr);
done:
	after_consume(fn, size);
	fn->stats.bytes += size;
	return true;
}
