// SPDX-License-Identifier: MIT
/*
 * Randomized engine test: feeds at least 100,000 random descriptors (fully
 * random bytes and structured ones with random fields) to a kernel-style
 * context (function space), a user-style context (its own PASID space)
 * and the admin context, sometimes with an admin descriptor arriving
 * after part of a batch ran (transfers suspended), and checks invariants
 * after every batch:
 *
 *   - the function stays ACTIVE (nothing here may be a function error);
 *   - each context's CXT_STS.state is RUN, ERR_FN or STOP_SW, R <= W, and
 *     a running context just rung that stopped short of W did so at an
 *     invalid slot;
 *   - every error-log entry is a valid header of a known step;
 *   - the kernel-owned tables (L2, L1, CXT_CTL, AKey) are never written;
 *   - data writes of the kernel-style context stay inside its data area.
 *
 * Contexts in error are restarted (stop + start RS) so the run continues.
 * Build with ASan + UBSan; any crash or report fails the suite.
 * Usage: engine-fuzz [descriptors] [seed]
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

static const struct sdxie_as FN = { 0 };
#define PASID_CXT	2
#define KERN_CXT	1
#define DATA_SIZE	(4ULL << 20)
#define TABLES_SIZE	(2 * 4096 + 3 * (64 + 4096))

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t pick(uint64_t n)
{
	return n ? rnd() % n : 0;
}

struct fuzz {
	struct fx fx;
	struct sdxie_as pas;
	uint64_t data, pdata;		/* data areas in FN and PASID space */
	uint8_t tables[TABLES_SIZE], tables_now[TABLES_SIZE];
	uint8_t guard_lo[4096], guard_hi[4096];
	uint64_t restarts, errors, failures;
};

/* An address that is usually inside the area, sometimes at or past its edges. */
static uint64_t addr_in(uint64_t base, uint64_t size)
{
	switch (pick(16)) {
	case 0:
		return rnd();
	case 1:
		return base + size - pick(64);
	case 2:
		return base - 1 - pick(64);
	default:
		return base + pick(size);
	}
}

static uint64_t length(void)
{
	switch (pick(8)) {
	case 0:
		return 1 + pick(8);
	case 1:
		return 1 + pick(1 << 20);
	case 2:
		return 1 + (rnd() & 0xffffffffULL);	/* often above the area */
	default:
		return 1 + pick(4096);
	}
}

static uint16_t akey(bool pasid)
{
	switch (pick(10)) {
	case 0:
		return (uint16_t)rnd();
	case 1:
		return 1;		/* the interrupt key */
	case 2:
		return (uint16_t)pick(8);
	default:
		return pasid ? 0 : (pick(4) ? 0 : 2);	/* 2: key into PASID space */
	}
}

static void random_desc(struct fuzz *z, uint32_t id, union sdxi_desc *d)
{
	bool p = id == PASID_CXT;
	uint64_t base = p ? z->pdata : z->data;
	uint64_t len = length(), src = addr_in(base, DATA_SIZE), dst = addr_in(base, DATA_SIZE);
	static const uint8_t atomics[] = { 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };

	switch (pick(12)) {
	case 0:		/* raw bytes */
		for (int i = 0; i < 8; i++)
			d->qw[i] = rnd();
		d->generic.opcode |= SDXI_DSC_VL;
		return;
	case 1:
		*d = d_nop();
		break;
	case 2: {
		uint8_t buf[32];

		for (int i = 0; i < 32; i++)
			buf[i] = (uint8_t)rnd();
		*d = d_wrt_imm(dst, buf, 1 + (unsigned int)pick(32));
		d->wrt_imm.akey1 = akey(p);
		break;
	}
	case 3:
		*d = d_repcopy(src, dst, 1 + pick(256),
			       1 + (pick(4) ? pick(64) : pick(1 << 14)));
		d->repcopy.akey0 = akey(p);
		d->repcopy.akey1 = akey(p);
		break;
	case 4: {
		unsigned int size = pick(2) ? 8 : 4;

		*d = d_atomic(atomics[pick(sizeof(atomics))], size, dst & ~(uint64_t)(size - 1),
			      pick(3) ? 0 : (src & ~7ULL), rnd() & (size == 4 ? 0xffffffff : ~0ULL),
			      0);
		d->atomic.akey0 = akey(p);
		if (d->atomic.addr1)
			d->atomic.akey1 = akey(p);
		break;
	}
	case 5:
		*d = d_intr(akey(p));
		break;
	case 6:
		*d = d_op((unsigned int)pick(8), (unsigned int)pick(16));
		break;
	default:
		*d = d_copy(src, dst, len);
		d->copy.akey0 = akey(p);
		d->copy.akey1 = akey(p);
		break;
	}
	if (!pick(20))		/* sprinkle flags and reserved bits */
		d->qw[pick(8)] ^= 1ULL << pick(64);
	d->generic.opcode |= SDXI_DSC_VL;
}

static void random_admin(struct fuzz *z, union sdxi_desc *d)
{
	static const uint8_t sub[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	uint16_t a = (uint16_t)pick(8), b = (uint16_t)(a + pick(4));

	(void)z;
	if (!pick(4)) {
		for (int i = 0; i < 8; i++)
			d->qw[i] = rnd();
		d->generic.opcode = (d->generic.opcode & ~SDXI_DSC_TYPE) |
			SDXI_FIELD_PREP(SDXI_DSC_TYPE, SDXI_DSC_TYPE_ADMIN) | SDXI_DSC_VL;
		d->generic.csb_ptr = SDXI_DSC_NP;
		return;
	}
	*d = d_range(sub[pick(sizeof(sub))], a, b);
	if (d->generic.opcode & SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, 6U))
		d->sync.cflags = (uint8_t)pick(6);
}

static bool valid_state(uint8_t s)
{
	return s == SDXI_CXTV_RUN || s == SDXI_CXTV_ERR_FN || s == SDXI_CXTV_STOP_SW;
}

/* The kernel-owned tables: L2, L1, and each context's CXT_CTL and AKey table. */
static void snapshot(struct fuzz *z, uint8_t *buf)
{
	struct fx *fx = &z->fx;

	memcpy(buf, fx_ptr(fx, FN, fx->l2), 4096);
	memcpy(buf + 4096, fx_ptr(fx, FN, fx->l1), 4096);
	buf += 8192;
	for (uint32_t id = 0; id <= PASID_CXT; id++) {
		memcpy(buf, fx_ptr(fx, FN, fx->cxt[id].ctl), 64);
		memcpy(buf + 64, fx_ptr(fx, FN, fx->cxt[id].akey), 4096);
		buf += 64 + 4096;
	}
}

/* Stop and resume a context that is not running; false if it won't start. */
static bool restart(struct fuzz *z, uint32_t id)
{
	union sdxi_desc stop = d_range(SDXI_DSC_CXT_STOP, (uint16_t)id, (uint16_t)id);
	union sdxi_desc start = d_range(SDXI_DSC_CXT_START_RS, (uint16_t)id, (uint16_t)id);
	struct fx_cxt *c = &z->fx.cxt[id];

	z->restarts++;
	if (fx_admin(&z->fx, &stop) != 0)
		return false;
	/* Resume at W: whatever was queued is abandoned. */
	fx_wr64(&z->fx, c->as, c->sts + 8, c->w);
	return fx_admin(&z->fx, &start) == 0;
}

static int check_cxt(struct fuzz *z, uint32_t id, bool rung)
{
	struct fx_cxt *c = &z->fx.cxt[id];
	uint8_t state = sdxie_cxt_state(z->fx.fn, id);
	uint64_t r;

	if (!valid_state(state))
		return printf("# context %u: engine state %u\n", id, state), 1;
	if (id == PASID_CXT)
		return 0;	/* its CXT_STS is in memory its own descriptors may write */
	r = fx_r(&z->fx, id);
	if (fx_state(&z->fx, id) != state)
		return printf("# context %u: CXT_STS %u vs engine %u\n", id,
			      fx_state(&z->fx, id), state), 1;
	if (r > c->w)
		return printf("# context %u: R %llu > W %llu\n", id,
			      (unsigned long long)r, (unsigned long long)c->w), 1;
	if (rung && state == SDXI_CXTV_RUN && r < c->w) {
		union sdxi_desc *slot = fx_ptr(&z->fx, c->as, c->ring + (r % c->ring_sz) * 64);

		if (slot->generic.opcode & SDXI_DSC_VL)
			return printf("# context %u: idle at a valid slot\n", id), 1;
	}
	return 0;
}

static int drain_errlog(struct fuzz *z)
{
	uint64_t rd = sdxie_mmio_read(z->fx.fn, SDXI_MMIO_ERR_RD, 8);
	uint64_t wr = sdxie_mmio_read(z->fx.fn, SDXI_MMIO_ERR_WRT, 8);
	int bad = 0;

	for (; rd < wr; rd++) {
		const struct sdxi_errlog_ent *e = fx_errlog(&z->fx, rd);
		unsigned int step = (unsigned int)SDXI_FIELD_GET(SDXI_ERRLOG_STEP, e->hd);

		if (!(e->hd & SDXI_ERRLOG_VL) ||
		    SDXI_FIELD_GET(SDXI_ERRLOG_TYPE, e->hd) != SDXI_ERRLOG_HD_TYPE ||
		    step < SDXI_STEP_INTERNAL || step > SDXI_STEP_RKEY ||
		    SDXI_FIELD_GET(SDXI_ERRLOG_RE, e->hd) == SDXI_RE_FN_STOPPED)
			bad++;
		z->errors++;
	}
	sdxie_mmio_write(z->fx.fn, SDXI_MMIO_ERR_RD, wr, 8);
	sdxie_mmio_write(z->fx.fn, SDXI_MMIO_ERR_STS, ~0ULL, 8);
	return bad;
}

static void setup(struct fuzz *z)
{
	struct fx *fx = &z->fx;
	struct sdxi_akey_ent *k;
	struct sdxie_config cfg;

	sdxie_config_default(&cfg);
	cfg.max_cxt = 7;
	fx_init(fx, &cfg);
	z->pas = fx_add_pasid(fx, 5);
	if (fx_cxt_new(fx, KERN_CXT, 1024, FN) || fx_cxt_new(fx, PASID_CXT, 1024, z->pas))
		abort();
	/* Key 2 of the kernel context reaches the PASID space. */
	k = fx_akey(fx, KERN_CXT, 2);
	k->intr = SDXI_AKEY_VL | SDXI_AKEY_PV;
	k->pasid = z->pas.pasid;
	z->pdata = fx_alloc(fx, z->pas, DATA_SIZE, 4096);
	/* Unmapped guard pages around the kernel context's data area. */
	z->data = fx_alloc(fx, FN, DATA_SIZE + 8192, 4096) + 4096;
	fx->hole[0].lo = z->data - 4096;
	fx->hole[0].hi = z->data;
	fx->hole[1].lo = z->data + DATA_SIZE;
	fx->hole[1].hi = z->data + DATA_SIZE + 4096;
	fx->nholes = 2;
	memset(fx_ptr(fx, FN, z->data - 4096), 0xa5, 4096);
	memset(fx_ptr(fx, FN, z->data + DATA_SIZE), 0x5a, 4096);
	memcpy(z->guard_lo, fx_ptr(fx, FN, z->data - 4096), 4096);
	memcpy(z->guard_hi, fx_ptr(fx, FN, z->data + DATA_SIZE), 4096);
	snapshot(z, z->tables);
}

/*
 * The kernel context's random addresses are near its data area, whose
 * neighbours are unmapped guard pages; the tables lie below the guards.
 */
int main(int argc, char **argv)
{
	uint64_t want = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5d11e;
	struct fuzz *z = calloc(1, sizeof(*z));
	struct sdxie_stats st;
	int bad_inv = 0, bad_log = 0, bad_tables = 0, bad_guard = 0;
	uint64_t batches = 0;

	if (!z)
		return 2;
	rng_state = seed | 1;
	setup(z);
	printf("1..5\n# seed 0x%llx, %llu descriptors wanted\n",
	       (unsigned long long)seed, (unsigned long long)want);

	for (;;) {
		uint32_t id = pick(8) ? (pick(2) ? KERN_CXT : PASID_CXT) : 0;
		unsigned int n = 1 + (unsigned int)pick(32);

		sdxie_get_stats(z->fx.fn, &st);
		if (st.descriptors >= want)
			break;
		for (unsigned int i = 0; i < n; i++) {
			union sdxi_desc d;

			if (id == 0)
				random_admin(z, &d);
			else
				random_desc(z, id, &d);
			fx_put(&z->fx, id, &d, pick(2));
		}
		fx_doorbell(&z->fx, id);
		if (id && !pick(4)) {
			union sdxi_desc a;

			/* Admin work while transfers of the batch may be suspended. */
			for (int k = (int)pick(4); k >= 0; k--)
				sdxie_run(z->fx.fn, 1);
			random_admin(z, &a);
			fx_put(&z->fx, 0, &a, pick(2));
			fx_doorbell(&z->fx, 0);
			fx_run(&z->fx);
			/* It may have restarted the context (dv = 0): ring again. */
			fx_doorbell(&z->fx, id);
		}
		fx_run(&z->fx);
		batches++;

		if (sdxie_fn_state(z->fx.fn) != SDXI_GSV_ACTIVE) {
			printf("# function left ACTIVE: gsv %u\n", sdxie_fn_state(z->fx.fn));
			bad_inv++;
			break;
		}
		bad_inv += check_cxt(z, KERN_CXT, id == KERN_CXT) +
			   check_cxt(z, PASID_CXT, id == PASID_CXT);
		bad_log += drain_errlog(z);
		for (uint32_t c = KERN_CXT; c <= PASID_CXT; c++)
			if (sdxie_cxt_state(z->fx.fn, c) != SDXI_CXTV_RUN && !restart(z, c))
				bad_inv++, printf("# context %u does not restart\n", c);
		if (bad_inv > 20)
			break;
	}
	snapshot(z, z->tables_now);
	bad_tables = memcmp(z->tables, z->tables_now, TABLES_SIZE) != 0;
	bad_guard = memcmp(z->guard_lo, fx_ptr(&z->fx, FN, z->data - 4096), 4096) ||
		    memcmp(z->guard_hi, fx_ptr(&z->fx, FN, z->data + DATA_SIZE), 4096);
	sdxie_get_stats(z->fx.fn, &st);
	printf("# %llu descriptors in %llu batches, %llu errors logged, %llu restarts,"
	       " %llu bytes moved\n", (unsigned long long)st.descriptors,
	       (unsigned long long)batches, (unsigned long long)z->errors,
	       (unsigned long long)z->restarts, (unsigned long long)st.bytes);
	printf("%s 1 - executed at least %llu random descriptors\n",
	       st.descriptors >= want ? "ok" : "not ok", (unsigned long long)want);
	printf("%s 2 - context and function state consistent after every batch\n",
	       bad_inv ? "not ok" : "ok");
	printf("%s 3 - every error-log entry is a valid header\n", bad_log ? "not ok" : "ok");
	printf("%s 4 - kernel-owned tables never written\n", bad_tables ? "not ok" : "ok");
	printf("%s 5 - guard pages around the data area untouched\n",
	       bad_guard ? "not ok" : "ok");
	fx_fini(&z->fx);
	free(z);
	return bad_inv || bad_log || bad_tables || bad_guard;
}
