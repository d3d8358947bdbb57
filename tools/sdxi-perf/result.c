// SPDX-License-Identifier: MIT
/*
 * The arithmetic of results: one worker's counters and histograms, their
 * merge across threads and processes, and the figures a row reports
 * (throughput, rates, cycles per descriptor, busy time).
 */
#include <string.h>

#include "sdxi-perf.h"

void perf_result_init(struct perf_result *r)
{
	memset(r, 0, sizeof(*r));
	r->start_ns = UINT64_MAX;
	hist_init(&r->submit);
	hist_init(&r->device);
	hist_init(&r->e2e);
}

void perf_result_merge(struct perf_result *d, const struct perf_result *s)
{
	d->descs += s->descs;
	d->batches += s->batches;
	d->bytes += s->bytes;
	d->ring_full += s->ring_full;
	d->errors += s->errors;
	d->verify_checked += s->verify_checked;
	d->verify_failed += s->verify_failed;
	d->ticks_total += s->ticks_total;
	d->ticks_wait += s->ticks_wait;
	d->ticks_submit += s->ticks_submit;
	if (s->start_ns < d->start_ns)
		d->start_ns = s->start_ns;
	if (s->end_ns > d->end_ns)
		d->end_ns = s->end_ns;
	d->workers += s->workers;
	if (s->setup_err && !d->setup_err) {
		d->setup_err = s->setup_err;
		memcpy(d->setup_msg, s->setup_msg, sizeof(d->setup_msg));
	}
	if (s->fail.have && !d->fail.have)
		d->fail = s->fail;
	hist_merge(&d->submit, &s->submit);
	hist_merge(&d->device, &s->device);
	hist_merge(&d->e2e, &s->e2e);
}

void perf_row_compute(struct perf_row *row)
{
	const struct perf_result *r = row->res;
	double ns = r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) : 0;
	double busy = (double)(r->ticks_total - (r->ticks_wait < r->ticks_total ?
						 r->ticks_wait : r->ticks_total));

	row->seconds = ns / 1e9;
	row->gbps = ns > 0 ? (double)r->bytes / ns : 0;	/* bytes per ns = GB/s */
	row->descs_per_s = ns > 0 ? (double)r->descs * 1e9 / ns : 0;
	row->doorbells_per_s = ns > 0 ? (double)r->batches * 1e9 / ns : 0;
	row->cycles_per_desc = r->descs ? busy / (double)r->descs : 0;
	row->submit_cycles_per_desc = r->descs ? (double)r->ticks_submit / (double)r->descs : 0;
	row->busy_pct = r->ticks_total ? 100.0 * busy / (double)r->ticks_total : 0;
}
