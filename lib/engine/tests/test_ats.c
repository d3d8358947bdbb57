// SPDX-License-Identifier: MIT
/*
 * Page requests (hardware.rst, "ATS and page requests"): a fake translator
 * in front of the fixture's host marks pages of a PASID space not present.
 * An access touching one returns SDXIE_MEM_PENDING and records a page
 * request; the test answers it (page present, or the request failed) and
 * calls sdxie_translation_ready().  The engine must suspend the descriptor
 * without an error, make no access for the context meanwhile, resume it
 * after the answer and complete it exactly once, or turn a failed answer
 * into the context's translation error at the page.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

#define PAGE		4096ULL
#define MAX_ABSENT	16

enum page_state { PAGE_ABSENT, PAGE_REQUESTED, PAGE_FAILED };

/* The translator: absent pages of PASID space @pasid, and the requests. */
static struct {
	uint32_t pasid;
	struct { uint64_t page; enum page_state st; } pg[MAX_ABSENT];
	unsigned int npg;
	unsigned int requests;	/* page requests issued */
	uint64_t last_req;	/* page of the newest one */
	unsigned int pasid_ops;	/* accesses to the PASID space, any result */
} tr;

static void tr_reset(uint32_t pasid)
{
	memset(&tr, 0, sizeof(tr));
	tr.pasid = pasid;
}

static void absent(uint64_t addr, uint64_t len)
{
	for (uint64_t p = addr & ~(PAGE - 1); p < addr + len; p += PAGE) {
		if (tr.npg == MAX_ABSENT)
			abort();
		tr.pg[tr.npg].page = p;
		tr.pg[tr.npg++].st = PAGE_ABSENT;
	}
}

/*
 * Translate [addr, addr + len): OK, PENDING (a request was made or is
 * outstanding for the first page not present) or XLATE (its request
 * failed).  *@ok_len: bytes before that page.
 */
static int tr_check(struct sdxie_as as, uint64_t addr, uint64_t len, uint64_t *ok_len)
{
	uint64_t first = UINT64_MAX;
	unsigned int hit = 0;

	*ok_len = len;
	if (!as.has_pasid || as.pasid != tr.pasid)
		return SDXIE_MEM_OK;
	tr.pasid_ops++;
	for (unsigned int i = 0; i < tr.npg; i++)
		if (tr.pg[i].page < addr + len && addr < tr.pg[i].page + PAGE &&
		    tr.pg[i].page < first) {
			first = tr.pg[i].page;
			hit = i;
		}
	if (first == UINT64_MAX)
		return SDXIE_MEM_OK;
	*ok_len = first > addr ? first - addr : 0;
	if (*ok_len)
		return SDXIE_MEM_OK;
	switch (tr.pg[hit].st) {
	case PAGE_ABSENT:
		tr.pg[hit].st = PAGE_REQUESTED;
		tr.requests++;
		tr.last_req = first;
		return SDXIE_MEM_PENDING;
	case PAGE_REQUESTED:
		return SDXIE_MEM_PENDING;
	default:
		return SDXIE_MEM_XLATE;
	}
}

/* Answer the outstanding request for @page: present, or failed. */
static void respond(struct fx *fx, uint64_t page, bool success)
{
	bool found = false;

	for (unsigned int i = 0; i < tr.npg; i++) {
		if (tr.pg[i].page != page || tr.pg[i].st != PAGE_REQUESTED)
			continue;
		if (success)
			tr.pg[i] = tr.pg[--tr.npg];
		else
			tr.pg[i].st = PAGE_FAILED;
		found = true;
		break;
	}
	CHECK(found);
	sdxie_translation_ready(fx->fn);
}

static int t_read(void *o, struct sdxie_as as, uint64_t addr, void *buf, uint64_t len)
{
	uint64_t ok;
	int st = tr_check(as, addr, len, &ok);

	if (!st && ok < len)
		st = tr_check(as, addr + ok, len - ok, &ok);
	return st ? st : fx_ops.read(o, as, addr, buf, len);
}

static int t_write(void *o, struct sdxie_as as, uint64_t addr, const void *buf,
		   uint64_t len)
{
	uint64_t ok;
	int st = tr_check(as, addr, len, &ok);

	if (!st && ok < len)
		st = tr_check(as, addr + ok, len - ok, &ok);
	return st ? st : fx_ops.write(o, as, addr, buf, len);
}

/* Maps stop short of the first page not present. */
static void *t_map(void *o, struct sdxie_as as, uint64_t addr, uint64_t *len,
		   bool is_write, int *status)
{
	uint64_t ok;

	*status = tr_check(as, addr, *len, &ok);
	if (*status)
		return NULL;
	*len = ok;
	return fx_ops.map(o, as, addr, len, is_write, status);
}

static int t_probe(void *o, struct sdxie_as as, uint64_t addr, uint64_t len,
		   bool is_write)
{
	uint64_t ok;
	int st = tr_check(as, addr, len, &ok);

	(void)o, (void)is_write;
	if (!st && ok < len)
		st = tr_check(as, addr + ok, len - ok, &ok);
	return st;
}

static struct sdxie_host_ops t_ops;

/* Function with the translator; context 2 runs under PASID 6. */
static struct sdxie_as setup(struct fx *fx, bool no_map)
{
	struct sdxie_as p;

	t_ops = fx_ops;
	t_ops.read = t_read;
	t_ops.write = t_write;
	t_ops.map = t_map;
	t_ops.probe = t_probe;
	tr_reset(6);
	fx_init_ops(fx, NULL, &t_ops);
	fx->no_map = no_map;
	p = fx_add_pasid(fx, 6);
	if (fx_cxt_new(fx, 2, 1024, p) != 0)
		abort();
	return p;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* Answer every request with success until the context needs no more. */
static unsigned int serve(struct fx *fx)
{
	unsigned int answered = 0;

	fx_run(fx);
	while (tr.npg && tr.requests > answered && answered < MAX_ABSENT) {
		/* While waiting the context is left alone: no access, no error. */
		unsigned int ops = tr.pasid_ops;

		fx_run(fx);
		CHECK_EQ(tr.pasid_ops, ops);
		CHECK_EQ(fx_errlog_count(fx), 0);
		CHECK_EQ(fx_state(fx, 2), SDXI_CXTV_RUN);
		respond(fx, tr.last_req, true);
		answered++;
		fx_run(fx);
	}
	return answered;
}

static void copy_through_absent_pages(bool no_map)
{
	struct fx fx;
	struct sdxie_as p = setup(&fx, no_map);
	uint64_t src = fx_alloc(&fx, p, 4 * PAGE, PAGE);
	uint64_t dst = fx_alloc(&fx, p, 4 * PAGE, PAGE);
	union sdxi_desc d = d_copy(src + 100, dst + 200, 3 * PAGE);
	unsigned int kicks;
	uint64_t i;

	fill(fx_ptr(&fx, p, src), 4 * PAGE, 3);
	absent(src + PAGE, 2 * PAGE);
	absent(dst, 4 * PAGE);
	i = fx_submit(&fx, 2, &d, true);
	fx_run(&fx);
	/* Suspended at the first absent page, not failed. */
	CHECK_EQ(tr.requests, 1);
	CHECK_EQ(fx_csb(&fx, 2, i), -1);
	CHECK_EQ(fx_r(&fx, 2), 0);
	CHECK_EQ(fx_errlog_count(&fx), 0);
	CHECK_EQ(fx_state(&fx, 2), SDXI_CXTV_RUN);
	kicks = fx.kicks;
	respond(&fx, tr.last_req, true);
	CHECK(fx.kicks > kicks);
	/* Source pages 1-2 and destination pages 0-3. */
	CHECK_EQ(serve(&fx) + 1, 6);
	CHECK_EQ(tr.requests, 6);
	CHECK_EQ(fx_csb(&fx, 2, i), 0);
	CHECK_EQ(fx_r(&fx, 2), i + 1);
	CHECK_EQ(fx_errlog_count(&fx), 0);
	CHECK(!memcmp(fx_ptr(&fx, p, src + 100), fx_ptr(&fx, p, dst + 200), 3 * PAGE));
	fx_fini(&fx);
}

TEST(copy_through_absent_pages_completes_after_page_requests)
{
	copy_through_absent_pages(false);
}

TEST(copy_through_absent_pages_without_direct_mapping)
{
	copy_through_absent_pages(true);
}

TEST(failed_page_request_is_the_contexts_translation_error)
{
	struct fx fx;
	struct sdxie_as p = setup(&fx, false);
	uint64_t src = fx_alloc(&fx, p, PAGE, PAGE);
	uint64_t dst = fx_alloc(&fx, p, 2 * PAGE, PAGE);
	union sdxi_desc d = d_copy(src, dst + 64, PAGE);
	struct fx_err e;
	uint64_t i;

	fill(fx_ptr(&fx, p, src), PAGE, 9);
	absent(dst + PAGE, PAGE);
	i = fx_submit(&fx, 2, &d, true);
	fx_run(&fx);
	CHECK_EQ(tr.requests, 1);
	CHECK_EQ(tr.last_req, dst + PAGE);
	CHECK_EQ(fx_csb(&fx, 2, i), -1);
	respond(&fx, dst + PAGE, false);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 2, i), 1);
	CHECK_EQ(fx_state(&fx, 2), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_r(&fx, 2), i + 1);
	REQUIRE(fx_errlog_count(&fx) == 1);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_DATA);
	CHECK_EQ(e.sub_step, SDXI_SUB_STEP_XLATE);
	CHECK_EQ(e.reason, SDXI_ERR_XLATE);
	CHECK(e.bv);
	CHECK_EQ(e.buf, SDXI_BUF_DST);
	CHECK_EQ(e.addr, dst + PAGE);
	CHECK_EQ(e.index, i);
	/* The bytes before the page were written, none after it. */
	CHECK(!memcmp(fx_ptr(&fx, p, src), fx_ptr(&fx, p, dst + 64), PAGE - 64));
	fx_fini(&fx);
}

TEST(ring_write_index_and_status_wait_for_page_requests)
{
	struct fx fx;
	union sdxi_desc d = d_nop();
	struct fx_cxt *c;
	uint64_t i;

	setup(&fx, false);
	c = &fx.cxt[2];
	absent(c->wi, 8);
	absent(c->ring, SDXI_DESC_SIZE);
	absent(c->sts, 16);
	i = fx_submit(&fx, 2, &d, true);
	CHECK_EQ(serve(&fx), 3);
	CHECK_EQ(tr.requests, 3);
	CHECK_EQ(fx_csb(&fx, 2, i), 0);
	CHECK_EQ(fx_r(&fx, 2), i + 1);
	CHECK_EQ(fx_errlog_count(&fx), 0);
	fx_fini(&fx);
}

TEST(completion_block_is_translated_before_the_data_moves)
{
	struct fx fx;
	struct sdxie_as p = setup(&fx, false);
	uint64_t src = fx_alloc(&fx, p, PAGE, PAGE);
	uint64_t dst = fx_alloc(&fx, p, PAGE, PAGE);
	union sdxi_desc d = d_copy(src, dst, 256);
	uint64_t i, csb = fx.cxt[2].csb;

	fill(fx_ptr(&fx, p, src), PAGE, 1);
	absent(csb, 32);
	i = fx_submit(&fx, 2, &d, true);
	fx_run(&fx);
	CHECK_EQ(tr.requests, 1);
	/* Nothing moved while the CST_BLK is not translated. */
	CHECK(memcmp(fx_ptr(&fx, p, src), fx_ptr(&fx, p, dst), 256));
	respond(&fx, tr.last_req, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 2, i), 0);
	CHECK(!memcmp(fx_ptr(&fx, p, src), fx_ptr(&fx, p, dst), 256));
	CHECK_EQ(fx_errlog_count(&fx), 0);
	fx_fini(&fx);
}

TEST(atomic_applies_once_when_its_return_data_waits)
{
	struct fx fx;
	struct sdxie_as p = setup(&fx, false);
	uint64_t tgt = fx_alloc(&fx, p, PAGE, PAGE);
	uint64_t ret = fx_alloc(&fx, p, PAGE, PAGE);
	union sdxi_desc d = d_atomic(SDXI_DSC_ATOMIC_UADD, 8, tgt, ret, 5, 0);
	uint64_t i;

	fx_wr64(&fx, p, tgt, 100);
	absent(ret, 8);
	absent(tgt, 8);
	i = fx_submit(&fx, 2, &d, true);
	CHECK_EQ(serve(&fx), 2);
	CHECK_EQ(fx_csb(&fx, 2, i), 0);
	CHECK_EQ(fx_rd64(&fx, p, tgt), 105);
	CHECK_EQ(fx_rd64(&fx, p, ret), 100);
	CHECK_EQ(fx_errlog_count(&fx), 0);
	fx_fini(&fx);
}

TEST(a_stopped_context_no_longer_waits)
{
	struct fx fx;
	struct sdxie_as p = setup(&fx, false);
	uint64_t dst = fx_alloc(&fx, p, PAGE, PAGE);
	union sdxi_desc w = d_wrt_imm(dst, "abcdefgh", 8);
	union sdxi_desc stop = d_range(SDXI_DSC_CXT_STOP, 2, 2);
	uint64_t i;

	absent(dst, 8);
	i = fx_submit(&fx, 2, &w, true);
	fx_run(&fx);
	CHECK_EQ(tr.requests, 1);
	CHECK_EQ(fx_admin(&fx, &stop), 0);
	CHECK_EQ(sdxie_cxt_state(fx.fn, 2), SDXI_CXTV_STOP_SW);
	/* The answer arrives after the stop: the descriptor stays abandoned. */
	respond(&fx, dst, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 2, i), -1);
	CHECK_EQ(fx_r(&fx, 2), i);
	fx_fini(&fx);
}
